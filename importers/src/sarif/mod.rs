//! SARIF 2.1.0, from any tool: the driver's name becomes the tool (`Trivy` → `trivy`, tfsec's
//! `defsec`/`tfsec` → `tfsec`), every run of the log is read, rules come from the driver and its
//! extensions, artifact paths are resolved against `originalUriBaseIds`.
//!
//! Streamed: each result is converted and handed on as soon as it is read; what is held is the
//! run-level data results need (rules, base URIs, artifacts). A run that writes its `tool` after
//! its results is the exception: its results are held until the run ends (see `walk`).

mod identity;
mod kind;
mod location;
mod message;
mod normalize;
mod raw;
mod rules;
mod run;
mod severity;
mod status;
mod taxonomy;
mod walk;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::{Importer, Sink};
use serde::de::DeserializeSeed;
use std::io::Read;

pub use kind::is_advisory_id;
pub use run::tool_family;

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
        let mut de = serde_json::Deserializer::from_reader(reader);
        let mut walker = walk::Walker::new(sink);
        let outcome = walk::LogSeed {
            walker: &mut walker,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Some(err) = walker.sink_error.take() {
            return Err(ImportError::Sink(err));
        }
        outcome.map_err(|e| ImportError::from_json(FORMAT, e))?;
        if !walker.has_runs {
            return Err(ImportError::malformed(
                FORMAT,
                crate::Position::default(),
                "not a SARIF log: the top-level object has no `runs`",
            ));
        }
        let mut info = walker.info.unwrap_or_else(|| ScanInfo {
            tool: "sarif".into(),
            ..ScanInfo::default()
        });
        for w in walker.warnings {
            info.warn(w);
        }
        Ok(info)
    }
}
