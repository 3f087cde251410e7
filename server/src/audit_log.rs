//! The audit log over HTTP: its events (reading, every role in its scope).

use crate::access::Project;
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::HttpResponse;
use schema::AuditQuery;

#[utoipa::path(get, path = "/api/v1/projects/{project}/audit", tag = "triage",
    params(("project" = String, Path)),
    responses((status = 200, description = "The project's audit events, oldest first"),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn audit(db: Db, admitted: Project) -> Result<HttpResponse, ApiError> {
    let query = AuditQuery {
        project: Some(admitted.0),
        ..Default::default()
    };
    db.json(move |store| store.audit_list(&query)).await
}
