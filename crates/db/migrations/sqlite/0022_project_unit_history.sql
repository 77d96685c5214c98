-- The other responsible units of a project as they stood, so that a dashboard or a list as of a
-- past day filtered by a unit counts the projects that unit shared then. Whenever a write moves a
-- project's `updated_at` (0017 keeps the row's version), its other units until then are copied
-- here, keyed by the version's `updated_at`: every write of a project's units also writes the
-- project, first, so the units copied are the old version's. Kept column-for-column identical to
-- ../postgres/0022_project_unit_history.sql (a test checks).

CREATE TABLE project_unit_versions (
    project_id  INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    valid_to    TEXT NOT NULL
);
CREATE INDEX project_unit_versions_unit_idx ON project_unit_versions (unit_id, valid_to);

CREATE TRIGGER project_units_versioned AFTER UPDATE ON projects
    WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO project_unit_versions (project_id, unit_id, updated_at, valid_to)
    SELECT project_id, unit_id, OLD.updated_at, NEW.updated_at
    FROM project_units WHERE project_id = OLD.id;
END;
