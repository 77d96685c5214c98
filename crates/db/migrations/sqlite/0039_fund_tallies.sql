-- Funds in place per region and month received, total and verified, as counted as of each day,
-- kept the way of 0037: a row holds the sums as the list of funds counts them as of its day (the
-- fund recorded and not taken back by the day's end, its evidence on file by then, its project as
-- it stood then and counted) until the next row of its region and month. A dashboard as of a past
-- day reads, per region and month of its year, the last row on or before it, where summing reads
-- every fund of the year, its project and its files.
--
-- Triggers lower the tally's `stale_from` on every write that may change a sum: a fund recorded,
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
INSERT INTO tally_state (tally, time_zone, stale_from) VALUES ('project_funds', NULL, NULL);

-- As 0038's: a version kept by a write changes what is counted from its end; one removed or
-- changed, from its beginning. Times are RFC 3339 text in UTC.
CREATE TRIGGER project_funds_fund_stale_insert AFTER INSERT ON project_funds
BEGIN
    UPDATE tally_state SET stale_from = date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day'));
END;

CREATE TRIGGER project_funds_fund_stale_delete AFTER DELETE ON project_funds
BEGIN
    UPDATE tally_state SET stale_from = date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'));
END;

CREATE TRIGGER project_funds_fund_stale_update AFTER UPDATE ON project_funds
BEGIN
    UPDATE tally_state SET stale_from = min(date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'), date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day'))
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > min(date(min(OLD.created_at, COALESCE(OLD.removed_at, OLD.created_at), COALESCE(OLD.origin_verified_at, OLD.created_at)), '-1 day'), date(min(NEW.created_at, COALESCE(NEW.removed_at, NEW.created_at), COALESCE(NEW.origin_verified_at, NEW.created_at)), '-1 day')));
END;

CREATE TRIGGER project_files_fund_stale_insert AFTER INSERT ON project_files
    WHEN NEW.fund_id IS NOT NULL
BEGIN
    UPDATE tally_state SET stale_from = date(NEW.created_at, '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(NEW.created_at, '-1 day'));
END;

CREATE TRIGGER project_files_fund_stale_delete AFTER DELETE ON project_files
    WHEN OLD.fund_id IS NOT NULL
BEGIN
    UPDATE tally_state SET stale_from = date(OLD.created_at, '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(OLD.created_at, '-1 day'));
END;

CREATE TRIGGER project_files_fund_stale_update AFTER UPDATE ON project_files
    WHEN (OLD.fund_id IS NOT NEW.fund_id OR OLD.created_at IS NOT NEW.created_at)
     AND (OLD.fund_id IS NOT NULL OR NEW.fund_id IS NOT NULL)
BEGIN
    UPDATE tally_state SET stale_from = min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day'))
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day')));
END;

CREATE TRIGGER projects_fund_stale_insert AFTER INSERT ON projects
BEGIN
    UPDATE tally_state SET stale_from = date(NEW.updated_at, '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(NEW.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_fund_stale_delete AFTER DELETE ON projects
BEGIN
    UPDATE tally_state SET stale_from = date(OLD.updated_at, '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(OLD.updated_at, '-1 day'));
END;

CREATE TRIGGER projects_fund_stale_update AFTER UPDATE ON projects
    WHEN OLD.region_id IS NOT NEW.region_id OR OLD.duplicate_of IS NOT NEW.duplicate_of
      OR OLD.withdrawn_at IS NOT NEW.withdrawn_at OR NEW.updated_at < OLD.updated_at
BEGIN
    UPDATE tally_state SET stale_from = min(date(OLD.updated_at, '-1 day'), date(NEW.updated_at, '-1 day'))
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > min(date(OLD.updated_at, '-1 day'), date(NEW.updated_at, '-1 day')));
END;

CREATE TRIGGER project_versions_fund_stale_insert AFTER INSERT ON project_versions
BEGIN
    UPDATE tally_state SET stale_from = date(NEW.valid_to, '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(NEW.valid_to, '-1 day'));
END;

CREATE TRIGGER project_versions_fund_stale_delete AFTER DELETE ON project_versions
BEGIN
    UPDATE tally_state SET stale_from = date(min(OLD.updated_at, OLD.valid_to), '-1 day')
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > date(min(OLD.updated_at, OLD.valid_to), '-1 day'));
END;

CREATE TRIGGER project_versions_fund_stale_update AFTER UPDATE ON project_versions
BEGIN
    UPDATE tally_state SET stale_from = min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day'))
        WHERE tally = 'project_funds' AND (stale_from IS NULL OR stale_from > min(date(min(OLD.updated_at, OLD.valid_to), '-1 day'), date(min(NEW.updated_at, NEW.valid_to), '-1 day')));
END;
