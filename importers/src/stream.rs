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
