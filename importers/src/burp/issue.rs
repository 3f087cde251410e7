//! One Burp issue: read from an `<issue>` of the XML export (or filled from a Burp Suite DAST
//! GraphQL issue, `dast.rs`), then made into a finding by the one rule both formats share.

use super::TOOL;
use crate::error::ImportError;
use crate::finding::{Component, Finding, Kind, Location};
use crate::fingerprint::fingerprint;
use crate::text::html_to_text;
use crate::web;
use crate::xml::{Item, XmlReader};
use base64::Engine;

/// The issue type Burp gives every issue an extension reports: such issues are told apart by
/// their name.
const EXTENSION_TYPE: &str = "134217728";

/// How much of a request is read to find its first line (base64 of about 3 KiB).
const REQUEST_PREFIX: usize = 4096;

/// The longest request line kept in a finding (characters).
const MAX_REQUEST_LINE: usize = 300;

/// What a finding needs of one issue; everything else stays in the raw report.
#[derive(Default)]
pub(super) struct Issue {
    pub(super) issue_type: Option<String>,
    pub(super) name: Option<String>,
    pub(super) host: Option<String>,
    pub(super) path: Option<String>,
    pub(super) location: Option<String>,
    pub(super) severity: Option<String>,
    pub(super) confidence: Option<String>,
    pub(super) background: Option<String>,
    pub(super) remediation_background: Option<String>,
    pub(super) references: Option<String>,
    pub(super) classifications: Option<String>,
    pub(super) detail: Option<String>,
    pub(super) detail_items: Vec<String>,
    pub(super) remediation_detail: Option<String>,
    /// The first line of the first request (`GET /path?query HTTP/1.1`).
    pub(super) request_line: Option<String>,
}

impl Issue {
    /// Reads the children of the `<issue>` just opened, up to its end tag.
    pub(super) fn read(xml: &mut XmlReader<'_>) -> Result<Issue, ImportError> {
        let mut issue = Issue::default();
        let depth = xml.depth();
        loop {
            let (element, empty) = match xml.next()? {
                Item::Start { element, empty } => (element, empty),
                Item::End if xml.depth() < depth => return Ok(issue),
                Item::End => continue,
                Item::Eof => return Err(xml.error("unexpected end of input")),
            };
            if empty {
                continue;
            }
            let slot = match element.name().as_ref() {
                "type" => &mut issue.issue_type,
                "name" => &mut issue.name,
                "host" => &mut issue.host,
                "path" => &mut issue.path,
                "location" => &mut issue.location,
                "severity" => &mut issue.severity,
                "confidence" => &mut issue.confidence,
                "issueBackground" => &mut issue.background,
                "remediationBackground" => &mut issue.remediation_background,
                "references" => &mut issue.references,
                "vulnerabilityClassifications" => &mut issue.classifications,
                "issueDetail" => &mut issue.detail,
                "remediationDetail" => &mut issue.remediation_detail,
                "issueDetailItems" => {
                    issue.detail_items = detail_items(xml)?;
                    continue;
                }
                "requestresponse" if issue.request_line.is_none() => {
                    issue.request_line = request_line(xml)?;
                    continue;
                }
                _ => {
                    xml.skip()?;
                    continue;
                }
            };
            *slot = xml.trimmed_text()?;
        }
    }

    /// The site the issue is on: `scheme://host[:port]` of `<host>`.
    pub(super) fn origin(&self) -> Option<String> {
        self.host.as_deref().and_then(web::origin)
    }

    /// The finding, and this issue's details for the merged description; `None` for an issue
    /// with neither type nor name. The texts of the issue's type (its backgrounds), which Burp
    /// repeats in every issue of the type, are converted once per report (`texts`).
    pub(super) fn into_finding(
        self,
        texts: &mut web::HtmlText,
    ) -> Option<(Finding, Option<String>)> {
        let name = self
            .name
            .as_deref()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty());
        let rule_id = match (self.issue_type.as_deref(), name.as_deref()) {
            (Some(EXTENSION_TYPE), Some(name)) => format!("{EXTENSION_TYPE}:{name}"),
            (Some(t), _) => t.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => return None,
        };
        let origin = self.origin();
        let path = web::url_path(self.path.as_deref().unwrap_or("/"));
        let fingerprint = fingerprint(
            TOOL,
            Kind::Web,
            &rule_id,
            &[origin.as_deref().unwrap_or_default(), &path],
        );
        let html = |t: &Option<String>| t.as_deref().map(html_to_text).filter(|t| !t.is_empty());
        let description = texts.text(self.background.as_deref());
        let remediation_detail = html(&self.remediation_detail);
        let remediation = texts
            .text(self.remediation_background.as_deref())
            .or_else(|| remediation_detail.clone());
        let detail = html(&self.detail);
        let mut aliases = Vec::new();
        let mut cwe = Vec::new();
        let mut references = Vec::new();
        for text in [&self.classifications, &self.references, &self.detail] {
            let Some(text) = text.as_deref() else {
                continue;
            };
            for id in web::cve_ids(text) {
                if !aliases.contains(&id) {
                    aliases.push(id);
                }
            }
        }
        if let Some(classes) = self.classifications.as_deref() {
            cwe = web::cwe_ids(classes);
            references.extend(web::hrefs(classes));
        }
        if let Some(refs) = self.references.as_deref() {
            for link in web::hrefs(refs) {
                if !references.contains(&link) {
                    references.push(link);
                }
            }
        }
        let parameter = self.location.as_deref().and_then(bracketed);
        let details = details(
            self.location.as_deref().or(self.path.as_deref()),
            detail.as_deref(),
            &self.detail_items,
            remediation_detail.filter(|_| self.remediation_background.is_some()),
            self.request_line.as_deref(),
        );
        let severity_original = self.severity;
        let tool_status = match severity_original.as_deref() {
            Some(s) if s.trim().eq_ignore_ascii_case("false positive") => {
                Some("false_positive".to_string())
            }
            _ => self
                .confidence
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty()),
        };
        let url = origin.as_deref().map(|o| format!("{o}{path}"));
        let finding = Finding {
            epss: None,
            fingerprint,
            kind: Kind::Web,
            category: None,
            title: name.unwrap_or_else(|| rule_id.clone()),
            rule_id,
            description,
            remediation,
            severity: severity_original
                .as_deref()
                .map_or(crate::Severity::Unknown, super::severity),
            severity_original,
            cvss: Vec::new(),
            cwe,
            aliases,
            references,
            component: Component::default(),
            location: Location {
                target: origin,
                url: url.or(self.path),
                parameter,
                ..Location::default()
            },
            tool_status,
        };
        Some((finding, details))
    }
}

/// The issue's own lines of a merged finding's description: where (`location`, which names the
/// parameter or file), Burp's detail, its detail items, and the request line.
fn details(
    location: Option<&str>,
    detail: Option<&str>,
    items: &[String],
    remediation: Option<String>,
    request: Option<&str>,
) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(location.map(str::to_string));
    lines.extend(detail.map(str::to_string));
    lines.extend(items.iter().map(|i| format!("- {i}")));
    lines.extend(remediation.map(|r| format!("Remediation: {r}")));
    lines.extend(request.map(|r| format!("Request: {r}")));
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The parameter Burp names in a location: `/basket.jsp [b_id cookie]` gives `b_id cookie`.
fn bracketed(location: &str) -> Option<String> {
    let inner = location.trim().strip_suffix(']')?;
    let (_, parameter) = inner.split_once(" [")?;
    let parameter = parameter.trim();
    (!parameter.is_empty()).then(|| parameter.to_string())
}

/// The texts of `<issueDetailItem>`s, up to the end of `<issueDetailItems>`.
fn detail_items(xml: &mut XmlReader<'_>) -> Result<Vec<String>, ImportError> {
    let depth = xml.depth();
    let mut items = Vec::new();
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if empty {
                    continue;
                }
                if element.name().as_ref() == "issueDetailItem" {
                    let text = xml.text()?.trim().to_string();
                    if !text.is_empty() {
                        items.push(text);
                    }
                } else {
                    xml.skip()?;
                }
            }
            Item::End if xml.depth() < depth => return Ok(items),
            Item::End => {}
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The first line of the `<request>` of a `<requestresponse>`, decoded when it is base64; the
/// rest of the request and the response are read past unbuilt.
fn request_line(xml: &mut XmlReader<'_>) -> Result<Option<String>, ImportError> {
    let depth = xml.depth();
    let mut line = None;
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if empty {
                    continue;
                }
                if element.name().as_ref() == "request" && line.is_none() {
                    let base64 = xml
                        .attr(&element, "base64")?
                        .is_some_and(|b| b.trim() == "true");
                    let text = xml.text_capped(REQUEST_PREFIX)?;
                    line = first_line(&text, base64);
                } else {
                    xml.skip()?;
                }
            }
            Item::End if xml.depth() < depth => return Ok(line),
            Item::End => {}
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The first line of a request (its start, possibly base64), cut to [`MAX_REQUEST_LINE`].
fn first_line(text: &str, base64: bool) -> Option<String> {
    let decoded;
    let plain = if base64 {
        let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let whole = compact.len() - compact.len() % 4;
        decoded = base64::engine::general_purpose::STANDARD
            .decode(compact.get(..whole)?)
            .ok()?;
        String::from_utf8_lossy(&decoded)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let line = plain.lines().next()?.trim();
    let line: String = line.chars().take(MAX_REQUEST_LINE).collect();
    (!line.is_empty()).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_in_locations() {
        assert_eq!(
            bracketed("/bodgeit/basket.jsp [b_id cookie]").as_deref(),
            Some("b_id cookie")
        );
        assert_eq!(bracketed("/index.bak"), None);
        assert_eq!(bracketed("/a []"), None);
    }

    #[test]
    fn request_lines() {
        // "GET /x HTTP/1.1\r\nHost: a\r\n" in base64.
        assert_eq!(
            first_line("R0VUIC94IEhUVFAvMS4xDQpIb3N0OiBhDQo=", true).as_deref(),
            Some("GET /x HTTP/1.1")
        );
        // A prefix cut inside a base64 quantum still decodes its whole quanta.
        assert_eq!(
            first_line("R0VUIC94IEhUVFAvMS4xDQpIb3", true).as_deref(),
            Some("GET /x HTTP/1.1")
        );
        assert_eq!(
            first_line("POST /login HTTP/1.1\nHost: a", false).as_deref(),
            Some("POST /login HTTP/1.1")
        );
        assert_eq!(first_line("!!!!", true), None);
    }
}
