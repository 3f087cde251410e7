//! The gate as a JUnit XML test report, for CI systems that show test results
//! (`scanledger gate --format junit`).
//!
//! One test suite per gate rule (`severity-threshold`, `required-scans`, ...), one failing test
//! case per reason the rule gives, and one passing case for a rule that gives none, so a CI
//! page lists every blocking finding by name. Findings kept from blocking by their tool's own
//! decision are skipped cases of a last suite, `decided-in-tool`. The document keeps to the
//! JUnit schema CI tools validate against (Jenkins xunit's `junit-10.xsd`, checked in the test
//! suite); quick-xml's writer does the escaping.

use crate::ReportError;
use domain::{GateReason, GateResult};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io::Write;

/// What a test case is: passed, failed with a message and details, or skipped with a reason.
enum Outcome<'a> {
    Passed,
    Failed { message: &'a str, details: &'a str },
    Skipped { message: &'a str },
}

struct Case<'a> {
    name: &'a str,
    outcome: Outcome<'a>,
}

struct Suite<'a> {
    rule: &'a str,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn count(&self, what: fn(&Outcome<'_>) -> bool) -> usize {
        self.cases.iter().filter(|c| what(&c.outcome)).count()
    }
}

/// The gate result as a JUnit XML document.
pub fn gate_junit(result: &GateResult) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    write_gate_junit(result, &mut out)?;
    Ok(out)
}

/// Writes the gate result as a JUnit XML document into `out`.
pub fn write_gate_junit(result: &GateResult, out: &mut dyn Write) -> Result<(), ReportError> {
    let messages: Vec<(&'static str, String)> = result
        .reasons
        .iter()
        .map(|r| (r.rule(), xml_text(&r.message())))
        .collect();
    let decided: Vec<String> = result
        .decided_in_tool
        .iter()
        .map(|d| xml_text(&d.describe()))
        .collect();
    let mut suites: Vec<Suite<'_>> = GateReason::RULES
        .iter()
        .map(|&rule| {
            let mut cases: Vec<Case<'_>> = messages
                .iter()
                .filter(|(r, _)| *r == rule)
                .map(|(_, message)| Case {
                    name: message,
                    outcome: Outcome::Failed {
                        message,
                        details: message,
                    },
                })
                .collect();
            if cases.is_empty() {
                cases.push(Case {
                    name: rule,
                    outcome: Outcome::Passed,
                });
            }
            Suite { rule, cases }
        })
        .collect();
    if !decided.is_empty() {
        suites.push(Suite {
            rule: "decided-in-tool",
            cases: decided
                .iter()
                .map(|line| Case {
                    name: line,
                    outcome: Outcome::Skipped { message: line },
                })
                .collect(),
        });
    }

    let io = ReportError::Io;
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(io)?;
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites
        .iter()
        .map(|s| s.count(|o| matches!(o, Outcome::Failed { .. })))
        .sum();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "scanledger gate"));
    root.push_attribute(("tests", total.to_string().as_str()));
    root.push_attribute(("failures", failures.to_string().as_str()));
    root.push_attribute(("errors", "0"));
    w.write_event(Event::Start(root)).map_err(io)?;
    let timestamp = result.evaluated_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let policy = result
        .policy_version
        .map_or_else(|| "none".to_string(), |v| v.to_string());
    for suite in &suites {
        let mut start = BytesStart::new("testsuite");
        let name = format!(
            "scanledger gate {} {}: {}",
            result.project, result.release, suite.rule
        );
        start.push_attribute(("name", name.as_str()));
        start.push_attribute(("tests", suite.cases.len().to_string().as_str()));
        let failed = suite.count(|o| matches!(o, Outcome::Failed { .. }));
        start.push_attribute(("failures", failed.to_string().as_str()));
        start.push_attribute(("errors", "0"));
        let skipped = suite.count(|o| matches!(o, Outcome::Skipped { .. }));
        start.push_attribute(("skipped", skipped.to_string().as_str()));
        start.push_attribute(("timestamp", timestamp.as_str()));
        start.push_attribute(("package", "scanledger.gate"));
        w.write_event(Event::Start(start)).map_err(io)?;
        w.write_event(Event::Start(BytesStart::new("properties")))
            .map_err(io)?;
        for (key, value) in [
            ("project", result.project.as_str()),
            ("release", result.release.as_str()),
            ("policy_version", policy.as_str()),
            ("fail_on", result.fail_on.as_str()),
        ] {
            let mut property = BytesStart::new("property");
            property.push_attribute(("name", key));
            property.push_attribute(("value", value));
            w.write_event(Event::Empty(property)).map_err(io)?;
        }
        w.write_event(Event::End(BytesEnd::new("properties")))
            .map_err(io)?;
        let classname = format!("scanledger.gate.{}", suite.rule);
        for case in &suite.cases {
            let mut start = BytesStart::new("testcase");
            start.push_attribute(("name", case.name));
            start.push_attribute(("classname", classname.as_str()));
            match case.outcome {
                Outcome::Passed => {
                    w.write_event(Event::Empty(start)).map_err(io)?;
                }
                Outcome::Failed { message, details } => {
                    w.write_event(Event::Start(start)).map_err(io)?;
                    let mut failure = BytesStart::new("failure");
                    failure.push_attribute(("type", suite.rule));
                    failure.push_attribute(("message", message));
                    w.write_event(Event::Start(failure)).map_err(io)?;
                    w.write_event(Event::Text(BytesText::new(details)))
                        .map_err(io)?;
                    w.write_event(Event::End(BytesEnd::new("failure")))
                        .map_err(io)?;
                    w.write_event(Event::End(BytesEnd::new("testcase")))
                        .map_err(io)?;
                }
                Outcome::Skipped { message } => {
                    w.write_event(Event::Start(start)).map_err(io)?;
                    let mut skipped = BytesStart::new("skipped");
                    skipped.push_attribute(("message", message));
                    w.write_event(Event::Empty(skipped)).map_err(io)?;
                    w.write_event(Event::End(BytesEnd::new("testcase")))
                        .map_err(io)?;
                }
            }
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))
            .map_err(io)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .map_err(io)?;
    w.into_inner().write_all(b"\n").map_err(io)?;
    Ok(())
}

/// `text` with the characters XML 1.0 cannot carry (controls other than tab and line breaks,
/// U+FFFE, U+FFFF) shown as U+FFFD: a scanner's text may hold them, and a CI tool must still
/// read the report.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::xml_text;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(
            xml_text("a\u{1b}[31mb\tc\u{FFFF}"),
            "a\u{FFFD}[31mb\tc\u{FFFD}"
        );
    }
}
