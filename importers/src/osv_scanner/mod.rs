//! OSV-Scanner JSON (`osv-scanner scan source --format json`; `osv-scanner --format json` or
//! `--json` in 1.x):
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

use crate::dependency::Walk;
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{EachElement, EachField, EachOf, Elements, Fields, read_json};
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
        "osv-scanner scan source -r . --format json > osv.json"
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
        let mut walk = Walk::new(sink, TOOL);
        read_json(FORMAT, input, &mut walk, |walk, de| {
            EachField::new("an OSV-Scanner report object", &mut Report(walk)).deserialize(de)
        })?;
        walk.finish(FORMAT, "results", "an OSV-Scanner JSON report")
    }
}

/// The `results` list, read one result at a time.
struct Results<'w, 'a, 'b>(&'w mut Walk<'a, 'b>);

impl<'de> Elements<'de> for Results<'_, '_, '_> {
    fn next_in<A: de::SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        Ok(seq
            .next_element_seed(ResultSeed { walk: &mut *self.0 })?
            .is_some())
    }
}

/// Converts one package and hands its findings on.
fn package_of(
    walk: &mut Walk<'_, '_>,
    package: RawPackage,
    source: &RawSource,
) -> Result<(), serde_json::Error> {
    let (findings, skipped) = normalize::package(package, source, &mut walk.copies);
    for reason in skipped {
        walk.info.warn(format!("skipped {reason}"));
    }
    findings
        .into_iter()
        .try_for_each(|finding| walk.emitter.emit(finding))
}

/// The report object's fields.
struct Report<'w, 'a, 'b>(&'w mut Walk<'a, 'b>);

impl<'de> Fields<'de> for Report<'_, '_, '_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        if key == "results" {
            self.0.listed = true;
            map.next_value_seed(EachOf::new(
                "a list of OSV-Scanner results",
                &mut Results(&mut *self.0),
            ))
        } else {
            map.next_value::<IgnoredAny>().map(drop)
        }
    }
}

/// One result: its `source`, then its `packages` (held only when the source comes after them).
struct ResultSeed<'w, 'a, 'b> {
    walk: &'w mut Walk<'a, 'b>,
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
        let walk = self.walk;
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
                            Some(s) => package_of(walk, package, s),
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
            package_of(walk, package, &source).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}
