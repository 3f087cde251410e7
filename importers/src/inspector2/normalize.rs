//! Inspector2 finding records to normalized findings, with their fingerprints.
//!
//! Identity (fingerprint parts), per finding type:
//! - package vulnerability: the advisory id (rule), the resource (below), and each vulnerable
//!   package's manager, name and file path; never its version, which the fix changes.
//! - code vulnerability: the detector's rule id, the resource, the file, and Inspector's own
//!   finding id (the last part of the finding ARN), which Inspector keeps for as long as it
//!   tracks the finding. `list-findings` carries no code snippet (that is
//!   `batch-get-code-snippet`), so there is no code line to hash; a record without an ARN gets
//!   an ordinal among the records of its rule, resource and file instead.
//! - network reachability: the resource, the protocol, the open port range and the kinds of
//!   component on the path (internet gateway, security group, ...).
//!
//! The resource, as identity, is what survives a redeploy: an ECR image is its registry and
//! repository (never the digest or tag, which change every push), a Lambda function is its ARN
//! without the version qualifier (`:$LATEST`, `:12`), anything else (EC2 instances, ECR
//! repositories, code repositories) its id.

use super::raw::*;
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;
use crate::web::cwe_id;
use std::collections::HashMap;

/// Inspector's severity names (`INFORMATIONAL`; `UNTRIAGED`, which Inspector has not rated yet,
/// is unknown).
pub(crate) fn severity(original: Option<&str>) -> Severity {
    match original.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        Some("CRITICAL") => Severity::Critical,
        Some("HIGH") => Severity::High,
        Some("MEDIUM") => Severity::Medium,
        Some("LOW") => Severity::Low,
        Some("INFORMATIONAL" | "INFO") => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// Ordinals for code findings without a finding ARN (see the module docs).
#[derive(Default)]
pub struct Ordinals {
    seen: HashMap<String, u32>,
}

impl Ordinals {
    fn next(&mut self, identity: String) -> u32 {
        let count = self.seen.entry(identity).or_insert(0);
        let ordinal = *count;
        *count += 1;
        ordinal
    }
}

pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// What the resource is called as identity (see the module docs), and as a target people read.
struct Resource {
    identity: String,
    target: Option<String>,
    id: Option<String>,
    /// Region, platform, runtime: for the description.
    notes: Vec<String>,
}

fn resource(raw: Option<RawResource>) -> Resource {
    let raw = raw.unwrap_or_default();
    let id = non_empty(raw.id);
    let details = raw.details.unwrap_or_default();
    let kind = raw.resource_type.unwrap_or_default();
    let mut notes: Vec<String> = non_empty(raw.region)
        .map(|r| format!("Region: {r}"))
        .into_iter()
        .collect();
    let mut note = |label: &str, value: Option<String>| {
        if let Some(value) = non_empty(value) {
            notes.push(format!("{label}: {value}"));
        }
    };
    if let Some(image) = details.aws_ecr_container_image {
        let repository = non_empty(image.repository_name);
        let identity = match (&repository, non_empty(image.registry)) {
            (Some(repo), Some(registry)) => format!("ecr:{registry}/{repo}"),
            (Some(repo), None) => format!("ecr:{repo}"),
            _ => id.as_deref().map(without_digest).unwrap_or_default(),
        };
        note("Platform", image.platform);
        let tag = image.image_tags.into_iter().find(|t| !t.trim().is_empty());
        let target = match (&repository, tag, non_empty(image.image_hash)) {
            (Some(repo), Some(tag), _) => Some(format!("{repo}:{tag}")),
            (Some(repo), None, Some(hash)) => Some(format!("{repo}@{hash}")),
            (Some(repo), None, None) => Some(repo.clone()),
            _ => id.clone(),
        };
        return Resource {
            identity,
            target,
            id,
            notes,
        };
    }
    if let Some(function) = details.aws_lambda_function {
        let identity = id.as_deref().map(without_qualifier).unwrap_or_default();
        let target = non_empty(function.function_name).or_else(|| id.clone());
        note("Runtime", function.runtime);
        note("Function version", function.version);
        return Resource {
            identity,
            target,
            id,
            notes,
        };
    }
    if let Some(instance) = details.aws_ec2_instance {
        note("Platform", instance.platform);
        note("AMI", instance.image_id);
    }
    let identity = match kind.as_str() {
        "AWS_ECR_CONTAINER_IMAGE" => id.as_deref().map(without_digest),
        "AWS_LAMBDA_FUNCTION" => id.as_deref().map(without_qualifier),
        _ => id.clone(),
    }
    .unwrap_or_default();
    Resource {
        identity,
        target: id.clone(),
        id,
        notes,
    }
}

/// A resource ARN as identity: an ECR image without its digest, a Lambda function without
/// its version qualifier, anything else as it is.
pub(crate) fn resource_identity(arn: &str) -> String {
    without_qualifier(&without_digest(arn))
}

/// An ECR image ARN (`...:repository/name/sha256:abc`) without its digest.
fn without_digest(arn: &str) -> String {
    match arn.rfind("/sha256:") {
        Some(at) => arn[..at].to_string(),
        None => arn.to_string(),
    }
}

/// A Lambda function ARN (`...:function:name:$LATEST`, `...:function:name:12`) without its
/// version qualifier.
fn without_qualifier(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if parts.len() == 8 && parts[5] == "function" {
        parts[..7].join(":")
    } else {
        arn.to_string()
    }
}

/// The package version as the distribution writes it: `epoch:version-release`.
fn full_version(
    version: Option<&str>,
    epoch: Option<f64>,
    release: Option<&str>,
) -> Option<String> {
    let version = version.filter(|v| !v.trim().is_empty())?;
    let mut out = String::new();
    if let Some(epoch) = epoch.filter(|e| *e > 0.0) {
        out.push_str(&format!("{epoch}:"));
    }
    out.push_str(version);
    if let Some(release) = release.filter(|r| !r.trim().is_empty()) {
        out.push('-');
        out.push_str(release);
    }
    Some(out)
}

pub(crate) fn cvss_version(version: Option<&str>, vector: Option<&str>) -> String {
    version
        .map(str::to_string)
        .or_else(|| {
            vector
                .and_then(|v| v.strip_prefix("CVSS:"))
                .and_then(|rest| rest.split('/').next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "3.1".to_string())
}

pub(crate) fn push_unique(list: &mut Vec<String>, value: Option<String>) {
    if let Some(value) = non_empty(value)
        && !list.contains(&value)
    {
        list.push(value);
    }
}

/// One CVSS assessment as the normalized record keeps it.
pub(crate) fn cvss_entry(raw: RawCvss) -> Cvss {
    Cvss {
        version: cvss_version(raw.version.as_deref(), raw.scoring_vector.as_deref()),
        vector: non_empty(raw.scoring_vector),
        score: raw.base_score,
        source: non_empty(raw.source),
    }
}

/// What the first vulnerable package of a finding gives it.
pub(crate) struct FirstPackage {
    pub component: Component,
    pub file: Option<String>,
    pub layer: Option<String>,
}

/// The vulnerable packages of a finding: each one's manager, name and file path go to the
/// identity `parts`, its remediation command (once) to `remediation`, its architecture to
/// `notes`; the first is the finding's component, file and layer. `None` without packages.
pub(crate) fn packages(
    list: Vec<RawPackage>,
    parts: &mut Vec<String>,
    remediation: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Option<FirstPackage> {
    let mut first = None;
    for package in list {
        let name = package.name.clone().unwrap_or_default();
        if first.is_none() {
            first = Some(FirstPackage {
                component: Component {
                    name: non_empty(package.name.clone()),
                    version: full_version(
                        package.version.as_deref(),
                        package.epoch,
                        package.release.as_deref(),
                    ),
                    purl: None,
                    fixed_version: non_empty(package.fixed_in_version.clone())
                        .filter(|v| v != "NotAvailable"),
                },
                file: non_empty(package.file_path.clone()),
                layer: non_empty(package.source_layer_hash.clone())
                    .or_else(|| non_empty(package.source_lambda_layer_arn.clone())),
            });
        }
        parts.push(package.package_manager.unwrap_or_default());
        parts.push(name.clone());
        parts.push(package.file_path.unwrap_or_default());
        if let Some(command) = non_empty(package.remediation)
            && !remediation.contains(&command)
        {
            remediation.push(command);
        }
        if let Some(arch) = non_empty(package.arch) {
            notes.push(format!("{name} architecture: {arch}"));
        }
    }
    first
}

/// Converts one record. `Err` says why a record was skipped.
pub fn finding(
    tool: &str,
    mut raw: RawFinding,
    ordinals: &mut Ordinals,
) -> Result<Finding, String> {
    let finding_type = non_empty(raw.finding_type.take()).unwrap_or_else(|| {
        if raw.code_vulnerability_details.is_some() {
            "CODE_VULNERABILITY".into()
        } else if raw.network_reachability_details.is_some() {
            "NETWORK_REACHABILITY".into()
        } else {
            "PACKAGE_VULNERABILITY".into()
        }
    });
    let mut resource = resource(raw.resources.drain(..).next());
    let severity_original = non_empty(raw.severity.take());
    let recommendation = raw
        .remediation
        .take()
        .and_then(|r| r.recommendation)
        .unwrap_or_default();
    let mut references = Vec::new();
    let mut remediation: Vec<String> = non_empty(recommendation.text)
        .filter(|t| t != "None Provided")
        .into_iter()
        .collect();
    let epss = raw
        .epss
        .take()
        .and_then(|e| e.score)
        .and_then(|p| crate::finding::Epss::new(p, None));
    let mut notes = std::mem::take(&mut resource.notes);
    for (label, value) in [
        ("Fix available", non_empty(raw.fix_available.take())),
        ("Exploit available", non_empty(raw.exploit_available.take())),
        (
            "Inspector score",
            raw.inspector_score.map(|s| s.to_string()),
        ),
        ("AWS account", non_empty(raw.aws_account_id.take())),
        ("Finding ARN", non_empty(raw.finding_arn.clone())),
    ] {
        if let Some(value) = value {
            notes.push(format!("{label}: {value}"));
        }
    }
    let adjusted = raw
        .inspector_score_details
        .take()
        .and_then(|d| d.adjusted_cvss);
    let mut location = Location {
        target: resource.target,
        resource: resource.id,
        ..Location::default()
    };
    let mut cvss = Vec::new();
    let mut cwe = Vec::new();
    let mut aliases = Vec::new();
    let mut component = Component::default();
    let (kind, rule_id, parts) = match finding_type.as_str() {
        "PACKAGE_VULNERABILITY" => {
            let details = raw.package_vulnerability_details.take().unwrap_or_default();
            let Some(rule_id) = non_empty(details.vulnerability_id) else {
                return Err("a package vulnerability without vulnerabilityId".into());
            };
            for related in details.related_vulnerabilities {
                if related != rule_id {
                    push_unique(&mut aliases, Some(related));
                }
            }
            cvss.extend(details.cvss.into_iter().map(cvss_entry));
            push_unique(&mut references, details.source_url);
            for url in details.reference_urls {
                push_unique(&mut references, Some(url));
            }
            if let Some(vendor) = non_empty(details.vendor_severity) {
                let source = non_empty(details.source).unwrap_or_else(|| "vendor".into());
                notes.push(format!("Vendor severity ({source}): {vendor}"));
            }
            let mut parts = vec![resource.identity];
            let Some(first) = packages(
                details.vulnerable_packages,
                &mut parts,
                &mut remediation,
                &mut notes,
            ) else {
                return Err(format!("{rule_id} without vulnerablePackages"));
            };
            component = first.component;
            location.file = first.file;
            location.layer = first.layer;
            (Kind::Vulnerability, rule_id, parts)
        }
        "CODE_VULNERABILITY" => {
            let details = raw.code_vulnerability_details.take().unwrap_or_default();
            let Some(rule_id) = non_empty(details.rule_id).or_else(|| {
                non_empty(details.detector_id)
                    .map(|d| d.split('@').next().unwrap_or_default().to_string())
            }) else {
                return Err("a code vulnerability without ruleId or detectorId".into());
            };
            if let Some(name) = non_empty(details.detector_name) {
                notes.push(format!("Detector: {name}"));
            }
            for id in &details.cwes {
                push_unique(&mut cwe, cwe_id(id));
            }
            for url in details.reference_urls {
                push_unique(&mut references, Some(url));
            }
            let file = details.file_path.unwrap_or_default();
            location.file = non_empty(file.file_path).or_else(|| non_empty(file.file_name));
            location.line_start = file.start_line;
            location.line_end = file.end_line;
            location.layer = non_empty(details.source_lambda_layer_arn);
            let place = location.file.clone().unwrap_or_default();
            let anchor = match raw
                .finding_arn
                .as_deref()
                .and_then(|arn| arn.rsplit('/').next())
                .filter(|id| !id.trim().is_empty())
            {
                Some(id) => format!("finding:{id}"),
                None => {
                    let ordinal =
                        ordinals.next(format!("{rule_id}\n{}\n{place}", resource.identity));
                    format!("ordinal:{ordinal}")
                }
            };
            (Kind::Code, rule_id, vec![resource.identity, place, anchor])
        }
        "NETWORK_REACHABILITY" => {
            let details = raw.network_reachability_details.take().unwrap_or_default();
            let protocol = non_empty(details.protocol).unwrap_or_default();
            let ports = details.open_port_range.unwrap_or_default();
            let range = match (ports.begin, ports.end) {
                (Some(b), Some(e)) if b != e => format!("{b}-{e}"),
                (Some(b), _) => b.to_string(),
                (None, Some(e)) => e.to_string(),
                (None, None) => String::new(),
            };
            let steps = details.network_path.unwrap_or_default().steps;
            let path_kinds: Vec<String> = steps
                .iter()
                .map(|s| s.component_type.clone().unwrap_or_default())
                .collect();
            let path_ids: Vec<String> = steps
                .into_iter()
                .filter_map(|s| non_empty(s.component_id))
                .collect();
            notes.push(format!("Open ports: {protocol} {range}"));
            if !path_ids.is_empty() {
                notes.push(format!("Network path: {}", path_ids.join(" → ")));
            }
            location.parameter =
                Some(format!("{protocol} {range}").trim().to_string()).filter(|p| !p.is_empty());
            (
                Kind::Misconfiguration,
                "NETWORK_REACHABILITY".to_string(),
                vec![resource.identity, protocol, range, path_kinds.join(">")],
            )
        }
        other => return Err(format!("a finding of unknown type {other:?}")),
    };
    if let Some(adjusted) = adjusted {
        let vector = non_empty(adjusted.scoring_vector);
        let already = cvss
            .iter()
            .any(|c| c.vector == vector && c.score == adjusted.score);
        if !already && (vector.is_some() || adjusted.score.is_some()) {
            cvss.push(Cvss {
                version: cvss_version(adjusted.version.as_deref(), vector.as_deref()),
                vector,
                score: adjusted.score,
                source: Some(
                    non_empty(adjusted.score_source)
                        .map_or_else(|| "inspector".into(), |s| format!("inspector ({s})")),
                ),
            });
        }
    }
    push_unique(&mut references, recommendation.url);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fingerprint = fingerprint(tool, kind, &rule_id, &parts);
    let mut description = non_empty(raw.description.take()).unwrap_or_default();
    if !notes.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&notes.join("\n"));
    }
    Ok(Finding {
        epss,
        fingerprint,
        kind,
        category: Some(finding_type.to_ascii_lowercase()),
        title: non_empty(raw.title.take()).unwrap_or_else(|| rule_id.clone()),
        rule_id,
        description: (!description.is_empty()).then_some(description),
        remediation: (!remediation.is_empty()).then(|| remediation.join("\n")),
        severity: severity(severity_original.as_deref()),
        severity_original,
        cvss,
        cwe,
        aliases,
        references,
        component,
        location,
        tool_status: non_empty(raw.status.take()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_identity_drops_digests_and_qualifiers() {
        assert_eq!(
            without_digest("arn:aws:ecr:us-east-1:1:repository/app/sha256:abc"),
            "arn:aws:ecr:us-east-1:1:repository/app"
        );
        assert_eq!(
            without_qualifier("arn:aws:lambda:us-west-2:1:function:f:$LATEST"),
            "arn:aws:lambda:us-west-2:1:function:f"
        );
        assert_eq!(
            without_qualifier("arn:aws:lambda:us-west-2:1:function:f"),
            "arn:aws:lambda:us-west-2:1:function:f"
        );
    }

    #[test]
    fn severities() {
        assert_eq!(severity(Some("INFORMATIONAL")), Severity::Info);
        assert_eq!(severity(Some("UNTRIAGED")), Severity::Unknown);
        assert_eq!(severity(Some("critical")), Severity::Critical);
    }
}
