//! Grype JSON (`grype <image or dir> -o json`): the `matches` list, each a vulnerability found
//! in one package (artifact), with its related advisories, fix state and versions, CVSS and
//! EPSS; `source` says what was scanned and `descriptor` which Grype wrote it. Both the current
//! layout and the one before Grype 0.20 (`links`, `cvssV2`/`cvssV3`) are read.
//!
//! Not read: `ignoredMatches` (matches the user's Grype configuration ignored; Grype writes them
//! only with `--show-suppressed`-style settings, and they are not findings of the scan) and the
//! package inventory of `source`.
//!
//! Streaming: `matches` is walked element by element, each match converted and handed on
//! before the next is read. What is kept per report is one small entry per distinct identity
//! (see [`crate::copies`]), to number a package's copies in different places.

mod normalize;
mod raw;

use crate::copies::Copies;
use crate::error::{ImportError, Position, SinkError};
use crate::finding::ScanInfo;
use crate::stream::EachElement;
use crate::{Importer, Sink};
use raw::{RawDescriptor, RawMatch, RawSource, RawTarget};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::io::Read;

const FORMAT: &str = "grype-json";
const TOOL: &str = "grype";

pub struct GrypeJson;

impl Importer for GrypeJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Anchore Grype JSON (`matches` with artifacts, fix state and versions, CVSS, EPSS; Grype 0.7 and later)"
    }

    fn example(&self) -> &'static str {
        "grype registry.example.com/shop/api:4.2.0 -o json --file grype.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"matches\"")
            && (head.contains("\"matchDetails\"") || head.contains("\"grype\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            sink_error: None,
            copies: Copies::default(),
            matches: false,
            info: ScanInfo {
                tool: TOOL.into(),
                ..ScanInfo::default()
            },
        };
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = ReportSeed {
            walker: &mut walker,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Some(err) = walker.sink_error.take() {
            return Err(ImportError::Sink(err));
        }
        outcome.map_err(|e| ImportError::from_json(FORMAT, e))?;
        if !walker.matches {
            return Err(ImportError::malformed(
                FORMAT,
                Position::default(),
                "no `matches` list: not a Grype JSON report",
            ));
        }
        Ok(walker.info)
    }
}

/// State while walking one report.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    /// The sink's error, kept here because serde carries only text.
    sink_error: Option<SinkError>,
    copies: Copies,
    /// Whether the report had its `matches` list.
    matches: bool,
    info: ScanInfo,
}

impl Walker<'_, '_> {
    fn each(&mut self, record: RawMatch) -> Result<(), serde_json::Error> {
        match normalize::finding(record, &mut self.copies) {
            Ok(Some(finding)) => (self.sink)(finding).map_err(|err| {
                let msg = err.to_string();
                self.sink_error = Some(err);
                de::Error::custom(msg)
            }),
            // A repeat of a match already emitted (same advisory, package and place).
            Ok(None) => Ok(()),
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }
}

/// The report object.
struct ReportSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Grype report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "matches" => {
                    self.walker.matches = true;
                    let walker = &mut *self.walker;
                    map.next_value_seed(EachElement::new(
                        "a list of Grype matches",
                        |record: RawMatch| walker.each(record),
                    ))?;
                }
                "source" => {
                    let source: Option<RawSource> = map.next_value()?;
                    self.walker.info.target = source
                        .and_then(|s| s.target)
                        .and_then(|t| match t {
                            RawTarget::Name(name) => Some(name),
                            RawTarget::Image { user_input } => user_input,
                        })
                        .filter(|t| !t.is_empty());
                }
                "descriptor" => {
                    let descriptor: Option<RawDescriptor> = map.next_value()?;
                    if let Some(d) = descriptor {
                        self.walker.info.tool_version = d.version;
                        self.walker.info.scanned_at = d.timestamp;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
