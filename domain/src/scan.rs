//! A scan as the store lists it.

use crate::ScanId;
use chrono::NaiveDateTime;
use serde::Serialize;

/// A scan as listed: its slot, its evidence and whether a newer scan replaced it in the view.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanSummary {
    pub id: ScanId,
    pub tool: String,
    pub format: String,
    pub label: String,
    pub target: Option<String>,
    pub tool_version: Option<String>,
    /// When the tool says it scanned, as it wrote it.
    pub scanned_at: Option<String>,
    pub sha256: String,
    pub file_name: Option<String>,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: String,
    pub findings: i64,
    /// A newer scan in the same slot (tool, label) supersedes this one.
    pub superseded: bool,
    /// The report says it is incomplete (absent findings are not fixed).
    pub partial: bool,
}
