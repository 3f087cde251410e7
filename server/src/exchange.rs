//! `POST /api/v1/auth/exchange`: a CI job's OIDC token in, a short-lived ScanLedger token out,
//! when a trust rule of the configuration accepts it ([`crate::auth::workload`] decides; the
//! store issues and audits the token). A refusal is a plain 401; its reason goes to the log
//! only, so a caller learns nothing about the rules by probing.

use crate::auth::workload::{self, KeySource};
use crate::config::ServerConfig;
use crate::error::{ApiError, ErrorBody};
use crate::slots::DbSlots;
use actix_web::{HttpResponse, web};
use schema::{ExchangedJob, Grant, Store};
use serde::Deserialize;
use utoipa::ToSchema;

/// The CI job's OIDC token (a JWT), as its platform issued it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeBody {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/exchange", tag = "auth", request_body = ExchangeBody,
    responses((status = 201, description = "A token scoped to the rule's project and role, expiring in the rule's minutes; its secret (`token`) is shown this once", body = schema::NewToken),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
pub async fn exchange(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<ServerConfig>,
    key_sets: web::Data<dyn KeySource>,
    body: web::Json<ExchangeBody>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().token;
    let rules = config.trust_rules.clone();
    // Off the event loop: an unknown key id fetches the issuer's key set over the network.
    let checked = actix_web::rt::task::spawn_blocking(move || {
        workload::verify(&token, &rules, key_sets.get_ref()).map(|accepted| {
            let issuer = accepted.rule.issuer.clone();
            (
                accepted.rule.clone(),
                accepted.matched,
                issuer,
                accepted.jti,
                accepted.expires,
            )
        })
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let (rule, matched, issuer, jti, job_expires) = checked.map_err(refused)?;
    let expires =
        chrono::Utc::now().naive_utc() + chrono::Duration::minutes(i64::from(rule.token_minutes));
    // The guard lasts as long as the job token could pass `exp` (with the skew allowed).
    let skew = i64::try_from(workload::MAX_CLOCK_SKEW_SECS).unwrap_or(i64::MAX);
    let keep_until = chrono::DateTime::from_timestamp(job_expires.saturating_add(skew), 0)
        .map(|t| t.naive_utc())
        .ok_or_else(|| refused(workload::Refusal::Invalid("exp is out of range".into())))?;
    let store = store.clone();
    let replayed_jti = jti.clone();
    let issued = slots
        .run(move || {
            let subject = matched.get("sub").cloned().unwrap_or_default();
            store.exchange_token(
                &Grant {
                    name: &format!("ci:{}", rule.name),
                    role: rule.role,
                    project: Some(&rule.project),
                    created_by: &format!("oidc:{subject}"),
                },
                expires,
                &ExchangedJob {
                    issuer: &issuer,
                    jti: &jti,
                    keep_until,
                },
                &matched,
            )
        })
        .await??
        .ok_or_else(|| refused(workload::Refusal::Replayed { jti: replayed_jti }))?;
    tracing::info!(
        target: "scanledger::exchange",
        token = %issued.info.prefix,
        project = issued.info.project.as_deref().unwrap_or_default(),
        "token exchanged"
    );
    Ok(HttpResponse::Created().json(issued))
}

/// A refusal: its reason to the log, a plain 401 to the caller.
fn refused(refusal: workload::Refusal) -> ApiError {
    tracing::warn!(target: "scanledger::exchange", reason = %refusal, "token exchange refused");
    ApiError::unauthorized()
}
