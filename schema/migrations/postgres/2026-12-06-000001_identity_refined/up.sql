-- Fingerprint version 2 tells apart results of one report that share a fingerprint at distinct
-- places (importers/src/identity.rs); version 1 merged them. A scan records the version that
-- identified its findings, and a finding split off a version-1 finding by the first version-2
-- scan of the same slot names the finding it was merged into, so the diff can say "identity
-- refined" instead of "new". Scans stored before this change were identified by version 1.
-- `refined_from` has no foreign key: findings are never deleted (a trigger refuses it), and
-- SQLite cannot drop a column that has one.
ALTER TABLE scans ADD COLUMN fingerprint_version SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE findings ADD COLUMN refined_from BIGINT;
