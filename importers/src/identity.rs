//! Identity within one report: results that share a fingerprint at distinct places are told
//! apart, never merged (fingerprint version 2).
//!
//! A fingerprint is built from what stays put between runs (rule, file, resource, the code the
//! tool shows), never from a line number. Two results of one rule in one file whose identity
//! parts are the same (tfsec names the same resource for two blocks; Semgrep's SARIF shows no
//! code without a login) would share it and merge into one finding, hiding the second. So
//! [`Ordinals`] numbers the distinct places (start and end line) of each fingerprint in report
//! order, and the `n`-th place gets [`with_ordinal`]`(base, n)`. Results at the same place
//! (a tool reporting one result twice) stay one finding, and results without a line (a
//! package, a URL) keep their fingerprint as before. A result that only moved (same identity,
//! new line) keeps its ordinal, so it stays one finding across scans.
//!
//! Version 3 adds a second level: results that share the fingerprint so made *and* its line
//! but start at distinct columns (CodeQL reporting two unused variables of one statement) are
//! numbered the same way by column, with [`with_column_ordinal`]. The first column of a line keeps
//! the line's fingerprint, so every version-2 fingerprint stays what it was; only the results
//! version 2 merged on one line get new ones. A result that moved to another column keeps its
//! ordinal as long as the order on its line holds.
//!
//! Each told-apart result is returned as a [`Refinement`], so the store can say "identity
//! refined" instead of "new" when a finding that an older version had merged splits.
//!
//! Two importers number their own repeats before this runs, with what they know better than a
//! line: the code-context importers (Semgrep, Bandit, Checkov: `code_context.rs`, by line and
//! column) and SonarQube (by issue key). Their findings reach here with distinct fingerprints,
//! so this adds nothing to them; it is the rule for every other format.

use crate::finding::Finding;
use crate::fingerprint::{with_column_ordinal, with_ordinal};
use crate::numbering::Numbering;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A result told apart from others with the same fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refinement {
    /// The result's fingerprint.
    pub fingerprint: String,
    /// The fingerprint it shares with the first place (or the first column of its line), which
    /// the versions before [`Refinement::since_version`] gave it too.
    pub base: String,
    /// The fingerprint version that first told this result apart from `base`: 2 for a distinct
    /// line, 3 for a distinct column on one line. A store whose previous scan was identified by
    /// this version or a later one has seen the split already.
    pub since_version: i16,
}

/// The version that tells results of one fingerprint at distinct lines apart.
const LINES_SINCE: i16 = 2;
/// The version that tells results of one fingerprint on one line at distinct columns apart.
const COLUMNS_SINCE: i16 = 3;

/// A place in a report: start and end line.
type Place = (i64, Option<i64>);

/// The places seen per fingerprint in one report (lines), and the columns seen per fingerprint
/// and line.
#[derive(Debug, Default)]
pub(crate) struct Ordinals {
    lines: Numbering<Place>,
    columns: Numbering<i64>,
    refinements: Vec<Refinement>,
}

impl Ordinals {
    /// Gives `finding` its ordinal fingerprint when its place is not the first of its
    /// fingerprint, then its column ordinal when its column is not the first of that
    /// fingerprint on that line.
    pub(crate) fn apply(&mut self, finding: &mut Finding) {
        let Some(start) = finding.location.line_start else {
            return;
        };
        let place = (start, finding.location.line_end);
        let (ordinal, new_place) = self.lines.ordinal(hash64(&finding.fingerprint), place);
        if ordinal > 0 {
            let base = std::mem::take(&mut finding.fingerprint);
            finding.fingerprint = with_ordinal(&base, ordinal);
            if new_place {
                self.refinements.push(Refinement {
                    fingerprint: finding.fingerprint.clone(),
                    base,
                    since_version: LINES_SINCE,
                });
            }
        }
        let Some(column) = finding.location.column_start else {
            return;
        };
        let (ordinal, new_column) = self.columns.ordinal(hash64(&finding.fingerprint), column);
        if ordinal > 0 {
            let line = std::mem::take(&mut finding.fingerprint);
            finding.fingerprint = with_column_ordinal(&line, ordinal);
            if new_column {
                self.refinements.push(Refinement {
                    fingerprint: finding.fingerprint.clone(),
                    base: line,
                    since_version: COLUMNS_SINCE,
                });
            }
        }
    }

    pub(crate) fn into_refinements(self) -> Vec<Refinement> {
        self.refinements
    }
}

fn hash64(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Kind, Location, Severity};

    fn at(fingerprint: &str, line: Option<i64>) -> Finding {
        Finding {
            epss: None,
            fingerprint: fingerprint.into(),
            kind: Kind::Code,
            category: None,
            rule_id: "r".into(),
            title: "t".into(),
            description: None,
            remediation: None,
            severity: Severity::Low,
            severity_original: None,
            cvss: Vec::new(),
            cwe: Vec::new(),
            aliases: Vec::new(),
            references: Vec::new(),
            component: Default::default(),
            location: Location {
                line_start: line,
                line_end: line,
                ..Default::default()
            },
            tool_status: None,
        }
    }

    #[test]
    fn places_get_ordinals_in_report_order_and_repeats_keep_theirs() {
        let mut ordinals = Ordinals::default();
        let mut fingerprints = Vec::new();
        for line in [Some(12), Some(13), Some(12), Some(14), Some(13), None] {
            let mut f = at("base", line);
            ordinals.apply(&mut f);
            fingerprints.push(f.fingerprint);
        }
        let base = "base".to_string();
        assert_eq!(
            fingerprints,
            [
                base.clone(),
                with_ordinal(&base, 1),
                base.clone(),
                with_ordinal(&base, 2),
                with_ordinal(&base, 1),
                base.clone(),
            ]
        );
        let refinements = ordinals.into_refinements();
        assert_eq!(refinements.len(), 2, "one per new place");
        assert!(refinements.iter().all(|r| r.base == base));
    }

    #[test]
    fn columns_on_one_line_get_column_ordinals_and_keep_the_line_ordinals() {
        let mut ordinals = Ordinals::default();
        let mut fingerprints = Vec::new();
        // Line 10 at columns 5 and 13 (twice), line 30 at column 5, line 10 column 5 again.
        for (line, column) in [(10, 5), (10, 13), (10, 13), (30, 5), (10, 5)] {
            let mut f = at("base", Some(line));
            f.location.column_start = Some(column);
            ordinals.apply(&mut f);
            fingerprints.push(f.fingerprint);
        }
        let base = "base".to_string();
        let second_line = with_ordinal(&base, 1);
        assert_eq!(
            fingerprints,
            [
                base.clone(),
                with_column_ordinal(&base, 1),
                with_column_ordinal(&base, 1),
                second_line.clone(),
                base.clone(),
            ],
            "line 30 keeps the fingerprint version 2 gave it"
        );
        assert_ne!(with_column_ordinal(&base, 1), second_line);
        let refinements = ordinals.into_refinements();
        let since: Vec<(i16, &str)> = refinements
            .iter()
            .map(|r| (r.since_version, r.base.as_str()))
            .collect();
        assert_eq!(since, [(COLUMNS_SINCE, "base"), (LINES_SINCE, "base")]);
    }

    #[test]
    fn a_fingerprint_at_many_places_costs_no_more_per_place() {
        let mut ordinals = Ordinals::default();
        for line in 0..200_000 {
            let mut f = at("one", Some(line));
            ordinals.apply(&mut f);
        }
        assert_eq!(ordinals.into_refinements().len(), 199_999);
    }
}
