//! A finding as it stands in a release: what the store returns, the API and the CLI show and
//! the reports render, with our triage decision on it.

use crate::{FindingId, Kind, ScanId, Severity, TriageStatus};
use chrono::NaiveDateTime;
use serde::Serialize;

/// One finding as it stands in a release's current view.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewFinding {
    pub fingerprint: String,
    pub severity: Severity,
    pub severity_original: Option<String>,
    pub kind: Kind,
    pub category: Option<String>,
    pub rule_id: String,
    pub title: String,
    pub tool: String,
    /// Our triage state: `open` unless someone decided otherwise.
    pub status: TriageStatus,
    /// The tool's own state of the finding.
    pub tool_status: Option<String>,
    pub component: Option<String>,
    pub component_version: Option<String>,
    pub purl: Option<String>,
    pub fixed_version: Option<String>,
    pub cvss_score: Option<f64>,
    /// The EPSS probability of exploitation the tool gave with this scan (`0..=1`); absent
    /// when it gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<f64>,
    /// That probability's percentile among all scored CVEs (`0..=1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss_percentile: Option<f64>,
    pub cwe: Vec<String>,
    pub target: Option<String>,
    pub file: Option<String>,
    pub line_start: Option<i64>,
    pub line_end: Option<i64>,
    pub resource: Option<String>,
    pub url: Option<String>,
    pub parameter: Option<String>,
    pub scan_id: ScanId,
    pub scan_label: String,
    pub first_seen_at: NaiveDateTime,
    /// Who decided `status`, when, and why; `None` while nobody has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The store's id of the finding; `None` when it came over the API, which does not send it.
    #[serde(skip)]
    pub finding_id: Option<FindingId>,
}

/// The details of our triage decision on a finding (its status is [`ViewFinding::status`]).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub justification: Option<String>,
    pub approver: Option<String>,
    /// Acceptances only: the decision stops counting at the start of this day (UTC).
    pub expires_at: Option<NaiveDateTime>,
    pub decided_by: String,
    pub decided_at: NaiveDateTime,
}

impl ViewFinding {
    /// Whether someone decided on it (or its status is other than `open`).
    pub fn has_decision(&self) -> bool {
        self.decision.is_some() || self.status != TriageStatus::Open
    }

    /// Why it was decided, when someone gave a reason.
    pub fn justification(&self) -> Option<&str> {
        self.decision.as_ref()?.justification.as_deref()
    }

    /// Who approved an accepted risk.
    pub fn approver(&self) -> Option<&str> {
        self.decision.as_ref()?.approver.as_deref()
    }

    /// When an acceptance stops counting.
    pub fn expires_at(&self) -> Option<NaiveDateTime> {
        self.decision.as_ref()?.expires_at
    }

    /// Who decided.
    pub fn decided_by(&self) -> Option<&str> {
        self.decision.as_ref().map(|d| d.decided_by.as_str())
    }

    /// When it was decided.
    pub fn decided_at(&self) -> Option<NaiveDateTime> {
        self.decision.as_ref().map(|d| d.decided_at)
    }

    /// Where it is, as people read it (the rule every rendering shares: [`Place`]).
    pub fn location(&self) -> String {
        Place {
            file: self.file.as_deref(),
            line_start: self.line_start,
            url: self.url.as_deref(),
            parameter: self.parameter.as_deref(),
            component: self.component.as_deref(),
            component_version: self.component_version.as_deref(),
            resource: self.resource.as_deref(),
            target: self.target.as_deref(),
        }
        .render()
    }
}

/// Where a finding is, as people read it; the one rule for every rendering (reports, the web
/// UI, diffs): `file:line`, else `url (parameter)`, else `component version`, else the
/// resource or the scan target.
pub struct Place<'a> {
    pub file: Option<&'a str>,
    pub line_start: Option<i64>,
    pub url: Option<&'a str>,
    pub parameter: Option<&'a str>,
    pub component: Option<&'a str>,
    pub component_version: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub target: Option<&'a str>,
}

impl Place<'_> {
    pub fn render(&self) -> String {
        if let Some(file) = self.file {
            return match self.line_start {
                Some(line) => format!("{file}:{line}"),
                None => file.to_string(),
            };
        }
        if let Some(url) = self.url {
            return match self.parameter {
                Some(p) => format!("{url} ({p})"),
                None => url.to_string(),
            };
        }
        if let Some(component) = self.component {
            return match self.component_version {
                Some(v) => format!("{component} {v}"),
                None => component.to_string(),
            };
        }
        self.resource
            .or(self.target)
            .unwrap_or_default()
            .to_string()
    }
}

/// A tool's own status of a finding, worded for people. Trivy's `fixed` means "a fixed version
/// exists", not that the finding went away; next to a diff's "fixed" it would read as the
/// opposite, so it is shown as `fix available`. Stored values and machine formats (JSON, CSV,
/// SARIF) keep the tool's word.
pub fn tool_status_label(status: &str) -> &str {
    match status {
        "fixed" => "fix available",
        other => other,
    }
}
