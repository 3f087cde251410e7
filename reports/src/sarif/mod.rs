//! `findings.sarif`: SARIF 2.1.0 as GitHub code scanning takes it.

use crate::ReportError;
use crate::snapshot::{ReleaseSnapshot, ViewFinding};
use domain::TriageStatus;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;

fn sarif_level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

/// GitHub's `security-severity`: the CVSS score when there is one, else a score in the band.
fn security_severity(f: &ViewFinding) -> String {
    let score = f.cvss_score.unwrap_or(match f.severity.as_str() {
        "critical" => 9.5,
        "high" => 8.0,
        "medium" => 5.5,
        "low" => 3.0,
        _ => 0.0,
    });
    format!("{score:.1}")
}

/// A relative URI for the finding's place; GitHub wants every result located.
fn artifact_uri(f: &ViewFinding) -> String {
    let raw = f
        .file
        .clone()
        .or_else(|| f.url.clone())
        .or_else(|| f.resource.clone())
        .or_else(|| f.target.clone())
        .or_else(|| f.component.clone())
        .unwrap_or_else(|| f.scan_label.clone());
    let trimmed = raw.trim_start_matches('/');
    // Not the `percent-encoding` crate: it always encodes non-ASCII bytes (`src/日本.rs` would
    // become `src/%E6%97%A5%E6%9C%AC.rs`), while this keeps them as they are, so SARIF output
    // and the bundles that hold it would change bytes. Only three ASCII characters need it here.
    let mut uri = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            ' ' => uri.push_str("%20"),
            '#' => uri.push_str("%23"),
            '?' => uri.push_str("%3F"),
            c if c.is_control() => {}
            c => uri.push(c),
        }
    }
    if uri.is_empty() {
        "unknown".into()
    } else {
        uri
    }
}

#[derive(serde::Serialize)]
struct SarifText<'a> {
    text: &'a str,
}

#[derive(serde::Serialize)]
struct SarifRegion {
    #[serde(rename = "startLine")]
    start_line: i64,
    #[serde(rename = "endLine", skip_serializing_if = "Option::is_none")]
    end_line: Option<i64>,
}

#[derive(serde::Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(serde::Serialize)]
struct SarifPhysical {
    #[serde(rename = "artifactLocation")]
    artifact_location: SarifArtifact,
    region: SarifRegion,
}

#[derive(serde::Serialize)]
struct SarifLocation {
    #[serde(rename = "physicalLocation")]
    physical_location: SarifPhysical,
}

#[derive(serde::Serialize)]
struct SarifFingerprints<'a> {
    #[serde(rename = "scanledger/v1")]
    scanledger: &'a str,
}

#[derive(serde::Serialize)]
struct SarifResultProperties<'a> {
    severity: &'a str,
    status: &'a str,
    scan: &'a str,
}

#[derive(serde::Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

#[derive(serde::Serialize)]
struct SarifResult<'a> {
    #[serde(rename = "ruleId")]
    rule_id: &'a str,
    level: &'static str,
    message: SarifText<'a>,
    locations: [SarifLocation; 1],
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: SarifFingerprints<'a>,
    properties: SarifResultProperties<'a>,
    suppressions: Vec<SarifSuppression<'a>>,
}

fn sarif_result(f: &ViewFinding) -> SarifResult<'_> {
    let region = if f.file.is_some() {
        let start = f.line_start.filter(|l| *l >= 1).unwrap_or(1);
        let end = f.line_end.filter(|l| *l >= start).unwrap_or(start);
        SarifRegion {
            start_line: start,
            end_line: Some(end),
        }
    } else {
        SarifRegion {
            start_line: 1,
            end_line: None,
        }
    };
    let suppressions = if matches!(
        f.status,
        TriageStatus::Accepted | TriageStatus::FalsePositive
    ) {
        vec![SarifSuppression {
            kind: "external",
            status: "accepted",
            justification: f.justification().unwrap_or(f.status.as_str()),
        }]
    } else {
        Vec::new()
    };
    SarifResult {
        rule_id: &f.rule_id,
        level: sarif_level(f.severity.as_str()),
        message: SarifText { text: &f.title },
        locations: [SarifLocation {
            physical_location: SarifPhysical {
                artifact_location: SarifArtifact {
                    uri: artifact_uri(f),
                },
                region,
            },
        }],
        partial_fingerprints: SarifFingerprints {
            scanledger: &f.fingerprint,
        },
        properties: SarifResultProperties {
            severity: f.severity.as_str(),
            status: f.status.as_str(),
            scan: &f.scan_label,
        },
        suppressions,
    }
}

/// `findings.sarif`: SARIF 2.1.0, one run per tool (each with its own `automationDetails.id`,
/// the category GitHub keeps apart), rules with `security-severity`, results with a location
/// and a `partialFingerprints` entry carrying our fingerprint. Results are serialized one by
/// one, straight into the output.
pub fn findings_sarif(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(snap.findings.len() * 600 + 1024);
    write_findings_sarif(snap, &mut out)?;
    Ok(out)
}

/// [`findings_sarif`] into a writer, one result at a time.
pub fn write_findings_sarif(
    snap: &ReleaseSnapshot,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut by_tool: BTreeMap<&str, Vec<&ViewFinding>> = BTreeMap::new();
    for f in &snap.findings {
        by_tool.entry(&f.tool).or_default().push(f);
    }
    out.write_all(
        b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[",
    )?;
    for (run_index, (tool, findings)) in by_tool.into_iter().enumerate() {
        let mut rules: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        for f in &findings {
            rules.entry(&f.rule_id).or_insert_with(|| {
                json!({
                    "id": f.rule_id,
                    "name": f.rule_id,
                    "shortDescription": {"text": f.title},
                    "properties": {
                        "security-severity": security_severity(f),
                        "tags": ["security", f.kind],
                    },
                })
            });
        }
        let version = snap
            .scans
            .iter()
            .find(|s| s.tool == tool)
            .and_then(|s| s.tool_version.clone());
        let mut driver = json!({
            "name": tool,
            "informationUri": "https://scanledger.dev/",
            "rules": rules.into_values().collect::<Vec<_>>(),
        });
        if let Some(v) = version {
            driver["version"] = json!(v);
        }
        if run_index > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n{\"tool\":{\"driver\":")?;
        serde_json::to_writer(&mut *out, &driver)?;
        out.write_all(b"},\"automationDetails\":")?;
        serde_json::to_writer(
            &mut *out,
            &json!({"id": format!("scanledger/{}/{}/", snap.project, tool)}),
        )?;
        out.write_all(b",\"results\":[")?;
        for (i, f) in findings.iter().enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, &sarif_result(f))?;
        }
        out.write_all(b"\n]}")?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}
