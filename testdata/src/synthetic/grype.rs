//! Synthetic Grype JSON (`grype-json`).
//!
//! Reports look like `grype <image> -o json` of a Debian-based service image with Python and
//! Node dependencies, in the current layout: each match has its advisory (severity, URLs, a
//! description, CVSS with metrics, EPSS, fix state and versions), the related NVD record, the
//! matcher's details and the artifact with its locations, CPEs and purl (about 3 KB per match,
//! like the corpus' `many_vulns_with_epss_values.json`). Packages, versions and descriptions come
//! from the advisory bank (`advisory.rs`); every match has its own advisory id, so none merges.

use std::io::{self, Write};

use super::advisory::{DEBIAN, NODE, PYTHON, Package, advisory, versions};
use super::{Obj, SyntheticOptions, hex, raw_list, rng, weighted, write_records};

const SEVERITIES: &[&str] = &["Critical", "High", "Medium", "Low", "Negligible", "Unknown"];
const SEVERITY_WEIGHTS: &[u32] = &[5, 20, 40, 25, 5, 5];
const FIX_STATES: &[&str] = &["fixed", "not-fixed", "wont-fix", "unknown"];
const FIX_WEIGHTS: &[u32] = &[65, 20, 10, 5];

/// A package class of the image: its packages, how Grype names its type, purl and matcher.
struct Class {
    packages: &'static [Package],
    package_type: &'static str,
    language: &'static str,
    purl_type: &'static str,
    matcher: &'static str,
    namespace: &'static str,
    debian: bool,
}

const CLASSES: &[Class] = &[
    Class {
        packages: DEBIAN,
        package_type: "deb",
        language: "",
        purl_type: "deb/debian",
        matcher: "dpkg-matcher",
        namespace: "debian:distro:debian:12",
        debian: true,
    },
    Class {
        packages: PYTHON,
        package_type: "python",
        language: "python",
        purl_type: "pypi",
        matcher: "python-matcher",
        namespace: "github:language:python",
        debian: false,
    },
    Class {
        packages: NODE,
        package_type: "npm",
        language: "javascript",
        purl_type: "npm",
        matcher: "javascript-matcher",
        namespace: "github:language:javascript",
        debian: false,
    },
];

fn cvss(version: &str, vector: &str, score: f64, source: &str) -> String {
    Obj::new()
        .s("source", source)
        .s("type", "Primary")
        .s("version", version)
        .s("vector", vector)
        .raw(
            "metrics",
            Obj::new()
                .raw("baseScore", score)
                .raw("exploitabilityScore", 3.9)
                .raw("impactScore", 5.9)
                .done(),
        )
        .raw("vendorMetadata", "{}")
        .done()
}

/// The match with index `i` of a seed.
fn record(seed: u64, i: usize) -> String {
    let mut rng = rng(seed, 0x6779_7065, i);
    let class = &CLASSES[weighted(&mut rng, &[50, 30, 20])];
    let package = &class.packages[super::index(&mut rng, class.packages.len())];
    let name = package.name;
    let (version, fixed_in) = versions(&mut rng, package, class.debian);
    let text = advisory(&mut rng, package, &fixed_in);
    let id = format!("CVE-{}-{}", 2015 + i % 11, 10_000 + i);
    let severity = SEVERITIES[weighted(&mut rng, SEVERITY_WEIGHTS)];
    let state = FIX_STATES[weighted(&mut rng, FIX_WEIGHTS)];
    let score = match severity {
        "Critical" => 9.8,
        "High" => 7.5,
        "Medium" => 5.3,
        "Low" => 3.1,
        _ => 2.1,
    };
    let nvd = format!("https://nvd.nist.gov/vuln/detail/{id}");
    let urls: Vec<String> = (0..super::index(&mut rng, 5) + 1)
        .map(|k| format!("https://security.example.org/advisories/{id}/{k}"))
        .collect();
    let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    let epss = Obj::new()
        .s("cve", &id)
        .raw("epss", format!("{:.5}", (i % 997) as f64 / 1000.0))
        .raw("percentile", format!("{:.5}", (i % 991) as f64 / 1000.0))
        .s("date", "2026-06-18")
        .done();
    let fixed_versions: Vec<&str> = if state == "fixed" {
        vec![fixed_in.as_str()]
    } else {
        Vec::new()
    };
    let vulnerability = Obj::new()
        .s("id", &id)
        .s(
            "dataSource",
            &format!("https://security.example.org/tracker/{id}"),
        )
        .s("namespace", class.namespace)
        .s("severity", severity)
        .strs("urls", &urls)
        .s("description", &text.description)
        .raw(
            "cvss",
            raw_list([cvss("3.1", vector, score, "nvd@nist.gov")]),
        )
        .raw("epss", raw_list([epss]))
        .raw(
            "fix",
            Obj::new()
                .strs("versions", fixed_versions)
                .s("state", state)
                .done(),
        )
        .raw("advisories", "[]")
        .raw("risk", format!("{:.4}", score * 0.7))
        .done();
    let related = Obj::new()
        .s("id", &id)
        .s("dataSource", &nvd)
        .s("namespace", "nvd:cpe")
        .s("severity", severity)
        .strs("urls", [&nvd])
        .s("description", &text.description)
        .raw(
            "cvss",
            raw_list([cvss("3.1", vector, score, "nvd@nist.gov")]),
        )
        .done();
    let purl = format!("pkg:{}/{name}@{version}", class.purl_type);
    let path = if class.debian {
        format!("/var/lib/dpkg/status.d/{name}")
    } else if class.package_type == "python" {
        format!("/usr/local/lib/python3.12/site-packages/{name}-{version}.dist-info/METADATA")
    } else {
        format!("/app/node_modules/{name}/package.json")
    };
    let location = Obj::new()
        .s("path", &path)
        .s("layerID", &format!("sha256:{}", hex(&mut rng, 64)))
        .raw("annotations", Obj::new().s("evidence", "primary").done())
        .done();
    let details = Obj::new()
        .s("type", "exact-direct-match")
        .s("matcher", class.matcher)
        .raw(
            "searchedBy",
            Obj::new()
                .s("namespace", class.namespace)
                .raw(
                    "package",
                    Obj::new().s("name", name).s("version", &version).done(),
                )
                .done(),
        )
        .raw(
            "found",
            Obj::new()
                .s("vulnerabilityID", &id)
                .s("versionConstraint", &format!("< {fixed_in}"))
                .done(),
        )
        .done();
    let artifact = Obj::new()
        .s("id", &hex(&mut rng, 16))
        .s("name", name)
        .s("version", &version)
        .s("type", class.package_type)
        .raw("locations", raw_list([location]))
        .s("language", class.language)
        .strs("licenses", ["MIT"])
        .strs(
            "cpes",
            [
                format!("cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*"),
                format!("cpe:2.3:a:{name}_project:{name}:{version}:*:*:*:*:*:*:*"),
            ],
        )
        .s("purl", &purl)
        .raw("upstreams", "[]")
        .done();
    Obj::new()
        .raw("vulnerability", vulnerability)
        .raw("relatedVulnerabilities", raw_list([related]))
        .raw("matchDetails", raw_list([details]))
        .raw("artifact", artifact)
        .done()
}

/// Writes a Grype image report with `findings` matches.
pub fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let image = options.artifact.as_str();
    out.write_all(b"{\n  \"matches\": [")?;
    write_records(out, options.findings, "    ", |i| record(options.seed, i))?;
    let source = Obj::new()
        .s("type", "image")
        .raw(
            "target",
            Obj::new()
                .s("userInput", image)
                .s("imageID", &format!("sha256:{:064x}", options.seed))
                .done(),
        )
        .done();
    let descriptor = Obj::new()
        .s("name", "grype")
        .s("version", "0.94.0")
        .s("timestamp", "2026-06-19T11:43:35Z")
        .done();
    let distro = Obj::new().s("name", "debian").s("version", "12").done();
    write!(
        out,
        "\n  ],\n  \"source\": {source},\n  \"distro\": {distro},\n  \"descriptor\": {descriptor}\n}}\n"
    )
}
