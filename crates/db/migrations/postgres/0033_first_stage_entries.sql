-- Each stage entry knows when it stopped being its project's first of that stage: the moment an
-- earlier one (by day, then id) of the same project and stage was recorded (`first_until`; NULL
-- while none is). The entries a project first made in a period, as of a past instant, are then
-- read by the stage's index and tested row by row (`at < end AND (first_until IS NULL OR
-- first_until >= end)`), instead of looking for an earlier entry beside each one: a province's
-- signings per month and region. `db::projects::span_stages` keeps it on every write.
-- Kept column-for-column identical to ../sqlite/0033_first_stage_entries.sql (a test checks).

ALTER TABLE project_stages ADD COLUMN first_until TIMESTAMPTZ;

UPDATE project_stages SET first_until = e.first_until FROM (SELECT id,
    MIN(at) OVER (PARTITION BY project_id, stage ORDER BY on_date, id
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS first_until
    FROM project_stages) e
WHERE e.id = project_stages.id;
