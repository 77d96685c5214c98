-- Financing (M7, M13): new loans to the county's enterprises by bank, kind and day, recorded by a
-- unit (the financial service centre's clerks, say); taken back, not deleted, when recorded in
-- error. Projects recommended to banks and funds (推介), with what came of it. Kept
-- column-for-column identical to ../postgres/0027_financing.sql (a test checks).

CREATE TABLE loans (
    id           INTEGER PRIMARY KEY,
    -- The county.
    region_id    INTEGER NOT NULL REFERENCES regions (id),
    -- The unit that recorded it: its clerks keep it.
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    bank         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('first_loan', 'supply_chain', 'guaranteed',
                 'mortgage', 'credit', 'other')),
    granted_on   TEXT NOT NULL,
    -- 万元.
    amount       INTEGER NOT NULL CHECK (amount > 0),
    note         TEXT,
    recorded_by  INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL,
    removed_at   TEXT
);
CREATE INDEX loans_region_idx ON loans (region_id, granted_on);
CREATE INDEX loans_company_idx ON loans (company_id, granted_on);

CREATE TABLE financing_referrals (
    id                INTEGER PRIMARY KEY,
    region_id         INTEGER NOT NULL REFERENCES regions (id),
    unit_id           INTEGER NOT NULL REFERENCES units (id),
    project_id        INTEGER NOT NULL REFERENCES projects (id),
    institution       TEXT NOT NULL,
    institution_kind  TEXT NOT NULL CHECK (institution_kind IN ('bank', 'fund')),
    referred_on       TEXT NOT NULL,
    -- 万元 sought, if said.
    sought            INTEGER,
    note              TEXT,
    outcome           TEXT NOT NULL DEFAULT 'pending'
                      CHECK (outcome IN ('pending', 'financed', 'declined')),
    -- 万元 lent or invested.
    financed          INTEGER,
    decided_on        TEXT,
    reason            TEXT,
    created_by        INTEGER REFERENCES users (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX financing_referrals_region_idx ON financing_referrals (region_id, referred_on);
CREATE INDEX financing_referrals_project_idx ON financing_referrals (project_id);
