//! A finding in a release: its fields, occurrences, triage history and the triage form.

use super::{Choice, Page, choices, enc, fmt_time, forbidden_csrf, non_empty, opt, see_other};
use crate::auth::session;
use crate::auth::{Caller, Project};
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{Permission, Store, TriageDecision, TriageHistoryEntry, TriageStatus, ViewFinding};
use serde::Deserialize;

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
            value: f.kind.as_str().to_string(),
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
            value: f.status.as_str().to_string(),
        },
        Field {
            name: "Tool's own status",
            value: f
                .tool_status
                .as_deref()
                .map(reports::tool_status_label)
                .unwrap_or_default()
                .to_string(),
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
            name: "EPSS",
            value: match (f.epss, f.epss_percentile) {
                (Some(p), Some(pct)) => format!("{p} (percentile {pct})"),
                (Some(p), None) => p.to_string(),
                _ => String::new(),
            },
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
    slots: web::Data<DbSlots>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String, String)>,
    query: web::Query<DoneQuery>,
) -> Page {
    let (_, release, fingerprint) = path.into_inner();
    let project = admitted.0;
    let store = store.clone();
    let (p, r, fp) = (project.clone(), release.clone(), fingerprint.clone());
    let (finding, occurrences, history) = slots
        .run(move || -> Result<_, UiError> {
            // Looked up in SQL: neither the release's view nor the other releases' are built.
            let finding = store.release_finding(&p, &r, &fp)?;
            let history = store.triage_history(&p, &fp)?;
            let occurrences = store
                .finding_occurrences(&p, &fp, OCCURRENCE_RELEASES)?
                .into_iter()
                .map(|o| Occurrence {
                    href: format!(
                        "/ui/projects/{}/releases/{}/findings/{}",
                        enc(&p),
                        enc(&o.release),
                        enc(&fp)
                    ),
                    scan: format!("#{} {} ({})", o.scan_id, o.scan_label, o.tool),
                    release: o.release,
                    status: o.status.as_str().to_string(),
                    tool_status: o
                        .tool_status
                        .as_deref()
                        .map(reports::tool_status_label)
                        .unwrap_or_default()
                        .to_string(),
                })
                .collect::<Vec<_>>();
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
                h.previous_status.map_or("open", TriageStatus::as_str),
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
            finding.status.as_str(),
        ),
        title: finding.title.clone(),
        status: finding.status.as_str().to_string(),
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

pub async fn triage(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    admitted: Project,
    path: web::Path<(String, String)>,
    form: web::Form<TriageForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let (_, fingerprint) = path.into_inner();
    let project = admitted.0;
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
    slots
        .run(move || store.triage(&p, &fp, &decision, &actor, None))
        .await??;
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
