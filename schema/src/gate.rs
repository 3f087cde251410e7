//! The release gate: may this release ship?
//!
//! The gate evaluates the project's active policy (or the defaults, when none is set) against
//! the release's current view and lists every reason it blocks, each naming its finding or
//! scan:
//!
//! - `blocking_finding`: an open or confirmed finding at or above the threshold of its kind;
//! - `missing_scan`: a required tool has no scan in the release;
//! - `stale_scan`: a scan is older than `max_scan_age_days` (the scans of required tools; every
//!   scan when no tool is required);
//! - `expired_acceptance`: an acceptance past its expiry date (when the policy says so);
//! - `denied_license`: a license finding on the deny list, or off a non-empty allow list;
//! - `sla_breach`: an open or confirmed finding past its SLA (when the policy says so).
//!
//! [`GateOptions`] can override the threshold and add required tools (the CLI's `--fail-on`
//! and `--require`). Every evaluation through [`Store::gate`] (API, CLI, sealing) is recorded
//! with the policy version it used; [`Store::gate_preview`] evaluates the same way for pages
//! that only show the gate, and records nothing.
//!
//! There is one judgement ([`judge`]: the scans, then each finding in the view's order). It
//! is fed from SQL ([`candidates`]): the current scans, a count of the view's findings, and
//! only the findings that may give a reason or be ignored (open ones at or above the lowest
//! threshold, expired acceptances, licenses, SLA candidates, ignore-rule matches), each as
//! its record in the release view, so nothing else of a large release is read. The preview
//! reads those candidates most severe first in batches and may stop early. `gate_from_view`
//! feeds the same judgement from the whole release view: the definition the tests compare
//! the SQL feed with.

use crate::catalog::{current_scans, release, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Bind, current_findings_sql};
use crate::policy::{LicenseVerdict, Policy, Threshold, active_policy};
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::view::{ViewFinding, current_summaries, release_view_in};
use crate::{ScanSummary, Store};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, SmallInt, Text, Timestamp};
use importers::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// Overrides the policy's `fail_on` (default: high).
    pub fail_on: Option<Severity>,
    /// Tools that must have a scan in the release, in addition to the policy's.
    pub required_tools: Vec<String>,
    /// Evaluate as of this time (UTC) instead of now: for re-evaluations and tests.
    pub at: Option<NaiveDateTime>,
    /// Who asks; recorded with the evaluation (default `anonymous`).
    pub evaluated_by: Option<String>,
}

/// Why a release is blocked.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GateReason {
    BlockingFinding {
        fingerprint: String,
        severity: Severity,
        rule_id: String,
        title: String,
        tool: String,
        kind: String,
        status: String,
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
        scan_id: i64,
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
        status: String,
        first_seen_at: NaiveDateTime,
        due_at: NaiveDateTime,
        sla_days: u32,
        days_over: i64,
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
        }
    }

    /// Every gate rule, in the order reports list them.
    pub const RULES: [&'static str; 6] = [
        "severity-threshold",
        "required-scans",
        "scan-age",
        "expired-acceptances",
        "licenses",
        "sla",
    ];

    /// The fingerprint of the finding this reason names, if it names one.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            GateReason::BlockingFinding { fingerprint, .. }
            | GateReason::ExpiredAcceptance { fingerprint, .. }
            | GateReason::DeniedLicense { fingerprint, .. }
            | GateReason::SlaBreach { fingerprint, .. } => Some(fingerprint),
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
                    .map(|s| format!(", tool: {}", reports::tool_status_label(s)))
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
        }
    }
}

/// What a recorded evaluation keeps of a reason: its kind and what it names (the finding's
/// fingerprint, the missing tool, the stale scan), never a copy of the finding's text, which
/// the findings and the raw reports already hold.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GateReasonRef {
    BlockingFinding { fingerprint: String },
    MissingScan { tool: String },
    StaleScan { scan_id: i64 },
    ExpiredAcceptance { fingerprint: String },
    DeniedLicense { fingerprint: String },
    SlaBreach { fingerprint: String },
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
        }
    }
}

/// One recorded gate evaluation ([`Store::gate`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GateEvaluation {
    pub policy_version: Option<i64>,
    pub passed: bool,
    pub reasons: Vec<GateReasonRef>,
    pub evaluated_by: String,
    pub evaluated_at: NaiveDateTime,
}

/// A finding an ignore rule of the policy left out.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct IgnoredFinding {
    pub fingerprint: String,
    pub rule_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GateResult {
    pub project: String,
    pub release: String,
    pub passed: bool,
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
}

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
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub(crate) struct GateFinding {
    #[diesel(sql_type = BigInt)]
    finding_id: i64,
    #[diesel(sql_type = Text)]
    fingerprint: String,
    /// The severity's rank ([`Severity::rank`]).
    #[diesel(sql_type = SmallInt)]
    severity: i16,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    rule_id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    tool: String,
    /// Our triage state (`open` while undecided).
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    tool_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    component: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    file: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    resource: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    url: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    line_start: Option<i64>,
    #[diesel(sql_type = Timestamp)]
    first_seen_at: NaiveDateTime,
    /// The triage decision's approver, author and expiry (`None` while undecided).
    #[diesel(sql_type = Nullable<Text>)]
    approver: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    decided_by: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    expires_at: Option<NaiveDateTime>,
}

/// The columns of a [`GateFinding`], for [`current_findings_sql`].
const GATE_COLUMNS: &str = "o.finding_id, f.fingerprint, o.severity, f.kind, f.rule_id, \
    COALESCE(o.title, f.title) AS title, f.tool, COALESCE(t.status, 'open') AS status, \
    o.tool_status, f.component_name AS component, o.target, o.file, o.resource, o.url, \
    o.line_start, f.first_seen_at, t.approver, t.decided_by, t.expires_at";

impl From<ViewFinding> for GateFinding {
    fn from(f: ViewFinding) -> GateFinding {
        let decision = f.decision;
        GateFinding {
            finding_id: f.finding_id.map_or(0, domain::FindingId::get),
            fingerprint: f.fingerprint,
            severity: f.severity.rank(),
            kind: f.kind.as_str().to_string(),
            rule_id: f.rule_id,
            title: f.title,
            tool: f.tool,
            status: f.status.as_str().to_string(),
            tool_status: f.tool_status,
            component: f.component,
            target: f.target,
            file: f.file,
            resource: f.resource,
            url: f.url,
            line_start: f.line_start,
            first_seen_at: f.first_seen_at,
            approver: decision.as_ref().and_then(|d| d.approver.clone()),
            decided_by: decision.as_ref().map(|d| d.decided_by.clone()),
            expires_at: decision.and_then(|d| d.expires_at),
        }
    }
}

/// The release view's order: most severe first, then by rule id and fingerprint.
fn view_order(a: &GateFinding, b: &GateFinding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.rule_id.cmp(&b.rule_id))
        .then_with(|| a.fingerprint.cmp(&b.fingerprint))
}

/// The release's gate settings: the policy in force and the options applied to it.
struct Settings {
    release_id: i64,
    policy_version: Option<i64>,
    policy: Policy,
    at: NaiveDateTime,
    fail_on: Severity,
    required_tools: Vec<String>,
}

fn settings(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<Settings, StoreError> {
    let rel = release(conn, project, release_name)?;
    let (policy_version, policy) = match active_policy(conn, rel.project_id)? {
        Some((v, p)) => (Some(v), p),
        None => (None, Policy::default()),
    };
    let fail_on = options.fail_on.unwrap_or(policy.gate.fail_on);
    let mut required_tools = policy.gate.required_tools.clone();
    for tool in &options.required_tools {
        if !required_tools.iter().any(|t| t.eq_ignore_ascii_case(tool)) {
            required_tools.push(tool.clone());
        }
    }
    Ok(Settings {
        release_id: rel.id,
        policy_version,
        policy,
        at: options.at.unwrap_or_else(crate::now),
        fail_on,
        required_tools,
    })
}

// ---------------------------------------------------------------- the judgement

/// The reasons a release's current scans give: required tools missing, scans too old.
fn judge_scans(s: &Settings, scans: &[ScanSummary]) -> Vec<GateReason> {
    let mut reasons = Vec::new();
    for tool in &s.required_tools {
        if !scans
            .iter()
            .any(|scan| scan.tool.eq_ignore_ascii_case(tool))
        {
            reasons.push(GateReason::MissingScan { tool: tool.clone() });
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

/// The reasons one finding gives, or the ignore rule that leaves it out.
fn judge_finding(
    s: &Settings,
    f: &GateFinding,
    reasons: &mut Vec<GateReason>,
    ignored: &mut Vec<IgnoredFinding>,
) {
    let policy = &s.policy;
    let at = s.at;
    let fail_on = s.fail_on;
    let severity = Severity::from_rank(f.severity);
    let path = f.file.as_deref().or(f.resource.as_deref());
    if let Some(rule) = policy.ignored_by(&f.tool, &f.rule_id, path) {
        ignored.push(IgnoredFinding {
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            reason: rule.reason.clone(),
        });
        return;
    }
    let expires_at = f.expires_at;
    let expired = f.status == "accepted" && expires_at.is_some_and(|e| e <= at);
    match f.status.as_str() {
        "false_positive" => return,
        "accepted" if !expired => return,
        "accepted" => {
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
        _ => {}
    }
    // Open or confirmed from here on.
    if f.kind == "license" && policy.licenses.is_set() {
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
    let threshold = match policy.kind_threshold(&f.kind) {
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
            kind: f.kind.clone(),
            status: f.status.clone(),
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
                status: f.status.clone(),
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
/// give a reason or are ignored). The one implementation, whatever fed it.
fn judge(
    project: &str,
    release_name: &str,
    s: &Settings,
    scans: &[ScanSummary],
    findings: usize,
    candidates: &[GateFinding],
) -> GateResult {
    let mut reasons = judge_scans(s, scans);
    let mut ignored = Vec::new();
    for f in candidates {
        judge_finding(s, f, &mut reasons, &mut ignored);
    }
    GateResult {
        project: project.to_string(),
        release: release_name.to_string(),
        passed: reasons.is_empty(),
        policy_version: s.policy_version,
        fail_on: s.fail_on,
        required_tools: s.required_tools.clone(),
        evaluated_at: s.at,
        scans: scans.len(),
        findings,
        reasons,
        ignored,
    }
}

// ---------------------------------------------------------------- feeding it from SQL

/// The longest run of literal characters a path must contain to match `glob` (outside
/// classes, alternations and escapes; slashes trimmed, because `**/` may match nothing).
fn glob_needle(glob: &str) -> String {
    let mut best = String::new();
    let mut run = String::new();
    let mut alternation = 0usize;
    let mut chars = glob.chars().peekable();
    let flush = |run: &mut String, best: &mut String| {
        let trimmed = run.trim_matches('/');
        if trimmed.len() > best.len() {
            *best = trimmed.to_string();
        }
        run.clear();
    };
    while let Some(ch) = chars.next() {
        match ch {
            '[' => {
                flush(&mut run, &mut best);
                // A class: `[!...]` or `[^...]` negate it, a `]` right at its start is a member.
                chars.next_if(|c| *c == '!' || *c == '^');
                chars.next_if_eq(&']');
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            '{' => {
                flush(&mut run, &mut best);
                alternation += 1;
            }
            '}' => {
                run.clear();
                alternation = alternation.saturating_sub(1);
            }
            '\\' => {
                flush(&mut run, &mut best);
                chars.next();
            }
            '*' | '?' => flush(&mut run, &mut best),
            _ if alternation > 0 => {}
            _ => run.push(ch),
        }
    }
    flush(&mut run, &mut best);
    best
}

/// `%needle%` for LIKE, case kept, wildcards escaped.
fn contains_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// The current scans of the release, and how many findings its current view holds.
fn current_of(
    conn: &mut DbConn,
    release_id: i64,
) -> Result<(Vec<ScanSummary>, Vec<i64>, usize), StoreError> {
    let all = scans_of(conn, release_id)?;
    let current = current_scans(&all);
    let ids: Vec<i64> = current.iter().map(|s| s.id).collect();
    let findings: i64 = if ids.is_empty() {
        0
    } else {
        occurrences::table
            .filter(occurrences::scan_id.eq_any(&ids))
            .select(diesel::dsl::count(occurrences::finding_id).aggregate_distinct())
            .first(conn)?
    };
    Ok((
        current_summaries(&current),
        ids,
        usize::try_from(findings).unwrap_or(0),
    ))
}

/// A keyset page of candidates: most severe first, then by finding id, descending.
struct Batch {
    /// Continue after this (severity rank, finding id).
    after: Option<(i16, i64)>,
    size: usize,
}

/// The findings of the current view (`scan_ids`, not empty) that may give a reason or be
/// ignored under these settings: a superset that [`judge_finding`] narrows. Each condition
/// is on the finding's view record, so each candidate is judged as on the whole view.
fn candidates(
    conn: &mut DbConn,
    scan_ids: &[i64],
    s: &Settings,
    batch: Option<&Batch>,
) -> Result<Vec<GateFinding>, StoreError> {
    let policy = &s.policy;
    // Comparisons with the clock get a second of slack: the judgement is exact, the query
    // only has to miss nothing.
    let slack = TimeDelta::seconds(1);
    let mut sql = current_findings_sql(GATE_COLUMNS, scan_ids, None);
    let undecided = "COALESCE(t.status, 'open') NOT IN ('false_positive', 'accepted')";
    // Blocking findings: open or confirmed, at or above the lowest threshold of any kind.
    let lowest = policy
        .gate
        .kinds
        .values()
        .filter_map(|t| match t {
            Threshold::AtLeast(severity) => Some(*severity),
            Threshold::Never => None,
        })
        .chain([s.fail_on])
        .min()
        .unwrap_or(s.fail_on);
    sql.push(&format!(
        " AND (({undecided} AND o.severity >= {})",
        lowest.rank()
    ));
    if policy.gate.block_expired_acceptances {
        sql.push(" OR (t.status = 'accepted' AND t.expires_at <= ");
        sql.bind(Bind::Time(s.at + slack));
        sql.push(")");
    }
    if policy.licenses.is_set() {
        sql.push(&format!(" OR ({undecided} AND f.kind = 'license')"));
    }
    if policy.gate.block_sla_breaches {
        for severity in Severity::DESCENDING {
            if let Some(days) = policy.sla.days(severity) {
                sql.push(&format!(
                    " OR ({undecided} AND o.severity = {} AND f.first_seen_at < ",
                    severity.rank()
                ));
                sql.bind(Bind::Time(s.at - TimeDelta::days(i64::from(days)) + slack));
                sql.push(")");
            }
        }
    }
    // Ignored findings, whatever their state: the rule's tool and rule id exactly, its path
    // glob by a literal part every matching path contains.
    for rule in &policy.ignore {
        sql.push(" OR (1 = 1");
        if let Some(tool) = &rule.tool {
            sql.push(" AND LOWER(f.tool) = LOWER(");
            sql.bind(Bind::Text(tool.clone()));
            sql.push(")");
        }
        if let Some(id) = &rule.rule {
            sql.push(" AND f.rule_id = ");
            sql.bind(Bind::Text(id.clone()));
        }
        if let Some(glob) = &rule.path {
            let needle = glob_needle(glob);
            if needle.is_empty() {
                sql.push(" AND COALESCE(o.file, o.resource) IS NOT NULL");
            } else {
                sql.push(" AND COALESCE(o.file, o.resource) LIKE ");
                sql.bind(Bind::Text(contains_pattern(&needle)));
                sql.push(" ESCAPE '\\'");
            }
        }
        sql.push(")");
    }
    sql.push(")");
    if let Some(batch) = batch {
        if let Some((rank, id)) = batch.after {
            sql.push(&format!(
                " AND (o.severity < {rank} OR (o.severity = {rank} AND o.finding_id < "
            ));
            sql.bind(Bind::Int(id));
            sql.push("))");
        }
        // The index on (scan_id, severity, finding_id), read backwards.
        sql.push(&format!(
            " ORDER BY o.severity DESC, o.finding_id DESC LIMIT {}",
            batch.size
        ));
    }
    sql.load(conn)
}

/// Evaluates the gate on every candidate, fed from SQL; does not record it.
fn evaluate(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<(GateResult, i64), StoreError> {
    let s = settings(conn, project, release_name, options)?;
    let (scans, ids, findings) = current_of(conn, s.release_id)?;
    let mut all = if ids.is_empty() {
        Vec::new()
    } else {
        candidates(conn, &ids, &s, None)?
    };
    all.sort_by(view_order);
    Ok((
        judge(project, release_name, &s, &scans, findings, &all),
        s.release_id,
    ))
}

/// The gate judged on the whole release view: the definition [`evaluate`] must match.
fn evaluate_on_view(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<GateResult, StoreError> {
    let s = settings(conn, project, release_name, options)?;
    let view = release_view_in(conn, project, release_name)?;
    let findings = view.findings.len();
    let all: Vec<GateFinding> = view.findings.into_iter().map(GateFinding::from).collect();
    Ok(judge(
        project,
        release_name,
        &s,
        &view.scans,
        findings,
        &all,
    ))
}

/// A gate evaluation for showing, not recorded; it may stop early (see
/// [`Store::gate_preview`]).
#[derive(Debug, Clone, Serialize)]
pub struct GatePreview {
    /// `passed` is exact. `reasons` and `ignored` are complete only when `complete` is.
    pub result: GateResult,
    /// Every candidate was judged: `result` is what [`Store::gate`] would answer.
    pub complete: bool,
}

fn preview(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
    max_reasons: usize,
) -> Result<GatePreview, StoreError> {
    let s = settings(conn, project, release_name, options)?;
    let (scans, ids, findings) = current_of(conn, s.release_id)?;
    let mut found = judge_scans(&s, &scans).len();
    // Candidates that gave a reason or were ignored, each judged once.
    let mut kept: Vec<GateFinding> = Vec::new();
    let mut complete = ids.is_empty();
    let mut batch = Batch {
        after: None,
        size: max_reasons.saturating_add(20).clamp(50, 1000),
    };
    while !complete && found < max_reasons.max(1) {
        let page = candidates(conn, &ids, &s, Some(&batch))?;
        complete = page.len() < batch.size;
        for f in page {
            batch.after = Some((f.severity, f.finding_id));
            let (mut reasons, mut ignored) = (Vec::new(), Vec::new());
            judge_finding(&s, &f, &mut reasons, &mut ignored);
            found += reasons.len();
            if !reasons.is_empty() || !ignored.is_empty() {
                kept.push(f);
            }
        }
    }
    kept.sort_by(view_order);
    Ok(GatePreview {
        result: judge(project, release_name, &s, &scans, findings, &kept),
        complete,
    })
}

impl Store {
    /// Evaluates the gate for a release and records the evaluation (policy version, verdict,
    /// and a reference to what each reason names): for the CLI's `gate`, the API's
    /// `POST .../gate` and sealing, whose answers are decisions. Reads that only show the gate
    /// use [`Store::gate_unrecorded`] or [`Store::gate_preview`].
    pub fn gate(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let (result, release_id) = evaluate(c, project, release, options)?;
            diesel::insert_into(gate_evaluations::table)
                .values((
                    gate_evaluations::release_id.eq(release_id),
                    gate_evaluations::policy_version.eq(result.policy_version),
                    gate_evaluations::passed.eq(result.passed),
                    gate_evaluations::reason_refs.eq(serde_json::to_string(
                        &result
                            .reasons
                            .iter()
                            .map(GateReasonRef::from)
                            .collect::<Vec<_>>(),
                    )
                    .map_err(|e| StoreError::Internal(format!("gate reasons: {e}")))?),
                    gate_evaluations::evaluated_by
                        .eq(options.evaluated_by.as_deref().unwrap_or("anonymous")),
                    gate_evaluations::evaluated_at.eq(result.evaluated_at),
                ))
                .execute(c)?;
            Ok(result)
        })
    }

    /// [`Store::gate`]'s result, every reason, without recording it: for draft reports and
    /// the API's `GET .../gate` (a read never writes evidence).
    pub fn gate_unrecorded(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            evaluate(c, project, release, options).map(|(result, _)| result)
        })
    }

    /// Evaluates the gate like [`Store::gate`] without recording it, for pages that show
    /// it (browsing must not grow `gate_evaluations`). It judges the findings most severe
    /// first and stops once it has `max_reasons` reasons (or somewhat more: it judges whole
    /// batches), so its cost follows `max_reasons` rather than the size of the release;
    /// `passed` is exact either way. With `usize::MAX` it judges everything and its result
    /// is [`Store::gate`]'s.
    pub fn gate_preview(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
        max_reasons: usize,
    ) -> Result<GatePreview, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            preview(c, project, release, options, max_reasons)
        })
    }

    /// The gate judged on the whole release view, not recorded: the reference that the
    /// SQL-fed evaluation is tested against. Slow on large releases; not for serving.
    #[doc(hidden)]
    pub fn gate_from_view(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            evaluate_on_view(c, project, release, options)
        })
    }

    /// The gate evaluations recorded for a release, oldest first.
    pub fn gate_evaluations(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<Vec<GateEvaluation>, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        let rows: Vec<(Option<i64>, bool, String, String, NaiveDateTime)> = gate_evaluations::table
            .filter(gate_evaluations::release_id.eq(rel.id))
            .order(gate_evaluations::id)
            .select((
                gate_evaluations::policy_version,
                gate_evaluations::passed,
                gate_evaluations::reason_refs,
                gate_evaluations::evaluated_by,
                gate_evaluations::evaluated_at,
            ))
            .load(&mut conn)?;
        rows.into_iter()
            .map(
                |(policy_version, passed, refs, evaluated_by, evaluated_at)| {
                    Ok(GateEvaluation {
                        policy_version,
                        passed,
                        reasons: serde_json::from_str(&refs).map_err(|e| {
                            StoreError::Corrupt(format!(
                                "a recorded gate evaluation's reasons: {e}"
                            ))
                        })?,
                        evaluated_by,
                        evaluated_at,
                    })
                },
            )
            .collect()
    }

    /// How many gate evaluations are recorded for a release.
    pub fn gate_evaluation_count(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        Ok(gate_evaluations::table
            .filter(gate_evaluations::release_id.eq(rel.id))
            .count()
            .get_result(&mut conn)?)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::glob_needle;

    /// Every path a glob matches contains its needle (the candidate query relies on it).
    #[test]
    fn a_glob_needle_is_in_every_path_the_glob_matches() {
        let paths = [
            "test/a.js",
            "lib/test/a.js",
            "lib/test/deep/a.js",
            "src/app.js",
            "src/deep/b.js",
            "vendor/x.js",
            "third_party/y/z.py",
            "lib/x.c",
            "ib/x",
            "a*b",
            "a]b/c",
            "x]b/c",
            "x]y",
            "Dockerfile",
            "infra/main.tf",
        ];
        for (glob, needle) in [
            ("**/test/**", "test"),
            ("src/*.js", "src"),
            ("{vendor,third_party}/**", ""),
            ("[!x]ib/**", "ib"),
            ("a\\*b", "a"),
            ("[]x]]b/**", "]b"),
            ("**/Dockerfile", "Dockerfile"),
            ("infra/**/*.tf", "infra"),
            ("*", ""),
        ] {
            assert_eq!(glob_needle(glob), needle, "{glob}");
            let matcher = globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .expect("glob")
                .compile_matcher();
            for path in paths {
                if matcher.is_match(path) {
                    assert!(
                        path.contains(needle),
                        "{glob} matches {path} without {needle:?}"
                    );
                }
            }
        }
    }
}
