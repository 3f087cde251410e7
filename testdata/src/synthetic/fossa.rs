//! Synthetic FOSSA reports: `fossa test --format json` (`fossa-test-json`), the REST API v2
//! issue list (`fossa-api-issues-json`), and the two inventories, `fossa report attribution
//! --format json` (`fossa-attribution-json`) and `fossa analyze --output`
//! (`fossa-analyze-json`), which list dependencies and have no findings.

use rand::RngExt;
use std::io::{self, Write};

use super::{
    Obj, Rng, SyntheticOptions, hex, index, iso_date, js, pick, raw_list, rng, sentence, str_list,
    write_records,
};

/// (fetcher, package manager, names)
const ECOSYSTEMS: &[(&str, &str, &[&str])] = &[
    (
        "npm",
        "npm",
        &[
            "lodash",
            "express",
            "minimist",
            "axios",
            "moment",
            "jsonwebtoken",
            "ws",
            "semver",
            "node-fetch",
            "qs",
            "body-parser",
            "follow-redirects",
            "tough-cookie",
        ],
    ),
    (
        "pip",
        "pip",
        &[
            "django",
            "flask",
            "requests",
            "urllib3",
            "jinja2",
            "werkzeug",
            "pyyaml",
            "cryptography",
            "pillow",
            "certifi",
            "idna",
            "sqlalchemy",
            "paramiko",
        ],
    ),
    (
        "mvn",
        "maven",
        &[
            "com.fasterxml.jackson.core:jackson-databind",
            "org.apache.commons:commons-text",
            "org.springframework:spring-web",
            "org.yaml:snakeyaml",
            "com.google.guava:guava",
            "org.apache.logging.log4j:log4j-core",
        ],
    ),
    (
        "go",
        "gomod",
        &[
            "golang.org/x/net",
            "golang.org/x/crypto",
            "github.com/gin-gonic/gin",
            "google.golang.org/grpc",
        ],
    ),
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
    /// The name, made unique per record so that nothing merges.
    name: String,
    version: String,
}

impl Package {
    fn locator(&self) -> String {
        format!("{}+{}${}", self.fetcher, self.name, self.version)
    }
}

fn package(rng: &mut Rng, i: usize) -> Package {
    let (fetcher, manager, names) = ECOSYSTEMS[index(rng, ECOSYSTEMS.len())];
    let base = pick(rng, names);
    let name = if i.is_multiple_of(3) {
        base.to_string()
    } else {
        format!("{base}-{}", i % 1000)
    };
    Package {
        fetcher,
        manager,
        name,
        version: format!(
            "{}.{}.{}",
            rng.random_range(0..6),
            rng.random_range(0..30),
            rng.random_range(0..20)
        ),
    }
}

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
        let pkg = package(&mut rng, i);
        let vulnerable = kind == "vulnerability";
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
            .opt(
                "fixedIn",
                vulnerable
                    .then(|| format!("{}-fix", pkg.version))
                    .as_deref(),
            )
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
        let pkg = package(&mut rng, i);
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
            obj = obj
                .s("vulnId", &format!("{cve}_{}+{}", pkg.fetcher, pkg.name))
                .s(
                    "title",
                    &format!("{} in {}", capital(&sentence(&mut rng, 5)), pkg.name),
                )
                .s("cve", &cve)
                .raw("cvss", cvss)
                .s("cvssVector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N")
                .s("severity", severity)
                .s(
                    "details",
                    &format!(
                        "{} {}. {}.",
                        pkg.name,
                        sentence(&mut rng, 40),
                        sentence(&mut rng, 25)
                    ),
                )
                .raw(
                    "remediation",
                    Obj::new()
                        .s("partialFix", &format!("{}-fix", pkg.version))
                        .s("partialFixDistance", "PATCH")
                        .s("completeFix", &format!("{}-fix", pkg.version))
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
                .strs("cwes", [format!("CWE-{}", 20 + i % 900)])
                .s("published", &format!("{}Z", iso_date(&mut rng)))
                .strs("affectedVersionRanges", [format!("<{}-fix", pkg.version)])
                .strs("patchedVersionRanges", [format!("{}-fix", pkg.version)])
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

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const LICENSE_TEXT: &str = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n";

/// `fossa report attribution --format json`: `findings` dependencies, a third direct.
pub(super) fn write_attribution(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let direct = options.findings / 3;
    let dependency = |i: usize, is_direct: bool| {
        let mut rng = rng(options.seed, 73, i);
        let pkg = package(&mut rng, i);
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
            .s(
                "description",
                &capital(&format!("{}.", sentence(&mut rng, 12))),
            )
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
        .map(|i| package(&mut rng(options.seed, 75, i), i))
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
