//! Semgrep JSON (`semgrep scan --json`, Semgrep CE and the logged-in CLI alike): one finding per
//! result of `results[]`, streamed. `errors` and `paths` say what could not be scanned and what
//! was; they hold no findings and are skipped. Semgrep's SARIF is read by the SARIF importer.
//!
//! Identity (fingerprint parts): the rule (`check_id`), the file (separators unified, a per-run
//! directory dropped: [`crate::tfsec::fingerprint_path`]), the code context and an ordinal
//! ([`crate::code_context`]). The context is the matched code (`extra.lines`) with white space
//! folded, else Semgrep's own `extra.fingerprint`; the CLI writes `requires login` in both when
//! it is not logged in, and then the context is empty and only the ordinal tells results of one
//! rule in one file apart. Never the line numbers or the message. The same rule matching two
//! different hard-coded secrets on lines 12 and 13 of one file gives two findings; a match that
//! only moved to another line keeps its identity.
//!
//! A result with `extra.is_ignored` (a `nosemgrep` comment, reported under `--disable-nosem`)
//! keeps the tool status `suppressed`: a decision made in Semgrep.

mod normalize;
mod raw;

pub use normalize::severity;

use crate::code_context::Ordinals;
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::json_report::{ListReport, import_list_report};
use crate::{Importer, Sink};
use std::io::Read;

/// The tool family.
pub const TOOL: &str = "semgrep";
const FORMAT: &str = "semgrep-json";
const REPORT: ListReport = ListReport {
    format: FORMAT,
    tool: TOOL,
    what: "a Semgrep report object with `results`",
    list: "results",
    list_what: "a list of Semgrep results",
};

pub struct SemgrepJson;

impl Importer for SemgrepJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Semgrep JSON (`semgrep scan --json`): code and secrets results, logged in or not"
    }

    fn example(&self) -> &'static str {
        "semgrep scan --config auto --json --output semgrep.json"
    }

    fn detect(&self, head: &str) -> bool {
        if !head.trim_start().starts_with('{') || !head.contains("\"results\"") {
            return false;
        }
        // Checkov's records have a `check_id` too, and come after Semgrep in the registry.
        if head.contains("\"check_id\"") && head.contains("\"extra\"") {
            return !head.contains("\"check_type\"");
        }
        // A clean scan: `results` empty beside Semgrep's `errors` (and `paths`, `version`);
        // Bandit's clean report has `generated_at` and `metrics` as well, and comes first.
        let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        compact.contains("\"results\":[]")
            && compact.contains("\"errors\":")
            && !head.contains("\"generated_at\"")
            && !head.contains("\"metrics\"")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut ids = Ordinals::default();
        let mut keep = [("version", None)];
        let mut info = import_list_report(&REPORT, input, sink, &mut keep, |raw| {
            normalize::convert(raw, &mut ids)
        })?;
        let [(_, version)] = keep;
        info.tool_version = version;
        Ok(info)
    }
}
