-- Workload identity (issue 20): each CI job token (its issuer and `jti`) is exchanged once.
-- The primary key decides, so two replicas offered the same job token issue one ScanLedger
-- token between them. A row is kept while its job token could still be accepted (its `exp`
-- plus the clock skew allowed) and removed by a later exchange after that: it is a guard,
-- not evidence; the `token.exchange` audit event, which names the `jti` and the token, is
-- the record. Keep sqlite and postgres in step.
CREATE TABLE workload_exchanges (
    issuer TEXT NOT NULL,
    jti TEXT NOT NULL,
    keep_until TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX workload_exchanges_keep_until ON workload_exchanges (keep_until);
