//! Severity names in the order every summary shows them, most severe first.

/// Severities, most severe first (the order of every summary column).
pub const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "info", "unknown"];

/// Sort rank of a severity name: 0 for critical, larger for less severe.
pub fn severity_rank(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|s| *s == severity)
        .unwrap_or(SEVERITIES.len())
}
