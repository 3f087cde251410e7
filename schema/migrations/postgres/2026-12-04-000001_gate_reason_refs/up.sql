-- A recorded gate evaluation keeps references to what its reasons name (a finding's
-- fingerprint, a missing tool, a stale scan's id), not copies of the findings' text: an
-- evaluation of a release with huge titles must not copy them again on every call.
ALTER TABLE gate_evaluations ADD COLUMN reason_refs TEXT NOT NULL DEFAULT '[]';
UPDATE gate_evaluations SET reason_refs = COALESCE((
    SELECT json_agg(CASE r.value ->> 'reason'
        WHEN 'missing_scan' THEN json_build_object('reason', 'missing_scan',
            'tool', r.value ->> 'tool')
        WHEN 'stale_scan' THEN json_build_object('reason', 'stale_scan',
            'scan_id', (r.value ->> 'scan_id')::BIGINT)
        ELSE json_build_object('reason', r.value ->> 'reason',
            'fingerprint', r.value ->> 'fingerprint')
        END ORDER BY r.n)::TEXT
    FROM json_array_elements(gate_evaluations.reasons::JSON) WITH ORDINALITY AS r (value, n)
), '[]');
ALTER TABLE gate_evaluations DROP COLUMN reasons;
