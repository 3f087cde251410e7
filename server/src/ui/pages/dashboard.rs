//! The dashboard: every project the user may see, with its latest release's gate, open
//! counts and trend chart.

use super::{Chart, Count, Page, counts, enc, gate_options, trend};
use crate::auth::Caller;
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::Store;

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

pub async fn dashboard(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
) -> Page {
    let store = store.clone();
    let principal = caller.0.clone();
    let projects = slots
        .run(move || -> Result<Vec<ProjectRow>, UiError> {
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
                    // A preview: showing the gate records no evaluation.
                    let gate = store.gate_preview(&p.name, latest, &gate_options(&principal), 1)?;
                    row.gate = gate.result.verdict.label().into();
                    let (chart, newest) = trend(&store, &p.name)?;
                    let open = match newest {
                        Some(open) if &open.release == latest => open,
                        _ => store.open_counts(&p.name, latest)?,
                    };
                    row.counts = counts(&open);
                    row.latest_href = format!("{}/releases/{}", row.href, enc(latest));
                    row.latest = latest.clone();
                    row.chart = chart;
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
