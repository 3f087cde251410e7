//! The one SARIF writer: a log of runs, each run's results streamed one at a time within
//! [`Limits`], the rules of the results written, and a note on whatever was left out.
//!
//! A run is written results first and closed when the next run starts (or the log ends): its
//! rules are then known (those of the results written, never more) and a later run left out for
//! the runs-per-file limit can still be noted in the last run written.

use super::limits::{Budget, LeftOut, Limits};
use super::model::{Invocation, Notification, Rule, SarifResult, Text, Tool};
use crate::ReportError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// What a run says about itself, besides its results.
pub struct RunSpec<'a> {
    /// The analysis tool: the scanner, or ScanLedger's gate.
    pub driver: Tool<'a>,
    /// ScanLedger, when it converted the scanner's reports into this run; `None` when the run
    /// is ScanLedger's own analysis.
    pub converter: Option<Tool<'static>>,
    /// `automationDetails.id`: the category GitHub keeps a run's alerts under.
    pub category: Option<String>,
    pub properties: Option<serde_json::Value>,
}

/// One result to write, with its rule.
pub struct Entry<'a> {
    pub result: SarifResult<'a>,
    pub rule: Rule<'a>,
}

/// A run whose results are written and whose closing waits for the next run or the end.
struct OpenRun {
    driver: serde_json::Value,
    converter: Option<Tool<'static>>,
    category: Option<String>,
    properties: Option<serde_json::Value>,
    /// Serialized rules by id, in id order.
    rules: BTreeMap<String, Vec<u8>>,
    left_out: LeftOut,
}

/// Writes a SARIF 2.1.0 log into `out`, within `limits`.
pub struct SarifWriter<'w> {
    budget: Budget<'w>,
    open: Option<OpenRun>,
    runs: usize,
    /// Runs left out for the runs-per-file limit: (driver name, results).
    runs_left_out: Vec<(String, usize)>,
    /// Set once a result did not fit the file: every later one is left out too, so what is kept
    /// is always the most severe.
    file_full: bool,
}

impl<'w> SarifWriter<'w> {
    /// Starts the log.
    pub fn start(out: &'w mut dyn Write, limits: Limits) -> Result<SarifWriter<'w>, ReportError> {
        let mut budget = Budget::new(out, limits);
        budget.write_all(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[",
        )?;
        Ok(SarifWriter {
            budget,
            open: None,
            runs: 0,
            runs_left_out: Vec::new(),
            file_full: false,
        })
    }

    /// Writes one run: the entries in the order given (most severe first), as many as the
    /// limits allow.
    pub fn run<'a>(
        &mut self,
        spec: RunSpec<'a>,
        entries: impl IntoIterator<Item = Entry<'a>>,
    ) -> Result<(), ReportError> {
        self.run_each(spec, |push| {
            for entry in entries {
                push(entry)?;
            }
            Ok(())
        })
    }

    /// [`SarifWriter::run`] with the entries handed over one at a time by `each`, each of
    /// which may borrow from a value that lives only for its call (findings read from a spool).
    pub fn run_each(
        &mut self,
        spec: RunSpec<'_>,
        each: impl FnOnce(
            &mut dyn FnMut(Entry<'_>) -> Result<(), ReportError>,
        ) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        let limits = self.budget.limits;
        if self.runs == limits.runs_per_file {
            let mut count = 0usize;
            each(&mut |_| {
                count += 1;
                Ok(())
            })?;
            self.runs_left_out
                .push((spec.driver.name.to_string(), count));
            return Ok(());
        }
        self.close_run()?;
        self.budget
            .write_all(if self.runs == 0 { b"\n{" } else { b",\n{" })?;
        self.runs += 1;
        let mut run = OpenRun {
            driver: serde_json::to_value(&spec.driver)?,
            converter: spec.converter,
            category: spec.category,
            properties: spec.properties,
            rules: BTreeMap::new(),
            left_out: LeftOut::default(),
        };
        self.budget.write_all(b"\"results\":[")?;
        let mut written = 0usize;
        let mut pending = 0usize;
        let mut line = Vec::with_capacity(1024);
        each(&mut |entry| {
            if written == limits.results_per_run {
                run.left_out.past_results_per_run += 1;
                return Ok(());
            }
            if self.file_full {
                run.left_out.past_file_size += 1;
                return Ok(());
            }
            line.clear();
            line.extend_from_slice(if written == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut line, &entry.result)?;
            let new_rule = if run.rules.contains_key(&entry.rule.id) {
                None
            } else {
                Some(serde_json::to_vec(&entry.rule)?)
            };
            let rule_bytes = new_rule.as_ref().map_or(0, |r| r.len() + 2);
            if !self.budget.fits(line.len(), pending + rule_bytes) {
                self.file_full = true;
                run.left_out.past_file_size += 1;
                return Ok(());
            }
            self.budget.write_all(&line)?;
            written += 1;
            if let Some(rule) = new_rule {
                pending += rule_bytes;
                run.rules.insert(entry.rule.id, rule);
            }
            Ok(())
        })?;
        self.budget.write_all(b"\n]")?;
        self.open = Some(run);
        Ok(())
    }

    /// Ends the log.
    pub fn finish(mut self) -> Result<(), ReportError> {
        self.close_run()?;
        self.budget.write_all(b"\n]}\n")?;
        self.budget.flush()?;
        Ok(())
    }

    /// Writes the open run's tool, rules, category, notes and properties, and closes it.
    fn close_run(&mut self) -> Result<(), ReportError> {
        let Some(run) = self.open.take() else {
            return Ok(());
        };
        let limits = self.budget.limits;
        let out = &mut self.budget;
        out.write_all(b",\"tool\":{\"driver\":")?;
        let mut driver = run.driver;
        let rules: Vec<serde_json::Value> = run
            .rules
            .values()
            .map(|r| serde_json::from_slice(r))
            .collect::<Result<_, _>>()?;
        if !rules.is_empty() {
            driver["rules"] = serde_json::Value::Array(rules);
        }
        serde_json::to_writer(&mut *out, &driver)?;
        out.write_all(b"}")?;
        if let Some(category) = &run.category {
            out.write_all(b",\"automationDetails\":")?;
            serde_json::to_writer(&mut *out, &serde_json::json!({ "id": category }))?;
        }

        let mut notes: Vec<String> = run.left_out.sentence(&limits).into_iter().collect();
        // The log's last run also says which runs did not fit.
        let last = self.runs_left_out.len();
        if last > 0 {
            let tools: Vec<String> = self
                .runs_left_out
                .drain(..)
                .map(|(tool, results)| format!("{tool} ({results} results)"))
                .collect();
            notes.push(format!(
                "ScanLedger left out the runs of {last} more tool(s), past GitHub code \
                 scanning's {} runs per file: {}; findings.json and findings.csv list them all.",
                limits.runs_per_file,
                tools.join(", ")
            ));
        }
        let invocation = Invocation {
            execution_successful: true,
            tool_execution_notifications: notes
                .iter()
                .map(|text| Notification {
                    level: "warning",
                    message: Text { text },
                })
                .collect(),
        };
        match &run.converter {
            Some(converter) => {
                out.write_all(b",\"conversion\":")?;
                #[derive(Serialize)]
                struct ConverterTool<'a> {
                    driver: &'a Tool<'static>,
                }
                #[derive(Serialize)]
                struct Conversion<'a> {
                    tool: ConverterTool<'a>,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    invocation: Option<&'a Invocation<'a>>,
                }
                serde_json::to_writer(
                    &mut *out,
                    &Conversion {
                        tool: ConverterTool { driver: converter },
                        invocation: (!notes.is_empty()).then_some(&invocation),
                    },
                )?;
            }
            None if !notes.is_empty() => {
                out.write_all(b",\"invocations\":")?;
                serde_json::to_writer(&mut *out, &[&invocation])?;
            }
            None => {}
        }
        let mut properties = run.properties.unwrap_or_else(|| serde_json::json!({}));
        if run.left_out.total() > 0 {
            properties["leftOutResults"] = serde_json::json!(run.left_out.total());
        }
        if properties.as_object().is_some_and(|p| !p.is_empty()) {
            out.write_all(b",\"properties\":")?;
            serde_json::to_writer(&mut *out, &properties)?;
        }
        out.write_all(b"}")?;
        Ok(())
    }
}

/// A result's `level` for a severity name.
pub fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sarif::model::{FINGERPRINT_KEY, Text};

    fn entry(i: usize) -> Entry<'static> {
        Entry {
            result: SarifResult {
                rule_id: format!("R{}", i % 3),
                level: "error",
                message: Text { text: "a finding" },
                locations: Vec::new(),
                partial_fingerprints: [(FINGERPRINT_KEY, "f")].into(),
                properties: None,
                suppressions: Vec::new(),
            },
            rule: Rule {
                id: format!("R{}", i % 3),
                short_description: Text { text: "a rule" },
                properties: None,
            },
        }
    }

    fn spec(name: &'static str) -> RunSpec<'static> {
        RunSpec {
            driver: Tool {
                name,
                version: Some("1.0"),
                information_uri: None,
            },
            converter: Some(Tool::SCANLEDGER),
            category: Some(format!("scanledger/p/{name}/")),
            properties: None,
        }
    }

    fn write(limits: Limits, runs: &[(&'static str, usize)]) -> serde_json::Value {
        let mut out = Vec::new();
        let mut w = SarifWriter::start(&mut out, limits).unwrap();
        for (name, n) in runs {
            w.run(spec(name), (0..*n).map(entry)).unwrap();
        }
        w.finish().unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    fn notes(run: &serde_json::Value) -> Vec<String> {
        run["conversion"]["invocation"]["toolExecutionNotifications"]
            .as_array()
            .map(|n| {
                n.iter()
                    .map(|n| n["message"]["text"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_run_past_the_results_limit_keeps_the_first_and_says_how_many_it_left_out() {
        let limits = Limits {
            results_per_run: 10,
            ..Limits::GITHUB
        };
        let log = write(limits, &[("trivy", 25), ("tfsec", 4)]);
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs[0]["results"].as_array().unwrap().len(), 10);
        assert_eq!(runs[0]["properties"]["leftOutResults"], 15);
        let said = notes(&runs[0]);
        assert_eq!(said.len(), 1);
        assert!(
            said[0].contains("left out 15") && said[0].contains("10 results per run"),
            "{said:?}"
        );
        // Rules are those of the results written: never more rules than results.
        assert_eq!(
            runs[0]["tool"]["driver"]["rules"].as_array().unwrap().len(),
            3
        );
        assert_eq!(runs[1]["results"].as_array().unwrap().len(), 4);
        assert!(notes(&runs[1]).is_empty());
        assert!(runs[1]["properties"].is_null());
    }

    #[test]
    fn runs_past_the_runs_limit_are_named_in_the_last_run() {
        let limits = Limits {
            runs_per_file: 2,
            ..Limits::GITHUB
        };
        let log = write(limits, &[("a", 1), ("b", 1), ("c", 3), ("d", 2)]);
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        let said = notes(&runs[1]);
        assert!(
            said[0].contains("2 more tool(s)") && said[0].contains("c (3 results), d (2 results)"),
            "{said:?}"
        );
    }

    #[test]
    fn a_file_past_its_size_leaves_out_the_rest_and_stays_valid() {
        // Room for the tail and a few results only.
        let limits = Limits {
            compressed_bytes: 256 * 1024 + 600,
            ..Limits::GITHUB
        };
        let log = write(limits, &[("a", 50), ("b", 5)]);
        let runs = log["runs"].as_array().unwrap();
        let kept = runs[0]["results"].as_array().unwrap().len();
        assert!(kept > 0 && kept < 50, "{kept}");
        assert_eq!(runs[0]["properties"]["leftOutResults"], 50 - kept);
        assert!(notes(&runs[0])[0].contains("bytes per compressed file"));
        // Once full, later runs keep nothing either: what is kept is the most severe.
        assert_eq!(runs[1]["results"].as_array().unwrap().len(), 0);
        assert_eq!(runs[1]["properties"]["leftOutResults"], 5);
    }

    #[test]
    fn an_empty_log_has_no_runs() {
        assert_eq!(write(Limits::GITHUB, &[])["runs"], serde_json::json!([]));
    }
}
