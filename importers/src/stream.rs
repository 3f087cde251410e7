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

/// Where a streaming JSON walk keeps the sink's error. serde carries only strings, so a sink
/// that refuses a finding stops the walk with its message, and the error itself waits here to
/// be returned unchanged.
pub(crate) struct SinkSlot(Option<crate::SinkError>);

impl SinkSlot {
    pub(crate) fn new() -> SinkSlot {
        SinkSlot(None)
    }

    /// Hands `finding` to `sink`; when the sink refuses it, keeps its error and stops the walk.
    pub(crate) fn send<E: de::Error>(
        &mut self,
        sink: &mut crate::Sink<'_>,
        finding: crate::Finding,
    ) -> Result<(), E> {
        sink(finding).map_err(|err| {
            let message = err.to_string();
            self.0 = Some(err);
            E::custom(message)
        })
    }

    /// The walk's outcome as the import's: the sink's error when the sink stopped it, else the
    /// JSON error as an error of `format` with its position.
    pub(crate) fn finish(
        self,
        format: &'static str,
        outcome: Result<(), serde_json::Error>,
    ) -> Result<(), crate::ImportError> {
        if let Some(err) = self.0 {
            return Err(crate::ImportError::Sink(err));
        }
        outcome.map_err(|e| crate::ImportError::from_json(format, e))
    }
}
