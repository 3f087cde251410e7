//! tfsec (Aqua Security's Terraform scanner, deprecated in favour of `trivy config`): its JSON in
//! all three generations, CSV, checkstyle XML and JUnit XML. tfsec SARIF is read by the SARIF
//! importer, which calls [`tfsec_fingerprint`] so that a finding keeps its identity whichever
//! of these formats carried it.
//!
//! Every format yields one finding per failed result (kind `misconfiguration`); passed and
//! ignored results are not findings. Nothing is merged inside a report: the store keeps one
//! occurrence per fingerprint per scan.
//!
//! Identity (fingerprint parts), the same in every format:
//! - the rule id in canonical form (see [`canonical_rule_id`]): the long id
//!   (`aws-s3-enable-bucket-encryption`) that every v1 format carries, else whatever id the
//!   report has (AVD id, or a 0.x legacy id such as `AWS017`);
//! - the file, with path separators unified and any per-run directory (a CI workspace UUID)
//!   dropped (see [`fingerprint_path`]);
//! - the resource address: the `resource` field (v1 JSON), else the address that 0.x messages
//!   quote (`Resource 'aws_s3_bucket.logs' ...`, see [`resource_from_description`]), else empty.
//!
//! Never the line numbers, the messages, or the documentation links (they embed the tfsec
//! version).

mod checkstyle;
mod csv_report;
mod json;
mod junit;

pub use checkstyle::TfsecCheckstyle;
pub use csv_report::TfsecCsv;
pub use json::TfsecJson;
pub use junit::TfsecJunit;

use crate::finding::{Component, Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;

/// The tool family of every tfsec format.
pub const TOOL: &str = "tfsec";

/// The fingerprint of a tfsec finding: tool `tfsec`, kind misconfiguration, the canonical rule
/// id, the file as [`fingerprint_path`] reduces it, and the resource address (empty when the
/// format has none). Pass the long id (`aws-s3-enable-bucket-encryption`) whenever the report
/// has one: every tfsec v1 format does (SARIF `ruleId`, CSV `rule_id`, checkstyle `source`,
/// JUnit `[LONG_ID]`, JSON `long_id`). AVD ids (`AVD-AWS-0088`) and 0.x legacy ids are used
/// as they are when nothing else is known; they do not match the long id of the same check.
pub fn tfsec_fingerprint(rule_id: &str, file: &str, resource: &str) -> String {
    fingerprint(
        TOOL,
        Kind::Misconfiguration,
        &canonical_rule_id(rule_id),
        &[&fingerprint_path(file), resource.trim()],
    )
}

/// A rule id as the fingerprint sees it: trimmed and lower-cased (long ids are lower case,
/// AVD and legacy ids upper case; only hand edits mix them).
pub fn canonical_rule_id(rule_id: &str) -> String {
    rule_id.trim().to_ascii_lowercase()
}

/// A file path reduced to what survives between runs: `\` becomes `/`, `./` prefixes and
/// doubled separators go, and everything up to a per-run directory (a UUID such as a CI
/// workspace id) is dropped. Absolute paths otherwise stay absolute: tfsec JSON writes
/// absolute paths, the other formats relative ones, and a report does not say its scan root.
pub fn fingerprint_path(file: &str) -> String {
    let unified = file.trim().replace('\\', "/");
    let segments: Vec<&str> = unified
        .split('/')
        .enumerate()
        .filter(|(i, s)| !(s.is_empty() && *i > 0) && *s != ".")
        .map(|(_, s)| s)
        .collect();
    let start = segments
        .iter()
        .rposition(|s| is_uuid(s))
        .map_or(0, |i| i + 1);
    segments[start.min(segments.len())..].join("/")
}

fn is_uuid(segment: &str) -> bool {
    let groups: Vec<&str> = segment.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The resource address a tfsec 0.x message starts with: `Resource 'aws_s3_bucket.logs' has
/// ...` gives `aws_s3_bucket.logs` (also `Block`, `Provider`, `Module`, `Data`). v1 messages
/// are fixed per rule and quote nothing, so this gives `None` for them.
pub fn resource_from_description(description: &str) -> Option<&str> {
    let text = description.trim_start();
    let rest = ["Resource '", "Block '", "Provider '", "Module '", "Data '"]
        .iter()
        .find_map(|p| text.strip_prefix(p))?;
    let end = rest.find('\'')?;
    let address = &rest[..end];
    (!address.is_empty() && address.len() <= 1024 && !address.contains(char::is_whitespace))
        .then_some(address)
}

/// tfsec's severity names in every generation and format (PRODUCT.md severity table): the
/// 0.x `ERROR`/`WARNING`/`INFO` and checkstyle's `error`/`warning`/`info` map the way tfsec
/// itself maps them (`severity.StringToSeverity`); an empty or unknown string is `unknown`.
pub fn severity(original: &str) -> Severity {
    match original.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" | "ERROR" => Severity::High,
        "MEDIUM" | "WARNING" => Severity::Medium,
        "LOW" | "INFO" => Severity::Low,
        _ => Severity::Unknown,
    }
}

/// The tfsec version in a documentation link (`.../tfsec/v1.28.14/checks/...`), if any.
pub(crate) fn version_from_link(link: &str) -> Option<String> {
    let rest = &link[link.find("/tfsec/v")? + "/tfsec/v".len()..];
    let version = &rest[..rest.find('/')?];
    (!version.is_empty()
        && version.len() <= 32
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    .then(|| version.to_string())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// One failed tfsec result, whatever format it came from.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The id shown to users and used for identity: the long id when known.
    pub rule_id: Option<String>,
    /// Other ids of the same check (AVD id, 0.x legacy id), kept as aliases.
    pub other_ids: Vec<String>,
    /// The rule's summary (`rule_description`).
    pub summary: Option<String>,
    /// The per-result message (`description`).
    pub message: Option<String>,
    pub impact: Option<String>,
    pub resolution: Option<String>,
    pub severity: Option<String>,
    pub links: Vec<String>,
    pub file: Option<String>,
    pub line_start: Option<i64>,
    pub line_end: Option<i64>,
    pub resource: Option<String>,
    pub tool_status: Option<String>,
}

impl Record {
    /// The normalized finding, or the reason it cannot be one.
    pub fn into_finding(self) -> Result<Finding, &'static str> {
        let Some(rule_id) = non_empty(self.rule_id).map(|r| r.trim().to_string()) else {
            return Err("a tfsec result without a rule id");
        };
        let message = non_empty(self.message);
        let resource = non_empty(self.resource).or_else(|| {
            message
                .as_deref()
                .and_then(resource_from_description)
                .map(str::to_string)
        });
        let file = non_empty(self.file);
        let fp = tfsec_fingerprint(
            &rule_id,
            file.as_deref().unwrap_or_default(),
            resource.as_deref().unwrap_or_default(),
        );
        let summary = non_empty(self.summary);
        let title = summary
            .clone()
            .or_else(|| message.clone())
            .unwrap_or_else(|| rule_id.clone());
        let impact = non_empty(self.impact);
        let description = match (message, impact) {
            (Some(m), Some(i)) => Some(format!("{m}\n\nImpact: {i}")),
            (Some(m), None) => Some(m),
            (None, Some(i)) => Some(format!("Impact: {i}")),
            (None, None) => None,
        };
        let severity_original = self.severity.filter(|s| !s.trim().is_empty());
        let mut aliases: Vec<String> = Vec::new();
        for id in self.other_ids {
            let id = id.trim().to_string();
            if !id.is_empty() && !id.eq_ignore_ascii_case(&rule_id) && !aliases.contains(&id) {
                aliases.push(id);
            }
        }
        let mut references: Vec<String> = Vec::new();
        for link in self.links {
            let link = link.trim().to_string();
            if !link.is_empty() && !references.contains(&link) {
                references.push(link);
            }
        }
        Ok(Finding {
            epss: None,
            fingerprint: fp,
            kind: Kind::Misconfiguration,
            category: None,
            rule_id,
            title,
            description,
            remediation: non_empty(self.resolution),
            severity: severity(severity_original.as_deref().unwrap_or_default()),
            severity_original,
            cvss: Vec::new(),
            cwe: Vec::new(),
            aliases,
            references,
            component: Component::default(),
            location: Location {
                file,
                line_start: self.line_start,
                line_end: self.line_end,
                resource,
                ..Location::default()
            },
            tool_status: self.tool_status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_separators_and_run_ids() {
        assert_eq!(fingerprint_path("main.tf"), "main.tf");
        assert_eq!(
            fingerprint_path("./modules//a\\main.tf"),
            "modules/a/main.tf"
        );
        assert_eq!(
            fingerprint_path(
                "/tmp/workspaces/4ae5bd67-feea-4ee6-99f6-21fb47b3e8bd/code/terraform/main.tf"
            ),
            "code/terraform/main.tf"
        );
        assert_eq!(fingerprint_path(r"C:\Users\a b\x.tf"), "C:/Users/a b/x.tf");
        assert_eq!(fingerprint_path("/abs/x.tf"), "/abs/x.tf");
        assert_eq!(fingerprint_path(""), "");
    }

    #[test]
    fn resources_come_from_0x_messages() {
        assert_eq!(
            resource_from_description("Resource 'module.A:aws_x.y[0]' defines a rule."),
            Some("module.A:aws_x.y[0]")
        );
        assert_eq!(
            resource_from_description("Block 'provider.aws' includes a secret"),
            Some("provider.aws")
        );
        assert_eq!(
            resource_from_description("Bucket does not have logging enabled"),
            None
        );
        assert_eq!(resource_from_description("Resource 'unclosed"), None);
    }

    #[test]
    fn rule_ids_are_case_insensitive() {
        assert_eq!(
            tfsec_fingerprint(" AWS-S3-Enable-Versioning ", "main.tf", "aws_s3_bucket.a"),
            tfsec_fingerprint("aws-s3-enable-versioning", "./main.tf", "aws_s3_bucket.a")
        );
    }

    #[test]
    fn versions_come_from_doc_links() {
        assert_eq!(
            version_from_link("https://aquasecurity.github.io/tfsec/v1.28.14/checks/aws/s3/x/"),
            Some("1.28.14".to_string())
        );
        assert_eq!(
            version_from_link("https://aquasecurity.github.io/tfsec/latest/checks/aws/"),
            None
        );
    }
}
