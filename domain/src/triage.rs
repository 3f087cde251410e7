//! Our triage states, and a decision on a finding with the fields each state requires.

use crate::InvalidValue;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Our triage states (`fixed` is derived, never set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A decision to apply to findings, checked by [`TriageDecision::validate`] before it is stored.
#[derive(Debug, Clone)]
pub struct TriageDecision {
    pub status: TriageStatus,
    /// Required for `accepted` and `false_positive`.
    pub justification: Option<String>,
    /// Required for `accepted`: who approved the risk.
    pub approver: Option<String>,
    /// Required for `accepted`, in the future: the acceptance stops counting at the start of
    /// this day (UTC).
    pub expires: Option<NaiveDate>,
}

impl TriageDecision {
    pub fn new(status: TriageStatus) -> TriageDecision {
        TriageDecision {
            status,
            justification: None,
            approver: None,
            expires: None,
        }
    }

    /// Checks the fields a status requires, against today's date (UTC).
    pub fn validate(&self, today: NaiveDate) -> Result<(), InvalidValue> {
        let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let bad = |m: &str| Err(InvalidValue::new("decision", m));
        match self.status {
            TriageStatus::Accepted => {
                if !present(&self.justification) {
                    return bad("accepting a risk needs a justification");
                }
                if !present(&self.approver) {
                    return bad("accepting a risk needs an approver");
                }
                match self.expires {
                    None => return bad("accepting a risk needs an expiry date"),
                    Some(d) if d <= today => {
                        return Err(InvalidValue::new(
                            "expires",
                            format!("the expiry date {d} is not in the future"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            TriageStatus::FalsePositive => {
                if !present(&self.justification) {
                    return bad("marking a false positive needs a justification");
                }
            }
            TriageStatus::Open | TriageStatus::Confirmed => {}
        }
        if self.status != TriageStatus::Accepted
            && (self.expires.is_some() || present(&self.approver))
        {
            return bad("an approver and an expiry date belong to `accepted` only");
        }
        Ok(())
    }

    /// The moment the acceptance stops counting: the start of its expiry day.
    pub fn expires_at(&self) -> Option<NaiveDateTime> {
        self.expires.and_then(|d| d.and_hms_opt(0, 0, 0))
    }
}
