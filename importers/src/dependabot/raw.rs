//! GitHub's Dependabot alert objects (REST API, `GET /repos/{owner}/{repo}/dependabot/alerts`
//! and the organization's list) as serde structs. Every field is optional and unknown fields are
//! ignored, so API versions that add fields import unchanged.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct RawAlert {
    pub number: Option<u64>,
    /// `open`, `dismissed`, `fixed` or `auto_dismissed`.
    pub state: Option<String>,
    pub dependency: Option<RawDependency>,
    pub security_advisory: Option<RawAdvisory>,
    pub security_vulnerability: Option<RawVulnerability>,
    pub html_url: Option<String>,
    /// `fix_started`, `inaccurate`, `no_bandwidth`, `not_used` or `tolerable_risk`.
    pub dismissed_reason: Option<String>,
    pub dismissed_comment: Option<String>,
    /// Only in the organization's and enterprise's lists.
    pub repository: Option<RawRepository>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawDependency {
    pub package: Option<RawPackage>,
    pub manifest_path: Option<String>,
    /// `runtime` or `development`.
    pub scope: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPackage {
    pub ecosystem: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawAdvisory {
    pub ghsa_id: Option<String>,
    pub cve_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    pub identifiers: Option<Vec<RawIdentifier>>,
    pub references: Option<Vec<RawReference>>,
    pub cvss: Option<RawCvss>,
    pub cvss_severities: Option<RawCvssSeverities>,
    pub epss: Option<Vec<RawEpss>>,
    pub cwes: Option<Vec<RawCwe>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawIdentifier {
    pub value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawReference {
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCvss {
    pub vector_string: Option<String>,
    pub score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCvssSeverities {
    pub cvss_v3: Option<RawCvss>,
    pub cvss_v4: Option<RawCvss>,
}

/// EPSS as GitHub writes it (`percentage` a number, `percentile` a number or a string).
#[derive(Debug, Default, Deserialize)]
pub struct RawEpss {
    pub percentage: Option<serde_json::Value>,
    pub percentile: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCwe {
    pub cwe_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawVulnerability {
    pub severity: Option<String>,
    pub vulnerable_version_range: Option<String>,
    pub first_patched_version: Option<RawPatchedVersion>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPatchedVersion {
    pub identifier: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRepository {
    pub full_name: Option<String>,
}
