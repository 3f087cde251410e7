//! Snyk issues to normalized findings, with their fingerprints.
//!
//! Snyk writes one record per issue per dependency path. Identity (fingerprint parts): the Snyk
//! issue id, the vulnerable package's name, the name of the top-level dependency that brings it
//! in (the path's second step, without its version: paths through the same direct dependency
//! are one finding, paths through two direct dependencies are two, since each is fixed by its
//! own upgrade), and the project's manifest (`displayTargetFile`, else `projectName` for an
//! image). Never the package's version, the image tag or the absolute `path` the CLI ran in,
//! which change between runs.

use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;

const TOOL: &str = "snyk";

/// What an issue inherits from the project it sits in.
#[derive(Debug, Default, Clone)]
pub struct ProjectContext {
    /// Where the CLI ran, or the image it tested (`path`), else the project's name.
    pub target: Option<String>,
    /// The manifest, relative to the project (`displayTargetFile`).
    pub manifest: Option<String>,
    /// What identifies the project across runs: the manifest, else the project name.
    pub identity: String,
}

impl ProjectContext {
    pub fn of(project: &RawProject) -> ProjectContext {
        let manifest = non_empty(project.display_target_file.clone())
            .or(non_empty(project.target_file.clone()));
        let name = non_empty(project.project_name.clone());
        ProjectContext {
            target: non_empty(project.path.clone()).or(name.clone()),
            identity: manifest.clone().or(name).unwrap_or_default(),
            manifest,
        }
    }
}

/// Snyk's severity names. Anything else is `unknown`, with the original kept.
pub fn severity(original: Option<&str>) -> Severity {
    match original.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Unknown,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// `name@version` without its version; a scoped npm name (`@scope/name@1.0`) keeps its `@`.
pub fn without_version(step: &str) -> &str {
    match step.rfind('@') {
        Some(at) if at > 0 => &step[..at],
        _ => step,
    }
}

fn cvss_version(vector: &str) -> String {
    vector
        .strip_prefix("CVSS:")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("3.1")
        .to_string()
}

/// Snyk's own assessment first, then each assigner's (NVD, the vendor), without repeats.
fn cvss(raw: &mut RawVulnerability) -> Vec<Cvss> {
    let mut out = Vec::new();
    let vector = non_empty(raw.cvss_v3.take());
    if vector.is_some() || raw.cvss_score.is_some() {
        out.push(Cvss {
            version: vector.as_deref().map_or_else(|| "3.1".into(), cvss_version),
            vector,
            score: raw.cvss_score,
            source: Some("snyk".into()),
        });
    }
    for detail in raw.cvss_details.take().unwrap_or_default() {
        let vector = non_empty(detail.cvss_v3_vector);
        if vector.is_none() && detail.cvss_v3_base_score.is_none() {
            continue;
        }
        let source = non_empty(detail.assigner);
        if out
            .iter()
            .any(|c| c.vector == vector && c.score == detail.cvss_v3_base_score)
        {
            continue;
        }
        out.push(Cvss {
            version: vector.as_deref().map_or_else(|| "3.1".into(), cvss_version),
            vector,
            score: detail.cvss_v3_base_score,
            source,
        });
    }
    out
}

/// The tool's decision, in its own words: `ignored`, or `ignored/<reasonType>` when the ignore
/// says why (`not-vulnerable`, `wont-fix`, `temporary-ignore`).
fn ignore_status(raw: &RawVulnerability, listed_as_ignored: bool) -> Option<String> {
    let rules = raw
        .filtered
        .as_ref()
        .and_then(|f| f.ignored.as_deref())
        .unwrap_or_default();
    if !listed_as_ignored && raw.is_ignored != Some(true) && rules.is_empty() {
        return None;
    }
    let reason_type = rules.iter().find_map(|r| non_empty(r.reason_type.clone()));
    Some(match reason_type {
        Some(t) => format!("ignored/{t}"),
        None => "ignored".to_string(),
    })
}

/// Why and until when the issue is ignored, as Snyk wrote it.
fn ignore_note(raw: &RawVulnerability) -> Option<String> {
    let rules = raw.filtered.as_ref()?.ignored.as_deref()?;
    let notes: Vec<String> = rules
        .iter()
        .filter_map(|r| {
            let reason = non_empty(r.reason.clone())?;
            Some(match non_empty(r.expires.clone()) {
                Some(until) => format!("Ignored in Snyk until {until}: {reason}"),
                None => format!("Ignored in Snyk: {reason}"),
            })
        })
        .collect();
    (!notes.is_empty()).then(|| notes.join("\n"))
}

/// An issue, or the reason it is skipped. `listed_as_ignored` is set for the records of
/// `filtered.ignore`.
pub fn issue(
    mut raw: RawVulnerability,
    ctx: &ProjectContext,
    listed_as_ignored: bool,
) -> Result<Finding, &'static str> {
    let Some(id) = non_empty(raw.id.take()) else {
        return Err("a Snyk issue without id");
    };
    let is_license = raw
        .issue_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("license"));
    let kind = if is_license {
        Kind::License
    } else {
        Kind::Vulnerability
    };
    let package = non_empty(raw.package_name.take());
    let path = raw.from.take().unwrap_or_default();
    // The path's first step is the project itself; the second is the top-level dependency.
    let top = path
        .get(1)
        .map(|s| without_version(s).to_string())
        .or_else(|| package.clone())
        .unwrap_or_default();
    let fp = fingerprint(
        TOOL,
        kind,
        &id,
        &[package.as_deref().unwrap_or_default(), &top, &ctx.identity],
    );
    let status = ignore_status(&raw, listed_as_ignored);
    let cvss = cvss(&mut raw);
    let identifiers = raw.identifiers.take().unwrap_or_default();
    let mut cwe = Vec::new();
    let mut aliases = Vec::new();
    for (scheme, ids) in identifiers {
        let target = if scheme.eq_ignore_ascii_case("CWE") {
            &mut cwe
        } else {
            &mut aliases
        };
        for one in ids {
            if !one.trim().is_empty() && !target.contains(&one) {
                target.push(one);
            }
        }
    }
    let upgrade = raw
        .upgrade_path
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|step| step.as_str().filter(|s| !s.is_empty()).map(str::to_string));
    let fixed_version = non_empty(raw.nearest_fixed_in_version.take()).or_else(|| {
        let fixed: Vec<String> = raw
            .fixed_in
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect();
        (!fixed.is_empty()).then(|| fixed.join(", "))
    });
    let remediation = match (&upgrade, &fixed_version) {
        (Some(step), _) => Some(format!("Upgrade to {step}")),
        (None, Some(v)) => Some(format!(
            "Upgrade {} to {v}",
            package.as_deref().unwrap_or("the package")
        )),
        (None, None) => None,
    };
    let mut description: Vec<String> = non_empty(raw.description.take()).into_iter().collect();
    if path.len() > 1 {
        description.push(format!("Introduced through: {}", path.join(" > ")));
    }
    let epss = raw
        .epss_details
        .take()
        .and_then(|e| crate::epss::read(e.probability.as_ref(), e.percentile.as_ref()));
    description.extend(ignore_note(&raw));
    let title = match (
        non_empty(raw.title.take()),
        is_license,
        non_empty(raw.license.take()),
    ) {
        (Some(t), _, _) => t,
        (None, true, Some(l)) => format!("{l} license"),
        _ => id.clone(),
    };
    Ok(Finding {
        epss,
        fingerprint: fp,
        kind,
        category: None,
        rule_id: id,
        title,
        description: (!description.is_empty()).then(|| description.join("\n\n")),
        remediation,
        severity: severity(raw.severity.as_deref()),
        severity_original: raw.severity,
        cvss,
        cwe,
        aliases,
        references: raw
            .references
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| non_empty(r.url))
            .collect(),
        component: Component {
            name: package,
            version: non_empty(raw.version),
            purl: None,
            fixed_version,
        },
        location: Location {
            target: ctx.target.clone(),
            file: ctx.manifest.clone(),
            ..Location::default()
        },
        tool_status: status,
    })
}

#[cfg(test)]
mod tests {
    use super::without_version;

    #[test]
    fn versions_are_dropped_from_path_steps() {
        assert_eq!(without_version("lodash@4.17.15"), "lodash");
        assert_eq!(without_version("@babel/core@7.0.0"), "@babel/core");
        assert_eq!(without_version("@babel/core"), "@babel/core");
        assert_eq!(
            without_version("org.apache:tomcat@9.0"),
            "org.apache:tomcat"
        );
        assert_eq!(without_version("plain"), "plain");
    }
}
