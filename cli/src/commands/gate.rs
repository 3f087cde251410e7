//! `scanledger gate`: may this release ship? Text, JSON, JUnit (one test case per gate rule)
//! or SARIF (one result per reason, written by `reports::sarif`). Exit 0 pass, 1 blocked, 2 error.

use crate::Outcome;
use crate::args::{GateArgs, GateFormat};
use crate::ledger::{Gate, Ledger};
use crate::output;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
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
        GateFormat::Junit => output::verbatim(&junit(result)?)?,
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

/// One test suite, one test case per gate rule; a failing rule lists its reasons. quick-junit
/// writes the XML (escaping, and dropping control characters XML cannot carry).
fn junit(result: &GateResult) -> anyhow::Result<String> {
    let mut suite = TestSuite::new(format!(
        "scanledger gate {} {}",
        result.project, result.release
    ));
    suite.set_timestamp(result.evaluated_at.and_utc().fixed_offset());
    suite.add_properties([
        Property::new("project", &result.project),
        Property::new("release", &result.release),
        Property::new(
            "policy_version",
            result
                .policy_version
                .map_or_else(|| "none".to_string(), |v| v.to_string()),
        ),
        Property::new("fail_on", result.fail_on.to_string()),
    ]);
    for rule in GateReason::RULES {
        let messages: Vec<String> = result
            .reasons
            .iter()
            .filter(|r| r.rule() == rule)
            .map(GateReason::message)
            .collect();
        let status = match messages.first() {
            None => TestCaseStatus::success(),
            Some(first) => {
                let mut failure = TestCaseStatus::non_success(NonSuccessKind::Failure);
                failure
                    .set_message(format!("{} reason(s): {first}", messages.len()))
                    .set_type(rule)
                    .set_description(messages.join("\n"));
                failure
            }
        };
        let mut case = TestCase::new(rule, status);
        case.set_classname("scanledger.gate");
        suite.add_test_case(case);
    }
    let mut report = Report::new("scanledger gate");
    report.add_test_suite(suite);
    Ok(report.to_string()?)
}
