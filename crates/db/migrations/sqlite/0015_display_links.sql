-- Display links (大屏链接): a read-only address that opens a region's big screen without signing
-- in, for the screen of a command room. Only a hash of the token is kept; a link is revoked,
-- never deleted. Kept column-for-column identical to ../postgres/0015_display_links.sql (a test
-- checks).

CREATE TABLE display_links (
    id            INTEGER PRIMARY KEY,
    region_id     INTEGER NOT NULL REFERENCES regions (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT,
    CONSTRAINT display_links_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX display_links_region_idx ON display_links (region_id, id);
