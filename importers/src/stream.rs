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
