-- Web UI sign-in with an OpenID provider (issue 20). Keep sqlite and postgres in step.

-- A sign-in sent to the provider and not yet back: the SHA-256 of its id (in a cookie of the
-- browser that started it), the state, nonce and PKCE verifier it must come back with, and the
-- local path to return to. Kept here, not in a process, so any replica may take the callback;
-- taken (deleted) once.
CREATE TABLE oidc_logins (
    id_sha256 TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);

-- Which provider account a user is: the ID token's issuer and subject. A user row without
-- one is a local user; one with one has no usable password.
CREATE TABLE oidc_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    PRIMARY KEY (issuer, subject)
);
