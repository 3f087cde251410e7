//! A Grype match to a normalized finding.
//!
//! - rule: the vulnerability's id (a CVE, GHSA, ALAS, ... as the matched advisory names it);
//!   aliases: the ids of its related vulnerabilities (the CVE behind a GHSA).
//! - severity: Grype's word (`Negligible` is info), the original kept.
//! - CVSS: the matched advisory's assessments, else those of its first related vulnerability
//!   that has any (a distro or GHSA record often has none, NVD's does).
//! - EPSS: the `epss` field from the advisory's first entry, else a related vulnerability's; the
//!   description lists every entry with its date and CVE.
//! - tool status: the fix state (`fixed`, `not-fixed`, `wont-fix`, `unknown`); `wont-fix` is a
//!   tool decision (`domain::ToolDecision::of`).

use super::TOOL;
use super::raw::*;
use crate::copies::{Copies, PackageIdentity};
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::record::{cvss_version, non_empty, push_distinct};

/// Grype's severity words. Anything else is `unknown`, with the original kept.
pub fn severity(original: Option<&str>) -> Severity {
    match original.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        Some("negligible") => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// A vulnerability record's CVSS assessments, in either layout.
fn assessments(v: &mut RawVulnerability) -> Vec<Cvss> {
    let namespace = non_empty(v.namespace.clone());
    let mut out: Vec<Cvss> = v
        .cvss
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| {
            c.vector.is_some() || c.metrics.as_ref().is_some_and(|m| m.base_score.is_some())
        })
        .map(|c| Cvss {
            version: non_empty(c.version)
                .unwrap_or_else(|| cvss_version(c.vector.as_deref(), "3.1")),
            score: c.metrics.and_then(|m| m.base_score),
            vector: non_empty(c.vector),
            source: non_empty(c.source).or_else(|| namespace.clone()),
        })
        .collect();
    for (old, default) in [(v.cvss_v3.take(), "3.0"), (v.cvss_v2.take(), "2.0")] {
        if let Some(old) = old.filter(|o| o.vector.is_some() || o.base_score.is_some()) {
            out.push(Cvss {
                version: cvss_version(old.vector.as_deref(), default),
                vector: non_empty(old.vector),
                score: old.base_score,
                source: namespace.clone(),
            });
        }
    }
    out
}

/// `EPSS 0.0719 (percentile 0.91123, 2025-06-18, CVE-2022-28391)` for each entry.
fn epss_lines(v: &RawVulnerability) -> Vec<String> {
    v.epss
        .iter()
        .flatten()
        .filter_map(|e| {
            let score = e.epss?;
            let mut details: Vec<String> = Vec::new();
            if let Some(p) = e.percentile {
                details.push(format!("percentile {p}"));
            }
            details.extend(non_empty(e.date.clone()));
            details.extend(non_empty(e.cve.clone()));
            Some(if details.is_empty() {
                format!("EPSS {score}")
            } else {
                format!("EPSS {score} ({})", details.join(", "))
            })
        })
        .collect()
}

/// A match, or `Ok(None)` for a repeat of an earlier match, or the reason it was skipped.
pub fn finding(raw: RawMatch, copies: &mut Copies) -> Result<Option<Finding>, &'static str> {
    let mut vulnerability = raw.vulnerability.unwrap_or_default();
    let Some(id) = non_empty(vulnerability.id.take()) else {
        return Err("a match without vulnerability id");
    };
    let artifact = raw.artifact.unwrap_or_default();
    let locations = artifact.locations.unwrap_or_default();
    let first = locations.first();
    let package_type = non_empty(artifact.package_type).unwrap_or_default();
    let name = non_empty(artifact.name);
    let purl = non_empty(artifact.purl);
    let Some(fingerprint) = copies.fingerprint(&PackageIdentity {
        tool: TOOL,
        kind: Kind::Vulnerability,
        advisory: &id,
        package_type: &package_type,
        purl: purl.as_deref(),
        name: name.as_deref(),
        place: first.and_then(RawLocation::path),
    }) else {
        return Ok(None);
    };
    let mut related = raw.related_vulnerabilities.unwrap_or_default();

    let mut aliases = Vec::new();
    for r in &related {
        if r.id.as_deref() != Some(id.as_str()) {
            push_distinct(&mut aliases, r.id.clone());
        }
    }
    let mut cvss = assessments(&mut vulnerability);
    if cvss.is_empty() {
        cvss = related
            .iter_mut()
            .map(assessments)
            .find(|c| !c.is_empty())
            .unwrap_or_default();
    }
    let mut references = Vec::new();
    push_distinct(&mut references, vulnerability.data_source.take());
    for url in vulnerability
        .urls
        .take()
        .into_iter()
        .flatten()
        .chain(vulnerability.links.take().into_iter().flatten())
    {
        push_distinct(&mut references, Some(url));
    }
    for r in &related {
        push_distinct(&mut references, r.data_source.clone());
    }

    let epss_field = std::iter::once(&vulnerability)
        .chain(related.iter())
        .find_map(|v| {
            v.epss
                .iter()
                .flatten()
                .find_map(|e| crate::finding::Epss::new(e.epss?, e.percentile))
        });
    let mut epss = epss_lines(&vulnerability);
    if epss.is_empty() {
        epss = related
            .iter()
            .map(epss_lines)
            .find(|e| !e.is_empty())
            .unwrap_or_default();
    }
    let matchers: Vec<String> = raw
        .match_details
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| non_empty(d.matcher))
        .fold(Vec::new(), |mut list, m| {
            push_distinct(&mut list, Some(m));
            list
        });
    let text = non_empty(vulnerability.description.take()).or_else(|| {
        related
            .iter()
            .find_map(|r| non_empty(r.description.clone()))
    });
    let mut paragraphs: Vec<String> = text.into_iter().collect();
    if !epss.is_empty() {
        paragraphs.push(epss.join("\n"));
    }
    if !matchers.is_empty() {
        paragraphs.push(format!("Matched by {}", matchers.join(", ")));
    }
    let description = (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"));

    let fix = vulnerability.fix.take().unwrap_or_default();
    let fixed_versions: Vec<String> = fix
        .versions
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !v.trim().is_empty())
        .collect();
    let fixed_version = (!fixed_versions.is_empty()).then(|| fixed_versions.join(", "));
    let version = non_empty(artifact.version);
    let title = match (&name, &version) {
        (Some(n), Some(v)) => format!("{id} in {n}:{v}"),
        (Some(n), None) => format!("{id} in {n}"),
        _ => id.clone(),
    };
    Ok(Some(Finding {
        epss: epss_field,
        fingerprint,
        kind: Kind::Vulnerability,
        category: None,
        title,
        description,
        remediation: fixed_version.as_ref().map(|v| match &name {
            Some(n) => format!("Upgrade {n} to {v}"),
            None => format!("Upgrade to {v}"),
        }),
        severity: severity(vulnerability.severity.as_deref()),
        severity_original: non_empty(vulnerability.severity),
        cvss,
        cwe: Vec::new(),
        aliases,
        references,
        component: Component {
            name,
            version,
            purl,
            fixed_version,
        },
        location: Location {
            file: first.and_then(RawLocation::path).map(str::to_string),
            layer: first.and_then(RawLocation::layer).map(str::to_string),
            ..Location::default()
        },
        tool_status: non_empty(fix.state),
        rule_id: id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_follow_grype_words() {
        assert_eq!(severity(Some("Negligible")), Severity::Info);
        assert_eq!(severity(Some("Critical")), Severity::Critical);
        assert_eq!(severity(Some("Unknown")), Severity::Unknown);
        assert_eq!(severity(None), Severity::Unknown);
    }
}
