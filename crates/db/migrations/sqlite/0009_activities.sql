-- Recruiting activities (招引活动, M4): trips out, visits received, negotiations, promotion events
-- and signings, with who took part, whom they met and the projects they served. Kept
-- column-for-column identical to ../postgres/0009_activities.sql (a test checks).

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    region_id        INTEGER NOT NULL REFERENCES regions (id),
    -- The organising unit: its clerks keep the activity; it is also among activity_units.
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    kind             TEXT NOT NULL CHECK (kind IN ('trip', 'visit', 'talks', 'promotion', 'signing')),
    abroad           BOOLEAN NOT NULL DEFAULT FALSE,
    title            TEXT NOT NULL,
    place            TEXT NOT NULL,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    purpose          TEXT,
    outcome          TEXT,
    status           TEXT NOT NULL
                     CHECK (status IN ('registered', 'approved', 'returned', 'done', 'cancelled')),
    status_reason    TEXT,
    -- A trip registered after its first day (补报).
    registered_late  BOOLEAN NOT NULL DEFAULT FALSE,
    decided_by       INTEGER REFERENCES users (id),
    decided_at       TEXT,
    search           TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX activities_region_idx ON activities (region_id, starts_on);
CREATE INDEX activities_unit_idx ON activities (unit_id, starts_on);
CREATE INDEX activities_recent_idx ON activities (starts_on, id);
CREATE INDEX activities_status_idx ON activities (status, starts_on);

-- Every unit taking part, the organising unit included: the statistics count each.
CREATE TABLE activity_units (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (activity_id, unit_id)
);
CREATE INDEX activity_units_unit_idx ON activity_units (unit_id);

CREATE TABLE activity_leaders (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX activity_leaders_person_idx ON activity_leaders (person_id);

CREATE TABLE activity_companies (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    PRIMARY KEY (activity_id, company_id)
);
CREATE INDEX activity_companies_company_idx ON activity_companies (company_id);

CREATE TABLE activity_talents (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    talent_id    INTEGER NOT NULL REFERENCES talents (id),
    PRIMARY KEY (activity_id, talent_id)
);
CREATE INDEX activity_talents_talent_idx ON activity_talents (talent_id);

CREATE TABLE activity_projects (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    PRIMARY KEY (activity_id, project_id)
);
CREATE INDEX activity_projects_project_idx ON activity_projects (project_id);
