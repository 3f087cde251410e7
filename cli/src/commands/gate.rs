//! `scanledger gate`: may this release ship? Text, JSON, JUnit (one test case per gate rule)
//! or SARIF (one result per reason, written by `reports::sarif`). Exit 0 pass, 1 blocked, 2 error.

use crate::Outcome;
use crate::args::{GateArgs, GateFormat};
use crate::ledger::{Gate, Ledger};
use crate::output;
use schema::{GateReason, GateResult, GateVerdict};

pub fn run(ledger: &dyn Ledger, args: &GateArgs) -> anyhow::Result<Outcome> {
    let result = ledger.gate(&Gate {
        project: &args.project,
        release: &args.release,
        fail_on: args.options.fail_on,
        required_tools: &args.options.require,
        actor: &args.actor,
    })?;
    show(&result, args.format)
}

/// Prints a gate result; the outcome carries its exit code.
fn show(result: &GateResult, format: GateFormat) -> anyhow::Result<Outcome> {
    match format {
        GateFormat::Json => output::json(result)?,
        GateFormat::Junit => {
            output::verbatim(&String::from_utf8(reports::junit::gate_junit(result)?)?)?
        }
        GateFormat::Sarif => {
            output::verbatim(&String::from_utf8(reports::sarif::gate_sarif(result)?)?)?
        }
        GateFormat::Text => text(result),
    }
    Ok(if result.verdict.is_passed() {
        Outcome::Ok
    } else {
        Outcome::GateBlocked
    })
}

fn text(result: &GateResult) {
    let verdict = match result.verdict {
        GateVerdict::Passed => "PASS",
        GateVerdict::Blocked => "BLOCKED",
    };
    say!(
        "gate {verdict}: {} {} ({} scans, {} findings; {}; blocking at {} and above{})",
        result.project,
        result.release,
        result.scans,
        result.findings,
        result.policy_version.map_or_else(
            || "no policy, defaults".to_string(),
            |v| format!("policy v{v}")
        ),
        result.fail_on,
        if result.required_tools.is_empty() {
            String::new()
        } else {
            format!("; required: {}", result.required_tools.join(", "))
        }
    );
    for rule in GateReason::RULES {
        let reasons: Vec<&GateReason> =
            result.reasons.iter().filter(|r| r.rule() == rule).collect();
        if reasons.is_empty() {
            continue;
        }
        say!("{rule} ({}):", reasons.len());
        for reason in reasons {
            say!("  {}", reason.message());
        }
    }
    if !result.ignored.is_empty() {
        say!(
            "{} finding(s) left out by the policy's ignore rules",
            result.ignored.len()
        );
    }
    if !result.decided_in_tool.is_empty() {
        say!(
            "decided in the tools, not blocking ({}):",
            result.decided_in_tool.len()
        );
        for decided in &result.decided_in_tool {
            say!("  {}", decided.describe());
        }
    }
}
