-- Target lists (精准对接招引清单): a county's list per year, its quotas per company mark, the units
-- with a recruiting duty, and its entries. Kept column-for-column identical to
-- ../postgres/0008_target_lists.sql (a test checks).

CREATE TABLE target_lists (
    id                     INTEGER PRIMARY KEY,
    region_id              INTEGER NOT NULL REFERENCES regions (id),
    year                   INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    min_projects_per_unit  INTEGER NOT NULL,
    notes                  TEXT,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CONSTRAINT target_lists_year_key UNIQUE (region_id, year)
);

CREATE TABLE target_quotas (
    list_id  INTEGER NOT NULL REFERENCES target_lists (id),
    flag     TEXT NOT NULL,
    minimum  INTEGER NOT NULL,
    PRIMARY KEY (list_id, flag)
);

CREATE TABLE target_duty_units (
    list_id  INTEGER NOT NULL REFERENCES target_lists (id),
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (list_id, unit_id)
);

CREATE TABLE target_entries (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES target_lists (id),
    company_id  INTEGER NOT NULL REFERENCES companies (id),
    leader_id   INTEGER REFERENCES people (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    actions     TEXT,
    created_at  TEXT NOT NULL,
    CONSTRAINT target_entries_company_id_key UNIQUE (list_id, company_id)
);
CREATE INDEX target_entries_unit_idx ON target_entries (unit_id);
