//! tfsec JUnit XML (`tfsec --format junit`): `<testsuite name="tfsec" failures="N" tests="N">`
//! with one `<testcase classname="PATH" name="[LONG_ID][SEVERITY] - DESCRIPTION">` per result;
//! a `<failure message="DESCRIPTION">PATH:START[-END] ... See LINK</failure>` child makes it
//! a finding (`<skipped>` is an ignored result, no child a passed one). The suite name is the
//! executable's name (`tfsec`, `tfsec.exe`). A `<testsuites>` wrapper is accepted.

use super::{Record, version_from_link};
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::xml::{Item, XmlReader};
use crate::{Importer, Sink};
use std::io::Read;

const FORMAT: &str = "tfsec-junit";

pub struct TfsecJunit;

impl Importer for TfsecJunit {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "tfsec JUnit XML (`tfsec --format junit`)"
    }

    fn example(&self) -> &'static str {
        "tfsec . --format junit --out tfsec-junit.xml"
    }

    fn detect(&self, head: &str) -> bool {
        if !head.trim_start().starts_with('<') {
            return false;
        }
        head.contains("<testsuite name=\"tfsec")
            || (head.contains("<testsuite")
                && head.contains("<testcase ")
                && head.contains("aquasecurity.github.io/tfsec/"))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: super::TOOL.into(),
            ..ScanInfo::default()
        };
        let mut xml = XmlReader::new(input, FORMAT);
        match xml.next()? {
            Item::Start { element, empty } => {
                let name = element.name().as_ref().to_string();
                if name != "testsuite" && name != "testsuites" {
                    return Err(xml.error(format!("the root element is <{name}>, not <testsuite>")));
                }
                if empty {
                    return finish(&mut xml, info);
                }
            }
            _ => return Err(xml.error("no root element")),
        }
        loop {
            match xml.next()? {
                Item::Start { element, empty } => {
                    let name = element.name().as_ref().to_string();
                    match name.as_str() {
                        "testsuite" => {}
                        "testcase" => {
                            let classname = xml.attr(&element, "classname")?;
                            let case_name = xml.attr(&element, "name")?.unwrap_or_default();
                            if !empty {
                                testcase(&mut xml, classname, &case_name, &mut info, sink)?;
                            }
                        }
                        _ => {
                            if !empty {
                                xml.skip()?;
                            }
                        }
                    }
                }
                Item::End => {
                    if xml.depth() == 0 {
                        return finish(&mut xml, info);
                    }
                }
                Item::Eof => return Err(xml.error("unexpected end of input")),
            }
        }
    }
}

/// The children of one `<testcase>`: a `<failure>` makes a finding.
fn testcase(
    xml: &mut XmlReader<'_>,
    classname: Option<String>,
    case_name: &str,
    info: &mut ScanInfo,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let depth = xml.depth();
    let mut failure: Option<(Option<String>, String)> = None;
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if element.name().as_ref() == "failure" && failure.is_none() {
                    let message = xml.attr(&element, "message")?;
                    let body = if empty { String::new() } else { xml.text()? };
                    failure = Some((message, body));
                } else if !empty {
                    xml.skip()?;
                }
            }
            Item::End => {
                if xml.depth() < depth {
                    break;
                }
            }
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
    let Some((message, body)) = failure else {
        return Ok(());
    };
    let (rule_id, severity, described) = split_case_name(case_name);
    let (line_start, line_end) = range_in(&body);
    let link = link_in(&body);
    if info.tool_version.is_none() {
        info.tool_version = link.as_deref().and_then(version_from_link);
    }
    let record = Record {
        rule_id,
        message: message.filter(|m| !m.trim().is_empty()).or(described),
        severity,
        links: link.into_iter().collect(),
        file: classname,
        line_start,
        line_end,
        tool_status: Some("failed".into()),
        ..Record::default()
    };
    match record.into_finding() {
        Ok(finding) => sink(finding).map_err(ImportError::Sink),
        Err(reason) => {
            info.warn(format!("skipped {reason} (test case {case_name:?})"));
            Ok(())
        }
    }
}

/// `[LONG_ID][SEVERITY] - DESCRIPTION` into its parts (each `None` when absent).
fn split_case_name(name: &str) -> (Option<String>, Option<String>, Option<String>) {
    let Some(rest) = name.trim().strip_prefix('[') else {
        return (None, None, None);
    };
    let Some((rule, rest)) = rest.split_once(']') else {
        return (None, None, None);
    };
    let (severity, rest) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((sev, rest)) => (Some(sev.to_string()), rest),
        None => (None, rest),
    };
    let description = rest
        .trim_start()
        .strip_prefix('-')
        .unwrap_or(rest)
        .trim()
        .to_string();
    (
        Some(rule.to_string()).filter(|r| !r.trim().is_empty()),
        severity,
        Some(description).filter(|d| !d.is_empty()),
    )
}

/// The line range at the end of the body's first line, `PATH:START[-END]`.
fn range_in(body: &str) -> (Option<i64>, Option<i64>) {
    let first = body.trim_start().lines().next().unwrap_or_default().trim();
    let Some((_, range)) = first.rsplit_once(':') else {
        return (None, None);
    };
    let (start, end) = match range.split_once('-') {
        Some((s, e)) => (s, e),
        None => (range, range),
    };
    match (start.trim().parse::<i64>(), end.trim().parse::<i64>()) {
        (Ok(s), Ok(e)) => (Some(s), Some(e)),
        _ => (None, None),
    }
}

/// The documentation link tfsec ends the body with (`See https://...`).
fn link_in(body: &str) -> Option<String> {
    let start = body.rfind("https://").or_else(|| body.rfind("http://"))?;
    body[start..].split_whitespace().next().map(str::to_string)
}

fn finish(xml: &mut XmlReader<'_>, info: ScanInfo) -> Result<ScanInfo, ImportError> {
    match xml.next()? {
        Item::Eof => Ok(info),
        _ => Err(xml.error("content after the root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_names_split() {
        assert_eq!(
            split_case_name("[azure-keyvault-no-purge][MEDIUM] - Vault has no purge protection."),
            (
                Some("azure-keyvault-no-purge".into()),
                Some("MEDIUM".into()),
                Some("Vault has no purge protection.".into())
            )
        );
        assert_eq!(split_case_name("plain test"), (None, None, None));
    }

    #[test]
    fn ranges_follow_windows_paths() {
        assert_eq!(range_in(r"D:\a b\main.tf:3-30"), (Some(3), Some(30)));
        assert_eq!(range_in("main.tf:10\n\n  x = 1"), (Some(10), Some(10)));
        assert_eq!(range_in("no range"), (None, None));
    }
}
