//! The parts of a SARIF 2.1.0 log that the importer reads, as serde structs. Every field is
//! optional and unknown fields are skipped unread (code flows, stacks, graphs, taxonomies...), so
//! any producer's extras import unchanged. Property bags are free-form by the standard, so the
//! few properties read from them are kept as JSON values and interpreted leniently.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
pub struct RawLog {
    /// `runs` is required by the standard (it may be `null`): `None` when the key is missing,
    /// `Some(None)` when it is `null`.
    #[serde(default, deserialize_with = "present")]
    pub runs: Option<Option<Vec<RawRun>>>,
}

/// Tells a present `null` from a missing key.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRun {
    pub tool: Option<RawTool>,
    pub results: Option<Vec<RawResult>>,
    pub original_uri_base_ids: Option<BTreeMap<String, RawArtifactLocation>>,
    pub artifacts: Option<Vec<RawArtifact>>,
    pub invocations: Option<Vec<RawInvocation>>,
    pub version_control_provenance: Option<Vec<RawVersionControl>>,
    pub properties: Option<RawRunProperties>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawTool {
    pub driver: Option<RawToolComponent>,
    pub extensions: Option<Vec<RawToolComponent>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawToolComponent {
    pub name: Option<String>,
    pub version: Option<String>,
    pub semantic_version: Option<String>,
    pub rules: Option<Vec<RawRule>>,
    pub global_message_strings: Option<BTreeMap<String, RawMessage>>,
}

/// A `reportingDescriptor`: one rule.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRule {
    pub id: Option<String>,
    pub name: Option<String>,
    pub short_description: Option<RawMessage>,
    pub full_description: Option<RawMessage>,
    pub help_uri: Option<String>,
    pub message_strings: Option<BTreeMap<String, RawMessage>>,
    pub default_configuration: Option<RawConfiguration>,
    pub relationships: Option<Vec<RawRelationship>>,
    pub properties: Option<RawProperties>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawConfiguration {
    pub level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRelationship {
    pub target: Option<RawDescriptorReference>,
}

/// A `reportingDescriptorReference` (`result.rule`, relationship targets).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawDescriptorReference {
    pub id: Option<String>,
    pub index: Option<i64>,
    pub tool_component: Option<RawToolComponentReference>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawToolComponentReference {
    pub name: Option<String>,
    pub index: Option<i64>,
}

/// The properties read from a rule's or result's property bag.
#[derive(Debug, Default, Deserialize)]
pub struct RawProperties {
    /// GitHub's CVSS-like score, `"8.0"` or `8.0`; some rule sets write a word (`"MEDIUM"`).
    #[serde(rename = "security-severity")]
    pub security_severity: Option<Value>,
    pub tags: Option<Value>,
    /// A CWE or a list of them (njsscan, mobsfscan, Black Duck).
    pub cwe: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRunProperties {
    /// Trivy image scans.
    pub image_name: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawMessage {
    pub text: Option<String>,
    pub markdown: Option<String>,
    pub id: Option<String>,
    pub arguments: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResult {
    pub rule_id: Option<String>,
    pub rule_index: Option<i64>,
    pub rule: Option<RawDescriptorReference>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub message: Option<RawMessage>,
    pub analysis_target: Option<RawArtifactLocation>,
    pub locations: Option<Vec<RawLocation>>,
    pub partial_fingerprints: Option<BTreeMap<String, Value>>,
    pub fingerprints: Option<BTreeMap<String, Value>>,
    pub suppressions: Option<Vec<RawSuppression>>,
    pub baseline_state: Option<String>,
    pub fixes: Option<Vec<RawFix>>,
    pub properties: Option<RawProperties>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLocation {
    pub physical_location: Option<RawPhysicalLocation>,
    pub logical_locations: Option<Vec<RawLogicalLocation>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPhysicalLocation {
    pub artifact_location: Option<RawArtifactLocation>,
    pub region: Option<RawRegion>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RawArtifactLocation {
    pub uri: Option<String>,
    pub uri_base_id: Option<String>,
    pub index: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRegion {
    pub start_line: Option<i64>,
    pub end_line: Option<i64>,
    pub start_column: Option<i64>,
    pub snippet: Option<RawArtifactContent>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawArtifactContent {
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLogicalLocation {
    pub fully_qualified_name: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawSuppression {
    /// `accepted` (also when absent), `underReview` or `rejected`.
    pub status: Option<String>,
    /// Pre-release name of `status`, seen in the spec's own appendix samples.
    pub state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawFix {
    pub description: Option<RawMessage>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawArtifact {
    pub location: Option<RawArtifactLocation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawInvocation {
    pub start_time_utc: Option<String>,
    pub end_time_utc: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawVersionControl {
    pub repository_uri: Option<String>,
}
