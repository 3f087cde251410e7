//! The plain data a bundle and every report are rendered from.
//!
//! `schema` fills a [`ReleaseSnapshot`] from the store; everything in this crate is a pure
//! function of it (plus a signing key for bundles). Nothing here knows about the database, so
//! the renderers can be tested with hand-made snapshots.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use domain::{GateVerdict, TriageStatus};
pub use domain::{Place, ViewFinding};
use std::collections::BTreeMap;

/// Everything about one release that reports and bundles show.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReleaseSnapshot {
    /// What produced the snapshot (`scanledger 0.1.0`).
    pub generator: String,
    pub project: String,
    pub release: String,
    pub release_created_at: NaiveDateTime,
    /// `None` for an open release: reports are then marked as drafts.
    pub seal: Option<Seal>,
    pub gate: GateSummary,
    pub policy: Option<PolicySnapshot>,
    /// The scans of the release's current view, oldest first.
    pub scans: Vec<ScanSnapshot>,
    /// The current view, most severe first: in memory, or spooled to a file and read again by
    /// each member that lists it ([`crate::spool`]).
    pub findings: crate::spool::Findings,
    /// Against the release before this one, when there is one.
    pub diff: Option<DiffSnapshot>,
    /// The previous sealed bundle of the project: the hash chain.
    pub previous_bundle: Option<PreviousBundle>,
    /// The release's audit events, as the audit log stores them.
    pub audit_events: Vec<serde_json::Value>,
    /// The release's SLA status (open findings against the policy's days, breaches, mean time
    /// to remediate), as the store computes it; `sla.json` in the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<serde_json::Value>,
    /// The audit chain's head when the release was sealed: signed into the manifest, so the
    /// database's log can later be checked against it (`scanledger audit verify --bundles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<AuditAnchor>,
    /// The project's control mapping (its version and text); `None`: the built-in one
    /// (`controls.json`, docs/CONTROLS.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<MappingSnapshot>,
    /// Who could act on the project when the snapshot was taken: active users and API tokens
    /// with their roles (`access.json`). `None` when the store did not record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessSnapshot>,
}

/// The active users and API tokens that can act on a project: roles, scopes and expiries,
/// never a secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AccessSnapshot {
    /// By name.
    pub users: Vec<AccessUser>,
    /// By name, then creation.
    pub tokens: Vec<AccessToken>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessUser {
    pub name: String,
    pub role: String,
    /// The one project the user is limited to; `None`: every project.
    pub project: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessToken {
    pub name: String,
    /// The token's public prefix (never its secret).
    pub prefix: String,
    pub role: String,
    pub project: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub expires_at: Option<NaiveDateTime>,
}

/// A point of the audit log's hash chain: the event at `seq` hashes to `hash`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditAnchor {
    pub seq: i64,
    /// SHA-256 (hex) of that event's canonical form.
    pub hash: String,
}

impl ReleaseSnapshot {
    /// Findings per severity name (every severity present, zero included).
    pub fn counts_by_severity(&self) -> BTreeMap<&'static str, u64> {
        self.findings.counts_by_severity()
    }

    /// Findings per tool, then severity.
    pub fn counts_by_tool(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        self.findings.counts_by_tool()
    }

    /// Whether a finding needs an auditor's eye: blocking the gate, accepted, or false
    /// positive. Made once, asked of every finding.
    pub fn decided_or_blocking_test(&self) -> impl Fn(&ViewFinding) -> bool + '_ {
        let blocking: std::collections::HashSet<&str> = self
            .gate
            .reasons
            .iter()
            .filter_map(|r| r.fingerprint.as_deref())
            .collect();
        move |f: &ViewFinding| {
            blocking.contains(f.fingerprint.as_str())
                || matches!(
                    f.status,
                    TriageStatus::Accepted | TriageStatus::FalsePositive
                )
        }
    }

    /// When the evidence was frozen, or when the release was created for a draft: the time
    /// written into every member of the zip.
    pub fn reference_time(&self) -> NaiveDateTime {
        self.seal
            .as_ref()
            .map_or(self.release_created_at, |s| s.sealed_at)
    }

    /// The bundle file name: `PROJECT-RELEASE-evidence.zip`, made file-system safe.
    pub fn bundle_file_name(&self) -> String {
        format!(
            "{}-{}-evidence.zip",
            safe_name(&self.project),
            safe_name(&self.release)
        )
    }
}

/// Letters, digits, `.`, `_` and `-`; anything else becomes `_`.
pub fn safe_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.chars().take(80).collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Seal {
    pub sealed_at: NaiveDateTime,
    pub sealed_by: String,
    /// Set when a blocked release was sealed anyway (`--allow-blocked --reason`).
    pub allow_blocked_reason: Option<String>,
}

/// The gate result at the moment of the snapshot (of sealing, for a sealed release).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateSummary {
    #[serde(rename = "passed")]
    pub verdict: GateVerdict,
    pub fail_on: String,
    pub required_tools: Vec<String>,
    pub reasons: Vec<GateReasonLine>,
    /// Findings that would block but that their tools decided in a way the policy honours,
    /// one line each ("... decided in SonarQube: false positive"). Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decided_in_tool: Vec<String>,
}

impl GateSummary {
    /// The same gate without its reason lines, for a document that writes them one at a time.
    pub fn without_reasons(&self) -> GateSummary {
        GateSummary {
            verdict: self.verdict,
            fail_on: self.fail_on.clone(),
            required_tools: self.required_tools.clone(),
            reasons: Vec::new(),
            decided_in_tool: self.decided_in_tool.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateReasonLine {
    /// `blocking_finding`, `missing_scan`, ...
    pub reason: String,
    /// One line for people.
    pub message: String,
    /// The finding concerned, if any.
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PolicySnapshot {
    pub version: String,
    /// The policy as written (TOML).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScanSnapshot {
    pub id: domain::ScanId,
    pub tool: String,
    pub format: String,
    pub label: String,
    pub target: Option<String>,
    pub tool_version: Option<String>,
    /// When the tool says it scanned, as it wrote it.
    pub scanned_at: Option<String>,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: String,
    pub sha256: String,
    pub size: u64,
    pub file_name: Option<String>,
    pub partial: bool,
    /// Distinct findings in this scan, by severity name.
    pub by_severity: BTreeMap<String, u64>,
}

impl ScanSnapshot {
    /// Where the raw report sits in a bundle: `scans/<id>-<tool>-<label>-<sha12>.<ext>`.
    pub fn bundle_path(&self) -> String {
        let ext = self
            .file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| safe_name(e))
            .filter(|e| !e.is_empty() && e.len() <= 10)
            .unwrap_or_else(|| guess_extension(&self.format).to_string());
        format!(
            "scans/{:04}-{}-{}-{}.{}",
            self.id,
            safe_name(&self.tool),
            safe_name(&self.label),
            &self.sha256[..12.min(self.sha256.len())],
            ext
        )
    }

    pub fn total_findings(&self) -> u64 {
        self.by_severity.values().sum()
    }
}

fn guess_extension(format: &str) -> &'static str {
    let f = format.to_ascii_lowercase();
    if f.contains("xml") || f.contains("checkstyle") || f.contains("junit") {
        "xml"
    } else if f.contains("csv") {
        "csv"
    } else if f.contains("sarif") {
        "sarif"
    } else {
        "json"
    }
}

/// The most new and fixed findings a snapshot's diff lists (the reports list fewer still).
pub const DIFF_LINES: usize = 200;

/// What changed since the previous release.
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl DiffSnapshot {
    /// ` · N identity refined` when there are some, for the summary lines.
    pub fn refined_note(&self) -> String {
        match self.identity_refined {
            0 => String::new(),
            n => format!(" · {n} identity refined"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiffSnapshot {
    pub previous_release: String,
    pub new: u64,
    /// Parts of a finding of the previous release that fingerprint version 1 had merged, now
    /// told apart. Written only when there are some, so bundles sealed before it read and
    /// re-render unchanged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub identity_refined: u64,
    pub still_open: u64,
    pub fixed: u64,
    pub not_rescanned: u64,
    /// The first [`DIFF_LINES`] new findings, most severe first (`new` counts them all).
    pub new_findings: Vec<DiffLine>,
    /// The first [`DIFF_LINES`] fixed findings, most severe first (`fixed` counts them all).
    pub fixed_findings: Vec<DiffLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiffLine {
    pub fingerprint: String,
    pub severity: String,
    pub rule_id: String,
    pub title: String,
    pub tool: String,
    pub location: String,
}

/// The previous sealed bundle of the same project.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PreviousBundle {
    pub release: String,
    /// SHA-256 of the previous bundle zip, as `sha256sum` prints it.
    pub sha256: String,
    /// SHA-256 of its SHA256SUMS (stable even if a zip were ever rebuilt).
    pub sha256sums_sha256: String,
}

/// Which mapping a snapshot is evaluated with: the project's stored version, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingSnapshot {
    /// The project's mapping version (`1`, `2`, ...).
    pub version: String,
    /// The TOML text as it was set.
    pub text: String,
}
