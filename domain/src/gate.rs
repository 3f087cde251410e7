//! The release gate's judgement: may this release ship, and if not, every reason why.
//!
//! [`judge`] is the one implementation: the release's settings (its policy with the caller's
//! options applied), its current scans and its findings in the view's order in, a
//! [`GateResult`] out. `schema` feeds it from SQL (only the findings that may give a reason) or
//! from the whole release view; both must give the same result.

use crate::{
    FindingId, Kind, LicenseVerdict, Policy, ScanId, ScanSummary, Severity, Threshold,
    ToolDecision, TriageStatus, ViewFinding,
};
use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

/// Why a release is blocked.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GateReason {
    BlockingFinding {
        fingerprint: String,
        severity: Severity,
        rule_id: String,
        title: String,
        tool: String,
        kind: Kind,
        status: TriageStatus,
        tool_status: Option<String>,
        location: Option<String>,
        line: Option<i64>,
        /// The threshold that applied to this finding's kind.
        threshold: Severity,
    },
    MissingScan {
        tool: String,
    },
    StaleScan {
        scan_id: ScanId,
        tool: String,
        label: String,
        /// When the tool says it scanned, else when the report was uploaded.
        scanned_at: NaiveDateTime,
        age_days: i64,
        max_age_days: u32,
    },
    ExpiredAcceptance {
        fingerprint: String,
        severity: Severity,
        rule_id: String,
        title: String,
        approver: Option<String>,
        decided_by: Option<String>,
        expired_at: NaiveDateTime,
    },
    DeniedLicense {
        fingerprint: String,
        license: String,
        component: Option<String>,
        tool: String,
        verdict: LicenseVerdict,
    },
    SlaBreach {
        fingerprint: String,
        severity: Severity,
        rule_id: String,
        title: String,
        status: TriageStatus,
        first_seen_at: NaiveDateTime,
        due_at: NaiveDateTime,
        sla_days: u32,
        days_over: i64,
    },
    /// A condition of a scanner's own quality gate that failed, where the policy requires that
    /// gate (`require_quality_gate`).
    FailedQualityGateCondition {
        fingerprint: String,
        /// The scanner whose gate it is (`sonarqube`).
        scanner: String,
        /// The condition, as the gate's importer names it (`quality_gate:new_coverage`).
        condition: String,
        title: String,
    },
}

impl GateReason {
    /// The gate rule this reason belongs to (one JUnit test case per rule).
    pub fn rule(&self) -> &'static str {
        match self {
            GateReason::BlockingFinding { .. } => "severity-threshold",
            GateReason::MissingScan { .. } => "required-scans",
            GateReason::StaleScan { .. } => "scan-age",
            GateReason::ExpiredAcceptance { .. } => "expired-acceptances",
            GateReason::DeniedLicense { .. } => "licenses",
            GateReason::SlaBreach { .. } => "sla",
            GateReason::FailedQualityGateCondition { .. } => "quality-gate",
        }
    }

    /// Every gate rule, in the order reports list them.
    pub const RULES: [&'static str; 7] = [
        "severity-threshold",
        "required-scans",
        "scan-age",
        "expired-acceptances",
        "licenses",
        "sla",
        "quality-gate",
    ];

    /// The fingerprint of the finding this reason names, if it names one.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            GateReason::BlockingFinding { fingerprint, .. }
            | GateReason::ExpiredAcceptance { fingerprint, .. }
            | GateReason::DeniedLicense { fingerprint, .. }
            | GateReason::SlaBreach { fingerprint, .. }
            | GateReason::FailedQualityGateCondition { fingerprint, .. } => Some(fingerprint),
            GateReason::MissingScan { .. } | GateReason::StaleScan { .. } => None,
        }
    }

    /// One line for people.
    pub fn message(&self) -> String {
        let short = |fp: &str| fp.chars().take(12).collect::<String>();
        match self {
            GateReason::BlockingFinding {
                fingerprint,
                severity,
                rule_id,
                title,
                tool,
                status,
                tool_status,
                location,
                threshold,
                ..
            } => format!(
                "{severity} finding {rule_id} \"{title}\" [{tool}, {status}{}{}] at or above \
                 {threshold} ({})",
                tool_status
                    .as_deref()
                    .map(|s| format!(", tool: {}", crate::tool_status_label(s)))
                    .unwrap_or_default(),
                location
                    .as_deref()
                    .map(|l| format!(", {l}"))
                    .unwrap_or_default(),
                short(fingerprint)
            ),
            GateReason::MissingScan { tool } => {
                format!("missing scan: no {tool} scan in this release")
            }
            GateReason::StaleScan {
                scan_id,
                tool,
                label,
                scanned_at,
                age_days,
                max_age_days,
            } => format!(
                "scan {scan_id} ({tool}, {label}) is {age_days} days old (scanned {}), more \
                 than the {max_age_days} days allowed",
                scanned_at.format("%Y-%m-%d")
            ),
            GateReason::ExpiredAcceptance {
                fingerprint,
                rule_id,
                title,
                approver,
                expired_at,
                ..
            } => format!(
                "acceptance of {rule_id} \"{title}\" expired on {} (approved by {}) ({})",
                expired_at.format("%Y-%m-%d"),
                approver.as_deref().unwrap_or("nobody"),
                short(fingerprint)
            ),
            GateReason::DeniedLicense {
                fingerprint,
                license,
                component,
                verdict,
                ..
            } => format!(
                "license {license}{} is {} ({})",
                component
                    .as_deref()
                    .map(|c| format!(" in {c}"))
                    .unwrap_or_default(),
                match verdict {
                    LicenseVerdict::Denied => "denied by the policy",
                    LicenseVerdict::NotAllowed => "not on the policy's allow list",
                },
                short(fingerprint)
            ),
            GateReason::SlaBreach {
                fingerprint,
                severity,
                rule_id,
                title,
                due_at,
                sla_days,
                days_over,
                ..
            } => format!(
                "{severity} finding {rule_id} \"{title}\" is {days_over} days past its \
                 {sla_days}-day SLA (due {}) ({})",
                due_at.format("%Y-%m-%d"),
                short(fingerprint)
            ),
            GateReason::FailedQualityGateCondition {
                fingerprint,
                scanner,
                condition,
                title,
            } => format!(
                "{} quality gate failed on {condition}: {title} ({})",
                crate::tool_display_name(scanner),
                short(fingerprint)
            ),
        }
    }
}

/// The tool name under which a scanner's quality gate result is stored: the SonarQube quality
/// gate importer's scans are tool `sonarqube-quality-gate`, so they never replace the issues
/// scan of the same server in its slot.
pub fn quality_gate_tool(scanner: &str) -> String {
    format!("{}-quality-gate", scanner.trim().to_ascii_lowercase())
}

/// What a recorded evaluation keeps of a reason: its kind and what it names (the finding's
/// fingerprint, the missing tool, the stale scan), never a copy of the finding's text, which
/// the findings and the raw reports already hold.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GateReasonRef {
    BlockingFinding { fingerprint: String },
    MissingScan { tool: String },
    StaleScan { scan_id: ScanId },
    ExpiredAcceptance { fingerprint: String },
    DeniedLicense { fingerprint: String },
    SlaBreach { fingerprint: String },
    FailedQualityGateCondition { fingerprint: String },
}

impl From<&GateReason> for GateReasonRef {
    fn from(reason: &GateReason) -> Self {
        match reason {
            GateReason::BlockingFinding { fingerprint, .. } => GateReasonRef::BlockingFinding {
                fingerprint: fingerprint.clone(),
            },
            GateReason::MissingScan { tool } => GateReasonRef::MissingScan { tool: tool.clone() },
            GateReason::StaleScan { scan_id, .. } => GateReasonRef::StaleScan { scan_id: *scan_id },
            GateReason::ExpiredAcceptance { fingerprint, .. } => GateReasonRef::ExpiredAcceptance {
                fingerprint: fingerprint.clone(),
            },
            GateReason::DeniedLicense { fingerprint, .. } => GateReasonRef::DeniedLicense {
                fingerprint: fingerprint.clone(),
            },
            GateReason::SlaBreach { fingerprint, .. } => GateReasonRef::SlaBreach {
                fingerprint: fingerprint.clone(),
            },
            GateReason::FailedQualityGateCondition { fingerprint, .. } => {
                GateReasonRef::FailedQualityGateCondition {
                    fingerprint: fingerprint.clone(),
                }
            }
        }
    }
}

/// A finding an ignore rule of the policy left out.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoredFinding {
    pub fingerprint: String,
    pub rule_id: String,
    pub reason: String,
}

/// The gate's answer: may the release ship?
///
/// On the wire (JSON, bundles, the database) it stays the boolean `passed` it always was, so
/// clients and sealed bundles read it unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateVerdict {
    /// No reason blocks the release.
    Passed,
    /// At least one reason blocks it.
    Blocked,
}

impl GateVerdict {
    /// `Passed` when `passed` is true: for values read back from storage or JSON.
    pub fn from_passed(passed: bool) -> GateVerdict {
        if passed {
            GateVerdict::Passed
        } else {
            GateVerdict::Blocked
        }
    }

    pub fn is_passed(self) -> bool {
        self == GateVerdict::Passed
    }

    /// `passed` or `blocked`: how pages, logs and metrics name the verdict.
    pub fn label(self) -> &'static str {
        match self {
            GateVerdict::Passed => "passed",
            GateVerdict::Blocked => "blocked",
        }
    }
}

impl Serialize for GateVerdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.is_passed())
    }
}

/// On the wire the verdict is the boolean `passed`.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for GateVerdict {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Boolean)
            .description(Some(
                "true: the release may ship; false: the gate blocks it",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for GateVerdict {}

impl<'de> serde::Deserialize<'de> for GateVerdict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        bool::deserialize(deserializer).map(GateVerdict::from_passed)
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateResult {
    pub project: String,
    pub release: String,
    #[serde(rename = "passed")]
    pub verdict: GateVerdict,
    /// The policy version used; `None` when the project has no policy (defaults apply).
    pub policy_version: Option<i64>,
    /// The general threshold that applied (per-kind thresholds may differ).
    pub fail_on: Severity,
    pub required_tools: Vec<String>,
    pub evaluated_at: NaiveDateTime,
    pub scans: usize,
    pub findings: usize,
    pub reasons: Vec<GateReason>,
    /// Findings the policy's ignore rules left out, with the rule's reason.
    pub ignored: Vec<IgnoredFinding>,
    /// Findings that would block but that their tool decided (a false positive resolved in
    /// SonarQube, say) in a way the policy honours. Absent from JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decided_in_tool: Vec<ToolDecidedFinding>,
}

/// A finding that would block, kept from blocking by its tool's decision.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToolDecidedFinding {
    pub fingerprint: String,
    pub severity: Severity,
    pub rule_id: String,
    pub title: String,
    pub tool: String,
    pub decision: ToolDecision,
    /// The tool's own word for it (`RESOLVED/FALSE-POSITIVE`).
    pub tool_status: String,
}

impl ToolDecidedFinding {
    /// `high finding python:S5131 "..." decided in SonarQube: false positive`.
    pub fn describe(&self) -> String {
        format!(
            "{} finding {} \"{}\" decided in {}: {} ({})",
            self.severity,
            self.rule_id,
            self.title,
            crate::tool_display_name(&self.tool),
            self.decision.label(),
            self.tool_status
        )
    }
}

/// The most specific place a gate reason names.
fn location(f: &GateFinding) -> Option<String> {
    [
        f.file.as_deref(),
        f.resource.as_deref(),
        f.url.as_deref(),
        f.component.as_deref(),
        f.target.as_deref(),
    ]
    .into_iter()
    .flatten()
    .next()
    .map(str::to_string)
}

/// When a scan was made: the tool's own timestamp when it parses, else the upload time.
fn scanned_at(tool_says: Option<&str>, uploaded_at: NaiveDateTime) -> NaiveDateTime {
    let Some(text) = tool_says.map(str::trim) else {
        return uploaded_at;
    };
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .unwrap_or(uploaded_at)
}

/// A finding as the gate reads it: what its rules look at and what its reasons name, from
/// the finding's record in the release view (its most severe current occurrence).
#[derive(Debug, Clone, PartialEq)]
pub struct GateFinding {
    /// The store's id (for paging through candidates); `None` when not from the store.
    pub finding_id: Option<FindingId>,
    pub fingerprint: String,
    pub severity: Severity,
    pub kind: Kind,
    pub rule_id: String,
    pub title: String,
    pub tool: String,
    /// Our triage state.
    pub status: TriageStatus,
    pub tool_status: Option<String>,
    pub component: Option<String>,
    pub target: Option<String>,
    pub file: Option<String>,
    pub resource: Option<String>,
    pub url: Option<String>,
    pub line_start: Option<i64>,
    pub first_seen_at: NaiveDateTime,
    /// The triage decision's approver, author and expiry (`None` while undecided).
    pub approver: Option<String>,
    pub decided_by: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
}

impl From<&ViewFinding> for GateFinding {
    fn from(f: &ViewFinding) -> GateFinding {
        let decision = f.decision.as_ref();
        GateFinding {
            finding_id: f.finding_id,
            fingerprint: f.fingerprint.clone(),
            severity: f.severity,
            kind: f.kind,
            rule_id: f.rule_id.clone(),
            title: f.title.clone(),
            tool: f.tool.clone(),
            status: f.status,
            tool_status: f.tool_status.clone(),
            component: f.component.clone(),
            target: f.target.clone(),
            file: f.file.clone(),
            resource: f.resource.clone(),
            url: f.url.clone(),
            line_start: f.line_start,
            first_seen_at: f.first_seen_at,
            approver: decision.and_then(|d| d.approver.clone()),
            decided_by: decision.map(|d| d.decided_by.clone()),
            expires_at: decision.and_then(|d| d.expires_at),
        }
    }
}

/// The release view's order: most severe first, then by rule id and fingerprint.
pub fn view_order(a: &GateFinding, b: &GateFinding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.rule_id.cmp(&b.rule_id))
        .then_with(|| a.fingerprint.cmp(&b.fingerprint))
}

/// A release's gate settings: the policy in force and the caller's options applied to it.
#[derive(Debug, Clone)]
pub struct GateSettings {
    /// The stored policy version; `None` when the project has none (the defaults apply).
    pub policy_version: Option<i64>,
    pub policy: Policy,
    /// The time the gate judges as of.
    pub at: NaiveDateTime,
    /// The general threshold (per-kind thresholds may differ).
    pub fail_on: Severity,
    pub required_tools: Vec<String>,
}

impl GateSettings {
    /// The settings a policy gives, with a caller's overrides: `fail_on` replaces the policy's
    /// threshold, `extra_tools` are required besides the policy's (a tool named twice, in any
    /// case, counts once).
    pub fn new(
        policy_version: Option<i64>,
        policy: Policy,
        fail_on: Option<Severity>,
        extra_tools: &[String],
        at: NaiveDateTime,
    ) -> GateSettings {
        let fail_on = fail_on.unwrap_or(policy.gate.fail_on);
        let mut required_tools = policy.gate.required_tools.clone();
        for tool in extra_tools {
            if !required_tools.iter().any(|t| t.eq_ignore_ascii_case(tool)) {
                required_tools.push(tool.clone());
            }
        }
        GateSettings {
            policy_version,
            policy,
            at,
            fail_on,
            required_tools,
        }
    }
}

// ---------------------------------------------------------------- the judgement

/// The reasons a release's current scans give: required tools missing, scans too old.
pub fn judge_scans(s: &GateSettings, scans: &[ScanSummary]) -> Vec<GateReason> {
    let mut reasons = Vec::new();
    let quality_gates = s
        .policy
        .gate
        .require_quality_gate
        .iter()
        .map(|t| quality_gate_tool(t));
    for tool in s.required_tools.iter().cloned().chain(quality_gates) {
        if !scans
            .iter()
            .any(|scan| scan.tool.eq_ignore_ascii_case(&tool))
        {
            reasons.push(GateReason::MissingScan { tool });
        }
    }
    if let Some(max) = s.policy.gate.max_scan_age_days {
        for scan in scans {
            let required = s.required_tools.is_empty()
                || s.required_tools
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&scan.tool));
            if !required {
                continue;
            }
            let when = scanned_at(scan.scanned_at.as_deref(), scan.uploaded_at);
            let age_days = (s.at - when).num_days();
            if age_days > i64::from(max) {
                reasons.push(GateReason::StaleScan {
                    scan_id: scan.id,
                    tool: scan.tool.clone(),
                    label: scan.label.clone(),
                    scanned_at: when,
                    age_days,
                    max_age_days: max,
                });
            }
        }
    }
    reasons
}

/// What judging findings found besides the reasons: what the policy's ignore rules left out
/// and what the tools' own decisions kept from blocking.
#[derive(Debug, Default)]
pub struct SetAside {
    pub ignored: Vec<IgnoredFinding>,
    pub decided_in_tool: Vec<ToolDecidedFinding>,
}

impl SetAside {
    pub fn is_empty(&self) -> bool {
        self.ignored.is_empty() && self.decided_in_tool.is_empty()
    }
}

/// The reasons one finding gives, or what sets it aside: an ignore rule, or (for a finding we
/// have not decided on) a decision of its tool that the policy honours.
pub fn judge_finding(
    s: &GateSettings,
    f: &GateFinding,
    reasons: &mut Vec<GateReason>,
    set_aside: &mut SetAside,
) {
    let policy = &s.policy;
    let at = s.at;
    let severity = f.severity;
    let path = f.file.as_deref().or(f.resource.as_deref());
    if let Some(rule) = policy.ignored_by(&f.tool, &f.rule_id, path) {
        set_aside.ignored.push(IgnoredFinding {
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            reason: rule.reason.clone(),
        });
        return;
    }
    let expires_at = f.expires_at;
    let expired = f.status == TriageStatus::Accepted && expires_at.is_some_and(|e| e <= at);
    match f.status {
        TriageStatus::FalsePositive => return,
        TriageStatus::Accepted if !expired => return,
        TriageStatus::Accepted => {
            if policy.gate.block_expired_acceptances
                && let Some(expired_at) = expires_at
            {
                reasons.push(GateReason::ExpiredAcceptance {
                    fingerprint: f.fingerprint.clone(),
                    severity,
                    rule_id: f.rule_id.clone(),
                    title: f.title.clone(),
                    approver: f.approver.clone(),
                    decided_by: f.decided_by.clone(),
                    expired_at,
                });
            }
            return;
        }
        TriageStatus::Open | TriageStatus::Confirmed => {}
    }
    // Open or confirmed from here on. Our own decision (confirmed) outranks the tool's.
    let honoured = match f.status {
        TriageStatus::Open => f
            .tool_status
            .as_deref()
            .and_then(ToolDecision::of)
            .filter(|d| policy.gate.honour_tool_decisions.contains(d)),
        _ => None,
    };
    let Some(decision) = honoured else {
        open_reasons(s, f, reasons);
        return;
    };
    let mut would_block = Vec::new();
    open_reasons(s, f, &mut would_block);
    if !would_block.is_empty() {
        set_aside.decided_in_tool.push(ToolDecidedFinding {
            fingerprint: f.fingerprint.clone(),
            severity: f.severity,
            rule_id: f.rule_id.clone(),
            title: f.title.clone(),
            tool: f.tool.clone(),
            decision,
            tool_status: f.tool_status.clone().unwrap_or_default(),
        });
    }
}

/// The reasons an open or confirmed finding gives: a denied license, its severity at or above
/// its kind's threshold (unless a tool status the policy names exempts it), an SLA breach.
fn open_reasons(s: &GateSettings, f: &GateFinding, reasons: &mut Vec<GateReason>) {
    let policy = &s.policy;
    let at = s.at;
    let fail_on = s.fail_on;
    let severity = f.severity;
    // A failed condition of a quality gate the policy requires blocks whatever its severity.
    if let Some(scanner) = policy
        .gate
        .require_quality_gate
        .iter()
        .find(|t| quality_gate_tool(t).eq_ignore_ascii_case(&f.tool))
    {
        reasons.push(GateReason::FailedQualityGateCondition {
            fingerprint: f.fingerprint.clone(),
            scanner: scanner.clone(),
            condition: f.rule_id.clone(),
            title: f.title.clone(),
        });
        return;
    }
    if f.kind == Kind::License && policy.licenses.is_set() {
        if let Some(verdict) = policy.licenses.verdict(&f.rule_id) {
            reasons.push(GateReason::DeniedLicense {
                fingerprint: f.fingerprint.clone(),
                license: f.rule_id.clone(),
                component: f.component.clone(),
                tool: f.tool.clone(),
                verdict,
            });
        }
        return;
    }
    let tool_exempt = f.tool_status.as_deref().is_some_and(|ts| {
        policy
            .gate
            .non_blocking_tool_statuses
            .iter()
            .any(|s| s.eq_ignore_ascii_case(ts))
    });
    if tool_exempt {
        return;
    }
    // A kind whose threshold is `never` never blocks, by severity or by SLA.
    let threshold = match policy.kind_threshold(f.kind.as_str()) {
        Some(Threshold::Never) => return,
        Some(Threshold::AtLeast(s)) => s,
        None => fail_on,
    };
    if severity >= threshold {
        reasons.push(GateReason::BlockingFinding {
            fingerprint: f.fingerprint.clone(),
            severity,
            rule_id: f.rule_id.clone(),
            title: f.title.clone(),
            tool: f.tool.clone(),
            kind: f.kind,
            status: f.status,
            tool_status: f.tool_status.clone(),
            location: location(f),
            line: f.line_start,
            threshold,
        });
    }
    if policy.gate.block_sla_breaches
        && let Some(days) = policy.sla.days(severity)
    {
        let due_at = f.first_seen_at + TimeDelta::days(i64::from(days));
        if at > due_at {
            reasons.push(GateReason::SlaBreach {
                fingerprint: f.fingerprint.clone(),
                severity,
                rule_id: f.rule_id.clone(),
                title: f.title.clone(),
                status: f.status,
                first_seen_at: f.first_seen_at,
                due_at,
                sla_days: days,
                days_over: (at - due_at).num_days(),
            });
        }
    }
}

/// The gate itself: every reason the release is blocked, from its settings, its current
/// scans, and its findings in the view's order (all of them, or a superset of those that
/// give a reason or are ignored). The one implementation, whatever fed it: at once here, or
/// a finding at a time through a [`Judgement`].
pub fn judge(
    project: &str,
    release_name: &str,
    s: &GateSettings,
    scans: &[ScanSummary],
    findings: usize,
    candidates: &[GateFinding],
) -> GateResult {
    let mut judgement = Judgement::new(s);
    for f in candidates {
        judgement.add(f);
    }
    judgement.finish(project, release_name, scans, findings)
}

/// The gate judged a finding at a time, in the view's order, for a reader that sees each
/// finding once and holds none (the sealed snapshot): what it keeps is the reasons and the
/// findings set aside, never the findings.
pub struct Judgement<'a> {
    settings: &'a GateSettings,
    reasons: Vec<GateReason>,
    set_aside: SetAside,
}

impl<'a> Judgement<'a> {
    pub fn new(settings: &'a GateSettings) -> Judgement<'a> {
        Judgement {
            settings,
            reasons: Vec::new(),
            set_aside: SetAside::default(),
        }
    }

    /// Judges the next finding of the view.
    pub fn add(&mut self, f: &GateFinding) {
        judge_finding(self.settings, f, &mut self.reasons, &mut self.set_aside);
    }

    /// The result, once every finding of the view (`findings` of them) was added: the scans'
    /// reasons first, then the findings'.
    pub fn finish(
        self,
        project: &str,
        release_name: &str,
        scans: &[ScanSummary],
        findings: usize,
    ) -> GateResult {
        let s = self.settings;
        let mut reasons = judge_scans(s, scans);
        reasons.extend(self.reasons);
        GateResult {
            project: project.to_string(),
            release: release_name.to_string(),
            verdict: if reasons.is_empty() {
                GateVerdict::Passed
            } else {
                GateVerdict::Blocked
            },
            policy_version: s.policy_version,
            fail_on: s.fail_on,
            required_tools: s.required_tools.clone(),
            evaluated_at: s.at,
            scans: scans.len(),
            findings,
            reasons,
            ignored: self.set_aside.ignored,
            decided_in_tool: self.set_aside.decided_in_tool,
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, day)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("a date")
    }

    fn settings(policy: &str) -> GateSettings {
        let policy = Policy::parse(policy).expect("policy");
        GateSettings::new(Some(1), policy, None, &[], at(20))
    }

    fn finding(fingerprint: &str, severity: Severity, kind: Kind) -> GateFinding {
        let mut f = crate::testing::finding(fingerprint, severity, 1);
        f.kind = kind;
        f.first_seen_at = at(1);
        GateFinding::from(&f)
    }

    fn scan(tool: &str, uploaded: NaiveDateTime) -> ScanSummary {
        crate::testing::scan(1, tool, false, uploaded)
    }

    fn rules(result: &GateResult) -> Vec<&'static str> {
        result.reasons.iter().map(GateReason::rule).collect()
    }

    #[test]
    fn open_findings_at_the_threshold_block_and_decided_ones_do_not() {
        let s = settings("");
        let mut accepted = finding("b", Severity::Critical, Kind::Vulnerability);
        accepted.status = TriageStatus::Accepted;
        accepted.expires_at = Some(at(30));
        let mut false_positive = finding("c", Severity::Critical, Kind::Vulnerability);
        false_positive.status = TriageStatus::FalsePositive;
        let candidates = [
            finding("a", Severity::High, Kind::Vulnerability),
            accepted,
            false_positive,
            finding("d", Severity::Medium, Kind::Vulnerability),
        ];
        let result = judge("shop", "1.0", &s, &[], candidates.len(), &candidates);
        assert_eq!(result.verdict, GateVerdict::Blocked);
        assert_eq!(rules(&result), ["severity-threshold"]);
        assert_eq!(result.reasons[0].fingerprint(), Some("a"));
    }

    #[test]
    fn an_expired_acceptance_blocks_unless_the_policy_says_otherwise() {
        let mut expired = finding("a", Severity::Low, Kind::Vulnerability);
        expired.status = TriageStatus::Accepted;
        expired.expires_at = Some(at(10));
        let blocked = judge(
            "p",
            "r",
            &settings(""),
            &[],
            1,
            std::slice::from_ref(&expired),
        );
        assert_eq!(rules(&blocked), ["expired-acceptances"]);
        let lenient = settings("[gate]\nblock_expired_acceptances = false\n");
        assert!(
            judge("p", "r", &lenient, &[], 1, &[expired])
                .verdict
                .is_passed()
        );
    }

    #[test]
    fn a_tools_decision_the_policy_honours_sets_a_finding_aside_unless_we_decided() {
        let decided = |fingerprint: &str, tool_status: &str| {
            let mut f = finding(fingerprint, Severity::Critical, Kind::Code);
            f.tool = "sonarqube".into();
            f.tool_status = Some(tool_status.into());
            f
        };
        let mut confirmed = decided("confirmed", "RESOLVED/FALSE-POSITIVE");
        confirmed.status = TriageStatus::Confirmed;
        let candidates = [
            decided("fp", "RESOLVED/FALSE-POSITIVE"),
            decided("wontfix", "RESOLVED/WONTFIX"),
            decided("accepted", "ACCEPTED"),
            decided("open", "OPEN"),
            confirmed,
            // Below the threshold: nothing to set aside, so not listed.
            {
                let mut low = decided("low", "RESOLVED/FALSE-POSITIVE");
                low.severity = Severity::Low;
                low
            },
        ];
        let by_default = judge("p", "r", &settings(""), &[], 6, &candidates);
        let blocking: Vec<_> = by_default
            .reasons
            .iter()
            .filter_map(GateReason::fingerprint)
            .collect();
        assert_eq!(blocking, ["accepted", "open", "confirmed"]);
        let aside: Vec<_> = by_default
            .decided_in_tool
            .iter()
            .map(|d| (d.fingerprint.as_str(), d.decision))
            .collect();
        assert_eq!(
            aside,
            [
                ("fp", ToolDecision::FalsePositive),
                ("wontfix", ToolDecision::WontFix)
            ]
        );
        assert!(
            by_default.decided_in_tool[0]
                .describe()
                .contains("decided in SonarQube: false positive")
        );

        // A policy may honour acceptances made in the tool, or none of the tools' decisions.
        let with_acceptances =
            settings("[gate]\nhonour_tool_decisions = [\"false_positive\", \"accepted\"]\n");
        let result = judge("p", "r", &with_acceptances, &[], 6, &candidates);
        let blocking: Vec<_> = result
            .reasons
            .iter()
            .filter_map(GateReason::fingerprint)
            .collect();
        assert_eq!(blocking, ["wontfix", "open", "confirmed"]);
        let none = settings("[gate]\nhonour_tool_decisions = []\n");
        let result = judge("p", "r", &none, &[], 6, &candidates);
        assert_eq!(result.reasons.len(), 5);
        assert!(result.decided_in_tool.is_empty());
    }

    #[test]
    fn a_kind_threshold_replaces_fail_on_and_never_means_never() {
        let s = settings(
            "[gate]\nfail_on = \"critical\"\n[gate.kinds]\ncode = \"never\"\nsecret = \"low\"\n",
        );
        let candidates = [
            finding("a", Severity::High, Kind::Vulnerability),
            finding("b", Severity::Critical, Kind::Code),
            finding("c", Severity::Low, Kind::Secret),
        ];
        let result = judge("p", "r", &s, &[], 3, &candidates);
        let fingerprints: Vec<_> = result
            .reasons
            .iter()
            .filter_map(GateReason::fingerprint)
            .collect();
        assert_eq!(fingerprints, ["c"]);
    }

    #[test]
    fn required_tools_missing_and_stale_scans_block() {
        let s = GateSettings::new(
            None,
            Policy::parse("[gate]\nmax_scan_age_days = 7\nrequired_tools = [\"trivy\"]\n")
                .expect("policy"),
            None,
            &["TFSEC".to_string(), "Trivy".to_string()],
            at(20),
        );
        assert_eq!(
            s.required_tools,
            ["trivy", "TFSEC"],
            "a tool named twice counts once"
        );
        let result = judge("p", "r", &s, &[scan("trivy", at(1))], 0, &[]);
        assert_eq!(rules(&result), ["required-scans", "scan-age"]);
    }

    #[test]
    fn a_required_quality_gate_must_be_there_and_its_failed_conditions_block() {
        let s =
            settings("[gate]\nfail_on = \"critical\"\nrequire_quality_gate = [\"sonarqube\"]\n");
        let missing = judge("p", "r", &s, &[scan("sonarqube", at(19))], 0, &[]);
        assert_eq!(
            missing.reasons,
            [GateReason::MissingScan {
                tool: "sonarqube-quality-gate".into()
            }]
        );
        // A failed condition is high: below this policy's threshold, and blocking all the same.
        let mut condition = finding("qg", Severity::High, Kind::Code);
        condition.tool = "sonarqube-quality-gate".into();
        condition.rule_id = "quality_gate:new_coverage".into();
        let failed = judge(
            "p",
            "r",
            &s,
            &[scan("sonarqube-quality-gate", at(19))],
            1,
            &[condition.clone()],
        );
        assert_eq!(rules(&failed), ["quality-gate"]);
        assert!(
            failed.reasons[0]
                .message()
                .contains("SonarQube quality gate failed on quality_gate:new_coverage")
        );
        // Without the requirement, the same condition is a high finding under a critical threshold.
        let s = settings("[gate]\nfail_on = \"critical\"\n");
        let relaxed = judge("p", "r", &s, &[], 1, &[condition]);
        assert_eq!(relaxed.verdict, GateVerdict::Passed);
    }

    #[test]
    fn an_ignore_rule_leaves_a_finding_out_with_its_reason() {
        let s = settings(
            "[[ignore]]\ntool = \"trivy\"\nrule = \"CVE-2026-0001\"\nreason = \"not shipped\"\n",
        );
        let result = judge(
            "p",
            "r",
            &s,
            &[],
            1,
            &[finding("a", Severity::Critical, Kind::Vulnerability)],
        );
        assert_eq!(result.verdict, GateVerdict::Passed);
        assert_eq!(result.ignored.len(), 1);
        assert_eq!(result.ignored[0].reason, "not shipped");
    }

    #[test]
    fn an_sla_breach_blocks_when_the_policy_says_so() {
        let s = settings(
            "[gate]\nfail_on = \"critical\"\nblock_sla_breaches = true\n[sla]\nhigh = 10\n",
        );
        let result = judge(
            "p",
            "r",
            &s,
            &[],
            1,
            &[finding("a", Severity::High, Kind::Vulnerability)],
        );
        assert_eq!(rules(&result), ["sla"]);
    }
}
