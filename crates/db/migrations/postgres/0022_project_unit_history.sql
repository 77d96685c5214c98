-- The other responsible units of a project as they stood, so that a dashboard or a list as of a
-- past day filtered by a unit counts the projects that unit shared then. Whenever a write moves a
-- project's `updated_at` (0017 keeps the row's version), its other units until then are copied
-- here, keyed by the version's `updated_at`: every write of a project's units also writes the
-- project, first, so the units copied are the old version's. Kept column-for-column identical to
-- ../sqlite/0022_project_unit_history.sql (a test checks).

CREATE TABLE project_unit_versions (
    project_id  BIGINT NOT NULL,
    unit_id     BIGINT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    valid_to    TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_unit_versions_unit_idx ON project_unit_versions (unit_id, valid_to);

CREATE FUNCTION project_units_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_unit_versions (project_id, unit_id, updated_at, valid_to)
    SELECT project_id, unit_id, OLD.updated_at, NEW.updated_at
    FROM project_units WHERE project_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_units_versioned AFTER UPDATE ON projects FOR EACH ROW
    WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION project_units_keep_version();
