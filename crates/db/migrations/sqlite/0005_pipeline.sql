-- The investment pipeline: the company library and investment projects with the dates of their
-- stages. Kept column-for-column identical to ../postgres/0005_pipeline.sql (a test checks).

CREATE TABLE companies (
    id                 INTEGER PRIMARY KEY,
    -- The library the company is in: the county (or higher) region of the unit that added it.
    region_id          INTEGER NOT NULL REFERENCES regions (id),
    -- The unit following the company; its clerks may edit it.
    unit_id            INTEGER REFERENCES units (id),
    name               TEXT NOT NULL,
    name_key           TEXT NOT NULL,
    credit_code        TEXT,
    country            TEXT NOT NULL,
    hq_city            TEXT,
    industry_section   TEXT,
    industry_division  TEXT,
    global500          BOOLEAN NOT NULL DEFAULT FALSE,
    china500           BOOLEAN NOT NULL DEFAULT FALSE,
    private500         BOOLEAN NOT NULL DEFAULT FALSE,
    headquarters       BOOLEAN NOT NULL DEFAULT FALSE,
    listed             BOOLEAN NOT NULL DEFAULT FALSE,
    contact_name       TEXT,
    contact_title      TEXT,
    contact_phone      TEXT,
    source             TEXT,
    notes              TEXT,
    status             TEXT NOT NULL DEFAULT 'potential'
                       CHECK (status IN ('potential', 'contacting', 'signed', 'landed', 'abandoned')),
    status_reason      TEXT,
    search             TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CONSTRAINT companies_name_key UNIQUE (region_id, name_key),
    CONSTRAINT companies_credit_code_key UNIQUE (region_id, credit_code)
);
CREATE INDEX companies_recent_idx ON companies (updated_at, id);
CREATE INDEX companies_unit_idx ON companies (unit_id);
CREATE INDEX companies_credit_code_idx ON companies (credit_code);

CREATE TABLE projects (
    id                        INTEGER PRIMARY KEY,
    region_id                 INTEGER NOT NULL REFERENCES regions (id),
    -- The responsible unit: its clerks keep the project up to date.
    unit_id                   INTEGER NOT NULL REFERENCES units (id),
    name                      TEXT NOT NULL,
    search                    TEXT NOT NULL,
    investor_id               INTEGER REFERENCES companies (id),
    industry_section          TEXT,
    industry_division         TEXT,
    key_industry              TEXT,
    location_unit_id          INTEGER REFERENCES units (id),
    first_unit_id             INTEGER REFERENCES units (id),
    introducer                TEXT,
    introducer_civil_servant  BOOLEAN NOT NULL DEFAULT FALSE,
    owner_leader_id           INTEGER REFERENCES people (id),
    owner_override            TEXT,
    agent_id                  INTEGER REFERENCES people (id),
    team                      TEXT,
    -- Money in 万元; land in hundredths of a 亩.
    total_investment          INTEGER NOT NULL DEFAULT 0,
    outside_investment        INTEGER NOT NULL DEFAULT 0,
    first_phase_investment    INTEGER,
    land_mu_x100              INTEGER,
    contract_amount           INTEGER,
    project_credit_code       TEXT,
    national_code             TEXT,
    stage                     TEXT NOT NULL CHECK (stage IN ('lead', 'negotiating', 'signed', 'registered',
                              'started', 'producing', 'at_capacity', 'paused', 'terminated')),
    stage_on                  TEXT NOT NULL,
    paused_from               TEXT,
    signed_on                 TEXT,
    is_major                  BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when this is the same investment as an earlier project signed again; such a project
    -- is left out of every total.
    duplicate_of              INTEGER REFERENCES projects (id),
    version                   INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
);
CREATE INDEX projects_recent_idx ON projects (updated_at, id);
CREATE INDEX projects_region_idx ON projects (region_id, stage, updated_at);
CREATE INDEX projects_stage_idx ON projects (stage, updated_at, id);
CREATE INDEX projects_unit_idx ON projects (unit_id, updated_at);
CREATE INDEX projects_investor_idx ON projects (investor_id);
CREATE INDEX projects_owner_idx ON projects (owner_leader_id, is_major);
CREATE INDEX projects_major_idx ON projects (is_major, updated_at, id);
CREATE UNIQUE INDEX projects_national_code_key ON projects (national_code);

-- Other responsible units besides the project's own.
CREATE TABLE project_units (
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX project_units_unit_idx ON project_units (unit_id);

-- Every stage a project entered, with its date: the project's timeline.
CREATE TABLE project_stages (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    stage       TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    reason      TEXT,
    user_id     INTEGER REFERENCES users (id),
    at          TEXT NOT NULL
);
CREATE INDEX project_stages_project_idx ON project_stages (project_id, id);
CREATE INDEX project_stages_stage_idx ON project_stages (stage, on_date);
