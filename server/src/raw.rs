//! A scan's raw report, byte-exact, streamed from a spool file: the handler never holds a
//! whole report in memory. Two routes reach it: under the project the scan belongs to (what
//! the web UI links), and by the scan id alone (what `scanledger raw --scan ID` knows), which
//! answers only when the caller may read the scan's project.

use crate::auth::{Caller, Project};
use crate::error::{ApiError, ErrorBody};
use crate::slots::DbSlots;
use actix_web::{HttpResponse, web};
use domain::ScanId;
use schema::{Permission, Store, StoreError};

/// Where a scan's raw report is spooled before it is sent.
struct Spooled {
    file: tempfile::NamedTempFile,
    sha256: String,
    size: u64,
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/scans/{scan}/raw", tag = "scans",
    params(("project" = String, Path, example = "demo-shop"), ("scan" = i64, Path, example = 1)),
    responses((status = 200, description = "The raw report, byte-exact; its SHA-256 in `X-Content-SHA256`",
            content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn raw(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    admitted: Project,
    path: web::Path<(String, ScanId)>,
) -> Result<HttpResponse, ApiError> {
    let (_, scan) = path.into_inner();
    let project = admitted.0;
    send(&store, &slots, scan, move |owner| {
        // The scan must belong to the project the caller was admitted to.
        (owner == project).then_some(()).ok_or_else(|| {
            ApiError::not_found(format!("scan {scan} not found in project {project:?}"))
        })
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/scans/{scan}/raw", tag = "scans",
    params(("scan" = i64, Path, example = 1)),
    responses((status = 200, description = "The raw report, byte-exact; its SHA-256 in `X-Content-SHA256`. \
            A scan of a project the caller may not read is not found, like a scan that does not exist",
            content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn scan_raw(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    path: web::Path<ScanId>,
) -> Result<HttpResponse, ApiError> {
    let scan = path.into_inner();
    send(&store, &slots, scan, move |owner| {
        // Not found rather than forbidden: a scoped caller learns nothing of other projects'
        // scans, not even that they exist.
        if caller.0.may(Permission::Read, Some(owner)) {
            Ok(())
        } else {
            Err(StoreError::not_found("scan", scan.to_string()).into())
        }
    })
    .await
}

/// Spools scan `scan`'s report to a temporary file once `admits` accepts the project it
/// belongs to, then streams the file as the answer (deleted once sent).
async fn send(
    store: &web::Data<Store>,
    slots: &DbSlots,
    scan: ScanId,
    admits: impl FnOnce(&str) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let spooled = slots
        .run(move || -> Result<Spooled, ApiError> {
            admits(&store.scan_project(scan)?)?;
            let mut file = tempfile::NamedTempFile::new().map_err(|e| {
                tracing::error!(error = %e, "spooling a raw report");
                ApiError::internal()
            })?;
            let sha256 = store.raw_report(scan, file.as_file_mut())?;
            let size = file.as_file().metadata().map(|m| m.len()).unwrap_or(0);
            Ok(Spooled { file, sha256, size })
        })
        .await??;
    let reader = spooled.file.reopen().map_err(|_| ApiError::internal())?;
    // The temp file is deleted when `spooled.file` drops; the reopened handle keeps it readable.
    let stream =
        futures_util::stream::unfold((reader, spooled.file), |(mut reader, keep)| async move {
            use std::io::Read;
            let mut buf = vec![0u8; 256 * 1024];
            match reader.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((
                        Ok::<_, std::io::Error>(web::Bytes::from(buf)),
                        (reader, keep),
                    ))
                }
                Err(e) => Some((Err(e), (reader, keep))),
            }
        });
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(("X-Content-SHA256", spooled.sha256.clone()))
        .insert_header(("ETag", format!("\"{}\"", spooled.sha256)))
        .insert_header(("Content-Length", spooled.size.to_string()))
        .streaming(stream))
}
