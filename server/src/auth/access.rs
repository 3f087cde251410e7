//! The route permission table: every route of the server (API, probes, web UI) with the
//! permission it needs, and the lookup that finds a request's route and the `{project}` it names.
//!
//! A route that is registered with actix but missing from the table is unreachable (404), so
//! forgetting an entry fails closed.
//!
//! A project's name is its `{project}` path segment percent-decoded once, here, as UTF-8 (a
//! segment that does not decode to UTF-8 is a 400). Handlers take the name from
//! [`super::Project`], never from their own path extractor, so the name authorized is the name
//! used: `a%2Fb` in a path is the project `a/b`, and the project literally named `a%2Fb` is
//! `a%252Fb`.

use actix_web::dev::{Path, ResourceDef, ServiceRequest};
use actix_web::http::Method;
use schema::Permission;
use std::sync::LazyLock;

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
        self.path == "/" || super::session::is_ui(self.path)
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
    // The CI job's OIDC token in the body is the credential (server/src/exchange.rs).
    route(Method::POST, "/api/v1/auth/exchange", Permission::Public),
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
    // Control mappings (server/src/controls.rs): like the policy, setting one is an admin's.
    route(
        Method::GET,
        "/api/v1/projects/{project}/controls",
        Permission::Read,
    ),
    route(
        Method::PUT,
        "/api/v1/projects/{project}/controls",
        Permission::Manage,
    ),
    route(
        Method::GET,
        "/api/v1/projects/{project}/controls/versions",
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
    // Sign-in with the OpenID provider (server/src/ui/pages/oidc.rs): the callback's state,
    // bound to the browser's cookie and kept in the store, is the credential.
    route(Method::GET, "/ui/oidc/start", Permission::Public),
    route(Method::GET, "/ui/oidc/callback", Permission::Public),
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
    // The auditor's page of a period, and drawing a sample of it (server/src/ui/pages/auditor.rs).
    route(
        Method::GET,
        "/ui/projects/{project}/audit",
        Permission::Audit,
    ),
    route(
        Method::POST,
        "/ui/projects/{project}/audit/sample",
        Permission::Audit,
    ),
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
pub(super) enum Found {
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

pub(super) fn find(req: &ServiceRequest) -> Found {
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
