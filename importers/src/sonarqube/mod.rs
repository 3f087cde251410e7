//! SonarQube: Web API responses (`api/issues/search`, `api/hotspots/search`, saved one page per
//! file, several pages concatenated in one file, or the bare lists of issues or hotspots) and the
//! JSON export of the community sonar-report tool (soprasteria/sonar-report).
//!
//! Every issue and hotspot is a `code` finding whose `category` is the Sonar type in lower snake
//! case (`code_smell`, `bug`, `vulnerability`, `security_hotspot`), so code smells can be kept out
//! of gates. One severity table for all (see [`normalize`]).
//!
//! Both are streamed: each issue is converted and handed on as it is read, so a 10,000-issue
//! page (about 50 MB) never sits in memory as a whole, nor does a sonar-report export (see
//! `report` for what it holds and why).

pub mod normalize;
mod raw;
mod report;

use crate::error::{ImportError, SinkError};
use crate::finding::{Finding, ScanInfo};
use crate::stream::EachElement;
use crate::{Importer, Sink};
use normalize::{Extras, Identities};
use raw::*;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

const API_FORMAT: &str = "sonarqube-api-json";
const REPORT_FORMAT: &str = "sonar-report-json";

/// `api/issues/search` and `api/hotspots/search` responses.
pub struct SonarQubeApiJson;

/// The sonar-report JSON export (`sonar-report --save-report-json`).
pub struct SonarReportJson;

impl Importer for SonarReportJson {
    fn format(&self) -> &'static str {
        REPORT_FORMAT
    }

    fn tool(&self) -> &'static str {
        normalize::TOOL
    }

    fn description(&self) -> &'static str {
        "sonar-report (soprasteria) JSON export of SonarQube issues and hotspots: `sonar-report --save-report-json`"
    }

    fn example(&self) -> &'static str {
        "sonar-report --sonarurl \"$SONAR_URL\" --sonarcomponent shop --save-report-json sonar-report.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"sonarComponent\"")
            && (head.contains("\"sonarBaseURL\"") || head.contains("\"issues\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        report::import(input, sink)
    }
}

impl Importer for SonarQubeApiJson {
    fn format(&self) -> &'static str {
        API_FORMAT
    }

    fn tool(&self) -> &'static str {
        normalize::TOOL
    }

    fn description(&self) -> &'static str {
        "SonarQube Web API JSON, 8.x to 2025.x: api/issues/search and api/hotspots/search responses (one page, pages concatenated, or bare lists)"
    }

    fn example(&self) -> &'static str {
        "curl -u \"$SONAR_TOKEN:\" \"$SONAR_URL/api/issues/search?componentKeys=shop&ps=500&p=1\" > sonar-issues.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        // The generic external issues format is SonarQube *input*, not a report.
        if head.contains("\"primaryLocation\"") || head.contains("\"sonarComponent\"") {
            return false;
        }
        let issue_fields = head.contains("\"rule\"") && head.contains("\"component\"");
        let hotspot_fields =
            head.contains("\"vulnerabilityProbability\"") && head.contains("\"securityCategory\"");
        if start.starts_with('{') {
            let paged = head.contains("\"paging\"") || head.contains("\"ps\"");
            let empty = |list: &str| {
                head.contains(&format!("\"{list}\": []"))
                    || head.contains(&format!("\"{list}\":[]"))
            };
            let issues = head.contains("\"issues\"")
                && ((issue_fields && (paged || head.contains("\"project\"")))
                    || (paged && empty("issues")));
            let hotspots =
                head.contains("\"hotspots\"") && (hotspot_fields || (paged && empty("hotspots")));
            return issues || hotspots;
        }
        start.starts_with('[')
            && head.contains("\"key\"")
            && ((issue_fields && (head.contains("\"severity\"") || head.contains("\"type\"")))
                || hotspot_fields)
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            sink_error: None,
            info: ScanInfo {
                tool: normalize::TOOL.into(),
                ..ScanInfo::default()
            },
            ids: Identities::default(),
            issues: Tally::default(),
            hotspots: Tally::default(),
        };
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        // One response, or several pages saved one after the other (`cat p1.json p2.json`).
        loop {
            let outcome = DocumentSeed {
                walker: &mut walker,
            }
            .deserialize(&mut de);
            if let Some(err) = walker.sink_error.take() {
                return Err(ImportError::Sink(err));
            }
            outcome.map_err(|e| ImportError::from_json(API_FORMAT, e))?;
            if de.end().is_ok() {
                break;
            }
        }
        walker.check_completeness();
        Ok(walker.info)
    }
}

/// Records read against what the responses' `paging.total` promised.
#[derive(Default)]
struct Tally {
    pages: u64,
    records: u64,
    /// The largest `paging.total` (or deprecated top-level `total`) seen; None for bare lists.
    total: Option<i64>,
}

/// State shared by all seeds while walking one upload.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    /// The sink's error, kept here because serde can only carry strings.
    sink_error: Option<SinkError>,
    info: ScanInfo,
    ids: Identities,
    issues: Tally,
    hotspots: Tally,
}

impl Walker<'_, '_> {
    fn emit<E: de::Error>(&mut self, raw: RawRecord, hotspot: bool) -> Result<(), E> {
        if self.info.target.is_none() {
            self.info.target = raw.project.clone().filter(|p| !p.is_empty());
        }
        match normalize::convert(raw, hotspot, &Extras::default(), &mut self.ids) {
            Ok(Some(finding)) => self.send(finding),
            Ok(None) => Ok(()),
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }

    fn send<E: de::Error>(&mut self, finding: Finding) -> Result<(), E> {
        (self.sink)(finding).map_err(|err| {
            let msg = err.to_string();
            self.sink_error = Some(err);
            E::custom(msg)
        })
    }

    /// A saved page set that holds fewer records than the server reported is partial.
    fn check_completeness(&mut self) {
        for (what, tally) in [("issues", &self.issues), ("hotspots", &self.hotspots)] {
            let Some(total) = tally.total else { continue };
            if total > 0 && (tally.records as i64) < total {
                self.info.partial = true;
                let pages = if tally.pages == 1 {
                    "1 page".to_string()
                } else {
                    format!("{} pages", tally.pages)
                };
                self.info.warn(format!(
                    "partial: {pages} of {what} hold {} of the {total} the server reported \
                     (paging.total); findings missing from this upload are not fixed",
                    tally.records
                ));
            }
        }
    }
}

/// One JSON document: a search response object, or a bare list of issues or hotspots.
struct DocumentSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a SonarQube api/issues/search or api/hotspots/search response")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        records(self.walker, Container::Bare, &mut 0).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.walker;
        let mut paging_total: Option<i64> = None;
        let mut legacy_total: Option<i64> = None;
        let (mut issues, mut hotspots) = (None::<u64>, None::<u64>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "issues" => {
                    let mut count = 0;
                    map.next_value_seed(records(&mut *walker, Container::Issues, &mut count))?;
                    *issues.get_or_insert(0) += count;
                }
                "hotspots" => {
                    let mut count = 0;
                    map.next_value_seed(records(&mut *walker, Container::Hotspots, &mut count))?;
                    *hotspots.get_or_insert(0) += count;
                }
                "paging" => {
                    let paging: Option<RawPaging> = map.next_value()?;
                    paging_total = paging.and_then(|p| p.total).and_then(|t| t.0);
                }
                "total" => legacy_total = map.next_value::<Option<LenientInt>>()?.and_then(|t| t.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let total = paging_total.or(legacy_total);
        for (seen, tally) in [
            (issues, &mut walker.issues),
            (hotspots, &mut walker.hotspots),
        ] {
            if let Some(n) = seen {
                tally.pages += 1;
                tally.records += n;
                tally.total = tally.total.max(total);
            }
        }
        if issues.is_none() && hotspots.is_none() {
            return Err(de::Error::custom(
                "not a findings report: a SonarQube response without `issues` or `hotspots` \
                 (rules, projects and other API responses hold no findings)",
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Container {
    Issues,
    Hotspots,
    /// A bare list: each element says by its fields whether it is a hotspot.
    Bare,
}

/// A list of issues or hotspots, converted and emitted one by one; `count` counts them.
fn records<'w>(
    walker: &'w mut Walker<'_, '_>,
    container: Container,
    count: &'w mut u64,
) -> EachElement<RawRecord, impl FnMut(RawRecord) -> Result<(), serde_json::Error> + 'w> {
    EachElement::new(
        "a list of SonarQube issues or hotspots",
        move |record: RawRecord| {
            *count += 1;
            let hotspot = match container {
                Container::Issues => false,
                Container::Hotspots => true,
                Container::Bare => record.looks_like_hotspot(),
            };
            walker.emit(record, hotspot)
        },
    )
}
