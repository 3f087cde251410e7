//! The sonar-report JSON export, walked as it is read: each issue is converted and handed to the
//! sink as soon as it is read; what is held is the report-level data (project, server, rule
//! descriptions) and a 64-bit hash of the key of each issue read as a plain issue (see below).
//!
//! An issue needs the report's `sonarComponent` (or `projectName`, `applicationName`),
//! `sonarBaseURL`, `rules` and `hotspotKeys`. sonar-report writes all but `hotspotKeys` before the
//! issues; when one of them comes after the issues instead, the issues are held as read and
//! converted at the end, exactly as if it had come first.
//!
//! `hotspotKeys` always comes after the issues, and waiting for it would hold every issue. An
//! issue is a hotspot when its key is in that list or its status is a hotspot's (`TO_REVIEW`,
//! `REVIEWED`); sonar-report gives every hotspot it lists such a status. So issues are read
//! before the list by their status, and when the list then names an issue that was read as a plain
//! issue, the scan says so in a warning.

use super::normalize::{self, Extras, Identities, hash64};
use super::raw::{RawRecord, RawReportRule, RawSonarReport};
use crate::error::{ImportError, Position, SinkError};
use crate::finding::{Finding, ScanInfo};
use crate::{Sink, text};
use serde::Deserialize;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read;

use super::REPORT_FORMAT;

/// The fields of the report that the importer reads (the others are skipped unbuilt).
const FIELDS: &[&str] = &[
    "projectName",
    "applicationName",
    "sonarComponent",
    "sonarBaseURL",
    "rules",
    "issues",
    "hotspotKeys",
];

/// Reads a sonar-report export into `sink`.
pub(super) fn import(input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
    let reader = std::io::BufReader::with_capacity(256 * 1024, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut walker = Walker {
        sink,
        sink_error: None,
        report: RawSonarReport::default(),
        seen: [false; FIELDS.len()],
        has_issues: false,
        held: Vec::new(),
        descriptions: BTreeMap::new(),
        ids: Identities::default(),
        hotspot_keys: HashSet::new(),
        read_as_issues: HashSet::new(),
        info: ScanInfo {
            tool: normalize::TOOL.into(),
            ..ScanInfo::default()
        },
    };
    let outcome = ReportSeed {
        walker: &mut walker,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(err) = walker.sink_error.take() {
        return Err(ImportError::Sink(err));
    }
    outcome.map_err(|e| ImportError::from_json(REPORT_FORMAT, e))?;
    if !walker.has_issues {
        return Err(ImportError::malformed(
            REPORT_FORMAT,
            Position::default(),
            "not a findings report: no `issues` list",
        ));
    }
    walker.info.target = walker.target();
    let held = std::mem::take(&mut walker.held);
    if !held.is_empty() {
        walker.describe_rules();
    }
    for issue in held {
        if let Some(finding) = walker.convert(issue) {
            (walker.sink)(finding).map_err(ImportError::Sink)?;
        }
    }
    walker.check_hotspot_keys();
    Ok(walker.info)
}

/// State of one import while its report is walked.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    /// The sink's error, kept here because serde errors carry only text.
    sink_error: Option<SinkError>,
    /// The report-level fields read so far (never its issues).
    report: RawSonarReport,
    /// Which of [`FIELDS`] were read.
    seen: [bool; FIELDS.len()],
    /// Whether the report has an `issues` list (`null` is none).
    has_issues: bool,
    /// Issues read before the report-level data they need, converted at the end.
    held: Vec<RawRecord>,
    /// Rule descriptions as text, by rule key.
    descriptions: BTreeMap<String, String>,
    ids: Identities,
    /// `hotspotKeys`, once read.
    hotspot_keys: HashSet<String>,
    /// Hashes of the keys of issues read as plain issues before `hotspotKeys`.
    read_as_issues: HashSet<u64>,
    info: ScanInfo,
}

impl Walker<'_, '_> {
    fn seen(&self, field: &str) -> bool {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .is_some_and(|i| self.seen[i])
    }

    /// The report's project, as far as it is read.
    fn target(&self) -> Option<String> {
        let r = &self.report;
        r.sonar_component
            .clone()
            .or(r.project_name.clone())
            .or(r.application_name.clone())
    }

    /// Whether everything an issue needs, but `hotspotKeys`, has been read.
    fn can_stream(&self) -> bool {
        let target_known = self.report.sonar_component.is_some()
            || ["projectName", "applicationName", "sonarComponent"]
                .iter()
                .all(|f| self.seen(f));
        target_known && self.seen("sonarBaseURL") && self.seen("rules")
    }

    fn describe_rules(&mut self) {
        let rules: &BTreeMap<String, RawReportRule> = match &self.report.rules {
            Some(rules) => rules,
            None => return,
        };
        self.descriptions = rules
            .iter()
            .filter_map(|(k, r)| Some((k.clone(), text::html_to_text(r.html_desc.as_deref()?))))
            .collect();
    }

    /// Converts one issue; a skipped one becomes a warning.
    fn convert(&mut self, mut issue: RawRecord) -> Option<Finding> {
        // Paths in sonar-report are project-relative already; the project is the report's.
        if issue.project.is_none() {
            issue.project = self.target();
        }
        let by_status = issue
            .status
            .as_deref()
            .is_some_and(|s| s == "TO_REVIEW" || s == "REVIEWED");
        let hotspot = by_status
            || issue
                .key
                .as_deref()
                .is_some_and(|k| self.hotspot_keys.contains(k));
        if !by_status
            && !self.seen("hotspotKeys")
            && let Some(key) = issue.key.as_deref()
        {
            self.read_as_issues.insert(hash64(key));
        }
        let extras = Extras {
            rule_description: issue
                .rule
                .as_deref()
                .and_then(|r| self.descriptions.get(r))
                .map(String::as_str),
            base_url: self.report.sonar_base_url.as_deref(),
        };
        match normalize::convert(issue, hotspot, &extras, &mut self.ids) {
            Ok(found) => found,
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                None
            }
        }
    }

    /// Warns when `hotspotKeys`, read after the issues, names issues read as plain issues.
    fn check_hotspot_keys(&mut self) {
        if self.read_as_issues.is_empty() {
            return;
        }
        let named = self
            .hotspot_keys
            .iter()
            .filter(|k| self.read_as_issues.contains(&hash64(k)))
            .count();
        if named > 0 {
            self.info.warn(format!(
                "`hotspotKeys` names {named} issue(s) read as plain issues: the list comes after the issues, and their status is not a hotspot's (TO_REVIEW, REVIEWED)"
            ));
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
        d.deserialize_struct("RawSonarReport", FIELDS, self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct RawSonarReport")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.walker;
        while let Some(key) = map.next_key::<String>()? {
            let Some(field) = FIELDS.iter().position(|f| *f == key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if walker.seen[field] {
                return Err(de::Error::duplicate_field(FIELDS[field]));
            }
            let report = &mut walker.report;
            match FIELDS[field] {
                "projectName" => report.project_name = map.next_value()?,
                "applicationName" => report.application_name = map.next_value()?,
                "sonarComponent" => report.sonar_component = map.next_value()?,
                "sonarBaseURL" => report.sonar_base_url = map.next_value()?,
                "rules" => report.rules = map.next_value()?,
                "hotspotKeys" => {
                    let keys: Option<Vec<String>> = map.next_value()?;
                    walker.hotspot_keys = keys.into_iter().flatten().collect();
                }
                _ => {
                    let stream = walker.can_stream();
                    if stream {
                        walker.describe_rules();
                    }
                    map.next_value_seed(IssuesSeed {
                        walker: &mut *walker,
                        stream,
                    })?;
                }
            }
            walker.seen[field] = true;
        }
        Ok(())
    }

    /// A report written as a JSON list of its fields: read whole, its issues held.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let mut report = RawSonarReport::deserialize(SeqAccessDeserializer::new(seq))?;
        let walker = self.walker;
        walker.seen = [true; FIELDS.len()];
        walker.hotspot_keys = report.hotspot_keys.take().into_iter().flatten().collect();
        if let Some(issues) = report.issues.take() {
            walker.has_issues = true;
            walker.held = issues;
        }
        walker.report = report;
        Ok(())
    }
}

/// `issues` (or `null`): each converted as read when `stream`, else held.
struct IssuesSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
    stream: bool,
}

impl<'de> DeserializeSeed<'de> for IssuesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for IssuesSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.walker.has_issues = true;
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walker = self.walker;
        while let Some(issue) = seq.next_element::<RawRecord>()? {
            if !self.stream {
                walker.held.push(issue);
                continue;
            }
            if let Some(finding) = walker.convert(issue) {
                (walker.sink)(finding).map_err(|err| {
                    let message = err.to_string();
                    walker.sink_error = Some(err);
                    de::Error::custom(message)
                })?;
            }
        }
        Ok(())
    }
}
