//! The UI's handlers, one module per page or concept: each loads what its page shows through
//! `schema` operations on a blocking thread and renders one template. State changes (sign-in,
//! triage, users, tokens) check the CSRF token first and then call the same store operation as
//! the CLI and the API.
//!
//! This module holds what several pages share: small formatting helpers, the select options of
//! filters and forms, the trend chart and the open counts. [`login`] signs in and out,
//! [`dashboard`], [`project`], [`release`] and [`finding`] (with the triage form) are the
//! browsing pages, [`audit`] the audit log, [`auditor`] the auditor's page of a period (controls, population,
//! verification, sample), [`admin`] users, tokens and projects, [`downloads`] the
//! bundle and the reports.

mod admin;
mod audit;
mod auditor;
mod dashboard;
mod downloads;
mod finding;
mod login;
mod oidc;
mod project;
mod release;

pub use admin::{create_project, create_token, create_user, projects, tokens, users};
pub use audit::audit;
pub use auditor::{audit_sample, auditor};
pub use dashboard::dashboard;
pub use downloads::{bundle, report};
pub use finding::{finding, triage};
pub use login::{login, login_form, logout};
pub use oidc::{oidc_callback, oidc_start};
pub use project::project;
pub use release::release;

use super::UiError;
use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use importers::Severity;
use schema::{GateOptions, OpenCounts, Principal, Store};

/// Rows per page of the findings table.
pub const PAGE_SIZE: u32 = 50;
/// Releases drawn in a trend chart.
const TREND_RELEASES: usize = 8;

const STYLE: &str = include_str!("../../../static/style.css");

type Page = Result<HttpResponse, UiError>;

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

fn forbidden_csrf() -> UiError {
    UiError(ApiError::forbidden(
        "the form's CSRF token is missing or stale: reload the page and try again",
    ))
}

/// What [`enc`] leaves as it is: letters, digits and `-._~` (RFC 3986's unreserved set).
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment or query value.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

fn fmt_time(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

pub async fn root() -> HttpResponse {
    see_other("/ui")
}

pub async fn static_file(path: web::Path<String>) -> Result<HttpResponse, UiError> {
    match path.as_str() {
        "style.css" => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(STYLE)),
        other => Err(UiError(ApiError::not_found(format!("no file {other:?}")))),
    }
}

// ---------------------------------------------------------------- charts and counts

/// One bar of a trend chart (inline SVG drawn by the template; numbers only, names escaped).
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label_x: u32,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub bars: Vec<Bar>,
    pub width: u32,
    pub summary: String,
}

const CHART_H: u32 = 120;

fn chart(points: &[(String, u64)]) -> Chart {
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let step = 64u32;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (label, count))| {
            let height = u32::try_from(count * u64::from(CHART_H) / max).unwrap_or(CHART_H);
            let x = 8 + u32::try_from(i).unwrap_or(0) * step;
            Bar {
                x,
                y: 20 + CHART_H - height,
                height,
                label_x: x + 20,
                label: label.chars().take(10).collect(),
                count: *count,
            }
        })
        .collect();
    Chart {
        bars,
        width: 16 + u32::try_from(points.len()).unwrap_or(0) * step,
        summary: points
            .iter()
            .map(|(l, c)| format!("{l}: {c}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Open findings by severity, most severe first.
#[derive(Debug, Clone)]
pub struct Count {
    pub severity: &'static str,
    pub count: u64,
}

/// Every severity with its count of open findings (zero when absent), most severe first.
fn counts(open: &OpenCounts) -> Vec<Count> {
    Severity::DESCENDING
        .iter()
        .map(|s| Count {
            severity: s.as_str(),
            count: open.by_severity.get(s).copied().unwrap_or(0),
        })
        .collect()
}

/// The trend chart of a project's newest releases (open findings per release, counted in
/// SQL), and the open counts of the newest one.
fn trend(store: &Store, project: &str) -> Result<(Chart, Option<OpenCounts>), UiError> {
    let per_release = store.open_counts_per_release(project, TREND_RELEASES)?;
    let points: Vec<(String, u64)> = per_release
        .iter()
        .map(|c| (c.release.clone(), c.total()))
        .collect();
    Ok((chart(&points), per_release.into_iter().last()))
}

fn gate_options(caller: &Principal) -> GateOptions {
    GateOptions {
        evaluated_by: Some(caller.label()),
        ..GateOptions::default()
    }
}

/// One option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub selected: bool,
}

fn choices(values: impl IntoIterator<Item = String>, selected: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            selected: value == selected,
            value,
        })
        .collect()
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
