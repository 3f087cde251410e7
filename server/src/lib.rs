//! # server
//!
//! ScanLedger's HTTP face: the JSON API under `/api/v1`, the probes and the metrics. The only
//! crate that speaks HTTP. Every handler calls one `schema` operation on a blocking thread;
//! nothing here writes SQL or parses reports.
//!
//! - [`auth`]: authentication and access control: the credentials (tokens, passwords,
//!   sessions), the route table and the gatekeeper that authenticates and authorizes every
//!   request (one mechanism for every route). It imports nothing of the handlers or the UI.
//! - [`routes`], [`upload`], [`raw`], [`triage`], [`audit_log`]: the handlers; [`catalog`]
//!   (creating projects and releases), [`policy`] (release policies), [`controls`] (control
//!   mappings), [`evidence`] (seal, bundle, reports, key).
//! - [`download`]: responses written on a blocking thread and streamed as they are written.
//! - [`exchange`]: a CI job's OIDC token traded for a short-lived upload token.
//! - [`error`]: the one JSON error shape.
//! - [`metrics`]: Prometheus metrics; [`audit_check`]: the periodic audit chain check.
//! - [`config`]: the server's settings.
//! - [`ui`]: the web UI (server-rendered HTML) for auditors and security engineers.
//!
//! The OpenAPI 3 document at `/api/v1/openapi.json` is generated from the handlers' annotations
//! ([`ApiDoc`]).

pub mod audit_check;
pub mod audit_log;
pub mod auth;
pub mod budget;
pub mod catalog;
pub mod config;
pub mod controls;
pub mod document;
pub mod download;
pub mod error;
pub mod evidence;
pub mod exchange;
pub mod metrics;
pub mod openapi;
pub mod policy;
pub mod raw;
pub mod routes;
pub mod slots;
pub mod spool;
pub mod triage;
pub mod ui;
pub mod upload;

/// The route table at the path the tests read it from (`server::access::ROUTES`).
pub use auth::access;

use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
pub use config::{FileConfig, ServerConfig};
use openapi::{Refusals, Timestamps};
use schema::Store;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

/// The OpenAPI document, generated from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(title = "ScanLedger API", description = "Upload scanner reports, query findings, gate releases."),
    paths(
        routes::healthz, routes::readyz, routes::metrics, routes::whoami, routes::projects,
        routes::releases, routes::scans, upload::upload, raw::raw, routes::findings,
        routes::gate, routes::record_gate, routes::diff, routes::tokens, routes::create_token, routes::revoke_token,
        routes::users, routes::create_user, triage::triage, triage::bulk, triage::history, triage::sla,
        audit_log::audit, triage::vex, triage::vex_import,
        raw::scan_raw, audit_log::audit_all, audit_log::verify, audit_log::verify_anchored,
        catalog::create_project, catalog::create_release,
        policy::show, policy::versions, policy::set,
        controls::show_controls, controls::control_versions, controls::set_controls,
        evidence::seal, evidence::bundle, evidence::report, evidence::key,
        exchange::exchange,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail, routes::CreateToken, routes::CreateUser,
        triage::TriageBody, triage::BulkTriageBody,
        audit_log::AnchorsBody, audit_log::AnchorBody, catalog::CreateNamed, evidence::SealBody,
        exchange::ExchangeBody)),
    modifiers(&Security, &Refusals, &Timestamps),
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
    }
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// The routes, for the server and for tests. Access rules live in [`auth::ROUTES`].
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(routes::healthz))
        .route("/readyz", web::get().to(routes::readyz))
        .route("/metrics", web::get().to(routes::metrics))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(openapi))
                .route("/whoami", web::get().to(routes::whoami))
                .route("/auth/exchange", web::post().to(exchange::exchange))
                .route("/projects", web::get().to(routes::projects))
                .route("/projects", web::post().to(catalog::create_project))
                .route(
                    "/projects/{project}/releases",
                    web::get().to(routes::releases),
                )
                .route(
                    "/projects/{project}/releases",
                    web::post().to(catalog::create_release),
                )
                .route("/projects/{project}/policy", web::get().to(policy::show))
                .route("/projects/{project}/policy", web::put().to(policy::set))
                .route(
                    "/projects/{project}/policy/versions",
                    web::get().to(policy::versions),
                )
                .route(
                    "/projects/{project}/controls",
                    web::get().to(controls::show_controls),
                )
                .route(
                    "/projects/{project}/controls",
                    web::put().to(controls::set_controls),
                )
                .route(
                    "/projects/{project}/controls/versions",
                    web::get().to(controls::control_versions),
                )
                .route(
                    "/projects/{project}/releases/{release}/seal",
                    web::post().to(evidence::seal),
                )
                .route(
                    "/projects/{project}/releases/{release}/bundle",
                    web::get().to(evidence::bundle),
                )
                .route(
                    "/projects/{project}/releases/{release}/report",
                    web::get().to(evidence::report),
                )
                .route("/key", web::get().to(evidence::key))
                .route(
                    "/projects/{project}/releases/{release}/scans",
                    web::get().to(routes::scans),
                )
                .route(
                    "/projects/{project}/releases/{release}/scans",
                    web::post().to(upload::upload),
                )
                .route(
                    "/projects/{project}/scans/{scan}/raw",
                    web::get().to(raw::raw),
                )
                .route(
                    "/projects/{project}/releases/{release}/findings",
                    web::get().to(routes::findings),
                )
                .route(
                    "/projects/{project}/releases/{release}/gate",
                    web::get().to(routes::gate),
                )
                .route(
                    "/projects/{project}/releases/{release}/gate",
                    web::post().to(routes::record_gate),
                )
                .route("/projects/{project}/diff", web::get().to(routes::diff))
                .route(
                    "/projects/{project}/findings/{fingerprint}/triage",
                    web::post().to(triage::triage),
                )
                .route(
                    "/projects/{project}/findings/{fingerprint}/history",
                    web::get().to(triage::history),
                )
                .route("/projects/{project}/triage", web::post().to(triage::bulk))
                .route("/projects/{project}/sla", web::get().to(triage::sla))
                .route("/projects/{project}/audit", web::get().to(audit_log::audit))
                .route(
                    "/projects/{project}/releases/{release}/vex",
                    web::get().to(triage::vex),
                )
                .service(
                    web::resource("/projects/{project}/vex")
                        .app_data(web::PayloadConfig::new(triage::MAX_VEX_BYTES))
                        .route(web::post().to(triage::vex_import)),
                )
                .route("/scans/{scan}/raw", web::get().to(raw::scan_raw))
                .route("/audit", web::get().to(audit_log::audit_all))
                .route("/audit/verify", web::get().to(audit_log::verify))
                .route("/audit/verify", web::post().to(audit_log::verify_anchored))
                .route("/tokens", web::get().to(routes::tokens))
                .route("/tokens", web::post().to(routes::create_token))
                .route("/tokens/{token}", web::delete().to(routes::revoke_token))
                .route("/users", web::get().to(routes::users))
                .route("/users", web::post().to(routes::create_user)),
        );
}

/// Shared state for the app: store, settings, metrics.
#[derive(Clone)]
pub struct AppState {
    pub store: web::Data<Store>,
    pub config: web::Data<ServerConfig>,
    pub metrics: web::Data<metrics::Metrics>,
    pub slots: web::Data<slots::DbSlots>,
    pub token_failures: web::Data<auth::TokenFailures>,
    /// This process's upload spool directory (cleaned of crashed processes' files at start).
    pub spool: web::Data<spool::SpoolDir>,
    pub import_budget: web::Data<budget::ImportBudget>,
    /// Where the token exchange gets the CI issuers' keys (over HTTP, cached).
    pub key_sets: web::Data<dyn auth::workload::KeySource>,
    /// The OpenID provider of the web UI's sign-in, when configured.
    pub oidc: Option<web::Data<auth::oidc::Oidc>>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> std::io::Result<AppState> {
        let metrics = metrics::Metrics::new().map_err(std::io::Error::other)?;
        let slots = slots::DbSlots::new(store.pool_state().max as usize);
        let spool = spool::SpoolDir::open(config.upload_dir.as_deref())?;
        let import_budget = budget::ImportBudget::new(config.max_upload_bytes);
        Ok(AppState {
            spool: web::Data::new(spool),
            token_failures: web::Data::new(auth::TokenFailures::new(config.bad_tokens_per_minute)),
            slots: web::Data::new(slots),
            import_budget: web::Data::new(import_budget),
            key_sets: web::Data::from(std::sync::Arc::new(auth::workload::HttpKeySets::default())
                as std::sync::Arc<dyn auth::workload::KeySource>),
            oidc: config
                .oidc
                .clone()
                .map(|settings| web::Data::new(auth::oidc::Oidc::new(settings))),
            store: web::Data::new(store),
            config: web::Data::new(config),
            metrics: web::Data::new(metrics),
        })
    }
}

/// The whole application: state, extractor error handlers, the gatekeeper, the JSON error
/// shape for anything else, and the routes.
pub fn app(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let mut app = App::new();
    if let Some(oidc) = state.oidc {
        app = app.app_data(oidc);
    }
    app.app_data(state.store)
        .app_data(state.config)
        .app_data(state.metrics)
        .app_data(state.slots)
        .app_data(state.token_failures)
        .app_data(state.spool)
        .app_data(state.import_budget)
        .app_data(state.key_sets)
        .app_data(auth::UiRefusal(ui::refusal))
        .app_data(web::JsonConfig::default().error_handler(error::json_error))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .configure(configure)
        .configure(ui::configure)
        .wrap(ErrorHandlers::new().default_handler(error::json_error_shape))
        .wrap(from_fn(auth::gatekeeper))
        .wrap(ui::security_headers())
}

/// Serves until SIGTERM or SIGINT; then stops accepting, lets in-flight requests (uploads
/// included) finish for up to the shutdown timeout, and exits. An upload cut off by the
/// timeout rolls back: its transaction never committed.
pub fn run(store: Store, config: ServerConfig) -> std::io::Result<()> {
    run_with(store, config, |_| {})
}

/// [`run`], calling `ready` with the addresses actually bound (a port 0 resolved) once the
/// server listens and before it serves, so a caller can say where it is.
pub fn run_with(
    store: Store,
    config: ServerConfig,
    ready: impl FnOnce(&[std::net::SocketAddr]),
) -> std::io::Result<()> {
    let state = AppState::new(store, config.clone())?;
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind.clone();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || app(app_state.clone()))
            .shutdown_timeout(config.shutdown_timeout_secs)
            .bind(&bind)?;
        if config.workers > 0 {
            server = server.workers(config.workers);
        }
        tracing::info!(bind, "listening");
        spawn_audit_checks(&state, &config);
        eprintln!("scanledger serving on http://{bind}");
        ready(&server.addrs());
        server.run().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Checks the audit chain at start and then every `audit_check_interval_secs` (through the
/// database turns, like any request), recording the outcome in the metrics and the log.
fn spawn_audit_checks(state: &AppState, config: &ServerConfig) {
    let interval = config.audit_check_interval_secs;
    if interval == 0 {
        tracing::warn!("audit chain checks are off (audit_check_interval_secs = 0)");
        return;
    }
    if config.trusted_keys.is_empty() {
        tracing::warn!(
            "no trusted evidence keys (--trusted-keys): the audit check recomputes the chain but \
             cannot hold it against the heads sealed bundles signed"
        );
    }
    let (store, slots, metrics) = (
        state.store.clone(),
        state.slots.clone(),
        state.metrics.clone(),
    );
    let keys = config.trusted_keys.clone();
    actix_web::rt::spawn(async move {
        loop {
            let (s, k) = (store.clone(), keys.clone());
            let outcome = slots
                .run(move || audit_check::check_once(&s, &k))
                .await
                .unwrap_or_else(|e| Err(schema::StoreError::Internal(e.to_string())));
            audit_check::report(&metrics, &outcome, keys.len());
            actix_web::rt::time::sleep(std::time::Duration::from_secs(interval)).await;
        }
    });
}
