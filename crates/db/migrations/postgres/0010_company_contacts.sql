-- A company keeps a list of contacts (a JSON array of {name, title, phone, email}, read and
-- written whole) instead of one contact in three columns. Kept column-for-column identical to
-- ../sqlite/0010_company_contacts.sql (a test checks).

ALTER TABLE companies ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';

UPDATE companies
SET contacts = json_build_array(json_build_object(
    'name', coalesce(contact_name, ''),
    'title', coalesce(contact_title, ''),
    'phone', coalesce(contact_phone, ''),
    'email', ''))::text
WHERE contact_name IS NOT NULL OR contact_phone IS NOT NULL;

ALTER TABLE companies DROP COLUMN contact_name;
ALTER TABLE companies DROP COLUMN contact_title;
ALTER TABLE companies DROP COLUMN contact_phone;
