//! Streaming JSON lists: the one serde seed that every streaming importer uses to read a list
//! of records one element at a time, so a report of any size is never held whole in memory.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A JSON list (or `null`, meaning empty) whose elements are deserialized one by one and handed
/// to `each` before the next is read. `each` stops the walk by returning an error.
pub(crate) struct EachElement<T, F> {
    what: &'static str,
    each: F,
    element: PhantomData<fn() -> T>,
}

impl<T, F> EachElement<T, F> {
    /// `what` names the list in errors ("a list of tfsec results").
    pub(crate) fn new(what: &'static str, each: F) -> Self {
        EachElement {
            what,
            each,
            element: PhantomData,
        }
    }
}

impl<'de, T, F> DeserializeSeed<'de> for EachElement<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T, F> Visitor<'de> for EachElement<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} or null", self.what)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<T>()? {
            (self.each)(element).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// A report that is one JSON object holding one list of records (`{"version": ..., "results":
/// [...], ...}`): the list is streamed element by element into `each`, the top-level scalars
/// named in `keep` are kept as text, and everything else is skipped without being built. A
/// missing list is an error: a file without it is not such a report, and importing it as
/// "nothing found" would close every open finding.
pub(crate) struct ReportObject<'k, T, F> {
    /// What the object is, for errors ("a Semgrep report object with `results`").
    pub what: &'static str,
    /// The key of the list.
    pub list: &'static str,
    /// What the list is, for errors ("a list of Semgrep results").
    pub list_what: &'static str,
    /// Top-level scalar fields to keep, by key; filled when present.
    pub keep: &'k mut [(&'static str, Option<String>)],
    pub each: F,
    pub element: PhantomData<fn() -> T>,
}

impl<'de, T, F> DeserializeSeed<'de> for ReportObject<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F> Visitor<'de> for ReportObject<'_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_map<A: de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.list {
                seen = true;
                map.next_value_seed(EachElement::new(self.list_what, &mut self.each))?;
            } else if let Some((_, slot)) = self.keep.iter_mut().find(|(k, _)| *k == key) {
                *slot = scalar_text(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::missing_field(self.list))
        }
    }
}

/// A JSON scalar as text (`"1.2"`, `1.2`, `true`); `None` for null, lists and objects.
pub(crate) fn scalar_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
