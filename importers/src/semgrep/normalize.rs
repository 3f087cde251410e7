//! A Semgrep result to a normalized finding: severity, CWE ids, references, and the identity
//! (rule, file, code context, ordinal; see the module docs of [`super`]).

use super::raw::{RawResult, strings};
use crate::code_context::{Ordinals, ordinal_part};
use crate::finding::{Component, Finding, Kind, Location, Severity};
use crate::fingerprint::{fingerprint, normalize_code_line};
use crate::tfsec::fingerprint_path;
use crate::web::cwe_ids;

/// What Semgrep writes instead of the code and the fingerprint when the CLI is not logged in.
const PLACEHOLDER: &str = "requires login";

/// Semgrep's severities: the rule levels `ERROR`/`WARNING`/`INFO` and the newer
/// `CRITICAL`/`HIGH`/`MEDIUM`/`LOW`; `INVENTORY` and `EXPERIMENT` (rules that report facts,
/// not problems) are info; anything else is unknown.
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "ERROR" | "HIGH" => Severity::High,
        "WARNING" | "MEDIUM" => Severity::Medium,
        "INFO" | "LOW" => Severity::Low,
        "INVENTORY" | "EXPERIMENT" => Severity::Info,
        _ => Severity::Unknown,
    }
}

fn real(text: Option<&str>) -> Option<&str> {
    text.map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case(PLACEHOLDER))
}

/// The context part of the identity: `code:` and the matched lines normalized, else `fp:` and
/// Semgrep's own fingerprint, else empty (both are the login placeholder).
pub fn context(lines: Option<&str>, tool_fingerprint: Option<&str>) -> String {
    if let Some(code) = real(lines) {
        format!("code:{}", normalize_code_line(code))
    } else if let Some(fp) = real(tool_fingerprint) {
        format!("fp:{fp}")
    } else {
        String::new()
    }
}

/// The first sentence of a message, on one line: a title.
fn first_sentence(message: &str) -> String {
    let flat = normalize_code_line(message);
    let end = flat
        .find(". ")
        .map_or(flat.len(), |i| i + 1)
        .min(flat.len());
    flat[..end].to_string()
}

fn push_unique(list: &mut Vec<String>, item: String) {
    let item = item.trim().to_string();
    if !item.is_empty() && !list.contains(&item) {
        list.push(item);
    }
}

/// Converts one result, or says why it cannot be a finding.
pub fn convert(raw: RawResult, ids: &mut Ordinals) -> Result<Finding, &'static str> {
    let Some(rule_id) = raw
        .check_id
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
    else {
        return Err("a Semgrep result without a check_id");
    };
    let extra = raw.extra.unwrap_or_default();
    let metadata = extra.metadata.unwrap_or_default();
    let file = raw.path.filter(|p| !p.trim().is_empty());
    let start = raw.start.unwrap_or_default();
    let end = raw.end.unwrap_or_default();
    let kind = if rule_id.contains(".secrets.") {
        Kind::Secret
    } else {
        Kind::Code
    };

    let path = fingerprint_path(file.as_deref().unwrap_or_default());
    let context = context(extra.lines.as_deref(), extra.fingerprint.as_deref());
    let position = [start.line, start.col, end.line, end.col]
        .map(|n| n.map(|n| n.to_string()).unwrap_or_default());
    let ordinal = ids.ordinal(
        &[kind.as_str(), &rule_id, &path, &context],
        &position.each_ref().map(String::as_str),
    );
    let mut parts = vec![path, context];
    parts.extend(ordinal_part(ordinal));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fp = fingerprint(super::TOOL, kind, &rule_id, &parts);

    let message = extra.message.filter(|m| !m.trim().is_empty());
    let title = message
        .as_deref()
        .map(first_sentence)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| rule_id.clone());
    let mut details = Vec::new();
    for (label, value) in [
        ("Confidence", &metadata.confidence),
        ("Likelihood", &metadata.likelihood),
        ("Impact", &metadata.impact),
        ("OWASP", &metadata.owasp),
    ] {
        let values = strings(value.as_ref());
        if !values.is_empty() {
            details.push(format!("{label}: {}", values.join(", ")));
        }
    }
    let description = match (message, details.is_empty()) {
        (Some(m), true) => Some(m.trim().to_string()),
        (Some(m), false) => Some(format!("{}\n\n{}", m.trim(), details.join("\n"))),
        (None, false) => Some(details.join("\n")),
        (None, true) => None,
    };
    let mut cwe = Vec::new();
    for text in strings(metadata.cwe.as_ref()) {
        for id in cwe_ids(&text) {
            push_unique(&mut cwe, id);
        }
    }
    let mut references = Vec::new();
    for value in [
        &metadata.references,
        &metadata.source,
        &metadata.source_rule_url,
    ] {
        for link in strings(value.as_ref()) {
            push_unique(&mut references, link);
        }
    }
    let category = strings(metadata.category.as_ref())
        .into_iter()
        .next()
        .map(|c| c.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .filter(|c| !c.is_empty());
    let tool_status = if extra.is_ignored == Some(true) {
        Some("suppressed".to_string())
    } else {
        extra
            .validation_state
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
    };
    let severity_original = extra.severity.filter(|s| !s.trim().is_empty());
    Ok(Finding {
        epss: None,
        fingerprint: fp,
        kind,
        category,
        rule_id,
        title,
        description,
        remediation: extra.fix.filter(|f| !f.trim().is_empty()),
        severity: severity(severity_original.as_deref().unwrap_or_default()),
        severity_original,
        cvss: Vec::new(),
        cwe,
        aliases: Vec::new(),
        references,
        component: Component::default(),
        location: Location {
            file,
            line_start: start.line,
            line_end: end.line.or(start.line),
            ..Location::default()
        },
        tool_status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_of_every_generation() {
        assert_eq!(severity("ERROR"), Severity::High);
        assert_eq!(severity("warning"), Severity::Medium);
        assert_eq!(severity("INFO"), Severity::Low);
        assert_eq!(severity("CRITICAL"), Severity::Critical);
        assert_eq!(severity("INVENTORY"), Severity::Info);
        assert_eq!(severity("?"), Severity::Unknown);
    }

    #[test]
    fn the_context_is_the_code_else_the_tools_fingerprint() {
        assert_eq!(context(Some("  a =\t1 "), Some("f")), "code:a = 1");
        assert_eq!(context(Some("requires login"), Some("f0")), "fp:f0");
        assert_eq!(context(Some("requires login"), Some("requires login")), "");
        assert_eq!(context(None, None), "");
    }

    #[test]
    fn titles_are_first_sentences() {
        assert_eq!(
            first_sentence("Using CBC is bad. A malicious\nactor could"),
            "Using CBC is bad."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
    }
}
