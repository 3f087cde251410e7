-- A project's control mapping (which evidence supports which SOC 2 / ISO 27001 criterion,
-- docs/CONTROLS.md), versioned like its policy: numbered per project from 1, the newest
-- active, the text kept as it was set. SQLite. Keep in step with ../../postgres.
CREATE TABLE control_mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, version)
);
