DROP TRIGGER components_no_delete;
DROP TRIGGER findings_no_delete;
DROP TRIGGER scans_no_delete;
DROP TRIGGER projects_no_delete;
ALTER TABLE blob_chunks DROP COLUMN encoding;
