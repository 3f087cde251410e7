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

/// `additionalData` of an API 3.0 response: how many findings the query has in all.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAdditionalData {
    pub total_items: Option<u64>,
}

/// `projectVitals` of the CLI report.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawProjectVitals {
    pub product_name: Option<String>,
    pub name: Option<String>,
    pub last_updated_date: Option<String>,
}
