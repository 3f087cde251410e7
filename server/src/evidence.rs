//! Evidence over HTTP: sealing a release (the server signs with its configured key), its
//! sealed bundle, its reports in every format, and the public part of the signing key
//! (docs/EVIDENCE.md). Bundles and reports stream ([`crate::download`]): no request holds one
//! whole in memory.
//!
//! Sealing needs `manage` (admins, in their scope); the rest is reading.

use crate::auth::{Caller, Project};
use crate::config::ServerConfig;
use crate::download;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{GateQuery, gate_options, unknown_value};
use crate::slots::Db;
use actix_web::body::SizedStream;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use reports::ReportFormat;
use schema::SealRequest;
use serde::Deserialize;
use std::io::{Seek, SeekFrom};
use utoipa::{IntoParams, ToSchema};

/// What bundles and draft reports name as their maker.
fn generator() -> String {
    format!("scanledger {}", env!("CARGO_PKG_VERSION"))
}

/// This server was started without a signing key: it cannot seal, and has no key to show.
fn no_signing_key() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "no_signing_key",
        "this server has no evidence signing key: start it with --key-dir (SCANLEDGER_KEY_DIR, \
         `key_dir` in its configuration file) or SCANLEDGER_SIGNING_KEY",
    )
    .with_details(serde_json::json!({ "setting": "key_dir" }))
}

/// How to seal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealBody {
    /// Seal even though the gate blocks; needs `reason`.
    #[serde(default)]
    pub allow_blocked: bool,
    /// Why a blocked release is sealed anyway (recorded in the bundle and the audit log).
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/releases/{release}/seal", tag = "evidence",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), GateQuery),
    request_body = SealBody,
    responses((status = 201, description = "Sealed: the bundle's record (SHA-256, size, chain link, key, gate at sealing); fetch the bundle from `.../bundle`", body = schema::BundleRecord),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The gate blocks (`blocked`), the release is sealed or changed meanwhile (`conflict`), or the server has no signing key (`no_signing_key`)", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn seal(
    db: Db,
    config: web::Data<ServerConfig>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<GateQuery>,
    body: web::Json<SealBody>,
) -> Result<HttpResponse, ApiError> {
    let key = config.signing_key.clone().ok_or_else(no_signing_key)?;
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let body = body.into_inner();
    let reason = match (body.allow_blocked, body.reason) {
        (true, reason) => Some(reason.unwrap_or_default()),
        (false, None) => None,
        (false, Some(_)) => {
            return Err(ApiError::bad_request(
                "`reason` is for sealing a blocked release: add `allow_blocked`",
            )
            .with_details(serde_json::json!({ "field": "reason" })));
        }
    };
    let gate = gate_options(&query, &caller)?;
    let sealed_by = caller.0.label();
    let record = db
        .run(move |store| {
            let request = SealRequest {
                project: &project,
                release: &release,
                sealed_by: &sealed_by,
                gate,
                allow_blocked_reason: reason.as_deref(),
                generator: &generator(),
            };
            store.seal(&request, key.key())
        })
        .await?;
    Ok(HttpResponse::Created().json(record))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/bundle", tag = "evidence",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0")),
    responses((status = 200, description = "The sealed bundle, byte-identical to the one made at sealing, streamed; its SHA-256 in `X-Content-SHA256`",
            content_type = "application/zip"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The release is not sealed", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn bundle(
    db: Db,
    admitted: Project,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    // Spooled in the database turn (checked against its SHA-256 as it is read), then sent
    // without one.
    let (record, mut file) = db
        .run(move |store| {
            let mut file = tempfile::tempfile()?;
            let record = store.write_bundle(&project, &release, &mut file)?;
            file.seek(SeekFrom::Start(0))?;
            Ok((record, file))
        })
        .await?;
    let body = download::stream("bundle", move |out| {
        std::io::copy(&mut file, out).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("X-Content-SHA256", record.sha256.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", record.sha256)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", record.file_name),
        ))
        .body(SizedStream::new(record.size, body)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// pdf, html, forum-post, csv, json or sarif.
    pub format: String,
}

fn report_format(s: &str) -> Result<ReportFormat, ApiError> {
    ReportFormat::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ReportFormat::ALL.iter().map(|f| f.as_str()).collect();
        unknown_value("format", s, &all)
    })
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/report", tag = "evidence",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), ReportQuery, GateQuery),
    responses((status = 200, description = "The report, streamed: for a sealed release the member of its bundle as signed (the gate at sealing), for an open one a draft under the gate asked for. Content type per format: application/pdf, text/html, text/markdown (forum-post), text/csv, application/json, application/sarif+json",
            content((String = "application/pdf"), (String = "text/html; charset=utf-8"),
                (String = "text/markdown; charset=utf-8"), (String = "text/csv; charset=utf-8"),
                (serde_json::Value = "application/json"), (serde_json::Value = "application/sarif+json"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn report(
    db: Db,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    report: web::Query<ReportQuery>,
    gate: web::Query<GateQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let format = report_format(&report.format)?;
    let options = gate_options(&gate, &caller)?;
    let file_name = format!(
        "{}-{}-{}",
        reports::safe_name(&project),
        reports::safe_name(&release),
        format.member_name()
    );
    let source = db
        .run(move |store| store.release_report(&project, &release, &options, &generator()))
        .await?;
    let body = download::stream("report", move |out| source.write(format, out)).await?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .streaming(body))
}

#[utoipa::path(get, path = "/api/v1/key", tag = "evidence",
    responses((status = 200, description = "The public part of the key this server seals with (fingerprint, key id, OpenSSH line) and the keys it replaced; never the private key", body = reports::KeyRing),
        (status = 401, body = ErrorBody),
        (status = 409, description = "The server has no signing key (`no_signing_key`)", body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn key(config: web::Data<ServerConfig>) -> Result<HttpResponse, ApiError> {
    let key = config.signing_key.as_ref().ok_or_else(no_signing_key)?;
    Ok(HttpResponse::Ok().json(key.ring()))
}
