//! A Checkov check record to a normalized finding: kind by framework, severity, the skip as a
//! tool decision, and the identity (see the module docs of [`super`]).

use super::raw::RawCheck;
use crate::code_context::{Ordinals, ordinal_part};
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::{fingerprint, normalize_code_line};
use crate::tfsec::fingerprint_path;

/// Whether a record failed or was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Failed,
    Skipped,
}

/// Checkov's severities (set by the Bridgecrew/Prisma platform, `null` without an API key).
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        "INFO" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// The kind of a record from its framework (`check_type`).
fn kind_of(check_type: Option<&str>, raw: &RawCheck) -> Kind {
    match check_type.map(str::trim) {
        Some("secrets") => Kind::Secret,
        _ if raw.vulnerability_details.is_some() => Kind::Vulnerability,
        _ => Kind::Misconfiguration,
    }
}

/// Identities handed out in one import: by check, file and resource first; by the code as
/// well for a second distinct record of the same check, file and resource.
#[derive(Default)]
pub struct Identities {
    by_resource: Ordinals,
    by_code: Ordinals,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Converts one record, or says why it cannot be a finding.
pub fn convert(
    raw: RawCheck,
    outcome: Outcome,
    check_type: Option<&str>,
    ids: &mut Identities,
) -> Result<Finding, &'static str> {
    let Some(rule_id) = non_empty(raw.check_id.clone()) else {
        return Err("a Checkov check without a check_id");
    };
    let kind = kind_of(check_type, &raw);
    let file = non_empty(raw.file_path.clone());
    let resource = non_empty(raw.resource.clone());
    let path = fingerprint_path(file.as_deref().unwrap_or_default());
    let resource_part = resource.clone().unwrap_or_default();
    let code = raw
        .first_code_line()
        .map(normalize_code_line)
        .unwrap_or_default();
    let range = raw.file_line_range.clone().unwrap_or_default();
    let position: Vec<String> = range
        .iter()
        .map(i64::to_string)
        .chain([code.clone()])
        .collect();
    let position: Vec<&str> = position.iter().map(String::as_str).collect();
    let mut parts = vec![path.clone(), resource_part.clone()];
    if ids
        .by_resource
        .ordinal(&[kind.as_str(), &rule_id, &path, &resource_part], &position)
        > 0
    {
        let ordinal = ids.by_code.ordinal(
            &[kind.as_str(), &rule_id, &path, &resource_part, &code],
            &position,
        );
        parts.push(format!("code:{code}"));
        parts.extend(ordinal_part(ordinal));
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fp = fingerprint(super::TOOL, kind, &rule_id, &parts);

    let result = raw.check_result.unwrap_or_default();
    let title = non_empty(raw.check_name)
        .or_else(|| non_empty(raw.short_description.clone()))
        .unwrap_or_else(|| rule_id.clone());
    let mut lines = Vec::new();
    if let Some(text) = non_empty(raw.description) {
        lines.push(text);
    }
    if let Some(t) = check_type.filter(|t| !t.trim().is_empty()) {
        lines.push(format!("Check type: {t}"));
    }
    let keys: Vec<String> = result
        .evaluated_keys
        .unwrap_or_default()
        .iter()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    if !keys.is_empty() {
        lines.push(format!("Evaluated keys: {}", keys.join(", ")));
    }
    let comment = non_empty(result.suppress_comment);
    if outcome == Outcome::Skipped {
        lines.push(match &comment {
            Some(c) => format!("Skipped in Checkov: {c}"),
            None => "Skipped in Checkov".to_string(),
        });
    }
    let mut aliases = Vec::new();
    aliases.extend(non_empty(raw.bc_check_id).filter(|id| *id != rule_id));
    let mut references: Vec<String> = non_empty(raw.guideline).into_iter().collect();
    let mut component = Component::default();
    let mut cvss = Vec::new();
    if let Some(v) = raw.vulnerability_details {
        aliases.extend(non_empty(v.id));
        references.extend(non_empty(v.link).filter(|l| !references.contains(l)));
        if let Some(text) = non_empty(v.description) {
            lines.insert(0, text);
        }
        component = Component {
            name: non_empty(v.package_name),
            version: non_empty(v.package_version),
            purl: None,
            fixed_version: non_empty(v.fixed_version),
        };
        let vector = non_empty(v.vector);
        if vector.is_some() || v.cvss.is_some() {
            let version = vector
                .as_deref()
                .and_then(|s| s.strip_prefix("CVSS:"))
                .and_then(|s| s.split('/').next())
                .unwrap_or("3.1")
                .to_string();
            cvss.push(Cvss {
                version,
                vector,
                score: v.cvss,
                source: None,
            });
        }
    }
    let severity_original = non_empty(raw.severity);
    Ok(Finding {
        epss: None,
        fingerprint: fp,
        kind,
        category: check_type
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty()),
        rule_id,
        title,
        description: Some(lines.join("\n")).filter(|d| !d.is_empty()),
        remediation: None,
        severity: severity(severity_original.as_deref().unwrap_or_default()),
        severity_original,
        cvss,
        cwe: Vec::new(),
        aliases,
        references,
        component,
        location: Location {
            file,
            line_start: range.first().copied(),
            line_end: range.last().copied(),
            resource,
            ..Location::default()
        },
        tool_status: match outcome {
            Outcome::Failed => None,
            Outcome::Skipped => Some("skipped".to_string()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        assert_eq!(severity("HIGH"), Severity::High);
        assert_eq!(severity(""), Severity::Unknown);
        assert_eq!(severity("info"), Severity::Info);
    }
}
