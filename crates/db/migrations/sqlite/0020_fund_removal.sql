-- Funds recorded in error are taken back, not deleted: a past day's figures counted them, and a
-- report read again must give the same numbers. `removed_at` is when they were taken back; lists
-- and totals now leave them out, and as of an earlier day they count as they did. Kept
-- column-for-column identical to ../postgres/0020_fund_removal.sql (a test checks).

ALTER TABLE project_funds ADD COLUMN removed_at TEXT;
