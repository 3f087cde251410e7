-- Triage history, versioned policies, gate evaluations and the hash-chained audit log. SQLite.
-- Keep in step with ../../postgres (same tables, same columns).

-- Every triage decision ever made, oldest first; `triage` holds the current one.
CREATE TABLE triage_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE RESTRICT,
    previous_status TEXT,
    status TEXT NOT NULL,
    justification TEXT,
    approver TEXT,
    expires_at TIMESTAMP,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    -- `cli`, `bulk`, `vex:<document id>`: how the decision was made.
    source TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX triage_events_finding ON triage_events (finding_id, id);

-- Policy versions per project: the TOML text as written (comments kept), numbered from 1.
-- The newest version is the active one.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, version)
);

-- Every gate evaluation: which policy version decided, and why.
CREATE TABLE gate_evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE RESTRICT,
    policy_version BIGINT,
    passed BOOLEAN NOT NULL,
    reasons TEXT NOT NULL,
    evaluated_by TEXT NOT NULL,
    evaluated_at TIMESTAMP NOT NULL
);
CREATE INDEX gate_evaluations_release ON gate_evaluations (release_id, id);

-- The audit log: append-only, hash-chained. `prev_hash` is the SHA-256 of the previous event's
-- canonical form (64 zeros for the first event), `hash` the SHA-256 of this event's.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    project TEXT,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_project ON audit_events (project, seq);

-- The chain head: the last event's number and hash. Appends lock and move it, so two writers
-- never fork the chain, and deleting the newest events is detected.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the application never updates or deletes an event. Whoever drops these triggers
-- to edit history is still caught by `scanledger audit verify`.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
