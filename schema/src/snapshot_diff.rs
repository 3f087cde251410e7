//! The diff a release's snapshot shows against the release before it, without holding either
//! release's findings: the counts of [`domain::diff`] and its first new and fixed findings,
//! from the two views spooled ([`crate::spooled`]) and read in their order. What stays in
//! memory is the two releases' finding ids and the lines kept.
//!
//! A finding is one fingerprint of the project in every release, and one finding id: the two
//! views are compared by id, which is what [`domain::diff`] does by fingerprint.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::spooled::{spool_error, spool_view_in};
use domain::{ScanId, ViewFinding};
use reports::{DiffLine, DiffSnapshot, Findings, ReportError};
use std::collections::{HashMap, HashSet};

fn id_of(f: &ViewFinding) -> Result<i64, ReportError> {
    f.finding_id
        .map(domain::FindingId::get)
        .ok_or_else(|| ReportError::Invalid(format!("finding {} has no id", f.fingerprint)))
}

/// The diff from release `previous` to the release whose view is `scans` and `findings`
/// (spooled), keeping the first `lines` new and fixed findings in the views' order (most
/// severe first), as [`domain::diff`] orders its entries.
pub(crate) fn snapshot_diff_in(
    conn: &mut DbConn,
    project: &str,
    previous: &str,
    scans: &[reports::ScanSnapshot],
    findings: &Findings,
    lines: usize,
    line: impl Fn(&ViewFinding) -> DiffLine,
) -> Result<DiffSnapshot, StoreError> {
    let before = spool_view_in(conn, project, previous, |_| {})?;
    let project_id = crate::catalog::project_id(conn, project)?;
    let refined = crate::identity::refined_of_project(conn, project_id)?;
    // Slots whose later scan is complete: only those can show a finding as fixed.
    let after_slots: HashSet<(&str, &str)> = scans
        .iter()
        .filter(|s| !s.partial)
        .map(|s| (s.tool.as_str(), s.label.as_str()))
        .collect();
    let slot_of: HashMap<ScanId, (&str, &str)> = before
        .scans
        .iter()
        .map(|s| (s.id, (s.tool.as_str(), s.label.as_str())))
        .collect();
    // The fingerprints a refined finding was told apart from, and which of them the earlier
    // release has.
    let merged: HashSet<&str> = refined.values().map(String::as_str).collect();
    let mut merged_before: HashSet<String> = HashSet::new();
    let mut before_ids: HashSet<i64> = HashSet::with_capacity(before.findings.len());
    before
        .findings
        .try_for_each(|f| {
            before_ids.insert(id_of(f)?);
            if merged.contains(f.fingerprint.as_str()) {
                merged_before.insert(f.fingerprint.clone());
            }
            Ok(())
        })
        .map_err(spool_error)?;

    let mut diff = DiffSnapshot {
        previous_release: previous.to_string(),
        new: 0,
        identity_refined: 0,
        still_open: 0,
        fixed: 0,
        not_rescanned: 0,
        new_findings: Vec::new(),
        fixed_findings: Vec::new(),
    };
    let mut after_ids: HashSet<i64> = HashSet::with_capacity(findings.len());
    findings
        .try_for_each(|f| {
            let id = id_of(f)?;
            after_ids.insert(id);
            if before_ids.contains(&id) {
                diff.still_open += 1;
            } else if refined
                .get(&f.fingerprint)
                .is_some_and(|m| merged_before.contains(m))
            {
                diff.identity_refined += 1;
            } else {
                diff.new += 1;
                if diff.new_findings.len() < lines {
                    diff.new_findings.push(line(f));
                }
            }
            Ok(())
        })
        .map_err(spool_error)?;
    drop(before_ids);
    before
        .findings
        .try_for_each(|f| {
            let id = id_of(f)?;
            if after_ids.contains(&id) {
                return Ok(());
            }
            let rescanned = slot_of
                .get(&f.scan_id)
                .is_some_and(|slot| after_slots.contains(slot));
            if rescanned {
                diff.fixed += 1;
                if diff.fixed_findings.len() < lines {
                    diff.fixed_findings.push(line(f));
                }
            } else {
                diff.not_rescanned += 1;
            }
            Ok(())
        })
        .map_err(spool_error)?;
    Ok(diff)
}
