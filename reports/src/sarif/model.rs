//! The SARIF 2.1.0 objects ScanLedger writes, as serde types (names as in the OASIS schema).

use super::artifact::ArtifactLocation;
use serde::Serialize;
use std::collections::BTreeMap;

/// `message`, `multiformatMessageString`: plain text.
#[derive(Debug, Clone, Serialize)]
pub struct Text<'a> {
    pub text: &'a str,
}

/// `toolComponent`: a driver (the scanner, or ScanLedger's gate) or the converter.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<&'a str>,
}

impl Tool<'static> {
    /// ScanLedger itself.
    pub const SCANLEDGER: Tool<'static> = Tool {
        name: "ScanLedger",
        version: Some(env!("CARGO_PKG_VERSION")),
        information_uri: Some("https://scanledger.dev/"),
    };
}

/// `reportingDescriptor`: a rule. No `name`: SARIF wants a readable identifier there, distinct
/// from `id` (SARIF1001), and scanners give none; `shortDescription` carries the words.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule<'a> {
    pub id: String,
    pub short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<RuleProperties<'a>>,
}

/// What GitHub code scanning reads from a rule's property bag.
#[derive(Debug, Clone, Serialize)]
pub struct RuleProperties<'a> {
    /// 0.0 to 10.0: GitHub's severity of a security alert.
    #[serde(rename = "security-severity")]
    pub security_severity: String,
    /// At most 20 (GitHub's limit); we write two.
    pub tags: [&'a str; 2],
}

/// `result`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    pub rule_id: String,
    pub level: &'static str,
    pub message: Text<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// `scanledger/v1`: ScanLedger's fingerprint, so GitHub keeps one alert per finding across
    /// uploads whatever the line numbers do.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression<'a>>,
}

/// The key of ScanLedger's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "scanledger/v1";

/// `location`: a physical place, and the names of what is there.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

/// `physicalLocation`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    /// Only where the scanner gave a line: ScanLedger does not invent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// `region`, in lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: i64,
    pub end_line: i64,
}

impl Region {
    /// The lines a scanner gave: `None` without a start line of at least 1; the end is the
    /// start when missing or before it.
    pub fn lines(start: Option<i64>, end: Option<i64>) -> Option<Region> {
        let start_line = start.filter(|l| *l >= 1)?;
        Some(Region {
            start_line,
            end_line: end.filter(|l| *l >= start_line).unwrap_or(start_line),
        })
    }
}

/// `logicalLocation`: a package, a cloud resource, a scan.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    pub kind: &'static str,
}

/// `suppression`: a triage decision that takes the result out of the alert list.
#[derive(Debug, Clone, Serialize)]
pub struct Suppression<'a> {
    pub kind: &'static str,
    pub status: &'static str,
    pub justification: &'a str,
}

/// `notification`: a remark about the conversion (what was left out).
#[derive(Debug, Clone, Serialize)]
pub struct Notification<'a> {
    pub level: &'static str,
    pub message: Text<'a>,
}

/// `invocation`: here only to carry notifications.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation<'a> {
    pub execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification<'a>>,
}
