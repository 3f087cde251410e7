//! The current view of a release (the newest scan of each slot, with triage) and the diff
//! between two releases.

use crate::Store;
use crate::catalog::{current_scans, release, releases_of, row_ids, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::models::ScanRow;
use crate::tables::*;
use crate::tx::read_tx;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use importers::{Kind, Severity};
use serde::Serialize;

pub use domain::{Decision, Diff, DiffChange, DiffEntry, ViewFinding};
use domain::{FindingId, ScanId, TriageStatus};

/// A kind as stored: one the store wrote, so one it cannot read is corrupt data.
pub(crate) fn stored_kind(s: &str) -> Result<Kind, StoreError> {
    Kind::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("stored finding kind {s:?} is unknown")))
}

/// A triage status as stored (see [`stored_kind`]).
pub(crate) fn stored_status(s: &str) -> Result<TriageStatus, StoreError> {
    TriageStatus::parse(s)
        .map_err(|_| StoreError::Corrupt(format!("stored triage status {s:?} is unknown")))
}
use std::collections::{BTreeMap, HashMap};

/// Which findings to show. Empty lists mean "all".
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub severities: Vec<Severity>,
    pub min_severity: Option<Severity>,
    pub kinds: Vec<Kind>,
    /// The tool's finer class within a kind (SonarQube `code_smell`, `bug`, ...).
    pub categories: Vec<String>,
    pub tools: Vec<String>,
    pub statuses: Vec<TriageStatus>,
    /// Case-insensitive text in title, rule id, component or file.
    pub text: Option<String>,
}

impl FindingFilter {
    pub(crate) fn keeps(&self, f: &ViewFinding) -> bool {
        (self.severities.is_empty() || self.severities.contains(&f.severity))
            && self.min_severity.is_none_or(|min| f.severity >= min)
            && (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && (self.categories.is_empty()
                || self
                    .categories
                    .iter()
                    .any(|c| Some(c.as_str()) == f.category.as_deref()))
            && (self.tools.is_empty() || self.tools.iter().any(|t| t.eq_ignore_ascii_case(&f.tool)))
            && (self.statuses.is_empty() || self.statuses.contains(&f.status))
            && self.text.as_deref().is_none_or(|needle| {
                let needle = needle.to_lowercase();
                [
                    Some(&f.title),
                    Some(&f.rule_id),
                    f.component.as_ref(),
                    f.file.as_ref(),
                    f.url.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|hay| hay.to_lowercase().contains(&needle))
            })
    }
}

/// A release's current view.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseView {
    pub project: String,
    pub release: String,
    pub sealed: bool,
    /// The scans that make the view: the newest of each slot.
    pub scans: Vec<crate::ScanSummary>,
    /// Most severe first, then by rule and location.
    pub findings: Vec<ViewFinding>,
}

impl ReleaseView {
    pub fn counts_by_severity(&self) -> BTreeMap<Severity, u64> {
        let mut counts = BTreeMap::new();
        for f in &self.findings {
            *counts.entry(f.severity).or_default() += 1;
        }
        counts
    }
}

type Row = (
    (
        i64,
        i16,
        Option<String>,
        Option<f64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    (
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        Option<String>,
    ),
    (
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        NaiveDateTime,
    ),
    Option<TriageCols>,
    (Option<f64>, Option<f64>),
);

type TriageCols = (
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    String,
    NaiveDateTime,
);

/// The occurrences of a release's findings joined with their finding and triage, selected as
/// a [`Row`]: callers add their filter, order and limit.
macro_rules! occurrence_rows {
    () => {
        occurrences::table
            .inner_join(findings::table)
            .left_join(triage::table.on(triage::finding_id.eq(findings::id)))
            .select((
                (
                    occurrences::finding_id,
                    occurrences::severity,
                    occurrences::severity_original,
                    occurrences::cvss_score,
                    occurrences::component_version,
                    occurrences::fixed_version,
                    occurrences::target,
                    occurrences::file,
                ),
                (
                    occurrences::line_start,
                    occurrences::line_end,
                    occurrences::resource,
                    occurrences::url,
                    occurrences::parameter,
                    occurrences::tool_status,
                    occurrences::scan_id,
                    occurrences::title,
                ),
                (
                    findings::id,
                    findings::fingerprint,
                    findings::kind,
                    findings::category,
                    findings::rule_id,
                    findings::title,
                    findings::tool,
                    findings::cwe,
                    findings::component_name,
                    findings::component_purl,
                    findings::first_seen_at,
                ),
                (
                    triage::status,
                    triage::justification,
                    triage::approver,
                    triage::expires_at,
                    triage::decided_by,
                    triage::decided_at,
                )
                    .nullable(),
                (occurrences::epss, occurrences::epss_percentile),
            ))
    };
}

/// One occurrence of one scan, up to `limit`, after finding id `after`, by finding id: a page
/// of a scan's findings for a reader that cannot hold them all (the spooled snapshot).
pub(crate) fn occurrences_page(
    conn: &mut DbConn,
    scan_id: ScanId,
    after: i64,
    limit: i64,
    labels: &HashMap<ScanId, String>,
) -> Result<Vec<ViewFinding>, StoreError> {
    let rows: Vec<Row> = occurrence_rows!()
        .filter(occurrences::scan_id.eq(scan_id.get()))
        .filter(occurrences::finding_id.gt(after))
        .order(occurrences::finding_id.asc())
        .limit(limit)
        .load(conn)?;
    rows.into_iter().map(|r| view_finding(r, labels)).collect()
}

/// One finding's occurrence in one scan, as a view shows it.
pub(crate) fn occurrence_of(
    conn: &mut DbConn,
    scan_id: ScanId,
    finding_id: i64,
    labels: &HashMap<ScanId, String>,
) -> Result<ViewFinding, StoreError> {
    let row: Row = occurrence_rows!()
        .filter(occurrences::scan_id.eq(scan_id.get()))
        .filter(occurrences::finding_id.eq(finding_id))
        .first(conn)?;
    view_finding(row, labels)
}

/// A row of [`occurrence_rows`] as a view finding.
fn view_finding(row: Row, labels: &HashMap<ScanId, String>) -> Result<ViewFinding, StoreError> {
    let (o1, o2, f, decided, (epss, epss_percentile)) = row;
    let (
        finding_id,
        severity,
        severity_original,
        cvss_score,
        component_version,
        fixed_version,
        target,
        file,
    ) = o1;
    let (line_start, line_end, resource, url, parameter, tool_status, scan_id, reworded) = o2;
    let (_, fingerprint, kind, category, rule_id, title, tool, cwe, component, purl, first_seen_at) =
        f;
    Ok(ViewFinding {
        fingerprint,
        severity: Severity::from_rank(severity),
        severity_original,
        kind: stored_kind(&kind)?,
        category,
        rule_id,
        // This scan's wording when it has one; else the first sighting's.
        title: reworded.unwrap_or(title),
        tool,
        status: match &decided {
            Some(d) => stored_status(&d.0)?,
            None => TriageStatus::Open,
        },
        tool_status,
        component,
        component_version,
        purl,
        fixed_version,
        cvss_score,
        epss,
        epss_percentile,
        cwe: serde_json::from_str(&cwe).unwrap_or_default(),
        target,
        file,
        line_start,
        line_end,
        resource,
        url,
        parameter,
        scan_label: labels
            .get(&ScanId::new(scan_id))
            .cloned()
            .unwrap_or_default(),
        scan_id: ScanId::new(scan_id),
        first_seen_at,
        decision: decided.map(
            |(_, justification, approver, expires_at, decided_by, decided_at)| Decision {
                justification,
                approver,
                expires_at,
                decided_by,
                decided_at,
            },
        ),
        finding_id: Some(FindingId::new(finding_id)),
    })
}

/// Every finding of the given scans, with triage state.
pub(crate) fn findings_of_scans(
    conn: &mut DbConn,
    scan_ids: &[ScanId],
    labels: &HashMap<ScanId, String>,
) -> Result<Vec<ViewFinding>, StoreError> {
    let mut out = Vec::new();
    for chunk in scan_ids.chunks(500) {
        let chunk = row_ids(chunk);
        let rows: Vec<Row> = occurrence_rows!()
            .filter(occurrences::scan_id.eq_any(chunk))
            .load(conn)?;
        for row in rows {
            out.push(view_finding(row, labels)?);
        }
    }
    // A finding reported by two slots shows once, at its most severe.
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
            .then_with(|| a.scan_id.cmp(&b.scan_id))
    });
    // The first of each finding is its most severe occurrence (lowest scan id among equals);
    // the others may sit anywhere after it, at their own severities.
    let mut seen = std::collections::HashSet::with_capacity(out.len());
    out.retain(|f| seen.insert(f.finding_id));
    Ok(out)
}

/// The current scans (from [`current_scans`]) as a view lists them.
pub(crate) fn current_summaries(current: &[&ScanRow]) -> Vec<crate::ScanSummary> {
    current
        .iter()
        .map(|s| crate::ScanSummary {
            id: s.id,
            tool: s.tool.clone(),
            format: s.format.clone(),
            label: s.label.clone(),
            target: s.target.clone(),
            tool_version: s.tool_version.clone(),
            scanned_at: s.scanned_at.clone(),
            sha256: s.blob_sha256.clone(),
            file_name: s.file_name.clone(),
            uploaded_at: s.uploaded_at,
            uploaded_by: s.uploaded_by.clone(),
            findings: s.finding_count,
            superseded: false,
            partial: s.partial,
        })
        .collect()
}

pub(crate) fn release_view_in(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
) -> Result<ReleaseView, StoreError> {
    let rel = release(conn, project, release_name)?;
    let all = scans_of(conn, rel.id)?;
    let current = current_scans(&all);
    let ids: Vec<ScanId> = current.iter().map(|s| s.id).collect();
    let labels: HashMap<ScanId, String> = current.iter().map(|s| (s.id, s.label.clone())).collect();
    let findings = findings_of_scans(conn, &ids, &labels)?;
    let scans = current_summaries(&current);
    Ok(ReleaseView {
        project: project.to_string(),
        release: release_name.to_string(),
        sealed: rel.sealed_at.is_some(),
        scans,
        findings,
    })
}

impl Store {
    /// The current view of a release, filtered.
    pub fn release_view(
        &self,
        project: &str,
        release: &str,
        filter: &FindingFilter,
    ) -> Result<ReleaseView, StoreError> {
        let mut conn = self.conn()?;
        let mut view = read_tx(&mut conn, |c| release_view_in(c, project, release))?;
        view.findings.retain(|f| filter.keeps(f));
        Ok(view)
    }

    /// The release before `release` in the project (by creation order), if any.
    pub fn previous_release(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        let all = releases_of(&mut conn, rel.project_id)?;
        Ok(all.into_iter().rfind(|r| r.id < rel.id).map(|r| r.name))
    }

    /// What changed from release `from` to release `to`, by fingerprint.
    pub fn diff(&self, project: &str, from: &str, to: &str) -> Result<Diff, StoreError> {
        let mut conn = self.conn()?;
        let (before, after, refined) = read_tx(&mut conn, |c| {
            let pid = crate::catalog::project_id(c, project)?;
            Ok((
                release_view_in(c, project, from)?,
                release_view_in(c, project, to)?,
                crate::identity::refined_of_project(c, pid)?,
            ))
        })?;
        Ok(domain::diff(
            project,
            from,
            to,
            (&before.scans, before.findings),
            (&after.scans, after.findings),
            &refined,
        ))
    }
}
