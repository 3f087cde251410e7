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
use std::hash::{DefaultHasher, Hash, Hasher};

/// A result told apart from others with the same fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refinement {
    /// The result's fingerprint.
    pub fingerprint: String,
    /// The fingerprint it shares with the first place, which version 1 gave it too.
    pub base: String,
}

/// A place in a report: start and end line.
type Place = (i64, Option<i64>);

/// The places seen per fingerprint in one report. Fingerprints are kept as 64-bit hashes and a
/// place per fingerprint, so memory is a few dozen bytes per distinct identity, and each result
/// costs two hash lookups at most, however often one fingerprint repeats.
#[derive(Debug, Default)]
pub(crate) struct Ordinals {
    /// Fingerprint (hashed) -> its first place and how many distinct places it has.
    first: HashMap<u64, (Place, usize)>,
    /// (fingerprint, a later place) -> that place's ordinal.
    later: HashMap<(u64, Place), usize>,
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
        let key = hash64(&finding.fingerprint);
        let (first, count) = match self.first.get_mut(&key) {
            Some(entry) => entry,
            None => {
                self.first.insert(key, (place, 1));
                return;
            }
        };
        if *first == place {
            return;
        }
        let mut new_place = false;
        let ordinal = *self.later.entry((key, place)).or_insert_with(|| {
            new_place = true;
            *count += 1;
            *count - 1
        });
        let base = std::mem::take(&mut finding.fingerprint);
        finding.fingerprint = with_ordinal(&base, ordinal);
        if new_place {
            self.refinements.push(Refinement {
                fingerprint: finding.fingerprint.clone(),
                base,
            });
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
    fn a_fingerprint_at_many_places_costs_no_more_per_place() {
        let mut ordinals = Ordinals::default();
        for line in 0..200_000 {
            let mut f = at("one", Some(line));
            ordinals.apply(&mut f);
        }
        assert_eq!(ordinals.into_refinements().len(), 199_999);
    }
}
