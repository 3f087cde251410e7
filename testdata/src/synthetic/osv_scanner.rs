//! Synthetic OSV-Scanner JSON (`osv-scanner-json`).
//!
//! Reports look like `osv-scanner scan source -r .` of a repository with a Python and a Node
//! lock file: each package holds its full OSV record (GitHub advisory shape: summary, details,
//! CVSS vector, the affected ranges and the long list of affected versions that makes most of
//! a real report's bytes, references, `database_specific` with severity and CWEs) and its
//! group, about 3 KB per finding. Packages and texts come from the advisory bank; every
//! finding has its own advisory id, so none merges.

use std::io::{self, Write};

use super::advisory::{NODE, PYTHON, Package, advisory, versions};
use super::{Obj, SyntheticOptions, index, raw_list, rng, weighted, write_records};

const SEVERITIES: &[&str] = &["CRITICAL", "HIGH", "MODERATE", "LOW"];
const SEVERITY_WEIGHTS: &[u32] = &[5, 25, 50, 20];

struct Source {
    path: &'static str,
    packages: &'static [Package],
    ecosystem: &'static str,
    purl_type: &'static str,
}

const SOURCES: &[Source] = &[
    Source {
        path: "/home/runner/work/shop/shop/api/requirements.txt",
        packages: PYTHON,
        ecosystem: "PyPI",
        purl_type: "pypi",
    },
    Source {
        path: "/home/runner/work/shop/shop/web/package-lock.json",
        packages: NODE,
        ecosystem: "npm",
        purl_type: "npm",
    },
];

/// The package entry with index `i` of a seed, for `source`.
fn package(seed: u64, i: usize, source: &Source) -> String {
    let mut rng = rng(seed, 0x006f_7376, i);
    let package = &source.packages[index(&mut rng, source.packages.len())];
    let name = package.name;
    let (version, fixed_in) = versions(&mut rng, package, false);
    let text = advisory(&mut rng, package, &fixed_in);
    let id = format!(
        "GHSA-{:04x}-{:04x}-{:04x}",
        i % 0xffff,
        (i / 0xffff) % 0xffff,
        seed % 0xffff
    );
    let cve = format!("CVE-{}-{}", 2018 + i % 8, 20_000 + i);
    let severity = SEVERITIES[weighted(&mut rng, SEVERITY_WEIGHTS)];
    let affected_versions: Vec<String> = (0..30)
        .map(|k| format!("{}.{}.{}", k / 10, k % 10, k % 3))
        .collect();
    let affected = Obj::new()
        .raw(
            "package",
            Obj::new()
                .s("ecosystem", source.ecosystem)
                .s("name", name)
                .s("purl", &format!("pkg:{}/{name}", source.purl_type))
                .done(),
        )
        .raw(
            "ranges",
            raw_list([Obj::new()
                .s("type", "ECOSYSTEM")
                .raw(
                    "events",
                    raw_list([
                        Obj::new().s("introduced", "0").done(),
                        Obj::new().s("fixed", &fixed_in).done(),
                    ]),
                )
                .done()]),
        )
        .strs("versions", &affected_versions)
        .raw(
            "database_specific",
            Obj::new()
                .s(
                    "source",
                    &format!("https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/{id}.json"),
                )
                .done(),
        )
        .done();
    let record = Obj::new()
        .s("modified", "2026-02-16T08:21:48Z")
        .s("published", "2025-06-21T16:57:10Z")
        .s("schema_version", "1.6.0")
        .s("id", &id)
        .strs("aliases", [&cve])
        .s("summary", &text.title)
        .s("details", &text.description)
        .raw("affected", raw_list([affected]))
        .raw(
            "severity",
            raw_list([Obj::new()
                .s("type", "CVSS_V3")
                .s("score", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
                .done()]),
        )
        .raw(
            "references",
            raw_list([
                Obj::new()
                    .s("type", "ADVISORY")
                    .s("url", &format!("https://nvd.nist.gov/vuln/detail/{cve}"))
                    .done(),
                Obj::new()
                    .s("type", "PACKAGE")
                    .s("url", &format!("https://registry.example.org/{name}"))
                    .done(),
            ]),
        )
        .raw(
            "database_specific",
            Obj::new()
                .strs("cwe_ids", [format!("CWE-{}", text.cwe)])
                .raw("github_reviewed", true)
                .s("severity", severity)
                .done(),
        )
        .done();
    let group = Obj::new()
        .strs("ids", [&id])
        .strs("aliases", [&cve, &id])
        .s("max_severity", "9.8")
        .done();
    Obj::new()
        .raw(
            "package",
            Obj::new()
                .s("name", name)
                .s("version", &version)
                .s("ecosystem", source.ecosystem)
                .done(),
        )
        .raw("vulnerabilities", raw_list([record]))
        .raw("groups", raw_list([group]))
        .done()
}

/// Writes an OSV-Scanner report with `findings` packages (one vulnerability each), split over
/// two lock files.
pub fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let half = options.findings / 2;
    let counts = [half, options.findings - half];
    out.write_all(b"{\n  \"results\": [")?;
    let mut first = true;
    let mut offset = 0;
    for (source, &count) in SOURCES.iter().zip(&counts) {
        if count == 0 {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        let head = Obj::new()
            .s("path", source.path)
            .s("type", "lockfile")
            .done();
        write!(out, "\n    {{\"source\": {head}, \"packages\": [")?;
        write_records(out, count, "      ", |i| {
            package(options.seed, offset + i, source)
        })?;
        out.write_all(b"\n    ]}")?;
        offset += count;
    }
    out.write_all(b"\n  ],\n  \"experimental_config\": {\"licenses\": {\"summary\": false, \"allowlist\": null}}\n}\n")
}
