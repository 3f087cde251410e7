-- The findings told apart from another (`refined_from` set) are few, read by every diff and
-- snapshot: without an index each read scanned the project's whole findings table (5.7 s of
-- a 1,000,000-finding seal). A partial index holds only those.
CREATE INDEX findings_refined ON findings (project_id, refined_from) WHERE refined_from IS NOT NULL;
