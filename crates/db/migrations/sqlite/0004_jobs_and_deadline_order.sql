-- Periodic jobs: one row per job and time slot, claimed by the first instance that inserts it,
-- so that with several instances on one database each job runs once per slot. Kept
-- column-for-column identical to ../postgres/0004_jobs_and_deadline_order.sql.

CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    slot         TEXT NOT NULL,
    instance     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    affected     INTEGER,
    error        TEXT,
    PRIMARY KEY (job, slot)
);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);

-- Task lists sort by nearest deadline (none last) by default: walking this index in order lets
-- a page of 50 stop after 50 visible rows instead of sorting every task.
CREATE INDEX tasks_deadline_order_idx ON tasks ((deadline IS NULL), deadline, id);
