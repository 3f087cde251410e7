//! Creating projects and releases explicitly over HTTP. Uploads create both on first use
//! (`POST .../scans`); these are for setting one up before any scan arrives. A project is an
//! admin's act (admins of every project, like the web UI's projects page); a release is an
//! uploader's (what CI does). Both are audit events (`project.create`, `release.create`).

use crate::auth::{Caller, Project};
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

/// A project or release to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNamed {
    /// 1 to 200 printable characters.
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "catalog", request_body = CreateNamed,
    responses((status = 201, description = "The project, with no releases yet", body = schema::ProjectSummary),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "A project of that name exists", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn create_project(
    db: Db,
    caller: Caller,
    body: web::Json<CreateNamed>,
) -> Result<HttpResponse, ApiError> {
    let name = body.into_inner().name;
    let actor = caller.0.label();
    let project = db
        .run(move |store| store.create_project(&name, &actor, None))
        .await?;
    Ok(HttpResponse::Created().json(project))
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/releases", tag = "catalog",
    params(("project" = String, Path, example = "demo-shop")), request_body = CreateNamed,
    responses((status = 201, description = "The release, open and without scans", body = schema::ReleaseSummary),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No such project", body = ErrorBody),
        (status = 409, description = "The project has a release of that name", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn create_release(
    db: Db,
    caller: Caller,
    admitted: Project,
    body: web::Json<CreateNamed>,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let name = body.into_inner().name;
    let actor = caller.0.label();
    let release = db
        .run(move |store| store.create_release(&project, &name, &actor, None))
        .await?;
    Ok(HttpResponse::Created().json(release))
}
