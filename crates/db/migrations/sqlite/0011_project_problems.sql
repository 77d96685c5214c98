-- The problem list of projects (问题清单, M14): each blocker with its category, responsible
-- unit, deadline, status, resolution, the county's verification and, where owed, the unit's
-- written explanation. Kept column-for-column identical to ../postgres/0011_project_problems.sql
-- (a test checks).

CREATE TABLE project_problems (
    id               INTEGER PRIMARY KEY,
    project_id       INTEGER NOT NULL REFERENCES projects (id),
    category         TEXT NOT NULL CHECK (category IN ('planning', 'land', 'environment', 'energy',
                     'safety', 'funding', 'other')),
    description      TEXT NOT NULL,
    -- The unit responsible for removing it: its clerks move it.
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    deadline         TEXT NOT NULL,
    -- The project cannot go on until this is solved (卡点).
    blocking         BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL
                     CHECK (status IN ('open', 'in_progress', 'solved', 'closed', 'returned')),
    -- Why it was returned, or why a solution was not accepted.
    status_reason    TEXT,
    resolution       TEXT,
    solved_at        TEXT,
    closed_by        INTEGER REFERENCES users (id),
    closed_at        TEXT,
    -- The written explanation (书面说明) of a problem overdue while its project is stalled.
    explanation      TEXT,
    explained_by     INTEGER REFERENCES users (id),
    explained_at     TEXT,
    raised_by        INTEGER REFERENCES users (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX project_problems_project_idx ON project_problems (project_id, id);
CREATE INDEX project_problems_unit_idx ON project_problems (unit_id, status, deadline);
CREATE INDEX project_problems_status_idx ON project_problems (status, deadline, id);
