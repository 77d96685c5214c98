-- City–county exchange (市县协同): projects a county on its own deployment sends the city are kept
-- here as projects of that county, marked with their origin (the county's code and the
-- project's key there) and refreshed by each package; their funds carry whether the county
-- holds the evidence. One row per county records the last package taken. Kept
-- column-for-column identical to ../postgres/0016_exchange.sql (a test checks).

ALTER TABLE projects ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX projects_origin_key ON projects (origin);

ALTER TABLE project_funds ADD COLUMN verified_at_origin BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE exchange_imports (
    region_id       INTEGER PRIMARY KEY REFERENCES regions (id),
    generated_at    TEXT NOT NULL,
    payload_sha256  TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    projects        INTEGER NOT NULL
);
