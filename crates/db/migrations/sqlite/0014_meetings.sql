-- Weekly scheduling meetings (每周调度会, M14): the meeting, its agenda as generated when it was
-- created, who attended, and its decisions with the task or problem each became. Kept
-- column-for-column identical to ../postgres/0014_meetings.sql (a test checks).

CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    -- The county holding it.
    region_id   INTEGER NOT NULL REFERENCES regions (id),
    held_on     TEXT NOT NULL,
    title       TEXT NOT NULL,
    place       TEXT,
    chair       TEXT,
    -- The agenda covers what happened from this day (the county's last meeting) on.
    since       TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX meetings_region_idx ON meetings (region_id, held_on);

CREATE TABLE meeting_agenda (
    id                INTEGER PRIMARY KEY,
    meeting_id        INTEGER NOT NULL REFERENCES meetings (id),
    seq               INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('stalled_project', 'overdue_problem',
                      'late_approval', 'new_problem')),
    project_id        INTEGER NOT NULL REFERENCES projects (id),
    problem_id        INTEGER REFERENCES project_problems (id),
    approval_item_id  INTEGER REFERENCES approval_items (id),
    -- As they stood on the day.
    subject           TEXT NOT NULL,
    unit_name         TEXT NOT NULL,
    days              INTEGER NOT NULL
);
CREATE INDEX meeting_agenda_meeting_idx ON meeting_agenda (meeting_id, seq);

CREATE TABLE meeting_attendees (
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    status      TEXT NOT NULL CHECK (status IN ('present', 'leave')),
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE meeting_decisions (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    text        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('task', 'problem')),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    deadline    TEXT NOT NULL,
    project_id  INTEGER REFERENCES projects (id),
    task_id     INTEGER REFERENCES tasks (id),
    problem_id  INTEGER REFERENCES project_problems (id),
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX meeting_decisions_meeting_idx ON meeting_decisions (meeting_id, id);
