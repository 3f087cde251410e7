//! tfsec JSON (`tfsec --format json`), all three generations:
//! - 0.x before 0.40 ("G0"): `link` string, optional `passed` bool, severities
//!   `ERROR`/`WARNING`/`INFO`, legacy rule ids (`AWS017`);
//! - late 0.x ("G1"): `status` string (`failed`, `passed`, `ignored`), `links[]`, long
//!   `rule_id` with the old id in `legacy_rule_id`;
//! - v1.x ("G2"): `status` integer (0 failed, 1 passed, 2 ignored), AVD `rule_id`, `long_id`,
//!   `resource`.
//!
//! `results` may be `null` or `[]`. The list is streamed: each result is converted and handed
//! to the sink as it is read.

use super::{Record, version_from_link};
use crate::error::{ImportError, SinkError};
use crate::finding::ScanInfo;
use crate::stream::EachElement;
use crate::{Importer, Sink};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::io::Read;

const FORMAT: &str = "tfsec-json";

pub struct TfsecJson;

impl Importer for TfsecJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "tfsec JSON (`tfsec --format json`): v1.x, late 0.x (status strings) and early 0.x (link/passed)"
    }

    fn example(&self) -> &'static str {
        "tfsec . --format json --out tfsec.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        if !start.starts_with('{') || !head.contains("\"results\"") {
            return false;
        }
        // The oldest 0.x results have only `rule_id`, `link`, `location{filename}`,
        // `description` and `severity`.
        if head.contains("\"rule_id\"")
            && (head.contains("\"rule_description\"")
                || head.contains("\"rule_provider\"")
                || (head.contains("\"location\"") && head.contains("\"filename\"")))
        {
            return true;
        }
        // An empty report is the whole document `{"results": null}` or `{"results": []}`.
        let compact: String = start.chars().filter(|c| !c.is_whitespace()).collect();
        compact == "{\"results\":null}" || compact == "{\"results\":[]}"
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            sink_error: None,
            info: ScanInfo {
                tool: super::TOOL.into(),
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
        Ok(walker.info)
    }
}

/// One result as any generation writes it. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
struct RawResult {
    rule_id: Option<String>,
    long_id: Option<String>,
    legacy_rule_id: Option<String>,
    rule_description: Option<String>,
    impact: Option<String>,
    resolution: Option<String>,
    /// G0: one string, sometimes wrapped in a sentence (`See https://... for more information.`).
    link: Option<String>,
    links: Option<Vec<String>>,
    description: Option<String>,
    severity: Option<String>,
    passed: Option<bool>,
    status: Option<Status>,
    resource: Option<String>,
    location: Option<RawLocation>,
}

#[derive(Debug, Default, Deserialize)]
struct RawLocation {
    filename: Option<String>,
    start_line: Option<i64>,
    end_line: Option<i64>,
}

/// `status`: an integer in v1 (0 failed, 1 passed, 2 ignored), a string in late 0.x.
#[derive(Debug, PartialEq)]
enum Status {
    Code(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tfsec status (integer or string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Status, E> {
                Ok(Status::Code(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Status, E> {
                Ok(Status::Code(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Status, E> {
                Ok(Status::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Status {
    /// The status as tfsec's own word, and whether it makes a finding.
    fn word(&self) -> (String, bool) {
        match self {
            Status::Code(0) => ("failed".into(), true),
            Status::Code(1) => ("passed".into(), false),
            Status::Code(2) => ("ignored".into(), false),
            Status::Code(n) => (n.to_string(), false),
            Status::Text(s) => (
                s.trim().to_ascii_lowercase(),
                s.trim().eq_ignore_ascii_case("failed"),
            ),
        }
    }
}

/// A G0 `link`: the first URL in it (`See https://tfsec.dev/docs/x/ for more information.`).
fn url_in(link: &str) -> Option<String> {
    let start = link.find("http")?;
    let url = link[start..].split_whitespace().next()?;
    Some(url.to_string())
}

/// A result to a record, or `None` when it is not a failure.
fn record(raw: RawResult) -> Option<Record> {
    let tool_status = match (&raw.status, raw.passed) {
        (Some(status), _) => {
            let (word, failed) = status.word();
            if !failed {
                return None;
            }
            Some(word)
        }
        (None, Some(true)) => return None,
        (None, Some(false)) => Some("failed".to_string()),
        (None, None) => None,
    };
    let long_id = raw.long_id.filter(|s| !s.trim().is_empty());
    let (rule_id, other_ids) = match long_id {
        Some(long) => (Some(long), raw.rule_id.into_iter().collect()),
        None => (raw.rule_id, Vec::new()),
    };
    let mut other_ids: Vec<String> = other_ids;
    other_ids.extend(raw.legacy_rule_id);
    let mut links = raw.links.unwrap_or_default();
    links.extend(raw.link.as_deref().and_then(url_in));
    let location = raw.location.unwrap_or_default();
    Some(Record {
        rule_id,
        other_ids,
        summary: raw.rule_description,
        message: raw.description,
        impact: raw.impact,
        resolution: raw.resolution,
        severity: raw.severity,
        links,
        file: location.filename,
        line_start: location.start_line,
        line_end: location.end_line,
        resource: raw.resource,
        tool_status,
    })
}

struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    sink_error: Option<SinkError>,
    info: ScanInfo,
}

impl Walker<'_, '_> {
    fn take<E: de::Error>(&mut self, raw: RawResult) -> Result<(), E> {
        let Some(record) = record(raw) else {
            return Ok(());
        };
        if self.info.tool_version.is_none() {
            self.info.tool_version = record.links.first().and_then(|l| version_from_link(l));
        }
        match record.into_finding() {
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
}

/// The report object: `results` is required (a file without it is not a tfsec report, and
/// importing it as "nothing found" would close every open finding).
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
        f.write_str("a tfsec report object with `results`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "results" {
                seen = true;
                let walker = &mut *self.walker;
                map.next_value_seed(EachElement::new("a list of tfsec results", |raw| {
                    walker.take(raw)
                }))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::missing_field("results"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_of_every_generation() {
        assert_eq!(Status::Code(0).word(), ("failed".into(), true));
        assert_eq!(Status::Code(2).word(), ("ignored".into(), false));
        assert_eq!(
            Status::Text("failed".into()).word(),
            ("failed".into(), true)
        );
        assert_eq!(
            Status::Text("passed".into()).word(),
            ("passed".into(), false)
        );
    }

    #[test]
    fn g0_links_are_urls() {
        assert_eq!(
            url_in("See https://tfsec.dev/docs/general/GEN003/ for more information."),
            Some("https://tfsec.dev/docs/general/GEN003/".to_string())
        );
    }
}
