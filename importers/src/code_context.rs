//! The identity of code findings that come with their code (Semgrep's matched lines, Bandit's
//! context line, Checkov's code block): the normalized code context
//! ([`crate::fingerprint::normalize_code_line`]) plus an ordinal among identical contexts.
//!
//! Two results of one rule in one file whose code differs have different contexts and stay two
//! findings; a result whose line only moved keeps its context and its identity. Results of one
//! rule in one file with the *same* context (the same line of code written twice) are told apart
//! by their order in the report: the first is ordinal 0 (no extra fingerprint part, so adding
//! a duplicate later never changes the first one's identity), the next distinct position 1, and
//! so on. A result at a position already seen (the tool reporting the very same match twice)
//! gets that position's ordinal again: it is the same finding.
//!
//! This is not where fingerprints are hashed ([`crate::fingerprint`]) nor where a format decides
//! what its context is (each importer does).

use crate::numbering::Numbering;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Ordinals handed out in one import: the distinct positions of each identity, numbered.
/// Memory: a few dozen bytes per distinct identity.
#[derive(Default)]
pub(crate) struct Ordinals {
    positions: Numbering<u64>,
}

impl Ordinals {
    /// The ordinal of a result with this `identity` (rule, file, context) at this `position`
    /// (what tells two matches of the same code apart inside one report: line and column).
    pub(crate) fn ordinal(&mut self, identity: &[&str], position: &[&str]) -> u32 {
        let (ordinal, _) = self.positions.ordinal(hash64(identity), hash64(position));
        u32::try_from(ordinal).unwrap_or(u32::MAX)
    }
}

/// The fingerprint part an ordinal adds: none for the first, `#1`, `#2`, ... after it.
pub(crate) fn ordinal_part(ordinal: u32) -> Option<String> {
    (ordinal > 0).then(|| format!("#{ordinal}"))
}

fn hash64(parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_positions_of_one_context_count_up_and_repeats_keep_theirs() {
        let mut ids = Ordinals::default();
        assert_eq!(ids.ordinal(&["r", "f", "x = 1"], &["12"]), 0);
        assert_eq!(ids.ordinal(&["r", "f", "x = 1"], &["13"]), 1);
        assert_eq!(ids.ordinal(&["r", "f", "x = 1"], &["12"]), 0);
        assert_eq!(ids.ordinal(&["r", "f", "x = 1"], &["40"]), 2);
        assert_eq!(ids.ordinal(&["r", "f", "x = 1"], &["13"]), 1);
        assert_eq!(ids.ordinal(&["r", "f", "y = 2"], &["13"]), 0);
        // Parts are not concatenated: ("r", "fx") is not ("rf", "x").
        assert_eq!(ids.ordinal(&["rf", "x"], &["1"]), 0);
        assert_eq!(ids.ordinal(&["r", "fx"], &["2"]), 0);
    }

    #[test]
    fn only_later_ordinals_add_a_part() {
        assert_eq!(ordinal_part(0), None);
        assert_eq!(ordinal_part(2).as_deref(), Some("#2"));
    }
}
