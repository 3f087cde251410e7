//! Release policies: per project, versioned, written in TOML.
//!
//! The text is kept exactly as written (comments included) and numbered per project from 1; the
//! newest version is active. A file is parsed and validated before anything is stored, so a bad
//! file leaves the previous version active; its error names the line and the key
//! ([`PolicyError`]). The gate records which version it used.
//!
//! The file format, with every option and its default, is documented in `docs/TRIAGE.md`.

use crate::Store;
use crate::catalog::Actor;
use crate::db::DbConn;
use crate::document::{self, DocumentRow, ProjectDocument};
use crate::error::StoreError;
use chrono::NaiveDateTime;
use domain::ProjectId;
pub use domain::{
    GatePolicy, IgnoreRule, LicensePolicy, LicenseVerdict, Policy, PolicyError, SlaPolicy, SpdxId,
    Threshold,
};
use serde::Serialize;

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

/// Policies are a versioned project document, in `policies`.
impl ProjectDocument for PolicyVersion {
    const TABLE: &'static str = "policies";
    const ACTION: &'static str = "policy.set";
    const NOUN: &'static str = "policy";

    fn check(source: &str) -> Result<(), StoreError> {
        Policy::parse(source).map_err(StoreError::Policy)?;
        Ok(())
    }

    fn from_row(project: &str, row: DocumentRow, unchanged: bool) -> Result<Self, StoreError> {
        let policy = Policy::parse(&row.source).map_err(StoreError::Policy)?;
        Ok(PolicyVersion {
            project: project.to_string(),
            version: row.version,
            source: row.source,
            sha256: row.sha256,
            created_by: row.created_by,
            created_at: row.created_at,
            unchanged,
            policy,
        })
    }
}

/// The active policy of a project and its version, if one was set.
pub(crate) fn active_policy(
    conn: &mut DbConn,
    project_id: ProjectId,
) -> Result<Option<(i64, Policy)>, StoreError> {
    match document::row::<PolicyVersion>(conn, project_id, None, None)? {
        Some(row) => Ok(Some((
            row.version,
            Policy::parse(&row.source).map_err(StoreError::Policy)?,
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
        let actor = Actor {
            name: actor,
            request_id,
        };
        document::set::<PolicyVersion>(self, project, source, actor)
    }

    /// A policy version of a project: the active one when `version` is `None`. `Ok(None)` when
    /// the project has no policy (or no such version).
    pub fn policy(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        document::get::<PolicyVersion>(self, project, version)
    }

    /// Every policy version of a project, oldest first.
    pub fn policy_versions(&self, project: &str) -> Result<Vec<PolicyVersion>, StoreError> {
        document::versions::<PolicyVersion>(self, project)
    }
}
