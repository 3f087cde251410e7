//! `findings.sarif`: a release's current view, one run per tool.
//!
//! Each run's driver is the scanner (its version when a scan of the release gave one) and its
//! `conversion` names ScanLedger; `automationDetails.id` is `scanledger/<project>/<tool>/`, the
//! category GitHub keeps the tool's alerts under. Every result has a location (GitHub takes no
//! result without one): the finding's file, else its URL, else the resource, scan target or
//! package it names, with a region only where the scanner gave lines.

use super::artifact::ArtifactLocation;
use super::limits::Limits;
use super::model::{
    FINGERPRINT_KEY, Location, LogicalLocation, PhysicalLocation, Region, Rule, RuleProperties,
    SarifResult, Suppression, Text, Tool,
};
use super::writer::{Entry, RunSpec, SarifWriter, level};
use crate::ReportError;
use crate::snapshot::{ReleaseSnapshot, ViewFinding};
use domain::TriageStatus;
use std::io::Write;

/// `findings.sarif` within GitHub code scanning's limits.
pub fn findings_sarif(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(snap.findings.len().min(50_000) * 600 + 1024);
    write_findings_sarif(snap, &mut out)?;
    Ok(out)
}

/// [`findings_sarif`] into a writer, one result at a time.
pub fn write_findings_sarif(
    snap: &ReleaseSnapshot,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    write_findings_sarif_within(snap, Limits::GITHUB, out)
}

/// [`write_findings_sarif`] within other limits (tests use small ones).
pub fn write_findings_sarif_within(
    snap: &ReleaseSnapshot,
    limits: Limits,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    // One run per tool, in tool order, each listing its findings in the view's order: the
    // findings are read once per tool rather than grouped in memory.
    let tools = snap.counts_by_tool();
    let mut writer = SarifWriter::start(out, limits)?;
    for tool in tools.keys() {
        let tool = tool.as_str();
        let version = snap
            .scans
            .iter()
            .filter(|s| s.tool == tool)
            .find_map(|s| s.tool_version.as_deref())
            .filter(|v| !v.trim().is_empty());
        let spec = RunSpec {
            driver: Tool {
                name: tool,
                version,
                information_uri: information_uri(tool),
            },
            converter: Some(Tool::SCANLEDGER),
            category: Some(format!("scanledger/{}/{}/", snap.project, tool)),
            properties: None,
        };
        writer.run_each(spec, |push| {
            for f in snap.findings.iter() {
                let f = f?;
                if f.tool == tool {
                    push(Entry {
                        result: result(&f),
                        rule: rule(&f),
                    })?;
                }
            }
            Ok(())
        })?;
    }
    writer.finish()
}

/// Where to learn about the scanners ScanLedger reads natively. Other tools (read from their
/// SARIF) get none: the importer does not keep theirs.
fn information_uri(tool: &str) -> Option<&'static str> {
    Some(match tool {
        "trivy" => "https://trivy.dev/",
        "tfsec" => "https://github.com/aquasecurity/tfsec",
        "sonarqube" => "https://www.sonarsource.com/products/sonarqube/",
        "acunetix" => "https://www.acunetix.com/",
        "fossa" => "https://fossa.com/",
        _ => return None,
    })
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

/// The rule of a finding, described by the first finding of it (the most severe).
fn rule(f: &ViewFinding) -> Rule<'_> {
    Rule {
        id: f.rule_id.clone(),
        short_description: Text { text: &f.title },
        properties: Some(RuleProperties {
            security_severity: security_severity(f),
            tags: ["security", f.kind.as_str()],
        }),
    }
}

fn result(f: &ViewFinding) -> SarifResult<'_> {
    let suppressions = if matches!(
        f.status,
        TriageStatus::Accepted | TriageStatus::FalsePositive
    ) {
        vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: f.justification().unwrap_or(f.status.as_str()),
        }]
    } else {
        Vec::new()
    };
    SarifResult {
        rule_id: f.rule_id.clone(),
        level: level(f.severity.as_str()),
        message: Text { text: &f.title },
        locations: vec![location(f)],
        partial_fingerprints: [(FINGERPRINT_KEY, f.fingerprint.as_str())].into(),
        properties: Some(serde_json::json!({
            "severity": f.severity.as_str(),
            "status": f.status.as_str(),
            "scan": f.scan_label,
        })),
        suppressions,
    }
}

/// The finding's place: a file (with its lines), a URL, or what the finding names (resource,
/// scan target, package) as the artifact, with the package or resource also named logically.
pub(super) fn location(f: &ViewFinding) -> Location {
    let artifact = [
        f.file.as_deref(),
        f.url.as_deref(),
        f.resource.as_deref(),
        f.target.as_deref(),
        f.component.as_deref(),
        Some(f.scan_label.as_str()),
    ]
    .into_iter()
    .flatten()
    .find_map(ArtifactLocation::of)
    .unwrap_or_else(|| ArtifactLocation {
        uri: "unknown".into(),
        uri_base_id: Some(super::artifact::SRCROOT),
    });
    let region = if f.file.is_some() {
        Region::lines(f.line_start, f.line_end)
    } else {
        None
    };
    let mut logical = Vec::new();
    if let Some(component) = f.component.as_deref() {
        logical.push(LogicalLocation {
            name: component.to_string(),
            fully_qualified_name: f.purl.clone().or_else(|| {
                f.component_version
                    .as_ref()
                    .map(|v| format!("{component}@{v}"))
            }),
            kind: "module",
        });
    }
    if let Some(resource) = f.resource.as_deref() {
        logical.push(LogicalLocation {
            name: resource.to_string(),
            fully_qualified_name: None,
            kind: "resource",
        });
    }
    Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: artifact,
            region,
        }),
        logical_locations: logical,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sarif::artifact::SRCROOT;

    fn finding() -> ViewFinding {
        let mut f = testdata::sample::sample_snapshot(false)
            .findings
            .held()
            .unwrap()[0]
            .clone();
        f.file = None;
        f.url = None;
        f.resource = None;
        f.target = None;
        f.component = None;
        f.line_start = None;
        f.line_end = None;
        f
    }

    fn physical(f: &ViewFinding) -> PhysicalLocation {
        location(f).physical_location.unwrap()
    }

    #[test]
    fn a_relative_file_is_under_srcroot_with_its_lines() {
        let mut f = finding();
        f.file = Some("src/app.py".into());
        f.line_start = Some(12);
        f.line_end = Some(14);
        let p = physical(&f);
        assert_eq!(p.artifact_location.uri, "src/app.py");
        assert_eq!(p.artifact_location.uri_base_id, Some(SRCROOT));
        assert_eq!(
            p.region,
            Some(Region {
                start_line: 12,
                end_line: 14
            })
        );
    }

    #[test]
    fn an_absolute_file_is_a_file_uri_and_no_line_is_no_region() {
        let mut f = finding();
        f.file = Some("/home/runner/work/infra/main.tf".into());
        let p = physical(&f);
        assert_eq!(
            p.artifact_location.uri,
            "file:///home/runner/work/infra/main.tf"
        );
        assert_eq!(p.artifact_location.uri_base_id, None);
        assert_eq!(p.region, None);
        f.line_start = Some(0);
        assert_eq!(physical(&f).region, None, "line 0 is no line");
    }

    #[test]
    fn a_package_is_named_logically_and_placed_at_the_scan_target() {
        let mut f = finding();
        f.component = Some("openssl".into());
        f.component_version = Some("3.0.1".into());
        f.purl = None;
        f.target = Some("package-lock.json".into());
        let loc = location(&f);
        let p = loc.physical_location.unwrap();
        assert_eq!(p.artifact_location.uri, "package-lock.json");
        assert_eq!(p.region, None);
        assert_eq!(loc.logical_locations[0].name, "openssl");
        assert_eq!(
            loc.logical_locations[0].fully_qualified_name.as_deref(),
            Some("openssl@3.0.1")
        );
    }

    #[test]
    fn the_result_carries_scanledgers_fingerprint() {
        let f = finding();
        let r = result(&f);
        assert_eq!(
            r.partial_fingerprints.get(FINGERPRINT_KEY),
            Some(&f.fingerprint.as_str())
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["partialFingerprints"]["scanledger/v1"], f.fingerprint);
    }
}
