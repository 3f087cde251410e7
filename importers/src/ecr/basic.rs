//! ECR basic scanning's findings (`imageScanFindings.findings`): a CVE name, a severity, a link
//! and a list of `key`/`value` attributes (`package_name`, `package_version`, `CVSS2_VECTOR`,
//! `CVSS2_SCORE`, and the CVSS 3 pair where the scanner gives it).
//!
//! Identity: the CVE and the package name. Like Trivy's, never the image digest or tag, which
//! change every push; the image is what the scan's slot is about.

use crate::finding::{Component, Cvss, Finding, Kind};
use crate::fingerprint::fingerprint;
use crate::inspector2::normalize::{non_empty, severity};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct RawBasicFinding {
    pub name: Option<String>,
    pub description: Option<String>,
    pub uri: Option<String>,
    pub severity: Option<String>,
    #[serde(default)]
    pub attributes: Vec<RawAttribute>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawAttribute {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// Converts one basic finding of `tool`. `Err` says why a record was skipped.
pub fn finding(tool: &str, raw: RawBasicFinding) -> Result<Finding, String> {
    let Some(rule_id) = non_empty(raw.name) else {
        return Err("a basic scan finding without name".into());
    };
    let attribute = |key: &str| {
        raw.attributes
            .iter()
            .find(|a| {
                a.key
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
            })
            .and_then(|a| non_empty(a.value.clone()))
    };
    let package = attribute("package_name");
    let version = attribute("package_version");
    let mut cvss = Vec::new();
    for (version_name, vector_key, score_key) in [
        ("3.1", "CVSS3_VECTOR", "CVSS3_SCORE"),
        ("2.0", "CVSS2_VECTOR", "CVSS2_SCORE"),
    ] {
        let vector = attribute(vector_key);
        let score = attribute(score_key).and_then(|s| s.parse::<f64>().ok());
        if vector.is_some() || score.is_some() {
            cvss.push(Cvss {
                version: crate::inspector2::normalize::cvss_version(
                    (version_name == "2.0").then_some("2.0"),
                    vector.as_deref(),
                ),
                vector,
                score,
                source: None,
            });
        }
    }
    let fingerprint = fingerprint(
        tool,
        Kind::Vulnerability,
        &rule_id,
        &[package.as_deref().unwrap_or_default()],
    );
    let severity_original = non_empty(raw.severity);
    Ok(Finding {
        epss: None,
        fingerprint,
        kind: Kind::Vulnerability,
        category: Some("basic_scan".into()),
        title: match &package {
            Some(p) => format!("{rule_id} - {p}"),
            None => rule_id.clone(),
        },
        rule_id,
        description: non_empty(raw.description),
        remediation: None,
        severity: severity(severity_original.as_deref()),
        severity_original,
        cvss,
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: non_empty(raw.uri).into_iter().collect(),
        component: Component {
            name: package,
            version,
            purl: None,
            fixed_version: None,
        },
        location: Default::default(),
        tool_status: None,
    })
}
