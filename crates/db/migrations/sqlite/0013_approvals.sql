-- "1+N" approvals (M15): each project's approval items in the configured stages, with their
-- department, statutory and committed days, mechanism and dates kept by the project's agent;
-- what each item waits for; each county's lead department per stage; and the day a project
-- got its land (拿地), from which "拿地即开工" is measured. Kept column-for-column identical to
-- ../postgres/0013_approvals.sql (a test checks).

CREATE TABLE approval_items (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    -- The id of a stage of the configuration ([[approvals.stages]]).
    stage           TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- The approving department.
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    statutory_days  INTEGER NOT NULL CHECK (statutory_days >= 0),
    committed_days  INTEGER NOT NULL CHECK (committed_days >= 0),
    mechanism       TEXT CHECK (mechanism IN ('promise', 'build_first', 'standard_land',
                    'regional_assessment')),
    -- Accepted (受理) and approved (办结).
    submitted_on    TEXT,
    approved_on     TEXT,
    note            TEXT,
    updated_by      INTEGER REFERENCES users (id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX approval_items_project_idx ON approval_items (project_id, id);
CREATE INDEX approval_items_unit_idx ON approval_items (unit_id, approved_on);
CREATE INDEX approval_items_open_idx ON approval_items (approved_on, submitted_on);

-- An item applied for only once another is approved.
CREATE TABLE approval_item_deps (
    item_id     INTEGER NOT NULL REFERENCES approval_items (id),
    depends_on  INTEGER NOT NULL REFERENCES approval_items (id),
    PRIMARY KEY (item_id, depends_on)
);
CREATE INDEX approval_item_deps_on_idx ON approval_item_deps (depends_on);

-- The department leading a stage in a county (一个牵头部门).
CREATE TABLE approval_stage_leads (
    region_id  INTEGER NOT NULL REFERENCES regions (id),
    stage      TEXT NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (region_id, stage)
);

ALTER TABLE projects ADD COLUMN land_on TEXT;
