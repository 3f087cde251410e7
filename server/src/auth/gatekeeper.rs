//! The gatekeeper middleware: access control, in one place, checked on every request before any
//! handler runs.
//!
//! For each request the gatekeeper
//! 1. finds the route in [`ROUTES`](super::ROUTES) (unknown path: 404, known path with another
//!    method: 405),
//! 2. authenticates the caller unless the route is public ([`super::credentials`]; none: 401),
//! 3. asks [`Principal::may`] for the route's permission in the `{project}` of the path
//!    (no: 403),
//! 4. hands the [`Principal`] to the handler (the [`Caller`] extractor), and the project it
//!    authorized (the [`Project`] extractor), and
//! 5. records the request's metrics and writes one log line (route, status, latency, caller
//!    id; never a secret).

use super::access::{Found, RouteSpec, find};
use super::caller::{Caller, Project};
use super::credentials::authenticate;
use super::session;
use crate::error::ApiError;
use crate::metrics::Metrics;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use schema::{Permission, Principal};
use std::time::Instant;

/// How a refusal on a web UI path is shown (a sign-in redirect, an HTML page) instead of the
/// JSON error: the UI registers it as app data (`crate::app`), so the gatekeeper depends on
/// nothing of the UI's.
#[derive(Clone, Copy)]
pub struct UiRefusal(pub fn(&actix_web::HttpRequest, &ApiError) -> actix_web::HttpResponse);

/// Checks what the route needs; `Ok(None)` for public routes. Also names the caller, when
/// known, for the log (a refused caller too).
async fn admit(
    req: &ServiceRequest,
    spec: &RouteSpec,
    project: Option<&str>,
) -> (String, Result<Option<Principal>, ApiError>) {
    if spec.permission == Permission::Public {
        return (String::new(), Ok(None));
    }
    let principal = match authenticate(req).await {
        Ok(p) => p,
        Err(e) => return (String::new(), Err(e)),
    };
    let label = principal.label();
    if !principal.may(spec.permission, project) {
        return (
            label,
            Err(ApiError::forbidden(match project {
                Some(p) => format!(
                    "{} may not do this in project {p:?} (role {}, scope {})",
                    principal.label(),
                    principal.role,
                    principal.project.as_deref().unwrap_or("all projects")
                ),
                None => format!(
                    "{} may not do this (role {}, scope {})",
                    principal.label(),
                    principal.role,
                    principal.project.as_deref().unwrap_or("all projects")
                ),
            })),
        );
    }
    (label, Ok(Some(principal)))
}

/// The middleware: route lookup, authentication, authorization, metrics, request log.
pub async fn gatekeeper(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let (route, (caller, outcome)) = match find(&req) {
        Found::Nothing => (
            "unmatched",
            (
                String::new(),
                Err(ApiError::not_found(format!("no route {}", req.path()))),
            ),
        ),
        Found::WrongMethod => (
            "unmatched",
            (
                String::new(),
                Err(ApiError::new(
                    actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("{} is not allowed on {}", req.method(), req.path()),
                )),
            ),
        ),
        Found::BadProject(raw) => (
            "unmatched",
            (
                String::new(),
                Err(ApiError::bad_request(format!(
                    "the project {raw:?} in the path is not UTF-8 once percent-decoded"
                ))),
            ),
        ),
        Found::Route(spec, project) => {
            let admitted = admit(&req, spec, project.as_deref()).await;
            if let Some(name) = project {
                req.extensions_mut().insert(Project(name));
            }
            (spec.path, admitted)
        }
    };
    let response = match outcome {
        Ok(principal) => {
            if let Some(p) = principal {
                req.extensions_mut().insert(Caller(p));
            }
            next.call(req).await?.map_into_boxed_body()
        }
        Err(err) => {
            let ui_refusal = req
                .app_data::<UiRefusal>()
                .copied()
                .filter(|_| session::is_ui(req.path()));
            let response = match ui_refusal {
                Some(UiRefusal(render)) => render(req.request(), &err),
                None => err.error_response(),
            };
            req.into_response(response)
        }
    };
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(m) = metrics {
        m.observe_request(route, method.as_str(), status, elapsed.as_secs_f64());
    }
    tracing::info!(
        target: "scanledger::request",
        method = %method,
        route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        caller = caller.as_str(),
        "request"
    );
    Ok(response)
}
