//! The audit log over HTTP: its events (reading, every role in its scope), and the check of
//! its hash chain (admins and auditors of every project: the chain spans every project).
//!
//! The same operations as `scanledger audit list` and `audit verify`: the list takes the same
//! filters, and the chain check takes the heads sealed bundles signed. The bundles themselves
//! stay with whoever holds them: the caller checks each bundle's signature against the keys
//! it trusts and sends only what the bundle vouches for, the head it signed and its SHA-256,
//! so the server never has to trust a bundle it is shown.

use crate::auth::{Caller, Project};
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use schema::{AuditQuery, BundleAnchor};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The filters of the audit list, as `scanledger audit list` takes them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListQuery {
    /// Only events at or after this UTC time: `YYYY-MM-DDTHH:MM:SS`.
    #[param(value_type = Option<String>)]
    pub since: Option<NaiveDateTime>,
    /// Only this action (`scan.upload`, `triage.set`, `policy.set`, ...).
    pub action: Option<String>,
    /// Only the newest N events (still listed oldest first).
    pub limit: Option<i64>,
}

impl AuditListQuery {
    fn query(self, project: Option<String>) -> Result<AuditQuery, ApiError> {
        if self.limit.is_some_and(|l| l < 0) {
            return Err(ApiError::bad_request("limit must be 0 or more"));
        }
        Ok(AuditQuery {
            project,
            since: self.since,
            action: self.action.filter(|a| !a.is_empty()),
            limit: self.limit,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/audit", tag = "audit",
    params(("project" = String, Path, example = "demo-shop"), AuditListQuery),
    responses((status = 200, description = "The project's audit events, oldest first", body = Vec<schema::AuditEvent>),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn audit(
    db: Db,
    admitted: Project,
    query: web::Query<AuditListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner().query(Some(admitted.0))?;
    db.json(move |store| store.audit_list(&query)).await
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditListQuery),
    responses((status = 200, description = "Every project's audit events and those of no project \
            (users, tokens), oldest first; for a caller scoped to one project, that project's events", body = Vec<schema::AuditEvent>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn audit_all(
    db: Db,
    caller: Caller,
    query: web::Query<AuditListQuery>,
) -> Result<HttpResponse, ApiError> {
    // A list across projects is narrowed to the caller's scope, like the project list.
    let query = query.into_inner().query(caller.0.project.clone())?;
    db.json(move |store| store.audit_list(&query)).await
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The hash chain recomputed: `ok`, the events checked, \
            the head, and the first broken event. A broken chain is a 200 with `ok: false`", body = schema::AuditVerification),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn verify(db: Db) -> Result<HttpResponse, ApiError> {
    db.json(|store| store.audit_verify()).await
}

/// What one sealed bundle, checked by the caller against the keys it trusts, vouches for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnchorBody {
    /// How messages name the bundle (its file name).
    pub bundle: String,
    /// SHA-256 (hex) of the bundle's zip: the `release.seal` event after the head records it.
    pub bundle_sha256: String,
    /// The position in the chain of the head the bundle signed.
    pub seq: i64,
    /// The hash of the head the bundle signed.
    pub hash: String,
}

/// The heads to hold the log against.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnchorsBody {
    pub anchors: Vec<AnchorBody>,
}

#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "audit", request_body = AnchorsBody,
    responses((status = 200, description = "The chain recomputed, and each bundle's signed head \
            looked up in it (`ok`, `chain`, `anchors`, `anchored_up_to`, `problems`). Reads only", body = schema::AnchoredVerification),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn verify_anchored(
    db: Db,
    body: web::Json<AnchorsBody>,
) -> Result<HttpResponse, ApiError> {
    let anchors: Vec<BundleAnchor> = body
        .into_inner()
        .anchors
        .into_iter()
        .map(|a| BundleAnchor {
            bundle: a.bundle,
            bundle_sha256: a.bundle_sha256,
            anchor: reports::AuditAnchor {
                seq: a.seq,
                hash: a.hash,
            },
        })
        .collect();
    db.json(move |store| store.audit_verify_anchors(&anchors))
        .await
}
