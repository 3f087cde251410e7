//! The release gate: may this release ship?
//!
//! Blocked when the current view has an open or confirmed finding at or above the threshold, or
//! a required tool has no scan. Each reason names the finding or the tool. (Policies, SLAs and
//! acceptance expiry come with the triage and policy issue.)

use crate::Store;
use crate::error::StoreError;
use crate::tx::read_tx;
use crate::view::release_view_in;
use importers::Severity;
use serde::Serialize;

/// Triage states that do not block: someone looked and decided.
const NON_BLOCKING_STATUSES: [&str; 2] = ["false_positive", "accepted"];

#[derive(Debug, Clone)]
pub struct GateOptions {
    /// Findings at or above this severity block (default: high).
    pub fail_on: Severity,
    /// Tools that must have a scan in the release.
    pub required_tools: Vec<String>,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions {
            fail_on: Severity::High,
            required_tools: Vec::new(),
        }
    }
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
        status: String,
        location: Option<String>,
    },
    MissingScan {
        tool: String,
    },
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GateResult {
    pub project: String,
    pub release: String,
    pub passed: bool,
    pub fail_on: Severity,
    pub required_tools: Vec<String>,
    pub scans: usize,
    pub findings: usize,
    pub reasons: Vec<GateReason>,
}

impl Store {
    pub fn gate(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        let mut conn = self.conn()?;
        let view = read_tx(&mut conn, |c| release_view_in(c, project, release))?;
        let mut reasons = Vec::new();
        for tool in &options.required_tools {
            if !view.scans.iter().any(|s| s.tool.eq_ignore_ascii_case(tool)) {
                reasons.push(GateReason::MissingScan { tool: tool.clone() });
            }
        }
        for f in &view.findings {
            if f.severity >= options.fail_on && !NON_BLOCKING_STATUSES.contains(&f.status.as_str())
            {
                let location = [
                    f.file.as_deref(),
                    f.resource.as_deref(),
                    f.url.as_deref(),
                    f.component.as_deref(),
                    f.target.as_deref(),
                ]
                .into_iter()
                .flatten()
                .next()
                .map(str::to_string);
                reasons.push(GateReason::BlockingFinding {
                    fingerprint: f.fingerprint.clone(),
                    severity: f.severity,
                    rule_id: f.rule_id.clone(),
                    title: f.title.clone(),
                    tool: f.tool.clone(),
                    status: f.status.clone(),
                    location,
                });
            }
        }
        Ok(GateResult {
            project: project.to_string(),
            release: release.to_string(),
            passed: reasons.is_empty(),
            fail_on: options.fail_on,
            required_tools: options.required_tools.clone(),
            scans: view.scans.len(),
            findings: view.findings.len(),
            reasons,
        })
    }
}
