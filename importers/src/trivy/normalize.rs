//! Trivy records to normalized findings, with their fingerprints.
//!
//! Identity (fingerprint parts), per kind:
//! - vulnerability: advisory id, package ecosystem (`Type`), package name, and for language
//!   packages the result target (the lock file or language); plus the Kubernetes resource.
//!   Never the image tag or OS version, which change every release.
//! - misconfiguration: the check id in canonical form (`DS002`, `DS-0002` and `AVD-DS-0002` are
//!   one check), the file, the cloud resource address; plus the Kubernetes resource.
//! - secret: rule id, file, and the (already redacted) matched line with white space folded.
//! - license: license name, package name or license file.

use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::{fingerprint, normalize_code_line};

const TOOL: &str = "trivy";

/// What a record inherits from the result (and Kubernetes resource) it sits in.
#[derive(Debug, Default, Clone)]
pub struct ResultContext {
    pub target: Option<String>,
    pub class: Option<String>,
    pub result_type: Option<String>,
    /// `namespace/Kind/name` for Kubernetes reports.
    pub resource: Option<String>,
}

/// Trivy's severity names. Anything else is `unknown`, with the original kept.
pub fn severity(original: Option<&str>) -> Severity {
    match original.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        Some("CRITICAL") => Severity::Critical,
        Some("HIGH") => Severity::High,
        Some("MEDIUM") => Severity::Medium,
        Some("LOW") => Severity::Low,
        _ => Severity::Unknown,
    }
}

/// `KSV001`, `KSV-0001` and `AVD-KSV-0001` all become `KSV-0001`; ids of another shape are kept.
pub fn canonical_check_id(id: &str) -> String {
    let trimmed = id.trim();
    let bare = trimmed.strip_prefix("AVD-").unwrap_or(trimmed);
    let letters: String = bare
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let rest = bare[letters.len()..].trim_start_matches('-');
    if letters.is_empty() || rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit()) {
        return trimmed.to_string();
    }
    let number = rest.trim_start_matches('0');
    let number = if number.is_empty() { "0" } else { number };
    format!("{}-{:0>4}", letters.to_ascii_uppercase(), number)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn cvss_version(vector: &str, default: &str) -> String {
    vector
        .strip_prefix("CVSS:")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(default)
        .to_string()
}

/// The CVSS entries of the source Trivy took the severity from, else NVD's, else the first.
fn pick_cvss(raw: &mut RawVulnerability) -> Vec<Cvss> {
    let Some(map) = raw.cvss.as_mut() else {
        return Vec::new();
    };
    let key = raw
        .severity_source
        .as_ref()
        .filter(|s| map.contains_key(s.as_str()))
        .cloned()
        .or_else(|| map.contains_key("nvd").then(|| "nvd".to_string()))
        .or_else(|| map.keys().next().cloned());
    let Some(key) = key else { return Vec::new() };
    let Some(entry) = map.remove(&key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if entry.v3_vector.is_some() || entry.v3_score.is_some() {
        let version = entry
            .v3_vector
            .as_deref()
            .map_or_else(|| "3.1".to_string(), |v| cvss_version(v, "3.1"));
        out.push(Cvss {
            version,
            vector: entry.v3_vector,
            score: entry.v3_score,
            source: Some(key.clone()),
        });
    }
    if entry.v40_vector.is_some() || entry.v40_score.is_some() {
        out.push(Cvss {
            version: "4.0".to_string(),
            vector: entry.v40_vector,
            score: entry.v40_score,
            source: Some(key),
        });
    }
    out
}

fn references(primary: Option<String>, more: Option<Vec<String>>) -> Vec<String> {
    let mut refs: Vec<String> = primary.into_iter().collect();
    for r in more.unwrap_or_default() {
        if !refs.contains(&r) {
            refs.push(r);
        }
    }
    refs
}

/// A vulnerability record, or `None` (with the reason) when it names no advisory.
pub fn vulnerability(
    mut raw: RawVulnerability,
    ctx: &ResultContext,
) -> Result<Option<Finding>, &'static str> {
    let Some(id) = non_empty(raw.vulnerability_id.take()) else {
        return Err("a vulnerability without VulnerabilityID");
    };
    let cvss = pick_cvss(&mut raw);
    let pkg_name = non_empty(raw.pkg_name.take());
    let ecosystem = ctx.result_type.clone().unwrap_or_default();
    let lang_target = if ctx.class.as_deref() == Some("lang-pkgs") {
        ctx.target.clone().unwrap_or_default()
    } else {
        String::new()
    };
    let fp = fingerprint(
        TOOL,
        Kind::Vulnerability,
        &id,
        &[
            &ecosystem,
            pkg_name.as_deref().unwrap_or_default(),
            &lang_target,
            ctx.resource.as_deref().unwrap_or_default(),
        ],
    );
    let title = non_empty(raw.title.take()).unwrap_or_else(|| {
        [
            Some(id.as_str()),
            pkg_name.as_deref(),
            raw.installed_version.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    });
    let layer = raw
        .layer
        .take()
        .and_then(|l| non_empty(l.diff_id).or(non_empty(l.digest)));
    Ok(Some(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::Vulnerability,
        category: None,
        severity: severity(raw.severity.as_deref()),
        severity_original: raw.severity,
        title,
        description: non_empty(raw.description),
        remediation: raw
            .fixed_version
            .as_ref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("Upgrade to {v}")),
        cvss,
        cwe: raw.cwe_ids.unwrap_or_default(),
        aliases: raw.vendor_ids.unwrap_or_default(),
        references: references(raw.primary_url, raw.references),
        component: Component {
            name: pkg_name,
            version: non_empty(raw.installed_version),
            purl: raw.pkg_identifier.and_then(|p| non_empty(p.purl)),
            fixed_version: non_empty(raw.fixed_version),
        },
        location: Location {
            target: ctx.target.clone(),
            file: non_empty(raw.pkg_path),
            resource: ctx.resource.clone(),
            layer,
            ..Location::default()
        },
        tool_status: non_empty(raw.status),
        rule_id: id,
    }))
}

/// A misconfiguration: only `FAIL` results are findings (`PASS`, `EXCEPTION` are not).
pub fn misconfiguration(
    raw: RawMisconfiguration,
    ctx: &ResultContext,
) -> Result<Option<Finding>, &'static str> {
    let status = raw.status.as_deref().unwrap_or("FAIL");
    if !status.eq_ignore_ascii_case("FAIL") {
        return Ok(None);
    }
    let Some(id) = non_empty(raw.avd_id.clone()).or_else(|| non_empty(raw.id.clone())) else {
        return Err("a misconfiguration without ID");
    };
    let display_id = non_empty(raw.id).unwrap_or_else(|| id.clone());
    let cause = raw.cause_metadata.unwrap_or_default();
    let cloud_resource = non_empty(cause.resource);
    let fp = fingerprint(
        TOOL,
        Kind::Misconfiguration,
        &canonical_check_id(&id),
        &[
            ctx.target.as_deref().unwrap_or_default(),
            cloud_resource.as_deref().unwrap_or_default(),
            ctx.resource.as_deref().unwrap_or_default(),
        ],
    );
    let resource = match (&ctx.resource, cloud_resource) {
        (Some(k8s), _) => Some(k8s.clone()),
        (None, cloud) => cloud,
    };
    let description = match (non_empty(raw.description), non_empty(raw.message)) {
        (Some(d), Some(m)) => Some(format!("{d}\n\n{m}")),
        (d, m) => d.or(m),
    };
    Ok(Some(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::Misconfiguration,
        category: None,
        title: non_empty(raw.title).unwrap_or_else(|| display_id.clone()),
        rule_id: display_id,
        description,
        remediation: non_empty(raw.resolution),
        severity: severity(raw.severity.as_deref()),
        severity_original: raw.severity,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: references(raw.primary_url, raw.references),
        component: Component::default(),
        location: Location {
            target: ctx.target.clone(),
            file: ctx.target.clone(),
            line_start: cause.start_line,
            line_end: cause.end_line,
            resource,
            ..Location::default()
        },
        tool_status: Some(status.to_string()),
    }))
}

pub fn secret(raw: RawSecret, ctx: &ResultContext) -> Result<Option<Finding>, &'static str> {
    let Some(rule) = non_empty(raw.rule_id) else {
        return Err("a secret without RuleID");
    };
    let matched = raw
        .matched
        .as_deref()
        .map(normalize_code_line)
        .unwrap_or_default();
    let fp = fingerprint(
        TOOL,
        Kind::Secret,
        &rule,
        &[
            ctx.target.as_deref().unwrap_or_default(),
            &matched,
            ctx.resource.as_deref().unwrap_or_default(),
        ],
    );
    let what = non_empty(raw.title)
        .or(non_empty(raw.category))
        .unwrap_or_else(|| rule.clone());
    let title = match &ctx.target {
        Some(t) => format!("Secret detected in {t} - {what}"),
        None => format!("Secret detected - {what}"),
    };
    Ok(Some(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::Secret,
        category: None,
        rule_id: rule,
        title,
        description: raw.matched.map(|m| format!("Match: {m}")),
        remediation: Some("Remove the secret from the source and rotate it.".to_string()),
        severity: severity(raw.severity.as_deref()),
        severity_original: raw.severity,
        cvss: Vec::new(),
        cwe: vec!["CWE-798".to_string()],
        aliases: Vec::new(),
        references: Vec::new(),
        component: Component::default(),
        location: Location {
            target: ctx.target.clone(),
            file: ctx.target.clone(),
            line_start: raw.start_line,
            line_end: raw.end_line,
            resource: ctx.resource.clone(),
            ..Location::default()
        },
        tool_status: None,
    }))
}

pub fn license(raw: RawLicense, ctx: &ResultContext) -> Result<Option<Finding>, &'static str> {
    let Some(name) = non_empty(raw.name) else {
        return Err("a license without Name");
    };
    let pkg = non_empty(raw.pkg_name);
    let file = non_empty(raw.file_path);
    let owner = pkg.clone().or_else(|| file.clone()).unwrap_or_default();
    let fp = fingerprint(
        TOOL,
        Kind::License,
        &name,
        &[
            &owner,
            ctx.target.as_deref().unwrap_or_default(),
            ctx.resource.as_deref().unwrap_or_default(),
        ],
    );
    let category = non_empty(raw.category);
    Ok(Some(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::License,
        category: None,
        title: match &pkg {
            Some(p) => format!("{name} license in {p}"),
            None => format!("{name} license in {owner}"),
        },
        description: category
            .as_ref()
            .map(|c| format!("License {name}, category {c}")),
        rule_id: name,
        remediation: None,
        severity: severity(raw.severity.as_deref()),
        severity_original: raw.severity,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: non_empty(raw.link).into_iter().collect(),
        component: Component {
            name: pkg,
            ..Component::default()
        },
        location: Location {
            target: ctx.target.clone(),
            file,
            resource: ctx.resource.clone(),
            ..Location::default()
        },
        tool_status: category,
    }))
}

#[cfg(test)]
mod tests {
    use super::canonical_check_id;

    #[test]
    fn check_ids_are_canonical() {
        assert_eq!(canonical_check_id("KSV001"), "KSV-0001");
        assert_eq!(canonical_check_id("AVD-KSV-0001"), "KSV-0001");
        assert_eq!(canonical_check_id("DS-0002"), "DS-0002");
        assert_eq!(canonical_check_id("DS002"), "DS-0002");
        assert_eq!(canonical_check_id("AVD-AWS-0086"), "AWS-0086");
        assert_eq!(canonical_check_id("no-digits"), "no-digits");
    }
}
