-- Following a task up: written explanations (书面说明) asked of its lead units, and deadline
-- changes (调整/延期) that wait for the supervisor's approval. Reminders (催办) and instructions
-- (批示) are timeline events. Kept column-for-column identical to ../postgres/0003_task_follow_up.sql.

CREATE TABLE task_explanations (
    id              INTEGER PRIMARY KEY,
    task_id         INTEGER NOT NULL REFERENCES tasks (id),
    reason          TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    requested_by    INTEGER REFERENCES users (id),
    requested_at    TEXT NOT NULL,
    text            TEXT,
    submitted_by    INTEGER REFERENCES users (id),
    submitted_at    TEXT,
    status          TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'submitted', 'accepted', 'returned')),
    reviewed_by     INTEGER REFERENCES users (id),
    reviewed_at     TEXT,
    review_comment  TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX task_explanations_task_idx ON task_explanations (task_id, id);
CREATE INDEX task_explanations_status_idx ON task_explanations (status, task_id);

CREATE TABLE task_deadline_changes (
    id                INTEGER PRIMARY KEY,
    task_id           INTEGER NOT NULL REFERENCES tasks (id),
    old_deadline      TEXT,
    new_deadline      TEXT NOT NULL,
    reason            TEXT NOT NULL,
    requested_by      INTEGER REFERENCES users (id),
    requested_at      TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by        INTEGER REFERENCES users (id),
    decided_at        TEXT,
    decision_comment  TEXT
);
CREATE INDEX task_deadline_changes_task_idx ON task_deadline_changes (task_id, id);
-- At most one request waits per task.
CREATE UNIQUE INDEX task_deadline_changes_pending_key ON task_deadline_changes (task_id) WHERE status = 'pending';

-- Status history for "as of" lists is read from the timeline.
CREATE INDEX task_events_status_idx ON task_events (task_id, at) WHERE to_status IS NOT NULL;
