-- Two indexes that hold what a count as of a past day tests of each row, so that it is read from
-- the index alone, not from the table's wide rows scattered over its pages:
-- - the stage entries a period's signings and starts read (by stage and day), with their
--   project, when each was recorded and when an earlier one was: a province's year of signings
--   is 85,000 entries, which PostgreSQL fetched from 17,000 pages of the table;
-- - the projects' versions current at an instant (by when they ended and began), with the
--   project, its region and whether it counted: a province's versions current at a day of the
--   year were 22,000 rows fetched for the signings and the funds as of it (100-200 ms each,
--   5-21 ms from the index).
-- Kept column-for-column identical to ../postgres/0036_as_of_indexes.sql (a test checks).

DROP INDEX project_stages_stage_idx;
CREATE INDEX project_stages_stage_idx
    ON project_stages (stage, on_date, project_id, at, first_until);

DROP INDEX project_versions_idx;
CREATE INDEX project_versions_idx
    ON project_versions (valid_to, updated_at, id, region_id, duplicate_of, withdrawn_at);
