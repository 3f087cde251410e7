//! Mend's records as serde reads them: the vulnerability of the Unified Agent and legacy API
//! reports (`vulnerabilities[]`, each with its `library`), the library of the CLI report
//! (`libraries[]`, each with its `vulnerabilities`), and the finding of the SCA platform API 3.0
//! (`response[]`). Only the fields a finding uses are declared; the rest is read past.

use serde::Deserialize;

/// A score Mend writes as a number in some reports and as text (`"5.3"`) in others.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Score {
    Number(f64),
    Text(String),
}

impl Score {
    pub fn value(&self) -> Option<f64> {
        match self {
            Score::Number(n) => Some(*n),
            Score::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// A library (a package, a jar, a source library), as the Unified Agent and the CLI name it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLibrary {
    pub key_uuid: Option<String>,
    pub filename: Option<String>,
    pub name: Option<String>,
    pub group_id: Option<String>,
    pub artifact_id: Option<String>,
    pub version: Option<String>,
    pub sha1: Option<String>,
    #[serde(rename = "type")]
    pub library_type: Option<String>,
    /// The CLI report's vulnerabilities of this library.
    pub vulnerabilities: Option<Vec<RawVulnerability>>,
}

/// A suggested fix: `fixResolution` is Mend's sentence ("Upgrade to version 3.6.0").
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFix {
    pub fix_resolution: Option<String>,
    pub url: Option<String>,
}

/// Where the agent found the library's file.
#[derive(Debug, Default, Deserialize)]
pub struct RawPlace {
    pub path: Option<String>,
}

/// A vulnerability of the Unified Agent, legacy API and CLI reports.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawVulnerability {
    pub name: Option<String>,
    pub severity: Option<String>,
    /// The CVSS 2 score.
    pub score: Option<Score>,
    #[serde(rename = "cvss3_severity")]
    pub cvss3_severity: Option<String>,
    #[serde(rename = "cvss3_score")]
    pub cvss3_score: Option<Score>,
    pub score_metadata_vector: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// The Unified Agent's library; the CLI gives it one level up.
    pub library: Option<RawLibrary>,
    pub top_fix: Option<RawFix>,
    pub all_fixes: Option<Vec<RawFix>>,
    pub locations: Option<Vec<RawPlace>>,
    /// The Unified Agent's project and product names.
    pub project: Option<String>,
    pub product: Option<String>,
}

/// A finding of the SCA platform API 3.0 (`/api/v3.0/projects/{uuid}/dependencies/findings/security`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawApiFinding {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub finding_type: Option<String>,
    pub component: Option<RawComponent>,
    pub finding_info: Option<RawFindingInfo>,
    pub project: Option<RawNamed>,
    pub vulnerability: Option<RawApiVulnerability>,
    pub top_fix: Option<RawFix>,
    pub threat_assessment: Option<RawThreat>,
    pub score_metadata_vector: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawComponent {
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub library_type: Option<String>,
    pub group_id: Option<String>,
    pub artifact_id: Option<String>,
    pub version: Option<String>,
    pub path: Option<String>,
    pub dependency_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawFindingInfo {
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawNamed {
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawApiVulnerability {
    pub name: Option<String>,
    pub description: Option<String>,
    pub score: Option<Score>,
    pub severity: Option<String>,
    pub vulnerability_scoring: Option<Vec<RawScoring>>,
}

/// One scoring of an API 3.0 vulnerability: `CVSS_3`, `CVSS_2`.
#[derive(Debug, Default, Deserialize)]
pub struct RawScoring {
    pub score: Option<Score>,
    #[serde(rename = "type")]
    pub scoring_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawThreat {
    pub epss_percentage: Option<Score>,
    pub exploit_code_maturity: Option<String>,
}

/// `additionalData` of an API 3.0 or 2.0 response: how many findings the query has in all
/// (a number in 3.0, text in 2.0's examples: `"422"`), and 2.0's `isLastPage`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAdditionalData {
    pub total_items: Option<Count>,
    pub is_last_page: Option<Flag>,
}

/// A count Mend writes as a number or as text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Count {
    Number(u64),
    Text(String),
}

impl Count {
    pub fn value(&self) -> Option<u64> {
        match self {
            Count::Number(n) => Some(*n),
            Count::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// A yes or no Mend writes as a boolean or as text (`"true"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    pub fn value(&self) -> Option<bool> {
        match self {
            Flag::Bool(b) => Some(*b),
            Flag::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// One policy of the Unified Agent's `whitesource/policyRejectionSummary.json`
/// (`rejectingPolicies[]`), with the libraries it rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRejectingPolicy {
    pub policy_name: Option<String>,
    /// What the policy matches on (`LICENSE`, ...), as the agent writes it.
    pub filter_type: Option<String>,
    pub product_level: Option<bool>,
    pub rejected_libraries: Option<Vec<RawRejectedLibrary>>,
}

/// A library a policy rejected, as the Unified Agent summarizes it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRejectedLibrary {
    pub name: Option<String>,
    pub sha1: Option<String>,
    pub link: Option<String>,
    pub system_path: Option<String>,
    pub manifest_file: Option<String>,
    pub projects: Option<Vec<String>>,
}

/// A legal and compliance alert of the SCA API 2.0
/// (`GET /api/v2.0/projects/{projectToken}/alerts/legal`, `retVal[]`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLegalAlert {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub alert_type: Option<String>,
    pub alert_info: Option<RawAlertInfo>,
    pub project: Option<RawAlertProject>,
    pub component: Option<RawAlertComponent>,
    pub policy_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAlertInfo {
    pub status: Option<String>,
    pub detected_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAlertProject {
    pub name: Option<String>,
    pub product_name: Option<String>,
}

/// The library of a 2.0 alert (`BaseComponentDTO`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAlertComponent {
    pub name: Option<String>,
    pub library_type: Option<String>,
    pub group_id: Option<String>,
    pub artifact_id: Option<String>,
    pub version: Option<String>,
    pub dependency_type: Option<String>,
    pub dependency_file: Option<String>,
    pub local_path: Option<String>,
    pub references: Option<RawComponentReferences>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawComponentReferences {
    pub url: Option<String>,
    pub home_page: Option<String>,
}

/// `projectVitals` of the CLI report.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawProjectVitals {
    pub product_name: Option<String>,
    pub name: Option<String>,
    pub last_updated_date: Option<String>,
}
