//! Semgrep's JSON records (`semgrep scan --json`) as serde structs. Every field is optional and
//! unknown fields are ignored, so Semgrep versions that add or drop fields import unchanged.

use serde::Deserialize;
use serde_json::Value;

/// One entry of `results`.
#[derive(Debug, Default, Deserialize)]
pub struct RawResult {
    pub check_id: Option<String>,
    pub path: Option<String>,
    pub start: Option<RawPosition>,
    pub end: Option<RawPosition>,
    pub extra: Option<RawExtra>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPosition {
    pub line: Option<i64>,
    pub col: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawExtra {
    pub message: Option<String>,
    pub severity: Option<String>,
    pub metadata: Option<RawMetadata>,
    pub fix: Option<String>,
    /// The matched source lines, or `requires login` when the CLI was not logged in.
    pub lines: Option<String>,
    /// Semgrep's own match fingerprint, or `requires login`.
    pub fingerprint: Option<String>,
    /// Set when the match carries a `nosemgrep` comment (seen with `--disable-nosem`).
    pub is_ignored: Option<bool>,
    /// Secrets validation: `CONFIRMED_VALID`, `CONFIRMED_INVALID`, `NO_VALIDATOR`, ...
    pub validation_state: Option<String>,
}

/// `extra.metadata`: free-form per rule; the fields read here are the registry's conventions,
/// each a string or a list of strings.
#[derive(Debug, Default, Deserialize)]
pub struct RawMetadata {
    pub cwe: Option<Value>,
    pub owasp: Option<Value>,
    pub references: Option<Value>,
    pub category: Option<Value>,
    pub confidence: Option<Value>,
    pub likelihood: Option<Value>,
    pub impact: Option<Value>,
    pub source: Option<Value>,
    #[serde(rename = "source-rule-url")]
    pub source_rule_url: Option<Value>,
}

/// The strings in a metadata value: itself when a string, its string elements when a list.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}
