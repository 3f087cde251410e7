//! Control mappings: per project, versioned, written in TOML, like policies.
//!
//! A mapping says which evidence of a release supports which audit criterion (the model, the
//! built-in default and the evaluation are `reports::controls`; the format is in
//! `docs/CONTROLS.md`). The text is kept exactly as written and numbered per project from 1;
//! the newest version is active, and a project with none uses the built-in mapping. A file is
//! parsed and checked before anything is stored, so a bad file leaves the previous version
//! active. Setting one is audit-logged (`controls.set`) in the same transaction.

use crate::Store;
use crate::catalog::Actor;
use crate::db::DbConn;
use crate::document::{self, DocumentRow, ProjectDocument};
use crate::error::StoreError;
use crate::tables::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ProjectId;
use reports::controls::ControlMapping;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A stored control mapping version, or the built-in mapping (`version` 0, `builtin` true).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlMappingVersion {
    pub project: String,
    /// The project's version number; 0 for the built-in mapping.
    pub version: i64,
    /// The project has set no mapping: this is the built-in one.
    pub builtin: bool,
    /// The TOML text as it was set.
    pub source: String,
    pub sha256: String,
    pub created_by: String,
    /// `None` for the built-in mapping.
    pub created_at: Option<NaiveDateTime>,
    /// The text was the same as the active version's: nothing new was stored.
    pub unchanged: bool,
    /// The mapping's name.
    pub name: String,
    /// The criteria's ids, in the file's order.
    pub criteria: Vec<String>,
}

/// Control mappings are a versioned project document, in `control_mappings`.
impl ProjectDocument for ControlMappingVersion {
    const TABLE: &'static str = "control_mappings";
    const ACTION: &'static str = "controls.set";
    const NOUN: &'static str = "controls";

    fn check(source: &str) -> Result<(), StoreError> {
        ControlMapping::parse(source)
            .map_err(|e| StoreError::invalid("controls", e.to_string()))?;
        Ok(())
    }

    fn from_row(project: &str, row: DocumentRow, unchanged: bool) -> Result<Self, StoreError> {
        // A stored text was checked when it was set: one that no longer parses is corrupt.
        let mapping = ControlMapping::parse(&row.source).map_err(|e| {
            StoreError::Corrupt(format!("{project} control mapping v{}: {e}", row.version))
        })?;
        Ok(ControlMappingVersion {
            project: project.to_string(),
            version: row.version,
            builtin: false,
            source: row.source,
            sha256: row.sha256,
            created_by: row.created_by,
            created_at: Some(row.created_at),
            unchanged,
            name: mapping.name,
            criteria: mapping.criteria.into_iter().map(|c| c.id).collect(),
        })
    }
}

fn builtin(project: &str) -> Result<ControlMappingVersion, StoreError> {
    let source = reports::controls::DEFAULT_MAPPING;
    let mapping = ControlMapping::builtin()
        .map_err(|e| StoreError::Internal(format!("the built-in control mapping: {e}")))?;
    Ok(ControlMappingVersion {
        project: project.to_string(),
        version: 0,
        builtin: true,
        source: source.to_string(),
        sha256: hex::encode(Sha256::digest(source.as_bytes())),
        created_by: "scanledger".into(),
        created_at: None,
        unchanged: false,
        name: mapping.name,
        criteria: mapping.criteria.into_iter().map(|c| c.id).collect(),
    })
}

impl Store {
    /// Checks `source` and stores it as the project's next control mapping version (creating
    /// the project when missing), audit-logged in the same transaction. A file that does not
    /// parse stores nothing. Setting the text of the active version again is a no-op that
    /// says so.
    pub fn set_controls(
        &self,
        project: &str,
        source: &str,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<ControlMappingVersion, StoreError> {
        let actor = Actor {
            name: actor,
            request_id,
        };
        document::set::<ControlMappingVersion>(self, project, source, actor)
    }

    /// A control mapping version of a project: the active one when `version` is `None`, and
    /// the built-in mapping when the project has set none. A version that does not exist is
    /// `NotFound`.
    pub fn controls(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> Result<ControlMappingVersion, StoreError> {
        match (
            document::get::<ControlMappingVersion>(self, project, version)?,
            version,
        ) {
            (Some(stored), _) => Ok(stored),
            (None, None) => builtin(project),
            (None, Some(v)) => Err(StoreError::not_found(
                "control mapping version",
                format!("{project} v{v}"),
            )),
        }
    }

    /// Every control mapping version of a project, oldest first (empty: the built-in one is
    /// in use).
    pub fn control_versions(
        &self,
        project: &str,
    ) -> Result<Vec<ControlMappingVersion>, StoreError> {
        document::versions::<ControlMappingVersion>(self, project)
    }
}

/// The users and API tokens that could act on a project at `at`: created by then, not
/// disabled, revoked or expired by then, and either global or scoped to the project. Roles are
/// as they stand now (a role change is in the audit log).
pub(crate) fn access_at(
    conn: &mut DbConn,
    project: &str,
    project_id: ProjectId,
    at: NaiveDateTime,
) -> Result<reports::AccessSnapshot, StoreError> {
    let pid = project_id.get();
    let scope = |p: Option<i64>| p.map(|_| project.to_string());
    let users: Vec<(String, String, Option<i64>, NaiveDateTime, String)> = users::table
        .filter(users::created_at.le(at))
        .filter(users::disabled_at.is_null().or(users::disabled_at.gt(at)))
        .filter(users::project_id.is_null().or(users::project_id.eq(pid)))
        .order(users::name.asc())
        .select((
            users::name,
            users::role,
            users::project_id,
            users::created_at,
            users::created_by,
        ))
        .load(conn)?;
    #[allow(clippy::type_complexity)]
    let tokens: Vec<(
        String,
        String,
        String,
        Option<i64>,
        NaiveDateTime,
        String,
        Option<NaiveDateTime>,
    )> = api_tokens::table
        .filter(api_tokens::created_at.le(at))
        .filter(
            api_tokens::revoked_at
                .is_null()
                .or(api_tokens::revoked_at.gt(at)),
        )
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(at)),
        )
        .filter(
            api_tokens::project_id
                .is_null()
                .or(api_tokens::project_id.eq(pid)),
        )
        .order((api_tokens::name.asc(), api_tokens::created_at.asc()))
        .select((
            api_tokens::name,
            api_tokens::prefix,
            api_tokens::role,
            api_tokens::project_id,
            api_tokens::created_at,
            api_tokens::created_by,
            api_tokens::expires_at,
        ))
        .load(conn)?;
    Ok(reports::AccessSnapshot {
        users: users
            .into_iter()
            .map(
                |(name, role, project_id, created_at, created_by)| reports::AccessUser {
                    name,
                    role,
                    project: scope(project_id),
                    created_at,
                    created_by,
                },
            )
            .collect(),
        tokens: tokens
            .into_iter()
            .map(
                |(name, prefix, role, project_id, created_at, created_by, expires_at)| {
                    reports::AccessToken {
                        name,
                        prefix,
                        role,
                        project: scope(project_id),
                        created_at,
                        created_by,
                        expires_at,
                    }
                },
            )
            .collect(),
    })
}

/// The mapping a release's snapshot is evaluated with: the project's version that was active
/// at `at` (the seal, or now), or `None` for the built-in one.
pub(crate) fn mapping_at(
    conn: &mut DbConn,
    project_id: ProjectId,
    at: NaiveDateTime,
) -> Result<Option<reports::MappingSnapshot>, StoreError> {
    Ok(
        document::row::<ControlMappingVersion>(conn, project_id, None, Some(at))?.map(|row| {
            reports::MappingSnapshot {
                version: row.version.to_string(),
                text: row.source,
            }
        }),
    )
}
