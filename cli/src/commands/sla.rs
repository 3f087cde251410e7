//! `scanledger sla`: open findings by age against the policy's SLA, breaches, and the mean
//! time to remediate per severity.

use crate::Outcome;
use crate::args::{OutputFormat, SlaArgs};
use crate::ledger::Ledger;
use crate::output;

pub fn run(ledger: &dyn Ledger, args: &SlaArgs) -> anyhow::Result<Outcome> {
    let report = ledger.sla(&args.project, args.release.as_deref(), args.releases)?;
    match args.format {
        OutputFormat::Json => output::json(&report)?,
        OutputFormat::Csv => output::csv(
            &[
                "fingerprint",
                "severity",
                "status",
                "rule",
                "first_seen",
                "age_days",
                "sla_days",
                "due",
                "breached",
            ],
            report
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.fingerprint.clone(),
                        i.severity.to_string(),
                        i.status.to_string(),
                        i.rule_id.clone(),
                        i.first_seen_at.format("%Y-%m-%d").to_string(),
                        i.age_days.to_string(),
                        i.sla_days.map(|d| d.to_string()).unwrap_or_default(),
                        i.due_at
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                        i.breached.to_string(),
                    ]
                })
                .collect(),
        )?,
        OutputFormat::Table => {
            say!(
                "SLA of {} at {} ({}): {} open, {} breached",
                report.project,
                report.release,
                report
                    .policy_version
                    .map_or_else(|| "default SLA".to_string(), |v| format!("policy v{v}")),
                report.items.len(),
                report.breaches
            );
            output::table(
                &[
                    "severity",
                    "SLA days",
                    "open",
                    "breached",
                    "fixed",
                    "mean days to fix",
                ],
                report
                    .summary
                    .iter()
                    .zip(&report.mttr)
                    .map(|(s, m)| {
                        vec![
                            s.severity.to_string(),
                            s.sla_days
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "-".into()),
                            s.open.to_string(),
                            s.breached.to_string(),
                            m.fixed.to_string(),
                            m.mean_days
                                .map(|d| format!("{d:.1}"))
                                .unwrap_or_else(|| "-".into()),
                        ]
                    })
                    .collect(),
            )?;
            say!(
                "mean time to remediate over: {}",
                report.mttr_releases.join(" → ")
            );
            let breached: Vec<_> = report.items.iter().filter(|i| i.breached).collect();
            if !breached.is_empty() {
                output::table(
                    &[
                        "fingerprint",
                        "severity",
                        "status",
                        "rule",
                        "first seen",
                        "due",
                        "days over",
                    ],
                    breached
                        .iter()
                        .map(|i| {
                            vec![
                                i.fingerprint.chars().take(12).collect(),
                                i.severity.to_string(),
                                i.status.to_string(),
                                i.rule_id.clone(),
                                i.first_seen_at.format("%Y-%m-%d").to_string(),
                                i.due_at
                                    .map(|d| d.format("%Y-%m-%d").to_string())
                                    .unwrap_or_default(),
                                i.days_left.map(|d| (-d).to_string()).unwrap_or_default(),
                            ]
                        })
                        .collect(),
                )?;
            }
        }
    }
    Ok(Outcome::Ok)
}
