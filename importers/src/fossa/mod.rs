//! FOSSA: `fossa test --format json` (current Haskell CLI and the old Go CLI), the REST API v2
//! issues export (`/api/v2/issues`, plain or wrapped with `fossa analyze --json`), and the two
//! inventory outputs that carry no findings (`fossa report attribution --format json`,
//! `fossa analyze --output|--json`).
//!
//! One element of an issues list is one finding; the `count` field is never used to count (it
//! exceeds the list when a push-only API key hides the details; when it says there are issues
//! and the list is empty, the import fails rather than record a clean scan). The Go CLI's
//! `NormalizedByType` repeats every issue and is skipped.
//!
//! Streaming: issue lists are walked element by element and each issue is converted and handed
//! to the sink as soon as it is read.

mod inventory;
pub mod locator;
mod normalize;
mod raw;

pub use inventory::{FossaAnalyzeJson, FossaAttributionJson};
pub use normalize::normalized_type;

use crate::error::{ImportError, Position, SinkError};
use crate::finding::ScanInfo;
use crate::stream::EachElement;
use crate::{Importer, Sink};
use normalize::IssueContext;
use raw::RawIssue;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

const TOOL: &str = "fossa";

/// Whether `head` has `"key"` used as an object key (followed by optional blanks and `:`).
pub(crate) fn has_key(head: &str, key: &str) -> bool {
    let needle = format!("\"{key}\"");
    let mut rest = head;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        if after.trim_start().starts_with(':') {
            return true;
        }
        rest = after;
    }
    false
}

/// `fossa test --format json` (CLI v2/v3, `count`/`issues`/`status`[/`summary`]) and the Go
/// CLI's `fossa test --json` (`Count`/`Issues`/`Status`/`NormalizedByType`).
pub struct FossaTestJson;

impl Importer for FossaTestJson {
    fn format(&self) -> &'static str {
        "fossa-test-json"
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "FOSSA `fossa test --format json` (CLI v2/v3; Go CLI v1 `--json`): licence, vulnerability and quality issues"
    }

    fn example(&self) -> &'static str {
        "fossa test --format json > fossa-test.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        if !start.starts_with('{') {
            return false;
        }
        if has_key(head, "Count") && has_key(head, "Issues") {
            return true;
        }
        has_key(head, "count")
            && has_key(head, "issues")
            && !has_key(head, "source")
            && (has_key(head, "revisionId")
                || has_key(head, "priorityString")
                || head.contains("\"SCANNED\"")
                || has_key(head, "projectTitle"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        walk(self.format(), input, sink)
    }
}

/// The REST API v2 issues export: `{"issues": [...]}`, a bare list of issues, or a pipeline's
/// wrapper `{"project": <fossa analyze --json>, "vulnerability": [...], "licensing": [...],
/// "quality": [...]}` (one list per API `category`).
pub struct FossaApiIssuesJson;

impl Importer for FossaApiIssuesJson {
    fn format(&self) -> &'static str {
        "fossa-api-issues-json"
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "FOSSA REST API v2 issues (`GET /api/v2/issues`), plain, as a list, or per category with `fossa analyze --json`"
    }

    fn example(&self) -> &'static str {
        "curl -H \"Authorization: Bearer $FOSSA_API_KEY\" \"https://app.fossa.com/api/v2/issues?category=vulnerability\" > fossa-issues.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        let api_issue = || {
            has_key(head, "source")
                && has_key(head, "type")
                && (has_key(head, "projects")
                    || has_key(head, "vulnId")
                    || has_key(head, "packageManager"))
        };
        if start.starts_with('[') {
            return api_issue();
        }
        if !start.starts_with('{') {
            return false;
        }
        if has_key(head, "issues") && !has_key(head, "count") && !has_key(head, "Count") {
            let compact: String = start.chars().filter(|c| !c.is_whitespace()).collect();
            return api_issue() || compact == "{\"issues\":[]}";
        }
        // The per-category wrapper: at least two of the category lists, or one with the
        // `fossa analyze --json` project summary.
        let lists = ["vulnerability", "licensing", "quality"]
            .iter()
            .filter(|k| has_key(head, k))
            .count();
        lists >= 2 || (lists == 1 && has_key(head, "projectId"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        walk(self.format(), input, sink)
    }
}

/// Walks any of the issue-list shapes.
fn walk(
    format: &'static str,
    input: &mut dyn Read,
    sink: &mut Sink<'_>,
) -> Result<ScanInfo, ImportError> {
    let mut walker = Walker {
        sink,
        sink_error: None,
        info: ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        },
        lists: 0,
        seen: 0,
        count: None,
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
    outcome.map_err(|e| ImportError::from_json(format, e))?;
    if walker.lists == 0 {
        return Err(ImportError::malformed(
            format,
            Position::default(),
            "no list of issues (`issues`, `Issues`, or `vulnerability`/`licensing`/`quality`): not a FOSSA issues report",
        ));
    }
    if let Some(count) = walker.count {
        if count > 0 && walker.seen == 0 {
            return Err(ImportError::malformed(
                format,
                Position::default(),
                format!(
                    "the report counts {count} issues but lists none (a push-only API key hides \
                     issue details): run `fossa test` with a full-access API key"
                ),
            ));
        }
        if count > walker.seen {
            walker.info.warn(format!(
                "the report counts {count} issues but lists {}",
                walker.seen
            ));
        }
    }
    Ok(walker.info)
}

struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    sink_error: Option<SinkError>,
    info: ScanInfo,
    /// How many issue lists were found (0 means this is not an issues report).
    lists: usize,
    /// Issue elements seen, converted or not.
    seen: u64,
    /// The report's own `count`, for the push-only check.
    count: Option<u64>,
}

impl Walker<'_, '_> {
    fn emit<E: de::Error>(&mut self, raw: RawIssue, ctx: IssueContext) -> Result<(), E> {
        self.seen += 1;
        match normalize::issue(raw, ctx) {
            Ok(converted) => {
                if let Some(note) = converted.note {
                    self.info.warn(note);
                }
                (self.sink)(converted.finding).map_err(|err| {
                    let msg = err.to_string();
                    self.sink_error = Some(err);
                    E::custom(msg)
                })
            }
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }
}

/// `fossa analyze --json` project summary (in the per-category wrapper).
#[derive(serde::Deserialize)]
struct RawProjectSummary {
    #[serde(rename = "projectId")]
    project_id: Option<String>,
    project: Option<String>,
}

/// `summary` of `fossa test --format json` (v3.6.8+).
#[derive(serde::Deserialize)]
struct RawSummary {
    revision: Option<RawSummaryRevision>,
}

#[derive(serde::Deserialize)]
struct RawSummaryRevision {
    #[serde(rename = "projectTitle")]
    project_title: Option<String>,
}

struct ReportSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FOSSA issues report (an object with a list of issues, or a list of issues)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.walker.lists += 1;
        issues(self.walker, IssueContext::default()).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.walker;
        while let Some(key) = map.next_key::<String>()? {
            let category = match key.as_str() {
                "issues" | "Issues" => None,
                "vulnerability" => Some("vulnerability"),
                "licensing" => Some("licensing"),
                "quality" => Some("quality"),
                "count" | "Count" => {
                    walker.count = map.next_value::<Option<u64>>()?;
                    continue;
                }
                "summary" => {
                    let summary: Option<RawSummary> = map.next_value()?;
                    if let Some(title) = summary
                        .and_then(|s| s.revision)
                        .and_then(|r| r.project_title)
                        .filter(|t| !t.is_empty())
                    {
                        walker.info.target = Some(title);
                    }
                    continue;
                }
                "project" => {
                    let project: Option<RawProjectSummary> = map.next_value()?;
                    if let Some(p) = project {
                        walker.info.target = p.project_id.or(p.project);
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            walker.lists += 1;
            map.next_value_seed(issues(&mut *walker, IssueContext { category }))?;
        }
        Ok(())
    }
}

/// A list of FOSSA issues, each converted and emitted as soon as it is read.
fn issues<'w>(
    walker: &'w mut Walker<'_, '_>,
    ctx: IssueContext,
) -> EachElement<RawIssue, impl FnMut(RawIssue) -> Result<(), serde_json::Error> + 'w> {
    EachElement::new("a list of FOSSA issues", move |issue| {
        walker.emit(issue, ctx)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_key_needs_a_colon() {
        assert!(has_key(r#"{"issues" : []}"#, "issues"));
        assert!(!has_key(r#"{"type": "issues"}"#, "issues"));
        assert!(has_key(r#"{"type": "issues", "issues":[]}"#, "issues"));
    }
}
