//! Uploads: the report arrives as the raw request body (CI, the CLI) or as the `file` field of a
//! `multipart/form-data` form (browsers). It is streamed to a temporary file with a size cap,
//! then imported in one store transaction on a blocking thread: a report is stored whole or
//! not at all, also when the server shuts down mid-upload.

use crate::auth::{Caller, Project};
use crate::budget::ImportBudget;
use crate::config::ServerConfig;
use crate::error::{ApiError, ErrorBody};
use crate::metrics::Metrics;
use crate::slots::DbSlots;
use crate::spool::SpoolDir;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use schema::{ImportRequest, Store};
use serde::Deserialize;
use std::io::Write;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Slot label; default: the tool and the scanned target without tag.
    pub label: Option<String>,
    /// Force a report format instead of detecting it.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub report_type: Option<String>,
    /// The report's file name, recorded with the scan.
    pub file_name: Option<String>,
}

/// Appends chunks to the spool file, failing once the cap is passed.
struct Spool {
    file: tempfile::NamedTempFile,
    written: u64,
    limit: u64,
}

impl Spool {
    fn new(dir: &SpoolDir, limit: u64) -> Result<Spool, ApiError> {
        let file = dir.file().map_err(|e| {
            tracing::error!(error = %e, "creating the upload spool file");
            ApiError::internal()
        })?;
        Ok(Spool {
            file,
            written: 0,
            limit,
        })
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            return Err(ApiError::too_large(self.limit));
        }
        self.file.write_all(chunk).map_err(|e| {
            tracing::error!(error = %e, "writing the upload spool file");
            ApiError::internal()
        })
    }
}

/// The next item of a body stream, or 408 when nothing arrives within `wait`: a client that
/// trickles its body does not hold a connection and a spool file forever.
async fn next_within<S: futures_util::Stream + Unpin>(
    stream: &mut S,
    wait: std::time::Duration,
) -> Result<Option<S::Item>, ApiError> {
    actix_web::rt::time::timeout(wait, stream.next())
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "no bytes of the upload arrived for {} s; nothing was stored",
                    wait.as_secs()
                ),
            )
        })
}

fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/releases/{release}/scans", tag = "scans",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), UploadQuery),
    request_body(content = Vec<u8>, description = "The report: the raw body (any content type but forms), or multipart/form-data with a `file` field",
        content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Imported; same fields as `scanledger upload --format json`", body = schema::ImportOutcome),
        (status = 200, description = "The same bytes were already in this slot: nothing stored (`duplicate: true`)", body = schema::ImportOutcome),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "Release sealed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not a report we can read; nothing stored")),
    security(("token" = []), ("basic" = [])))]
#[allow(
    clippy::too_many_arguments,
    reason = "actix extractors, one per argument"
)]
pub async fn upload(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    budget: web::Data<ImportBudget>,
    config: web::Data<ServerConfig>,
    spool_dir: web::Data<SpoolDir>,
    metrics: web::Data<Metrics>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limit = config.max_upload_bytes;
    if let Some(length) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && length > limit
    {
        return Err(ApiError::too_large(limit));
    }
    let kind = content_type(&req);
    if kind.starts_with("application/x-www-form-urlencoded") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the report as the raw body or as multipart/form-data with a `file` field",
        ));
    }
    let wait = std::time::Duration::from_secs(config.upload_read_timeout_secs);
    let mut spool = Spool::new(&spool_dir, limit)?;
    let mut file_name = query.file_name.clone();
    if kind.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        let mut found = false;
        while let Some(field) = next_within(&mut form, wait).await? {
            let mut field =
                field.map_err(|e| ApiError::bad_request(format!("bad multipart body: {e}")))?;
            let is_file = field.name() == Some("file");
            if !is_file || found {
                // Drain fields we do not use.
                while let Some(chunk) = next_within(&mut field, wait).await? {
                    chunk.map_err(|e| ApiError::bad_request(format!("bad multipart body: {e}")))?;
                }
                continue;
            }
            found = true;
            if file_name.is_none() {
                file_name = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(str::to_string);
            }
            while let Some(chunk) = next_within(&mut field, wait).await? {
                let chunk =
                    chunk.map_err(|e| ApiError::bad_request(format!("bad multipart body: {e}")))?;
                spool.write(&chunk)?;
            }
        }
        if !found {
            return Err(ApiError::bad_request("multipart body has no `file` field"));
        }
    } else {
        let mut payload = payload;
        while let Some(chunk) = next_within(&mut payload, wait).await? {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
            spool.write(&chunk)?;
        }
    }
    spool.file.flush().map_err(|_| ApiError::internal())?;
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let query = query.into_inner();
    let uploaded_by = caller.0.label();
    let store = store.clone();
    let spooled = spool.file;
    // Memory first, then a turn at the database; both held until the import ends.
    let _memory = budget.reserve(spool.written).await;
    let (result, took) = slots
        .run(move || {
            let request = ImportRequest {
                project: &project,
                release: &release,
                label: query.label.as_deref(),
                format: query.report_type.as_deref(),
                file_name: file_name.as_deref(),
                uploaded_by: &uploaded_by,
                request_id: None,
                progress: None,
            };
            let path = spooled.path().to_path_buf();
            let started = std::time::Instant::now();
            let outcome = store.import_scan(&request, &path);
            let took = started.elapsed();
            drop(spooled);
            (outcome, took)
        })
        .await?;
    if let Ok(outcome) = &result {
        tracing::info!(
            target: "scanledger::upload",
            project = %outcome.project,
            release = %outcome.release,
            tool = %outcome.tool,
            scan_id = outcome.scan_id.get(),
            findings = outcome.findings,
            duplicate = outcome.duplicate,
            "upload"
        );
    }
    match result {
        Ok(outcome) => {
            if outcome.duplicate {
                metrics.upload("duplicate", 0);
                Ok(HttpResponse::Ok().json(outcome))
            } else {
                metrics.upload("imported", outcome.findings);
                metrics.imported(&outcome.tool, outcome.findings, took.as_secs_f64());
                Ok(HttpResponse::Created().json(outcome))
            }
        }
        Err(err) => {
            metrics.upload("rejected", 0);
            Err(err.into())
        }
    }
}
