//! Severity: `security-severity` scores and words, else SARIF levels.

use super::message::non_empty;
use super::raw::*;
use crate::finding::Severity;
use serde_json::Value;

/// The level's severity. Unknown words are `unknown`.
pub(super) fn level_severity(level: &str) -> Severity {
    match level.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// `security-severity`: a CVSS-like number (GitHub's convention), or a severity word.
pub(super) fn security_severity(value: &Value) -> Option<(Severity, String)> {
    let (number, original) = match value {
        Value::Number(n) => (n.as_f64(), n.to_string()),
        Value::String(s) => (s.trim().parse::<f64>().ok(), s.clone()),
        _ => return None,
    };
    if let Some(score) = number {
        let severity = if !score.is_finite() || score < 0.0 {
            return None;
        } else if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        };
        return Some((severity, original));
    }
    let word = original.trim().to_ascii_lowercase();
    let severity = match word.as_str() {
        "moderate" => Severity::Medium,
        "informational" | "information" => Severity::Info,
        _ => Severity::parse(&word).filter(|s| *s != Severity::Unknown)?,
    };
    Some((severity, original))
}

/// Severity: `security-severity` (result, then rule), else `level`, else the rule's default
/// level, else the standard's default (`warning` for a failure, `none` otherwise).
pub(super) fn severity(
    result: &RawResult,
    rule: Option<&RawRule>,
    result_kind: &str,
) -> (Severity, Option<String>) {
    for props in [
        result.properties.as_ref(),
        rule.and_then(|r| r.properties.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(found) = props.security_severity.as_ref().and_then(security_severity) {
            return (found.0, Some(found.1));
        }
    }
    let level = non_empty(result.level.as_deref()).or_else(|| {
        rule.and_then(|r| r.default_configuration.as_ref())
            .and_then(|c| non_empty(c.level.as_deref()))
    });
    match level {
        Some(level) => (level_severity(level), Some(level.to_string())),
        None if result_kind == "fail" => (Severity::Medium, None),
        None => (Severity::Info, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_severity_scores_and_words() {
        let s = |v: Value| security_severity(&v).map(|x| x.0);
        assert_eq!(s(Value::from("9.0")), Some(Severity::Critical));
        assert_eq!(s(Value::from(8.9)), Some(Severity::High));
        assert_eq!(s(Value::from("4")), Some(Severity::Medium));
        assert_eq!(s(Value::from("0.1")), Some(Severity::Low));
        assert_eq!(s(Value::from("0")), Some(Severity::Info));
        assert_eq!(s(Value::from("MEDIUM")), Some(Severity::Medium));
        assert_eq!(s(Value::from("-1")), None);
        assert_eq!(s(Value::from("NaN")), None);
        assert_eq!(s(Value::from("whatever")), None);
        assert_eq!(s(Value::Bool(true)), None);
    }
}
