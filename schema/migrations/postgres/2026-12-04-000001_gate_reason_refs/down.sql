-- The references become the reasons again (the findings' text is not restored).
ALTER TABLE gate_evaluations ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
UPDATE gate_evaluations SET reasons = reason_refs;
ALTER TABLE gate_evaluations DROP COLUMN reason_refs;
