-- Notices (通知): what reaches a person in the in-app inbox. Made from the audit log (a task
-- assigned, a reminder, an instruction, a report returned, an explanation asked, a problem
-- raised, a complaint routed, an award in public notice) and by the periodic deadline scan (a
-- task due soon or overdue, a problem or a complaint overdue). A notice is one per person, kind,
-- subject and period: whichever instance makes it, and however often, it exists once. The audit
-- log is read in order from `notice_cursor`, which moves in the same transaction as the notices
-- it produced. Kept column-for-column identical to ../postgres/0029_notices.sql (a test checks).

CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    -- What it is about: `task:12`, `complaint:3` …
    subject     TEXT NOT NULL,
    -- What makes a repeat a new notice: the audit record it came from, the deadline passed.
    period      TEXT NOT NULL,
    -- The subject's name when the notice was made (a task's code and title …).
    title       TEXT NOT NULL,
    -- The words that came with it (a reminder's text, why a report was returned).
    body        TEXT,
    link        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    CONSTRAINT notices_once UNIQUE (user_id, kind, subject, period)
);
CREATE INDEX notices_inbox_idx ON notices (user_id, read_at, id);

CREATE TABLE notice_cursor (
    name  TEXT PRIMARY KEY,
    -- The last audit record read.
    seq   INTEGER NOT NULL
);
-- From the audit log's head: what happened before notices existed is not told again.
INSERT INTO notice_cursor (name, seq) SELECT 'audit', seq FROM audit_head WHERE id = 1;
