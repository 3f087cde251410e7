//! # server
//!
//! ScanLedger's HTTP face: the JSON API under `/api/v1` and (later) the auditor web UI. The only
//! crate that speaks HTTP. Every handler calls one `schema` operation on a blocking thread;
//! nothing here writes SQL or parses reports.
//!
//! Today it serves the health and readiness probes and read-only listings; uploads, tokens and
//! roles come with the server issue.

use actix_web::{App, HttpResponse, HttpServer, ResponseError, http::StatusCode, web};
use schema::{Store, StoreError};
use serde::Serialize;

/// The one JSON error shape of the API: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        })
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let (status, code) = match &err {
            StoreError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            StoreError::Sealed { .. } => (StatusCode::CONFLICT, "sealed"),
            StoreError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid"),
            StoreError::Import(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_report"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
        }
        let message = if status.is_server_error() {
            "internal error".to_string()
        } else {
            err.to_string()
        };
        ApiError {
            status,
            code,
            message,
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "overloaded",
            message: "server is shutting down".into(),
        }
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(store: web::Data<Store>) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let ready = web::block(move || store.ready()).await??;
    Ok(if ready {
        HttpResponse::Ok().json(serde_json::json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "migrations pending"}))
    })
}

async fn projects(store: web::Data<Store>) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let projects = web::block(move || store.projects()).await??;
    Ok(HttpResponse::Ok().json(projects))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "no such route".into(),
    })
}

/// The routes, for the server and for tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/api/v1/projects", web::get().to(projects));
}

/// Serves until interrupted.
pub fn run(store: Store, bind: &str) -> std::io::Result<()> {
    let data = web::Data::new(store);
    actix_web::rt::System::new().block_on(async move {
        tracing::info!(bind, "listening");
        eprintln!("scanledger serving on http://{bind}");
        HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(configure)
                .default_service(web::to(not_found))
        })
        .bind(bind)?
        .run()
        .await
    })
}
