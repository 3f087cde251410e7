DROP INDEX occurrences_scan_severity;
DROP TABLE api_tokens;
DROP TABLE users;
