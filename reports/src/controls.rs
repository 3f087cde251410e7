//! Control mapping: which evidence of a release supports which audit criterion (SOC 2 TSC,
//! ISO/IEC 27001:2022 Annex A), and how each criterion stands for one release.
//!
//! A mapping is a TOML file ([`ControlMapping::parse`]; the format is in `docs/CONTROLS.md`):
//! the built-in default ([`DEFAULT_MAPPING`]) or a project's own, stored in versions by
//! `schema` like its policy. [`evaluate`] is a pure function of a release snapshot and a
//! mapping: per criterion, each evidence item with its status and the bundle member it lives
//! in. `controls.json` in the bundle is its canonical JSON.

use crate::snapshot::{ReleaseSnapshot, ViewFinding};
use crate::{ReportError, canonical_json, format_time};
use chrono::{NaiveDateTime, TimeDelta};
use domain::{GateVerdict, TriageStatus};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The built-in mapping, used when a project has set none.
pub const DEFAULT_MAPPING: &str = include_str!("../controls/default.toml");

/// The bundle member of the criteria.
pub const MEMBER: &str = "controls.json";
/// The bundle member of the users and tokens at sealing.
pub const ACCESS_MEMBER: &str = "access.json";

/// The kinds of evidence a criterion can name: a closed set, each evaluated by its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The release has scans; their raw reports are in the bundle.
    Scans,
    /// Every tool the gate requires has a scan.
    RequiredTools,
    /// No scan is older than `settings.max_scan_age_days` at sealing.
    ScanAge,
    /// The release's findings, and the diff against the release before it.
    FindingHistory,
    /// No open finding is past its SLA due date.
    SlaStatus,
    /// The gate passed (or was overridden with a recorded reason).
    GateResult,
    /// The release is sealed, by a named person.
    Seal,
    /// Every accepted risk has an approver, a justification and an unexpired expiry.
    Acceptances,
    /// The users and their roles at sealing.
    AccessRoles,
    /// The API tokens at sealing; a token that never expires is an exception.
    AccessTokens,
    /// The audit log's chain head is signed into the bundle.
    AuditChain,
    /// The bundle chains to the previous release's sealed bundle.
    BundleChain,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Scans => "scans",
            EvidenceKind::RequiredTools => "required_tools",
            EvidenceKind::ScanAge => "scan_age",
            EvidenceKind::FindingHistory => "finding_history",
            EvidenceKind::SlaStatus => "sla_status",
            EvidenceKind::GateResult => "gate_result",
            EvidenceKind::Seal => "seal",
            EvidenceKind::Acceptances => "acceptances",
            EvidenceKind::AccessRoles => "access_roles",
            EvidenceKind::AccessTokens => "access_tokens",
            EvidenceKind::AuditChain => "audit_chain",
            EvidenceKind::BundleChain => "bundle_chain",
        }
    }
}

/// A parsed, valid control mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlMapping {
    /// What the mapping covers, for people.
    pub name: String,
    #[serde(default)]
    pub settings: MappingSettings,
    #[serde(rename = "criterion")]
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSettings {
    /// A scan older than this many days at sealing fails `scan_age` (default 30).
    #[serde(default = "default_max_scan_age_days")]
    pub max_scan_age_days: u32,
}

impl Default for MappingSettings {
    fn default() -> Self {
        MappingSettings {
            max_scan_age_days: default_max_scan_age_days(),
        }
    }
}

fn default_max_scan_age_days() -> u32 {
    30
}

/// One criterion of a framework and the evidence that supports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// The framework's own id (`CC7.1`, `A.8.8`); unique in the mapping.
    pub id: String,
    /// `SOC 2`, `ISO/IEC 27001:2022`, ...
    pub framework: String,
    pub title: String,
    /// At least one evidence kind.
    pub evidence: Vec<EvidenceKind>,
}

/// A mapping file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The TOML does not parse, or does not fit the format: where (1-based line) and why.
    #[error("control mapping line {line}: {message}")]
    Toml { line: usize, message: String },
    #[error("control mapping: no [[criterion]]")]
    NoCriteria,
    #[error("control mapping: criterion {0:?} appears twice")]
    DuplicateId(String),
    #[error("control mapping: criterion {0:?} names no evidence")]
    NoEvidence(String),
    #[error("control mapping: a criterion's {0} is empty")]
    Blank(&'static str),
}

impl ControlMapping {
    /// Parses and checks a mapping file: known keys and evidence kinds only, unique ids, each
    /// criterion with evidence.
    pub fn parse(text: &str) -> Result<ControlMapping, MappingError> {
        let mapping: ControlMapping = toml::from_str(text).map_err(|e| MappingError::Toml {
            line: e
                .span()
                .and_then(|span| text.get(..span.start))
                .map_or(1, |before| before.matches('\n').count() + 1),
            message: e.message().replace('\n', " "),
        })?;
        if mapping.criteria.is_empty() {
            return Err(MappingError::NoCriteria);
        }
        let mut seen = BTreeSet::new();
        for c in &mapping.criteria {
            for (field, value) in [
                ("id", &c.id),
                ("framework", &c.framework),
                ("title", &c.title),
            ] {
                if value.trim().is_empty() {
                    return Err(MappingError::Blank(field));
                }
            }
            if !seen.insert(c.id.as_str()) {
                return Err(MappingError::DuplicateId(c.id.clone()));
            }
            if c.evidence.is_empty() {
                return Err(MappingError::NoEvidence(c.id.clone()));
            }
        }
        Ok(mapping)
    }

    /// The built-in mapping.
    pub fn builtin() -> Result<ControlMapping, MappingError> {
        ControlMapping::parse(DEFAULT_MAPPING)
    }
}

/// How a criterion, or one evidence item of it, stands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ControlStatus {
    Met,
    /// Not met as the rule asks, but with a recorded reason (an override, an exemption).
    Exception {
        reason: String,
    },
    NotMet {
        reason: String,
    },
}

impl ControlStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ControlStatus::Met => "met",
            ControlStatus::Exception { .. } => "exception",
            ControlStatus::NotMet { .. } => "not_met",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            ControlStatus::Met => None,
            ControlStatus::Exception { reason } | ControlStatus::NotMet { reason } => Some(reason),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            ControlStatus::Met => 0,
            ControlStatus::Exception { .. } => 1,
            ControlStatus::NotMet { .. } => 2,
        }
    }
}

/// One evidence item of a criterion for a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    pub kind: EvidenceKind,
    #[serde(flatten)]
    pub status: ControlStatus,
    /// What the evidence shows, for people.
    pub detail: String,
    /// Where it lives in the bundle: member paths, a JSON pointer after `#` when it is a
    /// part of a member.
    pub members: Vec<String>,
}

/// One criterion for a release: the worst of its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub id: String,
    pub framework: String,
    pub title: String,
    #[serde(flatten)]
    pub status: ControlStatus,
    pub evidence: Vec<EvidenceItem>,
}

/// Which mapping was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingRef {
    pub name: String,
    /// `builtin`, or the project's version number.
    pub version: String,
    /// SHA-256 of the mapping's text.
    pub sha256: String,
}

/// Every criterion of a mapping for one release: `controls.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlsReport {
    pub project: String,
    pub release: String,
    pub draft: bool,
    pub mapping: MappingRef,
    /// Criteria per status: `met`, `exception`, `not_met`.
    pub summary: std::collections::BTreeMap<String, u64>,
    pub criteria: Vec<CriterionResult>,
}

/// The mapping a snapshot names (its project's), or the built-in one, with its reference.
pub fn mapping_of(snap: &ReleaseSnapshot) -> Result<(ControlMapping, MappingRef), ReportError> {
    let (text, version) = match &snap.controls {
        Some(m) => (m.text.as_str(), m.version.clone()),
        None => (DEFAULT_MAPPING, "builtin".to_string()),
    };
    let mapping = ControlMapping::parse(text).map_err(|e| ReportError::Invalid(e.to_string()))?;
    let reference = MappingRef {
        name: mapping.name.clone(),
        version,
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
    };
    Ok((mapping, reference))
}

/// Evaluates the snapshot's mapping (or the built-in one) over the release.
pub fn controls_report(snap: &ReleaseSnapshot) -> Result<ControlsReport, ReportError> {
    let (mapping, reference) = mapping_of(snap)?;
    evaluate(snap, &mapping, reference)
}

/// `controls.json`: the report as canonical JSON.
pub fn controls_json(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    canonical_json(&controls_report(snap)?)
}

/// `access.json`: the snapshot's users and tokens, when it recorded them.
pub fn access_json(snap: &ReleaseSnapshot) -> Result<Option<Vec<u8>>, ReportError> {
    snap.access
        .as_ref()
        .map(|access| {
            canonical_json(&serde_json::json!({
                "project": snap.project,
                "release": snap.release,
                "users": access.users,
                "tokens": access.tokens,
            }))
        })
        .transpose()
}

/// Each criterion of `mapping` for the release of `snap`. Pure: the same snapshot and mapping
/// give the same report.
pub fn evaluate(
    snap: &ReleaseSnapshot,
    mapping: &ControlMapping,
    reference: MappingRef,
) -> Result<ControlsReport, ReportError> {
    // The accepted risks, read once for every criterion that weighs them.
    let accepted = snap
        .findings
        .filtered(|f| f.status == TriageStatus::Accepted)?;
    let criteria: Vec<CriterionResult> = mapping
        .criteria
        .iter()
        .map(|c| {
            let evidence: Vec<EvidenceItem> = c
                .evidence
                .iter()
                .map(|kind| item(snap, &accepted, &mapping.settings, *kind))
                .collect();
            CriterionResult {
                id: c.id.clone(),
                framework: c.framework.clone(),
                title: c.title.clone(),
                status: combined(&evidence),
                evidence,
            }
        })
        .collect();
    let mut summary: std::collections::BTreeMap<String, u64> = ["met", "exception", "not_met"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    for c in &criteria {
        *summary.entry(c.status.as_str().to_string()).or_default() += 1;
    }
    Ok(ControlsReport {
        project: snap.project.clone(),
        release: snap.release.clone(),
        draft: snap.seal.is_none(),
        mapping: reference,
        summary,
        criteria,
    })
}

/// The worst status of the items; the reasons of the items that have it, joined.
fn combined(items: &[EvidenceItem]) -> ControlStatus {
    let worst = items.iter().map(|i| i.status.rank()).max().unwrap_or(0);
    let reasons: Vec<String> = items
        .iter()
        .filter(|i| i.status.rank() == worst)
        .filter_map(|i| {
            i.status
                .reason()
                .map(|r| format!("{}: {r}", i.kind.as_str()))
        })
        .collect();
    let reason = reasons.join("; ");
    match worst {
        0 => ControlStatus::Met,
        1 => ControlStatus::Exception { reason },
        _ => ControlStatus::NotMet { reason },
    }
}

fn met(kind: EvidenceKind, detail: String, members: Vec<String>) -> EvidenceItem {
    EvidenceItem {
        kind,
        status: ControlStatus::Met,
        detail,
        members,
    }
}

fn not_met(kind: EvidenceKind, reason: String, members: Vec<String>) -> EvidenceItem {
    EvidenceItem {
        kind,
        detail: reason.clone(),
        status: ControlStatus::NotMet { reason },
        members,
    }
}

fn exception(kind: EvidenceKind, reason: String, members: Vec<String>) -> EvidenceItem {
    EvidenceItem {
        kind,
        detail: reason.clone(),
        status: ControlStatus::Exception { reason },
        members,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// When a scan was made: the tool's own time when it reads as one, else its upload.
fn scan_time(scanned_at: Option<&str>, uploaded_at: NaiveDateTime) -> NaiveDateTime {
    scanned_at
        .and_then(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.naive_utc())
                .ok()
                .or_else(|| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok())
                .or_else(|| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S%.f").ok())
        })
        .unwrap_or(uploaded_at)
}

fn item(
    snap: &ReleaseSnapshot,
    accepted: &[ViewFinding],
    settings: &MappingSettings,
    kind: EvidenceKind,
) -> EvidenceItem {
    use EvidenceKind as K;
    let at = snap.reference_time();
    match kind {
        K::Scans => {
            let members: Vec<String> = snap.scans.iter().map(|s| s.bundle_path()).collect();
            if snap.scans.is_empty() {
                return not_met(
                    kind,
                    "the release has no scan".into(),
                    strings(&["manifest.json#/scans"]),
                );
            }
            let tools: BTreeSet<&str> = snap.scans.iter().map(|s| s.tool.as_str()).collect();
            let partial = snap.scans.iter().filter(|s| s.partial).count();
            let mut detail = format!(
                "{} scan{} ({}), raw reports in the bundle",
                snap.scans.len(),
                plural(snap.scans.len()),
                tools.into_iter().collect::<Vec<_>>().join(", ")
            );
            if partial > 0 {
                detail.push_str(&format!(", {partial} partial"));
            }
            met(kind, detail, members)
        }
        K::RequiredTools => {
            let members = strings(&["manifest.json#/gate/required_tools", "manifest.json#/scans"]);
            if snap.gate.required_tools.is_empty() {
                return not_met(
                    kind,
                    "the policy requires no tool (gate.required_tools is empty)".into(),
                    members,
                );
            }
            let present: BTreeSet<&str> = snap.scans.iter().map(|s| s.tool.as_str()).collect();
            let missing: Vec<&str> = snap
                .gate
                .required_tools
                .iter()
                .map(String::as_str)
                .filter(|t| !present.contains(t))
                .collect();
            if missing.is_empty() {
                met(
                    kind,
                    format!(
                        "every required tool has a scan: {}",
                        snap.gate.required_tools.join(", ")
                    ),
                    members,
                )
            } else {
                not_met(
                    kind,
                    format!("no scan of required {}", missing.join(", ")),
                    members,
                )
            }
        }
        K::ScanAge => {
            let members = strings(&["manifest.json#/scans"]);
            if snap.scans.is_empty() {
                return not_met(kind, "the release has no scan".into(), members);
            }
            let limit = TimeDelta::days(i64::from(settings.max_scan_age_days));
            let stale: Vec<String> = snap
                .scans
                .iter()
                .filter(|s| at - scan_time(s.scanned_at.as_deref(), s.uploaded_at) > limit)
                .map(|s| format!("{} {}", s.tool, s.label))
                .collect();
            if stale.is_empty() {
                met(
                    kind,
                    format!(
                        "every scan is at most {} days old at {}",
                        settings.max_scan_age_days,
                        format_time(&at)
                    ),
                    members,
                )
            } else {
                not_met(
                    kind,
                    format!(
                        "older than {} days: {}",
                        settings.max_scan_age_days,
                        stale.join(", ")
                    ),
                    members,
                )
            }
        }
        K::FindingHistory => {
            let mut members = strings(&["findings.json", "findings.csv"]);
            let detail = match &snap.diff {
                Some(d) => {
                    members.push("manifest.json#/counts".into());
                    format!(
                        "{} findings; since {}: {} new, {} still open, {} fixed, {} not rescanned",
                        snap.findings.len(),
                        d.previous_release,
                        d.new,
                        d.still_open,
                        d.fixed,
                        d.not_rescanned
                    )
                }
                None => format!(
                    "{} findings; the project's first release",
                    snap.findings.len()
                ),
            };
            met(kind, detail, members)
        }
        K::SlaStatus => {
            let members = strings(&["sla.json"]);
            let Some(sla) = &snap.sla else {
                return not_met(kind, "the snapshot has no SLA status".into(), members);
            };
            match sla.get("breaches").and_then(serde_json::Value::as_u64) {
                Some(0) => met(
                    kind,
                    "no open finding is past its SLA due date".into(),
                    members,
                ),
                Some(n) => not_met(
                    kind,
                    format!(
                        "{n} open finding{} past the SLA due date",
                        plural(n as usize)
                    ),
                    members,
                ),
                None => not_met(kind, "the SLA status has no breach count".into(), members),
            }
        }
        K::GateResult => {
            let members = strings(&["manifest.json#/gate"]);
            match (
                snap.gate.verdict,
                snap.seal
                    .as_ref()
                    .and_then(|s| s.allow_blocked_reason.as_ref()),
            ) {
                (GateVerdict::Passed, _) => met(
                    kind,
                    format!("gate passed (fail on {})", snap.gate.fail_on),
                    members,
                ),
                (GateVerdict::Blocked, Some(reason)) => exception(
                    kind,
                    format!(
                        "gate blocked ({} reasons), sealed anyway: {reason}",
                        snap.gate.reasons.len()
                    ),
                    members,
                ),
                (GateVerdict::Blocked, None) => not_met(
                    kind,
                    format!("gate blocked ({} reasons)", snap.gate.reasons.len()),
                    members,
                ),
            }
        }
        K::Seal => {
            let members = strings(&["manifest.json#/sealed_by", "SHA256SUMS.sig"]);
            match &snap.seal {
                Some(seal) => met(
                    kind,
                    format!(
                        "sealed {} by {}",
                        format_time(&seal.sealed_at),
                        seal.sealed_by
                    ),
                    members,
                ),
                None => not_met(kind, "the release is not sealed (draft)".into(), members),
            }
        }
        K::Acceptances => acceptances(accepted, at),
        K::AccessRoles => {
            let members = strings(&["access.json#/users"]);
            let Some(access) = &snap.access else {
                return not_met(kind, "the snapshot has no access record".into(), members);
            };
            let mut by_role: std::collections::BTreeMap<&str, usize> = Default::default();
            for u in &access.users {
                *by_role.entry(u.role.as_str()).or_default() += 1;
            }
            let roles: Vec<String> = by_role.iter().map(|(r, n)| format!("{n} {r}")).collect();
            met(
                kind,
                format!(
                    "{} active user{} by role: {}",
                    access.users.len(),
                    plural(access.users.len()),
                    if roles.is_empty() {
                        "none".into()
                    } else {
                        roles.join(", ")
                    }
                ),
                members,
            )
        }
        K::AccessTokens => {
            let members = strings(&["access.json#/tokens"]);
            let Some(access) = &snap.access else {
                return not_met(kind, "the snapshot has no access record".into(), members);
            };
            let forever: Vec<&str> = access
                .tokens
                .iter()
                .filter(|t| t.expires_at.is_none())
                .map(|t| t.name.as_str())
                .collect();
            if forever.is_empty() {
                met(
                    kind,
                    format!(
                        "{} active token{}, each with an expiry",
                        access.tokens.len(),
                        plural(access.tokens.len())
                    ),
                    members,
                )
            } else {
                exception(
                    kind,
                    format!(
                        "token{} without expiry: {}",
                        plural(forever.len()),
                        forever.join(", ")
                    ),
                    members,
                )
            }
        }
        K::AuditChain => {
            let members = strings(&["manifest.json#/audit_anchor", "audit-events.json"]);
            match (&snap.audit_anchor, &snap.seal) {
                (Some(a), _) => met(
                    kind,
                    format!(
                        "audit chain head {} ({}) signed into the bundle",
                        a.seq,
                        short(&a.hash)
                    ),
                    members,
                ),
                (None, Some(_)) => not_met(
                    kind,
                    "the bundle signed no audit chain head".into(),
                    members,
                ),
                (None, None) => not_met(
                    kind,
                    "the audit chain head is signed at sealing (draft)".into(),
                    members,
                ),
            }
        }
        K::BundleChain => {
            let members = strings(&["manifest.json#/previous_bundle"]);
            let previous_release = snap.diff.as_ref().map(|d| d.previous_release.as_str());
            match (&snap.previous_bundle, previous_release) {
                (None, None) => met(kind, "the project's first release".into(), members),
                (Some(b), Some(p)) if b.release == p => met(
                    kind,
                    format!("chained to {} ({})", b.release, short(&b.sha256)),
                    members,
                ),
                (Some(b), Some(p)) => exception(
                    kind,
                    format!(
                        "the previous release {p} has no sealed bundle; chained to {} ({})",
                        b.release,
                        short(&b.sha256)
                    ),
                    members,
                ),
                (Some(b), None) => met(
                    kind,
                    format!("chained to {} ({})", b.release, short(&b.sha256)),
                    members,
                ),
                (None, Some(p)) => exception(
                    kind,
                    format!("the previous release {p} has no sealed bundle"),
                    members,
                ),
            }
        }
    }
}

fn acceptances(accepted: &[ViewFinding], at: NaiveDateTime) -> EvidenceItem {
    let kind = EvidenceKind::Acceptances;
    let members = strings(&["triage.json"]);
    if accepted.is_empty() {
        return met(kind, "no accepted risk".into(), members);
    }
    let mut missing = Vec::new();
    let mut no_expiry = Vec::new();
    let mut expired = Vec::new();
    for f in accepted {
        let short_fp = short(&f.fingerprint);
        let approver = f.approver().is_some_and(|a| !a.trim().is_empty());
        let justified = f.justification().is_some_and(|j| !j.trim().is_empty());
        if !approver || !justified {
            missing.push(short_fp);
        } else {
            match f.expires_at() {
                None => no_expiry.push(short_fp),
                Some(e) if e < at => expired.push(short_fp),
                Some(_) => {}
            }
        }
    }
    if !missing.is_empty() {
        return not_met(
            kind,
            format!(
                "accepted without an approver or justification: {}",
                missing.join(", ")
            ),
            members,
        );
    }
    let mut reasons = Vec::new();
    if !expired.is_empty() {
        reasons.push(format!("acceptance expired: {}", expired.join(", ")));
    }
    if !no_expiry.is_empty() {
        reasons.push(format!("accepted without expiry: {}", no_expiry.join(", ")));
    }
    if reasons.is_empty() {
        met(
            kind,
            format!(
                "{} accepted risk{}, each with approver, justification and expiry",
                accepted.len(),
                plural(accepted.len())
            ),
            members,
        )
    } else {
        exception(kind, reasons.join("; "), members)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}
