-- EPSS as the tool gave it with each occurrence (Snyk, Dependabot, Nessus): a probability and its
-- percentile, both in 0..1. It changes daily, so it belongs to the scan's occurrence, like the CVSS
-- score, never to the finding's identity.
ALTER TABLE occurrences ADD COLUMN epss DOUBLE;
ALTER TABLE occurrences ADD COLUMN epss_percentile DOUBLE;
