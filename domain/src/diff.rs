//! The diff between two releases of a project: what is new, still open, fixed, or not known
//! because its slot was not scanned again.

use crate::{ScanId, ScanSummary, ViewFinding};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How a finding changed between two releases.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DiffChange {
    /// In the later release, not in the earlier one.
    New,
    /// In both.
    StillOpen,
    /// In the earlier release; the slot that reported it was scanned again and no longer does.
    Fixed,
    /// In the earlier release; its slot has no complete scan in the later release (none, or a
    /// partial one), so nobody knows.
    NotRescanned,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DiffEntry {
    pub change: DiffChange,
    #[serde(flatten)]
    pub finding: ViewFinding,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Diff {
    pub project: String,
    pub from: String,
    pub to: String,
    pub new: u64,
    pub still_open: u64,
    pub fixed: u64,
    pub not_rescanned: u64,
    pub entries: Vec<DiffEntry>,
}

/// The diff from one release's current view to another's, each given as its current scans and
/// findings. A finding only the earlier release has is `fixed` when the slot (tool, label) that
/// reported it has a complete scan in the later release, else `not_rescanned`. Entries are
/// grouped by change, most severe first within each.
pub fn diff(
    project: &str,
    from: &str,
    to: &str,
    before: (&[ScanSummary], Vec<ViewFinding>),
    after: (&[ScanSummary], Vec<ViewFinding>),
) -> Diff {
    // Slots whose later scan is complete: only those can show a finding as fixed.
    let after_slots: HashSet<(String, String)> = after
        .0
        .iter()
        .filter(|s| !s.partial)
        .map(|s| (s.tool.clone(), s.label.clone()))
        .collect();
    let slot_of: HashMap<ScanId, (String, String)> = before
        .0
        .iter()
        .map(|s| (ScanId::new(s.id), (s.tool.clone(), s.label.clone())))
        .collect();
    // A finding is one fingerprint of the project in every release.
    let before_ids: HashSet<String> = before.1.iter().map(|f| f.fingerprint.clone()).collect();
    let after_ids: HashSet<String> = after.1.iter().map(|f| f.fingerprint.clone()).collect();
    let mut entries = Vec::new();
    for f in after.1 {
        let change = if before_ids.contains(&f.fingerprint) {
            DiffChange::StillOpen
        } else {
            DiffChange::New
        };
        entries.push(DiffEntry { change, finding: f });
    }
    for f in before.1 {
        if after_ids.contains(&f.fingerprint) {
            continue;
        }
        let rescanned = slot_of
            .get(&f.scan_id)
            .is_some_and(|slot| after_slots.contains(slot));
        let change = if rescanned {
            DiffChange::Fixed
        } else {
            DiffChange::NotRescanned
        };
        entries.push(DiffEntry { change, finding: f });
    }
    entries.sort_by(|a, b| {
        a.change
            .cmp(&b.change)
            .then_with(|| b.finding.severity.cmp(&a.finding.severity))
    });
    let count = |c: DiffChange| entries.iter().filter(|e| e.change == c).count() as u64;
    Diff {
        project: project.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        new: count(DiffChange::New),
        still_open: count(DiffChange::StillOpen),
        fixed: count(DiffChange::Fixed),
        not_rescanned: count(DiffChange::NotRescanned),
        entries,
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Kind, Severity, TriageStatus};
    use chrono::NaiveDate;

    fn scan(id: i64, tool: &str, partial: bool) -> ScanSummary {
        ScanSummary {
            id,
            tool: tool.into(),
            format: "json".into(),
            label: tool.into(),
            target: None,
            tool_version: None,
            scanned_at: None,
            sha256: String::new(),
            file_name: None,
            uploaded_at: NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("a date"),
            uploaded_by: "ci".into(),
            findings: 0,
            superseded: false,
            partial,
        }
    }

    fn finding(fingerprint: &str, scan_id: i64, severity: Severity) -> ViewFinding {
        ViewFinding {
            fingerprint: fingerprint.into(),
            severity,
            severity_original: None,
            kind: Kind::Vulnerability,
            category: None,
            rule_id: "r".into(),
            title: "t".into(),
            tool: "t".into(),
            status: TriageStatus::Open,
            tool_status: None,
            component: None,
            component_version: None,
            purl: None,
            fixed_version: None,
            cvss_score: None,
            cwe: Vec::new(),
            target: None,
            file: None,
            line_start: None,
            line_end: None,
            resource: None,
            url: None,
            parameter: None,
            scan_id: ScanId::new(scan_id),
            scan_label: String::new(),
            first_seen_at: NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("a date"),
            decision: None,
            finding_id: None,
        }
    }

    #[test]
    fn gone_from_a_rescanned_slot_is_fixed_and_from_an_unscanned_one_unknown() {
        let before_scans = [
            scan(1, "trivy", false),
            scan(2, "tfsec", false),
            scan(3, "sonar", false),
        ];
        let before = vec![
            finding("kept", 1, Severity::High),
            finding("gone", 1, Severity::Low),
            finding("unscanned", 2, Severity::Critical),
            finding("partly", 3, Severity::Medium),
        ];
        // trivy scanned again in full, sonar only partly, tfsec not at all.
        let after_scans = [scan(4, "trivy", false), scan(5, "sonar", true)];
        let after = vec![
            finding("kept", 4, Severity::High),
            finding("new", 4, Severity::Info),
        ];
        let d = diff(
            "p",
            "1.0",
            "1.1",
            (&before_scans, before),
            (&after_scans, after),
        );
        let changes: Vec<(&str, DiffChange)> = d
            .entries
            .iter()
            .map(|e| (e.finding.fingerprint.as_str(), e.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("new", DiffChange::New),
                ("kept", DiffChange::StillOpen),
                ("gone", DiffChange::Fixed),
                ("unscanned", DiffChange::NotRescanned),
                ("partly", DiffChange::NotRescanned),
            ]
        );
        assert_eq!(
            (d.new, d.still_open, d.fixed, d.not_rescanned),
            (1, 1, 1, 2)
        );
    }
}
