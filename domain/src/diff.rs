//! The diff between two releases of a project: what is new, told apart from a finding that an
//! older fingerprint version merged, still open, fixed, or not known because its slot was not
//! scanned again.

use crate::{ScanId, ScanSummary, ViewFinding};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How a finding changed between two releases.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiffChange {
    /// In the later release, not in the earlier one.
    New,
    /// In the later release only, but not new: a part of a finding of the earlier release that
    /// fingerprint version 1 had merged with it, now told apart (`importers::identity`).
    IdentityRefined,
    /// In both.
    StillOpen,
    /// In the earlier release; the slot that reported it was scanned again and no longer does.
    Fixed,
    /// In the earlier release; its slot has no complete scan in the later release (none, or a
    /// partial one), so nobody knows.
    NotRescanned,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffEntry {
    pub change: DiffChange,
    #[serde(flatten)]
    pub finding: ViewFinding,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diff {
    pub project: String,
    pub from: String,
    pub to: String,
    pub new: u64,
    #[serde(default)]
    pub identity_refined: u64,
    pub still_open: u64,
    pub fixed: u64,
    pub not_rescanned: u64,
    pub entries: Vec<DiffEntry>,
}

impl Diff {
    /// `N new, N still open, N fixed, N not rescanned`, with `N identity refined` after the new
    /// ones when there are some.
    pub fn summary(&self) -> String {
        let refined = match self.identity_refined {
            0 => String::new(),
            n => format!(", {n} identity refined"),
        };
        format!(
            "{} new{refined}, {} still open, {} fixed, {} not rescanned",
            self.new, self.still_open, self.fixed, self.not_rescanned
        )
    }
}

/// The diff from one release's current view to another's, each given as its current scans and
/// findings. A finding only the earlier release has is `fixed` when the slot (tool, label) that
/// reported it has a complete scan in the later release, else `not_rescanned`. A finding only
/// the later release has is `identity_refined` when `refined` names the finding it was told
/// apart from (fingerprint to fingerprint) and the earlier release has that one, else `new`.
/// Entries are grouped by change, most severe first within each.
pub fn diff(
    project: &str,
    from: &str,
    to: &str,
    before: (&[ScanSummary], Vec<ViewFinding>),
    after: (&[ScanSummary], Vec<ViewFinding>),
    refined: &HashMap<String, String>,
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
        .map(|s| (s.id, (s.tool.clone(), s.label.clone())))
        .collect();
    // A finding is one fingerprint of the project in every release.
    let before_ids: HashSet<String> = before.1.iter().map(|f| f.fingerprint.clone()).collect();
    let after_ids: HashSet<String> = after.1.iter().map(|f| f.fingerprint.clone()).collect();
    let mut entries = Vec::new();
    for f in after.1 {
        let change = if before_ids.contains(&f.fingerprint) {
            DiffChange::StillOpen
        } else if refined
            .get(&f.fingerprint)
            .is_some_and(|merged| before_ids.contains(merged))
        {
            DiffChange::IdentityRefined
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
        identity_refined: count(DiffChange::IdentityRefined),
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
    use crate::Severity;
    use crate::testing::{day, finding};

    fn scan(id: i64, tool: &str, partial: bool) -> ScanSummary {
        crate::testing::scan(id, tool, partial, day(1, 1))
    }

    #[test]
    fn gone_from_a_rescanned_slot_is_fixed_and_from_an_unscanned_one_unknown() {
        let before_scans = [
            scan(1, "trivy", false),
            scan(2, "tfsec", false),
            scan(3, "sonar", false),
        ];
        let before = vec![
            finding("kept", Severity::High, 1),
            finding("gone", Severity::Low, 1),
            finding("unscanned", Severity::Critical, 2),
            finding("partly", Severity::Medium, 3),
        ];
        // trivy scanned again in full, sonar only partly, tfsec not at all.
        let after_scans = [scan(4, "trivy", false), scan(5, "sonar", true)];
        let after = vec![
            finding("kept", Severity::High, 4),
            finding("new", Severity::Info, 4),
        ];
        let d = diff(
            "p",
            "1.0",
            "1.1",
            (&before_scans, before),
            (&after_scans, after),
            &HashMap::new(),
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

    #[test]
    fn a_part_told_apart_from_a_merged_finding_is_refined_not_new() {
        let before_scans = [scan(1, "tfsec", false)];
        let after_scans = [scan(2, "tfsec", false)];
        let before = vec![finding("merged", Severity::High, 1)];
        let after = vec![
            finding("merged", Severity::High, 2),
            finding("second-part", Severity::High, 2),
            finding("unrelated", Severity::Low, 2),
        ];
        let refined = HashMap::from([
            ("second-part".to_string(), "merged".to_string()),
            // Refined from a finding the earlier release does not show: new to it.
            ("unrelated".to_string(), "elsewhere".to_string()),
        ]);
        let d = diff(
            "p",
            "1.0",
            "1.1",
            (&before_scans, before),
            (&after_scans, after),
            &refined,
        );
        assert_eq!(
            (d.new, d.identity_refined, d.still_open, d.fixed),
            (1, 1, 1, 0)
        );
        assert!(
            d.entries
                .iter()
                .any(|e| e.finding.fingerprint == "second-part"
                    && e.change == DiffChange::IdentityRefined)
        );
    }
}
