//! A Bandit result (its serde record and its conversion) to a normalized finding.

use crate::code_context::{Ordinals, ordinal_part};
use crate::finding::{Component, Finding, Kind, Location, Severity};
use crate::fingerprint::{fingerprint, normalize_code_line};
use crate::tfsec::fingerprint_path;
use serde::Deserialize;

/// One entry of `results`. Every field is optional; unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct RawResult {
    /// The numbered excerpt around the issue: `25 line text\n26 line text\n`.
    code: Option<String>,
    filename: Option<String>,
    issue_confidence: Option<String>,
    /// Bandit 1.7.5 and later: `{"id": 703, "link": "https://cwe.mitre.org/..."}`.
    issue_cwe: Option<RawCwe>,
    issue_severity: Option<String>,
    issue_text: Option<String>,
    line_number: Option<i64>,
    line_range: Option<Vec<i64>>,
    col_offset: Option<i64>,
    more_info: Option<String>,
    test_id: Option<String>,
    test_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawCwe {
    id: Option<i64>,
    link: Option<String>,
}

/// Bandit's levels: `HIGH`, `MEDIUM`, `LOW`; `UNDEFINED` and anything else is unknown.
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_uppercase().as_str() {
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Unknown,
    }
}

/// The text of line `line` in a numbered excerpt, white space folded.
pub fn context_line(code: &str, line: i64) -> Option<String> {
    let number = line.to_string();
    code.lines().find_map(|l| {
        let rest = l.strip_prefix(number.as_str())?;
        (rest.is_empty() || rest.starts_with([' ', '\t'])).then(|| normalize_code_line(rest))
    })
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Converts one result, or says why it cannot be a finding.
pub fn convert(raw: RawResult, ids: &mut Ordinals) -> Result<Finding, &'static str> {
    let Some(rule_id) = non_empty(raw.test_id) else {
        return Err("a Bandit result without a test_id");
    };
    let file = raw.filename.filter(|f| !f.trim().is_empty());
    let path = fingerprint_path(file.as_deref().unwrap_or_default());
    let context = match (raw.code.as_deref(), raw.line_number) {
        (Some(code), Some(line)) => context_line(code, line).unwrap_or_default(),
        _ => String::new(),
    };
    let position =
        [raw.line_number, raw.col_offset].map(|n| n.map(|n| n.to_string()).unwrap_or_default());
    let ordinal = ids.ordinal(
        &[&rule_id, &path, &context],
        &position.each_ref().map(String::as_str),
    );
    let mut parts = vec![path, context];
    parts.extend(ordinal_part(ordinal));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fp = fingerprint(super::TOOL, Kind::Code, &rule_id, &parts);

    let text = non_empty(raw.issue_text);
    let title = text.clone().unwrap_or_else(|| rule_id.clone());
    let mut details = Vec::new();
    if let Some(name) = non_empty(raw.test_name) {
        details.push(format!("Test: {name} ({rule_id})"));
    }
    if let Some(confidence) = non_empty(raw.issue_confidence) {
        details.push(format!("Confidence: {confidence}"));
    }
    let mut description = text.unwrap_or_default();
    if !details.is_empty() {
        description = format!("{description}\n\n{}", details.join("\n"));
    }
    if let Some(code) = raw.code.filter(|c| !c.trim().is_empty()) {
        description = format!("{description}\n\n{}", code.trim_end());
    }
    let cwe_id = raw
        .issue_cwe
        .as_ref()
        .and_then(|c| c.id)
        .filter(|id| *id > 0);
    let mut references: Vec<String> = Vec::new();
    for link in [raw.more_info, raw.issue_cwe.and_then(|c| c.link)]
        .into_iter()
        .flatten()
    {
        let link = link.trim().to_string();
        if !link.is_empty() && !references.contains(&link) {
            references.push(link);
        }
    }
    let line_end = raw
        .line_range
        .as_deref()
        .and_then(|r| r.iter().max().copied())
        .or(raw.line_number);
    let severity_original = non_empty(raw.issue_severity);
    Ok(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::Code,
        category: None,
        rule_id,
        title,
        description: Some(description.trim().to_string()).filter(|d| !d.is_empty()),
        remediation: None,
        severity: severity(severity_original.as_deref().unwrap_or_default()),
        severity_original,
        cvss: Vec::new(),
        cwe: cwe_id.map(|id| format!("CWE-{id}")).into_iter().collect(),
        aliases: Vec::new(),
        references,
        component: Component::default(),
        location: Location {
            file,
            line_start: raw.line_number,
            line_end,
            ..Location::default()
        },
        tool_status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_the_reported_lines_text() {
        let code = "50     # Take all\n51     copy = 'a' +  b\n510 other\n";
        assert_eq!(context_line(code, 51).as_deref(), Some("copy = 'a' + b"));
        assert_eq!(context_line(code, 5), None);
        assert_eq!(context_line(code, 510).as_deref(), Some("other"));
    }

    #[test]
    fn severities() {
        assert_eq!(severity("HIGH"), Severity::High);
        assert_eq!(severity("low"), Severity::Low);
        assert_eq!(severity("UNDEFINED"), Severity::Unknown);
    }
}
