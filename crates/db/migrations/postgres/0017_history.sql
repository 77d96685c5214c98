-- Earlier versions of projects and of their problems, so that lists (and every figure
-- counted from them) can be read as of a past day: each row is a project or a problem as it
-- stood from its `updated_at` until `valid_to`, when a write that moved `updated_at` replaced it
-- (or it was removed). Kept by triggers, so every write is covered whatever code makes it.
-- Kept column-for-column identical to ../sqlite/0017_history.sql (a test checks).

CREATE TABLE project_versions (
    id                        BIGINT NOT NULL,
    region_id                 BIGINT NOT NULL,
    unit_id                   BIGINT NOT NULL,
    name                      TEXT NOT NULL,
    search                    TEXT NOT NULL,
    investor_id               BIGINT,
    industry_section          TEXT,
    industry_division         TEXT,
    key_industry              TEXT,
    location_unit_id          BIGINT,
    first_unit_id             BIGINT,
    introducer                TEXT,
    introducer_civil_servant  BOOLEAN NOT NULL,
    owner_leader_id           BIGINT,
    owner_override            TEXT,
    agent_id                  BIGINT,
    team                      TEXT,
    total_investment          BIGINT NOT NULL,
    outside_investment        BIGINT NOT NULL,
    first_phase_investment    BIGINT,
    land_mu_x100              BIGINT,
    contract_amount           BIGINT,
    project_credit_code       TEXT,
    national_code             TEXT,
    stage                     TEXT NOT NULL,
    stage_on                  DATE NOT NULL,
    paused_from               TEXT,
    signed_on                 DATE,
    is_major                  BOOLEAN NOT NULL,
    duplicate_of              BIGINT,
    version                   BIGINT NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    segment_id                BIGINT,
    land_on                   DATE,
    origin                    TEXT,
    valid_to                  TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_versions_idx ON project_versions (valid_to, updated_at);

CREATE FUNCTION projects_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
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
        OLD.land_on, OLD.origin,
        CASE WHEN TG_OP = 'UPDATE' THEN NEW.updated_at ELSE clock_timestamp() END);
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_versioned_update AFTER UPDATE ON projects FOR EACH ROW
    WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION projects_keep_version();
CREATE TRIGGER projects_versioned_delete AFTER DELETE ON projects FOR EACH ROW
    EXECUTE FUNCTION projects_keep_version();

CREATE TABLE project_problem_versions (
    id                        BIGINT NOT NULL,
    project_id                BIGINT NOT NULL,
    category                  TEXT NOT NULL,
    description               TEXT NOT NULL,
    unit_id                   BIGINT NOT NULL,
    deadline                  DATE NOT NULL,
    blocking                  BOOLEAN NOT NULL,
    status                    TEXT NOT NULL,
    status_reason             TEXT,
    resolution                TEXT,
    solved_at                 TIMESTAMPTZ,
    closed_by                 BIGINT,
    closed_at                 TIMESTAMPTZ,
    explanation               TEXT,
    explained_by              BIGINT,
    explained_at              TIMESTAMPTZ,
    raised_by                 BIGINT,
    version                   BIGINT NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    valid_to                  TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_problem_versions_idx ON project_problem_versions (valid_to, updated_at);

CREATE FUNCTION project_problems_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
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
        CASE WHEN TG_OP = 'UPDATE' THEN NEW.updated_at ELSE clock_timestamp() END);
    RETURN NULL;
END
$$;
CREATE TRIGGER project_problems_versioned_update AFTER UPDATE ON project_problems FOR EACH ROW
    WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION project_problems_keep_version();
CREATE TRIGGER project_problems_versioned_delete AFTER DELETE ON project_problems FOR EACH ROW
    EXECUTE FUNCTION project_problems_keep_version();
