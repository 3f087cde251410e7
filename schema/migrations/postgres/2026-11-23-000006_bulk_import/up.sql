-- A raw report chunk is stored as it came ('identity') or zstd-compressed ('zstd') when that
-- makes it smaller. Reading decodes it and checks the blob's SHA-256 of the original bytes, so
-- the evidence stays byte-exact; the write is far smaller (a JSON report shrinks about 8x).
ALTER TABLE blob_chunks ADD COLUMN encoding TEXT NOT NULL DEFAULT 'identity';
-- The chunks are compressed already (or incompressible): spare PostgreSQL's own pglz attempt.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- PostgreSQL checks a foreign key row by row: one lookup and one row lock per inserted row,
-- three per occurrence. For a 100,000-finding import that was a quarter of the time. The tables
-- an import fills in bulk keep the same guarantee, checked once per statement over all of its
-- rows (a transition table), and the tables they refer to refuse DELETE and TRUNCATE: evidence
-- is append-only, so a reference that was valid stays valid. SQLite keeps its foreign keys
-- (its row checks are cheap).
ALTER TABLE occurrences
    DROP CONSTRAINT occurrences_scan_id_fkey,
    DROP CONSTRAINT occurrences_finding_id_fkey,
    DROP CONSTRAINT occurrences_component_id_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_project_id_fkey;
ALTER TABLE components DROP CONSTRAINT components_project_id_fkey;

CREATE FUNCTION occurrences_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.id = n.scan_id))
        OR EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = n.finding_id))
        OR EXISTS (SELECT 1 FROM new_rows n WHERE n.component_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM components c WHERE c.id = n.component_id)) THEN
        RAISE EXCEPTION 'occurrences refer to a scan, finding or component that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER occurrences_references_on_insert AFTER INSERT ON occurrences
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION occurrences_check_references();
CREATE TRIGGER occurrences_references_on_update AFTER UPDATE ON occurrences
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION occurrences_check_references();

CREATE FUNCTION project_rows_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = n.project_id)) THEN
        RAISE EXCEPTION '% refer to a project that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER findings_references_on_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rows_check_references();
CREATE TRIGGER findings_references_on_update AFTER UPDATE ON findings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rows_check_references();
CREATE TRIGGER components_references_on_insert AFTER INSERT ON components
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rows_check_references();
CREATE TRIGGER components_references_on_update AFTER UPDATE ON components
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rows_check_references();

CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is evidence: rows are never deleted', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER projects_no_delete BEFORE DELETE OR TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER scans_no_delete BEFORE DELETE OR TRUNCATE ON scans
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER findings_no_delete BEFORE DELETE OR TRUNCATE ON findings
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER components_no_delete BEFORE DELETE OR TRUNCATE ON components
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
