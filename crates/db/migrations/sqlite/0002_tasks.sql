-- Policy supervision: policies and their clauses, tasks with their units, leaders, indicators,
-- periodic reports, a timeline of events, light history and evidence files.
-- Kept column-for-column identical to ../postgres/0002_tasks.sql (a test checks).

CREATE TABLE policies (
    id           INTEGER PRIMARY KEY,
    region_id    INTEGER NOT NULL REFERENCES regions (id),
    title        TEXT NOT NULL,
    issuer       TEXT,
    doc_number   TEXT,
    issued_on    TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
    source_text  TEXT NOT NULL,
    is_public    BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX policies_region_idx ON policies (region_id, issued_on);

CREATE TABLE policy_clauses (
    id              INTEGER PRIMARY KEY,
    policy_id       INTEGER NOT NULL REFERENCES policies (id),
    position        INTEGER NOT NULL,
    chapter_number  TEXT NOT NULL DEFAULT '',
    chapter_title   TEXT NOT NULL DEFAULT '',
    number          TEXT NOT NULL,
    title           TEXT NOT NULL,
    text            TEXT NOT NULL
);
CREATE INDEX policy_clauses_policy_idx ON policy_clauses (policy_id, position);

CREATE TABLE tasks (
    id                 INTEGER PRIMARY KEY,
    region_id          INTEGER NOT NULL REFERENCES regions (id),
    policy_id          INTEGER REFERENCES policies (id),
    clause_id          INTEGER REFERENCES policy_clauses (id),
    code               TEXT NOT NULL,
    title              TEXT NOT NULL,
    content            TEXT NOT NULL,
    cadence            TEXT NOT NULL CHECK (cadence IN ('once', 'weekly', 'monthly', 'quarterly', 'yearly')),
    assigned_on        TEXT NOT NULL,
    original_deadline  TEXT,
    deadline           TEXT,
    status             TEXT NOT NULL CHECK (status IN ('assigned', 'accepted', 'in_progress', 'close_requested', 'closed')),
    unit_groups        TEXT NOT NULL DEFAULT '',
    search             TEXT NOT NULL DEFAULT '',
    light              TEXT NOT NULL DEFAULT 'green' CHECK (light IN ('green', 'yellow', 'red')),
    light_next_change  TEXT,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    closed_at          TEXT,
    CONSTRAINT tasks_code_key UNIQUE (region_id, code)
);
CREATE INDEX tasks_region_status_idx ON tasks (region_id, status, deadline);
CREATE INDEX tasks_policy_idx ON tasks (policy_id, clause_id);
CREATE INDEX tasks_light_idx ON tasks (light, region_id);
CREATE INDEX tasks_next_change_idx ON tasks (light_next_change);

CREATE TABLE task_units (
    task_id  INTEGER NOT NULL REFERENCES tasks (id),
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    role     TEXT NOT NULL CHECK (role IN ('lead', 'support')),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_units_unit_idx ON task_units (unit_id, role, task_id);

CREATE TABLE task_leaders (
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (task_id, person_id)
);
CREATE INDEX task_leaders_person_idx ON task_leaders (person_id, task_id);

CREATE TABLE task_indicators (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES tasks (id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    comparator    TEXT NOT NULL CHECK (comparator IN ('>=', '>', '<=', '<', '=', 'between')),
    target_value  TEXT NOT NULL,
    target_max    TEXT,
    unit_label    TEXT,
    actual        TEXT,
    updated_at    TEXT NOT NULL
);
CREATE INDEX task_indicators_task_idx ON task_indicators (task_id, position);

CREATE TABLE task_reports (
    id              INTEGER PRIMARY KEY,
    task_id         INTEGER NOT NULL REFERENCES tasks (id),
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    progress        TEXT NOT NULL,
    percent         INTEGER,
    problems        TEXT,
    support_needed  TEXT,
    on_track        BOOLEAN,
    status          TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'returned')),
    submitted_by    INTEGER REFERENCES users (id),
    submitted_at    TEXT NOT NULL,
    reviewed_by     INTEGER REFERENCES users (id),
    reviewed_at     TEXT,
    review_comment  TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT task_reports_period_key UNIQUE (task_id, unit_id, period_end)
);
CREATE INDEX task_reports_task_idx ON task_reports (task_id, period_end);

CREATE TABLE task_events (
    id             INTEGER PRIMARY KEY,
    task_id        INTEGER NOT NULL REFERENCES tasks (id),
    at             TEXT NOT NULL,
    actor_user_id  INTEGER,
    actor_name     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    text           TEXT,
    data           TEXT
);
CREATE INDEX task_events_task_idx ON task_events (task_id, at);

CREATE TABLE task_light_history (
    task_id  INTEGER NOT NULL REFERENCES tasks (id),
    since    TEXT NOT NULL,
    light    TEXT NOT NULL CHECK (light IN ('green', 'yellow', 'red')),
    PRIMARY KEY (task_id, since)
);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES tasks (id),
    report_id     INTEGER REFERENCES task_reports (id),
    event_id      INTEGER REFERENCES task_events (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_task_idx ON attachments (task_id, id);
