//! Burp Suite DAST (formerly Enterprise Edition) GraphQL API responses: the issues of a scan
//! (`query { scan(id: ...) { ... issues { ... } } }`) or one issue
//! (`query { issue(scan_id: ..., serial_number: ...) { ... } }`), saved as the API answers,
//! `{"data": {...}}`.
//!
//! Each issue is made into a finding by the XML export's rule (`issue.rs`): the issue type's
//! `type_index` is the XML `<type>`, `origin` its `<host>`, `path` its `<path>`, the type's
//! HTML texts its backgrounds, the issue's own HTML its detail. So an issue has the same
//! fingerprint from the XML export and from the API, and the issues of one type at one site
//! and path merge into one finding, as in the XML.
//!
//! Streaming: the `issues` list is read one issue at a time; what is held is the merged
//! findings (the issues of one finding may be anywhere in the list). `evidence` (requests and
//! responses), `tickets`, `change_history` and the deprecated false-positive fields are read
//! past unbuilt.

use super::issue::Issue;
use super::{TOOL, status_rank};
use crate::error::{ImportError, Position};
use crate::finding::ScanInfo;
use crate::record::non_empty;
use crate::stream::{EachElement, EachField, Fields};
use crate::web::{HtmlText, Merger};
use crate::{Importer, Sink};
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess};
use std::io::{BufReader, Read};

const FORMAT: &str = "burp-dast-json";

pub struct BurpDastJson;

impl Importer for BurpDastJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Burp Suite DAST / Enterprise GraphQL API response: a scan's issues (`scan { issues { ... } }`) or one issue"
    }

    fn example(&self) -> &'static str {
        "curl -H \"Authorization: $BURP_API_KEY\" -H 'Content-Type: application/json' \"$BURP_URL/graphql/v1\" -d '{\"query\":\"query { scan(id: \\\"42\\\") { id status end_time site_name issues(start: 0, count: 100000) { serial_number issue_type { type_index name description_html remediation_html vulnerability_classifications_html references_html } severity confidence origin path novelty accepted_risk description_html remediation_html } } }\"}' > burp-dast.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"data\"")
            && head.contains("\"issue_type\"")
            && (head.contains("\"type_index\"") || head.contains("\"serial_number\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walk = Walk {
            info: ScanInfo {
                tool: TOOL.into(),
                ..ScanInfo::default()
            },
            merger: Merger::keeping_strongest_status(status_rank),
            texts: HtmlText::default(),
            issues: 0,
            listed: false,
            errors: Vec::new(),
            data: false,
            status: None,
        };
        let reader = BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        EachField::new("a GraphQL response object", &mut Root(&mut walk))
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| ImportError::from_json(FORMAT, e))?;
        walk.finish(sink)
    }
}

/// What the walk has learnt so far.
struct Walk {
    info: ScanInfo,
    merger: Merger,
    /// The issue types' texts, converted once.
    texts: HtmlText,
    /// Issues read, for the warnings that name one.
    issues: usize,
    /// Whether the response held a scan's issues or one issue.
    listed: bool,
    /// The messages of the response's GraphQL `errors`.
    errors: Vec<String>,
    /// Whether the response had a `data` object.
    data: bool,
    /// The scan's `status` (`succeeded`, `running`, `failed`, ...).
    status: Option<String>,
}

impl Walk {
    fn add(&mut self, raw: RawIssue) {
        self.issues += 1;
        let issue = raw.into_issue();
        if self.info.target.is_none() {
            self.info.target = issue.origin();
        }
        let accepted = issue.accepted_risk;
        match issue.issue.into_finding(&mut self.texts) {
            Some((mut finding, details)) => {
                // A risk accepted in Burp, unless a user also called it a false positive.
                if accepted && finding.tool_status.as_deref() != Some("false_positive") {
                    finding.tool_status = Some("accepted_risk".into());
                }
                self.merger.add(finding, details);
            }
            None => self.info.warn(format!(
                "skipped issue #{} without issue type index or name",
                self.issues
            )),
        }
    }

    fn finish(mut self, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        if !self.listed {
            let why = match (self.errors.first(), self.data) {
                (Some(error), _) => format!("the GraphQL response holds errors and no issues: {error}"),
                (None, true) => "no `scan` with `issues` and no `issue` under `data`: not a Burp Suite DAST issues response".into(),
                (None, false) => "no `data` object: not a Burp Suite DAST GraphQL response".into(),
            };
            return Err(ImportError::malformed(FORMAT, Position::default(), why));
        }
        for error in &self.errors {
            self.info
                .warn(format!("the GraphQL response holds an error: {error}"));
        }
        if let Some(status) = self
            .status
            .as_deref()
            .filter(|s| !s.trim().eq_ignore_ascii_case("succeeded"))
        {
            // A scan still running, or one that failed or was cancelled, has not reported every
            // issue it would have: findings it lacks are not taken as fixed.
            self.info.partial = true;
            self.info.warn(format!(
                "the scan's status is {status}, not succeeded: its issues may be incomplete"
            ));
        }
        self.merger.flush(sink).map_err(ImportError::Sink)?;
        Ok(self.info)
    }
}

/// The response object: `data` and `errors`.
struct Root<'w>(&'w mut Walk);

impl<'de> Fields<'de> for Root<'_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let walk = &mut *self.0;
        match key {
            "data" => map.next_value_seed(Data(walk))?,
            "errors" => {
                let errors: Option<Vec<RawError>> = map.next_value()?;
                walk.errors.extend(
                    errors
                        .into_iter()
                        .flatten()
                        .map(|e| non_empty(e.message).unwrap_or_else(|| "(no message)".into())),
                );
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `data`: `null` (a failed query), or an object with `scan` or `issue`.
struct Data<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Data<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Data<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GraphQL data object or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.data = true;
        EachField::new("a GraphQL data object", &mut DataFields(self.0)).deserialize(d)
    }
}

struct DataFields<'w>(&'w mut Walk);

impl<'de> Fields<'de> for DataFields<'_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let walk = &mut *self.0;
        match key {
            "scan" => map.next_value_seed(ScanSeed(walk))?,
            "issue" => {
                let issue: Option<RawIssue> = map.next_value()?;
                if let Some(issue) = issue {
                    walk.listed = true;
                    walk.add(issue);
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `scan`: `null` (no such scan), or an object whose `issues` are streamed.
struct ScanSeed<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for ScanSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ScanSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Burp Suite DAST scan object or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        EachField::new("a Burp Suite DAST scan object", &mut ScanFields(self.0)).deserialize(d)
    }
}

struct ScanFields<'w>(&'w mut Walk);

impl<'de> Fields<'de> for ScanFields<'_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let walk = &mut *self.0;
        match key {
            "issues" => {
                walk.listed = true;
                map.next_value_seed(EachElement::new(
                    "a list of Burp Suite DAST issues",
                    |issue: RawIssue| {
                        walk.add(issue);
                        Ok(())
                    },
                ))?;
            }
            "scan_target" => {
                let target: Option<RawNamed> = map.next_value()?;
                if let Some(name) = target.and_then(|t| non_empty(t.name)) {
                    walk.info.target = Some(name);
                }
            }
            // Deprecated in favour of `scan_target.name`, which wins when both are given.
            "site_name" => {
                let name: Option<String> = map.next_value()?;
                if let Some(name) = non_empty(name)
                    && walk.info.target.is_none()
                {
                    walk.info.target = Some(name);
                }
            }
            "end_time" => {
                let at: Option<String> = map.next_value()?;
                if let Some(at) = non_empty(at) {
                    walk.info.scanned_at = Some(at);
                }
            }
            "start_time" => {
                let at: Option<String> = map.next_value()?;
                if let Some(at) = non_empty(at)
                    && walk.info.scanned_at.is_none()
                {
                    walk.info.scanned_at = Some(at);
                }
            }
            "status" => walk.status = non_empty(map.next_value()?),
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A GraphQL `ID`: a string on the wire, a number from some clients.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

impl Id {
    fn text(self) -> String {
        match self {
            Id::Text(t) => t,
            Id::Number(n) => n.to_string(),
        }
    }
}

/// An issue of the GraphQL API (object `Issue`): only the fields a finding uses.
#[derive(Debug, Default, Deserialize)]
struct RawIssue {
    issue_type: Option<RawIssueType>,
    severity: Option<String>,
    confidence: Option<String>,
    /// Deprecated: set only to mark a false positive.
    display_confidence: Option<String>,
    origin: Option<String>,
    path: Option<String>,
    /// `first`, `new`, `repeated`, `regression`: this scan against the previous one.
    novelty: Option<String>,
    accepted_risk: Option<bool>,
    /// This occurrence's detail (HTML).
    description_html: Option<String>,
    remediation_html: Option<String>,
}

/// The issue's type (object `IssueType`): its index and the texts of the type.
#[derive(Debug, Default, Deserialize)]
struct RawIssueType {
    type_index: Option<Id>,
    name: Option<String>,
    description_html: Option<String>,
    remediation_html: Option<String>,
    vulnerability_classifications_html: Option<String>,
    references_html: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawNamed {
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawError {
    message: Option<String>,
}

/// An issue ready for the shared rule, and what only the API says.
struct Converted {
    issue: Issue,
    accepted_risk: bool,
}

impl Converted {
    fn origin(&self) -> Option<String> {
        self.issue.origin()
    }
}

impl RawIssue {
    fn into_issue(self) -> Converted {
        let kind = self.issue_type.unwrap_or_default();
        let confidence = match non_empty(self.display_confidence) {
            Some(shown) if shown.trim().eq_ignore_ascii_case("false_positive") => Some(shown),
            _ => self.confidence,
        };
        Converted {
            issue: Issue {
                issue_type: kind
                    .type_index
                    .map(Id::text)
                    .and_then(|t| non_empty(Some(t))),
                name: kind.name,
                host: self.origin,
                path: self.path,
                severity: self.severity,
                confidence,
                background: kind.description_html,
                remediation_background: kind.remediation_html,
                references: kind.references_html,
                classifications: kind.vulnerability_classifications_html,
                detail: self.description_html,
                detail_items: non_empty(self.novelty)
                    .map(|n| format!("Novelty: {}", n.trim()))
                    .into_iter()
                    .collect(),
                remediation_detail: self.remediation_html,
                ..Issue::default()
            },
            accepted_risk: self.accepted_risk.unwrap_or(false),
        }
    }
}
