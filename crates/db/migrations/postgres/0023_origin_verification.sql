-- A fund a county sent with its evidence on file counted as verified from whenever the city
-- took it, and a later package that brought the evidence changed the flag in place: a past day's
-- "verified" figure changed with it. Now the city keeps when it learned the fund was verified at
-- its origin; as of a day, it counts verified only if that was by the day's end (funds marked
-- before this migration: from the time they were recorded). Kept column-for-column identical to
-- ../sqlite/0023_origin_verification.sql (a test checks).

ALTER TABLE project_funds ADD COLUMN origin_verified_at TIMESTAMPTZ;
UPDATE project_funds SET origin_verified_at = created_at WHERE verified_at_origin;
ALTER TABLE project_funds DROP COLUMN verified_at_origin;
