//! `scanledger gate`: may this release ship? Text, JSON, JUnit (one test case per gate rule)
//! or SARIF (one result per reason). Exit 0 pass, 1 blocked, 2 error.

use crate::Outcome;
use crate::args::{GateArgs, GateFormat};
use crate::ledger::{Gate, Ledger};
use crate::output;
use quick_xml::escape::escape;
use schema::{GateReason, GateResult};
use std::fmt::Write as _;

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
        GateFormat::Junit => output::verbatim(&junit(result))?,
        GateFormat::Sarif => output::json(&sarif(result))?,
        GateFormat::Text => text(result),
    }
    Ok(if result.passed {
        Outcome::Ok
    } else {
        Outcome::GateBlocked
    })
}

fn text(result: &GateResult) {
    let verdict = if result.passed { "PASS" } else { "BLOCKED" };
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
}

/// One test suite, one test case per gate rule; a failing rule lists its reasons.
fn junit(result: &GateResult) -> String {
    let failures = GateReason::RULES
        .iter()
        .filter(|rule| result.reasons.iter().any(|r| r.rule() == **rule))
        .count();
    let name = format!("scanledger gate {} {}", result.project, result.release);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"scanledger gate\" tests=\"{}\" failures=\"{failures}\">",
        GateReason::RULES.len()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" timestamp=\"{}\">",
        escape(&name),
        GateReason::RULES.len(),
        result.evaluated_at.format("%Y-%m-%dT%H:%M:%S")
    );
    let _ = writeln!(xml, "    <properties>");
    for (key, value) in [
        ("project", result.project.clone()),
        ("release", result.release.clone()),
        (
            "policy_version",
            result
                .policy_version
                .map_or_else(|| "none".to_string(), |v| v.to_string()),
        ),
        ("fail_on", result.fail_on.to_string()),
    ] {
        let _ = writeln!(
            xml,
            "      <property name=\"{key}\" value=\"{}\"/>",
            escape(&value)
        );
    }
    let _ = writeln!(xml, "    </properties>");
    for rule in GateReason::RULES {
        let reasons: Vec<&GateReason> =
            result.reasons.iter().filter(|r| r.rule() == rule).collect();
        if reasons.is_empty() {
            let _ = writeln!(
                xml,
                "    <testcase classname=\"scanledger.gate\" name=\"{rule}\"/>"
            );
            continue;
        }
        let body: Vec<String> = reasons.iter().map(|r| r.message()).collect();
        let _ = writeln!(
            xml,
            "    <testcase classname=\"scanledger.gate\" name=\"{rule}\">\n      \
             <failure message=\"{}\" type=\"{rule}\">{}</failure>\n    </testcase>",
            escape(format!("{} reason(s): {}", reasons.len(), body[0])),
            escape(body.join("\n"))
        );
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// SARIF 2.1.0: one result per reason, rule ids `scanledger/<gate rule>`.
fn sarif(result: &GateResult) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = GateReason::RULES
        .iter()
        .map(|rule| {
            serde_json::json!({
                "id": format!("scanledger/{rule}"),
                "shortDescription": { "text": format!("Release gate rule: {rule}") },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = result
        .reasons
        .iter()
        .map(|reason| {
            let mut r = serde_json::json!({
                "ruleId": format!("scanledger/{}", reason.rule()),
                "level": "error",
                "message": { "text": reason.message() },
            });
            if let Some(fp) = reason.fingerprint() {
                r["partialFingerprints"] = serde_json::json!({ "scanledger/v1": fp });
            }
            let location = match reason {
                GateReason::BlockingFinding {
                    location: Some(loc),
                    line,
                    ..
                } if !loc.contains("://") => {
                    let mut physical = serde_json::json!({ "artifactLocation": { "uri": loc } });
                    if let Some(line) = line.filter(|l| *l > 0) {
                        physical["region"] = serde_json::json!({ "startLine": line });
                    }
                    Some(serde_json::json!({ "physicalLocation": physical }))
                }
                GateReason::MissingScan { tool } => Some(
                    serde_json::json!({ "logicalLocations": [{ "name": tool, "kind": "tool" }] }),
                ),
                GateReason::StaleScan { label, .. } => Some(
                    serde_json::json!({ "logicalLocations": [{ "name": label, "kind": "scan" }] }),
                ),
                _ => None,
            };
            if let Some(location) = location {
                r["locations"] = serde_json::json!([location]);
            }
            r
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "scanledger-gate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "project": result.project,
                "release": result.release,
                "passed": result.passed,
                "policy_version": result.policy_version,
            },
        }],
    })
}
