//! kube-bench's JSON records: a section of a control (`tests[]`) and its results.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct RawTest {
    pub desc: Option<String>,
    #[serde(default)]
    pub results: Vec<RawResult>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawResult {
    pub test_number: Option<String>,
    pub test_desc: Option<String>,
    pub audit: Option<String>,
    #[serde(rename = "AuditConfig")]
    pub audit_config: Option<String>,
    #[serde(rename = "type")]
    pub test_type: Option<String>,
    pub remediation: Option<String>,
    pub status: Option<String>,
    pub actual_value: Option<String>,
    pub scored: Option<bool>,
    pub expected_result: Option<String>,
    pub reason: Option<String>,
}
