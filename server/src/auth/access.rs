//! Access control, in one place: the route table says what each route needs, and the
//! gatekeeper middleware checks it on every request before any handler runs.
//!
//! For each request the gatekeeper
//! 1. finds the route in [`ROUTES`] (unknown path: 404, known path with another method: 405),
//! 2. authenticates the caller unless the route is public (`Authorization: Bearer slt_...` for
//!    tokens, HTTP Basic for users; neither: 401),
//! 3. asks [`Principal::may`] for the route's permission in the `{project}` of the path
//!    (no: 403),
//! 4. hands the [`Principal`] to the handler (the [`Caller`] extractor), and the project it
//!    authorized (the [`Project`] extractor), and
//! 5. records the request's metrics and writes one log line (route, status, latency, caller
//!    id; never a secret).
//!
//! A route that is registered with actix but missing from the table is unreachable (404), so
//! forgetting an entry fails closed.
//!
//! A project's name is its `{project}` path segment percent-decoded once, here, as UTF-8 (a
//! segment that does not decode to UTF-8 is a 400). Handlers take the name from [`Project`],
//! never from their own path extractor, so the name authorized is the name used: `a%2Fb` in
//! a path is the project `a/b`, and the project literally named `a%2Fb` is `a%252Fb`.

use crate::error::ApiError;
use crate::metrics::Metrics;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Path, ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use base64::Engine;
use schema::{PasswordCheck, Permission, Principal, Store};
use std::sync::LazyLock;
use std::time::Instant;

/// How a refusal on a web UI path is shown (a sign-in redirect, an HTML page) instead of the
/// JSON error: the UI registers it as app data (`crate::app`), so the gatekeeper depends on
/// nothing of the UI's.
#[derive(Clone, Copy)]
pub struct UiRefusal(pub fn(&actix_web::HttpRequest, &ApiError) -> actix_web::HttpResponse);

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
        self.path == "/" || crate::session::is_ui(self.path)
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
    // A VEX document's statements become triage decisions (server/src/triage.rs).
    route(
        Method::POST,
        "/api/v1/projects/{project}/vex",
        Permission::Triage,
    ),
    // A raw report by scan id alone (`scanledger raw`): the handler checks the caller may read
    // the scan's project, and answers 404 when not (server/src/raw.rs).
    route(Method::GET, "/api/v1/scans/{scan}/raw", Permission::Read),
    // The audit log across projects, narrowed to the caller's scope by the handler; its chain
    // check spans every project (server/src/audit_log.rs).
    route(Method::GET, "/api/v1/audit", Permission::Read),
    route(Method::GET, "/api/v1/audit/verify", Permission::AuditChain),
    route(Method::POST, "/api/v1/audit/verify", Permission::AuditChain),
    // Creating projects and releases (server/src/catalog.rs): uploads create them too.
    route(Method::POST, "/api/v1/projects", Permission::Admin),
    route(
        Method::POST,
        "/api/v1/projects/{project}/releases",
        Permission::Upload,
    ),
    // Release policies (server/src/policy.rs): setting one decides what blocks a release.
    route(
        Method::GET,
        "/api/v1/projects/{project}/policy",
        Permission::Read,
    ),
    route(
        Method::PUT,
        "/api/v1/projects/{project}/policy",
        Permission::Manage,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/policy/versions",
        Permission::Read,
    ),
    // Evidence (server/src/evidence.rs): sealing is the project admin's; reading is everyone's.
    route(
        Method::POST,
        "/api/v1/projects/{project}/releases/{release}/seal",
        Permission::Manage,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/bundle",
        Permission::Read,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/releases/{release}/report",
        Permission::Read,
    ),
    route(Method::GET, "/api/v1/key", Permission::Read),
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
    /// The `{project}` segment does not percent-decode to UTF-8.
    BadProject(String),
    WrongMethod,
    Nothing,
}

/// A `{project}` path segment as it arrived (still percent-encoded), decoded once.
fn project_name(raw: &str) -> Option<String> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|name| name.into_owned())
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
        // The raw path: its segments still percent-encoded, so each is decoded exactly once.
        let mut path = Path::new(req.path());
        if !def.capture_match_info(&mut path) {
            continue;
        }
        if spec.method != req.method() {
            path_matched = true;
            continue;
        }
        return match path.get("project") {
            None => Found::Route(spec, None),
            Some(raw) => match project_name(raw) {
                Some(name) => Found::Route(spec, Some(name)),
                None => Found::BadProject(raw.to_string()),
            },
        };
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

/// The project the gatekeeper admitted the caller to: the `{project}` path segment, decoded
/// once. Handlers of `{project}` routes take the name from here.
#[derive(Debug, Clone)]
pub struct Project(pub String);

impl FromRequest for Project {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Project, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let project = req.extensions().get::<Project>().cloned();
        std::future::ready(project.ok_or_else(|| {
            // A handler that wants a project on a route without `{project}`: a bug.
            tracing::error!(path = req.path(), "route has no admitted project");
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

/// Read by hand rather than with actix-web-httpauth's `Authorization<Bearer>` and
/// `Authorization<Basic>`: their parsers (0.8.3, `scheme/bearer.rs` and `scheme/basic.rs`) match
/// the scheme as exactly `Bearer ` or `Basic `, so `bearer slt_...` and blanks after the scheme,
/// accepted today (the scheme is case-insensitive, RFC 9110, 11.1), would become 401s; the test
/// `authorization_schemes_are_case_insensitive_and_malformed_headers_are_401` pins this.
fn credentials(req: &ServiceRequest) -> Option<Credentials> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return crate::session::cookie(req).map(Credentials::Session);
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

/// The address a request came from, as the limits count it: the TCP peer (a forwarded-for
/// header is the client's word, so it is not taken).
pub fn source(peer: Option<std::net::SocketAddr>) -> String {
    peer.map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Failed bearer tokens per source address, counted in this process: a flood of made-up or
/// malformed tokens from one address gets 429 (without a database query) once it passes the
/// limit, until its minute is over. Tokens are 256 random bits, so this guards the server's
/// time, not the tokens; a token found valid moments ago still passes.
pub struct TokenFailures {
    per_minute: u32,
    entries: std::sync::Mutex<std::collections::HashMap<String, (Instant, u32)>>,
}

/// Addresses remembered at most; past that, finished minutes are forgotten.
const TOKEN_FAILURE_ENTRIES: usize = 10_000;
const TOKEN_FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

impl TokenFailures {
    pub fn new(per_minute: u32) -> TokenFailures {
        TokenFailures {
            per_minute,
            entries: Default::default(),
        }
    }

    fn limited(&self, source: &str) -> bool {
        let Ok(entries) = self.entries.lock() else {
            return false;
        };
        entries.get(source).is_some_and(|(since, count)| {
            since.elapsed() < TOKEN_FAILURE_WINDOW && *count >= self.per_minute
        })
    }

    fn failed(&self, source: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= TOKEN_FAILURE_ENTRIES {
            entries.retain(|_, (since, _)| since.elapsed() < TOKEN_FAILURE_WINDOW);
        }
        let entry = entries
            .entry(source.to_string())
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= TOKEN_FAILURE_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

fn too_many(message: String) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        message,
    )
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
    let source = source(req.peer_addr());
    let token_failures = req
        .app_data::<web::Data<TokenFailures>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    if matches!(creds, Credentials::Token(_)) && token_failures.limited(&source) {
        return Err(too_many(format!(
            "too many invalid tokens from {source}: wait a minute"
        )));
    }
    let slots = req
        .app_data::<web::Data<crate::slots::DbSlots>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    let is_token = matches!(creds, Credentials::Token(_));
    let from = source.clone();
    let principal = slots
        .run(move || match creds {
            Credentials::Token(secret) => store
                .authenticate_token(&secret)
                .map(|p| (p, None))
                .map_err(ApiError::from),
            // The one password limiter, shared with the web UI's sign-in.
            Credentials::Password { user, password } => {
                match store.check_password(&user, &password, &from)? {
                    PasswordCheck::Valid(p) => Ok((Some(p), None)),
                    PasswordCheck::Refused => Ok((None, None)),
                    PasswordCheck::Locked { until } => Err(too_many(format!(
                        "too many failed passwords: locked until {until} UTC"
                    ))
                    .with_details(serde_json::json!({ "locked_until": until }))),
                }
            }
            Credentials::Session(id) => store
                .session(&id)
                .map(|s| match s {
                    Some(s) => (Some(s.principal.clone()), Some(s)),
                    None => (None, None),
                })
                .map_err(ApiError::from),
        })
        .await
        .map_err(ApiError::from)
        .and_then(|r| r)?;
    if let (_, Some(session)) = &principal {
        req.extensions_mut()
            .insert(crate::session::UiSession(session.csrf_token.clone()));
    }
    if is_token && principal.0.is_none() {
        token_failures.failed(&source);
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
                .filter(|_| crate::session::is_ui(req.path()));
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
