-- A raw report chunk is stored as it came ('identity') or zstd-compressed ('zstd') when that
-- makes it smaller. Reading decodes it and checks the blob's SHA-256 of the original bytes, so
-- the evidence stays byte-exact; the write is far smaller (a JSON report shrinks about 8x).
ALTER TABLE blob_chunks ADD COLUMN encoding TEXT NOT NULL DEFAULT 'identity';

-- Evidence is append-only: the tables an import fills refuse DELETE, as on PostgreSQL (where
-- this also keeps the per-statement reference checks sound).
CREATE TRIGGER projects_no_delete BEFORE DELETE ON projects
BEGIN SELECT RAISE(ABORT, 'projects is evidence: rows are never deleted'); END;
CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
BEGIN SELECT RAISE(ABORT, 'scans is evidence: rows are never deleted'); END;
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN SELECT RAISE(ABORT, 'findings is evidence: rows are never deleted'); END;
CREATE TRIGGER components_no_delete BEFORE DELETE ON components
BEGIN SELECT RAISE(ABORT, 'components is evidence: rows are never deleted'); END;
