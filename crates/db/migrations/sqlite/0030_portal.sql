-- The public policy portal (M1): a policy is published with `policies.is_public` (there since
-- 0002); which of its tasks show their progress is each task's `is_public`, chosen by the
-- supervisor. Only approved reports are ever shown. Kept column-for-column identical to
-- ../postgres/0030_portal.sql (a test checks).

ALTER TABLE tasks ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX policies_public_idx ON policies (is_public, issued_on);
