//! Release policies: per project, versioned, written in TOML.
//!
//! The text is kept exactly as written (comments included) and numbered per project from 1; the
//! newest version is active. A file is parsed and validated before anything is stored, so a bad
//! file leaves the previous version active; its error names the line and the key
//! ([`PolicyError`]). The gate records which version it used.
//!
//! The file format, with every option and its default, is documented in `docs/TRIAGE.md`.

use crate::audit::{self, NewAuditEvent};
use crate::catalog::{Actor, ensure_project, project_id};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ProjectId;
pub use domain::{
    GatePolicy, IgnoreRule, LicensePolicy, LicenseVerdict, Policy, PolicyError, SlaPolicy, SpdxId,
    Threshold,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A stored policy version.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub project: String,
    pub version: i64,
    /// The TOML text as it was set.
    pub source: String,
    pub sha256: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// The text was the same as the active version's: nothing new was stored.
    pub unchanged: bool,
    pub policy: Policy,
}

type PolicyRow = (i64, String, String, String, NaiveDateTime);

fn to_version(project: &str, row: PolicyRow, unchanged: bool) -> Result<PolicyVersion, StoreError> {
    let (version, source, sha256, created_by, created_at) = row;
    let policy = Policy::parse(&source).map_err(StoreError::Policy)?;
    Ok(PolicyVersion {
        project: project.to_string(),
        version,
        source,
        sha256,
        created_by,
        created_at,
        unchanged,
        policy,
    })
}

fn policy_row(
    conn: &mut DbConn,
    project_id: ProjectId,
    version: Option<i64>,
) -> Result<Option<PolicyRow>, StoreError> {
    let mut q = policies::table
        .filter(policies::project_id.eq(project_id.get()))
        .select((
            policies::version,
            policies::source,
            policies::sha256,
            policies::created_by,
            policies::created_at,
        ))
        .order(policies::version.desc())
        .into_boxed();
    if let Some(v) = version {
        q = q.filter(policies::version.eq(v));
    }
    Ok(q.first(conn).optional()?)
}

/// The active policy of a project and its version, if one was set.
pub(crate) fn active_policy(
    conn: &mut DbConn,
    project_id: ProjectId,
) -> Result<Option<(i64, Policy)>, StoreError> {
    match policy_row(conn, project_id, None)? {
        Some((version, source, ..)) => Ok(Some((
            version,
            Policy::parse(&source).map_err(StoreError::Policy)?,
        ))),
        None => Ok(None),
    }
}

impl Store {
    /// Validates `source` and stores it as the project's next policy version (creating the
    /// project when missing). A file that does not parse stores nothing. Setting the text of
    /// the active version again is a no-op that says so.
    pub fn set_policy(
        &self,
        project: &str,
        source: &str,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<PolicyVersion, StoreError> {
        let policy = Policy::parse(source).map_err(StoreError::Policy)?;
        let sha256 = hex::encode(Sha256::digest(source.as_bytes()));
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let pid = ensure_project(
                c,
                project,
                Actor {
                    name: actor,
                    request_id,
                },
            )?;
            // Versions are numbered in turn, also across replicas.
            audit::lock_chain(c)?;
            let current = policy_row(c, pid, None)?;
            if let Some(row) = &current
                && row.2 == sha256
            {
                return to_version(project, row.clone(), true);
            }
            let version = current.as_ref().map_or(1, |r| r.0 + 1);
            let created_at = now();
            diesel::insert_into(policies::table)
                .values((
                    policies::project_id.eq(pid.get()),
                    policies::version.eq(version),
                    policies::source.eq(source),
                    policies::sha256.eq(&sha256),
                    policies::created_by.eq(actor),
                    policies::created_at.eq(created_at),
                ))
                .execute(c)?;
            audit::append(
                c,
                &[NewAuditEvent {
                    actor,
                    action: "policy.set",
                    project: Some(project),
                    subject: format!("{project} policy v{version}"),
                    before: current.as_ref().map(
                        |r| serde_json::json!({ "version": r.0, "sha256": r.2, "source": r.1 }),
                    ),
                    after: Some(
                        serde_json::json!({ "version": version, "sha256": sha256, "source": source }),
                    ),
                    request_id,
                }],
            )?;
            Ok(PolicyVersion {
                project: project.to_string(),
                version,
                source: source.to_string(),
                sha256: sha256.clone(),
                created_by: actor.to_string(),
                created_at,
                unchanged: false,
                policy,
            })
        })
    }

    /// A policy version of a project: the active one when `version` is `None`. `Ok(None)` when
    /// the project has no policy (or no such version).
    pub fn policy(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            policy_row(c, pid, version)?
                .map(|row| to_version(project, row, false))
                .transpose()
        })
    }

    /// Every policy version of a project, oldest first.
    pub fn policy_versions(&self, project: &str) -> Result<Vec<PolicyVersion>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let rows: Vec<PolicyRow> = policies::table
                .filter(policies::project_id.eq(pid.get()))
                .order(policies::version.asc())
                .select((
                    policies::version,
                    policies::source,
                    policies::sha256,
                    policies::created_by,
                    policies::created_at,
                ))
                .load(c)?;
            rows.into_iter()
                .map(|row| to_version(project, row, false))
                .collect()
        })
    }
}
