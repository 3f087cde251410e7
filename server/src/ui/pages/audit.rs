//! The audit log, newest first, with filters.

use super::{Page, fmt_time, non_empty, opt};
use crate::auth::Caller;
use crate::slots::Db;
use crate::ui::{Layout, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{AuditEvent, AuditQuery};
use serde::Deserialize;

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
    /// Fingerprints of the evidence keys this server trusts: what the operator publishes.
    trusted_keys: Vec<String>,
    /// The last periodic audit check's verdict.
    chain_verified: bool,
}

/// Events shown on the audit page (the newest).
const AUDIT_LIMIT: i64 = 500;

pub async fn audit(
    req: HttpRequest,
    db: Db,
    caller: Caller,
    query: web::Query<AuditFilter>,
    config: web::Data<crate::ServerConfig>,
    metrics: web::Data<crate::metrics::Metrics>,
) -> Page {
    let q = query.into_inner();
    // A scoped principal sees its own project's events only.
    let project = match &caller.0.project {
        Some(own) => Some(own.clone()),
        None => non_empty(&q.project),
    };
    let query = AuditQuery {
        project: project.clone(),
        since: None,
        action: non_empty(&q.action),
        limit: Some(AUDIT_LIMIT),
    };
    let actor = q.actor.trim().to_string();
    let events = db.run(move |store| store.audit_list(&query)).await?;
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
        trusted_keys: config
            .trusted_keys
            .iter()
            .map(|k| k.fingerprint())
            .collect(),
        chain_verified: metrics.audit_chain_verified(),
    })
}
