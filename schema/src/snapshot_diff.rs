//! The diff a release's snapshot shows against the release before it, without holding or
//! spooling either release's findings: the counts of [`domain::diff`] and its first new and
//! fixed findings.
//!
//! A finding is one fingerprint of the project in every release, and one finding id: the two
//! releases are compared by id, which is what [`domain::diff`] does by fingerprint.
//!
//! [`DiffCounter::read`] reads the release before in a light query (finding id, scan and
//! severity of each occurrence, no join) and finds its fixed findings against the finding ids
//! of the later release's current scans; the rule id and fingerprint are read only for the
//! fixed findings of the least severe level the reports' first lines reach, to order them,
//! and only those first lines are read whole. The later release's findings are then counted
//! one by one, in its view's order, as the snapshot spools them ([`DiffCounter::add`]). What
//! stays in memory is the earlier release's finding ids and, while it is read, the later one's
//! and an id, severity and scan per finding gone.

use crate::catalog::{current_scans, release, releases_of, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::sql::{Bind, Sql};
use crate::tables::{findings, occurrences};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, SmallInt};
use domain::{ScanId, ViewFinding};
use reports::{DiffLine, DiffSnapshot};
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// One occurrence of the earlier release, as much of it as the diff needs.
#[derive(QueryableByName)]
struct Occurrence {
    #[diesel(sql_type = BigInt)]
    finding_id: i64,
    #[diesel(sql_type = BigInt)]
    scan_id: i64,
    #[diesel(sql_type = SmallInt)]
    severity: i16,
}

/// A finding of the earlier release that the later one does not show: its row in the
/// earlier view is its most severe occurrence, lowest scan id among equals.
#[derive(Clone, Copy)]
struct Gone {
    finding_id: i64,
    severity: i16,
    scan_id: i64,
}

/// The diff against the release before, counted as the later release's findings go by.
pub(crate) struct DiffCounter {
    diff: DiffSnapshot,
    before_ids: HashSet<i64>,
    /// A refined finding's fingerprint, and the id of the finding it was told apart from.
    refined: HashMap<String, i64>,
    /// The findings refined ones were told apart from that the earlier release has.
    merged_before: HashSet<i64>,
    lines: usize,
}

impl DiffCounter {
    /// The release before `release_name` in its project, read for the diff; `None` when it
    /// is the project's first. `lines` is how many new and fixed findings to keep, `line`
    /// what each becomes.
    pub(crate) fn read(
        conn: &mut DbConn,
        project: &str,
        release_name: &str,
        lines: usize,
        line: impl Fn(&ViewFinding) -> DiffLine,
    ) -> Result<Option<DiffCounter>, StoreError> {
        let rel = release(conn, project, release_name)?;
        let Some(previous) = releases_of(conn, rel.project_id)?
            .into_iter()
            .rfind(|r| r.id < rel.id)
        else {
            return Ok(None);
        };
        let after_scans = scans_of(conn, rel.id)?;
        let after_current = current_scans(&after_scans);
        // Slots whose later scan is complete: only those can show a finding as fixed.
        let after_slots: HashSet<(&str, &str)> = after_current
            .iter()
            .filter(|s| !s.partial)
            .map(|s| (s.tool.as_str(), s.label.as_str()))
            .collect();
        let mut after_ids: HashSet<i64> = HashSet::new();
        for scan in &after_current {
            let ids: Vec<i64> = occurrences::table
                .filter(occurrences::scan_id.eq(scan.id.get()))
                .select(occurrences::finding_id)
                .load(conn)?;
            after_ids.extend(ids);
        }

        let before_scans = scans_of(conn, previous.id)?;
        let before_current = current_scans(&before_scans);
        let mut before_ids: HashSet<i64> = HashSet::new();
        let mut gone: HashMap<i64, Gone> = HashMap::new();
        for scan in &before_current {
            let mut sql = Sql::new();
            sql.push("SELECT finding_id, scan_id, severity FROM occurrences WHERE scan_id = ");
            sql.bind(Bind::Int(scan.id.get()));
            sql.for_each(conn, |o: Occurrence| {
                before_ids.insert(o.finding_id);
                if after_ids.contains(&o.finding_id) {
                    return Ok(());
                }
                // A finding two slots report shows once, at its most severe occurrence.
                let row = Gone {
                    finding_id: o.finding_id,
                    severity: o.severity,
                    scan_id: o.scan_id,
                };
                let rank = |g: &Gone| (Reverse(g.severity), g.scan_id);
                gone.entry(o.finding_id)
                    .and_modify(|g| {
                        if rank(&row) < rank(g) {
                            *g = row;
                        }
                    })
                    .or_insert(row);
                Ok(())
            })?;
        }
        drop(after_ids);
        let refined: HashMap<String, i64> = findings::table
            .filter(findings::project_id.eq(rel.project_id.get()))
            .filter(findings::refined_from.is_not_null())
            .select((
                findings::fingerprint,
                findings::refined_from.assume_not_null(),
            ))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect();
        let merged_before: HashSet<i64> = refined
            .values()
            .filter(|id| before_ids.contains(id))
            .copied()
            .collect();

        let mut diff = DiffSnapshot {
            previous_release: previous.name.clone(),
            new: 0,
            identity_refined: 0,
            still_open: 0,
            fixed: 0,
            not_rescanned: 0,
            new_findings: Vec::new(),
            fixed_findings: Vec::new(),
        };
        // Gone from a slot scanned again in full: fixed; else only not scanned again.
        let slot_of: HashMap<i64, (&str, &str)> = before_current
            .iter()
            .map(|s| (s.id.get(), (s.tool.as_str(), s.label.as_str())))
            .collect();
        let mut fixed: Vec<Gone> = Vec::new();
        for g in gone.into_values() {
            if slot_of
                .get(&g.scan_id)
                .is_some_and(|slot| after_slots.contains(slot))
            {
                fixed.push(g);
            } else {
                diff.not_rescanned += 1;
            }
        }
        diff.fixed = fixed.len() as u64;
        let labels: HashMap<ScanId, String> = before_current
            .iter()
            .map(|s| (s.id, s.label.clone()))
            .collect();
        for g in first_in_view_order(conn, fixed, lines)? {
            let f =
                crate::view::occurrence_of(conn, ScanId::new(g.scan_id), g.finding_id, &labels)?;
            diff.fixed_findings.push(line(&f));
        }
        Ok(Some(DiffCounter {
            diff,
            before_ids,
            refined,
            merged_before,
            lines,
        }))
    }

    /// Counts a finding of the later release; its findings come in its view's order.
    pub(crate) fn add(&mut self, f: &ViewFinding, line: impl Fn(&ViewFinding) -> DiffLine) {
        let id = f.finding_id.map_or(0, domain::FindingId::get);
        if self.before_ids.contains(&id) {
            self.diff.still_open += 1;
        } else if self
            .refined
            .get(&f.fingerprint)
            .is_some_and(|merged| self.merged_before.contains(merged))
        {
            self.diff.identity_refined += 1;
        } else {
            self.diff.new += 1;
            if self.diff.new_findings.len() < self.lines {
                self.diff.new_findings.push(line(f));
            }
        }
    }

    pub(crate) fn finish(self) -> DiffSnapshot {
        self.diff
    }
}

/// The first `lines` of the findings `gone` in their view's order: most severe first, then by rule
/// id, then by fingerprint. Only the findings of the least severe level that makes the cut
/// need their rule id and fingerprint read to be ordered.
fn first_in_view_order(
    conn: &mut DbConn,
    mut gone: Vec<Gone>,
    lines: usize,
) -> Result<Vec<Gone>, StoreError> {
    if lines == 0 || gone.is_empty() {
        return Ok(Vec::new());
    }
    gone.sort_unstable_by_key(|g| Reverse(g.severity));
    let cut = gone[lines.min(gone.len()) - 1].severity;
    gone.retain(|g| g.severity >= cut);
    let mut keyed: Vec<(Reverse<i16>, String, String, i64, Gone)> = Vec::with_capacity(gone.len());
    for chunk in gone.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|g| g.finding_id).collect();
        let names: HashMap<i64, (String, String)> = findings::table
            .filter(findings::id.eq_any(&ids))
            .select((findings::id, findings::rule_id, findings::fingerprint))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, rule, fingerprint)| (id, (rule, fingerprint)))
            .collect();
        for g in chunk {
            let (rule, fingerprint) = names.get(&g.finding_id).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("finding {} has no record", g.finding_id))
            })?;
            keyed.push((Reverse(g.severity), rule, fingerprint, g.scan_id, *g));
        }
    }
    keyed.sort_unstable_by(|a, b| (&a.0, &a.1, &a.2, a.3).cmp(&(&b.0, &b.1, &b.2, b.3)));
    Ok(keyed.into_iter().take(lines).map(|k| k.4).collect())
}
