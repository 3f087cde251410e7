//! The UI's handlers: each loads what its page shows through `schema` operations on a blocking
//! thread and renders one template. State changes (sign-in, triage, users, tokens) check the
//! CSRF token first and then call the same store operation as the CLI and the API.

use super::session::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use super::{Layout, UiError, html};
use crate::access::Caller;
use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use importers::{Kind, Severity};
use schema::{
    AuditEvent, AuditQuery, Diff, FindingFilter, FindingSort, GateOptions, GateResult, Grant,
    LoginOutcome, PageRequest, Permission, Principal, ReleaseSummary, Role, ScanSummary, SlaItem,
    Store, TokenInfo, TriageDecision, TriageHistoryEntry, TriageStatus, UserInfo, ViewFinding,
};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Rows per page of the findings table.
pub const PAGE_SIZE: u32 = 50;
/// Releases drawn in a trend chart.
const TREND_RELEASES: usize = 8;
/// Statuses that count as open.
const OPEN: [&str; 2] = ["open", "confirmed"];

const STYLE: &str = include_str!("../../static/style.css");

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

/// Percent-encodes one path segment or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

// ---------------------------------------------------------------- sign in / out

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    user: String,
    error: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local UI paths, so the sign-in page cannot bounce anyone elsewhere.
fn safe_next(next: &str) -> String {
    if is_local_ui(next) {
        next.to_string()
    } else {
        "/ui".to_string()
    }
}

fn is_local_ui(next: &str) -> bool {
    super::is_ui(next.split(['?', '#']).next().unwrap_or_default())
        && !next.contains('\\')
        && !next.contains("//")
}

fn login_page(
    req: &HttpRequest,
    status: actix_web::http::StatusCode,
    next: &str,
    user: &str,
    error: &str,
) -> Page {
    let csrf = session::random_token().ok_or_else(ApiError::internal)?;
    let page = LoginPage {
        layout: Layout::new(req, None, "Sign in"),
        csrf: csrf.clone(),
        next: safe_next(next),
        user: user.to_string(),
        error: error.to_string(),
    };
    let mut res = html(&page)?;
    *res.status_mut() = status;
    res.add_cookie(&session::login_csrf_cookie(req, &csrf))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
}

pub async fn login_form(req: HttpRequest, query: web::Query<NextQuery>) -> Page {
    login_page(&req, actix_web::http::StatusCode::OK, &query.next, "", "")
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn login(req: HttpRequest, store: web::Data<Store>, form: web::Form<LoginForm>) -> Page {
    let form = form.into_inner();
    let cookie_token = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if !cookie_token.is_some_and(|t| session::constant_eq(t.as_bytes(), form.csrf.as_bytes())) {
        return Err(forbidden_csrf());
    }
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let store = store.clone();
    let (user, password) = (form.user.clone(), form.password);
    let outcome = web::block(move || store.login(&user, &password, old.as_deref())).await??;
    match outcome {
        LoginOutcome::SignedIn(s) => {
            tracing::info!(user = s.principal.name, "signed in");
            let mut res = see_other(&safe_next(&form.next));
            res.add_cookie(&session::session_cookie(&req, &s.id, schema::SESSION_HOURS))
                .map_err(|_| ApiError::internal())?;
            res.add_cookie(&session::expired(&req, LOGIN_CSRF_COOKIE))
                .map_err(|_| ApiError::internal())?;
            Ok(res)
        }
        LoginOutcome::Refused => login_page(
            &req,
            actix_web::http::StatusCode::UNAUTHORIZED,
            &form.next,
            &form.user,
            "Wrong user name or password.",
        ),
        LoginOutcome::Locked { until } => login_page(
            &req,
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            &form.next,
            &form.user,
            &format!(
                "Too many failed sign-ins: this user name is locked until {}.",
                fmt_time(&until)
            ),
        ),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(req: HttpRequest, store: web::Data<Store>, form: web::Form<CsrfForm>) -> Page {
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    if let Some(id) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let store = store.clone();
        web::block(move || store.logout(&id)).await??;
    }
    let mut res = see_other("/ui/login");
    res.add_cookie(&session::expired(&req, SESSION_COOKIE))
        .map_err(|_| ApiError::internal())?;
    Ok(res)
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

fn open_filter() -> FindingFilter {
    FindingFilter {
        statuses: OPEN.iter().map(|s| s.to_string()).collect(),
        ..FindingFilter::default()
    }
}

/// Open findings by severity, most severe first.
#[derive(Debug, Clone)]
pub struct Count {
    pub severity: &'static str,
    pub count: u64,
}

fn counts(store: &Store, project: &str, release: &str) -> Result<Vec<Count>, UiError> {
    let view = store.release_view(project, release, &open_filter())?;
    let by = view.counts_by_severity();
    Ok(Severity::DESCENDING
        .iter()
        .map(|s| Count {
            severity: s.as_str(),
            count: by.get(s).copied().unwrap_or(0),
        })
        .collect())
}

fn trend(store: &Store, project: &str, releases: &[ReleaseSummary]) -> Result<Chart, UiError> {
    let start = releases.len().saturating_sub(TREND_RELEASES);
    let mut points = Vec::new();
    for r in &releases[start..] {
        let view = store.release_view(project, &r.name, &open_filter())?;
        points.push((r.name.clone(), view.findings.len() as u64));
    }
    Ok(chart(&points))
}

fn gate_options(caller: &Principal) -> GateOptions {
    GateOptions {
        evaluated_by: Some(caller.label()),
        ..GateOptions::default()
    }
}

// ---------------------------------------------------------------- dashboard

pub struct ProjectRow {
    pub name: String,
    pub href: String,
    pub latest: String,
    pub latest_href: String,
    pub gate: String,
    pub counts: Vec<Count>,
    pub chart: Chart,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    projects: Vec<ProjectRow>,
}

pub async fn dashboard(req: HttpRequest, store: web::Data<Store>, caller: Caller) -> Page {
    let store = store.clone();
    let principal = caller.0.clone();
    let projects = web::block(move || -> Result<Vec<ProjectRow>, UiError> {
        let mut rows = Vec::new();
        for p in store.projects()? {
            if !principal.sees(&p.name) {
                continue;
            }
            let href = format!("/ui/projects/{}", enc(&p.name));
            let mut row = ProjectRow {
                latest: String::new(),
                latest_href: String::new(),
                gate: String::new(),
                counts: Vec::new(),
                chart: Chart::default(),
                href,
                name: p.name.clone(),
            };
            if let Some(latest) = &p.latest_release {
                let gate = store.gate(&p.name, latest, &gate_options(&principal))?;
                row.gate = if gate.passed { "passed" } else { "blocked" }.into();
                row.counts = counts(&store, &p.name, latest)?;
                row.latest_href = format!("{}/releases/{}", row.href, enc(latest));
                row.latest = latest.clone();
                row.chart = trend(&store, &p.name, &store.releases(&p.name)?)?;
            }
            rows.push(row);
        }
        Ok(rows)
    })
    .await??;
    html(&DashboardPage {
        layout: Layout::new(&req, Some(&caller.0), "Dashboard"),
        projects,
    })
}

// ---------------------------------------------------------------- project

pub struct ReleaseRow {
    pub name: String,
    pub href: String,
    pub created_at: String,
    pub scans: i64,
    pub gate: String,
    pub sealed: String,
    pub bundle_href: String,
}

pub struct SlaRow {
    pub href: String,
    pub severity: &'static str,
    pub title: String,
    pub rule_id: String,
    pub tool: String,
    pub age_days: i64,
    pub sla_days: String,
    pub days_left: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    layout: Layout,
    project: String,
    releases: Vec<ReleaseRow>,
    policy: String,
    policy_meta: String,
    breaches: Vec<SlaRow>,
    sla_release: String,
    chart: Chart,
}

/// Releases with a gate evaluation on the project page (the newest ones).
const GATED_RELEASES: usize = 20;

pub async fn project(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<String>,
) -> Page {
    let project = path.into_inner();
    let store = store.clone();
    let principal = caller.0.clone();
    let name = project.clone();
    let page = web::block(move || -> Result<ProjectPage, UiError> {
        let releases = store.releases(&name)?;
        let chart = trend(&store, &name, &releases)?;
        let gated_from = releases.len().saturating_sub(GATED_RELEASES);
        let mut rows = Vec::new();
        for (i, r) in releases.iter().enumerate().rev() {
            let href = format!("/ui/projects/{}/releases/{}", enc(&name), enc(&r.name));
            let gate = if i >= gated_from {
                let g = store.gate(&name, &r.name, &gate_options(&principal))?;
                if g.passed { "passed" } else { "blocked" }.to_string()
            } else {
                "not evaluated".to_string()
            };
            rows.push(ReleaseRow {
                bundle_href: if r.sealed {
                    format!("{href}/bundle")
                } else {
                    String::new()
                },
                href,
                name: r.name.clone(),
                created_at: fmt_time(&r.created_at),
                scans: r.scans,
                gate,
                sealed: match (&r.sealed_at, &r.sealed_by) {
                    (Some(at), Some(by)) => format!("sealed {} by {by}", fmt_time(at)),
                    _ if r.sealed => "sealed".into(),
                    _ => "open".into(),
                },
            });
        }
        let (policy, policy_meta) = match store.policy(&name, None)? {
            Some(p) => (
                p.source.clone(),
                format!(
                    "version {} set {} by {} (sha256 {})",
                    p.version,
                    fmt_time(&p.created_at),
                    p.created_by,
                    p.sha256
                ),
            ),
            None => (String::new(), String::new()),
        };
        let (breaches, sla_release) = match releases.last() {
            Some(latest) => {
                let sla = store.sla(&name, Some(&latest.name), 5, None)?;
                let rows = sla
                    .items
                    .iter()
                    .filter(|i| i.breached)
                    .map(|i: &SlaItem| SlaRow {
                        href: format!(
                            "/ui/projects/{}/releases/{}/findings/{}",
                            enc(&name),
                            enc(&latest.name),
                            enc(&i.fingerprint)
                        ),
                        severity: i.severity.as_str(),
                        title: i.title.clone(),
                        rule_id: i.rule_id.clone(),
                        tool: i.tool.clone(),
                        age_days: i.age_days,
                        sla_days: i.sla_days.map(|d| d.to_string()).unwrap_or_default(),
                        days_left: i.days_left.map(|d| d.to_string()).unwrap_or_default(),
                    })
                    .collect();
                (rows, latest.name.clone())
            }
            None => (Vec::new(), String::new()),
        };
        Ok(ProjectPage {
            layout: Layout::default(),
            project: name,
            releases: rows,
            policy,
            policy_meta,
            breaches,
            sla_release,
            chart,
        })
    })
    .await??;
    html(&ProjectPage {
        layout: Layout::new(&req, Some(&caller.0), format!("Project {project}")),
        ..page
    })
}

// ---------------------------------------------------------------- release

#[derive(Debug, Default, Deserialize)]
pub struct ReleaseQuery {
    #[serde(default)]
    severity: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
    /// `findings` (default), `gate` or `diff`.
    #[serde(default)]
    view: String,
}

pub struct ScanRow {
    pub id: i64,
    pub tool: String,
    pub label: String,
    pub target: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
    pub sha256: String,
    pub findings: i64,
    pub note: String,
    pub raw_href: String,
}

pub struct FindingRow {
    pub href: String,
    pub severity: &'static str,
    pub kind: String,
    pub tool: String,
    pub rule_id: String,
    pub title: String,
    pub location: String,
    pub status: String,
    pub tool_status: String,
}

pub struct ReasonRow {
    pub rule: &'static str,
    pub message: String,
}

pub struct DiffRow {
    pub change: String,
    pub finding: FindingRow,
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

#[derive(Template)]
#[template(path = "release.html")]
struct ReleasePage {
    layout: Layout,
    project: String,
    project_href: String,
    release: String,
    base: String,
    sealed: bool,
    view: String,
    scans: Vec<ScanRow>,
    findings: Vec<FindingRow>,
    next_href: String,
    first_href: String,
    filtered: bool,
    severities: Vec<Choice>,
    kinds: Vec<Choice>,
    tools: Vec<Choice>,
    statuses: Vec<Choice>,
    q: String,
    gate_state: String,
    gate_meta: String,
    reasons: Vec<ReasonRow>,
    diff_title: String,
    diff_summary: String,
    diff: Vec<DiffRow>,
}

fn location(f: &ViewFinding) -> String {
    let place = [
        f.file.as_deref(),
        f.resource.as_deref(),
        f.url.as_deref(),
        f.component.as_deref(),
        f.target.as_deref(),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or_default()
    .to_string();
    match (f.line_start, &f.component_version) {
        (Some(l), _) if f.file.is_some() => format!("{place}:{l}"),
        (_, Some(v)) if f.file.is_none() && f.component.is_some() => format!("{place} {v}"),
        _ => place,
    }
}

fn finding_row(project: &str, release: &str, f: &ViewFinding) -> FindingRow {
    FindingRow {
        href: format!(
            "/ui/projects/{}/releases/{}/findings/{}",
            enc(project),
            enc(release),
            enc(&f.fingerprint)
        ),
        severity: f.severity.as_str(),
        kind: f.kind.clone(),
        tool: f.tool.clone(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        location: location(f),
        status: f.status.clone(),
        tool_status: opt(&f.tool_status),
    }
}

fn scan_row(project: &str, s: &ScanSummary) -> ScanRow {
    let mut notes = Vec::new();
    if s.superseded {
        notes.push("superseded");
    }
    if s.partial {
        notes.push("partial");
    }
    ScanRow {
        id: s.id,
        tool: s.tool.clone(),
        label: s.label.clone(),
        target: opt(&s.target),
        uploaded_at: fmt_time(&s.uploaded_at),
        uploaded_by: s.uploaded_by.clone(),
        sha256: s.sha256.clone(),
        findings: s.findings,
        note: notes.join(", "),
        raw_href: format!("/ui/projects/{}/scans/{}/raw", enc(project), s.id),
    }
}

fn filter_of(q: &ReleaseQuery) -> Result<FindingFilter, UiError> {
    let bad = |what: &str, v: &str| UiError(ApiError::bad_request(format!("unknown {what} {v:?}")));
    let mut filter = FindingFilter::default();
    if !q.severity.is_empty() {
        filter.severities =
            vec![Severity::parse(&q.severity).ok_or_else(|| bad("severity", &q.severity))?];
    }
    if !q.kind.is_empty() {
        filter.kinds = vec![Kind::parse(&q.kind).ok_or_else(|| bad("kind", &q.kind))?];
    }
    if !q.tool.is_empty() {
        filter.tools = vec![q.tool.clone()];
    }
    if !q.status.is_empty() {
        filter.statuses = vec![q.status.clone()];
    }
    if !q.q.trim().is_empty() {
        filter.text = Some(q.q.trim().to_string());
    }
    Ok(filter)
}

fn query_string(q: &ReleaseQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (k, v) in [
        ("severity", &q.severity),
        ("kind", &q.kind),
        ("tool", &q.tool),
        ("status", &q.status),
        ("q", &q.q),
    ] {
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    if let Some(c) = cursor {
        pairs.push(("cursor", c));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn reasons(g: &GateResult) -> Vec<ReasonRow> {
    g.reasons
        .iter()
        .map(|r| ReasonRow {
            rule: r.rule(),
            message: r.message(),
        })
        .collect()
}

pub async fn release(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<ReleaseQuery>,
) -> Page {
    let (project, release) = path.into_inner();
    let q = query.into_inner();
    let filter = filter_of(&q)?;
    let store = store.clone();
    let principal = caller.0.clone();
    let (p, r) = (project.clone(), release.clone());
    let view = match q.view.as_str() {
        "gate" | "diff" => q.view.clone(),
        _ => "findings".to_string(),
    };
    let base = format!("/ui/projects/{}/releases/{}", enc(&project), enc(&release));
    let base2 = base.clone();
    let v = view.clone();
    let page = web::block(move || -> Result<ReleasePage, UiError> {
        let scans = store.scans(&p, &r)?;
        let sealed = store.bundle_record(&p, &r)?.is_some();
        let mut page = ReleasePage {
            layout: Layout::default(),
            project_href: format!("/ui/projects/{}", enc(&p)),
            project: p.clone(),
            release: r.clone(),
            base: base2.clone(),
            sealed,
            view: v.clone(),
            tools: choices(
                scans
                    .iter()
                    .map(|s| s.tool.clone())
                    .collect::<BTreeSet<_>>(),
                &q.tool,
            ),
            scans: scans.iter().map(|s| scan_row(&p, s)).collect(),
            findings: Vec::new(),
            next_href: String::new(),
            first_href: String::new(),
            filtered: !q.severity.is_empty()
                || !q.kind.is_empty()
                || !q.tool.is_empty()
                || !q.status.is_empty()
                || !q.q.is_empty(),
            severities: choices(
                Severity::DESCENDING.iter().map(|s| s.as_str().to_string()),
                &q.severity,
            ),
            kinds: choices(Kind::ALL.iter().map(|k| k.as_str().to_string()), &q.kind),
            statuses: choices(
                ["open", "confirmed", "false_positive", "accepted"].map(String::from),
                &q.status,
            ),
            q: q.q.clone(),
            gate_state: String::new(),
            gate_meta: String::new(),
            reasons: Vec::new(),
            diff_title: String::new(),
            diff_summary: String::new(),
            diff: Vec::new(),
        };
        match v.as_str() {
            "gate" => {
                let g = store.gate(&p, &r, &gate_options(&principal))?;
                page.gate_state = if g.passed { "passed" } else { "blocked" }.into();
                page.gate_meta = format!(
                    "fail on {} and above; policy {}; {} scans, {} findings; evaluated {}{}",
                    g.fail_on.as_str(),
                    g.policy_version
                        .map(|v| format!("version {v}"))
                        .unwrap_or_else(|| "none (defaults)".into()),
                    g.scans,
                    g.findings,
                    fmt_time(&g.evaluated_at),
                    if g.required_tools.is_empty() {
                        String::new()
                    } else {
                        format!("; required tools: {}", g.required_tools.join(", "))
                    }
                );
                page.reasons = reasons(&g);
            }
            "diff" => match store.previous_release(&p, &r)? {
                Some(prev) => {
                    let d: Diff = store.diff(&p, &prev, &r)?;
                    page.diff_title = format!("Changes from {prev} to {r}");
                    page.diff_summary = format!(
                        "{} new, {} still open, {} fixed, {} not rescanned",
                        d.new, d.still_open, d.fixed, d.not_rescanned
                    );
                    page.diff = d
                        .entries
                        .iter()
                        .filter(|e| e.change != schema::DiffChange::StillOpen)
                        .take(500)
                        .map(|e| DiffRow {
                            change: serde_json::to_value(e.change)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                            finding: finding_row(&p, &r, &e.finding),
                        })
                        .collect();
                }
                None => page.diff_title = "This is the project's first release.".into(),
            },
            _ => {
                let findings = store.findings_page(
                    &p,
                    &r,
                    &PageRequest {
                        filter,
                        sort: FindingSort::Severity,
                        cursor: (!q.cursor.is_empty()).then(|| q.cursor.clone()),
                        limit: PAGE_SIZE,
                    },
                )?;
                page.findings = findings
                    .findings
                    .iter()
                    .map(|f| finding_row(&p, &r, f))
                    .collect();
                if let Some(c) = &findings.next_cursor {
                    page.next_href = format!("{base2}?{}", query_string(&q, Some(c)));
                }
                if !q.cursor.is_empty() {
                    page.first_href = format!("{base2}?{}", query_string(&q, None));
                }
            }
        }
        Ok(page)
    })
    .await??;
    html(&ReleasePage {
        layout: Layout::new(&req, Some(&caller.0), format!("{project} {release}")),
        view,
        base,
        ..page
    })
}

// ---------------------------------------------------------------- finding

pub struct Field {
    pub name: &'static str,
    pub value: String,
}

pub struct Occurrence {
    pub release: String,
    pub href: String,
    pub scan: String,
    pub status: String,
    pub tool_status: String,
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub change: String,
    pub justification: String,
    pub approver: String,
    pub expires: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    layout: Layout,
    project: String,
    project_href: String,
    release: String,
    release_href: String,
    fingerprint: String,
    title: String,
    status: String,
    fields: Vec<Field>,
    occurrences: Vec<Occurrence>,
    history: Vec<HistoryRow>,
    can_triage: bool,
    action: String,
    statuses: Vec<Choice>,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// Releases searched for a finding's other occurrences (the newest ones).
const OCCURRENCE_RELEASES: usize = 10;

fn fields(f: &ViewFinding) -> Vec<Field> {
    let mut out = vec![
        Field {
            name: "Severity",
            value: f.severity.as_str().into(),
        },
        Field {
            name: "Severity (tool)",
            value: opt(&f.severity_original),
        },
        Field {
            name: "Kind",
            value: f.kind.clone(),
        },
        Field {
            name: "Category",
            value: opt(&f.category),
        },
        Field {
            name: "Tool",
            value: f.tool.clone(),
        },
        Field {
            name: "Rule",
            value: f.rule_id.clone(),
        },
        Field {
            name: "Status",
            value: f.status.clone(),
        },
        Field {
            name: "Tool's own status",
            value: opt(&f.tool_status),
        },
        Field {
            name: "Component",
            value: opt(&f.component),
        },
        Field {
            name: "Component version",
            value: opt(&f.component_version),
        },
        Field {
            name: "Package URL",
            value: opt(&f.purl),
        },
        Field {
            name: "Fixed in",
            value: opt(&f.fixed_version),
        },
        Field {
            name: "CVSS",
            value: f.cvss_score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        },
        Field {
            name: "CWE",
            value: f.cwe.join(", "),
        },
        Field {
            name: "Target",
            value: opt(&f.target),
        },
        Field {
            name: "File",
            value: opt(&f.file),
        },
        Field {
            name: "Lines",
            value: match (f.line_start, f.line_end) {
                (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                (Some(a), _) => a.to_string(),
                _ => String::new(),
            },
        },
        Field {
            name: "Resource",
            value: opt(&f.resource),
        },
        Field {
            name: "URL",
            value: opt(&f.url),
        },
        Field {
            name: "Parameter",
            value: opt(&f.parameter),
        },
        Field {
            name: "First seen",
            value: fmt_time(&f.first_seen_at),
        },
        Field {
            name: "Fingerprint",
            value: f.fingerprint.clone(),
        },
    ];
    out.retain(|f| !f.value.is_empty());
    out
}

pub async fn finding(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    query: web::Query<DoneQuery>,
) -> Page {
    let (project, release, fingerprint) = path.into_inner();
    let store = store.clone();
    let (p, r, fp) = (project.clone(), release.clone(), fingerprint.clone());
    let (finding, occurrences, history) = web::block(move || -> Result<_, UiError> {
        let view = store.release_view(&p, &r, &FindingFilter::default())?;
        let finding = view
            .findings
            .into_iter()
            .find(|f| f.fingerprint == fp)
            .ok_or_else(|| {
                ApiError::not_found(format!("finding {fp:?} is not in release {r:?} of {p:?}"))
            })?;
        let history = store.triage_history(&p, &fp)?;
        let releases = store.releases(&p)?;
        let start = releases.len().saturating_sub(OCCURRENCE_RELEASES);
        let by_rule = FindingFilter {
            text: Some(finding.rule_id.clone()),
            ..FindingFilter::default()
        };
        let mut occurrences = Vec::new();
        for rel in releases[start..].iter().rev() {
            let v = store.release_view(&p, &rel.name, &by_rule)?;
            for f in v.findings.iter().filter(|f| f.fingerprint == fp) {
                occurrences.push(Occurrence {
                    href: format!(
                        "/ui/projects/{}/releases/{}/findings/{}",
                        enc(&p),
                        enc(&rel.name),
                        enc(&fp)
                    ),
                    release: rel.name.clone(),
                    scan: format!("#{} {} ({})", f.scan_id, f.scan_label, f.tool),
                    status: f.status.clone(),
                    tool_status: opt(&f.tool_status),
                });
            }
        }
        Ok((finding, occurrences, history))
    })
    .await??;
    let can_triage = caller.0.may(Permission::Triage, Some(&project));
    let history = history
        .iter()
        .rev()
        .map(|h: &TriageHistoryEntry| HistoryRow {
            at: fmt_time(&h.decided_at),
            by: h.decided_by.clone(),
            change: format!(
                "{} → {}",
                h.previous_status.as_deref().unwrap_or("open"),
                h.status
            ),
            justification: opt(&h.justification),
            approver: opt(&h.approver),
            expires: h
                .expires_at
                .map(|t| t.date().to_string())
                .unwrap_or_default(),
            source: h.source.clone(),
        })
        .collect();
    html(&FindingPage {
        layout: Layout::new(
            &req,
            Some(&caller.0),
            format!("Finding {}", finding.rule_id),
        ),
        project_href: format!("/ui/projects/{}", enc(&project)),
        release_href: format!("/ui/projects/{}/releases/{}", enc(&project), enc(&release)),
        action: format!(
            "/ui/projects/{}/findings/{}/triage",
            enc(&project),
            enc(&fingerprint)
        ),
        statuses: choices(
            TriageStatus::ALL.iter().map(|s| s.as_str().to_string()),
            &finding.status,
        ),
        title: finding.title.clone(),
        status: finding.status.clone(),
        fields: fields(&finding),
        project,
        release,
        fingerprint,
        occurrences,
        history,
        can_triage,
        done: query.done == "1",
    })
}

#[derive(Debug, Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    csrf: String,
    status: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    expires: String,
    /// The release page to return to.
    #[serde(default)]
    release: String,
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub async fn triage(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String)>,
    form: web::Form<TriageForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let (project, fingerprint) = path.into_inner();
    let status = TriageStatus::parse(&form.status)?;
    let expires = match non_empty(&form.expires) {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(format!("expiry {d:?} is not a date (YYYY-MM-DD)"))
            })?,
        ),
        None => None,
    };
    let decision = TriageDecision {
        status,
        justification: non_empty(&form.justification),
        approver: non_empty(&form.approver),
        expires,
    };
    let actor = caller.0.label();
    let store = store.clone();
    let (p, fp) = (project.clone(), fingerprint.clone());
    web::block(move || store.triage(&p, &fp, &decision, &actor, None)).await??;
    let back = if form.release.is_empty() {
        format!("/ui/projects/{}", enc(&project))
    } else {
        format!(
            "/ui/projects/{}/releases/{}/findings/{}?done=1",
            enc(&project),
            enc(&form.release),
            enc(&fingerprint)
        )
    };
    Ok(see_other(&back))
}

// ---------------------------------------------------------------- bundle

pub async fn bundle(store: web::Data<Store>, path: web::Path<(String, String)>) -> Page {
    let (project, release) = path.into_inner();
    let store = store.clone();
    let (p, r) = (project.clone(), release.clone());
    let bytes = web::block(move || -> Result<Vec<u8>, UiError> {
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

/// The release's reports, rendered from the same snapshot as the CLI's `scanledger report`:
/// `pdf` (the auditor's PDF), `forum-post` (Markdown) and `html` (a download: it carries its own
/// styles, which this UI's Content-Security-Policy would block inline).
pub async fn report(
    store: web::Data<Store>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Page {
    let (project, release, format) = path.into_inner();
    let (content_type, ext, attachment) = match format.as_str() {
        "pdf" => ("application/pdf", "pdf", false),
        "forum-post" => ("text/plain; charset=utf-8", "md", false),
        "html" => ("text/html; charset=utf-8", "html", true),
        other => {
            return Err(UiError(ApiError::not_found(format!(
                "no report format {other:?}: use pdf, forum-post or html"
            ))));
        }
    };
    let store = store.clone();
    let (p, r) = (project.clone(), release.clone());
    let options = gate_options(&caller.0);
    let bytes = web::block(move || -> Result<Vec<u8>, UiError> {
        let generator = format!("scanledger {}", env!("CARGO_PKG_VERSION"));
        let snap = store.release_snapshot(&p, &r, &options, &generator)?;
        Ok(match ext {
            "pdf" => reports::pdf::report_pdf(&snap, None).map_err(|e| {
                tracing::error!(error = %e, "rendering a PDF report");
                ApiError::internal()
            })?,
            "md" => reports::markdown::forum_post(&snap, None).into_bytes(),
            _ => reports::html::report_html(&snap, None).into_bytes(),
        })
    })
    .await??;
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
        .body(bytes))
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

// ---------------------------------------------------------------- audit log

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    project: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub project: String,
    pub subject: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    project: String,
    action: String,
    actor: String,
    scoped: bool,
    events: Vec<AuditRow>,
    limit: i64,
}

/// Events shown on the audit page (the newest).
const AUDIT_LIMIT: i64 = 500;

pub async fn audit(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    query: web::Query<AuditFilter>,
) -> Page {
    let q = query.into_inner();
    // A scoped principal sees its own project's events only.
    let project = match &caller.0.project {
        Some(own) => Some(own.clone()),
        None => non_empty(&q.project),
    };
    let store = store.clone();
    let query = AuditQuery {
        project: project.clone(),
        since: None,
        action: non_empty(&q.action),
        limit: Some(AUDIT_LIMIT),
    };
    let actor = q.actor.trim().to_string();
    let events = web::block(move || store.audit_list(&query)).await??;
    let events = events
        .iter()
        .rev()
        .filter(|e| actor.is_empty() || e.actor.contains(&actor))
        .map(|e: &AuditEvent| AuditRow {
            seq: e.seq,
            at: fmt_time(&e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            project: opt(&e.project),
            subject: e.subject.clone(),
            change: match (&e.before, &e.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => a.clone(),
                (Some(b), None) => format!("{b} → (removed)"),
                (None, None) => String::new(),
            },
        })
        .collect();
    html(&AuditPage {
        layout: Layout::new(&req, Some(&caller.0), "Audit log"),
        project: project.unwrap_or_default(),
        action: q.action,
        actor: q.actor,
        scoped: caller.0.project.is_some(),
        events,
        limit: AUDIT_LIMIT,
    })
}

// ---------------------------------------------------------------- admin

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserInfo>,
    roles: Vec<Choice>,
    created: String,
}

fn role_choices() -> Vec<Choice> {
    choices(Role::ALL.iter().map(|r| r.as_str().to_string()), "auditor")
}

pub async fn users(req: HttpRequest, store: web::Data<Store>, caller: Caller) -> Page {
    let store = store.clone();
    let users = web::block(move || store.users()).await??;
    html(&UsersPage {
        layout: Layout::new(&req, Some(&caller.0), "Users"),
        users,
        roles: role_choices(),
        created: String::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    csrf: String,
    name: String,
    #[serde(default)]
    password: String,
    role: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    expires_in_days: String,
}

fn role_of(s: &str) -> Result<Role, UiError> {
    Role::parse(s).ok_or_else(|| UiError(ApiError::bad_request(format!("unknown role {s:?}"))))
}

pub async fn create_user(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    form: web::Form<GrantForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let role = role_of(&form.role)?;
    if form.password.len() < 8 {
        return Err(UiError(ApiError::bad_request(
            "the password must have at least 8 characters",
        )));
    }
    let by = caller.0.label();
    let s = store.clone();
    let name = form.name.trim().to_string();
    let project = non_empty(&form.project);
    let created = web::block(move || {
        s.create_user(
            &Grant {
                name: &name,
                role,
                project: project.as_deref(),
                created_by: &by,
            },
            &form.password,
        )
    })
    .await??;
    let s = store.clone();
    let users = web::block(move || s.users()).await??;
    html(&UsersPage {
        layout: Layout::new(&req, Some(&caller.0), "Users"),
        users,
        roles: role_choices(),
        created: created.name,
    })
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenInfo>,
    roles: Vec<Choice>,
    secret: String,
    secret_name: String,
}

pub async fn tokens(req: HttpRequest, store: web::Data<Store>, caller: Caller) -> Page {
    let store = store.clone();
    let tokens = web::block(move || store.tokens()).await??;
    html(&TokensPage {
        layout: Layout::new(&req, Some(&caller.0), "API tokens"),
        tokens,
        roles: role_choices(),
        secret: String::new(),
        secret_name: String::new(),
    })
}

pub async fn create_token(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    form: web::Form<GrantForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let role = role_of(&form.role)?;
    let expires = match non_empty(&form.expires_in_days) {
        Some(d) => {
            let days: i64 = d
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{d:?} is not a number of days")))?;
            Some(chrono::Utc::now().naive_utc() + chrono::Duration::days(days))
        }
        None => None,
    };
    let by = caller.0.label();
    let s = store.clone();
    let name = form.name.trim().to_string();
    let project = non_empty(&form.project);
    let created = web::block(move || {
        s.create_token(
            &Grant {
                name: &name,
                role,
                project: project.as_deref(),
                created_by: &by,
            },
            expires,
        )
    })
    .await??;
    let s = store.clone();
    let tokens = web::block(move || s.tokens()).await??;
    html(&TokensPage {
        layout: Layout::new(&req, Some(&caller.0), "API tokens"),
        tokens,
        roles: role_choices(),
        secret: created.token,
        secret_name: created.info.name,
    })
}
