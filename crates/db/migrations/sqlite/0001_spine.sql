-- The platform's spine: organisation, accounts, roles, sessions, API tokens, audit chain.
-- Kept column-for-column identical to ../postgres/0001_spine.sql (a test checks).

CREATE TABLE regions (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'town')),
    parent_id   INTEGER REFERENCES regions (id),
    path        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT regions_code_key UNIQUE (code)
);
CREATE INDEX regions_path_idx ON regions (path);
CREATE INDEX regions_parent_idx ON regions (parent_id, code);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    short_name  TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('department', 'park', 'town', 'office')),
    region_id   INTEGER NOT NULL REFERENCES regions (id),
    phone       TEXT,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT units_code_key UNIQUE (code)
);
CREATE INDEX units_region_idx ON units (region_id, sort_order, code);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    title       TEXT,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    phone       TEXT,
    email       TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX people_unit_idx ON people (unit_id, name);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL,
    display_name          TEXT NOT NULL,
    unit_id               INTEGER NOT NULL REFERENCES units (id),
    person_id             INTEGER REFERENCES people (id),
    password_hash         TEXT NOT NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT TRUE,
    password_changed_at   TEXT,
    failed_logins         INTEGER NOT NULL DEFAULT 0,
    locked_until          TEXT,
    last_login_at         TEXT,
    last_login_ip         TEXT,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);
CREATE INDEX users_unit_idx ON users (unit_id, username);

CREATE TABLE role_grants (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL CHECK (role IN ('leader', 'supervisor', 'clerk', 'agent', 'viewer', 'sysadmin', 'secadmin', 'auditor')),
    scope_unit_id    INTEGER REFERENCES units (id),
    scope_region_id  INTEGER REFERENCES regions (id),
    created_at       TEXT NOT NULL,
    CHECK ((scope_unit_id IS NULL) <> (scope_region_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_unique_idx
    ON role_grants (user_id, role, COALESCE(scope_unit_id, 0), COALESCE(scope_region_id, 0));

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Append-only, hash-chained. `seq` comes from audit_head, whose single row every writer
-- updates first, so entries are numbered without gaps in commit order on both engines.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER,
    actor_name     TEXT NOT NULL,
    ip             TEXT,
    request_id     TEXT,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT,
    region_id      INTEGER,
    unit_id        INTEGER,
    before_json    TEXT,
    after_json     TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, seq);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
