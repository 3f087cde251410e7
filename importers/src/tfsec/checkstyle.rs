//! tfsec checkstyle XML (`tfsec --format checkstyle`): `<checkstyle version="5.0">`, one
//! `<file name="PATH">` per file (in random order between runs), one
//! `<error source="LONG_ID" line="START" column="0" severity="error|warning|info"
//! message="..." link="URL">` per failed result. Severity is coarse: tfsec writes `error` for
//! both CRITICAL and HIGH, so they import as high. No end line, no resource.

use super::{Record, version_from_link};
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::xml::{Item, XmlReader};
use crate::{Importer, Sink};
use std::io::Read;

const FORMAT: &str = "tfsec-checkstyle";

pub struct TfsecCheckstyle;

impl Importer for TfsecCheckstyle {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "tfsec checkstyle XML (`tfsec --format checkstyle`)"
    }

    fn example(&self) -> &'static str {
        "tfsec . --format checkstyle --out tfsec-checkstyle.xml"
    }

    fn detect(&self, head: &str) -> bool {
        // `link` is not a checkstyle attribute: tfsec adds it. An empty checkstyle file could
        // come from any linter, so it is not claimed (use `--type tfsec-checkstyle`).
        head.trim_start().starts_with('<')
            && head.contains("<checkstyle")
            && head.contains("<error ")
            && (head.contains(" link=\"") || head.contains("aquasecurity.github.io/tfsec"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: super::TOOL.into(),
            ..ScanInfo::default()
        };
        let mut xml = XmlReader::new(input, FORMAT);
        match xml.next()? {
            Item::Start { element, empty } if element.name().as_ref() == "checkstyle" => {
                if empty {
                    return finish(&mut xml, info);
                }
            }
            Item::Start { element, .. } => {
                return Err(xml.error(format!(
                    "the root element is <{}>, not <checkstyle>",
                    element.name().as_ref()
                )));
            }
            _ => return Err(xml.error("no root element")),
        }
        let mut file: Option<String> = None;
        loop {
            match xml.next()? {
                Item::Start { element, empty } => {
                    let name = element.name().as_ref().to_string();
                    match name.as_str() {
                        "file" => {
                            let path = xml.attr(&element, "name")?;
                            if !empty {
                                file = path;
                            }
                        }
                        "error" => {
                            let [source, line, severity, message, link] = xml.attrs(
                                &element,
                                ["source", "line", "severity", "message", "link"],
                            )?;
                            let line = match line {
                                Some(v) if !v.trim().is_empty() => {
                                    Some(v.trim().parse::<i64>().map_err(|_| {
                                        xml.error(format!("`line` must be a number, not {v:?}"))
                                    })?)
                                }
                                _ => None,
                            };
                            if info.tool_version.is_none() {
                                info.tool_version = link.as_deref().and_then(version_from_link);
                            }
                            let record = Record {
                                rule_id: source,
                                message,
                                severity,
                                links: link.into_iter().collect(),
                                file: file.clone(),
                                line_start: line,
                                tool_status: Some("failed".into()),
                                ..Record::default()
                            };
                            if !empty {
                                xml.skip()?;
                            }
                            match record.into_finding() {
                                Ok(finding) => sink(finding).map_err(ImportError::Sink)?,
                                Err(reason) => info.warn(format!("skipped {reason}")),
                            }
                        }
                        _ => {
                            if !empty {
                                xml.skip()?;
                            }
                        }
                    }
                }
                Item::End => match xml.depth() {
                    0 => return finish(&mut xml, info),
                    1 => file = None,
                    _ => {}
                },
                Item::Eof => return Err(xml.error("unexpected end of input")),
            }
        }
    }
}

/// After the root closes: only the end of the document may follow.
fn finish(xml: &mut XmlReader<'_>, info: ScanInfo) -> Result<ScanInfo, ImportError> {
    match xml.next()? {
        Item::Eof => Ok(info),
        _ => Err(xml.error("content after the root element")),
    }
}
