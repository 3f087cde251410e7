//! Distinct values of a key numbered in order of appearance: what tells apart one report's
//! results that share an identity (`identity.rs` by line and column, `code_context.rs` by
//! position).

use std::collections::HashMap;
use std::hash::Hash;

/// Distinct values of one key numbered in order of appearance: the first is 0. Keys are kept as
/// 64-bit hashes with their first value, so memory is a few dozen bytes per distinct key, and
/// each lookup costs two hash lookups at most, however often one key repeats.
#[derive(Debug)]
pub(crate) struct Numbering<V> {
    /// Key (hashed) -> its first value and how many distinct values it has.
    first: HashMap<u64, (V, usize)>,
    /// (key, a later value) -> that value's ordinal.
    later: HashMap<(u64, V), usize>,
}

impl<V> Default for Numbering<V> {
    fn default() -> Self {
        Self {
            first: HashMap::new(),
            later: HashMap::new(),
        }
    }
}

impl<V: Copy + Eq + Hash> Numbering<V> {
    /// The ordinal of `value` among the distinct values of `key`, and whether it was new.
    pub(crate) fn ordinal(&mut self, key: u64, value: V) -> (usize, bool) {
        let (first, count) = match self.first.get_mut(&key) {
            Some(entry) => entry,
            None => {
                self.first.insert(key, (value, 1));
                return (0, true);
            }
        };
        if *first == value {
            return (0, false);
        }
        let mut new_value = false;
        let ordinal = *self.later.entry((key, value)).or_insert_with(|| {
            new_value = true;
            *count += 1;
            *count - 1
        });
        (ordinal, new_value)
    }
}
