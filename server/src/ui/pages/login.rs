//! Signing in and out: the sign-in form (its CSRF token bound to a pre-session the store keeps),
//! the session cookie, the lockout message, and the sign-out form.

use super::{Page, fmt_time, forbidden_csrf, see_other};
use crate::auth::session::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{LoginOutcome, Store};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    user: String,
    error: String,
    /// Offer sign-in with the OpenID provider (`/ui/oidc/start`).
    sso: bool,
    /// Offer the password form (`auth.local`).
    local: bool,
    /// `next`, percent-encoded for the provider link.
    next_enc: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local UI paths, so the sign-in page cannot bounce anyone elsewhere.
pub(super) fn safe_next(next: &str) -> String {
    if is_local_ui(next) {
        next.to_string()
    } else {
        "/ui".to_string()
    }
}

fn is_local_ui(next: &str) -> bool {
    crate::auth::session::is_ui(next.split(['?', '#']).next().unwrap_or_default())
        && !next.contains('\\')
        && !next.contains("//")
}

/// The sign-in page with a fresh form: a pre-session from the store, its id in the
/// `sl_login_csrf` cookie and its CSRF token in the form.
async fn login_page(
    req: &HttpRequest,
    store: &web::Data<Store>,
    slots: &web::Data<DbSlots>,
    status: actix_web::http::StatusCode,
    next: &str,
    user: &str,
    error: &str,
) -> Page {
    let config = req.app_data::<web::Data<ServerConfig>>();
    let sso = config.is_some_and(|c| c.oidc.is_some());
    let local = config.is_none_or(|c| c.local_passwords);
    let store = store.clone();
    let form = slots.run(move || store.begin_login()).await??;
    let page = LoginPage {
        layout: Layout::new(req, None, "Sign in"),
        csrf: form.csrf_token,
        next: safe_next(next),
        next_enc: super::enc(&safe_next(next)),
        user: user.to_string(),
        error: error.to_string(),
        sso,
        local,
    };
    let mut res = html(&page)?;
    *res.status_mut() = status;
    res.add_cookie(&session::login_csrf_cookie(req, &form.id))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
}

pub async fn login_form(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    query: web::Query<NextQuery>,
) -> Page {
    let ok = actix_web::http::StatusCode::OK;
    login_page(&req, &store, &slots, ok, &query.next, "", "").await
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<ServerConfig>,
    form: web::Form<LoginForm>,
) -> Page {
    let form = form.into_inner();
    if !config.local_passwords {
        return Err(UiError(ApiError::forbidden(
            "Password sign-in is turned off on this server: sign in with your identity provider.",
        )));
    }
    // The form's token must be the one the store gave the pre-session named by the cookie: a
    // cookie and a token an attacker made up together are not enough.
    let Some(pre_session) = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()) else {
        return Err(forbidden_csrf());
    };
    let (taker, csrf) = (store.clone(), form.csrf.clone());
    if !slots
        .run(move || taker.take_login_form(&pre_session, &csrf))
        .await??
    {
        return Err(forbidden_csrf());
    }
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let source = crate::auth::source(req.peer_addr());
    let signer = store.clone();
    let (user, password) = (form.user.clone(), form.password);
    let outcome = slots
        .run(move || signer.login(&user, &password, old.as_deref(), &source))
        .await??;
    match outcome {
        LoginOutcome::SignedIn(s) => {
            tracing::info!(user = s.principal.name, "signed in");
            let mut res = see_other(&safe_next(&form.next));
            res.add_cookie(&session::session_cookie(&req, &s.id, schema::SESSION_HOURS))
                .map_err(|_| ApiError::internal())?;
            res.add_cookie(&session::expired(&req, LOGIN_CSRF_COOKIE))
                .map_err(|_| ApiError::internal())?;
            Ok(res)
        }
        LoginOutcome::Refused => {
            let status = actix_web::http::StatusCode::UNAUTHORIZED;
            let message = "Wrong user name or password.";
            login_page(
                &req, &store, &slots, status, &form.next, &form.user, message,
            )
            .await
        }
        LoginOutcome::Locked { until } => {
            let status = actix_web::http::StatusCode::TOO_MANY_REQUESTS;
            let message = format!(
                "Too many failed sign-ins: locked until {}.",
                fmt_time(&until)
            );
            login_page(
                &req, &store, &slots, status, &form.next, &form.user, &message,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOutPage {
    layout: Layout,
    provider_url: String,
}

pub async fn logout(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    oidc: Option<web::Data<crate::auth::oidc::Oidc>>,
    form: web::Form<CsrfForm>,
) -> Page {
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    if let Some(id) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let store = store.clone();
        slots.run(move || store.logout(&id)).await??;
    }
    // RP-initiated logout: the provider's session ends too. A page sends the browser there
    // (a redirect of this form's POST to another origin would break `form-action 'self'`).
    let provider_url = match oidc {
        Some(oidc) => actix_web::rt::task::spawn_blocking(move || oidc.end_session_url())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let mut res = match provider_url {
        Some(provider_url) => html(&SignedOutPage {
            layout: Layout::new(&req, None, "Signed out"),
            provider_url,
        })?,
        None => see_other("/ui/login"),
    };
    res.add_cookie(&session::expired(&req, SESSION_COOKIE))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
}
