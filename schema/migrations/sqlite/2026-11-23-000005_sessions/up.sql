-- Web UI sign-in sessions and the login-failure counter behind lockout. Keep sqlite and postgres
-- in step.

-- A signed-in browser. Only the SHA-256 of the session id (256 random bits) is kept, so a copy
-- of the database does not let anyone take over a session. The CSRF token is bound to the
-- session and rotates with it.
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins per user name (known or not), for the lockout.
CREATE TABLE login_failures (
    name TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
