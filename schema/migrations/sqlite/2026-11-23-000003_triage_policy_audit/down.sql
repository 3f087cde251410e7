DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE gate_evaluations;
DROP TABLE policies;
DROP TABLE triage_events;
