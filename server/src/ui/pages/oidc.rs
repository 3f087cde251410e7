//! Signing in with the OpenID provider (`crate::auth::oidc`): the start, which sends the
//! browser to the provider, and the callback, which checks what came back, records the user and
//! opens a session. A refusal is a page that says why.
//!
//! The sign-in in flight is the store's (`schema::Store::begin_oidc_login`), named by the
//! `sl_oidc` cookie of the browser that started it (HttpOnly, SameSite=Lax so the provider's
//! redirect back carries it, Path=/ui, ten minutes); the callback takes it once, so a `state`
//! cannot be replayed and a callback from another browser finds nothing.

use super::{Page, see_other};
use crate::auth::oidc::{Oidc, OidcError};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::UiError;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, web};
use schema::{OidcAccount, OidcOutcome, OidcPending, Store};
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub const OIDC_COOKIE: &str = "sl_oidc";

fn refused(message: impl Into<String>) -> UiError {
    UiError(ApiError::forbidden(message))
}

fn unavailable(e: &OidcError) -> UiError {
    tracing::warn!(target: "scanledger::oidc", reason = %e, "sign-in with the provider failed");
    UiError(ApiError::new(
        actix_web::http::StatusCode::BAD_GATEWAY,
        "provider_failed",
        "Signing in with the identity provider failed: try again, or ask your administrator \
         to look at the server's log.",
    ))
}

fn provider(oidc: Option<web::Data<Oidc>>) -> Result<web::Data<Oidc>, UiError> {
    oidc.ok_or_else(|| {
        UiError(ApiError::not_found(
            "sign-in with an identity provider is not configured",
        ))
    })
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

/// `GET /ui/oidc/start?next=`: keeps a fresh state, nonce and PKCE verifier in the store and
/// sends the browser to the provider.
pub async fn oidc_start(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    oidc: Option<web::Data<Oidc>>,
    query: web::Query<StartQuery>,
) -> Page {
    let oidc = provider(oidc)?;
    let started = actix_web::rt::task::spawn_blocking(move || oidc.start())
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| unavailable(&e))?;
    let pending = OidcPending {
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next: super::login::safe_next(&query.next),
    };
    let store = store.clone();
    let id = slots
        .run(move || store.begin_oidc_login(&pending))
        .await??;
    let cookie = Cookie::build(OIDC_COOKIE, id)
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(session::secure(&req))
        .max_age(CookieDuration::minutes(schema::OIDC_LOGIN_MINUTES))
        .finish();
    let mut res = see_other(&started.url);
    res.add_cookie(&cookie).map_err(|_| ApiError::internal())?;
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// `GET /ui/oidc/callback`: the provider's answer. Takes the sign-in of this browser's cookie
/// (once), compares the state, trades the code (with the PKCE verifier) for an ID token and
/// verifies it, checks the second factor and the groups, and opens a session.
pub async fn oidc_callback(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    oidc: Option<web::Data<Oidc>>,
    query: web::Query<CallbackQuery>,
) -> Page {
    let oidc = provider(oidc)?;
    let query = query.into_inner();
    let Some(id) = req.cookie(OIDC_COOKIE).map(|c| c.value().to_string()) else {
        return Err(refused(
            "This sign-in was not started in this browser, or it took too long: start again.",
        ));
    };
    let taker = store.clone();
    let pending = slots
        .run(move || taker.take_oidc_login(&id))
        .await??
        .ok_or_else(|| refused("This sign-in is unknown, already used or expired: start again."))?;
    if !bool::from(pending.state.as_bytes().ct_eq(query.state.as_bytes())) {
        tracing::warn!(target: "scanledger::oidc", "callback with a state that is not this sign-in's");
        return Err(refused(
            "The answer from the identity provider does not belong to this sign-in: start again.",
        ));
    }
    if !query.error.is_empty() {
        let why: String = format!("{} {}", query.error, query.error_description)
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect();
        return Err(refused(format!(
            "The identity provider did not sign you in: {}",
            why.trim()
        )));
    }
    let (code, verifier, nonce) = (query.code, pending.pkce_verifier, pending.nonce);
    let checker = oidc.clone();
    let verified =
        actix_web::rt::task::spawn_blocking(move || checker.finish(&code, &verifier, &nonce))
            .await
            .map_err(|_| ApiError::internal())?
            .map_err(|e| match e {
                OidcError::Token(_) | OidcError::NoIdToken | OidcError::NoName(_) => {
                    tracing::warn!(target: "scanledger::oidc", reason = %e, "ID token refused");
                    refused(format!("The identity provider's answer was refused: {e}."))
                }
                other => unavailable(&other),
            })?;
    let settings = &oidc.settings;
    if !settings.mfa_ok(&verified.amr, verified.acr.as_deref()) {
        tracing::warn!(target: "scanledger::oidc", user = verified.name, amr = ?verified.amr, "sign-in without a second factor refused");
        return Err(refused(format!(
            "{} signed in without a second factor (amr {:?}{}), and ScanLedger requires one: \
             sign in again with multi-factor authentication.",
            verified.name,
            verified.amr,
            verified
                .acr
                .as_deref()
                .map(|a| format!(", acr {a:?}"))
                .unwrap_or_default()
        )));
    }
    let grant = settings.grant(&verified.groups);
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let signer = store.clone();
    let who = verified.clone();
    let outcome = slots
        .run(move || {
            signer.oidc_sign_in(
                &OidcAccount {
                    issuer: &who.issuer,
                    subject: &who.subject,
                    name: &who.name,
                    grant: grant.as_ref().map(|(role, p)| (*role, p.as_deref())),
                },
                old.as_deref(),
            )
        })
        .await??;
    match outcome {
        OidcOutcome::SignedIn(s) => {
            tracing::info!(target: "scanledger::oidc", user = s.principal.name, role = %s.principal.role, "signed in with the identity provider");
            let mut res = see_other(&pending.next);
            res.add_cookie(&session::session_cookie(&req, &s.id, schema::SESSION_HOURS))
                .map_err(|_| ApiError::internal())?;
            res.add_cookie(&session::expired(&req, OIDC_COOKIE))
                .map_err(|_| ApiError::internal())?;
            Ok(res)
        }
        OidcOutcome::NoRole => {
            tracing::warn!(target: "scanledger::oidc", user = verified.name, groups = ?verified.groups, "no group maps to a role");
            Err(refused(format!(
                "{} is in no group that has a role in ScanLedger (groups: {}). Ask your \
                 administrator to add you to one.",
                verified.name,
                if verified.groups.is_empty() {
                    "none".to_string()
                } else {
                    verified.groups.join(", ")
                }
            )))
        }
        OidcOutcome::NameTaken => Err(UiError(ApiError::new(
            actix_web::http::StatusCode::CONFLICT,
            "conflict",
            format!(
                "The user name {:?} belongs to another ScanLedger account: ask your \
                 administrator.",
                verified.name
            ),
        ))),
    }
}
