//! OSV-Scanner's JSON records as serde structs: the parts of a result, a package and an OSV
//! vulnerability record that a finding uses. Everything else (an advisory's list of every
//! affected version, which is most of the file) is read past unbuilt.

use serde::Deserialize;

/// `results[].source`: the lock file, SBOM, directory or image layer a result is about.
#[derive(Debug, Default, Deserialize)]
pub struct RawSource {
    pub path: Option<String>,
}

/// `results[].packages[]`: one package with what was found in it.
#[derive(Debug, Default, Deserialize)]
pub struct RawPackage {
    pub package: Option<RawPackageInfo>,
    pub vulnerabilities: Option<Vec<RawVulnerability>>,
    pub groups: Option<Vec<RawGroup>>,
    pub license_violations: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPackageInfo {
    pub name: Option<String>,
    pub version: Option<String>,
    pub ecosystem: Option<String>,
    pub purl: Option<String>,
    /// For a git repository: the commit scanned.
    pub commit: Option<String>,
}

/// An OSV record (<https://ossf.github.io/osv-schema/>).
#[derive(Debug, Default, Deserialize)]
pub struct RawVulnerability {
    pub id: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub affected: Option<Vec<RawAffected>>,
    pub severity: Option<Vec<RawSeverity>>,
    pub references: Option<Vec<RawReference>>,
    /// Free-form per database: GitHub's has `severity` and `cwe_ids`. Read as any JSON, so a
    /// database's own shape never breaks an import.
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawAffected {
    pub package: Option<RawAffectedPackage>,
    pub ranges: Option<Vec<RawRange>>,
    /// Free-form per database (some list `cwes` with `cweId`s here).
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawAffectedPackage {
    pub ecosystem: Option<String>,
    pub name: Option<String>,
    pub purl: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRange {
    #[serde(rename = "type")]
    pub range_type: Option<String>,
    pub events: Option<Vec<RawEvent>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawEvent {
    pub fixed: Option<String>,
}

/// `severity[]`: `{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/..."}` (the vector, despite the
/// name).
#[derive(Debug, Default, Deserialize)]
pub struct RawSeverity {
    #[serde(rename = "type")]
    pub severity_type: Option<String>,
    pub score: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawReference {
    pub url: Option<String>,
}

/// `groups[]`: the records of one package that are aliases of each other.
#[derive(Debug, Default, Deserialize)]
pub struct RawGroup {
    pub ids: Option<Vec<String>>,
    pub aliases: Option<Vec<String>>,
    /// The highest CVSS base score of the group, as a string (`"7.5"`); OSV-Scanner 1.7 and
    /// later.
    pub max_severity: Option<String>,
}
