//! What a run's results are: the tool family of the driver, its reading flavor, and each
//! result's kind (vulnerability, misconfiguration, secret, license, code).

use super::raw::*;
use super::run::{Flavor, Run};
use super::taxonomy::strings_of;
use crate::finding::Kind;

/// Drivers whose every result is of one kind (matched on the lower-cased driver name).
pub(super) const SECRET_TOOLS: &[&str] = &["gitleaks", "trufflehog", "detect-secrets", "ggshield"];
pub(super) const VULNERABILITY_TOOLS: &[&str] = &[
    "grype",
    "dependency-check",
    "osv-scanner",
    "pip-audit",
    "govulncheck",
];
pub(super) const MISCONFIGURATION_TOOLS: &[&str] =
    &["checkov", "kics", "terrascan", "dockle", "hadolint"];

/// Prefixes of advisory ids: a rule named like this is a known vulnerability.
pub(super) const ADVISORY_PREFIXES: &[&str] = &[
    "CVE-", "GHSA-", "BDSA-", "RUSTSEC-", "PYSEC-", "GO-", "OSV-", "GMS-", "SNYK-", "DSA-", "DLA-",
    "RHSA-", "ALAS-", "USN-",
];

/// Whether `id` starts like an advisory id (`CVE-2021-44228`, `GHSA-xxxx-...`, `BDSA-2020-1001`).
pub fn is_advisory_id(id: &str) -> bool {
    let id = id.trim();
    ADVISORY_PREFIXES.iter().any(|prefix| {
        id.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            && id[prefix.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

impl<'r> Run<'r> {
    /// The kind: Trivy by rule tag, tfsec always misconfiguration, others by tool name, then
    /// advisory-like rule ids are vulnerabilities and everything else is code.
    pub(super) fn kind(&self, rule_id: &str, rule: Option<&RawRule>) -> Kind {
        match self.flavor {
            Flavor::Tfsec => return Kind::Misconfiguration,
            Flavor::Trivy => {
                let tags = rule.and_then(|r| r.properties.as_ref());
                let tags = strings_of(tags.and_then(|p| p.tags.as_ref()));
                let name = rule.and_then(|r| r.name.as_deref()).unwrap_or_default();
                for (tag, kind) in [
                    ("vulnerability", Kind::Vulnerability),
                    ("misconfiguration", Kind::Misconfiguration),
                    ("secret", Kind::Secret),
                    ("license", Kind::License),
                ] {
                    if tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
                        || name.to_ascii_lowercase().contains(tag)
                    {
                        return kind;
                    }
                }
                return if is_advisory_id(rule_id) {
                    Kind::Vulnerability
                } else {
                    Kind::Misconfiguration
                };
            }
            Flavor::Generic => {}
        }
        let tool = self.tool.as_str();
        if SECRET_TOOLS.contains(&tool) {
            Kind::Secret
        } else if VULNERABILITY_TOOLS.contains(&tool) || is_advisory_id(rule_id) {
            Kind::Vulnerability
        } else if MISCONFIGURATION_TOOLS.contains(&tool) {
            Kind::Misconfiguration
        } else {
            Kind::Code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids() {
        assert!(is_advisory_id("CVE-2021-44228"));
        assert!(is_advisory_id("CVE-2008-0732-geronimo"));
        assert!(is_advisory_id("GHSA-jfh8-c2jp-5v3q"));
        assert!(is_advisory_id("BDSA-2020-1001 (CVE-2020-11022)"));
        assert!(!is_advisory_id("CVE"));
        assert!(!is_advisory_id("py/empty-except"));
        assert!(!is_advisory_id("GOTO-1"));
    }
}
