-- The talent library: experts and teams, their talent programs, and where contact stands. Kept
-- column-for-column identical to ../postgres/0007_talents.sql (a test checks).

CREATE TABLE talents (
    id             INTEGER PRIMARY KEY,
    -- The library the talent is in: the county of the unit following them.
    region_id      INTEGER NOT NULL REFERENCES regions (id),
    unit_id        INTEGER REFERENCES units (id),
    kind           TEXT NOT NULL CHECK (kind IN ('person', 'team')),
    name           TEXT NOT NULL,
    leader         TEXT,
    team_size      INTEGER,
    field          TEXT,
    affiliation    TEXT,
    title          TEXT,
    country        TEXT NOT NULL,
    -- The highest level among the talent's programs (national, provincial, municipal).
    program_level  TEXT,
    contact_phone  TEXT,
    email          TEXT,
    company_id     INTEGER REFERENCES companies (id),
    project_id     INTEGER REFERENCES projects (id),
    notes          TEXT,
    status         TEXT NOT NULL DEFAULT 'potential'
                   CHECK (status IN ('potential', 'contacting', 'signed', 'landed', 'abandoned')),
    status_reason  TEXT,
    search         TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX talents_region_idx ON talents (region_id, updated_at);
CREATE INDEX talents_unit_idx ON talents (unit_id);
CREATE INDEX talents_company_idx ON talents (company_id);
CREATE INDEX talents_project_idx ON talents (project_id);

CREATE TABLE talent_programs (
    talent_id  INTEGER NOT NULL REFERENCES talents (id),
    program    TEXT NOT NULL,
    PRIMARY KEY (talent_id, program)
);
CREATE INDEX talent_programs_program_idx ON talent_programs (program);
