//! The tool's status of a result: suppressions and result kinds other than a failure.

use super::raw::*;

/// `suppressed` when a suppression is accepted (a missing status means accepted),
/// `suppression_under_review` when one is under review; else the result kind when it is not a
/// plain failure (`review`, `open`, `informational`).
pub(super) fn tool_status(result: &RawResult, result_kind: &str) -> Option<String> {
    let suppressions = result.suppressions.as_deref().unwrap_or_default();
    let status = |s: &RawSuppression| {
        s.status
            .as_deref()
            .or(s.state.as_deref())
            .map(|x| x.trim().to_ascii_lowercase())
    };
    if suppressions
        .iter()
        .any(|s| status(s).is_none_or(|x| x == "accepted"))
    {
        return Some("suppressed".into());
    }
    if suppressions
        .iter()
        .any(|s| status(s).as_deref() == Some("underreview"))
    {
        return Some("suppression_under_review".into());
    }
    (result_kind != "fail").then(|| result_kind.to_string())
}
