//! Synthetic FOSSA reports: `fossa test --format json` (`fossa-test-json`), the REST API v2
//! issue list (`fossa-api-issues-json`), and the two inventories, `fossa report attribution
//! --format json` (`fossa-attribution-json`) and `fossa analyze --output`
//! (`fossa-analyze-json`), which list dependencies and have no findings.

use rand::RngExt;
use std::io::{self, Write};

use super::{
    Obj, Rng, SyntheticOptions, advisory, hex, index, iso_date, js, pick, raw_list, rng, str_list,
    write_records,
};

/// (fetcher, package manager, packages, prefixes of the other dependencies' names)
const ECOSYSTEMS: &[(&str, &str, &[advisory::Package], &[&str])] = &[
    (
        "npm",
        "npm",
        advisory::NODE,
        &[
            "@babel/",
            "@types/",
            "@aws-sdk/",
            "@sentry/",
            "@octokit/",
            "@nestjs/",
            "@vue/",
            "@angular/",
            "@google-cloud/",
            "@azure/",
        ],
    ),
    (
        "pip",
        "pip",
        advisory::PYTHON,
        &[
            "django-",
            "flask-",
            "pytest-",
            "sphinx-",
            "types-",
            "aws-",
            "azure-",
            "google-cloud-",
            "py",
            "python-",
        ],
    ),
    (
        "mvn",
        "maven",
        advisory::MAVEN,
        &[
            "org.apache.commons:commons-",
            "com.google.cloud:google-cloud-",
            "io.micronaut:micronaut-",
            "org.springframework:spring-",
            "io.quarkus:quarkus-",
            "com.azure:azure-",
            "io.netty:netty-",
            "org.eclipse.jetty:jetty-",
            "io.vertx:vertx-",
            "com.squareup.okhttp3:okhttp-",
        ],
    ),
    (
        "go",
        "gomod",
        advisory::GO,
        &[
            "github.com/spf13/",
            "github.com/gorilla/",
            "github.com/aws/aws-sdk-go-v2/service/",
            "golang.org/x/",
            "github.com/hashicorp/go-",
            "github.com/go-chi/",
            "github.com/prometheus/",
            "github.com/sirupsen/",
            "k8s.io/",
            "go.uber.org/",
        ],
    ),
];
/// The middle of the other dependencies' names.
const WORDS: &[&str] = &[
    "auth", "cache", "config", "cors", "crypto", "csv", "dates", "env", "forms", "graph", "http",
    "i18n", "image", "jwt", "log", "mail", "markdown", "mock", "oauth", "orm", "pdf", "queue",
    "retry", "router", "schema", "session", "storage", "stream", "template", "yaml",
];
/// The end of the other dependencies' names.
const SUFFIXES: &[&str] = &["", "-utils", "-client", "-core"];
/// What the attribution report says a dependency is.
const DESCRIPTIONS: &[&str] = &[
    "A small library for parsing and formatting dates.",
    "HTTP client with retries and connection pooling.",
    "Minimal web framework with routing and middleware.",
    "Reads and writes YAML documents.",
    "Parses command-line arguments.",
    "Type definitions for the standard library.",
    "Structured logging with pluggable outputs.",
    "Validates JSON documents against a schema.",
    "Loads configuration from files and the environment.",
    "Cryptographic primitives and recipes.",
];

const LICENSES: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "GPL-3.0-only",
    "LGPL-2.1-only",
    "MPL-2.0",
    "ISC",
    "AGPL-3.0-only",
];
/// (type, weight)
const TYPES: &[(&str, u32)] = &[
    ("vulnerability", 60),
    ("policy_conflict", 8),
    ("policy_flag", 8),
    ("unlicensed_dependency", 6),
    ("outdated_dependency", 10),
    ("risk_abandonware", 4),
    ("blacklisted_dependency", 4),
];

struct Package {
    fetcher: &'static str,
    manager: &'static str,
    /// A package of the advisory bank, or (two records in three, never for a vulnerability)
    /// another dependency whose name is made of parts chosen by the record's index, so that
    /// up to 1,200 records of an ecosystem never merge.
    name: String,
    version: String,
    /// The version that fixes it.
    fixed: String,
    /// Its entry in the advisory bank (packages of the bank only).
    bank: Option<&'static advisory::Package>,
}

impl Package {
    fn locator(&self) -> String {
        format!("{}+{}${}", self.fetcher, self.name, self.version)
    }
}

/// The package of record `i`: one of the advisory bank when `vulnerable` (an advisory is about
/// it) or one record in three, else another dependency.
fn package(rng: &mut Rng, i: usize, vulnerable: bool) -> Package {
    let (fetcher, manager, packages, prefixes) = ECOSYSTEMS[index(rng, ECOSYSTEMS.len())];
    let base = &packages[index(rng, packages.len())];
    if vulnerable || i.is_multiple_of(3) {
        let (version, fixed) = advisory::versions(rng, base, false);
        return Package {
            fetcher,
            manager,
            name: base.name.to_string(),
            version,
            fixed,
            bank: Some(base),
        };
    }
    let k = i % (prefixes.len() * WORDS.len() * SUFFIXES.len());
    let name = format!(
        "{}{}{}",
        prefixes[k % prefixes.len()],
        WORDS[(k / prefixes.len()) % WORDS.len()],
        SUFFIXES[k / (prefixes.len() * WORDS.len())]
    );
    let (major, minor, patch) = (
        rng.random_range(0..6),
        rng.random_range(0..30),
        rng.random_range(0..20),
    );
    Package {
        fetcher,
        manager,
        name,
        version: format!("{major}.{minor}.{patch}"),
        fixed: format!("{major}.{minor}.{}", patch + 1),
        bank: None,
    }
}

/// The project locator. FOSSA's URLs escape only its `+` and `/` (`custom%2B1234%2Fshop-...`),
/// which the callers imitate with two `replace`s rather than a `percent-encoding` set (a set
/// shared with Acunetix's blanks would change Acunetix's URLs, whose `/` stay as they are).
fn project(seed: u64) -> String {
    format!("custom+1234/shop-platform-{}", seed % 100)
}

fn issue_type(rng: &mut Rng) -> &'static str {
    let weights: Vec<u32> = TYPES.iter().map(|(_, w)| *w).collect();
    TYPES[super::weighted(rng, &weights)].0
}

fn category(kind: &str) -> &'static str {
    match kind {
        "vulnerability" => "vulnerability",
        "policy_conflict" | "policy_flag" | "unlicensed_dependency" => "licensing",
        _ => "quality",
    }
}

/// `fossa test --format json` of CLI v3.18.
pub(super) fn write_test(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let project = project(options.seed);
    let title = project.rsplit('/').next().unwrap_or(&project).to_string();
    let revision = hex(&mut rng(options.seed, 70, 0), 7);
    write!(out, "{{\"count\": {}, \"issues\": [", options.findings)?;
    write_records(out, options.findings, "  ", |i| {
        let mut rng = rng(options.seed, 71, i);
        let kind = issue_type(&mut rng);
        let vulnerable = kind == "vulnerability";
        let pkg = package(&mut rng, i, vulnerable);
        let cve = format!("CVE-{}-{}", 2018 + i % 8, 10_000 + i);
        let licence =
            matches!(kind, "policy_conflict" | "policy_flag").then(|| pick(&mut rng, LICENSES));
        let priorities = [
            Some("critical"),
            Some("high"),
            Some("medium"),
            Some("low"),
            None,
        ];
        let id = 400_000 + i;
        Obj::new()
            .opt("cve", vulnerable.then_some(cve.as_str()))
            .opt("fixedIn", vulnerable.then_some(pkg.fixed.as_str()))
            .raw("id", id)
            .s(
                "issueDashURL",
                &format!(
                    "https://app.fossa.com/projects/{}/refs/branch/main/{revision}/issues/{}/{id}",
                    project.replace('+', "%2B").replace('/', "%2F"),
                    category(kind)
                ),
            )
            .opt("license", licence)
            .opt(
                "priorityString",
                if vulnerable {
                    priorities[index(&mut rng, priorities.len())]
                } else {
                    None
                },
            )
            .raw("resolved", rng.random_bool(0.05))
            .s("revisionId", &pkg.locator())
            .raw(
                "rule",
                Obj::new()
                    .raw(
                        "ruleId",
                        if licence.is_some() {
                            (9000 + index(&mut rng, 20)).to_string()
                        } else {
                            "null".to_string()
                        },
                    )
                    .done(),
            )
            .s("type", kind)
            .done()
    })?;
    writeln!(
        out,
        "], \"status\": \"SCANNED\", \"summary\": {}}}",
        Obj::new()
            .raw(
                "revision",
                Obj::new()
                    .raw("isPublic", false)
                    .s("projectRevision", &revision)
                    .s("projectTitle", &title)
                    .done()
            )
            .raw(
                "targets",
                raw_list([
                    Obj::new()
                        .strs("originPaths", ["package.json"])
                        .s("type", "npm")
                        .done(),
                    Obj::new()
                        .strs("originPaths", ["requirements.txt"])
                        .s("type", "pip")
                        .done(),
                    Obj::new()
                        .strs("originPaths", ["pom.xml"])
                        .s("type", "maven")
                        .done(),
                    Obj::new()
                        .strs("originPaths", ["go.mod"])
                        .s("type", "gomod")
                        .done(),
                ])
            )
            .done()
    )
}

/// `GET /api/v2/issues` saved as `{"issues": [...]}`.
pub(super) fn write_api_issues(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let project = project(options.seed);
    let title = project.rsplit('/').next().unwrap_or(&project).to_string();
    out.write_all(b"{\"issues\": [")?;
    write_records(out, options.findings, "  ", |i| {
        let mut rng = rng(options.seed, 72, i);
        let kind = issue_type(&mut rng);
        let pkg = package(&mut rng, i, kind == "vulnerability");
        let id = 11_000_000 + i;
        let created = iso_date(&mut rng);
        let project_obj = Obj::new()
            .s("id", &project)
            .s(
                "status",
                if rng.random_bool(0.9) {
                    "active"
                } else {
                    "ignored"
                },
            )
            .raw("depth", rng.random_range(1..5))
            .s("title", &title)
            .s("scannedAt", "2026-05-21T17:48:13.555+00:00")
            .s("analyzedAt", "2026-05-21T17:48:02.821Z")
            .s(
                "url",
                &format!(
                    "https://app.fossa.com/projects/{}",
                    project.replace('+', "%2B").replace('/', "%2F")
                ),
            )
            .s("firstFoundAt", &format!("{created}.000+00:00"))
            .s("defaultBranch", "refs/heads/main")
            .raw("latest", true)
            .s("revisionId", &format!("{project}${}", hex(&mut rng, 40)))
            .raw("revisionScanId", 106_820_000 + i % 1000)
            .done();
        let mut obj = Obj::new()
            .raw("id", id)
            .s("type", kind)
            .s("createdAt", &format!("{created}.933Z"))
            .raw(
                "source",
                Obj::new()
                    .s("id", &pkg.locator())
                    .s("name", &pkg.name)
                    .s(
                        "url",
                        &format!(
                            "https://github.com/example/{}",
                            pkg.name.replace([':', '/'], "-")
                        ),
                    )
                    .s("version", &pkg.version)
                    .s("packageManager", pkg.manager)
                    .done(),
            )
            .raw("depths", Obj::new().raw("direct", 0).raw("deep", 1).done())
            .raw(
                "containerLayers",
                Obj::new().raw("base", 0).raw("other", 0).done(),
            )
            .raw(
                "statuses",
                Obj::new().raw("active", 1).raw("ignored", 0).done(),
            )
            .raw("projects", raw_list([project_obj]))
            .s(
                "url",
                &format!(
                    "https://app.fossa.com/projects/{}/issues/{}/{id}",
                    project.replace('+', "%2B").replace('/', "%2F"),
                    category(kind)
                ),
            );
        if kind == "vulnerability" {
            let cve = format!("CVE-{}-{}", 2018 + i % 8, 10_000 + i);
            let cvss = [9.8, 8.1, 7.5, 6.5, 5.3, 4.3, 3.1][index(&mut rng, 7)];
            let severity = match cvss {
                s if s >= 9.0 => "critical",
                s if s >= 7.0 => "high",
                s if s >= 4.0 => "medium",
                _ => "low",
            };
            let metrics = [
                ("Attack Vector", "Network"),
                ("Attack Complexity", "Low"),
                ("Privileges Required", "None"),
                ("User Interaction", "None"),
                ("Scope", "Unchanged"),
                ("Confidentiality Impact", "High"),
                ("Integrity Impact", "High"),
                ("Availability Impact", "None"),
            ];
            let (title, details, cwe) = match pkg.bank {
                Some(bank) => {
                    let a = advisory::advisory(&mut rng, bank, &pkg.fixed);
                    (a.title, a.description, a.cwe)
                }
                None => (
                    format!("{}: vulnerable dependency", pkg.name),
                    format!("{} before {} is affected.", pkg.name, pkg.fixed),
                    20,
                ),
            };
            obj = obj
                .s("vulnId", &format!("{cve}_{}+{}", pkg.fetcher, pkg.name))
                .s("title", &title)
                .s("cve", &cve)
                .raw("cvss", cvss)
                .s("cvssVector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N")
                .s("severity", severity)
                .s("details", &details)
                .raw(
                    "remediation",
                    Obj::new()
                        .s("partialFix", &pkg.fixed)
                        .s("partialFixDistance", "PATCH")
                        .s("completeFix", &pkg.fixed)
                        .s("completeFixDistance", "MINOR")
                        .done(),
                )
                .raw(
                    "metrics",
                    raw_list(
                        metrics
                            .iter()
                            .map(|(n, v)| Obj::new().s("name", n).s("value", v).done()),
                    ),
                )
                .s("cveStatus", "COMPLETED")
                .strs("cwes", [format!("CWE-{cwe}")])
                .s("published", &format!("{}Z", iso_date(&mut rng)))
                .strs("affectedVersionRanges", [format!("<{}", pkg.fixed)])
                .strs("patchedVersionRanges", [format!(">={}", pkg.fixed)])
                .strs(
                    "references",
                    [
                        format!(
                            "https://github.com/advisories/GHSA-{}-{}-{}",
                            hex(&mut rng, 4),
                            hex(&mut rng, 4),
                            hex(&mut rng, 4)
                        ),
                        format!("https://nvd.nist.gov/vuln/detail/{cve}"),
                        format!(
                            "https://github.com/example/{}/security",
                            pkg.name.replace([':', '/'], "-")
                        ),
                    ],
                )
                .raw("exploitability", js("UNKNOWN"));
        } else {
            let licence = pick(&mut rng, LICENSES);
            obj = obj.s("title", &format!("{kind} on {}", pkg.name));
            if category(kind) == "licensing" && kind != "unlicensed_dependency" {
                obj = obj.s("license", licence);
            }
            if kind == "outdated_dependency" {
                obj = obj.s("latestVersion", &format!("{}.0.0", rng.random_range(6..12)));
            }
        }
        obj.done()
    })?;
    out.write_all(b"\n]}\n")
}

const LICENSE_TEXT: &str = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n";

/// `fossa report attribution --format json`: `findings` dependencies, a third direct.
pub(super) fn write_attribution(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let direct = options.findings / 3;
    let dependency = |i: usize, is_direct: bool| {
        let mut rng = rng(options.seed, 73, i);
        let pkg = package(&mut rng, i, false);
        let licence = pick(&mut rng, LICENSES);
        let path = if is_direct {
            pkg.name.clone()
        } else {
            format!(
                "{} > {}",
                pick(&mut rng, &["express", "requests", "spring-web", "gin"]),
                pkg.name
            )
        };
        Obj::new()
            .strs(
                "authors",
                [format!(
                    "{}@example.org",
                    pkg.name.replace([':', '/', '.'], "-")
                )],
            )
            .strs("dependencyPaths", [path])
            .s("description", pick(&mut rng, DESCRIPTIONS))
            .s(
                "downloadUrl",
                &format!(
                    "https://files.example.org/packages/{}/{}-{}.tar.gz",
                    hex(&mut rng, 16),
                    pkg.name,
                    pkg.version
                ),
            )
            .raw("hash", "null")
            .raw(
                "isGolang",
                if pkg.fetcher == "go" { "true" } else { "null" },
            )
            .raw(
                "licenses",
                raw_list([Obj::new()
                    .s(
                        "attribution",
                        &format!(
                            "Copyright (c) {} {} contributors\n\n{LICENSE_TEXT}",
                            2010 + i % 15,
                            pkg.name
                        ),
                    )
                    .s("name", licence)
                    .done()]),
            )
            .raw("notes", "[]")
            .raw("otherLicenses", "[]")
            .s("package", &pkg.name)
            .s(
                "projectUrl",
                &format!(
                    "https://github.com/example/{}",
                    pkg.name.replace([':', '/'], "-")
                ),
            )
            .s("source", pkg.manager)
            .s("title", &pkg.name)
            .s("version", &pkg.version)
            .done()
    };
    out.write_all(b"{\"copyrightsByLicense\": {")?;
    for (k, licence) in LICENSES.iter().enumerate() {
        write!(
            out,
            "{}{}: {}",
            if k > 0 { ", " } else { "" },
            js(licence),
            str_list([
                format!("2010-2026 The {licence} authors"),
                "Example Corp.".into()
            ])
        )?;
    }
    out.write_all(b"},\n\"deepDependencies\": [")?;
    write_records(out, options.findings - direct, "  ", |k| {
        dependency(direct + k, false)
    })?;
    out.write_all(b"\n],\n\"directDependencies\": [")?;
    write_records(out, direct, "  ", |k| dependency(k, true))?;
    out.write_all(b"\n],\n\"licenses\": {")?;
    for (k, licence) in LICENSES.iter().enumerate() {
        write!(
            out,
            "{}{}: {}",
            if k > 0 { ", " } else { "" },
            js(licence),
            js(LICENSE_TEXT)
        )?;
    }
    write!(
        out,
        "}},\n\"project\": {}}}\n",
        Obj::new()
            .s(
                "name",
                project(options.seed).rsplit('/').next().unwrap_or_default()
            )
            .s("revision", &hex(&mut rng(options.seed, 74, 0), 40))
            .done()
    )
}

/// `fossa analyze --output`: the dependency graph of one project and its source unit.
pub(super) fn write_analyze(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let n = options.findings;
    let packages: Vec<Package> = (0..n)
        .map(|i| package(&mut rng(options.seed, 75, i), i, false))
        .collect();
    let direct: Vec<usize> = (0..n).filter(|i| i % 4 == 0).collect();
    out.write_all(b"{\"projects\": [{\"graph\": {\"assocs\": [")?;
    // Each direct dependency imports the next three.
    let assocs: Vec<String> = direct
        .iter()
        .filter(|&&d| d + 1 < n)
        .map(|&d| {
            format!(
                "[{d}, [{}]]",
                (d + 1..(d + 4).min(n))
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    out.write_all(assocs.join(", ").as_bytes())?;
    out.write_all(b"], \"deps\": [")?;
    write_records(out, n, "  ", |i| {
        let p = &packages[i];
        let kind = match p.fetcher {
            "npm" => "NodeJSType",
            "pip" => "PipType",
            "mvn" => "MavenType",
            _ => "GoType",
        };
        Obj::new()
            .raw("locations", "[]")
            .s("name", &p.name)
            .raw(
                "tags",
                Obj::new()
                    .strs("scopes", [if i % 9 == 0 { "test" } else { "compile" }])
                    .done(),
            )
            .s("type", kind)
            .raw(
                "version",
                Obj::new().s("type", "EQUAL").s("value", &p.version).done(),
            )
            .done()
    })?;
    write!(
        out,
        "], \"direct\": [{}]}}, \"path\": \"/home/runner/work/shop/\", \"type\": \"mixed\"}}],\n\"sourceUnits\": [{{\"AdditionalDependencyData\": null, \"Build\": {{\"Artifact\": \"default\", \"Dependencies\": [",
        direct
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    write_records(out, n, "  ", |i| {
        let imports: Vec<String> = if i % 4 == 0 {
            (i + 1..(i + 4).min(n))
                .map(|k| packages[k].locator())
                .collect()
        } else {
            Vec::new()
        };
        Obj::new()
            .strs("imports", imports)
            .s("locator", &packages[i].locator())
            .done()
    })?;
    writeln!(
        out,
        "], \"Imports\": {}, \"Succeeded\": true}}, \"GraphBreadth\": \"complete\", \"Manifest\": \"/home/runner/work/shop/\", \"Name\": \"/home/runner/work/shop/\", \"OriginPaths\": [\"package.json\", \"requirements.txt\", \"pom.xml\", \"go.mod\"], \"Type\": \"mixed\"}}]}}",
        str_list(direct.iter().map(|&d| packages[d].locator()))
    )
}
