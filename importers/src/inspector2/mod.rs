//! Amazon Inspector (Inspector2) findings as `aws inspector2 list-findings` writes them:
//! `{"findings": [...], "nextToken": ...}`, with package vulnerability, code vulnerability and
//! network reachability findings on ECR images, EC2 instances, Lambda functions and code
//! repositories.
//!
//! One finding per record (normalize.rs says what identifies each type). The status Inspector
//! gives is kept as the tool status: `ACTIVE`, or `SUPPRESSED` (a suppression rule matched: a
//! decision made in Inspector, `ToolDecision::Suppressed`). `CLOSED` records (Inspector saw the
//! problem fixed) are not imported: what a scan does not report is fixed, so a closed finding
//! leaves the release the way a fixed one does; a scan warning counts them.
//!
//! Streaming: the `findings` list is read record by record.
//!
//! Not for Security Hub's ASFF copies of Inspector findings (`awssecurityhub`), nor ECR's own
//! scan output (`ecr`, which reuses this module's records for its enhanced findings).

pub(crate) mod normalize;
pub(crate) mod raw;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{JsonImport, ListInObject};
use crate::{Importer, Sink};
use serde::de::DeserializeSeed;
use std::io::Read;

/// Tool family of Inspector's findings.
pub const TOOL: &str = "aws-inspector";

const FORMAT: &str = "aws-inspector2-json";

pub struct Inspector2Json;

impl Importer for Inspector2Json {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Amazon Inspector2 findings JSON (`list-findings`): package, code and network reachability findings on ECR images, EC2 and Lambda"
    }

    fn example(&self) -> &'static str {
        "aws inspector2 list-findings --output json > inspector2.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        // ECR's scan output holds the same records under `imageScanFindings`.
        if !start.starts_with('{')
            || !head.contains("\"findings\"")
            || head.contains("\"imageScanFindings\"")
        {
            return false;
        }
        if (head.contains("\"findingArn\"") && head.contains(":inspector2:"))
            || [
                "\"packageVulnerabilityDetails\"",
                "\"codeVulnerabilityDetails\"",
                "\"networkReachabilityDetails\"",
            ]
            .iter()
            .any(|details| head.contains(details))
        {
            return true;
        }
        // A clean account: the whole document is `{"findings": []}`.
        let compact: String = start.chars().filter(|c| !c.is_whitespace()).collect();
        compact == "{\"findings\":[]}"
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        JsonImport::new(sink, TOOL).run(FORMAT, input, |import, de| {
            let mut ordinals = normalize::Ordinals::default();
            let mut closed = 0usize;
            ListInObject::new(
                &["findings"],
                "a list of Inspector findings",
                |record: raw::RawFinding| {
                    if record
                        .status
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("CLOSED"))
                    {
                        closed += 1;
                        return Ok(());
                    }
                    import.emit(normalize::finding(TOOL, record, &mut ordinals))
                },
            )
            .deserialize(de)?;
            if closed > 0 {
                import.info.warn(closed_warning(closed));
            }
            Ok(())
        })
    }
}

/// The scan warning that counts the records Inspector closed.
pub(crate) fn closed_warning(closed: usize) -> String {
    format!("{closed} finding(s) CLOSED in the tool (fixed) were not imported")
}
