-- The projects counted per region, stage and month of their first entry into the stage (new
-- signings and starts per month), as counted as of each day, kept the way of 0037: a row holds the
-- figure as a list of the stage's first entries counts it as of its day (the project as it stood
-- at the day's end, its first entry recorded by then) until the next row of its region, stage
-- and month. A dashboard as of a past day reads, per region and month of its year, the last row
-- on or before it, where counting reads every entry of the year and each one's project.
--
-- Kept for the stages the dashboard shows (signed, started). Triggers mark the tally's days
-- from every write that may change a figure: a project's region, or whether it
-- counts, changed or moved back in time; a version kept or removed; an entry recorded, removed
-- or moved. `db::tallies::recount` counts them again.
-- Kept column-for-column identical to ../postgres/0038_entry_tallies.sql (a test checks).

CREATE TABLE project_entry_tallies (
    region_id  INTEGER NOT NULL,
    stage      TEXT NOT NULL,
    month      TEXT NOT NULL,
    day        TEXT NOT NULL,
    projects   INTEGER NOT NULL,
    PRIMARY KEY (region_id, stage, month, day)
) WITHOUT ROWID;
INSERT INTO tally_state (tally, time_zone) VALUES ('project_entries', NULL);

-- What a recount looks for: the entries recorded from a day on.
CREATE INDEX project_stages_at_idx ON project_stages (at) WHERE stage IN ('signed', 'started');

-- A project's row written anew moves what is counted from its `updated_at` on (moved forward,
-- the version kept of it holds the old row until then); a row removed, from when it was written.
-- A version kept by a write (0017's trigger, the only writer of versions outside a bulk load into
-- an empty database, which is counted whole) changes what is counted from its end: before it, the
-- row was the project's current one. One removed or changed, from its beginning. Times are RFC
-- 3339 text in UTC.
CREATE TRIGGER projects_entry_stale_insert AFTER INSERT ON projects
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(NEW.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(NEW.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_entry_stale_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(OLD.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(OLD.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_entry_stale_update AFTER UPDATE ON projects
    WHEN OLD.region_id IS NOT NEW.region_id OR OLD.duplicate_of IS NOT NEW.duplicate_of
      OR OLD.withdrawn_at IS NOT NEW.withdrawn_at OR NEW.updated_at < OLD.updated_at
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(NEW.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(NEW.updated_at, '-1 day'));
END;

CREATE TRIGGER project_versions_entry_stale_insert AFTER INSERT ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(NEW.valid_to, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(NEW.valid_to, '-1 day'));
END;

CREATE TRIGGER project_versions_entry_stale_delete AFTER DELETE ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(min(OLD.updated_at, OLD.valid_to), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(min(OLD.updated_at, OLD.valid_to), '-1 day'));
END;

CREATE TRIGGER project_versions_entry_stale_update AFTER UPDATE ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day')));
END;

CREATE TRIGGER project_stages_entry_stale_insert AFTER INSERT ON project_stages
    WHEN NEW.stage IN ('signed', 'started')
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(min(NEW.at, COALESCE(NEW.first_until, NEW.at)), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(min(NEW.at, COALESCE(NEW.first_until, NEW.at)), '-1 day'));
END;

CREATE TRIGGER project_stages_entry_stale_delete AFTER DELETE ON project_stages
    WHEN OLD.stage IN ('signed', 'started')
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', date(min(OLD.at, COALESCE(OLD.first_until, OLD.at)), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= date(min(OLD.at, COALESCE(OLD.first_until, OLD.at)), '-1 day'));
END;

CREATE TRIGGER project_stages_entry_stale_update AFTER UPDATE ON project_stages
    WHEN (OLD.project_id IS NOT NEW.project_id OR OLD.stage IS NOT NEW.stage
          OR OLD.on_date IS NOT NEW.on_date OR OLD.at IS NOT NEW.at
          OR OLD.first_until IS NOT NEW.first_until)
     AND (OLD.stage IN ('signed', 'started') OR NEW.stage IN ('signed', 'started'))
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_entries', min(date(min(OLD.at, COALESCE(OLD.first_until, OLD.at)), '-1 day'), date(min(NEW.at, COALESCE(NEW.first_until, NEW.at)), '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_entries' AND day <= min(date(min(OLD.at, COALESCE(OLD.first_until, OLD.at)), '-1 day'), date(min(NEW.at, COALESCE(NEW.first_until, NEW.at)), '-1 day')));
END;
