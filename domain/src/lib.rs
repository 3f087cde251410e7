//! # domain
//!
//! What ScanLedger's words mean, as types: typed ids, the closed sets (severity, finding kind,
//! triage status, role, ...), the finding of a release as the store returns it and the reports
//! render it, and the pure rules that judge them.
//!
//! Not here: SQL (`schema`), parsing reports (`importers`), rendering (`reports`), HTTP
//! (`server`), any I/O or clock. Every function here is a function of its arguments, so each
//! rule is tested without a database.

mod access;
mod diff;
mod error;
mod finding;
mod gate;
mod ids;
mod policy;
mod scan;
mod severity;
mod sla;
#[cfg(test)]
mod testing;
mod tool_decision;
mod triage;

pub use access::{Permission, Role};
pub use diff::{Diff, DiffChange, DiffEntry, diff};
pub use error::InvalidValue;
pub use finding::{Decision, Place, ViewFinding, tool_status_label};
pub use gate::{
    GateFinding, GateReason, GateReasonRef, GateResult, GateSettings, GateVerdict, IgnoredFinding,
    Judgement, SetAside, ToolDecidedFinding, judge, judge_finding, judge_scans, quality_gate_tool,
    view_order,
};
pub use ids::{FindingId, ProjectId, ReleaseId, ScanId, TokenId, UserId};
pub use policy::{
    GatePolicy, IgnoreRule, LicensePolicy, LicenseVerdict, Policy, PolicyError, SlaPolicy, SpdxId,
    Threshold,
};
pub use scan::ScanSummary;
pub use severity::{Kind, Severity};
pub use sla::{SlaItem, sla_item, sla_items, sort_sla_items};
pub use tool_decision::{ToolDecision, tool_display_name};
pub use triage::{TriageDecision, TriageStatus};
