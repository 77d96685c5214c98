-- Investor complaints (投资者诉求, M5): filed on the public form without an account, followed by
-- the complainant with a tracking code, routed by the county's supervisor to a unit with a day
-- to answer by, answered, rated by the complainant and judged (upheld or not) by the supervisor.
-- An upheld complaint deducts in assessment. Secrets the instances share (the key of the public
-- form's challenge) are kept in `app_secrets`. Kept column-for-column identical to
-- ../postgres/0028_complaints.sql (a test checks).

CREATE TABLE complaints (
    id                 INTEGER PRIMARY KEY,
    -- The county it was filed with.
    region_id          INTEGER NOT NULL REFERENCES regions (id),
    -- The SHA-256 of the tracking code (16 symbols), the complainant's only key to it: the
    -- staff, who read the rows, cannot act as the complainant.
    code               TEXT NOT NULL UNIQUE,
    -- The challenge it answered: one solved challenge files one complaint.
    challenge          TEXT NOT NULL UNIQUE,
    -- A keyed hash of the address it came from, for the rate limit (the audit log records the
    -- address of the request, as of every write).
    client_key         TEXT NOT NULL,
    company            TEXT NOT NULL,
    contact            TEXT NOT NULL,
    phone              TEXT NOT NULL,
    email              TEXT,
    subject            TEXT NOT NULL,
    body               TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'received'
                       CHECK (status IN ('received', 'routed', 'answered', 'closed')),
    unit_id            INTEGER REFERENCES units (id),
    due_on             TEXT,
    route_note         TEXT,
    routed_at          TEXT,
    answer             TEXT,
    answered_at        TEXT,
    answered_by        INTEGER REFERENCES users (id),
    satisfaction       TEXT CHECK (satisfaction IN ('satisfied', 'unsatisfied')),
    satisfaction_note  TEXT,
    rated_at           TEXT,
    verdict            TEXT CHECK (verdict IN ('upheld', 'not_upheld')),
    verdict_reason     TEXT,
    verdict_at         TEXT,
    verdict_by         INTEGER REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_region_idx ON complaints (region_id, created_at);
CREATE INDEX complaints_unit_idx ON complaints (unit_id, status);
CREATE INDEX complaints_created_idx ON complaints (created_at);
CREATE INDEX complaints_verdict_idx ON complaints (verdict, verdict_at);

CREATE TABLE complaint_files (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX complaint_files_complaint_idx ON complaint_files (complaint_id, id);

CREATE TABLE app_secrets (
    name        TEXT PRIMARY KEY,
    -- Hex.
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
