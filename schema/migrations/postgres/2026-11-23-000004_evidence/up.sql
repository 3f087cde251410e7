-- Evidence: one signed bundle per sealed release. The zip itself is kept, byte-exact, in the
-- content-addressed blob store, so `scanledger bundle` writes the same bytes years later
-- whatever changed in the renderers or in triage since.
CREATE TABLE bundles (
    release_id BIGINT PRIMARY KEY REFERENCES releases (id) ON DELETE RESTRICT,
    -- SHA-256 of the zip (what the next bundle of the project chains to).
    sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE RESTRICT,
    size BIGINT NOT NULL,
    sha256sums_sha256 TEXT NOT NULL,
    -- The project's previously sealed bundle: the hash chain.
    previous_sha256 TEXT,
    manifest TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    key_id TEXT NOT NULL,
    -- The gate at the moment of sealing, and why a blocked release was sealed anyway.
    gate_passed BOOLEAN NOT NULL,
    gate TEXT NOT NULL,
    allow_blocked_reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX bundles_sha256 ON bundles (sha256);
