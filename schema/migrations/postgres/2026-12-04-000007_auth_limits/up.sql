-- Hardening (issue 16): failed passwords counted per source address too, and the sign-in
-- form's CSRF token bound to a pre-session kept here. Keep sqlite and postgres in step.

-- Failed passwords (web UI sign-in and API Basic alike) per source address, counted within a
-- window that starts at the first failure; enough of them lock the address for a while.
CREATE TABLE address_failures (
    address TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    first_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

-- A sign-in form handed out: the SHA-256 of its pre-session id (in a cookie) and the CSRF
-- token the form must send back. Used once; short-lived.
CREATE TABLE login_forms (
    id_sha256 TEXT PRIMARY KEY NOT NULL,
    csrf_token TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX login_forms_expiry ON login_forms (expires_at);
