//! The SLA view of a project: open findings by age against the policy's days per severity
//! (counted from when the project first saw the finding), breaches, and the mean time to
//! remediate per severity over the last releases. Also the release's acceptances with their
//! approvers, for the evidence bundle.

use crate::catalog::{current_scans, project_id, release, releases_of, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::policy::{Policy, SlaPolicy, active_policy};
use crate::tables::{findings, occurrences};
use crate::tx::read_tx;
use crate::view::{ReleaseView, ViewFinding, release_view_in};
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
pub use domain::SlaItem;
use domain::{ReleaseId, ScanId, TriageStatus};
use importers::Severity;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Open findings and breaches of one severity.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaSummary {
    pub severity: Severity,
    pub sla_days: Option<u32>,
    pub open: u64,
    pub breached: u64,
}

/// Mean time to remediate one severity: from first seen to the scan that no longer reported it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MttrEntry {
    pub severity: Severity,
    pub fixed: u64,
    pub mean_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaReport {
    pub project: String,
    pub release: String,
    pub policy_version: Option<i64>,
    pub at: NaiveDateTime,
    pub sla: SlaPolicy,
    pub summary: Vec<SlaSummary>,
    pub breaches: u64,
    /// Open findings, breached first, then by due date.
    pub items: Vec<SlaItem>,
    /// The releases the mean time to remediate covers, oldest first.
    pub mttr_releases: Vec<String>,
    pub mttr: Vec<MttrEntry>,
}

/// A risk acceptance in a release's current view.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub justification: Option<String>,
    pub approver: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub decided_by: String,
    pub decided_at: NaiveDateTime,
    pub expired: bool,
}

/// What the mean time to remediate needs of a release's current view, and no more: each
/// finding's most severe occurrence (severity and scan, lowest scan id among equals, as the
/// view picks it) and the slots of the current scans. 24 bytes per finding in a sorted vector
/// instead of whole findings (or a hash map, three times that), so MTTR over ten releases of
/// 1,000,000 findings stays cheap: [`sla_in`] holds two of them at a time.
struct ThinView {
    /// Current scan id → (tool, label, uploaded at).
    scans: HashMap<ScanId, (String, String, NaiveDateTime)>,
    /// (finding id, severity rank, scan id) by finding id, one per finding.
    findings: Vec<(i64, i16, i64)>,
}

impl ThinView {
    fn of_release(conn: &mut DbConn, release_id: ReleaseId) -> Result<ThinView, StoreError> {
        let all = scans_of(conn, release_id)?;
        let current = current_scans(&all);
        let ids: Vec<i64> = current.iter().map(|s| s.id.get()).collect();
        let mut findings: Vec<(i64, i16, i64)> = Vec::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, i16, i64)> = occurrences::table
                .filter(occurrences::scan_id.eq_any(chunk))
                .select((
                    occurrences::finding_id,
                    occurrences::severity,
                    occurrences::scan_id,
                ))
                .load(conn)?;
            if findings.is_empty() {
                findings = rows;
            } else {
                findings.extend(rows);
            }
        }
        // Each finding's most severe occurrence first, lowest scan id among equals; then one
        // per finding.
        findings.sort_unstable_by_key(|&(finding, severity, scan)| {
            (finding, std::cmp::Reverse(severity), scan)
        });
        findings.dedup_by_key(|(finding, _, _)| *finding);
        findings.shrink_to_fit();
        Ok(ThinView {
            scans: current
                .iter()
                .map(|s| (s.id, (s.tool.clone(), s.label.clone(), s.uploaded_at)))
                .collect(),
            findings,
        })
    }

    fn of_view(view: &ReleaseView) -> ThinView {
        let mut findings: Vec<(i64, i16, i64)> = view
            .findings
            .iter()
            .map(|f| {
                (
                    f.finding_id.map_or(0, domain::FindingId::get),
                    f.severity.rank(),
                    f.scan_id.get(),
                )
            })
            .collect();
        // The view has one row per finding already.
        findings.sort_unstable_by_key(|&(finding, _, _)| finding);
        ThinView {
            scans: view
                .scans
                .iter()
                .map(|s| (s.id, (s.tool.clone(), s.label.clone(), s.uploaded_at)))
                .collect(),
            findings,
        }
    }

    fn has(&self, finding: i64) -> bool {
        self.findings
            .binary_search_by_key(&finding, |&(id, _, _)| id)
            .is_ok()
    }
}

/// The findings `before` has and the release after it (`after`) does not, where `after`
/// rescanned the finding's slot: (finding id, severity, when the rescan was uploaded).
fn fixed_between(before: &ThinView, after: &ThinView) -> Vec<(i64, Severity, NaiveDateTime)> {
    let after_slots: HashMap<(&str, &str), NaiveDateTime> = after
        .scans
        .values()
        .map(|(tool, label, at)| ((tool.as_str(), label.as_str()), *at))
        .collect();
    let mut fixed = Vec::new();
    for &(finding, severity, scan) in &before.findings {
        if after.has(finding) {
            continue;
        }
        let fixed_at = before
            .scans
            .get(&ScanId::new(scan))
            .and_then(|(tool, label, _)| after_slots.get(&(tool.as_str(), label.as_str())));
        if let Some(fixed_at) = fixed_at {
            fixed.push((finding, Severity::from_rank(severity), *fixed_at));
        }
    }
    fixed
}

/// Fixed findings between consecutive releases (from [`fixed_between`]): (severity, days
/// from first seen to fixed).
fn remediations(
    conn: &mut DbConn,
    mut fixed: Vec<(i64, Severity, NaiveDateTime)>,
) -> Result<Vec<(Severity, f64)>, StoreError> {
    // A fixed order, so the means come out the same to the last bit every time.
    fixed.sort_by_key(|(id, _, at)| (*at, *id));
    let mut first_seen: HashMap<i64, NaiveDateTime> = HashMap::new();
    let ids: Vec<i64> = fixed.iter().map(|(id, _, _)| *id).collect();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(i64, NaiveDateTime)> = findings::table
            .filter(findings::id.eq_any(chunk))
            .select((findings::id, findings::first_seen_at))
            .load(conn)?;
        first_seen.extend(rows);
    }
    Ok(fixed
        .into_iter()
        .filter_map(|(id, severity, fixed_at)| {
            let seen = first_seen.get(&id)?;
            let days = (fixed_at - *seen).num_seconds() as f64 / 86_400.0;
            Some((severity, days.max(0.0)))
        })
        .collect())
}

/// What a reader that saw the current release's findings one at a time (a spooled snapshot)
/// keeps for its SLA: the counts per severity, and only the breached items.
#[derive(Debug, Default)]
pub(crate) struct SlaTally {
    breached: Vec<domain::SlaItem>,
    open: BTreeMap<Severity, u64>,
    breaches: BTreeMap<Severity, u64>,
}

impl SlaTally {
    /// Counts `f` if it counts against the SLA at `at`; findings come in the view's order.
    pub(crate) fn add(&mut self, f: &ViewFinding, policy: &Policy, at: NaiveDateTime) {
        let Some(item) = domain::sla_item(f, policy, at) else {
            return;
        };
        *self.open.entry(item.severity).or_default() += 1;
        if item.breached {
            *self.breaches.entry(item.severity).or_default() += 1;
            self.breached.push(item);
        }
    }
}

/// The current release's findings, as [`sla_in`] gets them.
pub(crate) enum CurrentFindings {
    /// Read them (the release view).
    Load,
    /// Counted as they were spooled: the report's items are then the breached ones only.
    Tally(SlaTally),
}

pub(crate) fn sla_in(
    conn: &mut DbConn,
    project: &str,
    release_name: Option<&str>,
    last_releases: usize,
    at: NaiveDateTime,
    current_findings: CurrentFindings,
) -> Result<SlaReport, StoreError> {
    let pid = project_id(conn, project)?;
    let all = releases_of(conn, pid)?;
    let current = match release_name {
        Some(name) => release(conn, project, name)?,
        None => all
            .last()
            .cloned()
            .ok_or_else(|| StoreError::not_found("release", format!("{project}/(latest)")))?,
    };
    let (policy_version, policy) = match active_policy(conn, pid)? {
        Some((v, p)) => (Some(v), p),
        None => (None, Policy::default()),
    };
    let upto: Vec<_> = all.iter().filter(|r| r.id <= current.id).collect();
    let from = upto.len().saturating_sub(last_releases.max(1) + 1);
    // The current release in full (its open findings are the SLA items); the ones before it
    // only as much as the mean time to remediate needs, two at a time.
    let mut fixed = Vec::new();
    let mut before: Option<ThinView> = None;
    let mut follow = |before: &mut Option<ThinView>, next: ThinView| {
        if let Some(before) = before.as_ref() {
            fixed.extend(fixed_between(before, &next));
        }
        *before = Some(next);
    };
    for r in &upto[from..] {
        if r.id != current.id {
            follow(&mut before, ThinView::of_release(conn, r.id)?);
        }
    }
    let count = |items: &[domain::SlaItem], severity: Severity, breached: bool| {
        items
            .iter()
            .filter(|i| i.severity == severity && (i.breached || !breached))
            .count() as u64
    };
    let (items, open, breached): (Vec<domain::SlaItem>, Vec<u64>, Vec<u64>) = match current_findings
    {
        CurrentFindings::Tally(mut tally) => {
            // Without releases before it, the current one remediates nothing.
            if before.is_some() {
                follow(&mut before, ThinView::of_release(conn, current.id)?);
            }
            domain::sort_sla_items(&mut tally.breached);
            let get = |m: &BTreeMap<Severity, u64>, s: &Severity| m.get(s).copied().unwrap_or(0);
            (
                tally.breached,
                Severity::DESCENDING
                    .iter()
                    .map(|s| get(&tally.open, s))
                    .collect(),
                Severity::DESCENDING
                    .iter()
                    .map(|s| get(&tally.breaches, s))
                    .collect(),
            )
        }
        CurrentFindings::Load => {
            let view = release_view_in(conn, project, &current.name)?;
            follow(&mut before, ThinView::of_view(&view));
            let items = domain::sla_items(&view.findings, &policy, at);
            let open = Severity::DESCENDING
                .iter()
                .map(|s| count(&items, *s, false))
                .collect();
            let breached = Severity::DESCENDING
                .iter()
                .map(|s| count(&items, *s, true))
                .collect();
            (items, open, breached)
        }
    };
    let summary = Severity::DESCENDING
        .iter()
        .zip(open.iter().zip(&breached))
        .map(|(&severity, (&open, &breached))| SlaSummary {
            severity,
            sla_days: policy.sla.days(severity),
            open,
            breached,
        })
        .collect();
    let breaches = breached.iter().sum();
    let mut by_severity: BTreeMap<Severity, Vec<f64>> = BTreeMap::new();
    drop(before);
    for (severity, days) in remediations(conn, fixed)? {
        by_severity.entry(severity).or_default().push(days);
    }
    let mttr = Severity::DESCENDING
        .iter()
        .map(|&severity| {
            let days = by_severity.get(&severity);
            MttrEntry {
                severity,
                fixed: days.map_or(0, |d| d.len() as u64),
                mean_days: days
                    .filter(|d| !d.is_empty())
                    .map(|d| d.iter().sum::<f64>() / d.len() as f64),
            }
        })
        .collect();
    Ok(SlaReport {
        project: project.to_string(),
        release: current.name.clone(),
        policy_version,
        at,
        sla: policy.sla.clone(),
        breaches,
        items,
        mttr_releases: upto[from..].iter().map(|r| r.name.clone()).collect(),
        summary,
        mttr,
    })
}

impl Store {
    /// The SLA view of a project at a release (the latest when `None`), as of `at` (now when
    /// `None`); the mean time to remediate covers the last `last_releases` release changes.
    pub fn sla(
        &self,
        project: &str,
        release: Option<&str>,
        last_releases: usize,
        at: Option<NaiveDateTime>,
    ) -> Result<SlaReport, StoreError> {
        let mut conn = self.conn()?;
        let at = at.unwrap_or_else(now);
        read_tx(&mut conn, |c| {
            sla_in(
                c,
                project,
                release,
                last_releases,
                at,
                CurrentFindings::Load,
            )
        })
    }

    /// The risk acceptances in a release's current view, with approvers and expiry.
    pub fn acceptances(
        &self,
        project: &str,
        release: &str,
        at: Option<NaiveDateTime>,
    ) -> Result<Vec<Acceptance>, StoreError> {
        let at = at.unwrap_or_else(now);
        let mut conn = self.conn()?;
        let view = read_tx(&mut conn, |c| release_view_in(c, project, release))?;
        Ok(view
            .findings
            .iter()
            .filter(|f| f.status == TriageStatus::Accepted)
            .filter_map(|f| {
                let d = f.decision.as_ref()?;
                Some(Acceptance {
                    fingerprint: f.fingerprint.clone(),
                    rule_id: f.rule_id.clone(),
                    title: f.title.clone(),
                    severity: f.severity,
                    justification: d.justification.clone(),
                    approver: d.approver.clone(),
                    expires_at: d.expires_at,
                    decided_by: d.decided_by.clone(),
                    decided_at: d.decided_at,
                    expired: d.expires_at.is_some_and(|e| e <= at),
                })
            })
            .collect())
    }
}
