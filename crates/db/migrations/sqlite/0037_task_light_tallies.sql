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
-- Kept column-for-column identical to ../postgres/0037_task_light_tallies.sql (a test checks).

CREATE TABLE task_light_tallies (
    region_id  INTEGER NOT NULL,
    day        TEXT NOT NULL,
    red        INTEGER NOT NULL,
    yellow     INTEGER NOT NULL,
    green      INTEGER NOT NULL,
    closed     INTEGER NOT NULL,
    PRIMARY KEY (region_id, day)
) WITHOUT ROWID;

CREATE TABLE tally_days (
    day     TEXT PRIMARY KEY,
    end_at  TEXT NOT NULL UNIQUE
) WITHOUT ROWID;

CREATE TABLE tally_state (
    tally      TEXT PRIMARY KEY,
    time_zone  TEXT
) WITHOUT ROWID;
INSERT INTO tally_state (tally, time_zone) VALUES ('task_lights', NULL);

CREATE TABLE tally_marks (
    tally  TEXT NOT NULL,
    day    TEXT NOT NULL
);
CREATE INDEX tally_marks_idx ON tally_marks (tally, day);

-- What a recount looks for: the status changes and lights from a day on.
CREATE INDEX task_events_status_at_idx ON task_events (at) WHERE to_status IS NOT NULL;
CREATE INDEX task_light_history_since_idx ON task_light_history (since);

-- What the figures read: a task's region and when it was made; a status change's time and
-- status; a light's day and colour (not when the next entry of a history takes over, which is
-- that entry's own write). Times are RFC 3339 text in UTC. SQLite has one writer at a time, so a
-- recount sees every write before it.
CREATE TRIGGER tasks_tally_stale_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', date(NEW.created_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= date(NEW.created_at, '-1 day'));
END;

CREATE TRIGGER tasks_tally_stale_delete AFTER DELETE ON tasks
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', date(OLD.created_at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= date(OLD.created_at, '-1 day'));
END;

CREATE TRIGGER tasks_tally_stale_update AFTER UPDATE OF region_id, created_at ON tasks
    WHEN OLD.region_id IS NOT NEW.region_id OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= min(date(OLD.created_at, '-1 day'), date(NEW.created_at, '-1 day')));
END;

CREATE TRIGGER task_events_tally_stale_insert AFTER INSERT ON task_events
    WHEN NEW.to_status IS NOT NULL
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', date(NEW.at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= date(NEW.at, '-1 day'));
END;

CREATE TRIGGER task_events_tally_stale_delete AFTER DELETE ON task_events
    WHEN OLD.to_status IS NOT NULL
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', date(OLD.at, '-1 day')
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= date(OLD.at, '-1 day'));
END;

CREATE TRIGGER task_events_tally_stale_update AFTER UPDATE OF task_id, at, to_status ON task_events
    WHEN (OLD.task_id IS NOT NEW.task_id OR OLD.at IS NOT NEW.at OR OLD.to_status IS NOT NEW.to_status)
     AND (OLD.to_status IS NOT NULL OR NEW.to_status IS NOT NULL)
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', min(date(OLD.at, '-1 day'), date(NEW.at, '-1 day'))
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= min(date(OLD.at, '-1 day'), date(NEW.at, '-1 day')));
END;

CREATE TRIGGER task_lights_tally_stale_insert AFTER INSERT ON task_light_history
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', NEW.since
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= NEW.since);
END;

CREATE TRIGGER task_lights_tally_stale_delete AFTER DELETE ON task_light_history
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', OLD.since
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= OLD.since);
END;

CREATE TRIGGER task_lights_tally_stale_update AFTER UPDATE OF task_id, since, light ON task_light_history
    WHEN OLD.task_id IS NOT NEW.task_id OR OLD.since IS NOT NEW.since OR OLD.light IS NOT NEW.light
BEGIN
    INSERT INTO tally_marks (tally, day) SELECT 'task_lights', min(OLD.since, NEW.since)
        WHERE NOT EXISTS (SELECT 1 FROM tally_marks WHERE tally = 'task_lights' AND day <= min(OLD.since, NEW.since));
END;
