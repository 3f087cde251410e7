//! Trivy Operator records to normalized findings, with their fingerprints.
//!
//! The Kubernetes resource a report is about (`namespace/Kind/name` and container, from the
//! `trivy-operator.resource.*` and `trivy-operator.container.name` labels, else the report's
//! own metadata) is part of every identity but the compliance reports'. A ReplicaSet is named
//! without its pod-template hash (the last `-` part of its name), since its Deployment makes a
//! new one at every rollout; the finding's location keeps the full name.
//!
//! Identity (fingerprint parts), per report:
//! - vulnerability: advisory id, package type, package name, the target for language packages
//!   (the lock file), the resource. Never the image tag or the installed version.
//! - config audit, RBAC and infra assessment: the check id in canonical form (`KSV014` =
//!   `AVD-KSV-0014` = `KSV-0014`), the resource.
//! - exposed secret: rule, the resource, the file, and the (already redacted) matched line with
//!   white space folded.
//! - cluster compliance: the compliance spec, the control, the check in canonical form and the
//!   resource it failed on (detail report); the spec and the control (summary report).

use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, category_name};
use crate::fingerprint::{fingerprint, normalize_code_line};
use crate::inspector2::normalize::{non_empty, push_unique, severity};
use crate::trivy::canonical_check_id;

pub const TOOL: &str = "trivy-operator";

/// The Kubernetes resource a report is about.
pub struct Workload {
    /// `namespace/Kind/name`, as people read it.
    pub display: String,
    /// The same with a ReplicaSet's pod-template hash dropped, for identity.
    pub identity: String,
    pub container: String,
    /// The scanned image (`registry/repository:tag`), for vulnerability and secret reports.
    pub image: Option<String>,
}

impl Workload {
    pub fn new(kind: &str, metadata: &RawMetadata, report: Option<&RawReport>) -> Workload {
        let label = |key: &str| non_empty(metadata.labels.get(key).cloned());
        let namespace = label("trivy-operator.resource.namespace")
            .or_else(|| non_empty(metadata.namespace.clone()))
            .unwrap_or_default();
        let (resource_kind, name) = match (
            label("trivy-operator.resource.kind"),
            label("trivy-operator.resource.name"),
        ) {
            (Some(k), Some(n)) => (k, n),
            _ => (
                kind.to_string(),
                non_empty(metadata.name.clone()).unwrap_or_default(),
            ),
        };
        let stable_name = match (resource_kind.as_str(), name.rsplit_once('-')) {
            ("ReplicaSet", Some((owner, _))) => owner.to_string(),
            _ => name.clone(),
        };
        let image = report.and_then(|r| {
            let artifact = r.artifact.as_ref()?;
            let repository = non_empty(artifact.repository.clone())?;
            let server = r
                .registry
                .as_ref()
                .and_then(|g| non_empty(g.server.clone()));
            let full = match server {
                Some(s) => format!("{s}/{repository}"),
                None => repository,
            };
            Some(
                match (
                    non_empty(artifact.tag.clone()),
                    non_empty(artifact.digest.clone()),
                ) {
                    (Some(tag), _) => format!("{full}:{tag}"),
                    (None, Some(digest)) => format!("{full}@{digest}"),
                    _ => full,
                },
            )
        });
        Workload {
            display: format!("{namespace}/{resource_kind}/{name}"),
            identity: format!("{namespace}/{resource_kind}/{stable_name}"),
            container: label("trivy-operator.container.name").unwrap_or_default(),
            image,
        }
    }

    fn location(&self) -> Location {
        Location {
            target: self.image.clone(),
            resource: Some(if self.container.is_empty() {
                self.display.clone()
            } else {
                format!("{} (container {})", self.display, self.container)
            }),
            ..Location::default()
        }
    }
}

fn base(kind: Kind, rule_id: String, title: Option<String>, fingerprint: String) -> Finding {
    Finding {
        epss: None,
        fingerprint,
        kind,
        category: None,
        title: title.unwrap_or_else(|| rule_id.clone()),
        rule_id,
        description: None,
        remediation: None,
        severity: crate::finding::Severity::Unknown,
        severity_original: None,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: Vec::new(),
        component: Component::default(),
        location: Location::default(),
        tool_status: None,
    }
}

pub fn vulnerability(raw: RawVulnerability, workload: &Workload) -> Result<Finding, String> {
    let Some(rule_id) = non_empty(raw.vulnerability_id) else {
        return Err("a vulnerability without vulnerabilityID".into());
    };
    let package = non_empty(raw.resource);
    let target = non_empty(raw.target);
    let class = non_empty(raw.class);
    let lang_target = match class.as_deref() {
        Some("lang-pkgs") => target.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let fp = fingerprint(
        TOOL,
        Kind::Vulnerability,
        &rule_id,
        &[
            raw.package_type.as_deref().unwrap_or_default(),
            package.as_deref().unwrap_or_default(),
            &lang_target,
            &workload.identity,
            &workload.container,
        ],
    );
    let mut f = base(Kind::Vulnerability, rule_id, non_empty(raw.title), fp);
    let mut notes = Vec::new();
    for (label, value) in [
        ("Target", target),
        ("Class", class),
        ("Package type", non_empty(raw.package_type)),
        ("Published", non_empty(raw.published_date)),
    ] {
        if let Some(value) = value {
            notes.push(format!("{label}: {value}"));
        }
    }
    let description = non_empty(raw.description)
        .into_iter()
        .chain([notes.join("\n")]);
    f.description = non_empty(Some(
        description
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
    ));
    f.severity_original = non_empty(raw.severity);
    f.severity = severity(f.severity_original.as_deref());
    if let Some(score) = raw.score {
        f.cvss.push(Cvss {
            version: "3.1".into(),
            vector: None,
            score: Some(score),
            source: None,
        });
    }
    push_unique(&mut f.references, raw.primary_link);
    for link in raw.links {
        push_unique(&mut f.references, Some(link));
    }
    f.component = Component {
        name: package,
        version: non_empty(raw.installed_version),
        purl: None,
        fixed_version: non_empty(raw.fixed_version),
    };
    f.location = workload.location();
    if !lang_target.is_empty() {
        f.location.file = Some(lang_target);
    }
    Ok(f)
}

/// A failed check of a config audit, RBAC or infra assessment report (`None`: it passed).
pub fn check(raw: RawCheck, workload: &Workload) -> Result<Option<Finding>, String> {
    if raw.success.unwrap_or(false) {
        return Ok(None);
    }
    let Some(id) = non_empty(raw.check_id.clone()) else {
        return Err(format!(
            "a check without checkID ({})",
            raw.title.as_deref().unwrap_or("no title")
        ));
    };
    let rule_id = canonical_check_id(&id);
    let fp = fingerprint(
        TOOL,
        Kind::Misconfiguration,
        &rule_id,
        &[&workload.identity],
    );
    let mut f = base(Kind::Misconfiguration, rule_id, None, fp);
    fill_check(&mut f, raw, &id);
    f.location = workload.location();
    Ok(Some(f))
}

/// What a check says, on a finding made from it.
fn fill_check(f: &mut Finding, raw: RawCheck, id: &str) {
    f.title = match non_empty(raw.title) {
        Some(title) => format!("{id} - {title}"),
        None => f.title.clone(),
    };
    f.category = raw.category.as_deref().and_then(category_name);
    let messages = raw.messages.join("\n");
    f.description = non_empty(Some(
        [non_empty(raw.description).unwrap_or_default(), messages]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
    ));
    f.remediation = non_empty(raw.remediation);
    f.severity_original = non_empty(raw.severity);
    f.severity = severity(f.severity_original.as_deref());
}

pub fn secret(raw: RawSecret, workload: &Workload) -> Result<Finding, String> {
    let Some(rule_id) = non_empty(raw.rule_id) else {
        return Err("a secret without ruleID".into());
    };
    let file = non_empty(raw.target);
    let matched = raw
        .matched
        .as_deref()
        .map(normalize_code_line)
        .unwrap_or_default();
    let fp = fingerprint(
        TOOL,
        Kind::Secret,
        &rule_id,
        &[
            &workload.identity,
            &workload.container,
            file.as_deref().unwrap_or_default(),
            &matched,
        ],
    );
    let title = non_empty(raw.title);
    let mut f = base(Kind::Secret, rule_id, title, fp);
    f.category = non_empty(raw.category).map(|c| c.to_ascii_lowercase());
    f.description = non_empty(raw.matched).map(|m| format!("Match: {m}"));
    f.severity_original = non_empty(raw.severity);
    f.severity = severity(f.severity_original.as_deref());
    f.location = workload.location();
    f.location.file = file;
    Ok(f)
}

/// The findings of a ClusterComplianceReport: each failed check of the detail report, else
/// each failing control of the summary report. A detail report repeats a failed check word for
/// word when it fails in several containers of one workload (which it does not name): the
/// repeats are one finding.
pub fn compliance(status: RawComplianceStatus) -> Vec<Result<Finding, String>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if let Some(detail) = status.detail_report {
        let spec = non_empty(detail.id).unwrap_or_default();
        let spec_title = non_empty(detail.title).unwrap_or_else(|| spec.clone());
        for control in detail.results {
            let control_id = non_empty(control.id).unwrap_or_default();
            for check in control.checks {
                if check.success.unwrap_or(false) {
                    continue;
                }
                let id = non_empty(check.check_id.clone());
                let rule_id = id
                    .as_deref()
                    .map(canonical_check_id)
                    .unwrap_or_else(|| control_id.clone());
                if rule_id.is_empty() {
                    out.push(Err("a failed compliance check without id".into()));
                    continue;
                }
                let target = non_empty(check.target.clone()).unwrap_or_default();
                let fp = fingerprint(
                    TOOL,
                    Kind::Misconfiguration,
                    &rule_id,
                    &[&spec, &control_id, &target],
                );
                if !seen.insert(fp.clone()) {
                    continue;
                }
                let mut f = base(Kind::Misconfiguration, rule_id.clone(), None, fp);
                let control_severity = non_empty(control.severity.clone());
                fill_check(&mut f, check, id.as_deref().unwrap_or(&control_id));
                if f.severity_original.is_none() {
                    f.severity_original = control_severity;
                    f.severity = severity(f.severity_original.as_deref());
                }
                f.title = format!("{control_id} {}", f.title);
                if let Some(name) = non_empty(control.name.clone()) {
                    let text = f.description.take().unwrap_or_default();
                    f.description = Some(
                        format!("{spec_title}, control {control_id}: {name}\n\n{text}")
                            .trim()
                            .to_string(),
                    );
                }
                f.category = Some("compliance".into());
                f.location.resource = non_empty(Some(target));
                out.push(Ok(f));
            }
        }
        return out;
    }
    if let Some(summary) = status.summary_report {
        let spec = non_empty(summary.id).unwrap_or_default();
        for control in summary.control_check {
            let failed = control.total_fail.unwrap_or(0);
            if failed == 0 {
                continue;
            }
            let Some(rule_id) = non_empty(control.id) else {
                out.push(Err("a failing compliance control without id".into()));
                continue;
            };
            let fp = fingerprint(TOOL, Kind::Misconfiguration, &rule_id, &[&spec]);
            let mut f = base(Kind::Misconfiguration, rule_id, non_empty(control.name), fp);
            f.category = Some("compliance".into());
            f.description = Some(format!(
                "{failed} resource(s) fail this control of {}",
                non_empty(summary.title.clone()).unwrap_or_else(|| spec.clone())
            ));
            f.severity_original = non_empty(control.severity);
            f.severity = severity(f.severity_original.as_deref());
            out.push(Ok(f));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replicaset_is_named_without_its_pod_template_hash() {
        let metadata = RawMetadata {
            labels: [
                ("trivy-operator.resource.kind", "ReplicaSet"),
                ("trivy-operator.resource.name", "web-7d4f8b9c6d"),
                ("trivy-operator.resource.namespace", "shop"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..RawMetadata::default()
        };
        let w = Workload::new("VulnerabilityReport", &metadata, None);
        assert_eq!(w.display, "shop/ReplicaSet/web-7d4f8b9c6d");
        assert_eq!(w.identity, "shop/ReplicaSet/web");
    }
}
