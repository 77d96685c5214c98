-- Land-efficiency evaluation (亩产效益评价, M6): each county's rules (weights, benchmarks, class
-- thresholds, each class's policies) kept as JSON by its supervisor, and its enterprises'
-- figures of each year as imported (an import replaces the year's figures). Classes are computed
-- from them, never stored. Kept column-for-column identical to ../sqlite/0026_land.sql (a
-- test checks).

CREATE TABLE land_rules (
    region_id   BIGINT PRIMARY KEY REFERENCES regions (id),
    -- The rules (JSON, `zhaoyin_core::land::Rules`).
    body        TEXT NOT NULL,
    -- Named by an edit (optimistic concurrency).
    version     BIGINT NOT NULL DEFAULT 1,
    updated_by  BIGINT REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE land_years (
    -- The county.
    region_id    BIGINT NOT NULL REFERENCES regions (id),
    year         BIGINT NOT NULL,
    company_id   BIGINT NOT NULL REFERENCES companies (id),
    -- The year's figures (JSON, `zhaoyin_core::land::Year`).
    figures      TEXT NOT NULL,
    imported_by  BIGINT REFERENCES users (id),
    imported_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region_id, year, company_id)
);
CREATE INDEX land_years_company_idx ON land_years (company_id, year);
