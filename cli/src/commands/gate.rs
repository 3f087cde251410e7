//! `scanledger gate`: may this release ship?

use crate::Outcome;
use crate::args::{GateArgs, TextOrJson};
use crate::output;
use schema::{GateOptions, GateReason, Store};

pub fn run(store: &Store, args: &GateArgs) -> anyhow::Result<Outcome> {
    let options = GateOptions {
        fail_on: args.options.fail_on,
        required_tools: args.options.require.clone(),
    };
    let result = store.gate(&args.project, &args.release, &options)?;
    show(&result, args.format)
}

/// Prints a gate result; the outcome carries its exit code.
pub fn show(result: &schema::GateResult, format: TextOrJson) -> anyhow::Result<Outcome> {
    match format {
        TextOrJson::Json => output::json(result)?,
        TextOrJson::Text => {
            let verdict = if result.passed { "PASS" } else { "BLOCKED" };
            println!(
                "gate {verdict}: {} {} ({} scans, {} findings; blocking at {} and above{})",
                result.project,
                result.release,
                result.scans,
                result.findings,
                result.fail_on,
                if result.required_tools.is_empty() {
                    String::new()
                } else {
                    format!("; required: {}", result.required_tools.join(", "))
                }
            );
            for reason in &result.reasons {
                match reason {
                    GateReason::MissingScan { tool } => {
                        println!("  missing scan: no {tool} scan in this release")
                    }
                    GateReason::BlockingFinding {
                        severity,
                        rule_id,
                        title,
                        tool,
                        status,
                        location,
                        fingerprint,
                    } => println!(
                        "  {severity:<8} {rule_id}  {title}  [{tool}, {status}{}]  {}",
                        location
                            .as_deref()
                            .map(|l| format!(", {l}"))
                            .unwrap_or_default(),
                        &fingerprint[..12.min(fingerprint.len())]
                    ),
                }
            }
        }
    }
    Ok(if result.passed {
        Outcome::Ok
    } else {
        Outcome::GateBlocked
    })
}
