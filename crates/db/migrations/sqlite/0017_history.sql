-- Earlier versions of projects and of their problems, so that lists (and every figure
-- counted from them) can be read as of a past day: each row is a project or a problem as it
-- stood from its `updated_at` until `valid_to`, when a write that moved `updated_at` replaced it
-- (or it was removed). Kept by triggers, so every write is covered whatever code makes it.
-- Kept column-for-column identical to ../postgres/0017_history.sql (a test checks).

CREATE TABLE project_versions (
    id                        INTEGER NOT NULL,
    region_id                 INTEGER NOT NULL,
    unit_id                   INTEGER NOT NULL,
    name                      TEXT NOT NULL,
    search                    TEXT NOT NULL,
    investor_id               INTEGER,
    industry_section          TEXT,
    industry_division         TEXT,
    key_industry              TEXT,
    location_unit_id          INTEGER,
    first_unit_id             INTEGER,
    introducer                TEXT,
    introducer_civil_servant  BOOLEAN NOT NULL,
    owner_leader_id           INTEGER,
    owner_override            TEXT,
    agent_id                  INTEGER,
    team                      TEXT,
    total_investment          INTEGER NOT NULL,
    outside_investment        INTEGER NOT NULL,
    first_phase_investment    INTEGER,
    land_mu_x100              INTEGER,
    contract_amount           INTEGER,
    project_credit_code       TEXT,
    national_code             TEXT,
    stage                     TEXT NOT NULL,
    stage_on                  TEXT NOT NULL,
    paused_from               TEXT,
    signed_on                 TEXT,
    is_major                  BOOLEAN NOT NULL,
    duplicate_of              INTEGER,
    version                   INTEGER NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    segment_id                INTEGER,
    land_on                   TEXT,
    origin                    TEXT,
    valid_to                  TEXT NOT NULL
);
CREATE INDEX project_versions_idx ON project_versions (valid_to, updated_at);

CREATE TRIGGER projects_versioned_update AFTER UPDATE ON projects
    WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO project_versions (
        id, region_id, unit_id, name, search, investor_id, industry_section,
        industry_division, key_industry, location_unit_id, first_unit_id, introducer,
        introducer_civil_servant, owner_leader_id, owner_override, agent_id, team,
        total_investment, outside_investment, first_phase_investment, land_mu_x100,
        contract_amount, project_credit_code, national_code, stage, stage_on, paused_from,
        signed_on, is_major, duplicate_of, version, created_at, updated_at, segment_id,
        land_on, origin, valid_to)
    VALUES (
        OLD.id, OLD.region_id, OLD.unit_id, OLD.name, OLD.search, OLD.investor_id,
        OLD.industry_section, OLD.industry_division, OLD.key_industry, OLD.location_unit_id,
        OLD.first_unit_id, OLD.introducer, OLD.introducer_civil_servant,
        OLD.owner_leader_id, OLD.owner_override, OLD.agent_id, OLD.team,
        OLD.total_investment, OLD.outside_investment, OLD.first_phase_investment,
        OLD.land_mu_x100, OLD.contract_amount, OLD.project_credit_code, OLD.national_code,
        OLD.stage, OLD.stage_on, OLD.paused_from, OLD.signed_on, OLD.is_major,
        OLD.duplicate_of, OLD.version, OLD.created_at, OLD.updated_at, OLD.segment_id,
        OLD.land_on, OLD.origin, NEW.updated_at);
END;

CREATE TRIGGER projects_versioned_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO project_versions (
        id, region_id, unit_id, name, search, investor_id, industry_section,
        industry_division, key_industry, location_unit_id, first_unit_id, introducer,
        introducer_civil_servant, owner_leader_id, owner_override, agent_id, team,
        total_investment, outside_investment, first_phase_investment, land_mu_x100,
        contract_amount, project_credit_code, national_code, stage, stage_on, paused_from,
        signed_on, is_major, duplicate_of, version, created_at, updated_at, segment_id,
        land_on, origin, valid_to)
    VALUES (
        OLD.id, OLD.region_id, OLD.unit_id, OLD.name, OLD.search, OLD.investor_id,
        OLD.industry_section, OLD.industry_division, OLD.key_industry, OLD.location_unit_id,
        OLD.first_unit_id, OLD.introducer, OLD.introducer_civil_servant,
        OLD.owner_leader_id, OLD.owner_override, OLD.agent_id, OLD.team,
        OLD.total_investment, OLD.outside_investment, OLD.first_phase_investment,
        OLD.land_mu_x100, OLD.contract_amount, OLD.project_credit_code, OLD.national_code,
        OLD.stage, OLD.stage_on, OLD.paused_from, OLD.signed_on, OLD.is_major,
        OLD.duplicate_of, OLD.version, OLD.created_at, OLD.updated_at, OLD.segment_id,
        OLD.land_on, OLD.origin, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;

CREATE TABLE project_problem_versions (
    id                        INTEGER NOT NULL,
    project_id                INTEGER NOT NULL,
    category                  TEXT NOT NULL,
    description               TEXT NOT NULL,
    unit_id                   INTEGER NOT NULL,
    deadline                  TEXT NOT NULL,
    blocking                  BOOLEAN NOT NULL,
    status                    TEXT NOT NULL,
    status_reason             TEXT,
    resolution                TEXT,
    solved_at                 TEXT,
    closed_by                 INTEGER,
    closed_at                 TEXT,
    explanation               TEXT,
    explained_by              INTEGER,
    explained_at              TEXT,
    raised_by                 INTEGER,
    version                   INTEGER NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    valid_to                  TEXT NOT NULL
);
CREATE INDEX project_problem_versions_idx ON project_problem_versions (valid_to, updated_at);

CREATE TRIGGER project_problems_versioned_update AFTER UPDATE ON project_problems
    WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO project_problem_versions (
        id, project_id, category, description, unit_id, deadline, blocking, status,
        status_reason, resolution, solved_at, closed_by, closed_at, explanation,
        explained_by, explained_at, raised_by, version, created_at, updated_at, valid_to)
    VALUES (
        OLD.id, OLD.project_id, OLD.category, OLD.description, OLD.unit_id, OLD.deadline,
        OLD.blocking, OLD.status, OLD.status_reason, OLD.resolution, OLD.solved_at,
        OLD.closed_by, OLD.closed_at, OLD.explanation, OLD.explained_by, OLD.explained_at,
        OLD.raised_by, OLD.version, OLD.created_at, OLD.updated_at, NEW.updated_at);
END;

CREATE TRIGGER project_problems_versioned_delete AFTER DELETE ON project_problems
BEGIN
    INSERT INTO project_problem_versions (
        id, project_id, category, description, unit_id, deadline, blocking, status,
        status_reason, resolution, solved_at, closed_by, closed_at, explanation,
        explained_by, explained_at, raised_by, version, created_at, updated_at, valid_to)
    VALUES (
        OLD.id, OLD.project_id, OLD.category, OLD.description, OLD.unit_id, OLD.deadline,
        OLD.blocking, OLD.status, OLD.status_reason, OLD.resolution, OLD.solved_at,
        OLD.closed_by, OLD.closed_at, OLD.explanation, OLD.explained_by, OLD.explained_at,
        OLD.raised_by, OLD.version, OLD.created_at, OLD.updated_at,
        strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;
