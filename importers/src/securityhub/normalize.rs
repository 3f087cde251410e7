//! ASFF records to normalized findings, with their fingerprints.
//!
//! Which product reported a record decides its kind and rule (`ProductFields`'
//! `aws/securityhub/ProductName`, else `ProductName`, else the product ARN):
//! - Inspector: a vulnerability; the rule is the advisory id (`Vulnerabilities[0].Id`, else the
//!   part of the title before ` - `, which Inspector writes as `<advisory> - <package>`).
//!   Identity: the resources and each vulnerable package's manager, name and file path (for a
//!   record without `Vulnerabilities`, the package named in the title).
//! - GuardDuty: a threat detection (kind misconfiguration, category `guardduty`); the rule is
//!   the finding type (`Types[0]`). Identity: the resources.
//! - anything else (Security Hub controls, Config rules, partner products): a misconfiguration;
//!   the rule is the control (`Compliance.SecurityControlId`, `ProductFields.ControlId` or
//!   `RuleId`), else the generator. Identity: the generator (standard and control) and the
//!   resources.
//!
//! Resources, as identity, are their ids sorted, each as it survives a redeploy (an ECR image
//! without its digest, a Lambda function without its version qualifier).

use super::raw::*;
use crate::finding::{Component, Finding, Kind, Location, Severity, category_name};
use crate::fingerprint::fingerprint;
use crate::inspector2::normalize::{
    cvss_entry, non_empty, packages, push_unique, resource_identity, severity as label,
};

/// Tool family of Security Hub's findings.
pub const TOOL: &str = "aws-securityhub";

/// What a record is, for the import: a finding, or a record that is none (and why).
pub enum Converted {
    Finding(Box<Finding>),
    /// Archived by its product, or a compliance check that passed: nothing to fix.
    NotAFinding,
}

/// The label when there is one, else the normalized 0–100 score in ASFF's bands.
fn severity(raw: &RawSeverity) -> Severity {
    if let Some(l) = raw.label.as_deref().filter(|l| !l.trim().is_empty()) {
        return label(Some(l));
    }
    match raw.normalized {
        Some(n) if n >= 90.0 => Severity::Critical,
        Some(n) if n >= 70.0 => Severity::High,
        Some(n) if n >= 40.0 => Severity::Medium,
        Some(n) if n >= 1.0 => Severity::Low,
        Some(_) => Severity::Info,
        None => Severity::Unknown,
    }
}

fn text_field(
    fields: &std::collections::BTreeMap<String, serde_json::Value>,
    key: &str,
) -> Option<String> {
    fields
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .and_then(|s| non_empty(Some(s)))
}

fn product(raw: &RawFinding) -> String {
    text_field(&raw.product_fields, "aws/securityhub/ProductName")
        .or_else(|| non_empty(raw.product_name.clone()))
        .or_else(|| {
            raw.product_arn
                .as_deref()
                .and_then(|arn| arn.rsplit('/').next())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// Converts one record. `Err` says why a record was skipped.
pub fn finding(mut raw: RawFinding) -> Result<Converted, String> {
    let archived = raw
        .record_state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("ARCHIVED"));
    let compliance = raw.compliance.take().unwrap_or_default();
    let passed = compliance
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("PASSED"));
    if archived || passed {
        return Ok(Converted::NotAFinding);
    }
    let product = product(&raw);
    let raw_severity = raw.severity.take().unwrap_or_default();
    let severity = severity(&raw_severity);
    let severity_original = non_empty(raw_severity.label).or(non_empty(raw_severity.original));
    let mut resource_ids: Vec<String> = Vec::new();
    let mut regions: Vec<String> = Vec::new();
    let mut resource_types: Vec<String> = Vec::new();
    for r in raw.resources.drain(..) {
        push_unique(&mut resource_ids, r.id);
        push_unique(&mut regions, r.region);
        push_unique(&mut resource_types, r.resource_type);
    }
    let mut identities: Vec<String> = resource_ids
        .iter()
        .map(|id| resource_identity(id))
        .collect();
    identities.sort();
    identities.dedup();
    let resources_part = identities.join("\n");

    let mut notes = vec![format!("Product: {product}")];
    let mut references = Vec::new();
    let recommendation = raw
        .remediation
        .take()
        .and_then(|r| r.recommendation)
        .unwrap_or_default();
    let mut remediation: Vec<String> = non_empty(recommendation.text)
        .filter(|t| t != "None Provided")
        .into_iter()
        .collect();
    push_unique(&mut references, recommendation.url);
    push_unique(&mut references, raw.source_url.take());
    let mut cvss = Vec::new();
    let mut aliases = Vec::new();
    let mut component = Component::default();
    let mut file = None;
    let mut layer = None;
    let title = non_empty(raw.title.take());
    let generator = non_empty(raw.generator_id.take()).unwrap_or_default();
    let mut epss = raw.epss_score;

    let (kind, rule_id, parts) = if product.eq_ignore_ascii_case("Inspector") {
        let mut vulnerabilities = raw.vulnerabilities.drain(..);
        let first = vulnerabilities.next();
        for other in vulnerabilities {
            push_unique(&mut aliases, other.id);
        }
        let (title_rule, title_package) = match title.as_deref().and_then(|t| t.split_once(" - ")) {
            Some((rule, package)) => (non_empty(Some(rule.into())), package.trim().to_string()),
            None => (None, String::new()),
        };
        let mut parts = vec![resources_part];
        let rule_id = match first {
            Some(v) => {
                let Some(rule_id) = non_empty(v.id).or(title_rule) else {
                    return Err("an Inspector record without a vulnerability id".into());
                };
                for related in v.related_vulnerabilities {
                    if related != rule_id {
                        push_unique(&mut aliases, Some(related));
                    }
                }
                for entry in v.cvss.into_iter().map(cvss_entry) {
                    if !cvss.contains(&entry) {
                        cvss.push(entry);
                    }
                }
                if let Some(vendor) = v.vendor {
                    push_unique(&mut references, vendor.url);
                    if let Some(s) = non_empty(vendor.vendor_severity) {
                        let name = non_empty(vendor.name).unwrap_or_else(|| "vendor".into());
                        notes.push(format!("Vendor severity ({name}): {s}"));
                    }
                }
                for url in v.reference_urls {
                    push_unique(&mut references, Some(url));
                }
                for (label, value) in [
                    ("Fix available", v.fix_available),
                    ("Exploit available", v.exploit_available),
                ] {
                    if let Some(value) = non_empty(value) {
                        notes.push(format!("{label}: {value}"));
                    }
                }
                epss = epss.or(v.epss_score);
                if let Some(first) = packages(
                    v.vulnerable_packages,
                    &mut parts,
                    &mut remediation,
                    &mut notes,
                ) {
                    component = first.component;
                    file = first.file;
                    layer = first.layer;
                }
                rule_id
            }
            None => {
                let Some(rule_id) = title_rule else {
                    return Err("an Inspector record without a vulnerability id".into());
                };
                component.name = non_empty(Some(title_package.clone()));
                parts.push(title_package);
                rule_id
            }
        };
        (Kind::Vulnerability, rule_id, parts)
    } else if product.eq_ignore_ascii_case("GuardDuty") {
        let Some(rule_id) = raw.types.first().cloned().and_then(|t| non_empty(Some(t))) else {
            return Err("a GuardDuty record without Types".into());
        };
        (Kind::Misconfiguration, rule_id, vec![resources_part])
    } else {
        let control = non_empty(compliance.security_control_id)
            .or_else(|| text_field(&raw.product_fields, "ControlId"))
            .or_else(|| text_field(&raw.product_fields, "RuleId"));
        let Some(rule_id) = control.or_else(|| non_empty(Some(generator.clone()))) else {
            return Err("a record without a control, rule or GeneratorId".into());
        };
        (
            Kind::Misconfiguration,
            rule_id,
            vec![generator.clone(), resources_part],
        )
    };

    if let Some(status) = non_empty(compliance.status) {
        notes.push(format!("Compliance: {status}"));
    }
    if !compliance.related_requirements.is_empty() {
        notes.push(format!(
            "Requirements: {}",
            compliance.related_requirements.join(", ")
        ));
    }
    if !generator.is_empty() {
        notes.push(format!("Generator: {generator}"));
    }
    if !raw.types.is_empty() {
        notes.push(format!("Types: {}", raw.types.join(", ")));
    }
    if !resource_ids.is_empty() {
        let mut sorted = resource_ids.clone();
        sorted.sort();
        notes.push(format!(
            "Resources ({}): {}",
            resource_types.join(", "),
            sorted.join(", ")
        ));
    }
    if !regions.is_empty() {
        notes.push(format!("Region: {}", regions.join(", ")));
    }
    if let Some(account) = non_empty(raw.aws_account_id.take()) {
        notes.push(format!("AWS account: {account}"));
    }
    if let Some(id) = non_empty(raw.id.take()) {
        notes.push(format!("Finding id: {id}"));
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fingerprint = fingerprint(TOOL, kind, &rule_id, &parts);
    let mut description = non_empty(raw.description.take()).unwrap_or_default();
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    description.push_str(&notes.join("\n"));
    let tool_status = non_empty(raw.workflow.take().and_then(|w| w.status))
        .or_else(|| non_empty(raw.workflow_state.take()));
    Ok(Converted::Finding(Box::new(Finding {
        epss: epss.and_then(|p| crate::finding::Epss::new(p, None)),
        fingerprint,
        kind,
        category: category_name(&product),
        title: title.unwrap_or_else(|| rule_id.clone()),
        rule_id,
        description: Some(description),
        remediation: (!remediation.is_empty()).then(|| remediation.join("\n")),
        severity,
        severity_original,
        cvss,
        cwe: Vec::new(),
        aliases,
        references,
        component,
        location: Location {
            target: resource_ids.first().cloned(),
            resource: resource_ids.first().cloned(),
            file,
            layer,
            ..Location::default()
        },
        tool_status,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_scores_fall_in_asff_bands() {
        let s = |n: f64| {
            severity(&RawSeverity {
                normalized: Some(n),
                ..RawSeverity::default()
            })
        };
        assert_eq!(s(0.0), Severity::Info);
        assert_eq!(s(39.0), Severity::Low);
        assert_eq!(s(40.0), Severity::Medium);
        assert_eq!(s(70.0), Severity::High);
        assert_eq!(s(90.0), Severity::Critical);
    }
}
