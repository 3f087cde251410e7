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
//! and `--require`). Every evaluation is recorded with the policy version it used.

use crate::Store;
use crate::catalog::release;
use crate::db::DbConn;
use crate::error::StoreError;
use crate::policy::{LicenseVerdict, Policy, Threshold, active_policy};
use crate::tables::*;
use crate::tx::write_tx;
use crate::view::{ViewFinding, release_view_in};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
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
                    .map(|s| format!(", tool: {s}"))
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

fn location(f: &ViewFinding) -> Option<String> {
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

/// Evaluates the gate inside a transaction; does not record it.
pub(crate) fn evaluate(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<(GateResult, i64), StoreError> {
    let rel = release(conn, project, release_name)?;
    let (policy_version, policy) = match active_policy(conn, rel.project_id)? {
        Some((v, p)) => (Some(v), p),
        None => (None, Policy::default()),
    };
    let at = options.at.unwrap_or_else(crate::now);
    let fail_on = options.fail_on.unwrap_or(policy.gate.fail_on);
    let mut required_tools = policy.gate.required_tools.clone();
    for tool in &options.required_tools {
        if !required_tools.iter().any(|t| t.eq_ignore_ascii_case(tool)) {
            required_tools.push(tool.clone());
        }
    }
    let view = release_view_in(conn, project, release_name)?;
    let mut reasons = Vec::new();

    for tool in &required_tools {
        if !view.scans.iter().any(|s| s.tool.eq_ignore_ascii_case(tool)) {
            reasons.push(GateReason::MissingScan { tool: tool.clone() });
        }
    }
    if let Some(max) = policy.gate.max_scan_age_days {
        for scan in &view.scans {
            let required = required_tools.is_empty()
                || required_tools
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&scan.tool));
            if !required {
                continue;
            }
            let when = scanned_at(scan.scanned_at.as_deref(), scan.uploaded_at);
            let age_days = (at - when).num_days();
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

    let mut ignored = Vec::new();
    for f in &view.findings {
        let path = f.file.as_deref().or(f.resource.as_deref());
        if let Some(rule) = policy.ignored_by(&f.tool, &f.rule_id, path) {
            ignored.push(IgnoredFinding {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                reason: rule.reason.clone(),
            });
            continue;
        }
        let expires_at = f.decision.as_ref().and_then(|d| d.expires_at);
        let expired = f.status == "accepted" && expires_at.is_some_and(|e| e <= at);
        match f.status.as_str() {
            "false_positive" => continue,
            "accepted" if !expired => continue,
            "accepted" => {
                if policy.gate.block_expired_acceptances
                    && let Some(expired_at) = expires_at
                {
                    reasons.push(GateReason::ExpiredAcceptance {
                        fingerprint: f.fingerprint.clone(),
                        severity: f.severity,
                        rule_id: f.rule_id.clone(),
                        title: f.title.clone(),
                        approver: f.decision.as_ref().and_then(|d| d.approver.clone()),
                        decided_by: f.decision.as_ref().map(|d| d.decided_by.clone()),
                        expired_at,
                    });
                }
                continue;
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
            continue;
        }
        let tool_exempt = f.tool_status.as_deref().is_some_and(|ts| {
            policy
                .gate
                .non_blocking_tool_statuses
                .iter()
                .any(|s| s.eq_ignore_ascii_case(ts))
        });
        if tool_exempt {
            continue;
        }
        // A kind whose threshold is `never` never blocks, by severity or by SLA.
        let threshold = match policy.kind_threshold(&f.kind) {
            Some(Threshold::Never) => continue,
            Some(Threshold::AtLeast(s)) => s,
            None => fail_on,
        };
        if f.severity >= threshold {
            reasons.push(GateReason::BlockingFinding {
                fingerprint: f.fingerprint.clone(),
                severity: f.severity,
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
            && let Some(days) = policy.sla.days(f.severity)
        {
            let due_at = f.first_seen_at + TimeDelta::days(i64::from(days));
            if at > due_at {
                reasons.push(GateReason::SlaBreach {
                    fingerprint: f.fingerprint.clone(),
                    severity: f.severity,
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
    Ok((
        GateResult {
            project: project.to_string(),
            release: release_name.to_string(),
            passed: reasons.is_empty(),
            policy_version,
            fail_on,
            required_tools,
            evaluated_at: at,
            scans: view.scans.len(),
            findings: view.findings.len(),
            reasons,
            ignored,
        },
        rel.id,
    ))
}

impl Store {
    /// Evaluates the gate for a release and records the evaluation (with the policy version).
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
                    gate_evaluations::reasons
                        .eq(serde_json::to_string(&result.reasons).unwrap_or_else(|_| "[]".into())),
                    gate_evaluations::evaluated_by
                        .eq(options.evaluated_by.as_deref().unwrap_or("anonymous")),
                    gate_evaluations::evaluated_at.eq(result.evaluated_at),
                ))
                .execute(c)?;
            Ok(result)
        })
    }
}
