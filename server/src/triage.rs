//! Triage, its history, the SLA view, the audit log and VEX over HTTP: thin wrappers around the
//! store's operations (docs/TRIAGE.md). Changing triage needs the `triage` permission (admin,
//! triager); the rest is reading (every role in its projects).

use crate::access::Caller;
use crate::error::{ApiError, ErrorBody};
use actix_web::{HttpResponse, web};
use schema::{AuditQuery, Store, TriageDecision, TriageStatus};
use serde::Deserialize;
use utoipa::ToSchema;

/// A triage decision on one finding.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TriageBody {
    /// open, confirmed, false_positive or accepted.
    pub status: String,
    /// Required for false_positive and accepted.
    pub justification: Option<String>,
    /// Required for accepted: who approved the risk.
    pub approver: Option<String>,
    /// Required for accepted: YYYY-MM-DD, in the future.
    pub expires: Option<String>,
}

impl TriageBody {
    fn decision(&self) -> Result<TriageDecision, ApiError> {
        let status = TriageStatus::parse(&self.status)?;
        let expires = match self.expires.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(
                chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(format!("expires {s:?} is not a date (YYYY-MM-DD)"))
                })?,
            ),
            None => None,
        };
        Ok(TriageDecision {
            status,
            justification: self.justification.clone(),
            approver: self.approver.clone(),
            expires,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/findings/{fingerprint}/triage", tag = "triage",
    params(("project" = String, Path), ("fingerprint" = String, Path, description = "Full fingerprint or a unique prefix of at least 8 characters")),
    request_body = TriageBody,
    responses((status = 200, description = "The decision, applied to the finding in every release"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn triage(
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<TriageBody>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (project, fingerprint) = path.into_inner();
    let decision = body.decision()?;
    let actor = caller.0.label();
    let outcome =
        web::block(move || store.triage(&project, &fingerprint, &decision, &actor, None)).await??;
    Ok(HttpResponse::Ok().json(outcome))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/findings/{fingerprint}/history", tag = "triage",
    params(("project" = String, Path), ("fingerprint" = String, Path)),
    responses((status = 200, description = "Every decision on the finding, oldest first"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn history(
    store: web::Data<Store>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (project, fingerprint) = path.into_inner();
    let history = web::block(move || store.triage_history(&project, &fingerprint)).await??;
    Ok(HttpResponse::Ok().json(history))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/sla", tag = "triage",
    params(("project" = String, Path)),
    responses((status = 200, description = "Open findings by age against the policy, breaches, mean time to remediate"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn sla(
    store: web::Data<Store>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let project = path.into_inner();
    let report = web::block(move || store.sla(&project, None, 10, None)).await??;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/audit", tag = "triage",
    params(("project" = String, Path)),
    responses((status = 200, description = "The project's audit events, oldest first"),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn audit(
    store: web::Data<Store>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let query = AuditQuery {
        project: Some(path.into_inner()),
        ..Default::default()
    };
    let events = web::block(move || store.audit_list(&query)).await??;
    Ok(HttpResponse::Ok().json(events))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/vex", tag = "triage",
    params(("project" = String, Path), ("release" = String, Path)),
    responses((status = 200, description = "The release's decisions as an OpenVEX document"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn vex(
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (project, release) = path.into_inner();
    let author = caller.0.label();
    let document =
        web::block(move || store.vex_export(&project, &release, &author, None)).await??;
    Ok(HttpResponse::Ok().json(document))
}
