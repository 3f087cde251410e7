//! Downloads: the sealed bundle, and the release's reports: a sealed release's as signed in
//! its bundle, an open one's drafted from its snapshot (the API's rule, `schema::release_report`).

use super::{Page, gate_options};
use crate::auth::{Caller, Project};
use crate::download;
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::UiError;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use reports::ReportFormat;
use schema::Store;

pub async fn bundle(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    admitted: Project,
    path: web::Path<(String, String)>,
) -> Page {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let store = store.clone();
    let (p, r) = (project.clone(), release.clone());
    let bytes = slots
        .run(move || -> Result<Vec<u8>, UiError> {
            let mut out = Vec::new();
            store.write_bundle(&p, &r, &mut out)?;
            Ok(out)
        })
        .await??;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}-{}-evidence.zip\"",
                safe_name(&project),
                safe_name(&release)
            ),
        ))
        .body(bytes))
}

/// The release's reports, from the same source as the CLI's `scanledger report` and the API:
/// for a sealed release the member of its bundle as signed (the gate at sealing), for an open
/// one a draft from its snapshot under the caller's gate. `pdf` (the auditor's PDF),
/// `forum-post` (Markdown) and `html` (a download: it carries its own styles, which this UI's
/// Content-Security-Policy would block inline). Streamed, like the API's.
pub async fn report(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String, String)>,
) -> Page {
    let (_, release, format) = path.into_inner();
    let project = admitted.0;
    let (report_format, content_type, ext, attachment) = match format.as_str() {
        "pdf" => (ReportFormat::Pdf, "application/pdf", "pdf", false),
        "forum-post" => (
            ReportFormat::ForumPost,
            "text/plain; charset=utf-8",
            "md",
            false,
        ),
        "html" => (ReportFormat::Html, "text/html; charset=utf-8", "html", true),
        other => {
            return Err(UiError(ApiError::not_found(format!(
                "no report format {other:?}: use pdf, forum-post or html"
            ))));
        }
    };
    let store = store.clone();
    let (p, r) = (project.clone(), release.clone());
    let options = gate_options(&caller.0);
    let source = slots
        .run(move || {
            let generator = format!("scanledger {}", env!("CARGO_PKG_VERSION"));
            store.release_report(&p, &r, &options, &generator)
        })
        .await??;
    let body = download::stream("report", move |out| source.write(report_format, out)).await?;
    let name = format!(
        "{}-{}-report.{ext}",
        safe_name(&project),
        safe_name(&release)
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{}; filename=\"{name}\"",
                if attachment { "attachment" } else { "inline" }
            ),
        ))
        .streaming(body))
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
