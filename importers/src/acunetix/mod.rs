//! Acunetix: the classic XML export (`ScanGroup/Scan/ReportItems`, and the header-less
//! "Acunetix Pro/online" variant), Acunetix 360 / Invicti JSON, and the on-premises REST API
//! vulnerability list (`{"vulnerabilities": [...], "pagination": {...}}`).
//!
//! All three give web (DAST) findings. One finding per vulnerability type per URL path (without
//! query) per parameter: items of one report that share these are merged into one finding whose
//! description lists each item's details (Acunetix XML reports one item per cookie or form at the
//! same path). Unlike DefectDojo we never merge different paths under one title.
//!
//! Request and response excerpts are never copied into findings: they stay in the raw report.

mod api;
mod json360;
mod xml;

pub use api::AcunetixApiJson;
pub use json360::Acunetix360Json;
pub use xml::AcunetixXml;

use crate::finding::{Kind, Severity};
use crate::fingerprint::fingerprint;

pub use crate::web::{HtmlText, Merger, cwe_id, host_of, hrefs, url_path};

/// Tool family of every Acunetix format.
pub const TOOL: &str = "acunetix";

/// Severity by the one table (PRODUCT.md), case-insensitive: Acunetix XML writes `high` (WVS)
/// or `High` (Pro), Acunetix 360 `Critical`..`Information`/`BestPractice`.
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "informational" | "information" | "info" | "bestpractice" | "best practice" => {
            Severity::Info
        }
        _ => Severity::Unknown,
    }
}

/// The on-premises API's integer severity (0 = info .. 3 = high, 4 = critical in v15+).
pub fn severity_from_level(level: i64) -> Severity {
    match level {
        4 => Severity::Critical,
        3 => Severity::High,
        2 => Severity::Medium,
        1 => Severity::Low,
        0 => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// A base URL (`StartURL`, possibly without scheme) joined with a path (`Affects`).
pub fn join_url(base: &str, path: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let root = match base.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => {
            let host = base.split(['/', '?', '#']).next().unwrap_or("");
            format!("http://{host}")
        }
    };
    let path = path.trim();
    if path.starts_with('/') {
        format!("{root}{path}")
    } else {
        format!("{root}/{path}")
    }
}

/// Day-first Acunetix dates (`27/02/2020, 12:56:09`, `25/06/2021 09:59 AM`) as ISO 8601 local
/// time without offset: the reports carry no zone, so none is invented.
pub fn day_first_date(text: &str) -> Option<String> {
    let text = text.trim();
    let (date, time) = match text.split_once([',', ' ']) {
        Some((d, t)) => (d, t.trim_start_matches(',').trim()),
        None => (text, ""),
    };
    let mut parts = date.split('/');
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let year: u32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    if !(1000..=9999).contains(&year) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if time.is_empty() {
        return Some(date);
    }
    let (clock, meridiem) = match time.rsplit_once(' ') {
        Some((c, m)) => (c.trim(), Some(m.trim().to_ascii_uppercase())),
        None => (time, None),
    };
    let mut fields = clock.split(':');
    let mut hour: u32 = fields.next()?.parse().ok()?;
    let minute: u32 = fields.next()?.parse().ok()?;
    let second: u32 = match fields.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    match meridiem.as_deref() {
        Some("PM") if hour < 12 => hour += 12,
        Some("AM") if hour == 12 => hour = 0,
        Some("AM" | "PM") | None => {}
        Some(_) => return None,
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}"))
}

/// CVSS version of a vector: `CVSS:3.1/...` gives `3.1`; a bare v2 vector (`AV:N/AC:L/Au:N/...`)
/// gives `2.0`.
pub fn cvss_version(vector: &str) -> Option<String> {
    let vector = vector.trim();
    if let Some(rest) = vector.strip_prefix("CVSS:") {
        return rest.split('/').next().map(str::to_string);
    }
    vector.contains("Au:").then(|| "2.0".to_string())
}

/// An empty or blank string as `None`, else trimmed.
pub fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// The rule id of an Acunetix XML item: its vulnerability name with white space folded and a
/// trailing ` (verified)` dropped (Acunetix marks an item it could confirm that way; the same
/// issue found unconfirmed in the next scan must keep its identity).
pub fn rule_from_name(name: &str) -> String {
    let folded = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = folded.to_ascii_lowercase();
    match lower.strip_suffix("(verified)") {
        Some(stem) => folded[..stem.len()].trim_end().to_string(),
        None => folded,
    }
}

/// The fingerprint of an Acunetix web finding: rule, URL path (no host, query or fragment),
/// parameter. The host is the scan's target (part of its slot), not the finding's identity.
pub fn web_fingerprint(rule_id: &str, path: &str, parameter: Option<&str>) -> String {
    fingerprint(
        TOOL,
        Kind::Web,
        rule_id,
        &[path, parameter.unwrap_or_default()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_urls() {
        assert_eq!(join_url("www.a.com", "/x"), "http://www.a.com/x");
        assert_eq!(join_url("https://a.com/", "/x"), "https://a.com/x");
        assert_eq!(join_url("https://a.com/base/", "x"), "https://a.com/x");
    }

    #[test]
    fn dates() {
        assert_eq!(
            day_first_date("27/02/2020, 12:56:09").as_deref(),
            Some("2020-02-27T12:56:09")
        );
        assert_eq!(
            day_first_date("25/06/2021 09:59 PM").as_deref(),
            Some("2021-06-25T21:59:00")
        );
        assert_eq!(
            day_first_date("25/06/2021 12:05 AM").as_deref(),
            Some("2021-06-25T00:05:00")
        );
        assert_eq!(day_first_date("2021-06-25"), None);
        assert_eq!(day_first_date("99/99/2021"), None);
        assert_eq!(day_first_date(""), None);
    }

    #[test]
    fn rules_cwes_cvss() {
        assert_eq!(
            rule_from_name(" Cross site  scripting (verified)"),
            "Cross site scripting"
        );
        assert_eq!(rule_from_name("SQL injection"), "SQL injection");
        assert_eq!(cwe_id("CWE-79").as_deref(), Some("CWE-79"));
        assert_eq!(cwe_id("16").as_deref(), Some("CWE-16"));
        assert_eq!(cwe_id("x"), None);
        assert_eq!(cwe_id("é"), None);
        assert_eq!(cvss_version("CVSS:3.1/AV:N").as_deref(), Some("3.1"));
        assert_eq!(
            cvss_version("AV:N/AC:L/Au:N/C:N/I:N/A:P").as_deref(),
            Some("2.0")
        );
        assert_eq!(
            hrefs("<a href='x'>a</a><a target='_blank' href=\"y\">b</a><a href=z>"),
            vec!["x", "y"]
        );
    }
}
