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
//! Each told-apart result is returned as a [`Refinement`], so the store can say "identity
//! refined" instead of "new" when a finding that version 1 had merged splits.
//!
//! Two importers number their own repeats before this runs, with what they know better than a
//! line: the code-context importers (Semgrep, Bandit, Checkov: `code_context.rs`, by line and
//! column) and SonarQube (by issue key). Their findings reach here with distinct fingerprints,
//! so this adds nothing to them; it is the rule for every other format.

use crate::finding::Finding;
use crate::fingerprint::with_ordinal;
use std::collections::HashMap;

/// A result told apart from others with the same fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refinement {
    /// The result's fingerprint.
    pub fingerprint: String,
    /// The fingerprint it shares with the first place, which version 1 gave it too.
    pub base: String,
}

/// The places seen per fingerprint in one report.
#[derive(Debug, Default)]
pub(crate) struct Ordinals {
    places: HashMap<String, Vec<(i64, Option<i64>)>>,
    refinements: Vec<Refinement>,
}

impl Ordinals {
    /// Gives `finding` its ordinal fingerprint when its place is not the first of its
    /// fingerprint.
    pub(crate) fn apply(&mut self, finding: &mut Finding) {
        let Some(start) = finding.location.line_start else {
            return;
        };
        let place = (start, finding.location.line_end);
        let places = match self.places.get_mut(&finding.fingerprint) {
            Some(places) => places,
            None => {
                self.places.insert(finding.fingerprint.clone(), vec![place]);
                return;
            }
        };
        let (ordinal, first_time) = match places.iter().position(|p| *p == place) {
            Some(i) => (i, false),
            None => {
                places.push(place);
                (places.len() - 1, true)
            }
        };
        if ordinal > 0 {
            let base = std::mem::take(&mut finding.fingerprint);
            finding.fingerprint = with_ordinal(&base, ordinal);
            if first_time {
                self.refinements.push(Refinement {
                    fingerprint: finding.fingerprint.clone(),
                    base,
                });
            }
        }
    }

    pub(crate) fn into_refinements(self) -> Vec<Refinement> {
        self.refinements
    }
}
