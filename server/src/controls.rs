//! A project's control mapping over HTTP (docs/CONTROLS.md): the active version (or one by
//! number, or the built-in mapping when the project set none), every version, and setting the
//! next one. Reading needs `read`; setting needs `manage` (admins, in their scope), like the
//! policy: the mapping decides what the evidence is said to prove.

use crate::auth::{Caller, Project};
use crate::document::{self, Kind};
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::{HttpResponse, web};
use schema::{ControlMappingVersion, Store};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlsQuery {
    /// A version number; the active version (or the built-in mapping) when omitted.
    pub version: Option<i64>,
}

/// Control mappings, as the handlers of a versioned project document serve them. The store
/// always has one to show (the built-in mapping when the project set none) or answers that
/// no such version exists, so there is no refusal of their own for a missing one.
const CONTROL_MAPPINGS: Kind<ControlMappingVersion> = Kind {
    text: "the control mapping",
    show: |store, project, version| store.controls(project, version).map(Some),
    missing: |project, _| ApiError::from(schema::StoreError::not_found("control mapping", project)),
    versions: Store::control_versions,
    set: |store, project, source, actor| store.set_controls(project, source, actor, None),
    unchanged: |stored| stored.unchanged,
};

#[utoipa::path(get, path = "/api/v1/projects/{project}/controls", tag = "controls",
    params(("project" = String, Path, example = "demo-shop"), ControlsQuery),
    responses((status = 200, description = "The control mapping: its TOML `source` as written, who set it and when; `builtin` when the project set none", body = schema::ControlMappingVersion),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such project, or no such version", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn show_controls(
    db: Db,
    admitted: Project,
    query: web::Query<ControlsQuery>,
) -> Result<HttpResponse, ApiError> {
    document::show(&CONTROL_MAPPINGS, db, admitted, query.version).await
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/controls/versions", tag = "controls",
    params(("project" = String, Path, example = "demo-shop")),
    responses((status = 200, description = "Every control mapping version of the project, oldest first; the last is active (empty: the built-in mapping)", body = Vec<schema::ControlMappingVersion>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn control_versions(db: Db, admitted: Project) -> Result<HttpResponse, ApiError> {
    document::versions(&CONTROL_MAPPINGS, db, admitted).await
}

#[utoipa::path(put, path = "/api/v1/projects/{project}/controls", tag = "controls",
    params(("project" = String, Path, example = "demo-shop")),
    request_body(description = "The control mapping file, TOML as written (docs/CONTROLS.md), as UTF-8 text under any content type",
        content((String = "application/toml"), (String = "text/plain"))),
    responses((status = 201, description = "Stored as the next version, now active", body = schema::ControlMappingVersion),
        (status = 200, description = "The active version is this text already: nothing stored (`unchanged`)", body = schema::ControlMappingVersion),
        (status = 400, description = "Not a valid mapping (field `controls`, and why); nothing stored", body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn set_controls(
    db: Db,
    caller: Caller,
    admitted: Project,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    document::set(&CONTROL_MAPPINGS, db, caller, admitted, body).await
}
