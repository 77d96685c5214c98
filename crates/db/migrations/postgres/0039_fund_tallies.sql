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
-- Kept column-for-column identical to ../sqlite/0039_fund_tallies.sql (a test checks).

CREATE TABLE fund_tallies (
    region_id  BIGINT NOT NULL,
    month      TEXT NOT NULL,
    day        DATE NOT NULL,
    total      BIGINT NOT NULL,
    verified   BIGINT NOT NULL,
    PRIMARY KEY (region_id, month, day)
);
INSERT INTO tally_state (tally, time_zone) VALUES ('project_funds', NULL);

CREATE FUNCTION project_funds_fund_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_stale('project_funds',
            (LEAST(OLD.created_at, OLD.removed_at, OLD.origin_verified_at) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_stale('project_funds',
            (LEAST(NEW.created_at, NEW.removed_at, NEW.origin_verified_at) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION project_files_fund_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.fund_id IS NOT NULL THEN
        PERFORM tally_stale('project_funds', (OLD.created_at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.fund_id IS NOT NULL THEN
        PERFORM tally_stale('project_funds', (NEW.created_at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER project_funds_fund_stale AFTER INSERT OR DELETE OR UPDATE ON project_funds
    FOR EACH ROW EXECUTE FUNCTION project_funds_fund_stale();
CREATE TRIGGER project_files_fund_stale AFTER INSERT OR DELETE ON project_files
    FOR EACH ROW EXECUTE FUNCTION project_files_fund_stale();
CREATE TRIGGER project_files_fund_stale_update AFTER UPDATE ON project_files
    FOR EACH ROW WHEN (OLD.fund_id IS DISTINCT FROM NEW.fund_id
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION project_files_fund_stale();
-- A project's row, and its versions, mark the funds as they mark the signings (0038's functions).
CREATE TRIGGER projects_fund_stale AFTER INSERT OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_tally_stale('project_funds');
CREATE TRIGGER projects_fund_stale_update AFTER UPDATE ON projects
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
                       OR OLD.duplicate_of IS DISTINCT FROM NEW.duplicate_of
                       OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at
                       OR NEW.updated_at < OLD.updated_at)
    EXECUTE FUNCTION projects_tally_stale('project_funds');
CREATE TRIGGER project_versions_fund_stale AFTER INSERT OR DELETE OR UPDATE ON project_versions
    FOR EACH ROW EXECUTE FUNCTION project_versions_tally_stale('project_funds');
