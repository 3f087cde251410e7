DROP TRIGGER components_no_delete ON components;
DROP TRIGGER findings_no_delete ON findings;
DROP TRIGGER scans_no_delete ON scans;
DROP TRIGGER projects_no_delete ON projects;
DROP FUNCTION evidence_append_only();
DROP TRIGGER components_references_on_update ON components;
DROP TRIGGER components_references_on_insert ON components;
DROP TRIGGER findings_references_on_update ON findings;
DROP TRIGGER findings_references_on_insert ON findings;
DROP FUNCTION project_rows_check_references();
DROP TRIGGER occurrences_references_on_update ON occurrences;
DROP TRIGGER occurrences_references_on_insert ON occurrences;
DROP FUNCTION occurrences_check_references();
ALTER TABLE components ADD CONSTRAINT components_project_id_fkey
    FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE RESTRICT;
ALTER TABLE findings ADD CONSTRAINT findings_project_id_fkey
    FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE RESTRICT;
ALTER TABLE occurrences
    ADD CONSTRAINT occurrences_component_id_fkey FOREIGN KEY (component_id) REFERENCES components (id) ON DELETE RESTRICT,
    ADD CONSTRAINT occurrences_finding_id_fkey FOREIGN KEY (finding_id) REFERENCES findings (id) ON DELETE RESTRICT,
    ADD CONSTRAINT occurrences_scan_id_fkey FOREIGN KEY (scan_id) REFERENCES scans (id) ON DELETE CASCADE;
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTENDED;
ALTER TABLE blob_chunks DROP COLUMN encoding;
