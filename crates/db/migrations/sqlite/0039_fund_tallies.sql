-- Funds in place per region and month received, total and verified, as counted as of each day,
-- kept the way of 0037: a row holds the sums as the list of funds counts them as of its day (the
-- fund recorded and not taken back by the day's end, its evidence on file by then, its project as
-- it stood then and counted) until the next row of its region and month. A dashboard as of a past
-- day reads, per region and month of its year, the last row on or before it, where summing reads
-- every fund of the year, its project and its files.
--
-- Triggers mark the tally's days from every write that may change a sum: a fund recorded,
-- taken back, verified at its origin or changed; a file of a fund kept or removed; a project's
-- region, or whether it counts, changed or moved back in time; a version kept or removed.
-- `db::tallies::recount` counts them again.
-- Kept column-for-column identical to ../postgres/0039_fund_tallies.sql (a test checks).

CREATE TABLE fund_tallies (
    region_id  INTEGER NOT NULL,
    month      TEXT NOT NULL,
    day        TEXT NOT NULL,
    total      INTEGER NOT NULL,
    verified   INTEGER NOT NULL,
    PRIMARY KEY (region_id, month, day)
) WITHOUT ROWID;
INSERT INTO tally_state (tally, time_zone) VALUES ('project_funds', NULL);

-- A project's row written anew moves what is counted from its `updated_at` on (moved forward,
-- the version kept of it holds the old row until then); a row removed, from when it was written.
-- A version kept by a write (0017's trigger, the only writer of versions outside a bulk load into
-- an empty database, which is counted whole) changes what is counted from its end: before it, the
-- row was the project's current one. One removed or changed, from its beginning. Times are RFC
-- 3339 text in UTC.
CREATE TRIGGER project_funds_fund_stale_insert AFTER INSERT ON project_funds
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day'));
END;

CREATE TRIGGER project_funds_fund_stale_delete AFTER DELETE ON project_funds
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'));
END;

CREATE TRIGGER project_funds_fund_stale_update AFTER UPDATE ON project_funds
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', min(date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'), date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= min(date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'), date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day')));
END;

CREATE TRIGGER project_files_fund_stale_insert AFTER INSERT ON project_files
    WHEN NEW.fund_id IS NOT NULL
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(NEW.created_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(NEW.created_at, '-1 day'));
END;

CREATE TRIGGER project_files_fund_stale_delete AFTER DELETE ON project_files
    WHEN OLD.fund_id IS NOT NULL
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(OLD.created_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(OLD.created_at, '-1 day'));
END;

CREATE TRIGGER project_files_fund_stale_update AFTER UPDATE ON project_files
    WHEN (OLD.fund_id IS NOT NEW.fund_id OR OLD.created_at IS NOT NEW.created_at)
     AND (OLD.fund_id IS NOT NULL OR NEW.fund_id IS NOT NULL)
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day')));
END;

CREATE TRIGGER projects_fund_stale_insert AFTER INSERT ON projects
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(NEW.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(NEW.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_fund_stale_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(OLD.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(OLD.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_fund_stale_update AFTER UPDATE ON projects
    WHEN OLD.region_id IS NOT NEW.region_id OR OLD.duplicate_of IS NOT NEW.duplicate_of
      OR OLD.withdrawn_at IS NOT NEW.withdrawn_at OR NEW.updated_at < OLD.updated_at
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(NEW.updated_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(NEW.updated_at, '-1 day'));
END;

CREATE TRIGGER project_versions_fund_stale_insert AFTER INSERT ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(NEW.valid_to, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(NEW.valid_to, '-1 day'));
END;

CREATE TRIGGER project_versions_fund_stale_delete AFTER DELETE ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', date(min(OLD.updated_at, OLD.valid_to), '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= date(min(OLD.updated_at, OLD.valid_to), '-1 day'));
END;

CREATE TRIGGER project_versions_fund_stale_update AFTER UPDATE ON project_versions
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'project_funds', min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'project_funds' AND day <= min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day')));
END;
