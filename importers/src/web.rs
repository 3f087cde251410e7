//! What the web (DAST) importers share: a URL's host and path, CWE ids and links, HTML turned
//! into text once per distinct fragment, and the merge of a report's records into one finding
//! per identity.

use crate::Sink;
use crate::error::SinkError;
use crate::finding::Finding;
use std::collections::HashMap;

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

/// HTML-to-text conversions of one report, remembered: web scanners repeat the same
/// description, impact and remediation for every item of a type, and converting HTML is the
/// costly part.
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
    /// How strong a tool status is, when the merged finding keeps the strongest (Burp's
    /// confidence); without it the first record's status is kept.
    status_rank: Option<fn(&str) -> u8>,
}

struct Pending {
    finding: Finding,
    /// Parameters of the later records that differ from the finding's own.
    parameters: Parameters,
    /// The description without instance details.
    base: Option<String>,
    details: Vec<String>,
    more_details: usize,
}

impl Merger {
    /// A merger whose findings keep the strongest tool status of their records, by `rank`
    /// (higher is stronger).
    pub fn keeping_strongest_status(rank: fn(&str) -> u8) -> Merger {
        Merger {
            status_rank: Some(rank),
            ..Merger::default()
        }
    }

    /// Adds one item: a new finding, or merged into the one with the same fingerprint (highest
    /// severity wins; CWEs, aliases, references, parameters and instance details are united).
    pub fn add(&mut self, finding: Finding, details: Option<String>) {
        if let Some(&i) = self.index.get(&finding.fingerprint)
            && let Some(pending) = self.items.get_mut(i)
        {
            let kept = &mut pending.finding;
            if finding.severity > kept.severity {
                kept.severity = finding.severity;
                kept.severity_original = finding.severity_original;
            }
            if let (Some(rank), Some(new)) = (self.status_rank, finding.tool_status)
                && kept
                    .tool_status
                    .as_deref()
                    .is_none_or(|old| rank(&new) > rank(old))
            {
                kept.tool_status = Some(new);
            }
            unite(&mut kept.cwe, finding.cwe);
            unite(&mut kept.aliases, finding.aliases);
            unite(&mut kept.references, finding.references);
            if let Some(new) = finding.location.parameter {
                pending.parameters.add(new);
            }
            if kept.cvss.is_empty() {
                kept.cvss = finding.cvss;
            }
            pending.push_details(details);
            return;
        }
        let mut finding = finding;
        let mut pending = Pending {
            // Moved, not copied: the description is put together again when it is flushed.
            base: finding.description.take(),
            parameters: Parameters::default(),
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
        self.parameters.join_into(&mut finding.location.parameter);
        // One string, written in place: most findings of a large report have one record.
        let mut text = self.base.unwrap_or_default();
        if !self.details.is_empty() && !text.is_empty() {
            text.push_str("\n\n");
        }
        match self.details.as_slice() {
            [] => {}
            [one] => {
                text.push_str("Details:\n");
                text.push_str(one);
            }
            all => {
                text.push_str(&format!(
                    "Details ({} instances):",
                    all.len() + self.more_details
                ));
                for d in all {
                    text.push_str("\n- ");
                    text.push_str(&d.replace('\n', "\n  "));
                }
                if self.more_details > 0 {
                    text.push_str(&format!("\n- ... and {} more", self.more_details));
                }
            }
        }
        finding.description = (!text.is_empty()).then_some(text);
        finding
    }
}

/// Adds the entries of `more` that `list` lacks, in order.
fn unite(list: &mut Vec<String>, more: Vec<String>) {
    for entry in more {
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
}

/// The distinct parameters of a merged finding's later records (its identity may leave the
/// parameter out, as Burp's does), listed after its own, comma-separated.
#[derive(Default)]
struct Parameters {
    more: Vec<String>,
}

impl Parameters {
    /// At most this many are listed; the records keep every one in the raw report.
    const MAX: usize = 20;

    fn add(&mut self, parameter: String) {
        if self.more.len() < Self::MAX && !self.more.contains(&parameter) {
            self.more.push(parameter);
        }
    }

    fn join_into(self, parameter: &mut Option<String>) {
        let mut all: Vec<String> = parameter.take().into_iter().collect();
        unite(&mut all, self.more);
        *parameter = (!all.is_empty()).then(|| all.join(", "));
    }
}

/// The origin of an absolute URL, `scheme://host[:port]`, lower-cased, the scheme's default port
/// (80 for http, 443 for https) left out; `None` without a scheme and host.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = host_of(rest)?;
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_string(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// A date written with an English month abbreviation (`27`, `Jan`, `2021`, `22:43:35`), as
/// ZAP and Burp write theirs, as ISO 8601 local time without offset; `None` when any part does
/// not parse (a report written in another locale: `Okt`, `Mär`).
pub fn english_date(day: &str, month: &str, year: &str, time: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = month.get(..3).map(str::to_ascii_lowercase)?;
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let day: u32 = day.trim_end_matches(',').parse().ok()?;
    let year: u32 = year.parse().ok()?;
    let mut clock = time.split(':').map(|p| p.parse::<u32>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    let valid = (1..=31).contains(&day)
        && (1000..=9999).contains(&year)
        && hour < 24
        && minute < 60
        && second <= 60
        && clock.next().is_none();
    valid.then(|| format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"))
}

/// Every CWE id (`CWE-79`) in a text, once each, in order of first appearance.
pub fn cwe_ids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("CWE-") {
        let tail = &rest[at + 4..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let id = format!("CWE-{}", &tail[..digits]);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        rest = tail;
    }
    out
}

/// Every CVE id (`CVE-2018-19396`) in a text, once each, in order of first appearance.
pub fn cve_ids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("CVE-") {
        let tail = &rest[at + 4..];
        let year = tail.bytes().take_while(u8::is_ascii_digit).count();
        let number = tail
            .get(year + 1..)
            .map_or(0, |n| n.bytes().take_while(u8::is_ascii_digit).count());
        if year == 4 && tail.as_bytes().get(4) == Some(&b'-') && number >= 4 {
            let id = format!("CVE-{}", &tail[..year + 1 + number]);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        rest = tail;
    }
    out
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
    }

    #[test]
    fn origins_and_cves() {
        assert_eq!(origin("HTTP://Bwa:80/x?y").as_deref(), Some("http://bwa"));
        assert_eq!(
            origin("https://a.example:8443/").as_deref(),
            Some("https://a.example:8443")
        );
        assert_eq!(
            origin("https://a.example:443").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(origin("/no/host"), None);
        assert_eq!(
            cwe_ids("<a>CWE-524: x</a> CWE-525, CWE-524, CWE-"),
            ["CWE-524", "CWE-525"]
        );
        assert_eq!(
            english_date("12", "May", "2020", "20:57:30").as_deref(),
            Some("2020-05-12T20:57:30")
        );
        assert_eq!(
            english_date("30", "Sep.", "2022", "08:40:35").as_deref(),
            Some("2022-09-30T08:40:35")
        );
        assert_eq!(english_date("30", "Okt", "2022", "08:40:35"), None);
        assert_eq!(english_date("30", "Oct", "2022", "8:40"), None);
        assert_eq!(
            cve_ids("CVE-2018-19396 and <a>CVE-2018-19395</a>, CVE-2018-19396, CVE-18-1, CVE-"),
            ["CVE-2018-19396", "CVE-2018-19395"]
        );
    }

    #[test]
    fn merged_findings_unite_parameters_and_keep_the_strongest_status() {
        let finding = |parameter: &str, status: &str| Finding {
            epss: None,
            fingerprint: "f".into(),
            kind: crate::Kind::Web,
            category: None,
            rule_id: "r".into(),
            title: "t".into(),
            description: None,
            remediation: None,
            severity: crate::Severity::Low,
            severity_original: None,
            cvss: Vec::new(),
            cwe: Vec::new(),
            aliases: Vec::new(),
            references: Vec::new(),
            component: crate::Component::default(),
            location: crate::Location {
                parameter: Some(parameter.into()),
                ..crate::Location::default()
            },
            tool_status: Some(status.into()),
        };
        let mut merger = Merger::keeping_strongest_status(|s| u8::from(s == "certain"));
        merger.add(finding("a", "tentative"), None);
        merger.add(finding("b", "certain"), None);
        merger.add(finding("a", "tentative"), None);
        let mut out = Vec::new();
        let flushed = merger.flush(&mut |f| {
            out.push(f);
            Ok(())
        });
        assert!(flushed.is_ok());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].location.parameter.as_deref(), Some("a, b"));
        assert_eq!(out[0].tool_status.as_deref(), Some("certain"));
    }
}
