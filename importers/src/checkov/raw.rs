//! Checkov's JSON check records (`checkov -o json`) as serde structs. Every field is optional
//! and unknown fields are ignored, so Checkov versions that add or drop fields import unchanged.

use serde::Deserialize;
use serde_json::Value;

/// One entry of `failed_checks` or `skipped_checks`.
#[derive(Debug, Default, Deserialize)]
pub struct RawCheck {
    pub check_id: Option<String>,
    pub bc_check_id: Option<String>,
    pub check_name: Option<String>,
    pub check_result: Option<RawCheckResult>,
    /// `[[line, text], ...]`: the resource's code (secrets: the line, redacted).
    pub code_block: Option<Vec<(Value, Value)>>,
    pub file_path: Option<String>,
    pub file_line_range: Option<Vec<i64>>,
    pub resource: Option<String>,
    pub severity: Option<String>,
    pub guideline: Option<String>,
    pub description: Option<String>,
    pub short_description: Option<String>,
    /// The `sca_package` framework: the vulnerable package.
    pub vulnerability_details: Option<RawVulnerability>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCheckResult {
    /// Why the check was skipped (`#checkov:skip=CKV_AWS_20:The bucket is public on purpose`).
    pub suppress_comment: Option<String>,
    pub evaluated_keys: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawVulnerability {
    pub id: Option<String>,
    pub package_name: Option<String>,
    pub package_version: Option<String>,
    pub fixed_version: Option<String>,
    pub cvss: Option<f64>,
    pub vector: Option<String>,
    pub link: Option<String>,
    pub description: Option<String>,
}

impl RawCheck {
    /// The first line of the code block, as text.
    pub fn first_code_line(&self) -> Option<&str> {
        self.code_block
            .as_deref()?
            .iter()
            .find_map(|(_, text)| text.as_str().filter(|t| !t.trim().is_empty()))
    }
}
