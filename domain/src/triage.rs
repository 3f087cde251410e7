//! Our triage states: what a person decided about a finding.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};

/// Our triage states (`fixed` is derived, never set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    Open,
    Confirmed,
    FalsePositive,
    Accepted,
}

impl TriageStatus {
    pub const ALL: [TriageStatus; 4] = [
        TriageStatus::Open,
        TriageStatus::Confirmed,
        TriageStatus::FalsePositive,
        TriageStatus::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageStatus::Open => "open",
            TriageStatus::Confirmed => "confirmed",
            TriageStatus::FalsePositive => "false_positive",
            TriageStatus::Accepted => "accepted",
        }
    }

    /// Our names; `false-positive` is accepted too. `fixed` is refused: it is derived.
    pub fn parse(s: &str) -> Result<TriageStatus, InvalidValue> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        if norm == "fixed" {
            return Err(InvalidValue::new(
                "status",
                "`fixed` cannot be set: a finding is fixed when the scan slot that reported it \
                 no longer does",
            ));
        }
        TriageStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == norm)
            .ok_or_else(|| {
                InvalidValue::new(
                    "status",
                    format!(
                        "unknown triage status {s:?}: use open, confirmed, false_positive or accepted"
                    ),
                )
            })
    }
}

impl std::fmt::Display for TriageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
