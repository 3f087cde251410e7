//! Mend's policy violations to normalized findings: a library one of the organization's Mend
//! policies rejects (commonly a licence policy: `Reject GPL`), as the Unified Agent's policy
//! rejection summary and the SCA API 2.0 legal and compliance alerts report it.
//!
//! - kind: license (a compliance finding, as FOSSA's policy conflicts); category
//!   `policy_violation`.
//! - rule: the policy's name, the rule that fired. Neither shape names the licence that made
//!   the library violate the policy, so no licence id is invented.
//! - severity: high (a rejected library, as FOSSA's denied licences), Mend stating none.
//! - component: the library's name as Mend shows it (`commons-collections-3.2.1.jar`), its
//!   version (the API's); no package URL (Mend gives none in either shape).
//! - identity: (policy, library name): the same rejection from the agent and from the API is one
//!   finding. Not the project, the paths or the SHA-1.

use super::TOOL;
use super::raw::{RawLegalAlert, RawRejectedLibrary, RawRejectingPolicy};
use crate::finding::{Component, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;
use crate::record::{non_empty, push_distinct};

/// The category of every Mend policy violation.
const CATEGORY: &str = "policy_violation";

/// The 2.0 alert type of a policy violation (the 1.x API called it `REJECTED_BY_POLICY_RESOURCE`).
fn is_policy_violation(alert_type: &str) -> bool {
    let t = alert_type.trim();
    t.eq_ignore_ascii_case("POLICY_VIOLATIONS")
        || t.eq_ignore_ascii_case("REJECTED_BY_POLICY_RESOURCE")
}

/// What one violation says, whichever shape it came from.
struct Violation {
    policy: String,
    library: String,
    version: Option<String>,
    paragraphs: Vec<String>,
    references: Vec<String>,
    file: Option<String>,
    tool_status: Option<String>,
}

impl Violation {
    fn into_finding(self) -> Finding {
        let fingerprint = fingerprint(TOOL, Kind::License, &self.policy, &[&self.library]);
        Finding {
            epss: None,
            fingerprint,
            kind: Kind::License,
            category: Some(CATEGORY.into()),
            title: format!("{} rejected by policy {}", self.library, self.policy),
            description: (!self.paragraphs.is_empty()).then(|| self.paragraphs.join("\n\n")),
            remediation: Some(format!(
                "Replace or remove {}, or have the policy's owners approve it in Mend.",
                self.library
            )),
            severity: Severity::High,
            severity_original: None,
            cvss: Vec::new(),
            cwe: Vec::new(),
            aliases: Vec::new(),
            references: self.references,
            component: Component {
                name: Some(self.library),
                version: self.version,
                purl: None,
                fixed_version: None,
            },
            location: Location {
                file: self.file,
                ..Location::default()
            },
            tool_status: self.tool_status,
            rule_id: self.policy,
        }
    }
}

/// The findings of one policy of the Unified Agent's rejection summary, one per library it
/// rejected; `Err` names what made a record unusable.
pub fn rejecting_policy(mut raw: RawRejectingPolicy) -> Vec<Result<Finding, &'static str>> {
    let libraries = raw.rejected_libraries.take().unwrap_or_default();
    let Some(policy) = non_empty(raw.policy_name.take()) else {
        return libraries
            .iter()
            .map(|_| Err("a Mend rejected library under a policy without policyName"))
            .collect();
    };
    let filter = non_empty(raw.filter_type.take());
    let scope = match raw.product_level {
        Some(true) => Some("product"),
        Some(false) => Some("project"),
        None => None,
    };
    libraries
        .into_iter()
        .map(|library| rejected_library(&policy, filter.as_deref(), scope, library))
        .collect()
}

fn rejected_library(
    policy: &str,
    filter: Option<&str>,
    scope: Option<&str>,
    raw: RawRejectedLibrary,
) -> Result<Finding, &'static str> {
    let Some(library) = non_empty(raw.name) else {
        return Err("a Mend rejected library without name");
    };
    let mut paragraphs = vec![format!("The Mend policy \"{policy}\" rejects {library}.")];
    let mut facts = Vec::new();
    if let Some(filter) = filter {
        facts.push(format!("Policy filter: {filter}"));
    }
    if let Some(scope) = scope {
        facts.push(format!("Policy level: {scope}"));
    }
    if let Some(sha1) = non_empty(raw.sha1) {
        facts.push(format!("SHA-1: {sha1}"));
    }
    if let Some(path) = non_empty(raw.system_path.clone()) {
        facts.push(format!("Found at: {path}"));
    }
    let projects: Vec<String> = raw
        .projects
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| non_empty(Some(p)))
        .collect();
    if !projects.is_empty() {
        facts.push(format!("Projects: {}", projects.join(", ")));
    }
    if !facts.is_empty() {
        paragraphs.push(facts.join("\n"));
    }
    let mut references = Vec::new();
    push_distinct(&mut references, raw.link);
    Ok(Violation {
        policy: policy.to_string(),
        library,
        version: None,
        paragraphs,
        references,
        file: non_empty(raw.manifest_file).or_else(|| non_empty(raw.system_path)),
        tool_status: None,
    }
    .into_finding())
}

/// A legal and compliance alert of the SCA API 2.0: `Ok(None)` for a library Mend says is
/// gone (`LIBRARY_REMOVED`); `Err` for an alert of another type (a new version, several
/// licences: not a policy's rejection) or without policy or library.
pub fn legal_alert(mut raw: RawLegalAlert) -> Result<Option<Finding>, &'static str> {
    let info = raw.alert_info.take().unwrap_or_default();
    let status = non_empty(info.status);
    if status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("LIBRARY_REMOVED"))
    {
        return Ok(None);
    }
    if !raw.alert_type.as_deref().is_some_and(is_policy_violation) {
        return Err("a Mend legal alert that is not a policy violation");
    }
    let Some(policy) = non_empty(raw.policy_name.take()) else {
        return Err("a Mend policy violation alert without policyName");
    };
    let component = raw.component.take().unwrap_or_default();
    let Some(library) = non_empty(component.name.clone()) else {
        return Err("a Mend policy violation alert without component name");
    };
    let mut paragraphs = vec![format!("The Mend policy \"{policy}\" rejects {library}.")];
    let mut facts = Vec::new();
    let coordinates = match (
        non_empty(component.group_id.clone()),
        non_empty(component.artifact_id.clone()),
    ) {
        (Some(g), Some(a)) if g != a => Some(format!("{g}:{a}")),
        (g, a) => g.or(a),
    };
    if let Some(coordinates) = coordinates {
        facts.push(format!("Library: {coordinates}"));
    }
    if let Some(t) = non_empty(component.library_type.clone()) {
        facts.push(format!("Library type: {t}"));
    }
    if let Some(d) = non_empty(component.dependency_type.clone()) {
        facts.push(format!("Dependency: {d}"));
    }
    if let Some(p) = non_empty(component.local_path.clone()) {
        facts.push(format!("Found at: {p}"));
    }
    if let Some(at) = non_empty(info.detected_at) {
        facts.push(format!("Detected at: {at}"));
    }
    if let Some(name) = non_empty(raw.name.take()).filter(|n| *n != library && *n != policy) {
        facts.push(format!("Alert: {name}"));
    }
    if !facts.is_empty() {
        paragraphs.push(facts.join("\n"));
    }
    let mut references = Vec::new();
    if let Some(refs) = component.references {
        push_distinct(&mut references, refs.url);
        push_distinct(&mut references, refs.home_page);
    }
    Ok(Some(
        Violation {
            policy,
            library,
            version: non_empty(component.version),
            paragraphs,
            references,
            file: non_empty(component.dependency_file).or_else(|| non_empty(component.local_path)),
            tool_status: status,
        }
        .into_finding(),
    ))
}
