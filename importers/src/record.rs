//! A record's values on their way into a finding, as the dependency scanners (Grype,
//! OSV-Scanner) read them: blank text is absent, lists keep each value once, in order.
//!
//! Not where free text is cut to its limits (`finding.rs`) or HTML made text (`text.rs`).

/// `s` unless it is absent or only white space.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Appends `value` unless it is blank or already in `list`.
pub(crate) fn push_distinct(list: &mut Vec<String>, value: Option<String>) {
    if let Some(v) = non_empty(value)
        && !list.contains(&v)
    {
        list.push(v);
    }
}

/// The CVSS version a vector names (`CVSS:3.1/...` gives `3.1`), else `default`.
pub(crate) fn cvss_version(vector: Option<&str>, default: &str) -> String {
    vector
        .and_then(|v| v.strip_prefix("CVSS:"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(default)
        .to_string()
}
