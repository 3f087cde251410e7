-- ScanLedger store, SQLite. Keep in step with ../../postgres (same tables, same columns).

CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sealed_at TIMESTAMP,
    sealed_by TEXT,
    UNIQUE (project_id, name)
);

-- Raw reports, byte-exact, content-addressed. Stored in the database in 1 MiB chunks so that an
-- import is one transaction and every server replica sees the same evidence.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);

CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE RESTRICT,
    tool TEXT NOT NULL,
    format TEXT NOT NULL,
    label TEXT NOT NULL,
    target TEXT,
    tool_version TEXT,
    scanned_at TEXT,
    blob_sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE RESTRICT,
    file_name TEXT,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL,
    finding_count BIGINT NOT NULL,
    duplicates_merged BIGINT NOT NULL,
    warnings TEXT NOT NULL,
    -- The report says it is incomplete (e.g. saved API pages short of paging.total): its
    -- absent findings are not taken as fixed.
    partial BOOLEAN NOT NULL DEFAULT FALSE,
    -- The same bytes in the same slot are one scan, also when two replicas upload at once.
    UNIQUE (release_id, tool, label, blob_sha256)
);
CREATE INDEX scans_slot ON scans (release_id, tool, label, id);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    fingerprint TEXT NOT NULL,
    fingerprint_version SMALLINT NOT NULL,
    tool TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    remediation TEXT,
    cwe TEXT NOT NULL,
    aliases TEXT NOT NULL,
    refs TEXT NOT NULL,
    component_name TEXT,
    component_purl TEXT,
    first_seen_scan_id BIGINT NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, fingerprint)
);

CREATE TABLE components (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    purl TEXT NOT NULL,
    name TEXT,
    version TEXT,
    UNIQUE (project_id, purl)
);

CREATE TABLE occurrences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE RESTRICT,
    component_id BIGINT REFERENCES components (id) ON DELETE RESTRICT,
    severity SMALLINT NOT NULL,
    severity_original TEXT,
    cvss TEXT,
    cvss_score DOUBLE,
    component_version TEXT,
    fixed_version TEXT,
    target TEXT,
    file TEXT,
    line_start BIGINT,
    line_end BIGINT,
    resource TEXT,
    url TEXT,
    parameter TEXT,
    layer TEXT,
    tool_status TEXT,
    UNIQUE (scan_id, finding_id)
);
CREATE INDEX occurrences_finding ON occurrences (finding_id);

-- Our triage decision for a finding (project + fingerprint): it follows the finding into every
-- later release. History and the audit log come with the triage issue.
CREATE TABLE triage (
    finding_id BIGINT PRIMARY KEY REFERENCES findings (id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    justification TEXT,
    approver TEXT,
    expires_at TIMESTAMP,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
