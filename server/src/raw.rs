//! A scan's raw report, byte-exact, streamed from a spool file: the handler never holds a
//! whole report in memory.

use crate::access::Project;
use crate::error::{ApiError, ErrorBody};
use crate::slots::DbSlots;
use actix_web::{HttpResponse, web};
use schema::Store;

/// Where a scan's raw report is spooled before it is sent.
struct Spooled {
    file: tempfile::NamedTempFile,
    sha256: String,
    size: u64,
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/scans/{scan}/raw", tag = "scans",
    params(("project" = String, Path), ("scan" = i64, Path)),
    responses((status = 200, description = "The raw report, byte-exact; its SHA-256 in `X-Content-SHA256`",
            content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn raw(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    admitted: Project,
    path: web::Path<(String, domain::ScanId)>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (_, scan) = path.into_inner();
    let project = admitted.0;
    let spooled = slots
        .run(move || -> Result<Spooled, ApiError> {
            // The scan must belong to the project the caller was admitted to.
            if store.scan_project(scan)? != project {
                return Err(ApiError::not_found(format!(
                    "scan {scan} not found in project {project:?}"
                )));
            }
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
