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
    }
}
