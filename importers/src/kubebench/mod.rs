//! kube-bench JSON (`kube-bench run --json`): the CIS Kubernetes Benchmark's controls (one per
//! node type: `master`, `etcd`, `controlplane`, `node`, `policies`), each with sections of
//! results. Accepted as kube-bench writes it (`{"Controls": [...], "Totals": ...}`), as a list of
//! controls, or as one control.
//!
//! One finding per result that is a problem: `FAIL` (medium) and `WARN` (info). `PASS` and
//! `INFO` results are not problems; `WARN` results of manual checks (`type` `manual`, "Test
//! marked as a manual test") are reminders to look by hand, not results, and a scan warning
//! counts them. kube-bench rates no severity: the status is kept as the tool status.
//!
//! Identity: the check number, the node type and the benchmark version. Check numbers are
//! the benchmark's, and a new benchmark version renumbers and rewords checks, so the same
//! number in another version may be another check: they are not merged.
//!
//! Small files (a few hundred results): each control's tests are read whole, then converted.

mod raw;

use crate::error::ImportError;
use crate::finding::{Finding, Kind, Location, ScanInfo, Severity};
use crate::fingerprint::fingerprint;
use crate::inspector2::normalize::non_empty;
use crate::stream::JsonImport;
use crate::{Importer, Sink};
use raw::{RawResult, RawTest};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

/// Tool family of kube-bench's reports.
pub const TOOL: &str = "kube-bench";

const FORMAT: &str = "kube-bench-json";

pub struct KubeBenchJson;

impl Importer for KubeBenchJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "kube-bench JSON (`kube-bench run --json`): CIS Kubernetes Benchmark controls, FAIL and WARN results"
    }

    fn example(&self) -> &'static str {
        "kube-bench run --json > kube-bench.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with(['{', '['])
            && head.contains("\"node_type\"")
            && (head.contains("\"test_number\"") || head.contains("\"total_pass\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        JsonImport::new(sink, TOOL).run(FORMAT, input, |import, de| {
            let mut manual = 0usize;
            ReportSeed {
                import: &mut *import,
                manual: &mut manual,
            }
            .deserialize(de)?;
            if manual > 0 {
                import.info.warn(format!(
                    "{manual} manual check(s) (WARN, marked as a manual test) are reminders, not results: not imported"
                ));
            }
            Ok(())
        })
    }
}

/// The top level, a list of controls, or one control: each map is read by [`ControlSeed`].
struct ReportSeed<'s, 'a, 'b> {
    import: &'s mut JsonImport<'a, 'b>,
    manual: &'s mut usize,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a kube-bench report: an object with Controls, a list of controls, or a control",
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ReportSeed {
                import: &mut *self.import,
                manual: &mut *self.manual,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut control = Control::default();
        let mut tests: Vec<RawTest> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Controls" => map.next_value_seed(ReportSeed {
                    import: &mut *self.import,
                    manual: &mut *self.manual,
                })?,
                "id" => control.id = map.next_value::<Option<String>>()?,
                "version" => control.version = map.next_value::<Option<String>>()?,
                "text" => control.text = map.next_value::<Option<String>>()?,
                "node_type" => control.node_type = map.next_value::<Option<String>>()?,
                "tests" => {
                    tests = map
                        .next_value::<Option<Vec<RawTest>>>()?
                        .unwrap_or_default()
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for test in tests {
            let section = test.desc.unwrap_or_default();
            for result in test.results {
                let is_problem = result.status.as_deref().is_some_and(|s| {
                    s.eq_ignore_ascii_case("FAIL") || s.eq_ignore_ascii_case("WARN")
                });
                if !is_problem {
                    continue;
                }
                if is_manual(&result) {
                    *self.manual += 1;
                    continue;
                }
                self.import
                    .emit::<A::Error>(finding(&control, &section, result))?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Control {
    id: Option<String>,
    version: Option<String>,
    text: Option<String>,
    node_type: Option<String>,
}

fn is_manual(result: &RawResult) -> bool {
    result
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("WARN"))
        && (result.test_type.as_deref() == Some("manual")
            || result.reason.as_deref() == Some("Test marked as a manual test"))
}

fn finding(control: &Control, section: &str, raw: RawResult) -> Result<Finding, String> {
    let Some(rule_id) = non_empty(raw.test_number) else {
        return Err("a kube-bench result without test_number".into());
    };
    let status = non_empty(raw.status).unwrap_or_default();
    let severity = if status.eq_ignore_ascii_case("FAIL") {
        Severity::Medium
    } else {
        Severity::Info
    };
    let node_type = non_empty(control.node_type.clone()).unwrap_or_default();
    let version = non_empty(control.version.clone()).unwrap_or_default();
    let fingerprint = fingerprint(
        TOOL,
        Kind::Misconfiguration,
        &rule_id,
        &[&node_type, &version],
    );
    let mut notes = Vec::new();
    for (label, value) in [
        ("Benchmark version", Some(version.clone())),
        (
            "Control",
            non_empty(Some(format!(
                "{} {}",
                control.id.clone().unwrap_or_default(),
                control.text.clone().unwrap_or_default()
            ))),
        ),
        ("Section", non_empty(Some(section.to_string()))),
        ("Scored", raw.scored.map(|s| s.to_string())),
        ("Audit", non_empty(raw.audit)),
        ("Audit config", non_empty(raw.audit_config)),
        ("Expected", non_empty(raw.expected_result)),
        ("Actual", non_empty(raw.actual_value)),
        ("Reason", non_empty(raw.reason)),
    ] {
        if let Some(value) = non_empty(value) {
            notes.push(format!("{label}: {value}"));
        }
    }
    Ok(Finding {
        epss: None,
        fingerprint,
        kind: Kind::Misconfiguration,
        category: non_empty(Some(node_type.clone())),
        title: non_empty(raw.test_desc).unwrap_or_else(|| rule_id.clone()),
        rule_id,
        description: Some(notes.join("\n")),
        remediation: non_empty(raw.remediation),
        severity,
        severity_original: None,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: Vec::new(),
        component: Default::default(),
        location: Location {
            target: non_empty(Some(node_type)),
            ..Location::default()
        },
        tool_status: Some(status),
    })
}
