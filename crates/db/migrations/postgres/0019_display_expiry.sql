-- Display links expire: a link opens its screen through its last day (in the deployment's time
-- zone), and a lost address stops working by itself. Links made before get a year from the day
-- they were made. Kept column-for-column identical to ../sqlite/0019_display_expiry.sql.

ALTER TABLE display_links ADD COLUMN expires_on DATE;
UPDATE display_links SET expires_on = CAST(created_at + INTERVAL '365 days' AS DATE);
