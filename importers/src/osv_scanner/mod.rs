//! OSV-Scanner JSON (`osv-scanner scan --format json`, and `osv-scanner --json` before 2.0):
//! `results[]`, one per scanned source (a lock file, an SBOM, a git repository, an image's
//! packages), each with `packages[]` that hold the full OSV records of their vulnerabilities,
//! the `groups` of those records that are aliases of each other, and license violations when
//! a license allowlist was given.
//!
//! Not read: `experimental_config`, a package's `dependency_groups` and `licenses` (the license
//! inventory, not violations), container image metadata.
//!
//! Streaming: results and their packages are read one at a time; a package is read whole (its
//! `groups` come after its vulnerabilities), without each advisory's list of affected versions,
//! converted and handed on. What is kept per report is one small entry per distinct identity
//! (the same numbering of a package's copies as Grype's, [`crate::grype`]).

mod normalize;
mod raw;

use crate::copies::Copies;
use crate::error::{ImportError, Position, SinkError};
use crate::finding::{Finding, ScanInfo};
use crate::stream::EachElement;
use crate::{Importer, Sink};
use raw::{RawPackage, RawSource};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::io::Read;

const FORMAT: &str = "osv-scanner-json";
const TOOL: &str = "osv-scanner";

pub struct OsvScannerJson;

impl Importer for OsvScannerJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "OSV-Scanner JSON (`results` of sources, packages, OSV vulnerability records and their alias groups; license violations)"
    }

    fn example(&self) -> &'static str {
        "osv-scanner scan source -r . --format json --output osv.json"
    }

    fn detect(&self, head: &str) -> bool {
        // A report without findings is `{"results": [], "experimental_config": ...}`: the
        // configuration block is OSV-Scanner's own (1.6 and later).
        let packages = head.contains("\"packages\"")
            && head.contains("\"ecosystem\"")
            && (head.contains("\"vulnerabilities\"")
                || head.contains("\"groups\"")
                || head.contains("\"license_violations\""));
        head.trim_start().starts_with('{')
            && head.contains("\"results\"")
            && (packages || head.contains("\"experimental_config\""))
            && !head.contains("\"check_id\"")
            && !head.contains("\"check_type\"")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            sink_error: None,
            copies: Copies::default(),
            results: false,
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
        if !walker.results {
            return Err(ImportError::malformed(
                FORMAT,
                Position::default(),
                "no `results` list: not an OSV-Scanner JSON report",
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
    /// Whether the report had its `results` list.
    results: bool,
    info: ScanInfo,
}

impl Walker<'_, '_> {
    fn package(
        &mut self,
        package: RawPackage,
        source: &RawSource,
    ) -> Result<(), serde_json::Error> {
        let (findings, skipped) = normalize::package(package, source, &mut self.copies);
        for reason in skipped {
            self.info.warn(format!("skipped {reason}"));
        }
        for finding in findings {
            self.emit(finding)?;
        }
        Ok(())
    }

    fn emit(&mut self, finding: Finding) -> Result<(), serde_json::Error> {
        (self.sink)(finding).map_err(|err| {
            let msg = err.to_string();
            self.sink_error = Some(err);
            de::Error::custom(msg)
        })
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
        f.write_str("an OSV-Scanner report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "results" {
                self.walker.results = true;
                let walker = &mut *self.walker;
                map.next_value_seed(EachElementSeed { walker })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `results` list: each result read by [`ResultSeed`].
struct EachElementSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for EachElementSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for EachElementSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of OSV-Scanner results or null")
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

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ResultSeed {
                walker: &mut *self.walker,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One result: its `source`, then its `packages` (held only when the source comes after them).
struct ResultSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OSV-Scanner result with source and packages")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.walker;
        let mut source: Option<RawSource> = None;
        let mut pending: Vec<RawPackage> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "source" => {
                    source = Some(map.next_value::<Option<RawSource>>()?.unwrap_or_default())
                }
                "packages" => {
                    let known = source.as_ref();
                    map.next_value_seed(EachElement::new(
                        "a list of OSV-Scanner packages",
                        |package: RawPackage| match known {
                            Some(s) => walker.package(package, s),
                            None => {
                                pending.push(package);
                                Ok(())
                            }
                        },
                    ))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let source = source.unwrap_or_default();
        for package in pending {
            walker
                .package(package, &source)
                .map_err(de::Error::custom)?;
        }
        Ok(())
    }
}
