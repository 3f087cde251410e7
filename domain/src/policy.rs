//! A project's policy: the gate's thresholds and required tools, SLA days, the license lists
//! and ignore rules, parsed from TOML. Versions are stored by `schema`; this is what one says.

use crate::{Kind, Severity, ToolDecision};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A parsed, valid policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub gate: GatePolicy,
    #[serde(default)]
    pub sla: SlaPolicy,
    #[serde(default)]
    pub licenses: LicensePolicy,
    /// Findings the gate and the SLA leave out, each with its reason.
    #[serde(default)]
    pub ignore: Vec<IgnoreRule>,
}

/// What blocks a release.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GatePolicy {
    /// Open or confirmed findings at or above this severity block (default `high`).
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
    /// Per-kind thresholds that replace `fail_on` for that kind: a severity, or `never`.
    #[serde(default)]
    pub kinds: BTreeMap<Kind, Threshold>,
    /// Tools that must have a scan in the release.
    #[serde(default)]
    pub required_tools: Vec<String>,
    /// A scan (of any tool) older than this many days blocks.
    #[serde(default)]
    pub max_scan_age_days: Option<u32>,
    /// Whether an acceptance past its expiry date blocks (default true).
    #[serde(default = "yes")]
    pub block_expired_acceptances: bool,
    /// Whether findings past their SLA block (default false: the SLA report shows them).
    #[serde(default)]
    pub block_sla_breaches: bool,
    /// The tool's own states that keep a finding from blocking (e.g. Trivy `will_not_fix`).
    /// Ours stays `open`; only the gate reads these.
    #[serde(default)]
    pub non_blocking_tool_statuses: Vec<String>,
    /// The decisions made inside the tools that keep a finding we have not decided on from
    /// blocking (default: false positives, not affected, won't fix; an acceptance needs our
    /// own decision with an approver unless it is named here).
    #[serde(default = "honoured_by_default")]
    pub honour_tool_decisions: Vec<ToolDecision>,
    /// Scanners whose own quality gate the release must have passed (`["sonarqube"]`): the
    /// gate's result must be uploaded ([`crate::quality_gate_tool`]) and every condition it
    /// failed blocks, whatever its severity.
    #[serde(default)]
    pub require_quality_gate: Vec<String>,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy {
            fail_on: default_fail_on(),
            kinds: BTreeMap::new(),
            required_tools: Vec::new(),
            max_scan_age_days: None,
            block_expired_acceptances: true,
            block_sla_breaches: false,
            non_blocking_tool_statuses: Vec::new(),
            honour_tool_decisions: honoured_by_default(),
            require_quality_gate: Vec::new(),
        }
    }
}

fn honoured_by_default() -> Vec<ToolDecision> {
    ToolDecision::HONOURED_BY_DEFAULT.to_vec()
}

fn default_fail_on() -> Severity {
    Severity::High
}

fn yes() -> bool {
    true
}

/// A per-kind threshold: `"never"` or a severity name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Threshold {
    Never,
    AtLeast(Severity),
}

/// On the wire a threshold is one word: `never` or a severity name.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Threshold {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let words = std::iter::once("never").chain(Severity::DESCENDING.iter().map(|s| s.as_str()));
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(words))
            .description(Some("`never`, or the least severity that blocks"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Threshold {}

impl TryFrom<String> for Threshold {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.eq_ignore_ascii_case("never") {
            return Ok(Threshold::Never);
        }
        Severity::parse(&s).map(Threshold::AtLeast).ok_or_else(|| {
            format!(
                "unknown threshold {s:?}: use never, critical, high, medium, low, info or unknown"
            )
        })
    }
}

impl From<Threshold> for String {
    fn from(t: Threshold) -> String {
        match t {
            Threshold::Never => "never".into(),
            Threshold::AtLeast(s) => s.as_str().into(),
        }
    }
}

/// Days to fix a finding, per severity, counted from when the project first saw it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    #[serde(default = "sla_critical")]
    pub critical: u32,
    #[serde(default = "sla_high")]
    pub high: u32,
    #[serde(default = "sla_medium")]
    pub medium: u32,
    #[serde(default = "sla_low")]
    pub low: u32,
    /// No SLA unless set.
    #[serde(default)]
    pub info: Option<u32>,
    /// No SLA unless set.
    #[serde(default)]
    pub unknown: Option<u32>,
}

fn sla_critical() -> u32 {
    7
}
fn sla_high() -> u32 {
    30
}
fn sla_medium() -> u32 {
    90
}
fn sla_low() -> u32 {
    180
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            critical: sla_critical(),
            high: sla_high(),
            medium: sla_medium(),
            low: sla_low(),
            info: None,
            unknown: None,
        }
    }
}

impl SlaPolicy {
    /// Days allowed for a severity, if it has an SLA.
    pub fn days(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => Some(self.critical),
            Severity::High => Some(self.high),
            Severity::Medium => Some(self.medium),
            Severity::Low => Some(self.low),
            Severity::Info => self.info,
            Severity::Unknown => self.unknown,
        }
    }
}

/// License findings (kind `license`) judged by SPDX id.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LicensePolicy {
    /// These licenses block.
    #[serde(default)]
    pub deny: Vec<SpdxId>,
    /// When not empty, every other license blocks.
    #[serde(default)]
    pub allow: Vec<SpdxId>,
}

impl LicensePolicy {
    pub fn is_set(&self) -> bool {
        !self.deny.is_empty() || !self.allow.is_empty()
    }

    /// Why a license is not allowed, or `None` when it is.
    pub fn verdict(&self, license: &str) -> Option<LicenseVerdict> {
        let same = |id: &SpdxId| id.0.eq_ignore_ascii_case(license.trim());
        if self.deny.iter().any(same) {
            Some(LicenseVerdict::Denied)
        } else if !self.allow.is_empty() && !self.allow.iter().any(same) {
            Some(LicenseVerdict::NotAllowed)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseVerdict {
    /// On the deny list.
    Denied,
    /// Not on the allow list.
    NotAllowed,
}

/// An SPDX license id (`MIT`, `GPL-3.0-only`, `LicenseRef-acme`): letters, digits, `.`, `-`, `+`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct SpdxId(pub String);

impl TryFrom<String> for SpdxId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':'));
        if ok {
            Ok(SpdxId(s))
        } else {
            Err(format!(
                "{s:?} is not an SPDX license id (letters, digits, '.', '-', '+')"
            ))
        }
    }
}

impl From<SpdxId> for String {
    fn from(id: SpdxId) -> String {
        id.0
    }
}

/// Leave findings out of the gate and the SLA: by path glob (file, or resource when there is
/// no file), by rule id, or both (then both must match); optionally only for one tool.
/// `reason` is required.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawIgnoreRule")]
pub struct IgnoreRule {
    pub path: Option<String>,
    pub rule: Option<String>,
    pub tool: Option<String>,
    pub reason: String,
    #[serde(skip)]
    matcher: Option<globset::GlobMatcher>,
}

impl PartialEq for IgnoreRule {
    fn eq(&self, other: &Self) -> bool {
        (&self.path, &self.rule, &self.tool, &self.reason)
            == (&other.path, &other.rule, &other.tool, &other.reason)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnoreRule {
    path: Option<String>,
    rule: Option<String>,
    tool: Option<String>,
    reason: Option<String>,
}

impl TryFrom<RawIgnoreRule> for IgnoreRule {
    type Error = String;
    fn try_from(raw: RawIgnoreRule) -> Result<Self, Self::Error> {
        let reason = raw
            .reason
            .filter(|r| !r.trim().is_empty())
            .ok_or("an ignore rule needs a `reason`")?;
        if raw.path.is_none() && raw.rule.is_none() {
            return Err("an ignore rule needs a `path` glob or a `rule` id (or both)".into());
        }
        let matcher = match &raw.path {
            Some(glob) => Some(
                globset::GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("bad path glob {glob:?}: {e}"))?
                    .compile_matcher(),
            ),
            None => None,
        };
        Ok(IgnoreRule {
            path: raw.path,
            rule: raw.rule,
            tool: raw.tool,
            reason,
            matcher,
        })
    }
}

impl IgnoreRule {
    /// Whether the rule covers a finding with this tool, rule id and path.
    pub fn matches(&self, tool: &str, rule_id: &str, path: Option<&str>) -> bool {
        self.tool
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(tool))
            && self.rule.as_deref().is_none_or(|r| r == rule_id)
            && self
                .matcher
                .as_ref()
                .is_none_or(|m| path.is_some_and(|p| m.is_match(p.trim_start_matches("./"))))
    }
}

impl Policy {
    /// Parses and validates a policy file.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        toml::from_str::<Policy>(text).map_err(|e| PolicyError::from_toml(text, &e))
    }

    /// The threshold for a kind: its own, else `fail_on`.
    pub fn threshold(&self, kind: &str) -> Threshold {
        self.kind_threshold(kind)
            .unwrap_or(Threshold::AtLeast(self.gate.fail_on))
    }

    /// The kind's own threshold, if the policy sets one.
    pub fn kind_threshold(&self, kind: &str) -> Option<Threshold> {
        Kind::parse(kind).and_then(|k| self.gate.kinds.get(&k).copied())
    }

    /// The first ignore rule that covers a finding.
    pub fn ignored_by(&self, tool: &str, rule_id: &str, path: Option<&str>) -> Option<&IgnoreRule> {
        self.ignore.iter().find(|r| r.matches(tool, rule_id, path))
    }
}

/// A policy file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("policy line {line}, key `{key}`: {message}")]
pub struct PolicyError {
    /// 1-based; 0 when the error has no position.
    pub line: usize,
    /// The dotted key at that line (`gate.fail_on`, `ignore`), as best it can be told.
    pub key: String,
    pub message: String,
}

impl PolicyError {
    fn from_toml(text: &str, err: &toml::de::Error) -> PolicyError {
        let message = err.message().trim().to_string();
        let Some(span) = err.span() else {
            return PolicyError {
                line: 0,
                key: String::new(),
                message,
            };
        };
        let start = span.start.min(text.len());
        let line = text[..start].matches('\n').count() + 1;
        PolicyError {
            line,
            key: key_at(text, line),
            message,
        }
    }
}

/// The dotted key written at a 1-based line: the enclosing `[table]` plus the key before `=`.
fn key_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| {
        let t = l.trim();
        t.starts_with('[').then(|| {
            t.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
    };
    let here = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
    if let Some(table) = header(here) {
        return table;
    }
    let table = lines[..line.saturating_sub(1).min(lines.len())]
        .iter()
        .rev()
        .find_map(|l| header(l));
    let key = here
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .unwrap_or_default();
    match (table, key.is_empty()) {
        (Some(t), false) => format!("{t}.{key}"),
        (Some(t), true) => t,
        (None, _) => key,
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_full_file() {
        let empty = Policy::parse("").expect("empty");
        assert_eq!(empty.gate.fail_on, Severity::High);
        assert_eq!(empty.sla.critical, 7);
        assert!(empty.gate.block_expired_acceptances);
        let full = Policy::parse(
            r#"
[gate]
fail_on = "critical"
required_tools = ["trivy"]
max_scan_age_days = 14
[gate.kinds]
code = "never"
misconfiguration = "high"
[sla]
high = 14
[licenses]
deny = ["GPL-3.0-only"]
[[ignore]]
path = "vendor/**"
reason = "third-party code"
"#,
        )
        .expect("full");
        assert_eq!(full.threshold("code"), Threshold::Never);
        assert_eq!(
            full.threshold("vulnerability"),
            Threshold::AtLeast(Severity::Critical)
        );
        assert_eq!(full.sla.high, 14);
        assert_eq!(full.sla.medium, 90);
        assert!(
            full.ignored_by("sonarqube", "x", Some("vendor/a/b.js"))
                .is_some()
        );
        assert!(
            full.ignored_by("sonarqube", "x", Some("src/vendor.js"))
                .is_none()
        );
        assert_eq!(
            full.licenses.verdict("gpl-3.0-only"),
            Some(LicenseVerdict::Denied)
        );
    }

    #[test]
    fn errors_name_line_and_key() {
        let err = Policy::parse("[gate]\nfail_on = \"hgh\"\n").expect_err("bad severity");
        assert_eq!((err.line, err.key.as_str()), (2, "gate.fail_on"), "{err}");
        let err = Policy::parse("[gate]\nfail_on = \"high\"\nmax_age = 3\n").expect_err("typo");
        assert_eq!((err.line, err.key.as_str()), (3, "gate.max_age"), "{err}");
        assert!(err.message.contains("unknown field"), "{err}");
        let err = Policy::parse("[[ignore]]\npath = \"vendor/**\"\n").expect_err("no reason");
        assert!(err.message.contains("reason"), "{err}");
        assert_eq!(err.key, "ignore", "{err}");
        let err = Policy::parse("[licenses]\ndeny = [\"GPL 3\"]\n").expect_err("not an SPDX id");
        assert_eq!((err.line, err.key.as_str()), (2, "licenses.deny"), "{err}");
        let err = Policy::parse("[gate.kinds]\ncode = \"sometimes\"\n").expect_err("threshold");
        assert_eq!(
            (err.line, err.key.as_str()),
            (2, "gate.kinds.code"),
            "{err}"
        );
    }
}
