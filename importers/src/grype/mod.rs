//! Grype JSON (`grype <image or dir> -o json`): the `matches` list, each a vulnerability found
//! in one package (artifact), with its related advisories, fix state and versions, CVSS and
//! EPSS; `source` says what was scanned and `descriptor` which Grype wrote it. Both the current
//! layout and the older one of early Grype versions (0.7 in the corpus: `links`,
//! `cvssV2`/`cvssV3`) are read.
//!
//! Not read: `ignoredMatches` (matches that an ignore rule of the user's Grype configuration
//! hid: not findings of the scan) and the image details of `source`.
//!
//! Streaming: `matches` is walked element by element, each match converted and handed on
//! before the next is read. What is kept per report is one small entry per distinct identity
//! (see [`crate::copies`]), to number a package's copies in different places.

mod normalize;
mod raw;

use crate::dependency::Walk;
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{EachElement, EachField, Fields, read_json};
use crate::{Importer, Sink};
use raw::{RawDescriptor, RawMatch, RawSource, RawTarget};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess};
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
        let mut walk = Walk::new(sink, TOOL);
        read_json(FORMAT, input, &mut walk, |walk, de| {
            EachField::new("a Grype report object", &mut Report(walk)).deserialize(de)
        })?;
        walk.finish(FORMAT, "matches", "a Grype JSON report")
    }
}

/// Converts one match and hands it on.
fn each(walk: &mut Walk<'_, '_>, record: RawMatch) -> Result<(), serde_json::Error> {
    match normalize::finding(record, &mut walk.copies) {
        Ok(Some(finding)) => walk.emitter.emit(finding),
        // A repeat of a match already emitted (same advisory, package and place).
        Ok(None) => Ok(()),
        Err(reason) => {
            walk.info.warn(format!("skipped {reason}"));
            Ok(())
        }
    }
}

/// The report object's fields.
struct Report<'w, 'a, 'b>(&'w mut Walk<'a, 'b>);

impl<'de> Fields<'de> for Report<'_, '_, '_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "matches" => {
                self.0.listed = true;
                let walk = &mut *self.0;
                map.next_value_seed(EachElement::new(
                    "a list of Grype matches",
                    |record: RawMatch| each(walk, record),
                ))?;
            }
            "source" => {
                let source: Option<RawSource> = map.next_value()?;
                self.0.info.target = source
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
                    self.0.info.tool_version = d.version;
                    self.0.info.scanned_at = d.timestamp;
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
