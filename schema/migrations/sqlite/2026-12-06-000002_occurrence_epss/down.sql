ALTER TABLE occurrences DROP COLUMN epss_percentile;
ALTER TABLE occurrences DROP COLUMN epss;
