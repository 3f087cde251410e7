ALTER TABLE findings DROP COLUMN refined_from;
ALTER TABLE scans DROP COLUMN fingerprint_version;
