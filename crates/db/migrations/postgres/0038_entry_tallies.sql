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
-- Kept column-for-column identical to ../sqlite/0038_entry_tallies.sql (a test checks).

CREATE TABLE project_entry_tallies (
    region_id  BIGINT NOT NULL,
    stage      TEXT NOT NULL,
    month      TEXT NOT NULL,
    day        DATE NOT NULL,
    projects   BIGINT NOT NULL,
    PRIMARY KEY (region_id, stage, month, day)
);
INSERT INTO tally_state (tally, time_zone) VALUES ('project_entries', NULL);

-- What a recount looks for: the entries recorded from a day on.
CREATE INDEX project_stages_at_idx ON project_stages (at) WHERE stage IN ('signed', 'started');

-- A project's row written anew moves what is counted from its `updated_at` on (moved forward,
-- the version kept of it holds the old row until then); a row removed, from when it was written.
-- The tally a trigger marks is its argument: 0039's funds use the same two functions.
CREATE FUNCTION projects_tally_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_stale(TG_ARGV[0], (OLD.updated_at AT TIME ZONE 'UTC')::date - 1);
    ELSE
        PERFORM tally_stale(TG_ARGV[0], (NEW.updated_at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

-- A version kept by a write (0017's trigger, the only writer of versions outside a bulk load into
-- an empty database, which is counted whole) changes what is counted from its end: before it, the
-- row was the project's current one. One removed or changed, from its beginning.
CREATE FUNCTION project_versions_tally_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_stale(TG_ARGV[0],
            (LEAST(OLD.updated_at, OLD.valid_to) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM tally_stale(TG_ARGV[0], (NEW.valid_to AT TIME ZONE 'UTC')::date - 1);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tally_stale(TG_ARGV[0],
            (LEAST(NEW.updated_at, NEW.valid_to) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION project_stages_entry_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.stage IN ('signed', 'started') THEN
        PERFORM tally_stale('project_entries',
            (LEAST(OLD.at, OLD.first_until) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.stage IN ('signed', 'started') THEN
        PERFORM tally_stale('project_entries',
            (LEAST(NEW.at, NEW.first_until) AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER projects_entry_stale AFTER INSERT OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_tally_stale('project_entries');
CREATE TRIGGER projects_entry_stale_update AFTER UPDATE ON projects
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
                       OR OLD.duplicate_of IS DISTINCT FROM NEW.duplicate_of
                       OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at
                       OR NEW.updated_at < OLD.updated_at)
    EXECUTE FUNCTION projects_tally_stale('project_entries');
CREATE TRIGGER project_versions_entry_stale AFTER INSERT OR DELETE OR UPDATE ON project_versions
    FOR EACH ROW EXECUTE FUNCTION project_versions_tally_stale('project_entries');
CREATE TRIGGER project_stages_entry_stale AFTER INSERT OR DELETE ON project_stages
    FOR EACH ROW EXECUTE FUNCTION project_stages_entry_stale();
CREATE TRIGGER project_stages_entry_stale_update AFTER UPDATE ON project_stages
    FOR EACH ROW WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id
                       OR OLD.stage IS DISTINCT FROM NEW.stage
                       OR OLD.on_date IS DISTINCT FROM NEW.on_date
                       OR OLD.at IS DISTINCT FROM NEW.at
                       OR OLD.first_until IS DISTINCT FROM NEW.first_until)
    EXECUTE FUNCTION project_stages_entry_stale();
