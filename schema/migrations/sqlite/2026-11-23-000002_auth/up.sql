-- Users, API tokens and the index the paginated findings list needs. SQLite; keep in step with
-- ../../postgres.

-- People who log in with a password (HTTP Basic). The hash is an argon2 PHC string.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    -- NULL: every project.
    project_id BIGINT REFERENCES projects (id) ON DELETE RESTRICT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    disabled_at TIMESTAMP
);

-- Bearer tokens for CI and scripts. The secret is 256 random bits, shown once; only its SHA-256
-- is kept (a fast hash is right for a random secret), plus a prefix to recognize it by.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    -- NULL: every project.
    project_id BIGINT REFERENCES projects (id) ON DELETE RESTRICT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);

-- The findings list of a release: occurrences of the current scans, most severe first.
CREATE INDEX occurrences_scan_severity ON occurrences (scan_id, severity, finding_id);
