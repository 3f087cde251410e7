//! AWS Security Hub findings in the AWS Security Finding Format (ASFF): `{"Findings": [...]}`
//! as `aws securityhub get-findings` writes it (exports with `findings` are read too), from
//! Inspector, GuardDuty, Config and Security Hub's own controls, and partner products.
//!
//! One finding per identity (normalize.rs): a record repeating an earlier one's identity (the
//! same `Id` exported twice) is the same finding, and only the first is kept. Records that are
//! not problems are not imported: `RecordState` `ARCHIVED` (the product no longer reports it)
//! and `Compliance.Status` `PASSED` (the check passed). The workflow status is kept as the tool
//! status: `SUPPRESSED` is a decision made in Security Hub (`ToolDecision::Suppressed`);
//! `NEW`, `NOTIFIED` and `RESOLVED` (someone says it was remediated; Security Hub reopens it
//! when its product reports it again) decide nothing.
//!
//! Streaming: the findings list is read record by record; what is held is 8 bytes per finding
//! (its identity, to spot repeats).
//!
//! Not for Inspector's own `list-findings` output (`inspector2`).

mod normalize;
mod raw;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{JsonImport, ListInObject};
use crate::{Importer, Sink};
use normalize::Converted;
use serde::de::DeserializeSeed;
use std::collections::HashSet;
use std::io::Read;

pub use normalize::TOOL;

const FORMAT: &str = "aws-securityhub-asff-json";

pub struct SecurityHubAsff;

impl Importer for SecurityHubAsff {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "AWS Security Hub findings in ASFF (`get-findings`): Inspector, GuardDuty, Config, Security Hub controls, partner products"
    }

    fn example(&self) -> &'static str {
        "aws securityhub get-findings --output json > securityhub.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        if !start.starts_with('{') {
            return false;
        }
        if (head.contains("\"Findings\"") || head.contains("\"findings\""))
            && head.contains("\"SchemaVersion\"")
            && head.contains("\"ProductArn\"")
        {
            return true;
        }
        // No findings: the whole document is `{"Findings": []}` (`get-findings`' capital F).
        let compact: String = start.chars().filter(|c| !c.is_whitespace()).collect();
        compact == "{\"Findings\":[]}"
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        JsonImport::new(sink, TOOL).run(FORMAT, input, |import, de| {
            let mut seen: HashSet<u64> = HashSet::new();
            ListInObject::new(
                &["Findings", "findings"],
                "a list of ASFF findings",
                |record: raw::RawFinding| match normalize::finding(record) {
                    Ok(Converted::NotAFinding) => Ok(()),
                    Ok(Converted::Finding(finding)) => {
                        let identity = u64::from_str_radix(&finding.fingerprint[..16], 16)
                            .map_err(serde::de::Error::custom)?;
                        if seen.insert(identity) {
                            import.emit(Ok(*finding))
                        } else {
                            Ok(())
                        }
                    }
                    Err(reason) => import.emit(Err(reason)),
                },
            )
            .deserialize(de)
        })
    }
}
