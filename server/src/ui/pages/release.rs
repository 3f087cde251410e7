//! A release: its scans and three views (findings table, gate, diff).

use super::{Choice, PAGE_SIZE, Page, choices, enc, fmt_time, gate_options, opt};
use crate::auth::{Caller, Project};
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use domain::{ScanId, TriageStatus};
use importers::{Kind, Severity};
use schema::{
    Diff, FindingFilter, FindingSort, GateReason, GateResult, PageRequest, ScanSummary, Store,
    ViewFinding,
};
use serde::Deserialize;
use std::collections::BTreeSet;

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
    pub id: ScanId,
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
    /// How many reasons the gate gave (the page lists the first [`MAX_REASONS`]).
    reasons_total: usize,
    /// Whether the preview judged every finding (else there may be more reasons).
    reasons_complete: bool,
    reasons_by_rule: String,
    /// Findings their tools decided in a way the policy honours: not blocking, shown apart.
    decided_in_tool: Vec<String>,
    diff_title: String,
    diff_summary: String,
    diff: Vec<DiffRow>,
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
        kind: f.kind.as_str().to_string(),
        tool: f.tool.clone(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        location: f.location(),
        status: f.status.as_str().to_string(),
        tool_status: f
            .tool_status
            .as_deref()
            .map(reports::tool_status_label)
            .unwrap_or_default()
            .to_string(),
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
        filter.statuses =
            vec![TriageStatus::parse(&q.status).map_err(|_| bad("status", &q.status))?];
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

/// Reasons listed on the gate view (the most severe); the API and the CLI give every one.
const MAX_REASONS: usize = 500;

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
    slots: web::Data<DbSlots>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    query: web::Query<ReleaseQuery>,
) -> Page {
    let (_, release) = path.into_inner();
    let project = admitted.0;
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
    let page = slots
        .run(move || -> Result<ReleasePage, UiError> {
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
                decided_in_tool: Vec::new(),
                reasons_total: 0,
                reasons_complete: true,
                reasons_by_rule: String::new(),
                diff_title: String::new(),
                diff_summary: String::new(),
                diff: Vec::new(),
            };
            match v.as_str() {
                "gate" => {
                    // A preview: viewing the gate records no evaluation (the API and CLI do),
                    // and it judges only as many findings as the page lists.
                    let preview =
                        store.gate_preview(&p, &r, &gate_options(&principal), MAX_REASONS)?;
                    let g = &preview.result;
                    page.gate_state = g.verdict.label().into();
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
                    page.reasons_complete = preview.complete;
                    page.reasons = reasons(g);
                    page.reasons_total = page.reasons.len();
                    page.reasons_by_rule = GateReason::RULES
                        .iter()
                        .filter_map(|rule| {
                            let n = g.reasons.iter().filter(|r| r.rule() == *rule).count();
                            (n > 0).then(|| format!("{n} {rule}"))
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    page.reasons.truncate(MAX_REASONS);
                    page.decided_in_tool = g
                        .decided_in_tool
                        .iter()
                        .map(schema::ToolDecidedFinding::describe)
                        .collect();
                }
                "diff" => match store.previous_release(&p, &r)? {
                    Some(prev) => {
                        let d: Diff = store.diff(&p, &prev, &r)?;
                        page.diff_title = format!("Changes from {prev} to {r}");
                        page.diff_summary = d.summary();
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
