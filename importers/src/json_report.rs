//! What the streaming JSON importers of the code scanners (Semgrep, Bandit, Checkov) share: the
//! [`Emitter`] that converts records and hands them to the sink, [`run_json`] that walks a JSON
//! input and turns what went wrong into an [`ImportError`], and [`ReportObject`], the walk of a
//! report that is one object holding one list of records.
//!
//! It is not where records are converted (each importer's `normalize`) nor where lists are
//! streamed element by element ([`crate::stream`]).

use crate::Sink;
use crate::error::{ImportError, SinkError};
use crate::finding::{Finding, ScanInfo};
use crate::stream::EachElement;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::io::{BufReader, Read};
use std::marker::PhantomData;

/// The JSON deserializer every importer here reads with.
pub(crate) type JsonReader<'r> =
    serde_json::Deserializer<serde_json::de::IoRead<BufReader<&'r mut dyn Read>>>;

/// Hands converted records to the sink. A sink error stops the walk; serde sees only its text,
/// so the error itself is kept here and returned in its place by [`run_json`]. A record that
/// could not be converted is skipped with a warning.
pub(crate) struct Emitter<'a, 'b> {
    sink: &'a mut Sink<'b>,
    sink_error: Option<SinkError>,
    pub(crate) info: ScanInfo,
}

impl<'a, 'b> Emitter<'a, 'b> {
    pub(crate) fn new(sink: &'a mut Sink<'b>, tool: &str) -> Self {
        Emitter {
            sink,
            sink_error: None,
            info: ScanInfo {
                tool: tool.into(),
                ..ScanInfo::default()
            },
        }
    }

    /// Sends a converted record on, or warns that it was skipped and why.
    pub(crate) fn emit(
        &mut self,
        converted: Result<Finding, &'static str>,
    ) -> Result<(), serde_json::Error> {
        match converted {
            Ok(finding) => (self.sink)(finding).map_err(|err| {
                let text = err.to_string();
                self.sink_error = Some(err);
                de::Error::custom(text)
            }),
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }
}

/// Walks `input` as JSON with `walk`, then requires the end of the input. The sink's own error
/// wins over the parse error it caused; a parse error names `format` and where it happened.
pub(crate) fn run_json(
    format: &'static str,
    input: &mut dyn Read,
    emitter: &mut Emitter<'_, '_>,
    walk: impl FnOnce(&mut JsonReader<'_>, &mut Emitter<'_, '_>) -> Result<(), serde_json::Error>,
) -> Result<(), ImportError> {
    let reader = BufReader::with_capacity(256 * 1024, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let outcome = walk(&mut de, emitter).and_then(|()| de.end());
    if let Some(err) = emitter.sink_error.take() {
        return Err(ImportError::Sink(err));
    }
    outcome.map_err(|e| ImportError::from_json(format, e))
}

/// What a report that is one object holding one list of records is called, in errors, and
/// where its records are.
pub(crate) struct ListReport {
    pub(crate) format: &'static str,
    pub(crate) tool: &'static str,
    /// What the object is ("a Semgrep report object with `results`").
    pub(crate) what: &'static str,
    /// The key of the list.
    pub(crate) list: &'static str,
    /// What the list is ("a list of Semgrep results").
    pub(crate) list_what: &'static str,
}

/// Imports a [`ListReport`]: each record converted by `convert` and handed on as it is read;
/// the top-level scalars named in `keep` kept as text.
pub(crate) fn import_list_report<T>(
    report: &ListReport,
    input: &mut dyn Read,
    sink: &mut Sink<'_>,
    keep: &mut [(&'static str, Option<String>)],
    mut convert: impl FnMut(T) -> Result<Finding, &'static str>,
) -> Result<ScanInfo, ImportError>
where
    T: for<'de> Deserialize<'de>,
{
    let mut emitter = Emitter::new(sink, report.tool);
    run_json(report.format, input, &mut emitter, |de, emitter| {
        ReportObject {
            report,
            keep,
            each: |raw: T| emitter.emit(convert(raw)),
            element: PhantomData,
        }
        .deserialize(de)
    })?;
    Ok(emitter.info)
}

/// The walk of a [`ListReport`]: the list streamed element by element into `each`, the
/// top-level scalars named in `keep` kept as text, everything else skipped without being
/// built. A missing list is an error: a file without it is not such a report, and importing it
/// as "nothing found" would close every open finding.
struct ReportObject<'r, 'k, T, F> {
    report: &'r ListReport,
    keep: &'k mut [(&'static str, Option<String>)],
    each: F,
    element: PhantomData<fn() -> T>,
}

impl<'de, T, F> DeserializeSeed<'de> for ReportObject<'_, '_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F> Visitor<'de> for ReportObject<'_, '_, T, F>
where
    T: Deserialize<'de>,
    F: FnMut(T) -> Result<(), serde_json::Error>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.report.what)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.report.list {
                seen = true;
                map.next_value_seed(EachElement::new(self.report.list_what, &mut self.each))?;
            } else if let Some((_, slot)) = self.keep.iter_mut().find(|(k, _)| *k == key) {
                *slot = scalar_text(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::missing_field(self.report.list))
        }
    }
}

/// A JSON scalar as text (`"1.2"`, `1.2`, `true`); `None` for null, lists and objects.
fn scalar_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
