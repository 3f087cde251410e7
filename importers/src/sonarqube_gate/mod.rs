//! The SonarQube / SonarCloud quality gate: a `GET api/qualitygates/project_status` response,
//! imported as a scan so that the gate's verdict is kept as evidence. Its findings are the failed
//! conditions (`status: ERROR`): a passed gate is a scan with no findings. A condition that is
//! `OK` (or `WARN`, which SonarQube before 7.6 gave and which did not fail the gate) is not a
//! finding. A gate `ERROR` that names no failed condition gives one finding for the gate
//! itself; a project without a gate (`NONE`) gives none and a warning that says so.
//!
//! The tool family is `sonarqube-quality-gate`, not `sonarqube`: the gate is a scan slot of its
//! own, so importing it never supersedes the issues imported from the same server.
//!
//! Identity (fingerprint parts): the condition's metric (`quality_gate:new_coverage`): a gate
//! has one condition per metric, and the response does not name the project (the scan's slot
//! does). Never the thresholds or actual values, which change from one analysis to the next.
//!
//! The response is a few kilobytes (one condition per metric), so it is read whole, then
//! converted; it is not streamed.

use crate::error::ImportError;
use crate::finding::{Component, Finding, Kind, Location, ScanInfo, Severity};
use crate::fingerprint::fingerprint;
use crate::{Importer, Sink};
use serde::Deserialize;
use std::io::Read;

/// The tool family.
pub const TOOL: &str = "sonarqube-quality-gate";
const FORMAT: &str = "sonarqube-quality-gate-json";

pub struct SonarQubeQualityGateJson;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    project_status: ProjectStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectStatus {
    status: Option<String>,
    #[serde(default)]
    conditions: Vec<Condition>,
    ignored_conditions: Option<bool>,
    cayc_status: Option<String>,
    #[serde(default)]
    periods: Vec<Period>,
    period: Option<Period>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Condition {
    status: Option<String>,
    metric_key: Option<String>,
    comparator: Option<String>,
    period_index: Option<i64>,
    error_threshold: Option<String>,
    actual_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Period {
    index: Option<i64>,
    mode: Option<String>,
    date: Option<String>,
    parameter: Option<String>,
}

impl Importer for SonarQubeQualityGateJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "SonarQube / SonarCloud quality gate (`api/qualitygates/project_status`): failed conditions as findings"
    }

    fn example(&self) -> &'static str {
        "curl -u \"$SONAR_TOKEN:\" \"$SONAR_HOST/api/qualitygates/project_status?projectKey=shop\" -o gate.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"projectStatus\"")
            && !head.contains("\"qualityGateStatus\"")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let reader = std::io::BufReader::new(input);
        let response: Response =
            serde_json::from_reader(reader).map_err(|e| ImportError::from_json(FORMAT, e))?;
        let status = response.project_status;
        let mut info = ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        };
        let gate = status
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default();
        let period_text = period_text(&status);
        let failed: Vec<&Condition> = status
            .conditions
            .iter()
            .filter(|c| is_error(c.status.as_deref()))
            .collect();
        match gate.as_str() {
            "OK" | "ERROR" | "WARN" => {}
            "NONE" => info.warn("the project has no quality gate (status NONE)"),
            other => info.warn(format!("unknown quality gate status {other:?}")),
        }
        if gate == "OK" && !failed.is_empty() {
            info.warn("the gate says OK but lists failed conditions; they are imported");
        }
        for condition in &failed {
            let Some(metric) = condition
                .metric_key
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
            else {
                info.warn("skipped a failed condition without a metricKey");
                continue;
            };
            sink(condition_finding(
                metric,
                condition,
                &status,
                period_text.as_deref(),
            ))
            .map_err(ImportError::Sink)?;
        }
        if gate == "ERROR" && failed.is_empty() {
            sink(gate_finding(&status)).map_err(ImportError::Sink)?;
        }
        Ok(info)
    }
}

fn is_error(status: Option<&str>) -> bool {
    status.is_some_and(|s| s.trim().eq_ignore_ascii_case("ERROR"))
}

/// How a comparator reads: the condition fails when the value is `LT` (less than) or `GT`
/// (greater than) the threshold.
fn comparator_text(comparator: &str) -> &str {
    match comparator.trim() {
        "LT" => "less than",
        "GT" => "greater than",
        "EQ" => "equal to",
        "NE" => "not equal to",
        other => other,
    }
}

/// The new-code period the gate measured, when the response says.
fn period_text(status: &ProjectStatus) -> Option<String> {
    let period = status
        .period
        .as_ref()
        .or_else(|| status.periods.iter().find(|p| p.index == Some(1)))
        .or_else(|| status.periods.first())?;
    let mode = period.mode.as_deref().unwrap_or("new code");
    let mut text = format!("New code period: {mode}");
    if let Some(p) = period.parameter.as_deref().filter(|p| !p.is_empty()) {
        text.push_str(&format!(" {p}"));
    }
    if let Some(d) = period.date.as_deref().filter(|d| !d.is_empty()) {
        text.push_str(&format!(" (since {d})"));
    }
    Some(text)
}

fn gate_details(status: &ProjectStatus) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(c) = status.cayc_status.as_deref() {
        lines.push(format!("Clean as You Code: {c}"));
    }
    if status.ignored_conditions == Some(true) {
        lines.push("Some conditions were ignored (too few changed lines on new code).".to_string());
    }
    lines
}

fn condition_finding(
    metric: &str,
    condition: &Condition,
    status: &ProjectStatus,
    period: Option<&str>,
) -> Finding {
    let rule_id = format!("quality_gate:{metric}");
    let actual = condition.actual_value.as_deref().unwrap_or("?");
    let mut lines = vec![match (
        condition.comparator.as_deref(),
        condition.error_threshold.as_deref(),
    ) {
        (Some(cmp), Some(threshold)) => format!(
            "{metric} is {actual}; the gate fails when it is {} {threshold}.",
            comparator_text(cmp)
        ),
        _ => format!("{metric} is {actual}."),
    }];
    if condition.period_index.is_some() || metric.starts_with("new_") {
        lines.extend(period.map(str::to_string));
    }
    lines.extend(gate_details(status));
    failed_finding(
        rule_id,
        format!("Quality gate condition failed: {metric}"),
        lines,
        condition.status.clone(),
    )
}

fn gate_finding(status: &ProjectStatus) -> Finding {
    let rule_id = "quality_gate".to_string();
    let mut lines =
        vec!["The quality gate failed; the response names no failed condition.".to_string()];
    lines.extend(gate_details(status));
    failed_finding(
        rule_id,
        "Quality gate failed".to_string(),
        lines,
        status.status.clone(),
    )
}

/// A failed condition, or the failed gate itself: high, identified by its rule id alone.
fn failed_finding(
    rule_id: String,
    title: String,
    lines: Vec<String>,
    severity_original: Option<String>,
) -> Finding {
    Finding {
        epss: None,
        fingerprint: fingerprint(TOOL, Kind::Code, &rule_id, &[]),
        kind: Kind::Code,
        category: Some("quality_gate".to_string()),
        rule_id,
        title,
        description: Some(lines.join("\n")),
        remediation: None,
        severity: Severity::High,
        severity_original,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: Vec::new(),
        component: Component::default(),
        location: Location::default(),
        tool_status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparators_read_as_words() {
        assert_eq!(comparator_text("LT"), "less than");
        assert_eq!(comparator_text("GT"), "greater than");
        assert_eq!(comparator_text("XX"), "XX");
    }
}
