//! A release's current view for a snapshot, spooled instead of held: the findings are read from
//! the database a page at a time (each current scan's occurrences by finding id, a keyset
//! cursor), written to a temporary file as they come, and then written once more in the view's
//! order ([`crate::view::findings_of_scans`]: most severe first, then rule id, then
//! fingerprint; one row per finding, its most severe occurrence, lowest scan id among equals).
//! What stays in memory is a small sort key per finding (about 64 bytes), never the findings.
//!
//! `reports` then reads the spool again for each member of a bundle (`reports::spool`).

use crate::catalog::{current_scans, release, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::view::{ViewFinding, current_summaries, occurrences_page};
use domain::ScanId;
use reports::{Findings, SpoolSlot, SpoolWriter};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

/// Findings read from the database per query.
const PAGE: i64 = 2000;

/// The scans of a release's current view and its findings, spooled.
pub(crate) struct SpooledView {
    pub scans: Vec<crate::ScanSummary>,
    pub findings: Findings,
}

/// What orders one occurrence in the view.
#[derive(Clone, Copy)]
struct Entry {
    /// The first 16 bytes of the fingerprint, zero-padded, big-endian: orders as the text does
    /// where they differ; where they are equal, the fingerprints are read back to compare.
    fingerprint_prefix: u128,
    finding_id: i64,
    scan_id: i64,
    slot: SpoolSlot,
    /// Index into the release's distinct rule ids, then their rank in text order.
    rule: u32,
    severity: Reverse<importers::Severity>,
}

fn prefix(fingerprint: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let head = &fingerprint.as_bytes()[..fingerprint.len().min(16)];
    bytes[..head.len()].copy_from_slice(head);
    u128::from_be_bytes(bytes)
}

pub(crate) fn spool_error(e: reports::ReportError) -> StoreError {
    match e {
        reports::ReportError::Io(e) => StoreError::Io(e),
        e => StoreError::Internal(format!("spooling the findings: {e}")),
    }
}

/// The current view of a release, its findings spooled. `visit` sees each finding once, in
/// the view's order, for what the caller counts over them (SLA, audit subjects).
pub(crate) fn spool_view_in(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    visit: impl FnMut(&ViewFinding),
) -> Result<SpooledView, StoreError> {
    let rel = release(conn, project, release_name)?;
    let all = scans_of(conn, rel.id)?;
    let current = current_scans(&all);
    let labels: HashMap<ScanId, String> = current.iter().map(|s| (s.id, s.label.clone())).collect();
    let expected: i64 = current.iter().map(|s| s.finding_count.max(0)).sum();
    let mut entries: Vec<Entry> = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    let mut rules: HashMap<String, u32> = HashMap::new();
    let mut writer = SpoolWriter::new().map_err(spool_error)?;
    for scan in &current {
        let mut after = i64::MIN;
        loop {
            let page = occurrences_page(conn, scan.id, after, PAGE, &labels)?;
            let full = page.len() as i64 == PAGE;
            for f in &page {
                let finding_id = f.finding_id.map_or(0, domain::FindingId::get);
                after = finding_id;
                let next = rules.len() as u32;
                let rule = match rules.get(f.rule_id.as_str()) {
                    Some(rule) => *rule,
                    None => *rules.entry(f.rule_id.clone()).or_insert(next),
                };
                entries.push(Entry {
                    fingerprint_prefix: prefix(&f.fingerprint),
                    finding_id,
                    scan_id: f.scan_id.get(),
                    slot: writer.push(f).map_err(spool_error)?,
                    rule,
                    severity: Reverse(f.severity),
                });
            }
            if !full {
                break;
            }
        }
    }
    // A finding reported by two slots shows once, at its most severe (lowest scan id among
    // equals).
    if current.len() > 1 {
        entries.sort_unstable_by_key(|e| (e.finding_id, e.severity, e.scan_id));
        entries.dedup_by_key(|e| e.finding_id);
    }
    // Rule ids by rank in text order.
    let mut names: Vec<(String, u32)> = rules.into_iter().collect();
    names.sort_unstable();
    let mut rank = vec![0u32; names.len()];
    for (r, (_, index)) in names.iter().enumerate() {
        rank[*index as usize] = r as u32;
    }
    drop(names);
    for e in &mut entries {
        e.rule = rank[e.rule as usize];
    }
    entries.sort_unstable_by_key(|e| (e.severity, e.rule, e.fingerprint_prefix));
    // Where severity, rule and the fingerprint's first 16 bytes are all equal, the whole
    // fingerprints decide (one finding per fingerprint, so nothing is left equal).
    let mut start = 0;
    while start < entries.len() {
        let key = |e: &Entry| (e.severity, e.rule, e.fingerprint_prefix);
        let end = start
            + entries[start..]
                .iter()
                .take_while(|e| key(e) == key(&entries[start]))
                .count();
        if end - start > 1 {
            let mut run = Vec::with_capacity(end - start);
            for e in &entries[start..end] {
                let fingerprint = writer.read(e.slot).map_err(spool_error)?.fingerprint;
                run.push((fingerprint, *e));
            }
            run.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.scan_id.cmp(&b.1.scan_id)));
            for (place, (_, e)) in entries[start..end].iter_mut().zip(run) {
                *place = e;
            }
        }
        start = end;
    }
    let order: Vec<SpoolSlot> = entries.iter().map(|e| e.slot).collect();
    drop(entries);
    let spool = writer.finish_in(&order, visit).map_err(spool_error)?;
    Ok(SpooledView {
        scans: current_summaries(&current),
        findings: Findings::Spooled(Arc::new(spool)),
    })
}
