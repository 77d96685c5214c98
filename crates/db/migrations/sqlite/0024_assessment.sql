-- Assessment (考核, M4, M18): schemes kept as numbered versions (the rules as JSON, with the
-- units each group ranks), runs of a scheme over a period with the figures they read and the
-- scores they gave, frozen when published (晾晒), and units' appeals (申诉) against a published
-- run, decided by the supervisor. Kept column-for-column identical to
-- ../postgres/0024_assessment.sql (a test checks).

CREATE TABLE assessment_schemes (
    id           INTEGER PRIMARY KEY,
    -- The region whose units it ranks.
    region_id    INTEGER NOT NULL REFERENCES regions (id),
    name         TEXT NOT NULL,
    period_kind  TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year')),
    -- The latest version's number; an edit names it (optimistic concurrency).
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT assessment_schemes_name_key UNIQUE (region_id, name)
);

CREATE TABLE assessment_scheme_versions (
    scheme_id   INTEGER NOT NULL REFERENCES assessment_schemes (id),
    version     INTEGER NOT NULL,
    -- The rules and the groups' units (JSON), never changed once written.
    body        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (scheme_id, version)
);

CREATE TABLE assessment_runs (
    id              INTEGER PRIMARY KEY,
    scheme_id       INTEGER NOT NULL REFERENCES assessment_schemes (id),
    scheme_version  INTEGER NOT NULL,
    -- '2026-Q3', '2026-09', '2026'.
    period          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('computed', 'published')),
    -- What the scores were computed from (JSON): each unit's figures, hand scores and
    -- deductible items, with the rows behind each figure.
    inputs          TEXT NOT NULL,
    -- The scores (JSON), group by group.
    results         TEXT NOT NULL,
    computed_by     INTEGER REFERENCES users (id),
    computed_at     TEXT NOT NULL,
    published_by    INTEGER REFERENCES users (id),
    published_at    TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT assessment_runs_period_key UNIQUE (scheme_id, period),
    FOREIGN KEY (scheme_id, scheme_version) REFERENCES assessment_scheme_versions (scheme_id, version)
);

CREATE TABLE assessment_appeals (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES assessment_runs (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    -- The indicator appealed against.
    indicator     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    -- The figure the run held when the unit appealed, and the one it asks for (a count, an
    -- amount or hand points); the first empty if the run held none.
    figure        TEXT NOT NULL,
    asked         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'rejected')),
    decision      TEXT,
    filed_by      INTEGER REFERENCES users (id),
    filed_at      TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    decided_at    TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX assessment_appeals_run_idx ON assessment_appeals (run_id, unit_id);

-- Items that would deduct but are exempted (force majeure, approved by the supervisor).
CREATE TABLE assessment_exemptions (
    cause        TEXT NOT NULL CHECK (cause IN ('upheld_complaint', 'overdue_task')),
    item_id      INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    approved_by  INTEGER REFERENCES users (id),
    approved_at  TEXT NOT NULL,
    PRIMARY KEY (cause, item_id)
);
