//! A project: its trend, releases with gate and seal state, the policy in force and SLA
//! breaches.

use super::{Chart, Page, enc, fmt_time, gate_options, trend};
use crate::auth::{Caller, Project};
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{Permission, SlaItem, Store};

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
    /// The auditor's page of the project, for those who may open it (auditors and admins).
    audit_href: String,
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
    slots: web::Data<DbSlots>,
    caller: Caller,
    admitted: Project,
) -> Page {
    let project = admitted.0;
    let store = store.clone();
    let principal = caller.0.clone();
    let name = project.clone();
    let page = slots
        .run(move || -> Result<ProjectPage, UiError> {
            let releases = store.releases(&name)?;
            let (chart, _) = trend(&store, &name)?;
            let gated_from = releases.len().saturating_sub(GATED_RELEASES);
            let mut rows = Vec::new();
            for (i, r) in releases.iter().enumerate().rev() {
                let href = format!("/ui/projects/{}/releases/{}", enc(&name), enc(&r.name));
                let gate = if i >= gated_from {
                    let g = store.gate_preview(&name, &r.name, &gate_options(&principal), 1)?;
                    g.result.verdict.label().to_string()
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
                audit_href: if principal.may(Permission::Audit, Some(&name)) {
                    format!("/ui/projects/{}/audit", enc(&name))
                } else {
                    String::new()
                },
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
