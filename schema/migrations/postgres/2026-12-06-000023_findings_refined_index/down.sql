DROP INDEX findings_refined;
