//! Streaming JSON lists: the one serde seed that every streaming importer uses to read a list
//! of records one element at a time, so a report of any size is never held whole in memory;
//! the seed for lists whose elements need the walk's state ([`EachOf`]); and the reading of a
//! whole document with findings handed on from inside the walk ([`read_json`], [`Emitter`]).

use crate::Sink;
use crate::error::{ImportError, SinkError};
use crate::finding::Finding;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::de::IoRead;
use std::fmt;
use std::io::{BufReader, Read};
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

/// A JSON object with one list of records under one of `keys` (the first key found is read,
/// later ones are read past): the list is streamed element by element to `each`; every other
/// member is read past unbuilt. A missing list is an error naming `keys[0]`.
pub(crate) struct ListInObject<T, F> {
    keys: &'static [&'static str],
    list: EachElement<T, F>,
}

impl<T, F> ListInObject<T, F> {
    /// `what` names the list in errors ("a list of Inspector findings").
    pub(crate) fn new(keys: &'static [&'static str], what: &'static str, each: F) -> Self {
        ListInObject {
            keys,
            list: EachElement::new(what, each),
        }
    }
}

impl<'de, T, F> DeserializeSeed<'de> for ListInObject<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F> Visitor<'de> for ListInObject<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with {}", self.list.what)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ListInObject { keys, list } = self;
        let mut list = Some(list);
        while let Some(key) = map.next_key::<String>()? {
            match list.take_if(|_| keys.contains(&key.as_str())) {
                Some(seed) => map.next_value_seed(seed)?,
                None => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        match list {
            Some(_) => Err(de::Error::missing_field(
                keys.first().copied().unwrap_or("list"),
            )),
            None => Ok(()),
        }
    }
}

/// The sink of a streaming JSON import and what the import learns on the way. Serde visitors
/// can only return serde errors, so the sink's own error is kept here and handed back whole by
/// [`JsonImport::finish`].
pub(crate) struct JsonImport<'a, 'b> {
    sink: &'a mut crate::Sink<'b>,
    sink_error: Option<crate::error::SinkError>,
    pub(crate) info: crate::finding::ScanInfo,
}

impl<'a, 'b> JsonImport<'a, 'b> {
    pub(crate) fn new(sink: &'a mut crate::Sink<'b>, tool: &str) -> Self {
        JsonImport {
            sink,
            sink_error: None,
            info: crate::finding::ScanInfo {
                tool: tool.to_string(),
                ..crate::finding::ScanInfo::default()
            },
        }
    }

    /// Hands a converted record to the sink; a record the importer skipped (`Err(reason)`)
    /// becomes a scan warning.
    pub(crate) fn emit<E: de::Error>(
        &mut self,
        converted: Result<crate::finding::Finding, String>,
    ) -> Result<(), E> {
        match converted {
            Ok(finding) => (self.sink)(finding).map_err(|err| {
                let msg = err.to_string();
                self.sink_error = Some(err);
                E::custom(msg)
            }),
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }

    /// Reads all of `input` as one JSON document with `walk`, then returns what was learnt: the
    /// sink's error if it stopped the walk, else the walk's error as `format`'s, with its line and
    /// column.
    pub(crate) fn run(
        mut self,
        format: &'static str,
        input: &mut dyn std::io::Read,
        walk: impl FnOnce(
            &mut Self,
            &mut serde_json::Deserializer<
                serde_json::de::IoRead<std::io::BufReader<&mut dyn std::io::Read>>,
            >,
        ) -> Result<(), serde_json::Error>,
    ) -> Result<crate::finding::ScanInfo, crate::error::ImportError> {
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = walk(&mut self, &mut de).and_then(|()| de.end());
        if let Some(err) = self.sink_error.take() {
            return Err(crate::error::ImportError::Sink(err));
        }
        outcome.map_err(|e| crate::error::ImportError::from_json(format, e))?;
        Ok(self.info)
    }
}

/// A JSON list (or `null`) whose elements each need the walk's state: `state` reads one element
/// with a seed of its own ([`Elements::next_in`]) until the list ends.
pub(crate) struct EachOf<'s, S> {
    what: &'static str,
    state: &'s mut S,
}

/// What reads one element of an [`EachOf`] list.
pub(crate) trait Elements<'de> {
    /// Reads the next element of `seq` with a seed that borrows `self`; `false` at the end.
    fn next_in<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error>;
}

impl<'s, S> EachOf<'s, S> {
    /// `what` names the list in errors ("a list of OSV-Scanner results").
    pub(crate) fn new(what: &'static str, state: &'s mut S) -> Self {
        EachOf { what, state }
    }
}

impl<'de, S: Elements<'de>> DeserializeSeed<'de> for EachOf<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: Elements<'de>> Visitor<'de> for EachOf<'_, S> {
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

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while self.state.next_in(&mut seq)? {}
        Ok(())
    }
}

/// A JSON object whose values need the walk's state: `state` reads the value of each key
/// ([`Fields::value_of`]).
pub(crate) struct EachField<'s, S> {
    what: &'static str,
    state: &'s mut S,
}

/// What reads the values of an [`EachField`] object.
pub(crate) trait Fields<'de> {
    /// Reads the value of `key` from `map`, or reads past it.
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

impl<'s, S> EachField<'s, S> {
    /// `what` names the object in errors ("a Grype report object").
    pub(crate) fn new(what: &'static str, state: &'s mut S) -> Self {
        EachField { what, state }
    }
}

impl<'de, S: Fields<'de>> DeserializeSeed<'de> for EachField<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Fields<'de>> Visitor<'de> for EachField<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.state.value_of(&key, &mut map)?;
        }
        Ok(())
    }
}

/// Where a streaming importer's visitors send findings: the caller's sink, with the sink's
/// error kept whole (serde carries only text), to be returned in place of serde's.
pub(crate) struct Emitter<'a, 'b> {
    sink: &'a mut Sink<'b>,
    error: Option<SinkError>,
}

impl<'a, 'b> Emitter<'a, 'b> {
    pub(crate) fn new(sink: &'a mut Sink<'b>) -> Self {
        Emitter { sink, error: None }
    }

    /// The sink's error, once: what stopped the walk, if the sink did.
    pub(crate) fn take_error(&mut self) -> Option<SinkError> {
        self.error.take()
    }

    /// Hands `finding` on; a sink's refusal stops the walk.
    pub(crate) fn emit<E: de::Error>(&mut self, finding: Finding) -> Result<(), E> {
        (self.sink)(finding).map_err(|err| {
            let msg = err.to_string();
            self.error = Some(err);
            E::custom(msg)
        })
    }
}

/// A walk's state that holds an [`Emitter`].
pub(crate) trait HasEmitter {
    /// [`Emitter::take_error`] of the state's emitter.
    fn sink_error(&mut self) -> Option<SinkError>;
}

/// The reader a streaming JSON walk reads from.
pub(crate) type JsonReader<'r> = serde_json::Deserializer<IoRead<BufReader<&'r mut dyn Read>>>;

/// Reads one JSON document from `input` with `walk` (which hands findings to `state`'s
/// emitter), then checks that nothing but white space follows. A sink's error wins over the
/// parse error it caused; parse errors name `format`, line and column.
pub(crate) fn read_json<W: HasEmitter>(
    format: &'static str,
    input: &mut dyn Read,
    state: &mut W,
    walk: impl FnOnce(&mut W, &mut JsonReader<'_>) -> Result<(), serde_json::Error>,
) -> Result<(), ImportError> {
    let reader = BufReader::with_capacity(256 * 1024, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let outcome = walk(state, &mut de).and_then(|()| de.end());
    if let Some(err) = state.sink_error() {
        return Err(ImportError::Sink(err));
    }
    outcome.map_err(|e| ImportError::from_json(format, e))
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
