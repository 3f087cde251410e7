//! Acunetix: the classic XML export (`ScanGroup/Scan/ReportItems`, and the header-less
//! "Acunetix Pro/online" variant), Acunetix 360 / Invicti JSON, and the on-premises REST API
//! vulnerability list (`{"vulnerabilities": [...], "pagination": {...}}`).
//!
//! All three give web (DAST) findings. One finding per vulnerability type per URL path (without
//! query) per parameter: items of one report that share these are merged into one finding whose
//! description lists each item's details (Acunetix XML reports one item per cookie or form at the
//! same path). Unlike DefectDojo we never merge different paths under one title.
//!
//! Request and response excerpts are never copied into findings: they stay in the raw report.

mod api;
mod json360;
mod xml;

pub use api::AcunetixApiJson;
pub use json360::Acunetix360Json;
pub use xml::AcunetixXml;

use crate::Sink;
use crate::error::SinkError;
use crate::finding::{Finding, Kind, Severity};
use crate::fingerprint::fingerprint;
use std::collections::HashMap;

/// Tool family of every Acunetix format.
pub const TOOL: &str = "acunetix";

/// Severity by the one table (PRODUCT.md), case-insensitive: Acunetix XML writes `high` (WVS)
/// or `High` (Pro), Acunetix 360 `Critical`..`Information`/`BestPractice`.
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "informational" | "information" | "info" | "bestpractice" | "best practice" => {
            Severity::Info
        }
        _ => Severity::Unknown,
    }
}

/// The on-premises API's integer severity (0 = info .. 3 = high, 4 = critical in v15+).
pub fn severity_from_level(level: i64) -> Severity {
    match level {
        4 => Severity::Critical,
        3 => Severity::High,
        2 => Severity::Medium,
        1 => Severity::Low,
        0 => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// `(scheme://)host(:port)` of a URL-ish string, lower-cased, without path. `None` when empty.
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The path of a URL or of a path with a query: no scheme, host, query or fragment; `/` when
/// empty; always starting with `/`.
pub fn url_path(url: &str) -> String {
    let url = url.trim();
    let path_and_more = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    let path = path_and_more.split(['?', '#']).next().unwrap_or("");
    if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// A base URL (`StartURL`, possibly without scheme) joined with a path (`Affects`).
pub fn join_url(base: &str, path: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let root = match base.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => {
            let host = base.split(['/', '?', '#']).next().unwrap_or("");
            format!("http://{host}")
        }
    };
    let path = path.trim();
    if path.starts_with('/') {
        format!("{root}{path}")
    } else {
        format!("{root}/{path}")
    }
}

/// Day-first Acunetix dates (`27/02/2020, 12:56:09`, `25/06/2021 09:59 AM`) as ISO 8601 local
/// time without offset: the reports carry no zone, so none is invented.
pub fn day_first_date(text: &str) -> Option<String> {
    let text = text.trim();
    let (date, time) = match text.split_once([',', ' ']) {
        Some((d, t)) => (d, t.trim_start_matches(',').trim()),
        None => (text, ""),
    };
    let mut parts = date.split('/');
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let year: u32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    if !(1000..=9999).contains(&year) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if time.is_empty() {
        return Some(date);
    }
    let (clock, meridiem) = match time.rsplit_once(' ') {
        Some((c, m)) => (c.trim(), Some(m.trim().to_ascii_uppercase())),
        None => (time, None),
    };
    let mut fields = clock.split(':');
    let mut hour: u32 = fields.next()?.parse().ok()?;
    let minute: u32 = fields.next()?.parse().ok()?;
    let second: u32 = match fields.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    match meridiem.as_deref() {
        Some("PM") if hour < 12 => hour += 12,
        Some("AM") if hour == 12 => hour = 0,
        Some("AM" | "PM") | None => {}
        Some(_) => return None,
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}"))
}

/// CVSS version of a vector: `CVSS:3.1/...` gives `3.1`; a bare v2 vector (`AV:N/AC:L/Au:N/...`)
/// gives `2.0`.
pub fn cvss_version(vector: &str) -> Option<String> {
    let vector = vector.trim();
    if let Some(rest) = vector.strip_prefix("CVSS:") {
        return rest.split('/').next().map(str::to_string);
    }
    vector.contains("Au:").then(|| "2.0".to_string())
}

/// `CWE-79` from `79`, `CWE-79` or `cwe-79`; `None` for anything that is not a CWE number.
pub fn cwe_id(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cwe-"))
        .map_or(text, |_| &text[4..]);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("CWE-{digits}"))
}

/// Every `href` target in an HTML fragment (Acunetix 360 `ExternalReferences`).
pub fn hrefs(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=") {
        rest = &rest[i + 5..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &rest[1..];
        let Some(end) = body.find(quote) else { break };
        let link = body[..end].trim();
        if !link.is_empty() && !out.iter().any(|l| l == link) {
            out.push(link.to_string());
        }
        rest = &body[end..];
    }
    out
}

/// An empty or blank string as `None`, else trimmed.
pub fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// The rule id of an Acunetix XML item: its vulnerability name with white space folded and a
/// trailing ` (verified)` dropped (Acunetix marks an item it could confirm that way; the same
/// issue found unconfirmed in the next scan must keep its identity).
pub fn rule_from_name(name: &str) -> String {
    let folded = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = folded.to_ascii_lowercase();
    match lower.strip_suffix("(verified)") {
        Some(stem) => folded[..stem.len()].trim_end().to_string(),
        None => folded,
    }
}

/// The fingerprint of an Acunetix web finding: rule, URL path (no host, query or fragment),
/// parameter. The host is the scan's target (part of its slot), not the finding's identity.
pub fn web_fingerprint(rule_id: &str, path: &str, parameter: Option<&str>) -> String {
    fingerprint(
        TOOL,
        Kind::Web,
        rule_id,
        &[path, parameter.unwrap_or_default()],
    )
}

/// HTML-to-text conversions of one report, remembered: Acunetix repeats the same description,
/// impact and remediation for every item of a type, and converting HTML is the costly part.
#[derive(Default)]
pub struct HtmlText {
    cache: HashMap<String, String>,
}

impl HtmlText {
    const MAX_ENTRIES: usize = 4096;
    const MAX_KEY: usize = 16 * 1024;

    /// Plain text of `html`, `None` when it is blank.
    pub fn text(&mut self, html: Option<&str>) -> Option<String> {
        let html = html?;
        if let Some(text) = self.cache.get(html) {
            return (!text.is_empty()).then(|| text.clone());
        }
        let text = crate::text::html_to_text(html);
        if html.len() <= Self::MAX_KEY && self.cache.len() < Self::MAX_ENTRIES {
            self.cache.insert(html.to_string(), text.clone());
        }
        (!text.is_empty()).then_some(text)
    }
}

/// At most this many distinct instance details are kept in a merged finding's description.
const MAX_DETAILS: usize = 50;

/// Instance details longer than this (characters) are cut: some embed a response excerpt, which
/// belongs to the raw report, not to the findings table.
const MAX_DETAIL_CHARS: usize = 2000;

/// Findings of one report merged by fingerprint, in order of first appearance.
#[derive(Default)]
pub struct Merger {
    items: Vec<Pending>,
    index: HashMap<String, usize>,
}

struct Pending {
    finding: Finding,
    /// The description without instance details.
    base: Option<String>,
    details: Vec<String>,
    more_details: usize,
}

impl Merger {
    /// Adds one item: a new finding, or merged into the one with the same fingerprint (highest
    /// severity wins; CWEs, references and instance details are united).
    pub fn add(&mut self, finding: Finding, details: Option<String>) {
        if let Some(&i) = self.index.get(&finding.fingerprint)
            && let Some(pending) = self.items.get_mut(i)
        {
            let kept = &mut pending.finding;
            if finding.severity > kept.severity {
                kept.severity = finding.severity;
                kept.severity_original = finding.severity_original;
            }
            for cwe in finding.cwe {
                if !kept.cwe.contains(&cwe) {
                    kept.cwe.push(cwe);
                }
            }
            for r in finding.references {
                if !kept.references.contains(&r) {
                    kept.references.push(r);
                }
            }
            if kept.cvss.is_empty() {
                kept.cvss = finding.cvss;
            }
            pending.push_details(details);
            return;
        }
        let mut pending = Pending {
            base: finding.description.clone(),
            finding,
            details: Vec::new(),
            more_details: 0,
        };
        pending.push_details(details);
        self.index
            .insert(pending.finding.fingerprint.clone(), self.items.len());
        self.items.push(pending);
    }

    /// Sends every finding to the sink, in order of first appearance.
    pub fn flush(self, sink: &mut Sink<'_>) -> Result<(), SinkError> {
        for pending in self.items {
            sink(pending.into_finding())?;
        }
        Ok(())
    }
}

impl Pending {
    fn push_details(&mut self, details: Option<String>) {
        let Some(mut details) = details.filter(|d| !d.is_empty()) else {
            return;
        };
        if let Some((cut, _)) = details.char_indices().nth(MAX_DETAIL_CHARS) {
            details.truncate(cut);
            details.push_str(" [...]");
        }
        if self.details.contains(&details) {
            return;
        }
        if self.details.len() < MAX_DETAILS {
            self.details.push(details);
        } else {
            self.more_details += 1;
        }
    }

    fn into_finding(self) -> Finding {
        let mut finding = self.finding;
        let mut parts: Vec<String> = self.base.into_iter().collect();
        match self.details.len() {
            0 => {}
            1 => parts.push(format!("Details:\n{}", self.details.concat())),
            n => {
                let mut text = format!("Details ({} instances):", n + self.more_details);
                for d in &self.details {
                    text.push_str("\n- ");
                    text.push_str(&d.replace('\n', "\n  "));
                }
                if self.more_details > 0 {
                    text.push_str(&format!("\n- ... and {} more", self.more_details));
                }
                parts.push(text);
            }
        }
        finding.description = (!parts.is_empty()).then(|| parts.join("\n\n"));
        finding
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_hosts() {
        assert_eq!(url_path("http://a.b:8080/x/y?q=1#f"), "/x/y");
        assert_eq!(url_path("http://a.b"), "/");
        assert_eq!(url_path("/some/path"), "/some/path");
        assert_eq!(url_path("some/path"), "/some/path");
        assert_eq!(url_path(""), "/");
        assert_eq!(
            host_of("https://Vijaytest.com/x").as_deref(),
            Some("vijaytest.com")
        );
        assert_eq!(
            host_of("example.co.id:9000").as_deref(),
            Some("example.co.id:9000")
        );
        assert_eq!(host_of(""), None);
        assert_eq!(join_url("www.a.com", "/x"), "http://www.a.com/x");
        assert_eq!(join_url("https://a.com/", "/x"), "https://a.com/x");
        assert_eq!(join_url("https://a.com/base/", "x"), "https://a.com/x");
    }

    #[test]
    fn dates() {
        assert_eq!(
            day_first_date("27/02/2020, 12:56:09").as_deref(),
            Some("2020-02-27T12:56:09")
        );
        assert_eq!(
            day_first_date("25/06/2021 09:59 PM").as_deref(),
            Some("2021-06-25T21:59:00")
        );
        assert_eq!(
            day_first_date("25/06/2021 12:05 AM").as_deref(),
            Some("2021-06-25T00:05:00")
        );
        assert_eq!(day_first_date("2021-06-25"), None);
        assert_eq!(day_first_date("99/99/2021"), None);
        assert_eq!(day_first_date(""), None);
    }

    #[test]
    fn rules_cwes_cvss() {
        assert_eq!(
            rule_from_name(" Cross site  scripting (verified)"),
            "Cross site scripting"
        );
        assert_eq!(rule_from_name("SQL injection"), "SQL injection");
        assert_eq!(cwe_id("CWE-79").as_deref(), Some("CWE-79"));
        assert_eq!(cwe_id("16").as_deref(), Some("CWE-16"));
        assert_eq!(cwe_id("x"), None);
        assert_eq!(cwe_id("é"), None);
        assert_eq!(cvss_version("CVSS:3.1/AV:N").as_deref(), Some("3.1"));
        assert_eq!(
            cvss_version("AV:N/AC:L/Au:N/C:N/I:N/A:P").as_deref(),
            Some("2.0")
        );
        assert_eq!(
            hrefs("<a href='x'>a</a><a target='_blank' href=\"y\">b</a><a href=z>"),
            vec!["x", "y"]
        );
    }
}
