//! Projects, releases and scans: lookups, creation (on first use, or by an admin; both
//! audited as `project.create`), listings.

use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::models::{ReleaseRow, ScanRow};
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
pub use domain::ScanSummary;
use domain::{ProjectId, ReleaseId, ScanId};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSummary {
    pub name: String,
    pub created_at: NaiveDateTime,
    pub releases: i64,
    pub latest_release: Option<String>,
}

/// A project as the admin page lists it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectOverview {
    pub name: String,
    pub created_at: NaiveDateTime,
    pub releases: i64,
    pub latest_release: Option<String>,
    /// When and by whom the latest release was sealed (`None`: open).
    pub latest_sealed_at: Option<NaiveDateTime>,
    pub latest_sealed_by: Option<String>,
    /// Open and confirmed findings in the latest release (`None`: no release yet).
    pub open_findings: Option<u64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseSummary {
    pub name: String,
    pub created_at: NaiveDateTime,
    pub sealed: bool,
    pub sealed_at: Option<NaiveDateTime>,
    pub sealed_by: Option<String>,
    pub scans: i64,
}

pub(crate) fn project_id(conn: &mut DbConn, name: &str) -> Result<ProjectId, StoreError> {
    projects::table
        .filter(projects::name.eq(name))
        .select(projects::id)
        .first::<i64>(conn)
        .optional()?
        .map(ProjectId::new)
        .ok_or_else(|| StoreError::not_found("project", name))
}

pub(crate) fn release(
    conn: &mut DbConn,
    project: &str,
    release: &str,
) -> Result<ReleaseRow, StoreError> {
    let pid = project_id(conn, project)?;
    releases::table
        .filter(releases::project_id.eq(pid.get()))
        .filter(releases::name.eq(release))
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::not_found("release", format!("{project}/{release}")))
}

fn check_name(what: &str, name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            "name",
            format!("{what} name {name:?} must be 1 to 200 printable characters"),
        ));
    }
    Ok(())
}

/// Who changes something, for the audit log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Actor<'a> {
    pub name: &'a str,
    pub request_id: Option<&'a str>,
}

impl<'a> crate::ImportRequest<'a> {
    /// The uploader, as the actor of what the upload creates.
    pub(crate) fn actor(&self) -> Actor<'a> {
        Actor {
            name: self.uploaded_by,
            request_id: self.request_id,
        }
    }
}

/// The project's id, creating it when missing (safe against concurrent creation: only the
/// transaction that inserts it logs `project.create`, as `actor`). Every way a project comes
/// into being goes through here: an upload, a policy, a scoped user or token, the admin page.
pub(crate) fn ensure_project(
    conn: &mut DbConn,
    name: &str,
    actor: Actor<'_>,
) -> Result<ProjectId, StoreError> {
    Ok(create_project_in(conn, name, actor)?.0)
}

/// Like [`ensure_project`]; also says whether this call created it.
fn create_project_in(
    conn: &mut DbConn,
    name: &str,
    actor: Actor<'_>,
) -> Result<(ProjectId, bool), StoreError> {
    check_name("project", name)?;
    let created_at = now();
    let inserted = per_backend!(conn, |c| diesel::insert_into(projects::table)
        .values((projects::name.eq(name), projects::created_at.eq(created_at)))
        .on_conflict_do_nothing()
        .execute(c))?;
    let id = project_id(conn, name)?;
    if inserted > 0 {
        crate::audit::append(
            conn,
            &[crate::audit::NewAuditEvent {
                actor: actor.name,
                action: "project.create",
                project: Some(name),
                subject: format!("project {name}"),
                before: None,
                after: Some(serde_json::json!({ "name": name, "created_at": created_at })),
                request_id: actor.request_id,
            }],
        )?;
    }
    Ok((id, inserted > 0))
}

/// The release, creating it when missing.
pub(crate) fn ensure_release(
    conn: &mut DbConn,
    project_id: ProjectId,
    name: &str,
) -> Result<ReleaseRow, StoreError> {
    check_name("release", name)?;
    let created = now();
    per_backend!(conn, |c| diesel::insert_into(releases::table)
        .values((
            releases::project_id.eq(project_id.get()),
            releases::name.eq(name),
            releases::created_at.eq(created),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(releases::table
        .filter(releases::project_id.eq(project_id.get()))
        .filter(releases::name.eq(name))
        .select(ReleaseRow::as_select())
        .first(conn)?)
}

/// The releases of a project in creation order.
pub(crate) fn releases_of(
    conn: &mut DbConn,
    project_id: ProjectId,
) -> Result<Vec<ReleaseRow>, StoreError> {
    Ok(releases::table
        .filter(releases::project_id.eq(project_id.get()))
        .order(releases::id.asc())
        .select(ReleaseRow::as_select())
        .load(conn)?)
}

pub(crate) fn scans_of(
    conn: &mut DbConn,
    release_id: ReleaseId,
) -> Result<Vec<ScanRow>, StoreError> {
    Ok(scans::table
        .filter(scans::release_id.eq(release_id.get()))
        .order(scans::id.asc())
        .select(ScanRow::as_select())
        .load(conn)?)
}

/// The row ids of typed ids, for diesel's `eq_any` (the raw-SQL builders bind each id).
pub(crate) fn row_ids(ids: &[ScanId]) -> Vec<i64> {
    ids.iter().map(|id| id.get()).collect()
}

/// The newest scan of each slot (tool, label): the scans that make a release's current view.
pub(crate) fn current_scans(scans: &[ScanRow]) -> Vec<&ScanRow> {
    let mut newest: std::collections::BTreeMap<(&str, &str), &ScanRow> = Default::default();
    for scan in scans {
        let slot = (scan.tool.as_str(), scan.label.as_str());
        match newest.get(&slot) {
            Some(existing) if existing.id > scan.id => {}
            _ => {
                newest.insert(slot, scan);
            }
        }
    }
    let mut current: Vec<&ScanRow> = newest.into_values().collect();
    current.sort_by_key(|s| s.id);
    current
}

impl Store {
    /// Row counts of every table: for metrics, and for tests that prove nothing was stored.
    pub fn row_counts(&self) -> Result<std::collections::BTreeMap<&'static str, i64>, StoreError> {
        let mut conn = self.conn()?;
        let c = &mut conn;
        Ok([
            ("projects", projects::table.count().get_result(c)?),
            ("releases", releases::table.count().get_result(c)?),
            ("blobs", blobs::table.count().get_result(c)?),
            ("blob_chunks", blob_chunks::table.count().get_result(c)?),
            ("scans", scans::table.count().get_result(c)?),
            ("findings", findings::table.count().get_result(c)?),
            ("components", components::table.count().get_result(c)?),
            ("occurrences", occurrences::table.count().get_result(c)?),
            ("triage", triage::table.count().get_result(c)?),
            (
                "gate_evaluations",
                gate_evaluations::table.count().get_result(c)?,
            ),
        ]
        .into_iter()
        .collect())
    }

    /// Every project with its release count and latest release.
    pub fn projects(&self) -> Result<Vec<ProjectSummary>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<(i64, String, NaiveDateTime)> = projects::table
            .order(projects::name.asc())
            .select((projects::id, projects::name, projects::created_at))
            .load(&mut conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, created_at) in rows {
            let releases = releases_of(&mut conn, ProjectId::new(id))?;
            out.push(ProjectSummary {
                name,
                created_at,
                releases: releases.len() as i64,
                latest_release: releases.last().map(|r| r.name.clone()),
            });
        }
        Ok(out)
    }

    /// Creates a project (an admin's explicit act; uploads, policies and scoped grants create
    /// theirs on first use). Logged as `project.create`. Refused when the name is taken or not
    /// 1 to 200 printable characters.
    pub fn create_project(
        &self,
        name: &str,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<ProjectSummary, StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let actor = Actor {
                name: actor,
                request_id,
            };
            let (id, created) = create_project_in(c, name, actor)?;
            if !created {
                return Err(StoreError::Conflict(format!(
                    "project {name:?} already exists"
                )));
            }
            let created_at = projects::table
                .find(id.get())
                .select(projects::created_at)
                .first(c)?;
            Ok(ProjectSummary {
                name: name.to_string(),
                created_at,
                releases: 0,
                latest_release: None,
            })
        })
    }

    /// Creates a release of an existing project (an explicit act; an upload creates its
    /// release on first use). Logged as `release.create`. Refused when the project is unknown,
    /// the name is taken or not 1 to 200 printable characters.
    pub fn create_release(
        &self,
        project: &str,
        name: &str,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<ReleaseSummary, StoreError> {
        check_name("release", name)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let created_at = now();
            let inserted = per_backend!(c, |b| diesel::insert_into(releases::table)
                .values((
                    releases::project_id.eq(pid.get()),
                    releases::name.eq(name),
                    releases::created_at.eq(created_at),
                ))
                .on_conflict_do_nothing()
                .execute(b))?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "release {name:?} of project {project:?} already exists"
                )));
            }
            crate::audit::append(
                c,
                &[crate::audit::NewAuditEvent {
                    actor,
                    action: "release.create",
                    project: Some(project),
                    subject: format!("{project}/{name} release"),
                    before: None,
                    after: Some(serde_json::json!({ "name": name, "created_at": created_at })),
                    request_id,
                }],
            )?;
            Ok(ReleaseSummary {
                name: name.to_string(),
                created_at,
                sealed: false,
                sealed_at: None,
                sealed_by: None,
                scans: 0,
            })
        })
    }

    /// The releases of a project, oldest first.
    pub fn releases(&self, project: &str) -> Result<Vec<ReleaseSummary>, StoreError> {
        let mut conn = self.conn()?;
        let pid = project_id(&mut conn, project)?;
        let mut out = Vec::new();
        for r in releases_of(&mut conn, pid)? {
            let count: i64 = scans::table
                .filter(scans::release_id.eq(r.id.get()))
                .count()
                .get_result(&mut conn)?;
            out.push(ReleaseSummary {
                name: r.name,
                created_at: r.created_at,
                sealed: r.sealed_at.is_some(),
                sealed_at: r.sealed_at,
                sealed_by: r.sealed_by,
                scans: count,
            });
        }
        Ok(out)
    }

    /// Every scan of a release, oldest first, superseded ones marked.
    pub fn scans(&self, project: &str, release_name: &str) -> Result<Vec<ScanSummary>, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        let rows = scans_of(&mut conn, rel.id)?;
        let current: std::collections::HashSet<domain::ScanId> =
            current_scans(&rows).iter().map(|s| s.id).collect();
        Ok(rows
            .into_iter()
            .map(|s| ScanSummary {
                superseded: !current.contains(&s.id),
                id: s.id,
                tool: s.tool,
                format: s.format,
                label: s.label,
                target: s.target,
                tool_version: s.tool_version,
                scanned_at: s.scanned_at,
                sha256: s.blob_sha256,
                file_name: s.file_name,
                uploaded_at: s.uploaded_at,
                uploaded_by: s.uploaded_by,
                findings: s.finding_count,
                partial: s.partial,
            })
            .collect())
    }

    /// Writes a scan's raw report, byte-exact, to `out`; returns its SHA-256.
    pub fn raw_report(
        &self,
        scan_id: domain::ScanId,
        out: &mut dyn std::io::Write,
    ) -> Result<String, StoreError> {
        let mut conn = self.conn()?;
        let sha: String = scans::table
            .find(scan_id.get())
            .select(scans::blob_sha256)
            .first(&mut conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("scan", scan_id.to_string()))?;
        crate::blob::write_blob(&mut conn, &sha, out)?;
        Ok(sha)
    }
}
