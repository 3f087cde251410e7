//! Looking up and counting in SQL, without building a release's whole view: one finding of a
//! release by fingerprint, where it occurred in the newest releases, and the open findings of
//! a release counted by severity. For pages that show one finding or a few numbers, which must
//! not grow with the size of the release.
//!
//! Each answer is the release view's (the newest scan of each slot; a finding reported by two
//! slots counts once, at its most severe occurrence); `schema/tests/lookup.rs` compares them.

use crate::Store;
use crate::catalog::ProjectOverview;
use crate::catalog::{current_scans, project_id, release, releases_of, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::models::ReleaseRow;
use crate::page::{COLUMNS, PageRow, current_findings_sql, view_finding};
use crate::sql::Sql;
use crate::tables::*;
use crate::tx::read_tx;
use crate::view::{ViewFinding, stored_status};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, SmallInt};
use domain::{FindingId, ProjectId, ReleaseId, ScanId};
use importers::Severity;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a finding occurred in one release: the scan whose occurrence the release view shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingOccurrence {
    pub release: String,
    pub scan_id: domain::ScanId,
    pub scan_label: String,
    pub tool: String,
    pub severity: Severity,
    /// Our triage state (it follows the finding, so it is the same in every release).
    pub status: domain::TriageStatus,
    pub tool_status: Option<String>,
}

/// The open findings of one release, by severity (severities without any are absent).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenCounts {
    pub release: String,
    pub by_severity: BTreeMap<Severity, u64>,
}

impl OpenCounts {
    pub fn total(&self) -> u64 {
        self.by_severity.values().sum()
    }
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = SmallInt)]
    severity: i16,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The current scans of a release: ids and labels.
fn current(conn: &mut DbConn, release_id: ReleaseId) -> Result<Vec<(ScanId, String)>, StoreError> {
    let all = scans_of(conn, release_id)?;
    Ok(current_scans(&all)
        .into_iter()
        .map(|s| (s.id, s.label.clone()))
        .collect())
}

/// Open findings of the current view of `scan_ids` by severity: one `GROUP BY`.
pub(crate) fn open_counts_of_scans(
    conn: &mut DbConn,
    scan_ids: &[ScanId],
) -> Result<BTreeMap<Severity, u64>, StoreError> {
    let mut sql = Sql::new();
    let open = "COALESCE(t.status, 'open') IN ('open', 'confirmed')";
    match scan_ids {
        [] => return Ok(BTreeMap::new()),
        [only] => sql.push(&format!(
            "SELECT o.severity AS severity, COUNT(*) AS n FROM occurrences o \
             LEFT JOIN triage t ON t.finding_id = o.finding_id \
             WHERE o.scan_id = {only} AND {open} GROUP BY o.severity"
        )),
        many => {
            let ids = many
                .iter()
                .map(ScanId::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            // A finding in two slots counts once, at its most severe occurrence.
            sql.push(&format!(
                "SELECT b.severity AS severity, COUNT(*) AS n FROM \
                 (SELECT x.finding_id, MAX(x.severity) AS severity FROM occurrences x \
                 WHERE x.scan_id IN ({ids}) GROUP BY x.finding_id) b \
                 LEFT JOIN triage t ON t.finding_id = b.finding_id \
                 WHERE {open} GROUP BY b.severity"
            ));
        }
    }
    let rows: Vec<CountRow> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (Severity::from_rank(r.severity), r.n.max(0) as u64))
        .collect())
}

/// The finding's id in the project, by exact fingerprint.
fn finding_id(
    conn: &mut DbConn,
    project_id: ProjectId,
    project: &str,
    fingerprint: &str,
) -> Result<(FindingId, String), StoreError> {
    findings::table
        .filter(findings::project_id.eq(project_id.get()))
        .filter(findings::fingerprint.eq(fingerprint))
        .select((findings::id, findings::tool))
        .first::<(i64, String)>(conn)
        .optional()?
        .map(|(id, tool)| (FindingId::new(id), tool))
        .ok_or_else(|| StoreError::not_found("finding", format!("{project}/{fingerprint}")))
}

impl Store {
    /// Every project with its latest release's seal state and open findings (counted in SQL),
    /// by name: the admin page's table.
    pub fn project_overview(&self) -> Result<Vec<ProjectOverview>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let rows: Vec<(i64, String, NaiveDateTime)> = projects::table
                .order(projects::name.asc())
                .select((projects::id, projects::name, projects::created_at))
                .load(c)?;
            let mut out = Vec::with_capacity(rows.len());
            for (id, name, created_at) in rows {
                let releases: i64 = releases::table
                    .filter(releases::project_id.eq(id))
                    .count()
                    .get_result(c)?;
                let latest: Option<ReleaseRow> = releases::table
                    .filter(releases::project_id.eq(id))
                    .order(releases::id.desc())
                    .select(ReleaseRow::as_select())
                    .first(c)
                    .optional()?;
                let open_findings = match &latest {
                    Some(rel) => {
                        let all = scans_of(c, rel.id)?;
                        let ids: Vec<ScanId> = current_scans(&all).iter().map(|s| s.id).collect();
                        Some(open_counts_of_scans(c, &ids)?.values().sum())
                    }
                    None => None,
                };
                out.push(ProjectOverview {
                    name,
                    created_at,
                    releases,
                    latest_release: latest.as_ref().map(|r| r.name.clone()),
                    latest_sealed_at: latest.as_ref().and_then(|r| r.sealed_at),
                    latest_sealed_by: latest.and_then(|r| r.sealed_by),
                    open_findings,
                });
            }
            Ok(out)
        })
    }

    /// One finding of a release's current view, by its exact fingerprint: the same record as
    /// in [`Store::release_view`], read with two indexed queries. Not found when the finding
    /// is not in this release.
    pub fn release_finding(
        &self,
        project: &str,
        release_name: &str,
        fingerprint: &str,
    ) -> Result<ViewFinding, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let rel = release(c, project, release_name)?;
            let (id, _) = finding_id(c, rel.project_id, project, fingerprint)?;
            let scans = current(c, rel.id)?;
            let not_here = || {
                StoreError::not_found(
                    "finding",
                    format!("{fingerprint} in release {project}/{release_name}"),
                )
            };
            if scans.is_empty() {
                return Err(not_here());
            }
            let ids: Vec<ScanId> = scans.iter().map(|s| s.0).collect();
            let labels: HashMap<ScanId, String> = scans.into_iter().collect();
            let rows: Vec<PageRow> = current_findings_sql(COLUMNS, &ids, Some(id)).load(c)?;
            rows.into_iter()
                .next()
                .map(|r| view_finding(r, &labels))
                .ok_or_else(not_here)?
        })
    }

    /// Where a finding occurred in the project's `newest` releases, newest first: for each
    /// release whose current view holds it, the scan the view shows it from (the most severe
    /// occurrence, lowest scan id among equals). Releases without it are left out.
    pub fn finding_occurrences(
        &self,
        project: &str,
        fingerprint: &str,
        newest: usize,
    ) -> Result<Vec<FindingOccurrence>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let (id, tool) = finding_id(c, pid, project, fingerprint)?;
            let releases = releases_of(c, pid)?;
            let start = releases.len().saturating_sub(newest);
            // Current scan id -> (release name, position from the newest, label).
            let mut scan_of: HashMap<ScanId, (usize, String, String)> = HashMap::new();
            for (age, rel) in releases[start..].iter().rev().enumerate() {
                for (scan, label) in current(c, rel.id)? {
                    scan_of.insert(scan, (age, rel.name.clone(), label));
                }
            }
            let status: Option<String> = triage::table
                .filter(triage::finding_id.eq(id.get()))
                .select(triage::status)
                .first(c)
                .optional()?;
            let status = match status {
                Some(s) => stored_status(&s)?,
                None => domain::TriageStatus::Open,
            };
            let scan_ids: Vec<i64> = scan_of.keys().map(|s| s.get()).collect();
            let mut rows: Vec<(i64, i16, Option<String>)> = Vec::new();
            for chunk in scan_ids.chunks(500) {
                rows.extend(
                    occurrences::table
                        .filter(occurrences::finding_id.eq(id.get()))
                        .filter(occurrences::scan_id.eq_any(chunk))
                        .select((
                            occurrences::scan_id,
                            occurrences::severity,
                            occurrences::tool_status,
                        ))
                        .load::<(i64, i16, Option<String>)>(c)?,
                );
            }
            // The view's choice within a release: most severe, then the lowest scan id.
            rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut by_release: BTreeMap<usize, FindingOccurrence> = BTreeMap::new();
            for (scan_id, severity, tool_status) in rows {
                let scan_id = ScanId::new(scan_id);
                let Some((age, release, label)) = scan_of.get(&scan_id) else {
                    continue;
                };
                by_release.entry(*age).or_insert_with(|| FindingOccurrence {
                    release: release.clone(),
                    scan_id,
                    scan_label: label.clone(),
                    tool: tool.clone(),
                    severity: Severity::from_rank(severity),
                    status,
                    tool_status,
                });
            }
            Ok(by_release.into_values().collect())
        })
    }

    /// The open (open or confirmed) findings of a release's current view, by severity,
    /// counted in SQL.
    pub fn open_counts(&self, project: &str, release_name: &str) -> Result<OpenCounts, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let rel = release(c, project, release_name)?;
            let ids: Vec<ScanId> = current(c, rel.id)?.into_iter().map(|s| s.0).collect();
            Ok(OpenCounts {
                release: release_name.to_string(),
                by_severity: open_counts_of_scans(c, &ids)?,
            })
        })
    }

    /// [`Store::open_counts`] of the project's `newest` releases, oldest first (a trend).
    pub fn open_counts_per_release(
        &self,
        project: &str,
        newest: usize,
    ) -> Result<Vec<OpenCounts>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let releases = releases_of(c, pid)?;
            let start = releases.len().saturating_sub(newest);
            let mut out = Vec::new();
            for rel in &releases[start..] {
                let ids: Vec<ScanId> = current(c, rel.id)?.into_iter().map(|s| s.0).collect();
                out.push(OpenCounts {
                    release: rel.name.clone(),
                    by_severity: open_counts_of_scans(c, &ids)?,
                });
            }
            Ok(out)
        })
    }
}
