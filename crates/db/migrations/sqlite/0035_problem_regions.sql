-- Each problem (and each version of one) keeps its project's region, so that a problem's figures
-- as of a past day (the dashboard's problems by light, the overdue ones) read the problems and
-- their versions alone, not each joined to its project's row or version then: a province's
-- problems by light took four arms, each reading most of its 300,000 projects or their versions.
-- A problem takes its project's region when it is raised; a project moved to another region
-- takes its problems with it, each written anew from that instant (a version kept of it before).
-- Kept column-for-column identical to ../postgres/0035_problem_regions.sql (a test checks).

ALTER TABLE project_problems ADD COLUMN region_id INTEGER;
ALTER TABLE project_problem_versions ADD COLUMN region_id INTEGER;

CREATE INDEX project_versions_id_idx ON project_versions (id, valid_to);

-- A problem: its project's region now. A version: its project's region when the version began.
-- (A project moved before this migration left no mark on its problems, so a problem last
-- written before its project moved counts where the project is now for the days between.)
UPDATE project_problems SET region_id = p.region_id FROM projects p
WHERE p.id = project_problems.project_id;
UPDATE project_problem_versions SET region_id = pv.region_id FROM project_versions pv
WHERE pv.id = project_problem_versions.project_id
  AND pv.updated_at <= project_problem_versions.updated_at
  AND pv.valid_to > project_problem_versions.updated_at;
UPDATE project_problem_versions SET region_id = p.region_id FROM projects p
WHERE project_problem_versions.region_id IS NULL AND p.id = project_problem_versions.project_id;

CREATE INDEX project_problems_region_idx ON project_problems (region_id, updated_at);
CREATE INDEX project_problem_versions_region_idx
    ON project_problem_versions (region_id, valid_to, updated_at);
-- A page's problems read as of a day, with their projects, by id.
CREATE INDEX project_problem_versions_id_idx ON project_problem_versions (id, valid_to);

CREATE TRIGGER project_problems_region AFTER INSERT ON project_problems
    WHEN NEW.region_id IS NULL
BEGIN
    UPDATE project_problems SET region_id = (SELECT region_id FROM projects WHERE id = NEW.project_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER projects_move_problems AFTER UPDATE ON projects
    WHEN OLD.region_id IS NOT NEW.region_id
BEGIN
    UPDATE project_problems SET region_id = NEW.region_id, updated_at = NEW.updated_at
    WHERE project_id = NEW.id;
END;

-- Versions keep the region too.
DROP TRIGGER project_problems_versioned_update;
CREATE TRIGGER project_problems_versioned_update AFTER UPDATE ON project_problems
    WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO project_problem_versions (
        id, project_id, category, description, unit_id, deadline, blocking, status,
        status_reason, resolution, solved_at, closed_by, closed_at, explanation,
        explained_by, explained_at, raised_by, version, created_at, updated_at, region_id,
        valid_to)
    VALUES (
        OLD.id, OLD.project_id, OLD.category, OLD.description, OLD.unit_id, OLD.deadline,
        OLD.blocking, OLD.status, OLD.status_reason, OLD.resolution, OLD.solved_at,
        OLD.closed_by, OLD.closed_at, OLD.explanation, OLD.explained_by, OLD.explained_at,
        OLD.raised_by, OLD.version, OLD.created_at, OLD.updated_at, OLD.region_id,
        NEW.updated_at);
END;

DROP TRIGGER project_problems_versioned_delete;
CREATE TRIGGER project_problems_versioned_delete AFTER DELETE ON project_problems
BEGIN
    INSERT INTO project_problem_versions (
        id, project_id, category, description, unit_id, deadline, blocking, status,
        status_reason, resolution, solved_at, closed_by, closed_at, explanation,
        explained_by, explained_at, raised_by, version, created_at, updated_at, region_id,
        valid_to)
    VALUES (
        OLD.id, OLD.project_id, OLD.category, OLD.description, OLD.unit_id, OLD.deadline,
        OLD.blocking, OLD.status, OLD.status_reason, OLD.resolution, OLD.solved_at,
        OLD.closed_by, OLD.closed_at, OLD.explanation, OLD.explained_by, OLD.explained_at,
        OLD.raised_by, OLD.version, OLD.created_at, OLD.updated_at, OLD.region_id,
        strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;
