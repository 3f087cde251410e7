//! Snyk Open Source JSON (`snyk test --json`): one npm project whose issues are each on their
//! own package path, with Snyk's fields (CVSS, identifiers, EPSS, upgrade path, fixed versions).
//! Also the npm advisory record that the Dependabot generator shares.

use super::advisory::{Advisory, NODE, advisory, versions};
use super::{Obj, SyntheticOptions, index, pick, raw_list, rng};
use rand::RngExt;
use std::io::{self, Write};

/// An npm advisory on a package, as both Snyk and GitHub describe one.
pub(super) struct NpmIssue {
    pub(super) package: &'static str,
    pub(super) version: String,
    pub(super) fixed: String,
    pub(super) advisory: Advisory,
    pub(super) cve: String,
    pub(super) severity: &'static str,
    pub(super) vector: &'static str,
    pub(super) score: f64,
    pub(super) epss: f64,
}

/// Issue `i` of a seed, drawn from the random stream `stream`.
pub(super) fn npm_issue(seed: u64, stream: u64, i: usize) -> NpmIssue {
    let mut rng = rng(seed, stream, i);
    let package = &NODE[index(&mut rng, NODE.len())];
    let (version, fixed) = versions(&mut rng, package, false);
    let advisory = advisory(&mut rng, package, &fixed);
    let (severity, vector, score) = *pick(
        &mut rng,
        &[
            &(
                "critical",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
            ),
            &("high", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            &(
                "medium",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
                6.1,
            ),
            &("low", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7),
        ][..],
    );
    NpmIssue {
        package: package.name,
        version,
        fixed,
        advisory,
        cve: format!("CVE-{}-{}", 2018 + i % 8, 20_000 + i),
        severity,
        vector,
        score,
        epss: f64::from(rng.random_range(1..90_000u32)) / 100_000.0,
    }
}

/// Top-level dependencies an issue's path goes through.
const TOPS: &[&str] = &[
    "express", "webpack", "jest", "next", "eslint", "aws-sdk", "mongoose",
];

pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"{\n  \"vulnerabilities\": [")?;
    for i in 0..options.findings {
        let issue = npm_issue(options.seed, 61, i);
        let mut rng = rng(options.seed, 62, i);
        let top = pick(&mut rng, TOPS);
        let step = format!("{}@{}", issue.package, issue.version);
        let id = format!(
            "SNYK-JS-{}-{}",
            issue
                .package
                .to_ascii_uppercase()
                .replace(['-', '.', '/', '@'], ""),
            1_000_000 + i
        );
        let cvss_details = Obj::new()
            .s("assigner", "NVD")
            .s("severity", issue.severity)
            .s("cvssV3Vector", issue.vector)
            .raw("cvssV3BaseScore", issue.score)
            .s("modificationTime", "2025-02-11T10:00:00.000000Z")
            .done();
        let identifiers = Obj::new()
            .strs("CVE", [&issue.cve])
            .strs("CWE", [format!("CWE-{}", issue.advisory.cwe)])
            .done();
        let references = raw_list((0..3).map(|k| {
            Obj::new()
                .s("title", "Advisory")
                .s("url", &format!("https://security.example.org/{id}/{k}"))
                .done()
        }));
        let record = Obj::new()
            .s("id", &id)
            .s("title", &issue.advisory.title)
            .s("CVSSv3", issue.vector)
            .raw("cvssScore", issue.score)
            .s("severity", issue.severity)
            .s(
                "description",
                &format!("## Overview\n\n{}", issue.advisory.description),
            )
            .raw("identifiers", identifiers)
            .raw("cvssDetails", format!("[{cvss_details}]"))
            .raw(
                "epssDetails",
                Obj::new()
                    .s("percentile", "0.5")
                    .s("probability", &issue.epss.to_string())
                    .s("modelVersion", "v2025.03.14")
                    .done(),
            )
            .raw("references", references)
            .strs("from", ["shop@4.2.0", &format!("{top}@1.0.0"), &step])
            .raw(
                "upgradePath",
                format!(
                    "[false, \"{top}@1.0.1\", \"{}@{}\"]",
                    issue.package, issue.fixed
                ),
            )
            .raw("isUpgradable", true)
            .raw("isPatchable", false)
            .s("name", issue.package)
            .s("version", &issue.version)
            .s("packageName", issue.package)
            .s("packageManager", "npm")
            .s("language", "js")
            .strs("fixedIn", [&issue.fixed])
            .done();
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\n    {record}")?;
    }
    let trailer = Obj::new()
        .raw("ok", options.findings == 0)
        .raw("dependencyCount", 400 + options.findings)
        .s("org", "acme-shop")
        .s("packageManager", "npm")
        .s(
            "summary",
            &format!("{} vulnerable dependency paths", options.findings),
        )
        .raw(
            "filtered",
            Obj::new().raw("ignore", "[]").raw("patch", "[]").done(),
        )
        .raw("uniqueCount", options.findings)
        .s("projectName", "shop")
        .s("displayTargetFile", "package-lock.json")
        .s("path", "/builds/acme/shop")
        .done();
    // The trailer's fields follow the list inside the same object.
    let fields = trailer.trim_start_matches('{');
    write!(out, "\n  ], {fields}\n")?;
    Ok(())
}
