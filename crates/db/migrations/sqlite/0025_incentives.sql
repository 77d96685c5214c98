-- Incentives (激励, M10, M12): each county's rules as data (the introducer's reward tiers, the
-- platform subsidies, the days of public notice) and the award ledger: each award proposed with
-- the figures and the rule it was computed under, publicly noticed (公示) for the configured
-- days, approved, paid, or rejected with a reason. What a fund paid for and whether it is fiscal
-- money decide what an introducer's reward counts. When a company or a talent landed, and the
-- items that bar a unit from the year's "excellent" grade (M5). Kept column-for-column identical to
-- ../postgres/0025_incentives.sql (a test checks).

ALTER TABLE project_funds ADD COLUMN used_for TEXT NOT NULL DEFAULT 'investment'
    CHECK (used_for IN ('investment', 'land', 'government_plant'));
ALTER TABLE project_funds ADD COLUMN fiscal BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE incentive_rules (
    region_id   INTEGER PRIMARY KEY REFERENCES regions (id),
    -- The rules (JSON, `zhaoyin_core::incentive::Rules`).
    body        TEXT NOT NULL,
    -- Named by an edit (optimistic concurrency).
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TEXT NOT NULL
);

CREATE TABLE incentive_awards (
    id            INTEGER PRIMARY KEY,
    -- The county whose rules it was computed under and whose supervisor keeps it.
    region_id     INTEGER NOT NULL REFERENCES regions (id),
    -- Where it is read from: the project's region (a town's readers see their town's), or
    -- the company's library.
    place_region_id INTEGER NOT NULL REFERENCES regions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('introducer', 'platform')),
    -- The unit whose clerks read it: the project's, or the unit following the company.
    unit_id       INTEGER REFERENCES units (id),
    project_id    INTEGER REFERENCES projects (id),
    company_id    INTEGER REFERENCES companies (id),
    -- Who is paid: the introducer, or the company with the platform.
    payee         TEXT NOT NULL,
    -- What it is for ('project:12', 'platform:<name>'): one live award per subject.
    subject       TEXT NOT NULL,
    -- 万元.
    amount        INTEGER NOT NULL CHECK (amount > 0),
    -- The figures and the rule it was computed under (JSON), never changed.
    basis         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'notice', 'approved', 'paid',
                  'rejected')),
    notice_from   TEXT,
    notice_until  TEXT,
    paid_on       TEXT,
    -- Why it was rejected.
    reason        TEXT,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX incentive_awards_subject_key ON incentive_awards (kind, subject)
    WHERE status <> 'rejected';
CREATE INDEX incentive_awards_region_idx ON incentive_awards (place_region_id, created_at);
CREATE INDEX incentive_awards_project_idx ON incentive_awards (project_id);

-- When a company or a talent was recorded as landed (引进落地): the year an introduction counts
-- in (M5's "excellent" grading). Rows landed before this migration: from their last change.
ALTER TABLE companies ADD COLUMN landed_at TEXT;
ALTER TABLE talents ADD COLUMN landed_at TEXT;
UPDATE companies SET landed_at = updated_at WHERE status = 'landed';
UPDATE talents SET landed_at = updated_at WHERE status = 'landed';
CREATE INDEX talents_landed_idx ON talents (region_id, landed_at);

-- Items that bar a unit from the "excellent" grade of a year (一票否决, M5), recorded by the
-- supervisor with the reason.
CREATE TABLE incentive_vetoes (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    year        INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    CONSTRAINT incentive_vetoes_year_key UNIQUE (unit_id, year)
);
