//! `POST /api/v1/auth/exchange`: a CI job's OIDC token in, a short-lived ScanLedger token out,
//! when a trust rule of the configuration accepts it ([`crate::auth::workload`] decides; the
//! store issues and audits the token). A refusal is a plain 401; its reason goes to the log
//! only, so a caller learns nothing about the rules by probing. Refusals count against the
//! source address in the failed-token limiter ([`TokenFailures`]): past the limit the address
//! gets 429 for the rest of its minute, before any token is checked or key set fetched.

use crate::auth::TokenFailures;
use crate::auth::credentials::too_many;
use crate::auth::workload::{self, KeySource};
use crate::config::ServerConfig;
use crate::error::{ApiError, ErrorBody};
use crate::slots::DbSlots;
use actix_web::{HttpRequest, HttpResponse, web};
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
        (status = 415, body = ErrorBody),
        (status = 429, description = "Too many refused job tokens or invalid tokens from this address this minute (`too_many_requests`)", body = ErrorBody)))]
pub async fn exchange(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<ServerConfig>,
    key_sets: web::Data<dyn KeySource>,
    failures: web::Data<TokenFailures>,
    body: web::Json<ExchangeBody>,
) -> Result<HttpResponse, ApiError> {
    let source = crate::auth::source(req.peer_addr());
    if failures.limited(&source) {
        tracing::warn!(target: "scanledger::exchange", %source, "token exchange refused: too many failures");
        return Err(too_many(format!(
            "too many refused tokens from {source}: wait a minute"
        )));
    }
    let answer = exchange_token(store, slots, config, key_sets, body.into_inner().token).await;
    if answer
        .as_ref()
        .is_err_and(|e| e.status == actix_web::http::StatusCode::UNAUTHORIZED)
    {
        failures.failed(&source);
    }
    answer
}

/// The exchange itself: 201 with the token, or 401 (refused) or another error.
async fn exchange_token(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<ServerConfig>,
    key_sets: web::Data<dyn KeySource>,
    token: String,
) -> Result<HttpResponse, ApiError> {
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
