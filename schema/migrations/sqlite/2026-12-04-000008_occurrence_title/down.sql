ALTER TABLE occurrences DROP COLUMN title;
