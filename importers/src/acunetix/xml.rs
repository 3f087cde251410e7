//! Acunetix XML export: `<ScanGroup><Scan>` with a scan header (`Name`, `StartURL`, `StartTime`,
//! `Crawler`; Acunetix WVS 10 to 13, on premises) or without one (the "Acunetix Pro/online"
//! export, severities capitalised), then `<ReportItems><ReportItem>`.
//!
//! Read with quick-xml, which never resolves external entities nor expands entities a DOCTYPE
//! declares: a reference to one is an error. Request/response excerpts (`TechnicalDetails`),
//! often the bulk of a report, are skipped; only the `Host:` line of a request is kept, for the
//! target of header-less reports.
//!
//! Streamed: events are read one at a time from the input and each `ReportItem` becomes a
//! finding as it closes, merged into the report's findings at once. What is held is the merged
//! findings (the merge needs them all: items of one finding may be anywhere in the file), not
//! the file. The scan header may come after the items (`Crawler`), so a finding's URL and
//! target are completed when the document ends.

use super::{HtmlText, Merger, TOOL};
use crate::error::{ImportError, Position};
use crate::finding::{Component, Cvss, Finding, Kind, Location, ScanInfo};
use crate::{Importer, Sink};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufRead, BufReader, Read};

const FORMAT: &str = "acunetix-xml";

/// Deeper than this is not an Acunetix report (real ones nest 7 levels).
const MAX_DEPTH: usize = 256;

pub struct AcunetixXml;

impl Importer for AcunetixXml {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Acunetix XML export (ScanGroup/Scan/ReportItems): WVS 10-13 and the header-less Acunetix Pro/online variant"
    }

    fn example(&self) -> &'static str {
        "Acunetix WVS: Reports > Export > XML (export.xml)"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        start.starts_with('<')
            && head.contains("<ScanGroup")
            && (head.contains("<Scan>") || head.contains("<Scan ") || head.contains("<Scan/>"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        };
        let mut merger = Merger::default();
        let mut html = HtmlText::default();
        let mut first_host: Option<String> = None;
        let mut n = 0usize;
        let report = parse(input, &mut |item: Item| {
            n += 1;
            if first_host.is_none() {
                first_host.clone_from(&item.host);
            }
            match item.into_finding(&mut html) {
                Some((finding, details)) => merger.add(finding, details),
                None => info.warn(format!(
                    "skipped ReportItem #{n} without Name or ModuleName"
                )),
            }
        })?;
        let base = report.base_url();
        info.target = base.as_deref().and_then(super::host_of).or(first_host);
        info.scanned_at = report
            .start_time
            .as_deref()
            .and_then(super::day_first_date)
            .or_else(|| {
                report
                    .exported_on
                    .as_deref()
                    .and_then(super::day_first_date)
            });
        let target = info.target.as_deref();
        merger
            .flush(&mut |mut finding: Finding| {
                finding.location = located(finding.location, base.as_deref(), target);
                sink(finding)
            })
            .map_err(ImportError::Sink)?;
        Ok(info)
    }
}

/// A finding's location once the scan header is known: until then `url` holds the item's
/// `Affects` and `target` the `Host:` of its request.
fn located(mut location: Location, base: Option<&str>, target: Option<&str>) -> Location {
    let affects = location.url.take();
    location.url = match (base, affects.as_deref()) {
        (Some(base), Some(affects)) if base.contains("://") => Some(super::join_url(base, affects)),
        (Some(base), None) if base.contains("://") => Some(super::join_url(base, "/")),
        (_, Some(affects)) => Some(affects.to_string()),
        (_, None) => None,
    };
    location.target = target.map(str::to_string).or(location.target);
    location
}

#[derive(Default)]
struct Report {
    exported_on: Option<String>,
    start_url: Option<String>,
    crawler_start_url: Option<String>,
    start_time: Option<String>,
    /// Items closed by the last event, handed on at once.
    items: Vec<Item>,
}

impl Report {
    /// The scanned site with its scheme: the crawler's start URL (always absolute), else
    /// `StartURL` (which may lack the scheme).
    fn base_url(&self) -> Option<String> {
        self.crawler_start_url
            .clone()
            .filter(|u| u.contains("://"))
            .or_else(|| self.start_url.clone())
    }
}

#[derive(Default)]
struct Item {
    name: Option<String>,
    module: Option<String>,
    details: Option<String>,
    affects: Option<String>,
    parameter: Option<String>,
    false_positive: Option<String>,
    severity: Option<String>,
    item_type: Option<String>,
    impact: Option<String>,
    description: Option<String>,
    detailed_information: Option<String>,
    recommendation: Option<String>,
    cwe: Vec<String>,
    cve: Vec<String>,
    references: Vec<String>,
    cvss: Vec<Cvss>,
    /// `Host:` of the request, for reports without a scan header.
    host: Option<String>,
}

impl Item {
    /// The finding, with `Affects` as its URL and the request's host as its target until
    /// [`located`] completes them.
    fn into_finding(self, html: &mut HtmlText) -> Option<(Finding, Option<String>)> {
        let name = self
            .name
            .as_deref()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
        let rule_id = name
            .as_deref()
            .map(super::rule_from_name)
            .filter(|r| !r.is_empty())
            .or_else(|| self.module.clone())?;
        let title = name.unwrap_or_else(|| rule_id.clone());
        let path = super::url_path(self.affects.as_deref().unwrap_or("/"));
        let parameter = self.parameter;
        let fingerprint = super::web_fingerprint(&rule_id, &path, parameter.as_deref());
        let mut description = Vec::new();
        description.extend(html.text(self.description.as_deref()));
        description.extend(
            html.text(self.impact.as_deref())
                .map(|i| format!("Impact: {i}")),
        );
        description.extend(html.text(self.detailed_information.as_deref()));
        let details = html.text(self.details.as_deref());
        let severity_original = self.severity;
        let finding = Finding {
            epss: None,
            fingerprint,
            kind: Kind::Web,
            category: self
                .item_type
                .map(|t| t.to_ascii_lowercase())
                .filter(|t| !t.is_empty()),
            rule_id,
            title,
            description: (!description.is_empty()).then(|| description.join("\n\n")),
            remediation: html.text(self.recommendation.as_deref()),
            severity: severity_original
                .as_deref()
                .map_or(crate::Severity::Unknown, super::severity),
            severity_original,
            cvss: self.cvss,
            cwe: self.cwe,
            aliases: self.cve,
            references: self.references,
            component: Component::default(),
            location: Location {
                target: self.host,
                url: self.affects,
                parameter,
                ..Location::default()
            },
            tool_status: self
                .false_positive
                .filter(|f| f.eq_ignore_ascii_case("true"))
                .map(|_| "false_positive".to_string()),
        };
        Some((finding, details))
    }
}

/// Reads the document, handing each `ReportItem` to `on_item` as it closes; returns the scan
/// header. Where a text node belongs is decided by the element stack when the element closes.
fn parse(input: &mut dyn Read, on_item: &mut dyn FnMut(Item)) -> Result<Report, ImportError> {
    let mut reader = Reader::from_reader(Lines::new(BufReader::with_capacity(64 * 1024, input)));
    let mut event_buf: Vec<u8> = Vec::new();
    let mut report = Report::default();
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut item: Option<Item> = None;
    let mut cwe_attr: Option<String> = None;
    let mut cvss: (Option<String>, Option<String>) = (None, None);
    let mut seen_root = false;
    let err = |reader: &Reader<Lines<_>>, msg: String| {
        ImportError::malformed(
            FORMAT,
            reader.get_ref().position(reader.error_position()),
            msg,
        )
    };
    loop {
        for done in report.items.drain(..) {
            on_item(done);
        }
        event_buf.clear();
        let event = match reader.read_event_into(&mut event_buf) {
            Ok(event) => event,
            Err(e) => return Err(err(&reader, format!("invalid XML: {e}"))),
        };
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if !seen_root {
                    if name != "ScanGroup" {
                        return Err(err(
                            &reader,
                            format!("the root element is <{name}>, expected <ScanGroup>"),
                        ));
                    }
                    seen_root = true;
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(&reader, "elements nested too deeply".into()));
                }
                open(&e, &name, &stack, &mut report, &mut item, &mut cwe_attr);
                if matches!(name.as_str(), "CVSS" | "cvss" | "CVSS3" | "cvss3") {
                    cvss = (None, None);
                }
                stack.push(name);
                buf.clear();
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                if !seen_root {
                    return Err(err(&reader, format!("the document is an empty <{name}/>")));
                }
                open(&e, &name, &stack, &mut report, &mut item, &mut cwe_attr);
                buf.clear();
                stack.push(name);
                close(
                    &mut stack,
                    "",
                    &mut report,
                    &mut item,
                    &mut cwe_attr,
                    &mut cvss,
                );
            }
            Event::End(_) => {
                let value = std::mem::take(&mut buf);
                close(
                    &mut stack,
                    &value,
                    &mut report,
                    &mut item,
                    &mut cwe_attr,
                    &mut cvss,
                );
            }
            Event::Text(t) if capturing(&stack) => buf.push_str(&t.into_inner()),
            Event::CData(t) if capturing(&stack) => buf.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => {
                            return Err(err(
                                &reader,
                                format!(
                                    "undefined entity &{other}; (entities declared in a DOCTYPE are never expanded)"
                                ),
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(err(&reader, format!("invalid character reference: {e}")));
                    }
                };
                if capturing(&stack) {
                    buf.push(ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for done in report.items.drain(..) {
        on_item(done);
    }
    if !stack.is_empty() {
        return Err(ImportError::malformed(
            FORMAT,
            reader.get_ref().position(reader.buffer_position()),
            format!(
                "unexpected end of input (truncated file?): <{}> is not closed",
                stack.join("><")
            ),
        ));
    }
    if !seen_root {
        return Err(ImportError::malformed(
            FORMAT,
            reader.get_ref().position(reader.buffer_position()),
            "no <ScanGroup> element",
        ));
    }
    Ok(report)
}

/// Text is kept except inside a response (the bulk of a report, never used) and the crawler's
/// site map.
fn capturing(stack: &[String]) -> bool {
    !stack
        .iter()
        .any(|n| n == "Response" || n == "Crawler" || n == "SiteFiles")
}

fn parent(stack: &[String]) -> &str {
    stack.last().map_or("", String::as_str)
}

fn open(
    e: &BytesStart<'_>,
    name: &str,
    stack: &[String],
    report: &mut Report,
    item: &mut Option<Item>,
    cwe_attr: &mut Option<String>,
) {
    let attr = |key: &str| -> Option<String> {
        e.try_get_attribute(key)
            .ok()
            .flatten()
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.trim().to_string())
            })
            .filter(|v| !v.is_empty())
    };
    match (parent(stack), name) {
        ("", "ScanGroup") => report.exported_on = attr("ExportedOn"),
        ("Scan", "Crawler") => report.crawler_start_url = attr("StartUrl"),
        ("ReportItems", "ReportItem") => *item = Some(Item::default()),
        ("CWEList", "CWE") => *cwe_attr = attr("id"),
        _ => {}
    }
}

fn close(
    stack: &mut Vec<String>,
    value: &str,
    report: &mut Report,
    item: &mut Option<Item>,
    cwe_attr: &mut Option<String>,
    cvss: &mut (Option<String>, Option<String>),
) {
    let Some(name) = stack.pop() else { return };
    let value = value.trim();
    let owned = || (!value.is_empty()).then(|| value.to_string());
    let grandparent = stack.len().checked_sub(2).and_then(|i| stack.get(i));
    match (parent(stack), name.as_str()) {
        ("Scan", "StartURL") => report.start_url = owned(),
        ("Scan", "StartTime") => report.start_time = owned(),
        ("ReportItems", "ReportItem") => {
            if let Some(done) = item.take() {
                report.items.push(done);
            }
        }
        ("ReportItem", field) => {
            let Some(item) = item.as_mut() else { return };
            let slot = match field {
                "Name" => &mut item.name,
                "ModuleName" => &mut item.module,
                "Details" => &mut item.details,
                "Affects" => &mut item.affects,
                "Parameter" => &mut item.parameter,
                "IsFalsePositive" => &mut item.false_positive,
                "Severity" => &mut item.severity,
                "Type" => &mut item.item_type,
                "Impact" => &mut item.impact,
                "Description" => &mut item.description,
                "DetailedInformation" => &mut item.detailed_information,
                "Recommendation" => &mut item.recommendation,
                "CVSS" | "cvss" | "CVSS3" | "cvss3" => {
                    if let Some(vector) = cvss.0.take() {
                        let score = cvss.1.take().and_then(|s| s.parse::<f64>().ok());
                        if let Some(version) = super::cvss_version(&vector) {
                            item.cvss.push(Cvss {
                                version,
                                vector: Some(vector),
                                score,
                                source: None,
                            });
                        }
                    }
                    return;
                }
                _ => return,
            };
            *slot = owned();
        }
        ("CWEList", "CWE") => {
            let id = cwe_attr
                .take()
                .and_then(|a| super::cwe_id(&a))
                .or_else(|| super::cwe_id(value));
            if let (Some(item), Some(id)) = (item.as_mut(), id)
                && !item.cwe.contains(&id)
            {
                item.cwe.push(id);
            }
        }
        ("CVEList", "CVE") => {
            if let (Some(item), Some(cve)) = (item.as_mut(), owned())
                && !item.cve.contains(&cve)
            {
                item.cve.push(cve);
            }
        }
        ("Reference", "URL") if grandparent.is_some_and(|g| g == "References") => {
            if let (Some(item), Some(url)) = (item.as_mut(), owned())
                && !item.references.contains(&url)
            {
                item.references.push(url);
            }
        }
        ("CVSS" | "cvss" | "CVSS3" | "cvss3", "Descriptor") => cvss.0 = owned(),
        ("CVSS" | "cvss" | "CVSS3" | "cvss3", "Score") => cvss.1 = owned(),
        ("TechnicalDetails", "Request") => {
            if let Some(item) = item.as_mut()
                && item.host.is_none()
            {
                item.host = value
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("host"))
                    .map(|(_, v)| v.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty());
            }
        }
        _ => {}
    }
}

/// The input as quick-xml reads it, remembering where lines start: the last [`Lines::WINDOW`]
/// to `2 * WINDOW` bytes it consumed and how many line ends came before them, so an error is
/// placed by line and column without the document being kept.
struct Lines<R> {
    inner: R,
    /// Bytes consumed so far.
    consumed: u64,
    /// The most recently consumed bytes, starting at offset `recent_start`.
    recent: Vec<u8>,
    recent_start: u64,
    /// Line ends before `recent_start`.
    newlines_before: u64,
}

impl<R: BufRead> Lines<R> {
    const WINDOW: usize = 1 << 20;

    fn new(inner: R) -> Self {
        Lines {
            inner,
            consumed: 0,
            recent: Vec::new(),
            recent_start: 0,
            newlines_before: 0,
        }
    }

    /// Line and column (1-based; the column in bytes) of a byte offset in the decoded input.
    /// An offset further back than the window keeps its byte offset only; one whose line starts
    /// before the window, its line without column.
    fn position(&self, offset: u64) -> Position {
        let offset = offset.min(self.consumed);
        let Some(index) = offset
            .checked_sub(self.recent_start)
            .and_then(|i| usize::try_from(i).ok())
        else {
            return Position::byte(offset);
        };
        let before = self.recent.get(..index).unwrap_or_default();
        let line = self.newlines_before + before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let column = match before.iter().rposition(|&b| b == b'\n') {
            Some(at) => Some((index - at) as u64),
            None if self.recent_start == 0 => Some(index as u64 + 1),
            None => None,
        };
        Position {
            line: Some(line),
            column,
            byte: Some(offset),
        }
    }
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The bytes being consumed are still in the inner buffer (filled before, so no I/O).
        if let Ok(buffered) = self.inner.fill_buf() {
            let amount = amount.min(buffered.len());
            self.recent
                .extend_from_slice(buffered.get(..amount).unwrap_or_default());
            self.consumed += amount as u64;
            self.inner.consume(amount);
        }
        if self.recent.len() > 2 * Self::WINDOW {
            let drop = self.recent.len() - Self::WINDOW;
            self.newlines_before +=
                self.recent[..drop].iter().filter(|&&b| b == b'\n').count() as u64;
            self.recent.drain(..drop);
            self.recent_start += drop as u64;
        }
    }
}
