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
-- Kept column-for-column identical to ../postgres/0034_stage_tallies.sql (a test checks).

CREATE TABLE project_stage_tallies (
    region_id           INTEGER NOT NULL,
    stage               TEXT NOT NULL,
    since               TEXT NOT NULL,
    projects            INTEGER NOT NULL,
    total_investment    INTEGER NOT NULL,
    outside_investment  INTEGER NOT NULL,
    PRIMARY KEY (region_id, stage, since)
) WITHOUT ROWID;

-- While a row is here (during a bulk load), writes to projects leave the tallies alone.
CREATE TABLE tallies_suspended (
    since TEXT NOT NULL
);

-- Each project's row and each of its versions joins its region and stage's tally at the hour of
-- its `updated_at`; a version leaves it at the hour of its `valid_to` (a version replaced before
-- it began held at no instant). Times are kept as RFC 3339 text in UTC, so an hour is a prefix.
CREATE VIEW project_stage_moves AS
SELECT region_id, stage, substr(updated_at, 1, 13) || ':00:00+00:00' AS since,
       1 AS projects, total_investment, outside_investment
FROM projects WHERE duplicate_of IS NULL AND withdrawn_at IS NULL
UNION ALL
SELECT region_id, stage, substr(updated_at, 1, 13) || ':00:00+00:00',
       1, total_investment, outside_investment
FROM project_versions
WHERE duplicate_of IS NULL AND withdrawn_at IS NULL AND valid_to > updated_at
UNION ALL
SELECT region_id, stage, substr(valid_to, 1, 13) || ':00:00+00:00',
       -1, -total_investment, -outside_investment
FROM project_versions
WHERE duplicate_of IS NULL AND withdrawn_at IS NULL AND valid_to > updated_at;

INSERT INTO project_stage_tallies
    (region_id, stage, since, projects, total_investment, outside_investment)
SELECT region_id, stage, since, SUM(SUM(projects)) OVER w, SUM(SUM(total_investment)) OVER w,
       SUM(SUM(outside_investment)) OVER w
FROM project_stage_moves GROUP BY region_id, stage, since
WINDOW w AS (PARTITION BY region_id, stage ORDER BY since);

-- Each trigger adds a row's figures to its region and stage's from an hour on: the hour's row
-- first made from the one before it, then it and every later one changed. The old row stops
-- counting where the version kept of it ends (or, a row moved back in time, where it began); the
-- new one counts from its `updated_at`; a removed row stops now. (SQLite has one writer at a
-- time; PostgreSQL's writes to the tallies take turns by a lock.)
CREATE TRIGGER projects_tallied_insert AFTER INSERT ON projects
    WHEN NOT EXISTS (SELECT 1 FROM tallies_suspended)
BEGIN
    INSERT OR IGNORE INTO project_stage_tallies
        (region_id, stage, since, projects, total_investment, outside_investment)
    SELECT NEW.region_id, NEW.stage, h.since, COALESCE(l.projects, 0),
           COALESCE(l.total_investment, 0), COALESCE(l.outside_investment, 0)
    FROM (SELECT substr(NEW.updated_at, 1, 13) || ':00:00+00:00' AS since) h
    LEFT JOIN project_stage_tallies l ON l.region_id = NEW.region_id AND l.stage = NEW.stage
        AND l.since = (SELECT MAX(m.since) FROM project_stage_tallies m
                       WHERE m.region_id = NEW.region_id AND m.stage = NEW.stage
                       AND m.since < h.since)
    WHERE NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL;
    UPDATE project_stage_tallies
    SET projects = projects + 1, total_investment = total_investment + NEW.total_investment,
        outside_investment = outside_investment + NEW.outside_investment
    WHERE region_id = NEW.region_id AND stage = NEW.stage
        AND since >= substr(NEW.updated_at, 1, 13) || ':00:00+00:00' AND NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL;
END;

CREATE TRIGGER projects_tallied_update AFTER UPDATE ON projects
    WHEN NOT EXISTS (SELECT 1 FROM tallies_suspended)
     AND (OLD.region_id IS NOT NEW.region_id OR OLD.stage IS NOT NEW.stage
          OR OLD.total_investment IS NOT NEW.total_investment
          OR OLD.outside_investment IS NOT NEW.outside_investment
          OR (OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL) IS NOT (NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL)
          OR NEW.updated_at < OLD.updated_at)
BEGIN
    INSERT OR IGNORE INTO project_stage_tallies
        (region_id, stage, since, projects, total_investment, outside_investment)
    SELECT OLD.region_id, OLD.stage, h.since, COALESCE(l.projects, 0),
           COALESCE(l.total_investment, 0), COALESCE(l.outside_investment, 0)
    FROM (SELECT substr(max(OLD.updated_at, NEW.updated_at), 1, 13) || ':00:00+00:00' AS since) h
    LEFT JOIN project_stage_tallies l ON l.region_id = OLD.region_id AND l.stage = OLD.stage
        AND l.since = (SELECT MAX(m.since) FROM project_stage_tallies m
                       WHERE m.region_id = OLD.region_id AND m.stage = OLD.stage
                       AND m.since < h.since)
    WHERE OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL;
    UPDATE project_stage_tallies
    SET projects = projects - 1, total_investment = total_investment - OLD.total_investment,
        outside_investment = outside_investment - OLD.outside_investment
    WHERE region_id = OLD.region_id AND stage = OLD.stage
        AND since >= substr(max(OLD.updated_at, NEW.updated_at), 1, 13) || ':00:00+00:00' AND OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL;
    INSERT OR IGNORE INTO project_stage_tallies
        (region_id, stage, since, projects, total_investment, outside_investment)
    SELECT NEW.region_id, NEW.stage, h.since, COALESCE(l.projects, 0),
           COALESCE(l.total_investment, 0), COALESCE(l.outside_investment, 0)
    FROM (SELECT substr(NEW.updated_at, 1, 13) || ':00:00+00:00' AS since) h
    LEFT JOIN project_stage_tallies l ON l.region_id = NEW.region_id AND l.stage = NEW.stage
        AND l.since = (SELECT MAX(m.since) FROM project_stage_tallies m
                       WHERE m.region_id = NEW.region_id AND m.stage = NEW.stage
                       AND m.since < h.since)
    WHERE NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL;
    UPDATE project_stage_tallies
    SET projects = projects + 1, total_investment = total_investment + NEW.total_investment,
        outside_investment = outside_investment + NEW.outside_investment
    WHERE region_id = NEW.region_id AND stage = NEW.stage
        AND since >= substr(NEW.updated_at, 1, 13) || ':00:00+00:00' AND NEW.duplicate_of IS NULL AND NEW.withdrawn_at IS NULL;
END;

CREATE TRIGGER projects_tallied_delete AFTER DELETE ON projects
    WHEN NOT EXISTS (SELECT 1 FROM tallies_suspended)
BEGIN
    INSERT OR IGNORE INTO project_stage_tallies
        (region_id, stage, since, projects, total_investment, outside_investment)
    SELECT OLD.region_id, OLD.stage, h.since, COALESCE(l.projects, 0),
           COALESCE(l.total_investment, 0), COALESCE(l.outside_investment, 0)
    FROM (SELECT substr(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 1, 13) || ':00:00+00:00' AS since) h
    LEFT JOIN project_stage_tallies l ON l.region_id = OLD.region_id AND l.stage = OLD.stage
        AND l.since = (SELECT MAX(m.since) FROM project_stage_tallies m
                       WHERE m.region_id = OLD.region_id AND m.stage = OLD.stage
                       AND m.since < h.since)
    WHERE OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL;
    UPDATE project_stage_tallies
    SET projects = projects - 1, total_investment = total_investment - OLD.total_investment,
        outside_investment = outside_investment - OLD.outside_investment
    WHERE region_id = OLD.region_id AND stage = OLD.stage
        AND since >= substr(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 1, 13) || ':00:00+00:00' AND OLD.duplicate_of IS NULL AND OLD.withdrawn_at IS NULL;
END;
