//! GitHub Dependabot alerts (`GET /repos/{owner}/{repo}/dependabot/alerts`): a JSON list of
//! alerts on npm packages, each its own advisory, mostly open, some dismissed with a reason.

use super::snyk::npm_issue;
use super::{Obj, SyntheticOptions, pick, rng};
use std::io::{self, Write};

/// The characters of GHSA ids.
const GHSA_ALPHABET: &[u8] = b"23456789cfghjmpqrvwx";

/// A GHSA id of the usual shape, unique for `i`.
fn ghsa(i: usize) -> String {
    let mut n = i;
    let mut chars = Vec::with_capacity(12);
    for _ in 0..12 {
        chars.push(char::from(GHSA_ALPHABET[n % GHSA_ALPHABET.len()]));
        n /= GHSA_ALPHABET.len();
    }
    let s: String = chars.into_iter().collect();
    format!("GHSA-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"[")?;
    for i in 0..options.findings {
        let issue = npm_issue(options.seed, 71, i);
        let mut rng = rng(options.seed, 72, i);
        let number = options.findings - i;
        let (state, reason) = *pick(
            &mut rng,
            &[
                &("open", None),
                &("open", None),
                &("open", None),
                &("dismissed", Some("tolerable_risk")),
                &("dismissed", Some("not_used")),
            ][..],
        );
        let package = Obj::new()
            .s("ecosystem", "npm")
            .s("name", issue.package)
            .done();
        let cvss = Obj::new()
            .s("vector_string", issue.vector)
            .raw("score", issue.score)
            .done();
        let patched = Obj::new().s("identifier", &issue.fixed).done();
        let vulnerability = Obj::new()
            .raw("package", &package)
            .s("severity", issue.severity)
            .s("vulnerable_version_range", &format!("< {}", issue.fixed))
            .raw("first_patched_version", &patched)
            .done();
        let id = ghsa(i);
        let advisory = Obj::new()
            .s("ghsa_id", &id)
            .s("cve_id", &issue.cve)
            .s("summary", &issue.advisory.title)
            .s("description", &issue.advisory.description)
            .raw("vulnerabilities", format!("[{vulnerability}]"))
            .s("severity", issue.severity)
            .raw("cvss", &cvss)
            .raw(
                "cvss_severities",
                Obj::new()
                    .raw("cvss_v3", &cvss)
                    .raw("cvss_v4", "{\"vector_string\": null, \"score\": 0.0}")
                    .done(),
            )
            .raw(
                "epss",
                format!("[{{\"percentage\": {}, \"percentile\": 0.5}}]", issue.epss),
            )
            .raw(
                "cwes",
                format!("[{{\"cwe_id\": \"CWE-{}\", \"name\": \"\"}}]", issue.advisory.cwe),
            )
            .raw(
                "identifiers",
                format!(
                    "[{{\"type\": \"GHSA\", \"value\": \"{id}\"}}, {{\"type\": \"CVE\", \"value\": \"{}\"}}]",
                    issue.cve
                ),
            )
            .raw(
                "references",
                format!("[{{\"url\": \"https://github.com/advisories/{id}\"}}]"),
            )
            .s("published_at", "2025-03-01T12:00:00Z")
            .s("updated_at", "2025-06-01T12:00:00Z")
            .raw("withdrawn_at", "null")
            .done();
        let alert = Obj::new()
            .raw("number", number)
            .s("state", state)
            .raw(
                "dependency",
                Obj::new()
                    .raw("package", &package)
                    .s("manifest_path", "package-lock.json")
                    .s("scope", "runtime")
                    .s("relationship", "transitive")
                    .done(),
            )
            .raw("security_advisory", advisory)
            .raw("security_vulnerability", &vulnerability)
            .s(
                "url",
                &format!("https://api.github.com/repos/acme/shop/dependabot/alerts/{number}"),
            )
            .s(
                "html_url",
                &format!("https://github.com/acme/shop/security/dependabot/{number}"),
            )
            .s("created_at", "2026-10-01T08:00:00Z")
            .s("updated_at", "2026-11-20T10:12:00Z")
            .opt("dismissed_reason", reason)
            .raw("dismissed_comment", "null")
            .raw("fixed_at", "null")
            .done();
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\n  {alert}")?;
    }
    out.write_all(b"\n]\n")
}
