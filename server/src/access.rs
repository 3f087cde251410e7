//! Access control, in one place: the route table says what each route needs, and the
//! gatekeeper middleware checks it on every request before any handler runs.
//!
//! For each request the gatekeeper
//! 1. finds the route in [`ROUTES`] (unknown path: 404, known path with another method: 405),
//! 2. authenticates the caller unless the route is public (`Authorization: Bearer slt_...` for
//!    tokens, HTTP Basic for users; neither: 401),
//! 3. asks [`Principal::may`] for the route's permission in the `{project}` of the path
//!    (no: 403),
//! 4. hands the [`Principal`] to the handler (the [`Caller`] extractor), and
//! 5. records the request's metrics and writes one log line (route, status, latency, caller
//!    id; never a secret).
//!
//! A route that is registered with actix but missing from the table is unreachable (404), so
//! forgetting an entry fails closed.

use crate::error::ApiError;
use crate::metrics::Metrics;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Path, ResourceDef, ServiceRequest, ServiceResponse, Url};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use base64::Engine;
use schema::{Permission, Principal, Store};
use std::sync::LazyLock;
use std::time::Instant;

/// One route: method, path pattern (actix syntax), and what it needs.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
}

impl RouteSpec {
    /// A web UI route (HTML, session cookie), as opposed to the JSON API and the probes.
    pub fn is_ui(&self) -> bool {
        self.path == "/" || crate::ui::is_ui(self.path)
    }
}

const fn route(method: Method, path: &'static str, permission: Permission) -> RouteSpec {
    RouteSpec {
        method,
        path,
        permission,
    }
}

/// Every route of the server. Routes with `{project}` are checked against the caller's scope.
pub static ROUTES: &[RouteSpec] = &[
    route(Method::GET, "/healthz", Permission::Public),
    route(Method::GET, "/readyz", Permission::Public),
    route(Method::GET, "/metrics", Permission::Public),
    route(Method::GET, "/api/v1/openapi.json", Permission::Public),
    route(Method::GET, "/api/v1/whoami", Permission::Authenticated),
    route(Method::GET, "/api/v1/projects", Permission::Read),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/scans",
        Permission::Read,
    ),
    route(
        Method::POST,
        "/api/v1/projects/{project}/releases/{release}/scans",
        Permission::Upload,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/scans/{scan}/raw",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/findings",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/gate",
        Permission::Read,
    ),
    // Recording an evaluation is a decision (CI's `gate`): uploaders and admins.
    route(
        Method::POST,
        "/api/v1/projects/{project}/releases/{release}/gate",
        Permission::Upload,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/diff",
        Permission::Read,
    ),
    // Triage (server/src/triage.rs).
    route(
        Method::POST,
        "/api/v1/projects/{project}/triage",
        Permission::Triage,
    ),
    route(
        Method::POST,
        "/api/v1/projects/{project}/findings/{fingerprint}/triage",
        Permission::Triage,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/findings/{fingerprint}/history",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/sla",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/audit",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/vex",
        Permission::Read,
    ),
    route(Method::GET, "/api/v1/tokens", Permission::Admin),
    route(Method::POST, "/api/v1/tokens", Permission::Admin),
    route(Method::DELETE, "/api/v1/tokens/{token}", Permission::Admin),
    route(Method::GET, "/api/v1/users", Permission::Admin),
    route(Method::POST, "/api/v1/users", Permission::Admin),
    // ---- Web UI (crate::ui): the same table, the session cookie as a third credential. ----
    route(Method::GET, "/", Permission::Public),
    route(Method::GET, "/ui/static/{file}", Permission::Public),
    route(Method::GET, "/ui/login", Permission::Public),
    route(Method::POST, "/ui/login", Permission::Public),
    route(Method::POST, "/ui/logout", Permission::Authenticated),
    route(Method::GET, "/ui", Permission::Read),
    route(Method::GET, "/ui/projects/{project}", Permission::Read),
    route(
        Method::GET,
        "/ui/projects/{project}/releases/{release}",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/ui/projects/{project}/releases/{release}/findings/{fingerprint}",
        Permission::Read,
    ),
    route(
        Method::POST,
        "/ui/projects/{project}/findings/{fingerprint}/triage",
        Permission::Triage,
    ),
    route(
        Method::GET,
        "/ui/projects/{project}/releases/{release}/bundle",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/ui/projects/{project}/releases/{release}/report/{format}",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/ui/projects/{project}/scans/{scan}/raw",
        Permission::Read,
    ),
    route(Method::GET, "/ui/audit", Permission::Read),
    route(Method::GET, "/ui/admin/users", Permission::Admin),
    route(Method::POST, "/ui/admin/users", Permission::Admin),
    route(Method::GET, "/ui/admin/tokens", Permission::Admin),
    route(Method::POST, "/ui/admin/tokens", Permission::Admin),
    // Every project the caller sees (auditors included); only admins create one.
    route(Method::GET, "/ui/admin/projects", Permission::Read),
    route(Method::POST, "/ui/admin/projects", Permission::Admin),
    // ---- end of the web UI block ----
];

/// A route's matcher, with what a path must have for the matcher to be worth running: the
/// pattern's literal start and its number of segments (every `{name}` is one segment).
struct Matcher {
    def: ResourceDef,
    literal_start: &'static str,
    segments: usize,
    spec: &'static RouteSpec,
}

static MATCHERS: LazyLock<Vec<Matcher>> = LazyLock::new(|| {
    ROUTES
        .iter()
        .map(|spec| Matcher {
            def: ResourceDef::new(spec.path),
            literal_start: spec.path.split('{').next().unwrap_or_default(),
            segments: spec.path.matches('/').count(),
            spec,
        })
        .collect()
});

/// The route a request is for, and the `{project}` it names.
enum Found {
    Route(&'static RouteSpec, Option<String>),
    WrongMethod,
    Nothing,
}

fn find(req: &ServiceRequest) -> Found {
    let mut path_matched = false;
    let segments = req.path().matches('/').count();
    for Matcher {
        def,
        literal_start,
        segments: route_segments,
        spec,
    } in MATCHERS.iter()
    {
        // The cheap tests first: a pattern match runs a regular expression.
        if *route_segments != segments || !req.path().starts_with(literal_start) {
            continue;
        }
        let mut path = Path::new(Url::new(req.uri().clone()));
        if !def.capture_match_info(&mut path) {
            continue;
        }
        if spec.method != req.method() {
            path_matched = true;
            continue;
        }
        let project = path.get("project").map(str::to_string);
        return Found::Route(spec, project);
    }
    if path_matched {
        Found::WrongMethod
    } else {
        Found::Nothing
    }
}

/// The caller, as the gatekeeper authenticated it. Only on non-public routes.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = req.extensions().get::<Caller>().cloned();
        std::future::ready(caller.ok_or_else(|| {
            // A handler that wants a caller on a route the table calls public: a bug.
            tracing::error!(path = req.path(), "route has no authenticated caller");
            ApiError::internal()
        }))
    }
}

/// Credentials from the `Authorization` header (never logged).
enum Credentials {
    Token(String),
    Password {
        user: String,
        password: String,
    },
    /// The web UI's session cookie; only on `/ui` routes.
    Session(String),
}

fn credentials(req: &ServiceRequest) -> Option<Credentials> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return crate::ui::session::cookie(req).map(Credentials::Session);
    };
    let value = value.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Credentials::Token(rest.trim().to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        return Some(Credentials::Password {
            user: user.to_string(),
            password: password.to_string(),
        });
    }
    None
}

async fn authenticate(req: &ServiceRequest) -> Result<Principal, ApiError> {
    let store = req
        .app_data::<web::Data<Store>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    let creds = credentials(req).ok_or_else(ApiError::unauthorized)?;
    // A token seen valid moments ago is answered here, on the event loop: no thread hop, no
    // database (schema::TOKEN_CACHE_SECS says how long).
    if let Credentials::Token(secret) = &creds
        && let Some(principal) = store.cached_token(secret)
    {
        return Ok(principal);
    }
    let slots = req
        .app_data::<web::Data<crate::slots::DbSlots>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    let principal = slots
        .run(move || match creds {
            Credentials::Token(secret) => store.authenticate_token(&secret).map(|p| (p, None)),
            Credentials::Password { user, password } => store
                .authenticate_password(&user, &password)
                .map(|p| (p, None)),
            Credentials::Session(id) => store.session(&id).map(|s| match s {
                Some(s) => (Some(s.principal.clone()), Some(s)),
                None => (None, None),
            }),
        })
        .await??;
    if let (_, Some(session)) = &principal {
        req.extensions_mut()
            .insert(crate::ui::session::UiSession(session.csrf_token.clone()));
    }
    principal.0.ok_or_else(ApiError::unauthorized)
}

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
        Found::Route(spec, project) => (spec.path, admit(&req, spec, project.as_deref()).await),
    };
    let response = match outcome {
        Ok(principal) => {
            if let Some(p) = principal {
                req.extensions_mut().insert(Caller(p));
            }
            next.call(req).await?.map_into_boxed_body()
        }
        Err(err) if crate::ui::is_ui(req.path()) => {
            let response = crate::ui::refusal(req.request(), &err);
            req.into_response(response)
        }
        Err(err) => req.into_response(err.error_response()),
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
