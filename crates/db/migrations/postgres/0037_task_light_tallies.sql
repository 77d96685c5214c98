-- Open tasks by light, and closed tasks, per region, for every day on which they changed: a row
-- holds the figures as the lists count them as of its day (each task's status at the day's end,
-- its light of that day) until the next row of its region. A dashboard as of a past day reads,
-- per region, the last row on or before it, where counting the tasks then looks each one up in
-- two histories across a province.
--
-- A task's figure on a day joins its status and its light, each from its own history, so a
-- change to one history moves the figures of every later day in a way only a recount knows.
-- The triggers here only mark the first day that may no longer be counted right (`tally_marks`;
-- a time's day taken as its UTC date less one, whatever the time zone); readers use a day only
-- before a tally's first mark. `db::tallies::recount` counts the days from it again and removes
-- the marks: the housekeeping job after bringing the lights up to date, and a bulk load (the
-- generator, the demo) when it is done. Other tallies by day join `tally_state` with their own
-- row. A mark is only added where no mark as early is there, so writers never wait for each
-- other on it.
--
-- `tally_days` holds each day counted with its end in the time zone the tallies were counted in
-- (`tally_state.time_zone`, NULL until counted); a reader's day must be there with the same end.
-- Kept column-for-column identical to ../sqlite/0037_task_light_tallies.sql (a test checks).

CREATE TABLE task_light_tallies (
    region_id  BIGINT NOT NULL,
    day        DATE NOT NULL,
    red        BIGINT NOT NULL,
    yellow     BIGINT NOT NULL,
    green      BIGINT NOT NULL,
    closed     BIGINT NOT NULL,
    PRIMARY KEY (region_id, day)
);

CREATE TABLE tally_days (
    day     DATE PRIMARY KEY,
    end_at  TIMESTAMPTZ NOT NULL UNIQUE
);

CREATE TABLE tally_state (
    tally      TEXT PRIMARY KEY,
    time_zone  TEXT
);
INSERT INTO tally_state (tally, time_zone) VALUES ('task_lights', NULL);

CREATE TABLE tally_marks (
    tally  TEXT NOT NULL,
    day    DATE NOT NULL
);
CREATE INDEX tally_marks_idx ON tally_marks (tally, day);

-- What a recount looks for: the status changes and lights from a day on.
CREATE INDEX task_events_status_at_idx ON task_events (at) WHERE to_status IS NOT NULL;
CREATE INDEX task_light_history_since_idx ON task_light_history (since);

-- A write that may change the figures from `day` on. Writers share a lock that a recount takes
-- alone: a recount then sees every write that came before it, and every later one marks its
-- days again (a writer finding an earlier mark there would otherwise rely on a recount that
-- cannot see its rows).
CREATE FUNCTION tally_stale(which TEXT, day DATE) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(340037);
    IF NOT EXISTS (SELECT 1 FROM tally_marks m WHERE m.tally = which AND m.day <= tally_stale.day) THEN
        INSERT INTO tally_marks (tally, day) VALUES (which, tally_stale.day);
    END IF;
END
$$;

CREATE FUNCTION tasks_tally_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_stale('task_lights', (OLD.created_at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_stale('task_lights', (NEW.created_at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION task_events_tally_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.to_status IS NOT NULL THEN
        PERFORM tally_stale('task_lights', (OLD.at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.to_status IS NOT NULL THEN
        PERFORM tally_stale('task_lights', (NEW.at AT TIME ZONE 'UTC')::date - 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION task_lights_tally_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_stale('task_lights', OLD.since);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_stale('task_lights', NEW.since);
    END IF;
    RETURN NULL;
END
$$;

-- What the figures read: a task's region and when it was made; a status change's time and
-- status; a light's day and colour (not when the next entry of a history takes over, which is
-- that entry's own write).
CREATE TRIGGER tasks_tally_stale AFTER INSERT OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_tally_stale();
CREATE TRIGGER tasks_tally_stale_update AFTER UPDATE OF region_id, created_at ON tasks
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION tasks_tally_stale();
CREATE TRIGGER task_events_tally_stale AFTER INSERT OR DELETE ON task_events
    FOR EACH ROW EXECUTE FUNCTION task_events_tally_stale();
CREATE TRIGGER task_events_tally_stale_update AFTER UPDATE OF task_id, at, to_status ON task_events
    FOR EACH ROW WHEN (OLD.task_id IS DISTINCT FROM NEW.task_id OR OLD.at IS DISTINCT FROM NEW.at
                       OR OLD.to_status IS DISTINCT FROM NEW.to_status)
    EXECUTE FUNCTION task_events_tally_stale();
CREATE TRIGGER task_lights_tally_stale AFTER INSERT OR DELETE ON task_light_history
    FOR EACH ROW EXECUTE FUNCTION task_lights_tally_stale();
CREATE TRIGGER task_lights_tally_stale_update AFTER UPDATE OF task_id, since, light ON task_light_history
    FOR EACH ROW WHEN (OLD.task_id IS DISTINCT FROM NEW.task_id OR OLD.since IS DISTINCT FROM NEW.since
                       OR OLD.light IS DISTINCT FROM NEW.light)
    EXECUTE FUNCTION task_lights_tally_stale();
