//! `scanledger audit`: list events, verify the hash chain (exit 1 when it is broken).

use crate::Outcome;
use crate::args::{AuditListArgs, AuditVerifyArgs, OutputFormat, TextOrJson};
use crate::output;
use schema::{AuditQuery, Store};

pub fn list(store: &Store, args: &AuditListArgs) -> anyhow::Result<Outcome> {
    let events = store.audit_list(&AuditQuery {
        project: args.project.clone(),
        since: args.since,
        action: args.action.clone(),
        limit: args.limit,
    })?;
    if args.format == OutputFormat::Json {
        output::json(&events)?;
        return Ok(Outcome::Ok);
    }
    let headers = [
        "seq", "at (UTC)", "actor", "action", "subject", "request", "hash",
    ];
    let rows = events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.actor.clone(),
                e.action.clone(),
                e.subject.clone(),
                output::opt(&e.request_id),
                e.hash.chars().take(12).collect(),
            ]
        })
        .collect();
    if args.format == OutputFormat::Csv {
        output::csv(&headers, rows)?;
    } else {
        output::table(&headers, rows)?;
    }
    Ok(Outcome::Ok)
}

pub fn verify(store: &Store, args: &AuditVerifyArgs) -> anyhow::Result<Outcome> {
    let result = store.audit_verify()?;
    match args.format {
        TextOrJson::Json => output::json(&result)?,
        TextOrJson::Text => match &result.first_broken {
            None => say!(
                "audit chain intact: {} event(s), head {}",
                result.events,
                result.head.as_deref().unwrap_or("-")
            ),
            Some(broken) => say!(
                "audit chain BROKEN at event {}: {} ({} event(s) before it verified)",
                broken.seq,
                broken.problem,
                result.events
            ),
        },
    }
    Ok(if result.ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}
