//! Advisory and weakness ids (CVE, CWE) found in rule ids, tags and properties.

use serde_json::Value;

/// Every `CVE-YYYY-NNNN` inside `text`, upper-cased, in order, without repeats.
pub(super) fn cve_ids(text: &str) -> Vec<String> {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(at) = upper.get(from..).and_then(|s| s.find("CVE-")) {
        let start = from + at;
        let mut end = start + 4;
        let year = bytes[end..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        end += year;
        if year == 4 && bytes.get(end) == Some(&b'-') {
            let number = bytes[end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if number >= 4 {
                let id = upper[start..end + 1 + number].to_string();
                if !found.contains(&id) {
                    found.push(id);
                }
                end += 1 + number;
            }
        }
        from = end;
    }
    found
}

/// Every `CWE-N` mentioned in `text` (`CWE-79`, `external/cwe/cwe-079`, `CWE-532: Insertion...`).
pub(super) fn cwe_ids_in(text: &str, out: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|s| s.find("cwe-")) {
        let start = from + at + 4;
        let digits = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 {
            let number = lower[start..start + digits].trim_start_matches('0');
            let id = format!("CWE-{}", if number.is_empty() { "0" } else { number });
            if !out.contains(&id) {
                out.push(id);
            }
        }
        from = start + digits;
    }
}

/// The strings of a property that may be a string or a list of strings.
pub(super) fn strings_of(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_inside_text() {
        assert_eq!(
            cve_ids("BDSA-2020-1001 (CVE-2020-11022) and cve-2021-1234"),
            vec!["CVE-2020-11022", "CVE-2021-1234"]
        );
        assert!(cve_ids("CVE-20-1").is_empty());
    }

    #[test]
    fn cwe_ids() {
        let mut out = Vec::new();
        for t in [
            "external/cwe/cwe-079",
            "CWE-532 Insertion",
            "CWE-79",
            "cwe-",
        ] {
            cwe_ids_in(t, &mut out);
        }
        assert_eq!(out, vec!["CWE-79", "CWE-532"]);
    }
}
