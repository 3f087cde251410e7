//! Synthetic Mend JSON (`mend-json`), in the CLI's shape (`projectVitals`, then `libraries`;
//! detected even when it has no library, unlike the Unified Agent's bare `vulnerabilities`):
//! each library (Maven and npm packages of the advisory bank, `advisory.rs`) with its key,
//! SHA-1, references and one vulnerability with its CVSS 2 and 3 scores and vector, description,
//! top fix and all fixes (about 2.5 KB per record, like the corpus'
//! `cli_generated_many_vulns.json`). Every record has its own advisory id, so none merges.

use std::io::{self, Write};

use super::advisory::{MAVEN, NODE, advisory, versions};
use super::{Obj, SyntheticOptions, hex, raw_list, rng, uuid, weighted, write_records};

const SEVERITIES: &[&str] = &["high", "medium", "low"];
const SEVERITY_WEIGHTS: &[u32] = &[30, 50, 20];

/// The record with index `i` of a seed.
fn record(seed: u64, i: usize) -> String {
    let mut rng = rng(seed, 0x6d65_6e64, i);
    let maven = weighted(&mut rng, &[60, 40]) == 0;
    let packages = if maven { MAVEN } else { NODE };
    let package = &packages[super::index(&mut rng, packages.len())];
    let (version, fixed_in) = versions(&mut rng, package, false);
    let text = advisory(&mut rng, package, &fixed_in);
    let (group, artifact) = package.name.split_once(':').unwrap_or(("", package.name));
    let (library_type, filename) = if maven {
        ("MAVEN_ARTIFACT", format!("{artifact}-{version}.jar"))
    } else {
        ("NPM_PACKAGE", format!("{artifact}-{version}.tgz"))
    };
    let id = if i.is_multiple_of(7) {
        format!("WS-{}-{:04}", 2015 + i % 11, i)
    } else {
        format!("CVE-{}-{}", 2015 + i % 11, 10_000 + i)
    };
    let severity = SEVERITIES[weighted(&mut rng, SEVERITY_WEIGHTS)];
    let (score2, score3) = match severity {
        "high" => ("7.5", "8.1"),
        "medium" => ("5.0", "5.3"),
        _ => ("2.6", "3.1"),
    };
    let upgrade = format!("Upgrade to version {artifact}-{fixed_in}");
    let advisory_url = format!("https://security.example.org/advisories/{id}");
    let commit_url = format!(
        "https://git.example.org/{artifact}/commit/{}",
        hex(&mut rng, 40)
    );
    let fix = |kind: &str, url: &str, resolution: &str| {
        Obj::new()
            .s("vulnerability", &id)
            .s("type", kind)
            .s("origin", "WHITESOURCE_EXPERT")
            .s("url", url)
            .s("fixResolution", resolution)
            .s("date", "2024-03-11 05:29:01")
            .s("message", "Upgrade to version")
            .done()
    };
    let top = fix("UPGRADE_VERSION", &advisory_url, &upgrade);
    let change = fix(
        "CHANGE_FILES",
        &commit_url,
        "Replace or update the following files: Parser.java, Reader.java",
    );
    let attributes = Obj::new()
        .s("attackVector", "NETWORK")
        .s("attackComplexity", "LOW")
        .s("userInteraction", "NONE")
        .s("privilegesRequired", "NONE")
        .s("scope", "UNCHANGED")
        .s("confidentialityImpact", "LOW")
        .s("integrityImpact", "LOW")
        .s("availabilityImpact", "NONE")
        .done();
    let vulnerability = Obj::new()
        .s("name", &id)
        .s("type", if id.starts_with("WS-") { "WS" } else { "CVE" })
        .s("severity", severity)
        .s("score", score2)
        .s("cvss3_severity", &severity.to_ascii_uppercase())
        .s("cvss3_score", score3)
        .s("publishDate", "2024-03-11")
        .s("lastUpdatedDate", "2024-05-21")
        .s(
            "scoreMetadataVector",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
        )
        .s("url", &advisory_url)
        .s("description", &text.description)
        .raw("cvss3Attributes", attributes)
        .raw("topFix", top.clone())
        .raw("allFixes", raw_list([top, change]))
        .raw("references", "[]")
        .done();
    Obj::new()
        .s("keyUuid", &uuid(&mut rng))
        .s("filename", &filename)
        .s("name", artifact)
        .s("groupId", group)
        .s("artifactId", artifact)
        .s("version", &version)
        .s("sha1", &hex(&mut rng, 40))
        .s("type", library_type)
        .s("description", &text.title)
        .raw(
            "references",
            Obj::new()
                .s(
                    "url",
                    &format!("https://repo.example.org/{artifact}/{version}"),
                )
                .s("homePage", &format!("https://{artifact}.example.org"))
                .done(),
        )
        .raw("vulnerabilities", raw_list([vulnerability]))
        .done()
}

/// Writes a CLI report with `findings` libraries, one vulnerability each.
pub fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let vitals = Obj::new()
        .s("productName", "shop")
        .s("name", "api")
        .s("lastUpdatedDate", "2026-06-18 09:08:06")
        .done();
    write!(
        out,
        "{{\n  \"projectVitals\": {vitals},\n  \"libraries\": ["
    )?;
    write_records(out, options.findings, "    ", |i| record(options.seed, i))?;
    out.write_all(b"\n  ]\n}\n")
}

/// Libraries per rejecting policy in [`write_policy_rejections`].
const LIBRARIES_PER_POLICY: usize = 1000;

/// The rejected library with index `i` of a seed (about 450 bytes, like the hand-written
/// corpus file's).
fn rejected_library(seed: u64, i: usize) -> String {
    let mut rng = rng(seed, 0x706f_6c69, i);
    let maven = weighted(&mut rng, &[60, 40]) == 0;
    let packages = if maven { MAVEN } else { NODE };
    let package = &packages[super::index(&mut rng, packages.len())];
    let (version, _) = versions(&mut rng, package, false);
    let (_, artifact) = package.name.split_once(':').unwrap_or(("", package.name));
    // The record's index in the name: every library of a policy is its own finding.
    let (name, manifest) = if maven {
        (format!("{artifact}-{version}-r{i}.jar"), "pom.xml")
    } else {
        (format!("{artifact}-{version}-r{i}.tgz"), "package.json")
    };
    Obj::new()
        .s("name", &name)
        .s("sha1", &hex(&mut rng, 40))
        .s(
            "link",
            &format!(
                "https://saas.mend.example/Wss/WSS.html#!libraryDetails;uuid={}",
                uuid(&mut rng)
            ),
        )
        .s("systemPath", &format!("/builds/shop/api/lib/{name}"))
        .s("manifestFile", &format!("/builds/shop/api/{manifest}"))
        .raw("projects", raw_list(["\"shop-api\""]))
        .done()
}

/// Writes a Unified Agent policy rejection summary (`policyRejectionSummary.json`) with
/// `findings` rejected libraries, [`LIBRARIES_PER_POLICY`] under each rejecting policy.
pub fn write_policy_rejections(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let n = options.findings;
    write!(
        out,
        "{{\n  \"summary\": {{\"totalRejectedLibraries\": {n}}},\n  \"rejectingPolicies\": ["
    )?;
    let mut start = 0;
    let mut policy = 0;
    while start < n {
        let end = (start + LIBRARIES_PER_POLICY).min(n);
        if policy > 0 {
            out.write_all(b",")?;
        }
        // A policy's libraries are built in memory: a thousand, about 450 KB.
        let libraries = raw_list((start..end).map(|i| rejected_library(options.seed, i)));
        let policy_object = Obj::new()
            .s("policyName", &format!("Reject license group {policy}"))
            .s("filterType", "LICENSE")
            .raw("productLevel", policy % 2 == 1)
            .raw("inclusive", false)
            .raw("rejectedLibraries", libraries)
            .done();
        write!(out, "\n    {policy_object}")?;
        start = end;
        policy += 1;
    }
    out.write_all(b"\n  ]\n}\n")
}
