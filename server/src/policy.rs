//! A project's release policy over HTTP: the active version (or one by number), every version,
//! and setting the next one (docs/TRIAGE.md). Reading needs `read`; setting needs `manage`
//! (admins, in their scope), as the policy decides what blocks a release.

use crate::auth::{Caller, Project};
use crate::document::{self, Kind};
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use schema::{PolicyVersion, Store};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// A version number; the active version when omitted.
    pub version: Option<i64>,
}

/// The project has no policy (or not that version): a 404 of its own code, so a client can tell
/// it from an unknown project.
fn no_policy(project: &str, version: Option<i64>) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_policy",
        match version {
            Some(v) => format!("project {project} has no policy version {v}"),
            None => format!(
                "project {project} has no policy; the gate uses the defaults (docs/TRIAGE.md)"
            ),
        },
    )
}

/// Policies, as the handlers of a versioned project document serve them.
const POLICIES: Kind<PolicyVersion> = Kind {
    text: "the policy",
    show: Store::policy,
    missing: no_policy,
    versions: Store::policy_versions,
    set: |store, project, source, actor| store.set_policy(project, source, actor, None),
    unchanged: |stored| stored.unchanged,
};

#[utoipa::path(get, path = "/api/v1/projects/{project}/policy", tag = "policy",
    params(("project" = String, Path, example = "demo-shop"), PolicyQuery),
    responses((status = 200, description = "The policy version: its TOML `source` as written, who set it and when, and the parsed `policy`", body = schema::PolicyVersion),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such project (`not_found`), or no policy or no such version (`no_policy`)", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn show(
    db: Db,
    admitted: Project,
    query: web::Query<PolicyQuery>,
) -> Result<HttpResponse, ApiError> {
    document::show(&POLICIES, db, admitted, query.version).await
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/policy/versions", tag = "policy",
    params(("project" = String, Path, example = "demo-shop")),
    responses((status = 200, description = "Every policy version of the project, oldest first; the last is active", body = Vec<schema::PolicyVersion>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn versions(db: Db, admitted: Project) -> Result<HttpResponse, ApiError> {
    document::versions(&POLICIES, db, admitted).await
}

#[utoipa::path(put, path = "/api/v1/projects/{project}/policy", tag = "policy",
    params(("project" = String, Path, example = "demo-shop")),
    request_body(description = "The policy file, TOML as written (docs/TRIAGE.md), as UTF-8 text under any content type",
        content((String = "application/toml"), (String = "text/plain"))),
    responses((status = 201, description = "Stored as the next version, now active", body = schema::PolicyVersion),
        (status = 200, description = "The active version is this text already: nothing stored (`unchanged`)", body = schema::PolicyVersion),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Not a valid policy (`bad_policy`, naming the line and key); nothing stored", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn set(
    db: Db,
    caller: Caller,
    admitted: Project,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    document::set(&POLICIES, db, caller, admitted, body).await
}
