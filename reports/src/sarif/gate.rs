//! `scanledger gate --format sarif`: one run by ScanLedger's gate, one result per reason the
//! release is blocked, rule ids `scanledger/<gate rule>`.
//!
//! A reason that names a finding carries the finding's fingerprint in `partialFingerprints` and
//! its place as the report's SARIF gives it (a path under `%SRCROOT%` or a `file://` URI, a
//! region where the scanner gave a line); a missing or stale scan is placed logically, at the
//! tool or scan it is about.

use super::artifact::ArtifactLocation;
use super::limits::Limits;
use super::model::{
    FINGERPRINT_KEY, Location, LogicalLocation, PhysicalLocation, Region, Rule, SarifResult, Text,
    Tool,
};
use super::writer::{Entry, RunSpec, SarifWriter};
use crate::ReportError;
use domain::{GateReason, GateResult};
use std::io::Write;

/// The gate's SARIF, within GitHub code scanning's limits.
pub fn gate_sarif(result: &GateResult) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(result.reasons.len() * 600 + 2048);
    write_gate_sarif(result, Limits::GITHUB, &mut out)?;
    Ok(out)
}

/// [`gate_sarif`] into a writer, within `limits`.
pub fn write_gate_sarif(
    result: &GateResult,
    limits: Limits,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let messages: Vec<String> = result.reasons.iter().map(GateReason::message).collect();
    let spec = RunSpec {
        driver: Tool {
            name: "scanledger-gate",
            ..Tool::SCANLEDGER
        },
        converter: None,
        category: Some(format!("scanledger-gate/{}/", result.project)),
        properties: Some(serde_json::json!({
            "project": result.project,
            "release": result.release,
            "passed": result.verdict,
            "policy_version": result.policy_version,
        })),
    };
    let mut writer = SarifWriter::start(out, limits)?;
    writer.run(
        spec,
        result
            .reasons
            .iter()
            .zip(&messages)
            .map(|(reason, message)| {
                let id = format!("scanledger/{}", reason.rule());
                Entry {
                    result: SarifResult {
                        rule_id: id.clone(),
                        level: "error",
                        message: Text { text: message },
                        locations: location(reason).into_iter().collect(),
                        partial_fingerprints: reason
                            .fingerprint()
                            .map(|fp| (FINGERPRINT_KEY, fp))
                            .into_iter()
                            .collect(),
                        properties: None,
                        suppressions: Vec::new(),
                    },
                    rule: Rule {
                        id,
                        short_description: Text {
                            text: rule_description(reason),
                        },
                        properties: None,
                    },
                }
            }),
    )?;
    writer.finish()
}

/// What a gate rule checks, as its SARIF rule says it.
fn rule_description(reason: &GateReason) -> &'static str {
    match reason {
        GateReason::BlockingFinding { .. } => {
            "An open finding at or above the severity the release policy blocks at"
        }
        GateReason::MissingScan { .. } => "A tool the release policy requires has no scan",
        GateReason::StaleScan { .. } => "A scan is older than the release policy allows",
        GateReason::ExpiredAcceptance { .. } => "The acceptance of a risk has expired",
        GateReason::DeniedLicense { .. } => "A license the release policy does not allow",
        GateReason::SlaBreach { .. } => "An open finding is past its remediation SLA",
        GateReason::FailedQualityGateCondition { .. } => {
            "A condition of a scanner's quality gate the release policy requires failed"
        }
    }
}

/// Where a reason is: the blocking finding's place, or the tool, scan or package it names.
fn location(reason: &GateReason) -> Option<Location> {
    let logical = |name: &str, kind: &'static str| Location {
        physical_location: None,
        logical_locations: vec![LogicalLocation {
            name: name.to_string(),
            fully_qualified_name: None,
            kind,
        }],
    };
    match reason {
        GateReason::BlockingFinding { location, line, .. } => {
            let artifact = location.as_deref().and_then(ArtifactLocation::of)?;
            Some(Location {
                physical_location: Some(PhysicalLocation {
                    artifact_location: artifact,
                    // The gate gives a line only for a finding in a file.
                    region: Region::lines(*line, None),
                }),
                logical_locations: Vec::new(),
            })
        }
        GateReason::MissingScan { tool } => Some(logical(tool, "tool")),
        GateReason::StaleScan { label, .. } => Some(logical(label, "scan")),
        GateReason::DeniedLicense {
            component: Some(component),
            ..
        } => Some(logical(component, "module")),
        GateReason::DeniedLicense { .. }
        | GateReason::ExpiredAcceptance { .. }
        | GateReason::SlaBreach { .. }
        | GateReason::FailedQualityGateCondition { .. } => None,
    }
}
