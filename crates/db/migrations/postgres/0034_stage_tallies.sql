-- The projects counted per region and stage (repeated signings and withdrawn projects left out),
-- with their investment, kept for every hour in which they changed: a row holds the figures as
-- they stood at the end of its hour (`since`) until the next row of its region and stage. A
-- dashboard as of a past day (its end on the hour) reads, per region and stage, the last row
-- before it: one index lookup each, where counting the projects and their versions then reads
-- every project of a province. Kept by triggers on every write to a project, whatever code makes
-- it, from the same instants as its versions (0017): a row leaves its tally when it stops being
-- current, and joins it from its `updated_at`. A bulk load (the generator) suspends them
-- (`tallies_suspended`) and rebuilds the whole table from the projects and their versions
-- (`project_stage_moves`; `db::projects::retally`).
-- Kept column-for-column identical to ../sqlite/0034_stage_tallies.sql (a test checks).

CREATE TABLE project_stage_tallies (
    region_id           BIGINT NOT NULL,
    stage               TEXT NOT NULL,
    since               TIMESTAMPTZ NOT NULL,
    projects            BIGINT NOT NULL,
    total_investment    BIGINT NOT NULL,
    outside_investment  BIGINT NOT NULL,
    PRIMARY KEY (region_id, stage, since)
);

-- While a row is here (during a bulk load), writes to projects leave the tallies alone.
CREATE TABLE tallies_suspended (
    since TIMESTAMPTZ NOT NULL
);

-- Each project's row and each of its versions joins its region and stage's tally at the hour of
-- its `updated_at`; a version leaves it at the hour of its `valid_to` (a version replaced before
-- it began held at no instant).
CREATE VIEW project_stage_moves AS
SELECT region_id, stage,
       date_trunc('hour', updated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS since,
       1 AS projects, total_investment, outside_investment
FROM projects WHERE duplicate_of IS NULL AND withdrawn_at IS NULL
UNION ALL
SELECT region_id, stage,
       date_trunc('hour', updated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       1, total_investment, outside_investment
FROM project_versions
WHERE duplicate_of IS NULL AND withdrawn_at IS NULL AND valid_to > updated_at
UNION ALL
SELECT region_id, stage,
       date_trunc('hour', valid_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       -1, -total_investment, -outside_investment
FROM project_versions
WHERE duplicate_of IS NULL AND withdrawn_at IS NULL AND valid_to > updated_at;

INSERT INTO project_stage_tallies
    (region_id, stage, since, projects, total_investment, outside_investment)
SELECT region_id, stage, since, SUM(SUM(projects)) OVER w, SUM(SUM(total_investment)) OVER w,
       SUM(SUM(outside_investment)) OVER w
FROM project_stage_moves GROUP BY region_id, stage, since
WINDOW w AS (PARTITION BY region_id, stage ORDER BY since);

-- Adds (n, t, o) to a region and stage's figures from the hour of `at` on.
CREATE FUNCTION project_tally(r BIGINT, s TEXT, at TIMESTAMPTZ, n BIGINT, t BIGINT, o BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h TIMESTAMPTZ := date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
BEGIN
    INSERT INTO project_stage_tallies
        (region_id, stage, since, projects, total_investment, outside_investment)
    SELECT r, s, h, COALESCE(l.projects, 0), COALESCE(l.total_investment, 0),
           COALESCE(l.outside_investment, 0)
    FROM (SELECT 1) one LEFT JOIN LATERAL (
        SELECT projects, total_investment, outside_investment FROM project_stage_tallies
        WHERE region_id = r AND stage = s AND since < h ORDER BY since DESC LIMIT 1) l ON TRUE
    ON CONFLICT DO NOTHING;
    UPDATE project_stage_tallies
    SET projects = projects + n, total_investment = total_investment + t,
        outside_investment = outside_investment + o
    WHERE region_id = r AND stage = s AND since >= h;
END
$$;

-- The old row stops counting where the version kept of it ends (or, a row moved back in time,
-- where it began); the new one counts from its `updated_at`; a removed row stops now.
-- Writes that change the tallies take turns (one lock until each transaction ends): a tally row
-- is copied from the one before it, which another transaction could be changing unseen (an
-- import stamped with an earlier hour), and two transactions each moving a project between the
-- same two stages would otherwise lock their rows in opposite orders.
CREATE FUNCTION projects_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tallies_suspended) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(340034);
    IF TG_OP <> 'INSERT' AND OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL THEN
        PERFORM project_tally(OLD.region_id, OLD.stage,
            CASE WHEN TG_OP = 'UPDATE' THEN GREATEST(OLD.updated_at, NEW.updated_at)
                 ELSE clock_timestamp() END,
            -1, -OLD.total_investment, -OLD.outside_investment);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL THEN
        PERFORM project_tally(NEW.region_id, NEW.stage, NEW.updated_at,
            1, NEW.total_investment, NEW.outside_investment);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_tallied_insert AFTER INSERT ON projects FOR EACH ROW
    EXECUTE FUNCTION projects_tally();
CREATE TRIGGER projects_tallied_update AFTER UPDATE ON projects FOR EACH ROW
    WHEN ((OLD.region_id, OLD.stage, OLD.total_investment, OLD.outside_investment,
           OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL)
          IS DISTINCT FROM
          (NEW.region_id, NEW.stage, NEW.total_investment, NEW.outside_investment,
           NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL)
          OR NEW.updated_at < OLD.updated_at)
    EXECUTE FUNCTION projects_tally();
CREATE TRIGGER projects_tallied_delete AFTER DELETE ON projects FOR EACH ROW
    EXECUTE FUNCTION projects_tally();
