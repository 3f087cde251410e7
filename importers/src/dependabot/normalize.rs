//! Dependabot alerts to normalized findings, with their fingerprints.
//!
//! Identity (fingerprint parts): the advisory's GHSA id, the package's ecosystem and name, the
//! manifest path, and the repository's full name when the list names it (the organization's
//! list, where two repositories hold the same manifest path). GitHub keeps one alert per
//! advisory, package and manifest, so these are the alert's own identity; the alert number is
//! not used, since the same alert read from the organization's list and from the repository's
//! is one finding. Alerts in state `fixed` are not findings: the vulnerable dependency is gone.

use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;

const TOOL: &str = "dependabot";

/// GitHub's advisory severities (`moderate` is the older name of `medium`).
pub fn severity(original: Option<&str>) -> Severity {
    match original.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium" | "moderate") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Unknown,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// An assessment, unless GitHub wrote its empty placeholder (no vector, score 0).
fn assessment(raw: Option<RawCvss>, default_version: &str) -> Option<Cvss> {
    let raw = raw?;
    let vector = non_empty(raw.vector_string);
    let score = raw.score.filter(|s| *s > 0.0);
    if vector.is_none() && score.is_none() {
        return None;
    }
    let version = vector
        .as_deref()
        .and_then(|v| v.strip_prefix("CVSS:"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(default_version)
        .to_string();
    Some(Cvss {
        version,
        vector,
        score,
        source: Some("ghsa".into()),
    })
}

/// `open`, `dismissed/<reason>`, `auto_dismissed`: the tool's own words, which
/// `domain::ToolDecision::of` reads.
fn status(state: Option<String>, reason: Option<String>) -> Option<String> {
    let state = non_empty(state)?;
    Some(match non_empty(reason) {
        Some(reason) if state == "dismissed" => format!("{state}/{reason}"),
        _ => state,
    })
}

/// The repository an alert's page belongs to: `https://github.com/o/r/security/...` gives
/// `https://github.com/o/r`.
fn repository_url(html_url: &str) -> Option<String> {
    html_url
        .find("/security/")
        .map(|i| html_url[..i].to_string())
}

/// An alert, `None` for a fixed one, or the reason it is skipped.
pub fn alert(raw: RawAlert) -> Result<Option<Finding>, &'static str> {
    if raw.state.as_deref() == Some("fixed") {
        return Ok(None);
    }
    let mut advisory = raw.security_advisory.unwrap_or_default();
    let Some(ghsa) = non_empty(advisory.ghsa_id.take()) else {
        return Err("an alert without security_advisory.ghsa_id");
    };
    let dependency = raw.dependency.unwrap_or_default();
    let package = dependency.package.unwrap_or_default();
    let ecosystem = non_empty(package.ecosystem);
    let name = non_empty(package.name);
    let manifest = non_empty(dependency.manifest_path);
    let repository = raw.repository.and_then(|r| non_empty(r.full_name));
    let fp = fingerprint(
        TOOL,
        Kind::Vulnerability,
        &ghsa,
        &[
            ecosystem.as_deref().unwrap_or_default(),
            name.as_deref().unwrap_or_default(),
            manifest.as_deref().unwrap_or_default(),
            repository.as_deref().unwrap_or_default(),
        ],
    );
    let vulnerability = raw.security_vulnerability.unwrap_or_default();
    let fixed_version = vulnerability
        .first_patched_version
        .and_then(|v| non_empty(v.identifier));
    let severity_original =
        non_empty(advisory.severity.take()).or(non_empty(vulnerability.severity));

    let severities = advisory.cvss_severities.take().unwrap_or_default();
    let mut cvss: Vec<Cvss> = [
        assessment(severities.cvss_v3, "3.1"),
        assessment(severities.cvss_v4, "4.0"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if cvss.is_empty() {
        cvss.extend(assessment(advisory.cvss.take(), "3.1"));
    }

    let mut aliases: Vec<String> = Vec::new();
    for id in advisory
        .identifiers
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| non_empty(i.value))
        .chain(non_empty(advisory.cve_id.take()))
    {
        if id != ghsa && !aliases.contains(&id) {
            aliases.push(id);
        }
    }
    let cwe: Vec<String> = advisory
        .cwes
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| non_empty(c.cwe_id))
        .collect();
    let mut references: Vec<String> = non_empty(raw.html_url.clone()).into_iter().collect();
    for url in advisory
        .references
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| non_empty(r.url))
    {
        if !references.contains(&url) {
            references.push(url);
        }
    }

    let mut description: Vec<String> = non_empty(advisory.description.take()).into_iter().collect();
    if let Some(range) = non_empty(vulnerability.vulnerable_version_range) {
        description.push(format!("Vulnerable versions: {range}"));
    }
    let epss = advisory
        .epss
        .take()
        .unwrap_or_default()
        .first()
        .and_then(|e| crate::epss::read(e.percentage.as_ref(), e.percentile.as_ref()));
    if let Some(number) = raw.number {
        description.push(format!("Dependabot alert #{number}"));
    }
    if let Some(comment) = non_empty(raw.dismissed_comment) {
        description.push(format!("Dismissed in GitHub: {comment}"));
    }
    let title = non_empty(advisory.summary.take()).unwrap_or_else(|| ghsa.clone());
    let target = raw
        .html_url
        .as_deref()
        .and_then(repository_url)
        .or(repository);
    Ok(Some(Finding {
        epss,
        fingerprint: fp,
        kind: Kind::Vulnerability,
        category: non_empty(dependency.scope),
        rule_id: ghsa,
        title,
        description: (!description.is_empty()).then(|| description.join("\n\n")),
        remediation: fixed_version.as_ref().map(|v| match &name {
            Some(n) => format!("Upgrade {n} to {v}"),
            None => format!("Upgrade to {v}"),
        }),
        severity: severity(severity_original.as_deref()),
        severity_original,
        cvss,
        cwe,
        aliases,
        references,
        component: Component {
            name,
            version: None,
            purl: None,
            fixed_version,
        },
        location: Location {
            target,
            file: manifest,
            ..Location::default()
        },
        tool_status: status(raw.state, raw.dismissed_reason),
    }))
}

#[cfg(test)]
mod tests {
    use super::repository_url;

    #[test]
    fn the_repository_is_read_from_the_alerts_page() {
        assert_eq!(
            repository_url("https://github.com/acme/shop/security/dependabot/7").as_deref(),
            Some("https://github.com/acme/shop")
        );
        assert_eq!(repository_url("https://example.com/x"), None);
    }
}
