//! Synthetic Trivy JSON (`trivy-json`).
//!
//! Reports look like `trivy image` output of a Debian-based service image with Python and Node
//! dependencies: every vulnerability carries the fields real ones do (CVSS, CWE, references, a
//! few hundred characters of description), so sizes and parse costs are realistic (about 1.5 KB
//! per finding). The same options always give the same bytes.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::io::{self, Write};

use super::SyntheticOptions;

const DEBIAN: &[&str] = &[
    "openssl",
    "libssl3",
    "curl",
    "libcurl4",
    "glibc",
    "libc6",
    "zlib1g",
    "libxml2",
    "perl-base",
    "tar",
    "bash",
    "systemd",
    "libsystemd0",
    "expat",
    "libexpat1",
    "sqlite3",
    "libsqlite3-0",
    "gnutls28",
    "libgnutls30",
    "krb5",
    "libkrb5-3",
    "openldap",
    "libldap-2.5-0",
    "ncurses",
    "libncursesw6",
    "util-linux",
    "e2fsprogs",
    "libtasn1-6",
    "libgcrypt20",
    "pcre2",
    "libpcre2-8-0",
    "shadow",
    "login",
    "apt",
    "dpkg",
    "coreutils",
];
const PYTHON: &[&str] = &[
    "django",
    "flask",
    "requests",
    "urllib3",
    "jinja2",
    "werkzeug",
    "pyyaml",
    "cryptography",
    "pillow",
    "numpy",
    "setuptools",
    "certifi",
    "idna",
    "sqlalchemy",
    "paramiko",
    "lxml",
    "aiohttp",
    "gunicorn",
];
const NODE: &[&str] = &[
    "lodash",
    "express",
    "minimist",
    "axios",
    "moment",
    "jsonwebtoken",
    "ws",
    "semver",
    "tar",
    "glob-parent",
    "node-fetch",
    "qs",
    "body-parser",
    "path-to-regexp",
    "follow-redirects",
    "tough-cookie",
];
const SEVERITIES: &[(&str, u32)] = &[
    ("CRITICAL", 5),
    ("HIGH", 20),
    ("MEDIUM", 40),
    ("LOW", 30),
    ("UNKNOWN", 5),
];
const WORDS: &[&str] = &[
    "a",
    "heap-based",
    "buffer",
    "overflow",
    "in",
    "the",
    "parser",
    "allows",
    "remote",
    "attackers",
    "to",
    "cause",
    "denial",
    "of",
    "service",
    "or",
    "possibly",
    "execute",
    "arbitrary",
    "code",
    "via",
    "crafted",
    "input",
    "when",
    "processing",
    "certificates",
    "with",
    "an",
    "integer",
    "overflow",
    "leading",
    "out-of-bounds",
    "read",
    "memory",
    "corruption",
    "function",
    "does",
    "not",
    "properly",
    "validate",
    "length",
    "field",
];

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln<'a> {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: String,
    #[serde(rename = "PkgID")]
    pkg_id: String,
    pkg_name: String,
    pkg_identifier: PkgIdentifier,
    installed_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_version: Option<String>,
    status: &'a str,
    layer: Layer,
    severity_source: &'a str,
    #[serde(rename = "PrimaryURL")]
    primary_url: String,
    data_source: DataSource<'a>,
    title: String,
    description: String,
    severity: &'a str,
    #[serde(rename = "CweIDs")]
    cwe_ids: Vec<String>,
    #[serde(rename = "CVSS")]
    cvss: Cvss,
    references: Vec<String>,
    published_date: &'a str,
    last_modified_date: &'a str,
}

#[derive(Serialize)]
struct PkgIdentifier {
    #[serde(rename = "PURL")]
    purl: String,
}

#[derive(Serialize)]
struct Layer {
    #[serde(rename = "DiffID")]
    diff_id: String,
}

#[derive(Serialize)]
struct DataSource<'a> {
    #[serde(rename = "ID")]
    id: &'a str,
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "URL")]
    url: &'a str,
}

#[derive(Serialize)]
struct Cvss {
    nvd: CvssEntry,
}

#[derive(Serialize)]
struct CvssEntry {
    #[serde(rename = "V3Vector")]
    v3_vector: String,
    #[serde(rename = "V3Score")]
    v3_score: f64,
}

struct Class {
    target: String,
    class: &'static str,
    result_type: &'static str,
    names: &'static [&'static str],
    purl_type: &'static str,
}

fn pick<'a, T: ?Sized>(rng: &mut Xoshiro256PlusPlus, items: &'a [&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

fn sentence(rng: &mut Xoshiro256PlusPlus, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(pick(rng, WORDS));
    }
    s
}

/// The vulnerability with index `i` of a seed: the same index always gives the same record.
fn vuln(seed: u64, i: usize, class: &Class) -> Vuln<'static> {
    let mut rng =
        Xoshiro256PlusPlus::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let name = format!(
        "{}{}",
        pick(&mut rng, class.names),
        if i.is_multiple_of(7) {
            format!("-{}", i % 97)
        } else {
            String::new()
        }
    );
    let version = format!(
        "{}.{}.{}",
        rng.random_range(0..4),
        rng.random_range(0..30),
        rng.random_range(0..20)
    );
    let year = 2015 + (i % 11);
    let id = format!("CVE-{year}-{}", 10_000 + i);
    let total: u32 = SEVERITIES.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    let mut severity = "UNKNOWN";
    for (name, weight) in SEVERITIES {
        if roll < *weight {
            severity = name;
            break;
        }
        roll -= weight;
    }
    let fixed = rng.random_bool(0.7);
    let score = match severity {
        "CRITICAL" => 9.8,
        "HIGH" => 7.5,
        "MEDIUM" => 5.3,
        "LOW" => 3.1,
        _ => 0.0,
    };
    let references = (0..rng.random_range(3..9))
        .map(|k| format!("https://security.example.org/advisories/{id}/{k}"))
        .collect();
    Vuln {
        pkg_id: format!("{name}@{version}"),
        pkg_identifier: PkgIdentifier {
            purl: format!("pkg:{}/{name}@{version}", class.purl_type),
        },
        fixed_version: fixed.then(|| format!("{version}-fix1")),
        status: if fixed { "fixed" } else { "affected" },
        layer: Layer {
            diff_id: format!("sha256:{:064x}", (i % 12) as u64 * 0x1111_1111),
        },
        severity_source: "nvd",
        primary_url: format!("https://avd.aquasec.com/nvd/{}", id.to_lowercase()),
        data_source: DataSource {
            id: class.result_type,
            name: "Synthetic advisory feed",
            url: "https://security.example.org",
        },
        title: format!("{name}: {}", sentence(&mut rng, 8)),
        description: format!("{}. {}.", sentence(&mut rng, 40), sentence(&mut rng, 30)),
        severity,
        cwe_ids: vec![format!("CWE-{}", 20 + (i % 800))],
        cvss: Cvss {
            nvd: CvssEntry {
                v3_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_string(),
                v3_score: score,
            },
        },
        references,
        published_date: "2024-03-01T12:00:00Z",
        last_modified_date: "2025-01-15T08:30:00Z",
        pkg_name: name,
        installed_version: version,
        vulnerability_id: id,
    }
}

/// Writes a Trivy image report (SchemaVersion 2) with `findings` vulnerabilities.
pub fn write_trivy_report(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let image = options.artifact.as_str();
    let classes = [
        Class {
            target: format!("{image} (debian 12.5)"),
            class: "os-pkgs",
            result_type: "debian",
            names: DEBIAN,
            purl_type: "deb/debian",
        },
        Class {
            target: "Python".to_string(),
            class: "lang-pkgs",
            result_type: "python-pkg",
            names: PYTHON,
            purl_type: "pypi",
        },
        Class {
            target: "Node.js".to_string(),
            class: "lang-pkgs",
            result_type: "node-pkg",
            names: NODE,
            purl_type: "npm",
        },
    ];
    // Which indices this generation reports: later generations fix some and find new ones.
    let generation = options.generation as usize;
    let kept = |i: usize| generation == 0 || !(i * 7 + generation).is_multiple_of(10);
    let extra = if generation == 0 {
        0
    } else {
        options.findings / 20 * generation
    };
    let indices: Vec<usize> = (0..options.findings)
        .filter(|&i| kept(i))
        .chain(options.findings * 10..options.findings * 10 + extra)
        .collect();

    write!(
        out,
        "{{\n  \"SchemaVersion\": 2,\n  \"Trivy\": {{\"Version\": \"0.76.0\"}},\n  \"CreatedAt\": \"2026-11-0{}T10:00:00Z\",\n  \"ArtifactName\": {},\n  \"ArtifactType\": \"container_image\",\n  \"Metadata\": {{\"OS\": {{\"Family\": \"debian\", \"Name\": \"12.5\"}}}},\n  \"Results\": [",
        1 + options.generation.min(8),
        serde_json::to_string(image).map_err(io::Error::other)?
    )?;
    for (c, class) in classes.iter().enumerate() {
        if c > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "\n    {{\"Target\": {}, \"Class\": \"{}\", \"Type\": \"{}\", \"Vulnerabilities\": [",
            serde_json::to_string(&class.target).map_err(io::Error::other)?,
            class.class,
            class.result_type
        )?;
        let mut first = true;
        // 60% OS packages, 25% Python, 15% Node.
        for &i in indices.iter().filter(|&&i| match (i * 13) % 20 {
            0..=11 => c == 0,
            12..=16 => c == 1,
            _ => c == 2,
        }) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(b"\n      ")?;
            serde_json::to_writer(&mut *out, &vuln(options.seed, i, class))
                .map_err(io::Error::other)?;
        }
        out.write_all(b"\n    ]}")?;
    }
    out.write_all(b"\n  ]\n}\n")?;
    Ok(())
}

/// A report in memory (for small ones: the demo and tests).
pub fn trivy_report(options: &SyntheticOptions) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_trivy_report(&mut out, options);
    out
}
