//! The handlers of `/api/v1`. Each calls one `schema` operation on a blocking thread. Access
//! was checked by the gatekeeper ([`crate::auth`]) before any of them runs; handlers that
//! list across projects filter by the caller's scope.

use crate::auth::{Caller, Project};
use crate::error::{ApiError, ErrorBody};
use crate::metrics::{FindingsBySeverity, Metrics};
use crate::slots::{Db, DbSlots};
use actix_web::{HttpResponse, http::StatusCode, web};
use importers::{Kind, Severity};
use schema::{
    FindingFilter, FindingSort, GateOptions, Grant, PageRequest, Role, Store, TriageStatus,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn split(list: &Option<String>) -> Vec<String> {
    list.as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A query parameter's value outside its closed set: 400, naming the parameter and the values
/// it takes (also in `details`, for programs).
pub(crate) fn unknown_value(parameter: &str, value: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(format!(
        "unknown {parameter} {value:?}: use {}",
        allowed.join(", ")
    ))
    .with_details(serde_json::json!({
        "parameter": parameter, "value": value, "allowed": allowed,
    }))
}

const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "info", "unknown"];

fn severity(parameter: &str, s: &str) -> Result<Severity, ApiError> {
    Severity::parse(s).ok_or_else(|| unknown_value(parameter, s, &SEVERITIES))
}

/// The probes' answer: `ok` (up) or `ready` (database reachable, migrations applied).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Status, example = json!({"status": "ok"}))))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Database reachable, migrations applied", body = Status, example = json!({"status": "ready"})),
        (status = 503, description = "Not ready", body = ErrorBody)))]
pub async fn readyz(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let ready = slots.run(move || store.ready()).await??;
    if ready {
        Ok(HttpResponse::Ok().json(Status { status: "ready" }))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "migrations pending",
        ))
    }
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    if metrics.findings_gauges_due() {
        let store = store.clone();
        match slots.run(move || findings_by_severity(&store)).await {
            Ok(Ok(counts)) => metrics.set_findings_gauges(&counts),
            Ok(Err(e)) => tracing::warn!(error = %e, "counting open findings for /metrics"),
            Err(e) => tracing::warn!(error = %e, "counting open findings for /metrics"),
        }
    }
    let text = metrics.render(store.pool_state()).map_err(|e| {
        tracing::error!(error = %e, "rendering metrics");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// Open findings and SLA breaches by severity over every project's latest release (the SLA
/// view of each project). A project the view cannot be read for is left out, with a warning.
fn findings_by_severity(store: &Store) -> Result<FindingsBySeverity, schema::StoreError> {
    let mut open = std::collections::BTreeMap::<Severity, u64>::new();
    let mut breached = std::collections::BTreeMap::<Severity, u64>::new();
    for project in store.projects()? {
        if project.latest_release.is_none() {
            continue;
        }
        match store.sla(&project.name, None, 1, None) {
            Ok(report) => {
                for s in report.summary {
                    *open.entry(s.severity).or_default() += s.open;
                    *breached.entry(s.severity).or_default() += s.breached;
                }
            }
            Err(e) => tracing::warn!(project = %project.name, error = %e, "SLA view for /metrics"),
        }
    }
    Ok(FindingsBySeverity {
        open: Severity::DESCENDING
            .into_iter()
            .map(|s| (s, open.get(&s).copied().unwrap_or(0)))
            .collect(),
        breached: Severity::DESCENDING
            .into_iter()
            .map(|s| (s, breached.get(&s).copied().unwrap_or(0)))
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/whoami", tag = "auth",
    responses((status = 200, description = "The caller: kind, id, name, role, project scope", body = schema::Principal),
        (status = 401, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn whoami(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(caller.0)
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "catalog",
    responses((status = 200, description = "Projects the caller may see", body = Vec<schema::ProjectSummary>),
        (status = 401, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn projects(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let mut projects = slots.run(move || store.projects()).await??;
    projects.retain(|p| caller.0.sees(&p.name));
    Ok(HttpResponse::Ok().json(projects))
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases", tag = "catalog",
    params(("project" = String, Path, example = "demo-shop")),
    responses((status = 200, description = "Releases, oldest first", body = Vec<schema::ReleaseSummary>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn releases(db: Db, admitted: Project) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    db.json(move |store| store.releases(&project)).await
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/scans", tag = "scans",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0")),
    responses((status = 200, description = "Scans, oldest first, superseded ones marked", body = Vec<domain::ScanSummary>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn scans(
    db: Db,
    admitted: Project,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    db.json(move |store| store.scans(&project, &release)).await
}

/// Filters, order and page of the findings list. Lists are comma-separated.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingsQuery {
    /// Only these severities: critical,high,medium,low,info,unknown.
    pub severity: Option<String>,
    /// Only findings at or above this severity.
    pub min_severity: Option<String>,
    /// Only these kinds: vulnerability,misconfiguration,code,web,secret,license.
    pub kind: Option<String>,
    /// Only these categories within a kind (SonarQube code_smell, bug, vulnerability, security_hotspot).
    pub category: Option<String>,
    /// Only these tools.
    pub tool: Option<String>,
    /// Only these triage states: open,confirmed,false_positive,accepted.
    pub status: Option<String>,
    /// Text in title, rule id, component, file or URL (case-insensitive).
    pub text: Option<String>,
    /// `severity` (default), `rule_id` or `first_seen`.
    pub sort: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

impl FindingsQuery {
    fn filter(&self) -> Result<FindingFilter, ApiError> {
        Ok(FindingFilter {
            categories: split(&self.category),
            severities: split(&self.severity)
                .iter()
                .map(|s| severity("severity", s))
                .collect::<Result<_, _>>()?,
            min_severity: self
                .min_severity
                .as_deref()
                .map(|s| severity("min_severity", s))
                .transpose()?,
            kinds: split(&self.kind)
                .iter()
                .map(|k| {
                    Kind::parse(k).ok_or_else(|| {
                        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                        unknown_value("kind", k, &kinds)
                    })
                })
                .collect::<Result<_, _>>()?,
            tools: split(&self.tool),
            statuses: split(&self.status)
                .into_iter()
                .map(|s| match TriageStatus::parse(&s) {
                    Ok(status) => Ok(status),
                    Err(_) => {
                        let all: Vec<&str> = TriageStatus::ALL.iter().map(|t| t.as_str()).collect();
                        Err(unknown_value("status", &s, &all))
                    }
                })
                .collect::<Result<_, _>>()?,
            text: self.text.clone().filter(|t| !t.is_empty()),
        })
    }

    fn page(&self) -> Result<PageRequest, ApiError> {
        let sort = match self.sort.as_deref() {
            None | Some("") => FindingSort::default(),
            Some(s) => FindingSort::parse(s)
                .ok_or_else(|| unknown_value("sort", s, &["severity", "rule_id", "first_seen"]))?,
        };
        let limit = self.limit.unwrap_or(100);
        if limit == 0 || limit > schema::MAX_PAGE {
            return Err(ApiError::bad_request(format!(
                "limit must be 1 to {}",
                schema::MAX_PAGE
            )));
        }
        Ok(PageRequest {
            filter: self.filter()?,
            sort,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            limit,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/findings", tag = "findings",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), FindingsQuery),
    responses((status = 200, description = "One page: `findings` and `next_cursor`", body = schema::FindingsPage),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn findings(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<FindingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let page = query.page()?;
    // Rendered on the blocking thread that read the page: the findings are freed by the
    // thread that allocated them, and the event loop only sends bytes.
    let body = slots
        .run(move || -> Result<Vec<u8>, ApiError> {
            let page = store.findings_page(&project, &release, &page)?;
            // About 700 bytes a finding: one allocation instead of a dozen doublings.
            let mut body = Vec::with_capacity(1024 + 1024 * page.findings.len());
            serde_json::to_writer(&mut body, &page).map_err(|e| {
                tracing::error!(error = %e, "findings page did not serialize");
                ApiError::internal()
            })?;
            Ok(body)
        })
        .await??;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GateQuery {
    /// Open findings at or above this severity block (default high).
    pub fail_on: Option<String>,
    /// Tools that must have a scan, comma-separated.
    pub require: Option<String>,
}

/// The gate a query asks for, evaluated (and recorded, where it is) as the caller.
pub(crate) fn gate_options(query: &GateQuery, caller: &Caller) -> Result<GateOptions, ApiError> {
    Ok(GateOptions {
        fail_on: match query.fail_on.as_deref() {
            Some(s) if !s.is_empty() => Some(severity("fail_on", s)?),
            _ => None,
        },
        required_tools: split(&query.require),
        at: None,
        evaluated_by: Some(caller.0.label()),
    })
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/gate", tag = "findings",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), GateQuery),
    responses((status = 200, description = "The gate result; `passed` says whether the release may ship. A read: nothing is recorded", body = domain::GateResult),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn gate(
    db: Db,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<GateQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let options = gate_options(&query, &caller)?;
    db.json(move |store| store.gate_unrecorded(&project, &release, &options))
        .await
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/releases/{release}/gate", tag = "findings",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), GateQuery),
    responses((status = 200, description = "The gate result, recorded as an evaluation of the release (CI's gate)", body = domain::GateResult),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn record_gate(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    metrics: web::Data<Metrics>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<GateQuery>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let options = gate_options(&query, &caller)?;
    let result = slots
        .run(move || store.gate(&project, &release, &options))
        .await??;
    metrics.gate(&result.project, result.verdict);
    tracing::info!(
        target: "scanledger::gate",
        project = %result.project,
        release = %result.release,
        passed = result.verdict.is_passed(),
        reasons = result.reasons.len(),
        "gate"
    );
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The earlier release.
    pub from: String,
    /// The later release.
    pub to: String,
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/diff", tag = "findings",
    params(("project" = String, Path, example = "demo-shop"), DiffQuery),
    responses((status = 200, description = "New, still open, fixed and not rescanned findings", body = domain::Diff),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn diff(
    db: Db,
    admitted: Project,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let DiffQuery { from, to } = query.into_inner();
    db.json(move |store| store.diff(&project, &from, &to)).await
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for (`ci-shop`).
    pub name: String,
    /// admin, uploader, triager or auditor.
    pub role: String,
    /// The one project it may act in; omitted: every project.
    pub project: Option<String>,
    /// Days until it expires; omitted: never.
    pub expires_in_days: Option<u32>,
}

fn role(s: &str) -> Result<Role, ApiError> {
    Role::parse(s).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unknown role {s:?}: use admin, uploader, triager or auditor"
        ))
    })
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = CreateToken,
    responses((status = 201, description = "The token; its secret (`token`) is shown this once", body = schema::NewToken),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 415, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn create_token(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    body: web::Json<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let body = body.into_inner();
    let role = role(&body.role)?;
    let expires = body
        .expires_in_days
        .map(|d| chrono::Utc::now().naive_utc() + chrono::Duration::days(i64::from(d)));
    let by = caller.0.label();
    let created = slots
        .run(move || {
            store.create_token(
                &Grant {
                    name: &body.name,
                    role,
                    project: body.project.as_deref(),
                    created_by: &by,
                },
                expires,
            )
        })
        .await??;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth",
    responses((status = 200, description = "Every token, newest first; never a secret", body = Vec<schema::TokenInfo>),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn tokens(db: Db) -> Result<HttpResponse, ApiError> {
    db.json(move |store| store.tokens()).await
}

#[utoipa::path(delete, path = "/api/v1/tokens/{token}", tag = "auth",
    params(("token" = String, Path, description = "Token id or prefix")),
    responses((status = 200, description = "The revoked token", body = schema::TokenInfo),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn revoke_token(
    db: Db,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let by = caller.0.label();
    db.json(move |store| store.revoke_token(&token, &by)).await
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub name: String,
    /// At least 12 characters; stored as an argon2 hash.
    pub password: String,
    /// admin, uploader, triager or auditor.
    pub role: String,
    /// The one project the user may act in; omitted: every project.
    pub project: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = CreateUser,
    responses((status = 201, description = "The user", body = schema::UserInfo),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn create_user(
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let store = store.clone();
    let body = body.into_inner();
    let role = role(&body.role)?;
    let by = caller.0.label();
    let user = slots
        .run(move || {
            store.create_user(
                &Grant {
                    name: &body.name,
                    role,
                    project: body.project.as_deref(),
                    created_by: &by,
                },
                &body.password,
            )
        })
        .await??;
    Ok(HttpResponse::Created().json(user))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "auth",
    responses((status = 200, description = "Every user (never a password hash)", body = Vec<schema::UserInfo>),
        (status = 403, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn users(db: Db) -> Result<HttpResponse, ApiError> {
    db.json(move |store| store.users()).await
}
