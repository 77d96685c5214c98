-- Deliveries (投递): a notice leaves the platform by email to a person who asked for it, and
-- by a unit's group bots (WeCom, DingTalk, Feishu, generic JSON). Each delivery row is made in
-- the same transaction as its notice, once per target, kind, subject and period (as the notice
-- is once per person), leased by one instance at a time, retried with backoff, and kept with
-- its state. Kept column-for-column identical to ../postgres/0031_deliveries.sql (a test checks).

-- Where a person's notices go besides the inbox.
CREATE TABLE notice_settings (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    -- An email address; none: no email.
    email       TEXT,
    -- The kinds sent, comma-separated; empty: every kind.
    kinds       TEXT NOT NULL DEFAULT '',
    -- Quiet hours, local 'HH:MM', both or neither: nothing sent from one until the other.
    quiet_from  TEXT,
    quiet_until TEXT,
    -- A daily digest at this local 'HH:MM' instead of one message per notice.
    digest_at   TEXT,
    updated_at  TEXT NOT NULL
);

-- A unit's group bots: the unit's notices posted to its group.
CREATE TABLE unit_bots (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    name        TEXT NOT NULL,
    -- wecom, dingtalk, feishu or generic.
    channel     TEXT NOT NULL,
    url         TEXT NOT NULL,
    -- DingTalk's 加签 or Feishu's signing secret; never shown again once saved.
    secret      TEXT,
    kinds       TEXT NOT NULL DEFAULT '',
    quiet_from  TEXT,
    quiet_until TEXT,
    digest_at   TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE INDEX unit_bots_unit_idx ON unit_bots (unit_id);

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    -- 'user:12' (email to a person) or 'bot:3' (a unit's bot).
    target      TEXT NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    bot_id      INTEGER REFERENCES unit_bots (id),
    channel     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    period      TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT,
    link        TEXT NOT NULL,
    -- Not before: the end of quiet hours, or the digest's time.
    due_at      TEXT NOT NULL,
    -- Sent with the target's other digest deliveries due, as one message.
    digest      BOOLEAN NOT NULL DEFAULT FALSE,
    -- pending, sent, or failed (given up after the last retry, or no address any more).
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- The instance sending it (a lease of its own), until when; another takes it only after.
    -- Once sent, the lease that sent it.
    lease_until TEXT,
    leased_by   TEXT,
    last_error  TEXT,
    sent_at     TEXT,
    created_at  TEXT NOT NULL,
    CONSTRAINT deliveries_once UNIQUE (target, kind, subject, period)
);
CREATE INDEX deliveries_due_idx ON deliveries (state, due_at);
CREATE INDEX deliveries_user_idx ON deliveries (user_id, id);
-- The deliveries of a scan's notices are planned from the notices it made, found by their instant.
CREATE INDEX notices_created_idx ON notices (created_at);
