//! Fingerprint parts: a tool's own (partial) fingerprints, and Trivy SARIF's identity per kind.

use super::location::identity_path;
use crate::finding::Kind;
use crate::fingerprint::normalize_code_line;
use serde_json::Value;
use std::collections::BTreeMap;

/// A tool's fingerprints as sorted `key, value` parts. `primaryLocationStartColumnFingerprint`
/// (CodeQL: a column number, which re-indenting changes) is left out. Values that are not
/// strings are written as compact JSON (a `{"value": ...}` wrapper is unwrapped).
pub(super) fn tool_fingerprints(map: Option<&BTreeMap<String, Value>>) -> Vec<String> {
    let mut parts = Vec::new();
    for (key, value) in map.into_iter().flatten() {
        if key == "primaryLocationStartColumnFingerprint" {
            continue;
        }
        let value = match value {
            Value::Object(o) if o.len() == 1 => o.get("value").unwrap_or(value),
            other => other,
        };
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Null => continue,
            other => other.to_string(),
        };
        if text.is_empty() {
            continue;
        }
        parts.push(key.clone());
        parts.push(text);
    }
    parts
}

/// `Name: value` from a Trivy message line.
pub(super) fn message_field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        line.trim()
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Trivy SARIF identity, per kind (rule key, parts):
/// - vulnerability: advisory id, the artifact (image, lock file or language), package name;
/// - misconfiguration: the check id in canonical form (`DS002` = `DS-0002` = `AVD-DS-0002`), file;
/// - secret: rule, file, the matched line as Trivy redacts it, white space folded;
/// - license: rule (`package:license`), artifact.
///
/// SARIF lacks the package ecosystem and the cloud resource, so these are not the fingerprints
/// of the same scan imported as Trivy JSON.
pub(super) fn trivy_parts(
    kind: Kind,
    rule_id: &str,
    place: Option<&str>,
    package: Option<&str>,
    message: Option<&str>,
) -> (String, Vec<String>) {
    let place = place.map(identity_path).unwrap_or_default();
    match kind {
        Kind::Vulnerability => (
            rule_id.to_string(),
            vec![place, package.unwrap_or_default().to_string()],
        ),
        Kind::Misconfiguration => (crate::trivy::canonical_check_id(rule_id), vec![place]),
        Kind::Secret => {
            let matched = message
                .and_then(|m| message_field(m, "Match"))
                .map(|m| normalize_code_line(&m))
                .unwrap_or_default();
            (rule_id.to_string(), vec![place, matched])
        }
        _ => (rule_id.to_string(), vec![place]),
    }
}
