//! SARIF 2.1.0, from any tool: the driver's name becomes the tool (`Trivy` → `trivy`, tfsec's
//! `defsec`/`tfsec` → `tfsec`), every run of the log is read, rules come from the driver and its
//! extensions, artifact paths are resolved against `originalUriBaseIds`.
//!
//! Not streamed record by record: a result needs its run's rules, base URIs and artifacts,
//! which producers may write after the results. The input is parsed as it is read (never held
//! whole) into the few fields used, everything else skipped unbuilt; what is held is those
//! fields of every result of the log.

mod identity;
mod kind;
mod location;
mod message;
mod normalize;
mod raw;
mod rules;
mod severity;
mod status;
mod taxonomy;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::{Importer, Sink};
use std::io::Read;

pub use kind::{is_advisory_id, tool_family};

const FORMAT: &str = "sarif";

pub struct Sarif;

/// The value after `"key":` in `head` (white space allowed around the colon), if the key occurs.
fn value_after<'h>(head: &'h str, key: &str) -> Option<&'h str> {
    let quoted = format!("\"{key}\"");
    let mut from = 0;
    while let Some(at) = head.get(from..).and_then(|s| s.find(&quoted)) {
        let after = &head[from + at + quoted.len()..];
        if let Some(value) = after.trim_start().strip_prefix(':') {
            return Some(value.trim_start());
        }
        from += at + quoted.len();
    }
    None
}

impl Importer for Sarif {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        "sarif"
    }

    fn description(&self) -> &'static str {
        "SARIF 2.1.0 from any tool (CodeQL, Semgrep, Trivy, tfsec, Gitleaks, Grype, SpotBugs, ...): the driver name is the tool"
    }

    fn example(&self) -> &'static str {
        "trivy image --format sarif --output trivy.sarif IMAGE; codeql database analyze DB --format=sarif-latest --output=codeql.sarif"
    }

    /// A JSON object with a `$schema` naming SARIF, or `"version": "2.1.0"` with `runs`, or a
    /// `runs` key with a tool `driver` (producers that write `$schema` and `version` last).
    fn detect(&self, head: &str) -> bool {
        if !head.trim_start().starts_with('{') {
            return false;
        }
        let schema_is_sarif = value_after(head, "$schema")
            .and_then(|v| v.strip_prefix('"'))
            .and_then(|v| v.split('"').next())
            .is_some_and(|v| v.to_ascii_lowercase().contains("sarif"));
        let has_runs = value_after(head, "runs").is_some();
        let version_2_1 = value_after(head, "version").is_some_and(|v| v.starts_with("\"2.1.0\""));
        schema_is_sarif
            || (has_runs && version_2_1)
            || (has_runs && value_after(head, "driver").is_some())
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let log: raw::RawLog =
            serde_json::from_reader(reader).map_err(|e| ImportError::from_json(FORMAT, e))?;
        let runs = match log.runs {
            None => {
                return Err(ImportError::malformed(
                    FORMAT,
                    crate::Position::default(),
                    "not a SARIF log: the top-level object has no `runs`",
                ));
            }
            Some(runs) => runs.unwrap_or_default(),
        };
        let mut info: Option<ScanInfo> = None;
        let mut warnings: Vec<String> = Vec::new();
        for (run_index, raw_run) in runs.iter().enumerate() {
            let run = normalize::Run::new(raw_run);
            // The scan is described by its first run (a log holds one run per tool, in practice).
            if info.is_none() {
                info = Some(run.scan_info(raw_run));
            }
            for (index, result) in raw_run.results.iter().flatten().enumerate() {
                match run.result(result) {
                    Ok(Some(finding)) => sink(finding).map_err(ImportError::Sink)?,
                    Ok(None) => {}
                    Err(reason) => {
                        if warnings.len() < ScanInfo::MAX_WARNINGS {
                            warnings.push(format!(
                                "skipped {reason} (run {run_index}, result {index}, tool {})",
                                run.tool()
                            ));
                        }
                    }
                }
            }
        }
        let mut info = info.unwrap_or_else(|| ScanInfo {
            tool: "sarif".into(),
            ..ScanInfo::default()
        });
        for w in warnings {
            info.warn(w);
        }
        Ok(info)
    }
}
