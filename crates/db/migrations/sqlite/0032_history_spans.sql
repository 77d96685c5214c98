-- Each entry of a task's three histories (status events, approved deadline changes, light) knows
-- when the next one took over: `status_until`, `approved_until`, `until` (NULL while it is the
-- latest). A task as of a past instant is then a join on each history's one entry in force then
-- (`at < end AND (status_until IS NULL OR status_until >= end)`), which the planner serves by
-- hashing a history across a province, or by the task's index across a county, instead of one
-- sorted lookup per task and history. `db::tasks::History::span` keeps them on every write.
-- Kept column-for-column identical to ../postgres/0032_history_spans.sql (a test checks).

ALTER TABLE task_events ADD COLUMN status_until TEXT;
ALTER TABLE task_deadline_changes ADD COLUMN approved_until TEXT;
ALTER TABLE task_light_history ADD COLUMN until TEXT;

UPDATE task_events SET status_until = (SELECT MIN(n.at) FROM task_events n
    WHERE n.task_id = task_events.task_id AND n.to_status IS NOT NULL
    AND (n.at > task_events.at OR (n.at = task_events.at AND n.id > task_events.id)))
WHERE to_status IS NOT NULL;

UPDATE task_deadline_changes SET approved_until = (SELECT MIN(n.decided_at)
    FROM task_deadline_changes n
    WHERE n.task_id = task_deadline_changes.task_id AND n.status = 'approved'
    AND (n.decided_at > task_deadline_changes.decided_at
         OR (n.decided_at = task_deadline_changes.decided_at AND n.id > task_deadline_changes.id)))
WHERE status = 'approved';

UPDATE task_light_history SET until = (SELECT MIN(n.since) FROM task_light_history n
    WHERE n.task_id = task_light_history.task_id AND n.since > task_light_history.since);
