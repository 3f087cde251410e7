//! Identity refined: the findings an import tells apart that an older fingerprint version had
//! merged.
//!
//! Fingerprint version 2 (`importers::identity`) gives results that share a fingerprint at
//! distinct lines an ordinal each, and version 3 does the same for distinct columns on one
//! line; the first place keeps the older fingerprint, so its finding keeps its id, history and
//! triage. The others are new rows. When the previous scan of the same slot was identified by a
//! version older than the one that made the split ([`Refinement::since_version`]) and showed the
//! shared fingerprint, those rows are not new problems but parts of that merged finding now seen
//! on their own: they are marked `refined_from` it, and the diff says "identity refined" for
//! them instead of "new". A split the previous scan's version made too is new as usual.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::tables::*;
use diesel::prelude::*;
use domain::{FindingId, ProjectId, ReleaseId, ScanId};
use importers::Refinement;
use std::collections::{HashMap, HashSet};

/// The just-imported scan, as far as refining needs it.
pub(crate) struct ImportedSlot<'a> {
    pub project_id: ProjectId,
    pub release_id: ReleaseId,
    pub scan_id: ScanId,
    pub tool: &'a str,
    pub label: &'a str,
}

/// Marks the rows this scan created for `refinements` as refined from the version-1 finding
/// they were merged into. Returns how many were marked.
pub(crate) fn mark_refined(
    conn: &mut DbConn,
    slot: &ImportedSlot<'_>,
    refinements: &[Refinement],
) -> Result<u64, StoreError> {
    if refinements.is_empty() {
        return Ok(0);
    }
    // The previous scan of the slot, and the version that identified its findings.
    let previous: Option<(i64, i16)> = scans::table
        .inner_join(releases::table)
        .filter(releases::project_id.eq(slot.project_id.get()))
        .filter(releases::id.le(slot.release_id.get()))
        .filter(scans::id.ne(slot.scan_id.get()))
        .filter(scans::tool.eq(slot.tool))
        .filter(scans::label.eq(slot.label))
        .order((releases::id.desc(), scans::id.desc()))
        .select((scans::id, scans::fingerprint_version))
        .first(conn)
        .optional()?;
    let Some((previous_scan, previous_version)) = previous else {
        return Ok(0);
    };
    // Only splits that the previous scan's version did not make yet are refinements; a split
    // it made already (a second line under version 2) is as new as any other finding.
    let refinements: Vec<&Refinement> = refinements
        .iter()
        .filter(|r| r.since_version > previous_version)
        .collect();
    if refinements.is_empty() {
        return Ok(0);
    }
    let mut marked = 0;
    for chunk in refinements.chunks(500) {
        let bases: Vec<&str> = chunk.iter().map(|r| r.base.as_str()).collect();
        // The merged findings: the bases the previous scan showed.
        let merged: HashMap<String, FindingId> = findings::table
            .inner_join(occurrences::table)
            .filter(findings::project_id.eq(slot.project_id.get()))
            .filter(findings::fingerprint.eq_any(&bases))
            .filter(occurrences::scan_id.eq(previous_scan))
            .select((findings::fingerprint, findings::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(fingerprint, id)| (fingerprint, FindingId::new(id)))
            .collect();
        let mut done: HashSet<&str> = HashSet::new();
        for refinement in chunk.iter().copied() {
            let Some(base) = merged.get(&refinement.base) else {
                continue;
            };
            if !done.insert(refinement.fingerprint.as_str()) {
                continue;
            }
            marked += diesel::update(findings::table)
                .filter(findings::project_id.eq(slot.project_id.get()))
                .filter(findings::fingerprint.eq(&refinement.fingerprint))
                .filter(findings::first_seen_scan_id.eq(slot.scan_id.get()))
                .filter(findings::refined_from.is_null())
                .set(findings::refined_from.eq(base.get()))
                .execute(conn)? as u64;
        }
    }
    Ok(marked)
}

/// The project's refined findings: each one's fingerprint and the fingerprint of the finding it
/// was refined from.
pub(crate) fn refined_of_project(
    conn: &mut DbConn,
    project_id: ProjectId,
) -> Result<HashMap<String, String>, StoreError> {
    let (part, merged) = diesel::alias!(findings as part, findings as merged);
    Ok(part
        .inner_join(
            merged.on(part
                .field(findings::refined_from)
                .eq(merged.field(findings::id).nullable())),
        )
        .filter(part.field(findings::project_id).eq(project_id.get()))
        .filter(part.field(findings::refined_from).is_not_null())
        .select((
            part.field(findings::fingerprint),
            merged.field(findings::fingerprint),
        ))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
