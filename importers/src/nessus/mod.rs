//! Tenable Nessus: the `.nessus` XML export (`NessusClientData_v2`, Nessus Professional and
//! Essentials, Tenable.io and Nessus WAS scans) and the CSV exports (Nessus Professional's
//! default and "all columns" templates, the 2025 template, Tenable.sc's vulnerability list,
//! Tenable Vulnerability Management's findings export, Nessus WAS).
//!
//! **One finding per plugin per host and port** (and transport protocol): a plugin that fires
//! on two ports of one host, or on one port of two hosts, is two findings, each with the plugin
//! output of its own place. DefectDojo merges a plugin's results over the whole report instead
//! (docs/FORMATS.md says where the counts differ).
//!
//! Both formats stream: the XML is read with the crate's strict reader one `<ReportItem>` at a
//! time (the host's properties, which come first in a `<ReportHost>`, are kept while its items
//! are read), the CSV one row at a time. Nothing is held between records.

mod csv;
mod xml;

pub use self::csv::NessusCsv;
pub use self::xml::NessusXml;

use crate::finding::{Cvss, Finding, Kind, Location, category_name};
use crate::fingerprint::fingerprint;
use crate::record::push_distinct;
use crate::web;

/// Tool family of Tenable's formats.
pub const TOOL: &str = "nessus";

/// One result of one plugin on one host and port, as either format gives it.
#[derive(Debug, Default)]
pub(crate) struct Item {
    pub plugin_id: Option<String>,
    pub plugin_name: Option<String>,
    pub family: Option<String>,
    /// Nessus's severity as written: `0` to `4` in the XML, a word in the CSV exports.
    pub severity: Option<String>,
    /// The host: its name or address as the report gives it.
    pub host: Option<String>,
    pub port: Option<String>,
    pub protocol: Option<String>,
    pub service: Option<String>,
    pub synopsis: Option<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub see_also: Vec<String>,
    pub plugin_output: Option<String>,
    pub cves: Vec<String>,
    pub cwes: Vec<String>,
    pub cvss2_score: Option<String>,
    pub cvss2_vector: Option<String>,
    pub cvss3_score: Option<String>,
    pub cvss3_vector: Option<String>,
    pub cvss4_score: Option<String>,
    pub cvss4_vector: Option<String>,
    pub epss: Option<String>,
    pub vpr: Option<String>,
    /// The tool's state of the finding (Tenable Vulnerability Management's `state`).
    pub state: Option<String>,
}

impl Item {
    /// Adds the CVE ids of a list as Nessus writes one (`CVE-1, CVE-2`, one per line, `;`).
    pub(crate) fn add_cves(&mut self, text: &str) {
        for id in web::cve_ids(text) {
            push_distinct(&mut self.cves, Some(id));
        }
    }

    /// Adds the CWE ids of a `<cwe>` element or column (`CWE-94`, `94`, `79, 80`).
    pub(crate) fn add_cwes(&mut self, text: &str) {
        for part in text.split([',', ';', '\n', ' ']) {
            push_distinct(&mut self.cwes, web::cwe_id(part));
        }
    }

    /// Adds the CWE ids a cross-reference list names (`CWE:79`, `CWE #310`, `CWE-16`).
    pub(crate) fn add_xref_cwes(&mut self, text: &str) {
        for part in text.split([',', ';', '\n']) {
            let part = part.trim();
            let Some(head) = part.get(..3) else { continue };
            if !head.eq_ignore_ascii_case("cwe") {
                continue;
            }
            let number = part[3..].trim_start_matches([':', '#', '-', ' ']);
            push_distinct(&mut self.cwes, web::cwe_id(number));
        }
    }

    /// Adds the links of a `see_also` text: one per line or separated by spaces.
    pub(crate) fn add_see_also(&mut self, text: &str) {
        for link in text.split_whitespace() {
            push_distinct(&mut self.see_also, Some(link.to_string()));
        }
    }

    /// The finding; `None` for an item without a plugin id (a blank spreadsheet row).
    pub(crate) fn into_finding(self, kind: Kind) -> Option<Finding> {
        let rule_id = self.plugin_id.as_deref().map(str::trim)?.to_string();
        if rule_id.is_empty() {
            return None;
        }
        let host = self.host.as_deref().map(identity_host).unwrap_or_default();
        let port = self.port.as_deref().map(str::trim).unwrap_or_default();
        let port = if port == "0" { "" } else { port };
        let protocol = self
            .protocol
            .as_deref()
            .map(|p| p.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let fingerprint = fingerprint(TOOL, kind, &rule_id, &[&host, port, &protocol]);
        let severity = self
            .severity
            .as_deref()
            .map_or(crate::Severity::Unknown, severity);
        let url = match kind {
            Kind::Web => self
                .plugin_output
                .as_deref()
                .and_then(url_in_output)
                .or_else(|| {
                    self.host
                        .as_deref()
                        .filter(|h| h.contains("://"))
                        .map(str::to_string)
                }),
            _ => None,
        };
        let resource = (!host.is_empty()).then(|| {
            let mut place = host.clone();
            if !port.is_empty() {
                place.push(':');
                place.push_str(port);
                if !protocol.is_empty() {
                    place.push('/');
                    place.push_str(&protocol);
                }
            }
            if let Some(service) = self.service.as_deref().map(str::trim)
                && !service.is_empty()
                && service != "general"
            {
                place.push_str(&format!(" ({service})"));
            }
            place
        });
        let mut cvss = Vec::new();
        for (version, score, vector) in [
            ("4.0", &self.cvss4_score, &self.cvss4_vector),
            ("3.0", &self.cvss3_score, &self.cvss3_vector),
            ("2.0", &self.cvss2_score, &self.cvss2_vector),
        ] {
            if let Some(c) = assessment(version, score.as_deref(), vector.as_deref()) {
                cvss.push(c);
            }
        }
        let mut description = Vec::new();
        description.extend(self.synopsis.as_deref().map(str::trim).map(str::to_string));
        description.extend(
            self.description
                .as_deref()
                .map(str::trim)
                .map(str::to_string),
        );
        // Tenable.sc starts the output with its own label.
        if let Some(output) = self.plugin_output.as_deref().map(|o| {
            let o = o.trim();
            o.strip_prefix("Plugin Output:").unwrap_or(o).trim()
        }) && !output.is_empty()
        {
            description.push(format!("Plugin output:\n{output}"));
        }
        let epss = self
            .epss
            .as_deref()
            .and_then(epss)
            .and_then(|text| text.parse::<f64>().ok())
            .and_then(|p| crate::finding::Epss::new(p, None));
        let mut lines = Vec::new();
        if let Some(vpr) = self.vpr.as_deref().and_then(cvss_score) {
            lines.push(format!("VPR: {vpr:.1}"));
        }
        if !lines.is_empty() {
            description.push(lines.join("\n"));
        }
        description.retain(|p| !p.is_empty());
        let title = self
            .plugin_name
            .as_deref()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Nessus plugin {rule_id}"));
        Some(Finding {
            epss,
            fingerprint,
            kind,
            category: self.family.as_deref().and_then(category_name),
            rule_id,
            title,
            description: (!description.is_empty()).then(|| description.join("\n\n")),
            remediation: self
                .solution
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("n/a"))
                .map(str::to_string),
            severity,
            severity_original: self
                .severity
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            cvss,
            cwe: self.cwes,
            aliases: self.cves,
            references: self.see_also,
            component: crate::Component::default(),
            location: Location {
                target: (!host.is_empty()).then(|| host.clone()),
                resource,
                url,
                ..Location::default()
            },
            tool_status: self
                .state
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        })
    }
}

/// A host as identity: lower-cased (host names are case-insensitive), and the host of a URL
/// (Nessus WAS names its host `http://example.com/`).
fn identity_host(host: &str) -> String {
    let host = host.trim();
    if host.contains("://") {
        web::host_of(host).unwrap_or_default()
    } else {
        host.to_ascii_lowercase()
    }
}

/// Severity by the one table: Nessus's `0` to `4` (`4` critical, `0` info), or its words
/// (`Critical`, `High`, `Medium`, `Low`, `None` or `Info`).
pub(crate) fn severity(original: &str) -> crate::Severity {
    use crate::Severity;
    match original.trim().to_ascii_lowercase().as_str() {
        "4" | "critical" => Severity::Critical,
        "3" | "high" => Severity::High,
        "2" | "medium" => Severity::Medium,
        "1" | "low" => Severity::Low,
        "0" | "none" | "info" | "informational" | "information" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// A CVSS assessment of `version` from a score and a vector, either of which may be missing.
/// Vectors lose Nessus's `CVSS2#` prefix; a version 3 vector without its `CVSS:3.x/` prefix
/// (Tenable.sc writes them bare) gets `CVSS:3.0/`, the version Tenable's plugins score in.
fn assessment(version: &str, score: Option<&str>, vector: Option<&str>) -> Option<Cvss> {
    let score = score.and_then(cvss_score);
    let vector = vector
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.strip_prefix("CVSS2#").unwrap_or(v));
    let (version, vector) = match vector {
        Some(v) if v.starts_with("CVSS:") => (
            crate::record::cvss_version(Some(v), version),
            Some(v.to_string()),
        ),
        Some(v) if version.starts_with('3') => (version.to_string(), Some(format!("CVSS:3.0/{v}"))),
        Some(v) => (version.to_string(), Some(v.to_string())),
        None => (version.to_string(), None),
    };
    (score.is_some() || vector.is_some()).then_some(Cvss {
        version,
        vector,
        score,
        source: None,
    })
}

/// A CVSS base score (or a VPR score, on the same scale) as Tenable writes it (`7.5`). A score written without its decimal point
/// that is out of range (`75`, `100`: the 2025 CSV template as a spreadsheet saved it) is read
/// in tenths; anything else that is not a score in 0 to 10 is no score.
fn cvss_score(text: &str) -> Option<f64> {
    let text = text.trim();
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let value = if value > 10.0 && text.bytes().all(|b| b.is_ascii_digit()) {
        value / 10.0
    } else {
        value
    };
    (0.0..=10.0).contains(&value).then_some(value)
}

/// An EPSS probability as Tenable writes it (`0.3833`). Digits without a decimal point (`3833`,
/// the 2025 template as a spreadsheet saved it) are read as the digits after `0.`.
fn epss(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text != "0" && text != "1" {
        return Some(format!("0.{text}"));
    }
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && (0.0..=1.0).contains(&value)).then(|| text.to_string())
}

/// The URL a Nessus WAS plugin output names (`Vulnerability has been detected on URL
/// 'http://example.com/search.jsp' ...`).
fn url_in_output(output: &str) -> Option<String> {
    let (_, rest) = output.split_once("URL '")?;
    let (url, _) = rest.split_once('\'')?;
    let url = url.trim();
    (url.contains("://") && !url.contains(char::is_whitespace)).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_without_their_point_are_read_in_tenths() {
        assert_eq!(cvss_score("7.5"), Some(7.5));
        assert_eq!(cvss_score("75"), Some(7.5));
        assert_eq!(cvss_score("100"), Some(10.0));
        assert_eq!(cvss_score("5"), Some(5.0));
        assert_eq!(cvss_score("1000"), None);
        assert_eq!(cvss_score("11.5"), None);
        assert_eq!(cvss_score("NaN"), None);
        assert_eq!(cvss_score(""), None);
    }

    #[test]
    fn epss_without_its_point() {
        assert_eq!(epss("0.3833").as_deref(), Some("0.3833"));
        assert_eq!(epss("3833").as_deref(), Some("0.3833"));
        assert_eq!(epss("1").as_deref(), Some("1"));
        assert_eq!(epss("7.5"), None);
        assert_eq!(epss("x"), None);
    }

    #[test]
    fn cross_references_give_cwes() {
        let mut item = Item::default();
        item.add_xref_cwes("CERT #836068,CWE #310");
        item.add_xref_cwes("CERT:288308;CWE:16;CWE:200");
        item.add_xref_cwes("CWE:16\nOWASP:2017-A7\ncwe-79");
        item.add_cwes("CWE-94");
        assert_eq!(
            item.cwes,
            ["CWE-310", "CWE-16", "CWE-200", "CWE-79", "CWE-94"]
        );
    }

    #[test]
    fn urls_in_was_output() {
        assert_eq!(
            url_in_output("Vulnerability has been detected on URL 'http://a.example/s.jsp' by")
                .as_deref(),
            Some("http://a.example/s.jsp")
        );
        assert_eq!(url_in_output("on URL 'http:google.com/x'"), None);
        assert_eq!(url_in_output("no url"), None);
    }

    #[test]
    fn severities() {
        assert_eq!(severity("4"), crate::Severity::Critical);
        assert_eq!(severity("None"), crate::Severity::Info);
        assert_eq!(severity("high"), crate::Severity::High);
        assert_eq!(severity("5"), crate::Severity::Unknown);
    }
}
