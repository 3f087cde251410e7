DROP TRIGGER audit_events_no_delete ON audit_events;
DROP TRIGGER audit_events_no_update ON audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE gate_evaluations;
DROP TABLE policies;
DROP TABLE triage_events;
