//! Triage, its history, the SLA view and VEX over HTTP: thin wrappers around the
//! store's operations (docs/TRIAGE.md). Changing triage needs the `triage` permission (admin,
//! triager); the rest is reading (every role in its projects).

use crate::auth::{Caller, Project};
use crate::error::{ApiError, ErrorBody};
use crate::slots::Db;
use actix_web::{HttpResponse, web};
use importers::{Kind, Severity};
use reports::vex::cyclonedx::SpecVersion;
use schema::{
    FindingFilter, TriageDecision, TriageFilter, TriageStatus, VexFormat, VexImportOptions,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A triage decision on one finding.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TriageBody {
    /// open, confirmed, false_positive or accepted.
    pub status: String,
    /// Required for false_positive and accepted.
    pub justification: Option<String>,
    /// Required for accepted: who approved the risk.
    pub approver: Option<String>,
    /// Required for accepted: YYYY-MM-DD, in the future.
    pub expires: Option<String>,
}

impl TriageBody {
    fn decision(&self) -> Result<TriageDecision, ApiError> {
        let status = TriageStatus::parse(&self.status)?;
        let expires = match self.expires.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(
                chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(format!("expires {s:?} is not a date (YYYY-MM-DD)"))
                })?,
            ),
            None => None,
        };
        Ok(TriageDecision {
            status,
            justification: self.justification.clone(),
            approver: self.approver.clone(),
            expires,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/findings/{fingerprint}/triage", tag = "triage",
    params(("project" = String, Path, example = "demo-shop"), ("fingerprint" = String, Path, description = "Full fingerprint or a unique prefix of at least 8 characters")),
    request_body = TriageBody,
    responses((status = 200, description = "The decision, applied to the finding in every release", body = schema::TriageOutcome),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn triage(
    db: Db,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    body: web::Json<TriageBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, fingerprint) = path.into_inner();
    let project = admitted.0;
    let decision = body.decision()?;
    let actor = caller.0.label();
    db.json(move |store| store.triage(&project, &fingerprint, &decision, &actor, None))
        .await
}

/// A decision on every finding of a release's current view that matches the filter (at least
/// one criterion), in one transaction.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkTriageBody {
    /// The release whose view is filtered; the project's latest when omitted.
    pub release: Option<String>,
    #[serde(default)]
    pub kind: Vec<String>,
    #[serde(default)]
    pub category: Vec<String>,
    #[serde(default)]
    pub tool: Vec<String>,
    #[serde(default)]
    pub severity: Vec<String>,
    pub min_severity: Option<String>,
    /// Only findings now in these triage states of ours (`status` is the new decision).
    #[serde(default)]
    pub current_status: Vec<String>,
    /// The tool's own states (`will_not_fix`).
    #[serde(default)]
    pub tool_status: Vec<String>,
    /// Rule ids, exact.
    #[serde(default)]
    pub rule: Vec<String>,
    /// A glob on the file (or resource): `vendor/**`.
    pub path: Option<String>,
    pub text: Option<String>,
    /// Report what would change, store nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The decision.
    #[serde(flatten)]
    pub decision: TriageBody,
}

fn severity(s: &str) -> Result<Severity, ApiError> {
    Severity::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown severity {s:?}")))
}

impl BulkTriageBody {
    fn filter(&self) -> Result<TriageFilter, ApiError> {
        Ok(TriageFilter {
            release: self.release.clone(),
            findings: FindingFilter {
                severities: self
                    .severity
                    .iter()
                    .map(|s| severity(s))
                    .collect::<Result<_, _>>()?,
                min_severity: self.min_severity.as_deref().map(severity).transpose()?,
                kinds: self
                    .kind
                    .iter()
                    .map(|k| {
                        Kind::parse(k)
                            .ok_or_else(|| ApiError::bad_request(format!("unknown kind {k:?}")))
                    })
                    .collect::<Result<_, _>>()?,
                categories: self.category.clone(),
                tools: self.tool.clone(),
                statuses: self
                    .current_status
                    .iter()
                    .map(|s| TriageStatus::parse(s))
                    .collect::<Result<_, _>>()?,
                text: self.text.clone(),
            },
            rules: self.rule.clone(),
            path: self.path.clone(),
            tool_statuses: self.tool_status.clone(),
        })
    }
}

#[utoipa::path(post, path = "/api/v1/projects/{project}/triage", tag = "triage",
    params(("project" = String, Path, example = "demo-shop")),
    request_body = BulkTriageBody,
    responses((status = 200, description = "The findings the decision applied to (or would, with dry_run)", body = schema::TriageOutcome),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn bulk(
    db: Db,
    caller: Caller,
    admitted: Project,
    body: web::Json<BulkTriageBody>,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let decision = body.decision.decision()?;
    let filter = body.filter()?;
    let dry_run = body.dry_run;
    let actor = caller.0.label();
    db.json(move |store| store.triage_bulk(&project, &filter, &decision, &actor, None, dry_run))
        .await
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/findings/{fingerprint}/history", tag = "triage",
    params(("project" = String, Path, example = "demo-shop"), ("fingerprint" = String, Path)),
    responses((status = 200, description = "Every decision on the finding, oldest first", body = Vec<schema::TriageHistoryEntry>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn history(
    db: Db,
    admitted: Project,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (_, fingerprint) = path.into_inner();
    let project = admitted.0;
    db.json(move |store| store.triage_history(&project, &fingerprint))
        .await
}

/// Which release the SLA view is of, and how far back the mean time to remediate looks: the
/// flags of `scanledger sla`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlaQuery {
    /// The release; the project's latest when omitted.
    pub release: Option<String>,
    /// How many release changes the mean time to remediate covers (default 10).
    pub releases: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/sla", tag = "triage",
    params(("project" = String, Path, example = "demo-shop"), SlaQuery),
    responses((status = 200, description = "Open findings by age against the policy, breaches, mean time to remediate", body = schema::SlaReport),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn sla(
    db: Db,
    admitted: Project,
    query: web::Query<SlaQuery>,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let SlaQuery { release, releases } = query.into_inner();
    let release = release.filter(|r| !r.is_empty());
    db.json(move |store| store.sla(&project, release.as_deref(), releases.unwrap_or(10), None))
        .await
}

/// Which VEX document to write (`scanledger vex export`'s flags).
#[derive(Debug, Deserialize, IntoParams)]
pub struct VexExportQuery {
    /// `openvex` (default) or `cyclonedx`.
    pub format: Option<String>,
    /// CycloneDX's specification version: `1.5` or `1.6` (default).
    pub spec_version: Option<String>,
    /// The document's author; the caller when omitted.
    pub author: Option<String>,
}

impl VexExportQuery {
    fn vex_format(&self) -> Result<VexFormat, ApiError> {
        let spec = match self.spec_version.as_deref().unwrap_or("1.6") {
            "1.5" => SpecVersion::V1_5,
            "1.6" => SpecVersion::V1_6,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown CycloneDX version {other:?}: use 1.5 or 1.6"
                ))
                .with_details(serde_json::json!({ "field": "spec_version" })));
            }
        };
        match self.format.as_deref().unwrap_or("openvex") {
            "openvex" => Ok(VexFormat::OpenVex),
            "cyclonedx" => Ok(VexFormat::CycloneDx(spec)),
            other => Err(ApiError::bad_request(format!(
                "unknown VEX format {other:?}: use openvex or cyclonedx"
            ))
            .with_details(serde_json::json!({ "field": "format" }))),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/projects/{project}/releases/{release}/vex", tag = "triage",
    params(("project" = String, Path, example = "demo-shop"), ("release" = String, Path, example = "1.1.0"), VexExportQuery),
    responses((status = 200, description = "The release's decisions as an OpenVEX document or a CycloneDX BOM", body = serde_json::Value),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn vex(
    db: Db,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<VexExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, release) = path.into_inner();
    let project = admitted.0;
    let format = query.vex_format()?;
    let author = query.author.clone().unwrap_or_else(|| caller.0.label());
    db.json(move |store| store.vex_export(&project, &release, format, &author, None))
        .await
}

/// How a VEX document's acceptances are completed (`scanledger vex import`'s flags).
#[derive(Debug, Deserialize, IntoParams)]
pub struct VexImportQuery {
    /// Approver of acceptances, over what the document names.
    pub approver: Option<String>,
    /// Expiry of acceptances (YYYY-MM-DD), over what the document names.
    pub expires: Option<chrono::NaiveDate>,
    /// Say what would be decided; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The largest VEX document a project takes at once.
pub const MAX_VEX_BYTES: usize = 32 * 1024 * 1024;

#[utoipa::path(post, path = "/api/v1/projects/{project}/vex", tag = "triage",
    params(("project" = String, Path, example = "demo-shop"), VexImportQuery),
    request_body(content = String, description = "An OpenVEX document or a CycloneDX BOM with `vulnerabilities[].analysis`", content_type = "application/json"),
    responses((status = 200, description = "What each statement decided (nothing is stored with `dry_run`, or when any statement is refused)", body = schema::VexImportOutcome),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("token" = []), ("basic" = [])))]
pub async fn vex_import(
    db: Db,
    caller: Caller,
    admitted: Project,
    query: web::Query<VexImportQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let actor = caller.0.label();
    let VexImportQuery {
        approver,
        expires,
        dry_run,
    } = query.into_inner();
    let options = VexImportOptions {
        approver,
        expires,
        dry_run,
    };
    db.json(move |store| store.vex_import(&project, &body, &options, &actor, None))
        .await
}
