//! Burp Suite (Professional) XML export: `<issues burpVersion="..." exportTime="...">` with one
//! `<issue>` per reported issue (Target, Site map, select issues, Report issues for this host,
//! XML). Issue text is HTML; requests and responses are base64 (or plain) inside the issue.
//!
//! One finding per issue type per site (origin) per URL path: the issues of one report that
//! share them (one per parameter, per backup file name, per cookie) are merged into one finding
//! whose description lists each issue's location and detail. DefectDojo keeps one finding per
//! type for the whole host instead.
//!
//! Streamed with the crate's strict XML reader (no entity is ever expanded, the DOCTYPE Burp
//! writes is read past). What is held is the merged findings, not the file: the issues of one
//! finding may be anywhere in it. Requests and responses are read past unbuilt but for the first
//! line of an issue's first request, kept as a short excerpt.
//!
//! Burp Suite DAST's GraphQL API answers with the same issues as JSON (`dast.rs`,
//! `burp-dast-json`); both formats make findings with the one rule of `issue.rs`.

mod dast;
mod issue;

pub use dast::BurpDastJson;

use crate::error::ImportError;
use crate::finding::{ScanInfo, Severity};
use crate::web::Merger;
use crate::xml::{Item, XmlReader};
use crate::{Importer, Sink};
use issue::Issue;
use std::io::Read;

/// Tool family of Burp's formats.
pub const TOOL: &str = "burp";

const FORMAT: &str = "burp-xml";

pub struct BurpXml;

impl Importer for BurpXml {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Burp Suite Professional XML issue export (`<issues burpVersion=...>`), requests and responses base64 or plain"
    }

    fn example(&self) -> &'static str {
        "Burp Suite: Target > Site map > select hosts > Issues > Report issues > XML"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('<')
            && head.contains("<issues")
            && (head.contains("burpVersion=") || head.contains("<serialNumber>"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        };
        let mut xml = XmlReader::new(input, FORMAT);
        let mut merger = Merger::keeping_strongest_status(status_rank);
        let mut texts = crate::web::HtmlText::default();
        let root = match xml.next()? {
            Item::Start { element, empty } => {
                let name = element.name().as_ref().to_string();
                if name != "issues" {
                    return Err(
                        xml.error(format!("the root element is <{name}>, expected <issues>"))
                    );
                }
                let [version, exported] = xml.attrs(&element, ["burpVersion", "exportTime"])?;
                info.tool_version = version.filter(|v| !v.trim().is_empty());
                info.scanned_at = exported.as_deref().and_then(export_time);
                empty
            }
            _ => return Err(xml.error("no root element")),
        };
        let mut n = 0usize;
        if !root {
            loop {
                match xml.next()? {
                    Item::Start { element, empty } => {
                        if element.name().as_ref() != "issue" || empty {
                            if !empty {
                                xml.skip()?;
                            }
                            continue;
                        }
                        n += 1;
                        let issue = Issue::read(&mut xml)?;
                        if info.target.is_none() {
                            info.target = issue.origin();
                        }
                        match issue.into_finding(&mut texts) {
                            Some((finding, details)) => merger.add(finding, details),
                            None => info.warn(format!("skipped issue #{n} without type or name")),
                        }
                    }
                    Item::End => break,
                    Item::Eof => return Err(xml.error("unexpected end of input")),
                }
            }
        }
        match xml.next()? {
            Item::Eof => {}
            _ => return Err(xml.error("content after the root element")),
        }
        merger.flush(sink).map_err(ImportError::Sink)?;
        Ok(info)
    }
}

/// Severity by the one table (PRODUCT.md): `High`, `Medium`, `Low`, `Information`; an issue a
/// user marked `False positive` keeps info (its status says why).
fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_lowercase().as_str() {
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "information" | "info" | "informational" | "false positive" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// How sure Burp is (its `confidence`), for the merged finding to keep the strongest; a user's
/// false positive, then a risk accepted in Burp Suite DAST, above any confidence.
fn status_rank(status: &str) -> u8 {
    match status {
        "false_positive" => 5,
        "accepted_risk" => 4,
        "certain" => 3,
        "firm" => 2,
        "tentative" => 1,
        _ => 0,
    }
}

/// `exportTime` (`Wed Jan 27 22:43:35 WIB 2021`, Java's `Date.toString`) as ISO 8601 local time
/// without offset: zone abbreviations are ambiguous (`IST`), so none is invented.
fn export_time(text: &str) -> Option<String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let (month, day, time, year) = match fields.as_slice() {
        [_, month, day, time, _, year] | [_, month, day, time, year] => {
            (*month, *day, *time, *year)
        }
        _ => return None,
    };
    crate::web::english_date(day, month, year, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_times() {
        assert_eq!(
            export_time("Wed Jan 27 22:43:35 WIB 2021").as_deref(),
            Some("2021-01-27T22:43:35")
        );
        assert_eq!(
            export_time("Sat Sep 13 22:39:44 2014").as_deref(),
            Some("2014-09-13T22:39:44")
        );
        assert_eq!(export_time("yesterday"), None);
        assert_eq!(export_time("Wed Foo 27 22:43:35 WIB 2021"), None);
    }

    #[test]
    fn severities() {
        assert_eq!(severity("Information"), Severity::Info);
        assert_eq!(severity("High"), Severity::High);
        assert_eq!(severity("False positive"), Severity::Info);
        assert_eq!(severity("?"), Severity::Unknown);
    }
}
