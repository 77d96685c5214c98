-- The progress list of projects (进度清单, M14/M15): monthly updates of physical progress
-- (形象进度) and investment completed, funds in place (到位资金) with their evidence, and the
-- files behind them (photos, evidence of funds, evidence of a problem's solution). Kept
-- column-for-column identical to ../postgres/0012_project_progress.sql (a test checks).

CREATE TABLE project_updates (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    -- The month reported on, YYYY-MM: one update a month.
    period       TEXT NOT NULL,
    -- Physical progress in percent, with what it is in words.
    percent      INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    description  TEXT NOT NULL,
    -- Investment completed in the month, in 万元.
    invested     INTEGER NOT NULL DEFAULT 0 CHECK (invested >= 0),
    reported_by  INTEGER REFERENCES users (id),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT project_updates_period_key UNIQUE (project_id, period)
);

CREATE TABLE project_funds (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects (id),
    received_on    TEXT NOT NULL,
    -- In 万元.
    amount         INTEGER NOT NULL CHECK (amount > 0),
    -- Who paid it in (the investor's own money, a bank loan …).
    source         TEXT,
    evidence_type  TEXT NOT NULL CHECK (evidence_type IN ('capital_verification', 'bank_receipt',
                   'equipment_invoice', 'other')),
    note           TEXT,
    recorded_by    INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL
);
CREATE INDEX project_funds_project_idx ON project_funds (project_id, received_on);

-- A file of a project: a photo of an update, the evidence of funds, or the evidence of a
-- problem's solution (exactly one of the three owners is set).
CREATE TABLE project_files (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    update_id     INTEGER REFERENCES project_updates (id),
    fund_id       INTEGER REFERENCES project_funds (id),
    problem_id    INTEGER REFERENCES project_problems (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX project_files_project_idx ON project_files (project_id, id);
CREATE INDEX project_files_fund_idx ON project_files (fund_id);
CREATE INDEX project_files_problem_idx ON project_files (problem_id);
