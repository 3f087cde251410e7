//! Checkov JSON (`checkov -d . -o json`), every framework (terraform, cloudformation,
//! kubernetes, helm, dockerfile, github_actions, secrets, sca_package, ...): one report object,
//! a list of them (one per framework, when several ran), or the bare summary Checkov 2 writes
//! when it found nothing to scan. Streamed: each check record is converted and handed on as it
//! is read.
//!
//! `failed_checks` are findings; `passed_checks` and `parsing_errors` are not; `skipped_checks`
//! are findings with the tool status `skipped` (a `#checkov:skip=` comment or a skip in the
//! configuration): a decision made in Checkov ([`domain::ToolDecision::Suppressed`]), with its
//! suppress comment in the description. The framework (`check_type`) is the finding's category
//! when it comes before the results in its object, as Checkov writes it. Kind: `secret` for the
//! secrets framework, `vulnerability` for records with `vulnerability_details` (SCA), else
//! `misconfiguration`.
//!
//! Identity (fingerprint parts): the check id, the file (separators unified, a per-run directory
//! dropped: [`crate::tfsec::fingerprint_path`]) and the resource (`aws_s3_bucket.logs`,
//! `Deployment.default.web`; for secrets, Checkov's hash of the secret). Where the resource does
//! not tell two records of one check in one file apart (a Dockerfile's `EXPOSE` twice), the
//! second and later distinct ones add the first line of their code block, white space folded,
//! and an ordinal among identical code ([`crate::code_context`]); the first keeps the plain
//! identity. Never the line numbers or the check name.

mod normalize;
mod raw;

pub use normalize::severity;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::json_report::{Emitter, run_json};
use crate::stream::EachElement;
use crate::{Importer, Sink};
use normalize::{Identities, Outcome};
use raw::RawCheck;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

/// The tool family.
pub const TOOL: &str = "checkov";
const FORMAT: &str = "checkov-json";

pub struct CheckovJson;

impl Importer for CheckovJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Checkov JSON (`checkov -o json`), every framework; skipped checks as tool decisions"
    }

    fn example(&self) -> &'static str {
        "checkov -d . -o json > checkov.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with(['{', '['])
            && ((head.contains("\"check_type\"") && head.contains("\"results\""))
                || head.contains("\"checkov_version\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut emitter = Emitter::new(sink, TOOL);
        let mut ids = Identities::default();
        run_json(FORMAT, input, &mut emitter, |de, emitter| {
            TopSeed {
                walker: &mut Walker {
                    emitter,
                    ids: &mut ids,
                },
            }
            .deserialize(de)
        })?;
        Ok(emitter.info)
    }
}

/// What every level of the walk hands its records to.
struct Walker<'w, 'a, 'b> {
    emitter: &'w mut Emitter<'a, 'b>,
    ids: &'w mut Identities,
}

impl Walker<'_, '_, '_> {
    fn take(
        &mut self,
        raw: RawCheck,
        outcome: Outcome,
        check_type: Option<&str>,
    ) -> Result<(), serde_json::Error> {
        let converted = normalize::convert(raw, outcome, check_type, self.ids);
        self.emitter.emit(converted)
    }
}

/// The document: one report object or a list of them.
struct TopSeed<'s, 'w, 'a, 'b> {
    walker: &'s mut Walker<'w, 'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Checkov report object or a list of them")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        ReportSeed {
            walker: self.walker,
        }
        .visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ReportSeed {
                walker: &mut *self.walker,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One framework's report: `check_type`, `results`, `summary`; or the bare summary of a scan
/// that found nothing (`passed`, `failed`, ..., `checkov_version`). Anything else is an error.
struct ReportSeed<'s, 'w, 'a, 'b> {
    walker: &'s mut Walker<'w, 'a, 'b>,
}

#[derive(Deserialize)]
struct Summary {
    checkov_version: Option<String>,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Checkov report object with `results`")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut check_type: Option<String> = None;
        let mut results = false;
        let mut bare_summary = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "check_type" => check_type = map.next_value()?,
                "results" => {
                    results = true;
                    map.next_value_seed(ResultsSeed {
                        walker: &mut *self.walker,
                        check_type: check_type.as_deref(),
                    })?;
                }
                "summary" => {
                    let summary: Option<Summary> = map.next_value()?;
                    self.set_version(summary.and_then(|s| s.checkov_version));
                }
                "checkov_version" => {
                    bare_summary = true;
                    let version: Option<String> = map.next_value()?;
                    self.set_version(version);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if results || bare_summary {
            Ok(())
        } else {
            Err(de::Error::missing_field("results"))
        }
    }
}

impl ReportSeed<'_, '_, '_, '_> {
    fn set_version(&mut self, version: Option<String>) {
        if self.walker.emitter.info.tool_version.is_none() {
            self.walker.emitter.info.tool_version = version.filter(|v| !v.trim().is_empty());
        }
    }
}

/// `results`: the failed and skipped checks streamed, the passed ones and the parsing errors
/// skipped without being built.
struct ResultsSeed<'s, 'w, 'a, 'b, 't> {
    walker: &'s mut Walker<'w, 'a, 'b>,
    check_type: Option<&'t str>,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("Checkov `results` (failed_checks, skipped_checks, passed_checks)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let outcome = match key.as_str() {
                "failed_checks" => Outcome::Failed,
                "skipped_checks" => Outcome::Skipped,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let walker = &mut *self.walker;
            let check_type = self.check_type;
            map.next_value_seed(EachElement::new("a list of Checkov checks", |raw| {
                walker.take(raw, outcome, check_type)
            }))?;
        }
        Ok(())
    }
}
