//! Trivy's JSON records as serde structs. Every field is optional and unknown fields are ignored,
//! so Trivy versions that add or drop fields import unchanged.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawVulnerability {
    #[serde(rename = "VulnerabilityID")]
    pub vulnerability_id: Option<String>,
    #[serde(rename = "VendorIDs")]
    pub vendor_ids: Option<Vec<String>>,
    pub pkg_name: Option<String>,
    pub pkg_path: Option<String>,
    pub pkg_identifier: Option<RawPkgIdentifier>,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub status: Option<String>,
    pub layer: Option<RawLayer>,
    pub severity_source: Option<String>,
    #[serde(rename = "PrimaryURL")]
    pub primary_url: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    #[serde(rename = "CweIDs")]
    pub cwe_ids: Option<Vec<String>>,
    #[serde(rename = "CVSS")]
    pub cvss: Option<BTreeMap<String, RawCvss>>,
    pub references: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPkgIdentifier {
    #[serde(rename = "PURL")]
    pub purl: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawLayer {
    #[serde(rename = "DiffID")]
    pub diff_id: Option<String>,
    #[serde(rename = "Digest")]
    pub digest: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCvss {
    #[serde(rename = "V3Vector")]
    pub v3_vector: Option<String>,
    #[serde(rename = "V3Score")]
    pub v3_score: Option<f64>,
    #[serde(rename = "V40Vector")]
    pub v40_vector: Option<String>,
    #[serde(rename = "V40Score")]
    pub v40_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawMisconfiguration {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    #[serde(rename = "AVDID")]
    pub avd_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub message: Option<String>,
    pub resolution: Option<String>,
    pub severity: Option<String>,
    #[serde(rename = "PrimaryURL")]
    pub primary_url: Option<String>,
    pub references: Option<Vec<String>>,
    pub status: Option<String>,
    pub cause_metadata: Option<RawCauseMetadata>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawCauseMetadata {
    pub resource: Option<String>,
    pub start_line: Option<i64>,
    pub end_line: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawSecret {
    #[serde(rename = "RuleID")]
    pub rule_id: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub title: Option<String>,
    pub start_line: Option<i64>,
    pub end_line: Option<i64>,
    #[serde(rename = "Match")]
    pub matched: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawLicense {
    pub severity: Option<String>,
    pub category: Option<String>,
    pub pkg_name: Option<String>,
    pub file_path: Option<String>,
    pub name: Option<String>,
    pub link: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawTrivyVersion {
    #[serde(rename = "Version")]
    pub version: Option<String>,
}
