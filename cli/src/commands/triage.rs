//! `scanledger triage`: decide on one finding by fingerprint, or on many by `--filter` (one
//! transaction); `--history` shows a finding's decisions.

use crate::Outcome;
use crate::args::{TextOrJson, TriageArgs};
use crate::ledger::{Decide, Ledger};
use crate::output;
use anyhow::{Context, bail};
use schema::{FindingFilter, TriageDecision, TriageFilter, TriageStatus};

pub fn run(ledger: &dyn Ledger, args: &TriageArgs) -> anyhow::Result<Outcome> {
    if args.history {
        let fingerprint = args
            .fingerprint
            .as_deref()
            .context("--history needs a fingerprint")?;
        let history = ledger.triage_history(&args.project, fingerprint)?;
        match args.format {
            TextOrJson::Json => output::json(&history)?,
            TextOrJson::Text => output::table(
                &[
                    "decided at",
                    "by",
                    "from",
                    "to",
                    "justification",
                    "approver",
                    "expires",
                    "source",
                ],
                history
                    .iter()
                    .map(|h| {
                        vec![
                            h.decided_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                            h.decided_by.clone(),
                            h.previous_status
                                .map_or("open", TriageStatus::as_str)
                                .to_string(),
                            h.status.to_string(),
                            output::opt(&h.justification),
                            output::opt(&h.approver),
                            h.expires_at
                                .map(|e| e.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                            h.source.clone(),
                        ]
                    })
                    .collect(),
            )?,
        }
        return Ok(Outcome::Ok);
    }
    let status = TriageStatus::parse(args.status.as_deref().context("--status is required")?)?;
    let decision = TriageDecision {
        status,
        justification: args.justification.clone(),
        approver: args.approver.clone(),
        expires: args.expires,
    };
    let decide = Decide {
        project: &args.project,
        decision: &decision,
        actor: &args.actor,
    };
    let outcome = match &args.fingerprint {
        Some(fp) => ledger.triage(&decide, fp)?,
        None if args.filter.is_empty() => bail!(
            "which findings: give a fingerprint (or a unique prefix of at least 8 characters), \
             or --filter KEY=VALUE (repeatable) to decide on every finding that matches"
        ),
        None => {
            let mut filter = parse_filter(&args.filter)?;
            filter.release = args.release.clone();
            ledger.triage_bulk(&decide, &filter, args.dry_run)?
        }
    };
    match args.format {
        TextOrJson::Json => output::json(&outcome)?,
        TextOrJson::Text => {
            let verb = if outcome.dry_run { "would set" } else { "set" };
            say!(
                "{verb} {} finding(s) of {} to {}",
                outcome.changes.len(),
                outcome.project,
                outcome.status
            );
            for c in &outcome.changes {
                say!(
                    "  {}  {:<15} -> {:<15} {}  {}",
                    c.fingerprint.chars().take(12).collect::<String>(),
                    c.previous_status,
                    c.status,
                    c.rule_id,
                    c.title
                );
            }
        }
    }
    Ok(Outcome::Ok)
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// `kind=code`, `rule=java:S1481`, `path=vendor/**`, ... into a filter.
fn parse_filter(terms: &[String]) -> anyhow::Result<TriageFilter> {
    let mut filter = TriageFilter {
        findings: FindingFilter::default(),
        ..TriageFilter::default()
    };
    for term in terms {
        let Some((key, value)) = term.split_once('=') else {
            bail!("--filter {term:?}: use KEY=VALUE");
        };
        let value = value.trim();
        match key.trim().replace('_', "-").as_str() {
            "kind" => {
                for k in list(value) {
                    filter.findings.kinds.push(
                        importers::Kind::parse(&k)
                            .with_context(|| format!("--filter: unknown kind {k:?}"))?,
                    );
                }
            }
            "severity" => {
                for s in list(value) {
                    filter.findings.severities.push(
                        importers::Severity::parse(&s)
                            .with_context(|| format!("--filter: unknown severity {s:?}"))?,
                    );
                }
            }
            "min-severity" => {
                filter.findings.min_severity = Some(
                    importers::Severity::parse(value)
                        .with_context(|| format!("--filter: unknown severity {value:?}"))?,
                );
            }
            "rule" => filter.rules.extend(list(value)),
            "tool" => filter.findings.tools.extend(list(value)),
            "status" => {
                for status in list(value) {
                    filter.findings.statuses.push(TriageStatus::parse(&status)?);
                }
            }
            "tool-status" => filter.tool_statuses.extend(list(value)),
            "path" => filter.path = Some(value.to_string()),
            "text" => filter.findings.text = Some(value.to_string()),
            other => bail!(
                "--filter: unknown key {other:?} (kind, rule, path, tool, severity, min-severity, \
                 status, tool-status, text)"
            ),
        }
    }
    Ok(filter)
}
