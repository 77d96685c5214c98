-- Industry chains (产业链图谱): a chain per industry team (专班), its segments as a tree, and the
-- segments companies and projects belong to. Kept column-for-column identical to
-- ../postgres/0006_chains.sql (a test checks).

CREATE TABLE chains (
    id            INTEGER PRIMARY KEY,
    -- The county whose chain it is (the region of the lead unit, or the county above a town).
    region_id     INTEGER NOT NULL REFERENCES regions (id),
    name          TEXT NOT NULL,
    -- The team: its lead unit, its leader (链长) and the other units.
    lead_unit_id  INTEGER NOT NULL REFERENCES units (id),
    leader_id     INTEGER REFERENCES people (id),
    notes         TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT chains_name_key UNIQUE (region_id, name)
);

CREATE TABLE chain_units (
    chain_id  INTEGER NOT NULL REFERENCES chains (id),
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (chain_id, unit_id)
);

CREATE TABLE chain_segments (
    id         INTEGER PRIMARY KEY,
    chain_id   INTEGER NOT NULL REFERENCES chains (id),
    parent_id  INTEGER REFERENCES chain_segments (id),
    name       TEXT NOT NULL,
    -- Order in the outline (parents before their children).
    position   INTEGER NOT NULL,
    CONSTRAINT chain_segments_name_key UNIQUE (chain_id, name)
);
CREATE INDEX chain_segments_chain_idx ON chain_segments (chain_id, position);

CREATE TABLE company_segments (
    company_id  INTEGER NOT NULL REFERENCES companies (id),
    segment_id  INTEGER NOT NULL REFERENCES chain_segments (id),
    PRIMARY KEY (company_id, segment_id)
);
CREATE INDEX company_segments_segment_idx ON company_segments (segment_id);

ALTER TABLE projects ADD COLUMN segment_id INTEGER REFERENCES chain_segments (id);
CREATE INDEX projects_segment_idx ON projects (segment_id);
