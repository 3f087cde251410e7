//! Bandit JSON (`bandit -r . -f json`): one finding per entry of `results[]`, streamed. The
//! report's `metrics` and `errors` hold no findings and are skipped; `generated_at` is the scan
//! time. Results silenced with `# nosec` are not in the report (Bandit drops them), so there is
//! no tool decision to import.
//!
//! Identity (fingerprint parts): the test id (`B101`), the file (separators unified, a per-run
//! directory dropped: [`crate::tfsec::fingerprint_path`]), the code context and an ordinal
//! ([`crate::code_context`]). The context is the reported line's text, taken from the numbered
//! excerpt in `code` (`51 copy_string = ...`) with its number removed and white space folded;
//! never the bare line number or the message. Bandit sometimes reports one expression twice
//! (nested string concatenations in a SQL query): same test, line, column and code, so the
//! second record repeats the first one's identity and the store keeps one finding.

mod normalize;

pub use normalize::severity;

use crate::code_context::Ordinals;
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::json_report::{ListReport, import_list_report};
use crate::{Importer, Sink};
use std::io::Read;

/// The tool family.
pub const TOOL: &str = "bandit";
const FORMAT: &str = "bandit-json";
const REPORT: ListReport = ListReport {
    format: FORMAT,
    tool: TOOL,
    what: "a Bandit report object with `results`",
    list: "results",
    list_what: "a list of Bandit results",
};

pub struct BanditJson;

impl Importer for BanditJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Bandit JSON (`bandit -f json`), Python security linter, 1.6 and later"
    }

    fn example(&self) -> &'static str {
        "bandit -r . -f json -o bandit.json"
    }

    fn detect(&self, head: &str) -> bool {
        // `metrics` (per file, before `results`) can fill the whole head: its keys
        // (`SEVERITY.HIGH`, `CONFIDENCE.LOW`) are Bandit's own.
        head.trim_start().starts_with('{')
            && head.contains("\"generated_at\"")
            && ((head.contains("\"results\"") && head.contains("\"test_id\""))
                || (head.contains("\"metrics\"") && head.contains("\"SEVERITY.")))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut ids = Ordinals::default();
        let mut keep = [("generated_at", None)];
        let mut info = import_list_report(&REPORT, input, sink, &mut keep, |raw| {
            normalize::convert(raw, &mut ids)
        })?;
        let [(_, generated_at)] = keep;
        info.scanned_at = generated_at;
        Ok(info)
    }
}
