//! AWS Security Finding Format (ASFF) records, as `aws securityhub get-findings` writes them
//! and as Security Hub exports them. Only what a finding needs is read; every field is
//! optional, so a record that lacks one is judged by the normalize step.

use crate::inspector2::raw::number_or_text;
pub use crate::inspector2::raw::{RawCvss, RawPackage};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawFinding {
    pub id: Option<String>,
    pub product_arn: Option<String>,
    pub product_name: Option<String>,
    pub generator_id: Option<String>,
    pub aws_account_id: Option<String>,
    #[serde(default)]
    pub types: Vec<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<RawSeverity>,
    pub remediation: Option<RawRemediation>,
    pub source_url: Option<String>,
    /// Product-specific text values (`aws/securityhub/ProductName`, `ControlId`, ...).
    #[serde(default)]
    pub product_fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub resources: Vec<RawResource>,
    pub compliance: Option<RawCompliance>,
    pub workflow: Option<RawWorkflow>,
    /// The workflow status before `Workflow` existed.
    pub workflow_state: Option<String>,
    pub record_state: Option<String>,
    #[serde(default)]
    pub vulnerabilities: Vec<RawVulnerability>,
    /// Some exports put EPSS on the record rather than on the vulnerability.
    #[serde(default, deserialize_with = "number_or_text")]
    pub epss_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawSeverity {
    pub label: Option<String>,
    #[serde(default, deserialize_with = "number_or_text")]
    pub normalized: Option<f64>,
    pub original: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRemediation {
    pub recommendation: Option<RawRecommendation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRecommendation {
    pub text: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawResource {
    #[serde(rename = "Type")]
    pub resource_type: Option<String>,
    pub id: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawCompliance {
    pub status: Option<String>,
    pub security_control_id: Option<String>,
    #[serde(default)]
    pub related_requirements: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawWorkflow {
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawVulnerability {
    pub id: Option<String>,
    #[serde(default)]
    pub vulnerable_packages: Vec<RawPackage>,
    #[serde(default)]
    pub cvss: Vec<RawCvss>,
    #[serde(default)]
    pub related_vulnerabilities: Vec<String>,
    pub vendor: Option<RawVendor>,
    #[serde(default)]
    pub reference_urls: Vec<String>,
    pub fix_available: Option<String>,
    pub exploit_available: Option<String>,
    #[serde(default, deserialize_with = "number_or_text")]
    pub epss_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawVendor {
    pub name: Option<String>,
    pub url: Option<String>,
    pub vendor_severity: Option<String>,
}
