//! Snyk's `snyk test --json` and `snyk container test --json` records as serde structs. Every
//! field is optional and unknown fields are ignored, so CLI versions that add fields import
//! unchanged.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One tested project: the whole document of `snyk test --json`, one element of the list that
/// `--all-projects` writes, or one of a container image's `applications`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawProject {
    pub vulnerabilities: Option<Vec<RawVulnerability>>,
    /// What the `.snyk` policy or the Snyk web UI ignored: `filtered.ignore`.
    pub filtered: Option<RawFilteredLists>,
    pub project_name: Option<String>,
    pub display_target_file: Option<String>,
    pub target_file: Option<String>,
    pub path: Option<String>,
    /// Container scans: the application projects found inside the image.
    pub applications: Option<Vec<RawProject>>,
    /// What the CLI writes instead of results when the test could not run.
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawFilteredLists {
    pub ignore: Option<Vec<RawVulnerability>>,
}

/// One vulnerability or license issue on one dependency path.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawVulnerability {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    /// `license` for license issues; absent (or `vuln`) for vulnerabilities.
    #[serde(rename = "type")]
    pub issue_type: Option<String>,
    pub license: Option<String>,
    #[serde(rename = "CVSSv3")]
    pub cvss_v3: Option<String>,
    pub cvss_score: Option<f64>,
    pub cvss_details: Option<Vec<RawCvssDetail>>,
    /// `CVE`, `CWE`, `GHSA`, ... each with a list of ids.
    pub identifiers: Option<BTreeMap<String, Vec<String>>>,
    pub package_name: Option<String>,
    pub version: Option<String>,
    /// The dependency path: the project first, then the top-level dependency, down to the package.
    pub from: Option<Vec<String>>,
    /// The upgrades that fix it, by path step: `false` where nothing is upgraded.
    pub upgrade_path: Option<Vec<serde_json::Value>>,
    pub fixed_in: Option<Vec<String>>,
    /// Container scans: the closest version of the OS package that fixes it.
    pub nearest_fixed_in_version: Option<String>,
    pub references: Option<Vec<RawReference>>,
    pub epss_details: Option<RawEpss>,
    pub is_ignored: Option<bool>,
    pub filtered: Option<RawFiltered>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCvssDetail {
    pub assigner: Option<String>,
    pub cvss_v3_vector: Option<String>,
    pub cvss_v3_base_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawReference {
    pub url: Option<String>,
}

/// EPSS as Snyk writes it (numbers or strings, depending on the CLI version).
#[derive(Debug, Default, Deserialize)]
pub struct RawEpss {
    pub probability: Option<serde_json::Value>,
    pub percentile: Option<serde_json::Value>,
}

/// Why an ignored issue is ignored: `filtered.ignored` of an element of `filtered.ignore`.
#[derive(Debug, Default, Deserialize)]
pub struct RawFiltered {
    pub ignored: Option<Vec<RawIgnoreRule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawIgnoreRule {
    pub reason: Option<String>,
    /// `not-vulnerable`, `wont-fix` or `temporary-ignore` when set from the web UI.
    pub reason_type: Option<String>,
    pub expires: Option<String>,
}
