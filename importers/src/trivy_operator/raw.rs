//! Trivy Operator's custom resources (`aquasecurity.github.io/v1alpha1`), the parts a finding
//! needs: the resource's metadata, its `report` (vulnerability, config audit, RBAC and infra
//! assessment, exposed secret reports) or its `status` (cluster compliance reports).

use crate::inspector2::raw::number_or_text;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
pub struct RawMetadata {
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawReport {
    pub artifact: Option<RawArtifact>,
    pub registry: Option<RawRegistry>,
    pub scanner: Option<RawScanner>,
    pub update_timestamp: Option<String>,
    #[serde(default)]
    pub vulnerabilities: Vec<RawVulnerability>,
    #[serde(default)]
    pub checks: Vec<RawCheck>,
    #[serde(default)]
    pub secrets: Vec<RawSecret>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawArtifact {
    pub repository: Option<String>,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRegistry {
    pub server: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawScanner {
    pub version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawVulnerability {
    #[serde(rename = "vulnerabilityID")]
    pub vulnerability_id: Option<String>,
    pub resource: Option<String>,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub severity: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub primary_link: Option<String>,
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default, deserialize_with = "number_or_text")]
    pub score: Option<f64>,
    pub target: Option<String>,
    pub class: Option<String>,
    pub package_type: Option<String>,
    pub published_date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCheck {
    #[serde(rename = "checkID")]
    pub check_id: Option<String>,
    pub category: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    pub success: Option<bool>,
    #[serde(default)]
    pub messages: Vec<String>,
    pub remediation: Option<String>,
    /// Compliance reports: the resource the check ran on (`namespace/kind-name`).
    pub target: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSecret {
    #[serde(rename = "ruleID")]
    pub rule_id: Option<String>,
    pub category: Option<String>,
    pub title: Option<String>,
    pub severity: Option<String>,
    pub target: Option<String>,
    #[serde(rename = "match")]
    pub matched: Option<String>,
}

/// A ClusterComplianceReport's `status`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawComplianceStatus {
    pub detail_report: Option<RawDetailReport>,
    pub summary_report: Option<RawSummaryReport>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawDetailReport {
    pub id: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub results: Vec<RawControlResult>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawControlResult {
    pub id: Option<String>,
    pub name: Option<String>,
    pub severity: Option<String>,
    #[serde(default)]
    pub checks: Vec<RawCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSummaryReport {
    pub id: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub control_check: Vec<RawControlCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawControlCheck {
    pub id: Option<String>,
    pub name: Option<String>,
    pub severity: Option<String>,
    #[serde(default)]
    pub total_fail: Option<u64>,
}
