-- A recorded gate evaluation keeps references to what its reasons name (a finding's
-- fingerprint, a missing tool, a stale scan's id), not copies of the findings' text: an
-- evaluation of a release with huge titles must not copy them again on every call.
ALTER TABLE gate_evaluations ADD COLUMN reason_refs TEXT NOT NULL DEFAULT '[]';
UPDATE gate_evaluations SET reason_refs = COALESCE((
    SELECT json_group_array(CASE json_extract(r.value, '$.reason')
        WHEN 'missing_scan' THEN json_object('reason', 'missing_scan',
            'tool', json_extract(r.value, '$.tool'))
        WHEN 'stale_scan' THEN json_object('reason', 'stale_scan',
            'scan_id', json_extract(r.value, '$.scan_id'))
        ELSE json_object('reason', json_extract(r.value, '$.reason'),
            'fingerprint', json_extract(r.value, '$.fingerprint'))
        END)
    FROM json_each(gate_evaluations.reasons) AS r
), '[]');
ALTER TABLE gate_evaluations DROP COLUMN reasons;
