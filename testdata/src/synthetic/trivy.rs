//! Synthetic Trivy JSON (`trivy-json`).
//!
//! Reports look like `trivy image` output of a Debian-based service image with Python and Node
//! dependencies: every vulnerability carries the fields real ones do (CVSS, CWE, references, a
//! few hundred characters of description), so sizes and parse costs are realistic (about 1.5 KB
//! per finding). Packages, versions, titles and descriptions come from the advisory bank
//! (`advisory.rs`). The same options always give the same bytes.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::io::{self, Write};

use super::SyntheticOptions;
use super::advisory::{DEBIAN, NODE, PYTHON, Package, advisory, versions};

const SEVERITIES: &[(&str, u32)] = &[
    ("CRITICAL", 5),
    ("HIGH", 20),
    ("MEDIUM", 40),
    ("LOW", 30),
    ("UNKNOWN", 5),
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
    packages: &'static [Package],
    purl_type: &'static str,
    /// Debian versions (`3.0.13-1~deb12u2`) rather than language ones.
    debian: bool,
}

/// The vulnerability with index `i` of a seed: the same index always gives the same record.
fn vuln(seed: u64, i: usize, class: &Class) -> Vuln<'static> {
    let mut rng =
        Xoshiro256PlusPlus::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let package = &class.packages[rng.random_range(0..class.packages.len())];
    let name = package.name.to_string();
    let (version, fixed_in) = versions(&mut rng, package, class.debian);
    let advisory = advisory(&mut rng, package, &fixed_in);
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
        fixed_version: fixed.then_some(fixed_in),
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
        title: advisory.title,
        description: advisory.description,
        severity,
        cwe_ids: vec![format!("CWE-{}", advisory.cwe)],
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
            packages: DEBIAN,
            purl_type: "deb/debian",
            debian: true,
        },
        Class {
            target: "Python".to_string(),
            class: "lang-pkgs",
            result_type: "python-pkg",
            packages: PYTHON,
            purl_type: "pypi",
            debian: false,
        },
        Class {
            target: "Node.js".to_string(),
            class: "lang-pkgs",
            result_type: "node-pkg",
            packages: NODE,
            purl_type: "npm",
            debian: false,
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
