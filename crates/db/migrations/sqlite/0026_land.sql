-- Land-efficiency evaluation (亩产效益评价, M6): each county's rules (weights, benchmarks, class
-- thresholds, each class's policies) kept as JSON by its supervisor, and its enterprises'
-- figures of each year as imported (an import replaces the year's figures). Classes are computed
-- from them, never stored. Kept column-for-column identical to ../postgres/0026_land.sql (a
-- test checks).

CREATE TABLE land_rules (
    region_id   INTEGER PRIMARY KEY REFERENCES regions (id),
    -- The rules (JSON, `zhaoyin_core::land::Rules`).
    body        TEXT NOT NULL,
    -- Named by an edit (optimistic concurrency).
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TEXT NOT NULL
);

CREATE TABLE land_years (
    -- The county.
    region_id    INTEGER NOT NULL REFERENCES regions (id),
    year         INTEGER NOT NULL,
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    -- The year's figures (JSON, `zhaoyin_core::land::Year`).
    figures      TEXT NOT NULL,
    imported_by  INTEGER REFERENCES users (id),
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (region_id, year, company_id)
);
CREATE INDEX land_years_company_idx ON land_years (company_id, year);
