//! The web UI for auditors and security engineers: server-rendered askama templates
//! (`server/templates/`), one stylesheet (`server/static/`) compiled into the binary, no
//! script at all.
//!
//! - Access goes through the same route table and gatekeeper as the API
//!   ([`crate::auth::ROUTES`]); the session cookie is a third credential there, on `/ui`
//!   routes only. A refusal on a UI route becomes a redirect to the sign-in page (401) or an
//!   HTML error page.
//! - Every change of state calls the same store operation as the CLI and the API, with the
//!   signed-in user as the actor (so it lands in the audit log).
//! - [`crate::auth::session`]: cookies and CSRF tokens; [`pages`]: the handlers, one module per page.
//! - Every response carries a strict Content-Security-Policy (`default-src 'self'`, no inline
//!   script or style), `X-Frame-Options: DENY`, `Referrer-Policy`, `X-Content-Type-Options`.

pub mod pages;

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use schema::{Permission, Principal};

/// The security headers, on every response (API included: they cost nothing there).
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}

/// The UI's routes (their access rules are in [`crate::auth::ROUTES`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::root))
        .route("/ui/static/{file}", web::get().to(pages::static_file))
        .route("/ui/login", web::get().to(pages::login_form))
        .route("/ui/login", web::post().to(pages::login))
        .route("/ui/logout", web::post().to(pages::logout))
        .route("/ui/oidc/start", web::get().to(pages::oidc_start))
        .route("/ui/oidc/callback", web::get().to(pages::oidc_callback))
        .route("/ui", web::get().to(pages::dashboard))
        .route("/ui/projects/{project}", web::get().to(pages::project))
        .route(
            "/ui/projects/{project}/releases/{release}",
            web::get().to(pages::release),
        )
        .route(
            "/ui/projects/{project}/releases/{release}/findings/{fingerprint}",
            web::get().to(pages::finding),
        )
        .route(
            "/ui/projects/{project}/findings/{fingerprint}/triage",
            web::post().to(pages::triage),
        )
        .route(
            "/ui/projects/{project}/releases/{release}/bundle",
            web::get().to(pages::bundle),
        )
        .route(
            "/ui/projects/{project}/releases/{release}/report/{format}",
            web::get().to(pages::report),
        )
        .route(
            "/ui/projects/{project}/scans/{scan}/raw",
            web::get().to(crate::raw::raw),
        )
        .route(
            "/ui/projects/{project}/audit",
            web::get().to(pages::auditor),
        )
        .route(
            "/ui/projects/{project}/audit/sample",
            web::post().to(pages::audit_sample),
        )
        .route("/ui/audit", web::get().to(pages::audit))
        .route("/ui/admin/users", web::get().to(pages::users))
        .route("/ui/admin/users", web::post().to(pages::create_user))
        .route("/ui/admin/tokens", web::get().to(pages::tokens))
        .route("/ui/admin/tokens", web::post().to(pages::create_token))
        .route("/ui/admin/projects", web::get().to(pages::projects))
        .route("/ui/admin/projects", web::post().to(pages::create_project));
}

/// What every page's frame shows: the title, who is signed in, and the CSRF token for the
/// sign-out form (and any other form on the page).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user: String,
    pub role: String,
    pub scope: String,
    pub csrf: String,
    pub is_admin: bool,
    pub signed_in: bool,
}

impl Layout {
    pub fn new(
        req: &HttpRequest,
        principal: Option<&Principal>,
        title: impl Into<String>,
    ) -> Layout {
        match principal {
            None => Layout {
                title: title.into(),
                ..Layout::default()
            },
            Some(p) => Layout {
                title: title.into(),
                user: p.name.clone(),
                role: p.role.as_str().to_string(),
                scope: p.project.clone().unwrap_or_else(|| "all projects".into()),
                csrf: crate::auth::session::csrf_token(req).unwrap_or_default(),
                is_admin: p.may(Permission::Admin, None),
                signed_in: true,
            },
        }
    }
}

/// An error on a UI route, shown as an HTML page.
#[derive(Debug)]
pub struct UiError(pub ApiError);

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> UiError {
        UiError(e)
    }
}

impl From<domain::InvalidValue> for UiError {
    fn from(e: domain::InvalidValue) -> UiError {
        UiError(ApiError::from(e))
    }
}

impl From<schema::StoreError> for UiError {
    fn from(e: schema::StoreError) -> UiError {
        UiError(e.into())
    }
}

impl From<actix_web::error::BlockingError> for UiError {
    fn from(e: actix_web::error::BlockingError) -> UiError {
        UiError(e.into())
    }
}

impl ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        error_page(&self.0)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

fn error_page(err: &ApiError) -> HttpResponse {
    let page = ErrorPage {
        layout: Layout {
            title: err.status.canonical_reason().unwrap_or("Error").to_string(),
            ..Layout::default()
        },
        status: err.status.as_u16(),
        message: err.message.clone(),
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "<!doctype html><title>Error</title><p>Error</p>".into());
    HttpResponse::build(err.status)
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .body(body)
}

/// What the gatekeeper answers on a UI route it refuses: the sign-in page for a missing or
/// stale session, an HTML error page otherwise.
pub fn refusal(req: &HttpRequest, err: &ApiError) -> HttpResponse {
    if err.status == StatusCode::UNAUTHORIZED && req.method() == actix_web::http::Method::GET {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let target = format!(
            "/ui/login?next={}",
            serde_urlencoded::to_string([("", next.as_str())])
                .unwrap_or_default()
                .trim_start_matches('=')
        );
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish();
    }
    error_page(err)
}

/// Renders a page as an HTML response.
pub fn html(page: &impl Template) -> Result<HttpResponse, UiError> {
    let body = page.render().map_err(|e| {
        tracing::error!(error = %e, "rendering a page");
        UiError(ApiError::internal())
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
