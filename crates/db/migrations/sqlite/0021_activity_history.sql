-- Earlier versions of activities and of the units taking part in them, so that what a past day
-- counted (a month's report, a dashboard as of a day) reads each activity as it stood then: a
-- trip cancelled, moved to another month or given other units later still counts where it did.
-- A trigger copies the row to `activity_versions` whenever a write moves its `updated_at`, with
-- the units taking part until then (`activity_unit_versions`, keyed by the version's
-- `updated_at`): every write of an activity's units also writes the activity, first, so the
-- units copied are the version's own. Activities are never deleted (their units, leaders and
-- companies refer to them). Kept column-for-column identical to
-- ../postgres/0021_activity_history.sql (a test checks).

CREATE TABLE activity_versions (
    id               INTEGER NOT NULL,
    region_id        INTEGER NOT NULL,
    unit_id          INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    abroad           BOOLEAN NOT NULL,
    title            TEXT NOT NULL,
    place            TEXT NOT NULL,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    purpose          TEXT,
    outcome          TEXT,
    status           TEXT NOT NULL,
    status_reason    TEXT,
    registered_late  BOOLEAN NOT NULL,
    decided_by       INTEGER,
    decided_at       TEXT,
    search           TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_by       INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    valid_to         TEXT NOT NULL
);
CREATE INDEX activity_versions_idx ON activity_versions (valid_to, updated_at);
-- A county's past day reads its own activities' versions, not the province's.
CREATE INDEX activity_versions_region_idx ON activity_versions (region_id, starts_on);

CREATE TABLE activity_unit_versions (
    activity_id  INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    valid_to     TEXT NOT NULL
);
CREATE INDEX activity_unit_versions_idx ON activity_unit_versions (activity_id, valid_to);

-- Until now a past day counted an activity recorded by its end as it stands now. Each activity
-- written since it was recorded gets that as its first version, so every past day reads as it did.
INSERT INTO activity_versions (
    id, region_id, unit_id, kind, abroad, title, place, starts_on, ends_on, purpose, outcome,
    status, status_reason, registered_late, decided_by, decided_at, search, version, created_by,
    created_at, updated_at, valid_to)
SELECT id, region_id, unit_id, kind, abroad, title, place, starts_on, ends_on, purpose, outcome,
    status, status_reason, registered_late, decided_by, decided_at, search, version, created_by,
    created_at, created_at, updated_at
FROM activities WHERE created_at < updated_at;
INSERT INTO activity_unit_versions (activity_id, unit_id, updated_at, valid_to)
SELECT u.activity_id, u.unit_id, a.created_at, a.updated_at
FROM activity_units u JOIN activities a ON a.id = u.activity_id
WHERE a.created_at < a.updated_at;

CREATE TRIGGER activities_versioned_update AFTER UPDATE ON activities
    WHEN OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO activity_versions (
        id, region_id, unit_id, kind, abroad, title, place, starts_on, ends_on, purpose,
        outcome, status, status_reason, registered_late, decided_by, decided_at, search,
        version, created_by, created_at, updated_at, valid_to)
    VALUES (
        OLD.id, OLD.region_id, OLD.unit_id, OLD.kind, OLD.abroad, OLD.title, OLD.place,
        OLD.starts_on, OLD.ends_on, OLD.purpose, OLD.outcome, OLD.status, OLD.status_reason,
        OLD.registered_late, OLD.decided_by, OLD.decided_at, OLD.search, OLD.version,
        OLD.created_by, OLD.created_at, OLD.updated_at, NEW.updated_at);
    INSERT INTO activity_unit_versions (activity_id, unit_id, updated_at, valid_to)
    SELECT activity_id, unit_id, OLD.updated_at, NEW.updated_at
    FROM activity_units WHERE activity_id = OLD.id;
END;
