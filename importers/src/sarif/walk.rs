//! Walking a SARIF log as it is read: serde seeds over the log, its `runs` and each run's
//! `results`, so a result is converted and handed to the sink as soon as it is read and only the
//! run-level data (tool and rules, base URIs, artifacts, invocations) is held.
//!
//! JSON objects have no key order, and some producers write run-level data after the results:
//! - `tool` after `results` (the rules, and the driver name that decides the tool and its
//!   identity rules): nothing about a result can be known before it, so that run's results are
//!   held as read (their used fields) and converted when the run ends. This is the one case in
//!   which a SARIF import holds every result of a run.
//! - `originalUriBaseIds` or `artifacts` after `results` (SpotBugs writes its base ids last):
//!   holding the results for those would hold every result of every CodeQL log, which names a
//!   `%SRCROOT%` base id it never defines. The results are converted with what was read before
//!   them; when the late list defines something a result looked up, the scan gets a warning.
//!
//! The seeds accept what the derived `RawLog` and `RawRun` accept (a struct written as a JSON
//! list is read through them, whole) and fail with the same messages.

use super::raw::{RawLog, RawResult, RawRun};
use super::run::{Run, Unread};
use crate::Sink;
use crate::error::SinkError;
use crate::finding::ScanInfo;
use crate::stream::EachElement;
use serde::Deserialize;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// State of one import while its log is walked.
pub(super) struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    /// The sink's error, kept here because serde errors carry only text.
    pub(super) sink_error: Option<SinkError>,
    /// Whether the log has a `runs` key (a SARIF log must).
    pub(super) has_runs: bool,
    /// Described by the first run (a log holds one run per tool, in practice).
    pub(super) info: Option<ScanInfo>,
    /// Skipped results and late run-level data, at most [`ScanInfo::MAX_WARNINGS`].
    pub(super) warnings: Vec<String>,
    /// Runs walked so far.
    runs: usize,
}

impl<'a, 'b> Walker<'a, 'b> {
    pub(super) fn new(sink: &'a mut Sink<'b>) -> Self {
        Walker {
            sink,
            sink_error: None,
            has_runs: false,
            info: None,
            warnings: Vec::new(),
            runs: 0,
        }
    }

    fn warn(&mut self, warning: String) {
        if self.warnings.len() < ScanInfo::MAX_WARNINGS {
            self.warnings.push(warning);
        }
    }

    /// Converts result `index` of run `run_index` and hands its finding to the sink.
    fn convert<E: de::Error>(
        &mut self,
        run: &Run<'_>,
        run_index: usize,
        index: usize,
        result: &RawResult,
    ) -> Result<(), E> {
        match run.result(result) {
            Ok(Some(finding)) => (self.sink)(finding).map_err(|err| {
                let message = err.to_string();
                self.sink_error = Some(err);
                E::custom(message)
            }),
            Ok(None) => Ok(()),
            Err(reason) => {
                self.warn(format!(
                    "skipped {reason} (run {run_index}, result {index}, tool {})",
                    run.tool()
                ));
                Ok(())
            }
        }
    }

    /// The end of a run: its scan description (if first), then the results it held.
    fn finish_run<E: de::Error>(
        &mut self,
        raw: &RawRun,
        run_index: usize,
        held: Vec<RawResult>,
    ) -> Result<(), E> {
        let run = Run::new(raw);
        if self.info.is_none() {
            self.info = Some(run.scan_info(raw));
        }
        for (index, result) in held.iter().enumerate() {
            self.convert(&run, run_index, index, result)?;
        }
        Ok(())
    }

    /// A whole run (one written as a JSON list of its fields): every result held.
    fn whole_run<E: de::Error>(&mut self, mut raw: RawRun) -> Result<(), E> {
        let run_index = self.runs;
        self.runs += 1;
        let held = raw.results.take().unwrap_or_default();
        self.finish_run(&raw, run_index, held)
    }
}

/// The log: `runs` walked, everything else skipped.
pub(super) struct LogSeed<'w, 'a, 'b> {
    pub(super) walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_struct("RawLog", &["runs"], self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct RawLog")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "runs" {
                if self.walker.has_runs {
                    return Err(de::Error::duplicate_field("runs"));
                }
                self.walker.has_runs = true;
                map.next_value_seed(RunsSeed {
                    walker: &mut *self.walker,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let log = RawLog::deserialize(SeqAccessDeserializer::new(seq))?;
        if let Some(runs) = log.runs {
            self.walker.has_runs = true;
            for raw in runs.unwrap_or_default() {
                self.walker.whole_run(raw)?;
            }
        }
        Ok(())
    }
}

/// `runs`: a list of runs, or `null` (none).
struct RunsSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for RunsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RunsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(RunSeed {
                walker: &mut *self.walker,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// The fields of a run that the importer reads (the others are skipped unbuilt).
const RUN_FIELDS: &[&str] = &[
    "tool",
    "results",
    "originalUriBaseIds",
    "artifacts",
    "invocations",
    "versionControlProvenance",
    "properties",
];

/// One run: its run-level fields kept, its results converted as they are read.
struct RunSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for RunSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_struct("RawRun", RUN_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct RawRun")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.walker;
        let run_index = walker.runs;
        walker.runs += 1;
        let mut raw = RawRun::default();
        let mut seen = [false; RUN_FIELDS.len()];
        // Results read before `tool`, converted when the run ends.
        let mut held: Vec<RawResult> = Vec::new();
        // The lists that come after the results and that a result looked up.
        let mut missed = Unread::default();
        while let Some(key) = map.next_key::<String>()? {
            let Some(field) = RUN_FIELDS.iter().position(|f| *f == key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen[field] {
                return Err(de::Error::duplicate_field(RUN_FIELDS[field]));
            }
            seen[field] = true;
            match RUN_FIELDS[field] {
                "tool" => raw.tool = map.next_value()?,
                "results" => {
                    let unread = Unread {
                        bases: !seen[2],
                        artifacts: !seen[3],
                    };
                    // Without the tool, a result can be neither named nor identified yet.
                    let run = seen[0].then(|| Run::new(&raw).before(unread));
                    // Each result converted as read when the run's tool is known, else held.
                    let mut index = 0;
                    map.next_value_seed(EachElement::new(
                        "a list of results",
                        |result: RawResult| {
                            index += 1;
                            match run.as_ref() {
                                Some(run) => walker.convert(run, run_index, index - 1, &result),
                                None => {
                                    held.push(result);
                                    Ok(())
                                }
                            }
                        },
                    ))?;
                    missed = run.as_ref().map(Run::missed).unwrap_or_default();
                }
                "originalUriBaseIds" => raw.original_uri_base_ids = map.next_value()?,
                "artifacts" => raw.artifacts = map.next_value()?,
                "invocations" => raw.invocations = map.next_value()?,
                "versionControlProvenance" => raw.version_control_provenance = map.next_value()?,
                _ => raw.properties = map.next_value()?,
            }
        }
        if missed.bases
            && raw
                .original_uri_base_ids
                .as_ref()
                .is_some_and(|b| !b.is_empty())
        {
            walker.warn(format!(
                "run {run_index} defines `originalUriBaseIds` after its results, which were read without them: their paths are not resolved against those base ids"
            ));
        }
        if missed.artifacts && raw.artifacts.as_ref().is_some_and(|a| !a.is_empty()) {
            walker.warn(format!(
                "run {run_index} lists its `artifacts` after its results, which were read without them: locations that name an artifact by index only have no path or base id from it"
            ));
        }
        walker.finish_run(&raw, run_index, held)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let raw = RawRun::deserialize(SeqAccessDeserializer::new(seq))?;
        self.walker.whole_run(raw)
    }
}
