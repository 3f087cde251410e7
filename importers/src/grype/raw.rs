//! Grype's JSON records as serde structs: the current layout (`cvss` list, `fix`, `epss`,
//! `matchDetails` as a list) and the older one of early versions (`links`, `cvssV2`/`cvssV3`,
//! `matchDetails` as one object), every field optional, unknown fields ignored.

use serde::Deserialize;

/// One element of `matches[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawMatch {
    pub vulnerability: Option<RawVulnerability>,
    pub related_vulnerabilities: Option<Vec<RawVulnerability>>,
    pub match_details: Option<OneOrMany<RawMatchDetail>>,
    pub artifact: Option<RawArtifact>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawVulnerability {
    pub id: Option<String>,
    pub data_source: Option<String>,
    pub namespace: Option<String>,
    pub severity: Option<String>,
    pub urls: Option<Vec<String>>,
    /// Early Grype versions.
    pub links: Option<Vec<String>>,
    pub description: Option<String>,
    pub cvss: Option<Vec<RawCvss>>,
    /// Early Grype versions.
    #[serde(rename = "cvssV2")]
    pub cvss_v2: Option<RawOldCvss>,
    /// Early Grype versions.
    #[serde(rename = "cvssV3")]
    pub cvss_v3: Option<RawOldCvss>,
    pub epss: Option<Vec<RawEpss>>,
    pub fix: Option<RawFix>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawCvss {
    pub source: Option<String>,
    pub version: Option<String>,
    pub vector: Option<String>,
    pub metrics: Option<RawCvssMetrics>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCvssMetrics {
    pub base_score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawOldCvss {
    pub base_score: Option<f64>,
    pub vector: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawEpss {
    pub cve: Option<String>,
    pub epss: Option<f64>,
    pub percentile: Option<f64>,
    pub date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawFix {
    pub versions: Option<Vec<String>>,
    pub state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawMatchDetail {
    pub matcher: Option<String>,
}

/// `matchDetails` is a list in current Grype and one object in early versions.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::Many(v) => v,
            OneOrMany::One(t) => vec![t],
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawArtifact {
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(rename = "type")]
    pub package_type: Option<String>,
    pub locations: Option<Vec<RawLocation>>,
    pub purl: Option<String>,
}

/// Where Grype found the package: `{"path": ..., "layerID": ...}` (a bare path in some writers).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawLocation {
    Path(String),
    Object {
        path: Option<String>,
        #[serde(rename = "layerID")]
        layer_id: Option<String>,
    },
}

impl RawLocation {
    pub fn path(&self) -> Option<&str> {
        match self {
            RawLocation::Path(p) => Some(p),
            RawLocation::Object { path, .. } => path.as_deref(),
        }
    }

    pub fn layer(&self) -> Option<&str> {
        match self {
            RawLocation::Path(_) => None,
            RawLocation::Object { layer_id, .. } => layer_id.as_deref(),
        }
    }
}

/// `descriptor`: the tool that wrote the report.
#[derive(Debug, Default, Deserialize)]
pub struct RawDescriptor {
    pub version: Option<String>,
    pub timestamp: Option<String>,
}

/// `source`: what was scanned. `target` is an object for images, a string for directories.
#[derive(Debug, Default, Deserialize)]
pub struct RawSource {
    pub target: Option<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTarget {
    Name(String),
    Image {
        #[serde(rename = "userInput")]
        user_input: Option<String>,
    },
}
