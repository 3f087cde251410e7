//! FOSSA issues to normalized findings, with their fingerprints.
//!
//! One issue = one finding, whatever the shape (Go CLI, current CLI, REST API v2). The issue
//! `type` is an open set; it becomes the finding's `category` in lower snake case (the API
//! documents `risk_empty-package`, the CLI `risk_empty_package`: both are `risk_empty_package`).
//!
//! | type | kind | rule id | severity when FOSSA gives none |
//! |---|---|---|---|
//! | `vulnerability` (or any issue with a CVE) | vulnerability | CVE, else `vulnId`, else the type | CVSS bands, else unknown |
//! | `policy_conflict`, `policy_flag` | license | licence id, else the type | high (PRODUCT.md) |
//! | `unlicensed_dependency`, `unlicensed_and_public` | license | licence id, else the type | medium |
//! | `blacklisted_dependency` | vulnerability | the type | high |
//! | `outdated_dependency`, `risk_*` | vulnerability | the type | low |
//! | anything else | license if it names a licence, else vulnerability | the type | info |
//!
//! Identity (fingerprint parts): the category (issue type), the package key (the locator without
//! its revision: `npm+lodash`; `deb+libssl1.1#debian` for Linux packages), and, only for a
//! vulnerability without any advisory id, the FOSSA issue id. Never the version, the FOSSA
//! project, titles, texts or links.

use super::locator::Locator;
use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;

const TOOL: &str = "fossa";

/// What an issue inherits from where it sits: the REST API v2 query category when the issues
/// come in a `vulnerability` / `licensing` / `quality` list.
#[derive(Debug, Clone, Copy, Default)]
pub struct IssueContext {
    pub category: Option<&'static str>,
}

/// A converted issue, and a note for the scan's warnings when something was lost.
pub struct Converted {
    pub finding: Finding,
    pub note: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The issue type in lower snake case.
pub fn normalized_type(raw: &str) -> String {
    raw.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Vulnerability,
    License,
    Quality,
    Other,
}

fn class_of(ty: &str) -> Class {
    match ty {
        "vulnerability" => Class::Vulnerability,
        "policy_conflict"
        | "policy_flag"
        | "unlicensed_dependency"
        | "unlicensed_and_public"
        | "licensing" => Class::License,
        "outdated_dependency" | "blacklisted_dependency" | "quality" => Class::Quality,
        t if t.starts_with("risk_") => Class::Quality,
        _ => Class::Other,
    }
}

/// FOSSA's display names (fossa-cli `renderedIssueType`), for titles.
fn display_name(ty: &str) -> &str {
    match ty {
        "policy_conflict" => "Denied by Policy",
        "policy_flag" => "Flagged by Policy",
        "unlicensed_dependency" => "Unlicensed Dependency",
        "unlicensed_and_public" => "Unlicensed and Public Dependency",
        "vulnerability" => "Vulnerability",
        "outdated_dependency" => "Outdated Dependency",
        "blacklisted_dependency" => "Denylisted Dependency",
        "risk_abandonware" => "Abandoned Dependency",
        "risk_empty_package" => "Empty Package",
        "risk_native_code" => "Native Code Dependency",
        "licensing" => "Licensing Issue",
        "quality" => "Quality Issue",
        other => other,
    }
}

/// A severity FOSSA states (`priorityString` in the CLI, `severity` in the API). `unknown` and
/// empty strings state nothing.
pub fn stated_severity(original: &str) -> Option<Severity> {
    match original.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" | "moderate" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "info" | "informational" | "none" => Some(Severity::Info),
        _ => None,
    }
}

/// CVSS v3 qualitative bands, for vulnerabilities whose severity is `unknown`.
fn severity_from_cvss(score: f64) -> Option<Severity> {
    Severity::from_cvss_score(score)
}

/// Our severity for issue types FOSSA gives no severity for (PRODUCT.md's table for licences;
/// DefectDojo's FOSSA table for the rest, so counts per severity compare).
fn severity_by_type(ty: &str, class: Class) -> Severity {
    match ty {
        "policy_conflict" | "policy_flag" | "blacklisted_dependency" => Severity::High,
        "unlicensed_dependency" | "unlicensed_and_public" => Severity::Medium,
        "outdated_dependency" => Severity::Low,
        t if t.starts_with("risk_") => Severity::Low,
        _ => match class {
            Class::Vulnerability | Class::License | Class::Quality => Severity::Unknown,
            Class::Other => Severity::Info,
        },
    }
}

fn cvss_entry(score: Option<f64>, vector: Option<String>) -> Option<Cvss> {
    let vector = vector?;
    let version = match vector.strip_prefix("CVSS:") {
        Some(rest) => rest.split('/').next().unwrap_or_default().to_string(),
        None if vector.contains("Au:") => "2.0".to_string(),
        None => return None,
    };
    if version.is_empty() {
        return None;
    }
    Some(Cvss {
        version,
        vector: Some(vector),
        score: score.filter(|s| s.is_finite()),
        source: None,
    })
}

fn is_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Converts one issue; `Err` (with the reason) when it is not a finding.
pub fn issue(raw: RawIssue, ctx: IssueContext) -> Result<Converted, String> {
    let RawIssue {
        id,
        issue_type,
        priority_string,
        resolved,
        revision_id,
        rule,
        license,
        issue_dash_url,
        cve,
        fixed_in,
        source,
        severity,
        cvss,
        cvss_vector,
        title,
        details,
        vuln_id,
        remediation,
        cwes,
        references,
        url,
        projects,
        statuses,
        latest_version,
    } = raw;
    let id = non_empty(id);
    let cve = non_empty(cve);
    let vuln_id = non_empty(vuln_id);
    let license = non_empty(license).or_else(|| rule.and_then(|r| non_empty(r.license_id)));

    // Type: the issue's own, else the list it came in, else what it carries.
    let ty = non_empty(issue_type)
        .map(|t| normalized_type(&t))
        .or_else(|| ctx.category.map(str::to_string))
        .or_else(|| cve.is_some().then(|| "vulnerability".to_string()));
    let Some(ty) = ty else {
        return Err(format!(
            "issue {}: no type, CVE or licence",
            id.as_deref().unwrap_or("without id")
        ));
    };
    let class = class_of(&ty);
    let kind = if class == Class::Vulnerability || cve.is_some() || vuln_id.is_some() {
        Kind::Vulnerability
    } else if class == Class::License || (class == Class::Other && license.is_some()) {
        Kind::License
    } else {
        Kind::Vulnerability
    };

    // The dependency: a locator (CLI `revisionId`, API `source.id`), else rebuilt from the
    // API `source` parts.
    let source = source.unwrap_or_default();
    let locator_text = non_empty(revision_id)
        .or_else(|| non_empty(source.id.clone()))
        .or_else(|| {
            let fetcher = non_empty(source.package_manager.clone())?;
            let name = non_empty(source.name.clone())?;
            Some(match non_empty(source.version.clone()) {
                Some(v) => format!("{fetcher}+{name}${v}"),
                None => format!("{fetcher}+{name}"),
            })
        });
    let locator = locator_text.as_deref().and_then(Locator::parse);
    let package_key = match (&locator, &locator_text) {
        (Some(l), _) => l.package_key(),
        // Not a locator (the CLI's `unknown project`): kept as it is.
        (None, Some(text)) => text.clone(),
        (None, None) => non_empty(source.name.clone()).unwrap_or_default(),
    };
    let name = locator
        .map(|l| l.name().to_string())
        .or_else(|| non_empty(source.name.clone()));
    let version = locator
        .and_then(|l| l.version().map(str::to_string))
        .or_else(|| non_empty(source.version.clone()));
    let purl = locator.and_then(|l| l.purl());

    let remediation = remediation.unwrap_or_default();
    let complete_fix = non_empty(remediation.complete_fix);
    let partial_fix = non_empty(remediation.partial_fix);
    let latest = non_empty(latest_version).map(|v| match Locator::parse(&v) {
        Some(l) => l.version().unwrap_or(l.package).to_string(),
        None => v,
    });
    let fixed_version = non_empty(fixed_in)
        .or_else(|| complete_fix.clone())
        .or_else(|| partial_fix.clone())
        .or_else(|| latest.clone());
    let remediation_text = match (&complete_fix, &partial_fix) {
        (Some(c), Some(p)) if c != p => Some(format!(
            "Upgrade to {c} (complete fix); {p} is a partial fix"
        )),
        _ => fixed_version.as_ref().map(|v| {
            if ty == "outdated_dependency" {
                format!("Upgrade to the latest version {v}")
            } else {
                format!("Upgrade to {v}")
            }
        }),
    };

    // Rule id and identity.
    let (rule_id, issue_id_in_identity) = match kind {
        Kind::Vulnerability if class == Class::Vulnerability || cve.is_some() => {
            match cve.clone().or_else(|| vuln_id.clone()) {
                Some(advisory) => (advisory, false),
                None => (ty.clone(), true),
            }
        }
        Kind::License => (license.clone().unwrap_or_else(|| ty.clone()), false),
        _ => (ty.clone(), false),
    };
    let id_part = match (&id, issue_id_in_identity) {
        (Some(id), true) => format!("id:{id}"),
        _ => String::new(),
    };
    let fp = fingerprint(TOOL, kind, &rule_id, &[&ty, &package_key, &id_part]);

    // Severity: what FOSSA states, else CVSS for vulnerabilities, else by type.
    let severity_original = non_empty(severity).or_else(|| non_empty(priority_string));
    let severity = severity_original
        .as_deref()
        .and_then(stated_severity)
        .or_else(|| {
            (kind == Kind::Vulnerability && class != Class::Quality)
                .then(|| cvss.and_then(severity_from_cvss))
                .flatten()
        })
        .unwrap_or_else(|| severity_by_type(&ty, class));

    let subject = match (&name, &version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.clone(),
        _ => "an unknown dependency".to_string(),
    };
    let title = non_empty(title).unwrap_or_else(|| match (kind, &license) {
        (Kind::Vulnerability, _) if rule_id != ty => format!("{rule_id} in {subject}"),
        (Kind::License, Some(lic)) => format!("{}: {lic} in {subject}", display_name(&ty)),
        _ => format!("{}: {subject}", display_name(&ty)),
    });

    let mut aliases = Vec::new();
    if let Some(cve) = cve.as_ref().filter(|c| **c != rule_id) {
        aliases.push(cve.clone());
    }
    if let Some(v) = &vuln_id {
        // `CVE-2024-39689_pip+certifi` is FOSSA's key for the CVE on a package, not an alias.
        if *v != rule_id && !v.starts_with(&format!("{rule_id}_")) {
            aliases.push(v.clone());
        }
    }

    let mut refs: Vec<String> = Vec::new();
    let all_refs = non_empty(issue_dash_url)
        .into_iter()
        .chain(non_empty(url))
        .chain(
            references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| non_empty(r.0)),
        );
    for r in all_refs {
        if !refs.contains(&r) {
            refs.push(r);
        }
    }

    let projects = projects.unwrap_or_default();
    let mut note = None;
    let (target, project_status) = match projects.as_slice() {
        [one] => (non_empty(one.id.clone()), non_empty(one.status.clone())),
        [] => (None, None),
        many => {
            note = Some(format!(
                "issue {} affects {} FOSSA projects: imported once, without a target",
                id.as_deref().unwrap_or("without id"),
                many.len()
            ));
            (None, None)
        }
    };
    let tool_status = match resolved {
        Some(true) => Some("resolved".to_string()),
        Some(false) => Some("active".to_string()),
        None => project_status.or_else(|| {
            let s = statuses?;
            if s.active.unwrap_or(0) > 0 {
                Some("active".to_string())
            } else if s.ignored.unwrap_or(0) > 0 {
                Some("ignored".to_string())
            } else {
                None
            }
        }),
    };

    let cvss = cvss_entry(cvss, non_empty(cvss_vector))
        .into_iter()
        .collect();

    Ok(Converted {
        finding: Finding {
            epss: None,
            fingerprint: fp,
            kind,
            category: Some(ty),
            rule_id,
            title,
            description: non_empty(details),
            remediation: remediation_text,
            severity,
            severity_original,
            cvss,
            cwe: cwes
                .unwrap_or_default()
                .into_iter()
                .filter(|c| is_cwe(c))
                .collect(),
            aliases,
            references: refs,
            component: Component {
                name,
                version,
                purl,
                fixed_version,
            },
            location: Location {
                target,
                resource: locator_text,
                ..Location::default()
            },
            tool_status,
        },
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_a_type_are_one_category() {
        assert_eq!(normalized_type("risk_empty-package"), "risk_empty_package");
        assert_eq!(normalized_type(" Risk_Native-Code "), "risk_native_code");
    }

    #[test]
    fn cvss_bands() {
        assert_eq!(severity_from_cvss(9.8), Some(Severity::Critical));
        assert_eq!(severity_from_cvss(7.5), Some(Severity::High));
        assert_eq!(severity_from_cvss(4.0), Some(Severity::Medium));
        assert_eq!(severity_from_cvss(0.1), Some(Severity::Low));
        assert_eq!(severity_from_cvss(0.0), Some(Severity::Info));
        assert_eq!(severity_from_cvss(f64::NAN), None);
        assert_eq!(severity_from_cvss(11.0), None);
    }
}
