//! Signing in and out: the sign-in form (double-submit CSRF token), the session cookie, the
//! lockout message, and the sign-out form.

use super::{Page, fmt_time, forbidden_csrf, see_other};
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::session::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::ui::{Layout, html};
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
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local UI paths, so the sign-in page cannot bounce anyone elsewhere.
fn safe_next(next: &str) -> String {
    if is_local_ui(next) {
        next.to_string()
    } else {
        "/ui".to_string()
    }
}

fn is_local_ui(next: &str) -> bool {
    crate::ui::is_ui(next.split(['?', '#']).next().unwrap_or_default())
        && !next.contains('\\')
        && !next.contains("//")
}

fn login_page(
    req: &HttpRequest,
    status: actix_web::http::StatusCode,
    next: &str,
    user: &str,
    error: &str,
) -> Page {
    let csrf = session::random_token().ok_or_else(ApiError::internal)?;
    let page = LoginPage {
        layout: Layout::new(req, None, "Sign in"),
        csrf: csrf.clone(),
        next: safe_next(next),
        user: user.to_string(),
        error: error.to_string(),
    };
    let mut res = html(&page)?;
    *res.status_mut() = status;
    res.add_cookie(&session::login_csrf_cookie(req, &csrf))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
}

pub async fn login_form(req: HttpRequest, query: web::Query<NextQuery>) -> Page {
    login_page(&req, actix_web::http::StatusCode::OK, &query.next, "", "")
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
    form: web::Form<LoginForm>,
) -> Page {
    let form = form.into_inner();
    let cookie_token = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if !cookie_token.is_some_and(|t| session::constant_eq(t.as_bytes(), form.csrf.as_bytes())) {
        return Err(forbidden_csrf());
    }
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let store = store.clone();
    let (user, password) = (form.user.clone(), form.password);
    let outcome = slots
        .run(move || store.login(&user, &password, old.as_deref()))
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
        LoginOutcome::Refused => login_page(
            &req,
            actix_web::http::StatusCode::UNAUTHORIZED,
            &form.next,
            &form.user,
            "Wrong user name or password.",
        ),
        LoginOutcome::Locked { until } => login_page(
            &req,
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            &form.next,
            &form.user,
            &format!(
                "Too many failed sign-ins: this user name is locked until {}.",
                fmt_time(&until)
            ),
        ),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    form: web::Form<CsrfForm>,
) -> Page {
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    if let Some(id) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let store = store.clone();
        slots.run(move || store.logout(&id)).await??;
    }
    let mut res = see_other("/ui/login");
    res.add_cookie(&session::expired(&req, SESSION_COOKIE))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
}
