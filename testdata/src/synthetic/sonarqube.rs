//! Synthetic SonarQube reports: a page of `api/issues/search` (`sonarqube-api-json`, 10.x shape
//! with legacy severity and type, `impacts`, Clean Code attributes, `textRange` and line hash)
//! and the sonar-report JSON export (`sonar-report-json`, with `rules` and their HTML
//! descriptions, `issues` and `hotspotKeys`).

use rand::RngExt;
use std::io::{self, Write};

use super::{
    Obj, Rng, SyntheticOptions, hex, index, iso_date, js, pick, prose, raw_list, rng, write_records,
};

struct Rule {
    key: &'static str,
    name: &'static str,
    message: &'static str,
    kind: &'static str,
    severity: &'static str,
    quality: &'static str,
    impact: &'static str,
    attribute: (&'static str, &'static str),
    tags: &'static [&'static str],
    hotspot: bool,
    cwe: u32,
}

const RULES: &[Rule] = &[
    Rule {
        key: "python:S3776",
        name: "Cognitive Complexity of functions should not be too high",
        message: "Refactor this function to reduce its Cognitive Complexity from 23 to the 15 allowed.",
        kind: "CODE_SMELL",
        severity: "CRITICAL",
        quality: "MAINTAINABILITY",
        impact: "HIGH",
        attribute: ("FOCUSED", "ADAPTABLE"),
        tags: &["brain-overload"],
        hotspot: false,
        cwe: 0,
    },
    Rule {
        key: "python:S5131",
        name: "Endpoints should not be vulnerable to reflected cross-site scripting (XSS) attacks",
        message: "Change this code to not reflect user-controlled data.",
        kind: "VULNERABILITY",
        severity: "BLOCKER",
        quality: "SECURITY",
        impact: "BLOCKER",
        attribute: ("COMPLETE", "INTENTIONAL"),
        tags: &["cwe", "owasp-a3", "sans-top25"],
        hotspot: false,
        cwe: 79,
    },
    Rule {
        key: "python:S2077",
        name: "Formatting SQL queries is security-sensitive",
        message: "Make sure using a dynamically formatted SQL query is safe here.",
        kind: "SECURITY_HOTSPOT",
        severity: "MAJOR",
        quality: "SECURITY",
        impact: "MEDIUM",
        attribute: ("COMPLETE", "INTENTIONAL"),
        tags: &["cwe", "bad-practice", "sql"],
        hotspot: true,
        cwe: 89,
    },
    Rule {
        key: "python:S1192",
        name: "String literals should not be duplicated",
        message: "Define a constant instead of duplicating this literal \"application/json\" 4 times.",
        kind: "CODE_SMELL",
        severity: "CRITICAL",
        quality: "MAINTAINABILITY",
        impact: "HIGH",
        attribute: ("DISTINCT", "ADAPTABLE"),
        tags: &["design"],
        hotspot: false,
        cwe: 0,
    },
    Rule {
        key: "javascript:S2259",
        name: "Properties of variables with \"null\" or \"undefined\" values should not be accessed",
        message: "TypeError can be thrown as \"user\" might be null or undefined here.",
        kind: "BUG",
        severity: "MAJOR",
        quality: "RELIABILITY",
        impact: "MEDIUM",
        attribute: ("LOGICAL", "INTENTIONAL"),
        tags: &["symbolic-execution"],
        hotspot: false,
        cwe: 476,
    },
    Rule {
        key: "javascript:S4502",
        name: "Disabling CSRF protections is security-sensitive",
        message: "Make sure disabling CSRF protection is safe here.",
        kind: "SECURITY_HOTSPOT",
        severity: "CRITICAL",
        quality: "SECURITY",
        impact: "HIGH",
        attribute: ("COMPLETE", "INTENTIONAL"),
        tags: &["cwe", "owasp-a6"],
        hotspot: true,
        cwe: 352,
    },
    Rule {
        key: "java:S2095",
        name: "Resources should be closed",
        message: "Use try-with-resources or close this \"FileInputStream\" in a \"finally\" clause.",
        kind: "BUG",
        severity: "BLOCKER",
        quality: "RELIABILITY",
        impact: "HIGH",
        attribute: ("COMPLETE", "INTENTIONAL"),
        tags: &["cwe", "denial-of-service"],
        hotspot: false,
        cwe: 459,
    },
    Rule {
        key: "java:S1135",
        name: "Track uses of \"TODO\" tags",
        message: "Complete the task associated to this TODO comment.",
        kind: "CODE_SMELL",
        severity: "INFO",
        quality: "MAINTAINABILITY",
        impact: "INFO",
        attribute: ("COMPLETE", "INTENTIONAL"),
        tags: &["cwe"],
        hotspot: false,
        cwe: 546,
    },
    Rule {
        key: "docker:S7018",
        name: "Package names should be sorted alphanumerically",
        message: "Sort these package names alphanumerically.",
        kind: "CODE_SMELL",
        severity: "MINOR",
        quality: "MAINTAINABILITY",
        impact: "LOW",
        attribute: ("CONVENTIONAL", "CONSISTENT"),
        tags: &[],
        hotspot: false,
        cwe: 0,
    },
];

/// "Ask Yourself Whether" questions of the security rules' descriptions.
const ASK: &[&str] = &[
    "Is the data coming from a user or another untrusted source?",
    "Is the code reachable from an endpoint that needs no authentication?",
    "Does the value end up in a query, a command or a page?",
    "Is the service exposed to the internet?",
    "Are there checks upstream that you rely on but do not control?",
];

const DIRS: &[&str] = &[
    "src/shop/api",
    "src/shop/orders",
    "src/shop/users",
    "src/common",
    "web/static/js",
    "web/templates",
    "services/billing",
    "services/search",
    "lib/util",
];
const FILES: &[&str] = &[
    "views", "handlers", "models", "forms", "utils", "client", "service", "routes", "helpers",
];
const AUTHORS: &[&str] = &[
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
    "",
];

fn project(seed: u64) -> String {
    format!("shop-backend-{}", seed % 100)
}

/// The file of record `i`: a few hundred files per report, several issues each.
fn file(rng: &mut Rng, rule: &Rule, i: usize) -> String {
    let ext = match rule.key.split(':').next() {
        Some("javascript") => "js",
        Some("java") => "java",
        Some("docker") => return format!("{}/Dockerfile", pick(rng, DIRS)),
        _ => "py",
    };
    format!("{}/{}_{}.{ext}", pick(rng, DIRS), pick(rng, FILES), i % 300)
}

fn html_desc(rule: &Rule, rng: &mut Rng) -> String {
    let cwe = if rule.cwe > 0 {
        format!(
            "<h2>Resources</h2>\n<ul>\n  <li> <a href=\"https://cwe.mitre.org/data/definitions/{0}\">MITRE, CWE-{0}</a> </li>\n  <li> <a href=\"https://owasp.org/Top10/\">OWASP Top 10 2021</a> </li>\n</ul>",
            rule.cwe
        )
    } else {
        String::new()
    };
    format!(
        "<p>{}. {}</p>\n<h2>Ask Yourself Whether</h2>\n<ul>\n  <li> {} </li>\n  <li> {} </li>\n</ul>\n<p>There is a risk if you answered yes to any of those questions.</p>\n<h2>Recommended Secure Coding Practices</h2>\n<ul>\n  <li> {} </li>\n</ul>\n<h2>Sensitive Code Example</h2>\n<pre>\ndef handler(request):\n    query = \"SELECT * FROM users WHERE id = %s\" % request.GET[\"id\"]  # Sensitive\n    return cursor.execute(query)\n</pre>\n<h2>Compliant Solution</h2>\n<pre>\ndef handler(request):\n    return cursor.execute(\"SELECT * FROM users WHERE id = %s\", [request.GET[\"id\"]])\n</pre>\n{cwe}",
        rule.name,
        prose(rng, 2),
        pick(rng, ASK),
        pick(rng, ASK),
        prose(rng, 1)
    )
}

/// A page of `api/issues/search` holding every issue (`paging.total` says so).
pub(super) fn write_api(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let project = project(options.seed);
    let n = options.findings;
    write!(
        out,
        "{{\n  \"total\": {n},\n  \"p\": 1,\n  \"ps\": {ps},\n  \"paging\": {{\"pageIndex\": 1, \"pageSize\": {ps}, \"total\": {n}}},\n  \"effortTotal\": {},\n  \"issues\": [",
        n * 7,
        ps = n.max(1),
    )?;
    let statuses = [
        ("OPEN", None, "OPEN"),
        ("OPEN", None, "OPEN"),
        ("OPEN", None, "OPEN"),
        ("CONFIRMED", None, "CONFIRMED"),
        ("RESOLVED", Some("WONTFIX"), "ACCEPTED"),
        ("RESOLVED", Some("FALSE-POSITIVE"), "FALSE_POSITIVE"),
    ];
    let mut files = std::collections::BTreeSet::new();
    write_records(out, n, "    ", |i| {
        let mut rng = rng(options.seed, 40, i);
        let rule = loop {
            let r = &RULES[index(&mut rng, RULES.len())];
            if !r.hotspot {
                break r;
            }
        };
        let file = file(&mut rng, rule, i);
        if files.len() < 5000 {
            files.insert(file.clone());
        }
        let line = rng.random_range(1..900);
        let (status, resolution, issue_status) = statuses[index(&mut rng, statuses.len())];
        let mut obj = Obj::new()
            .s("key", &format!("AY{}", hex(&mut rng, 18)))
            .s("rule", rule.key)
            .s("severity", rule.severity)
            .s("component", &format!("{project}:{file}"))
            .s("project", &project)
            .raw("line", line)
            .s("hash", &hex(&mut rng, 32))
            .raw(
                "textRange",
                Obj::new()
                    .raw("startLine", line)
                    .raw("endLine", line + rng.random_range(0..4))
                    .raw("startOffset", rng.random_range(0..20))
                    .raw("endOffset", rng.random_range(20..90))
                    .done(),
            )
            .raw("flows", "[]")
            .s("status", status);
        if let Some(resolution) = resolution {
            obj = obj.s("resolution", resolution);
        }
        let created = iso_date(&mut rng);
        obj.s("message", rule.message)
            .s("effort", &format!("{}min", 5 * rng.random_range(1..7)))
            .s("debt", "5min")
            .s("author", pick(&mut rng, AUTHORS))
            .strs("tags", rule.tags)
            .s("creationDate", &format!("{created}+0000"))
            .s("updateDate", &format!("{created}+0000"))
            .s("type", rule.kind)
            .s("scope", "MAIN")
            .raw("quickFixAvailable", false)
            .raw("messageFormattings", "[]")
            .raw("codeVariants", "[]")
            .s("cleanCodeAttribute", rule.attribute.0)
            .s("cleanCodeAttributeCategory", rule.attribute.1)
            .raw(
                "impacts",
                raw_list([Obj::new()
                    .s("softwareQuality", rule.quality)
                    .s("severity", rule.impact)
                    .done()]),
            )
            .s("issueStatus", issue_status)
            .raw("prioritizedRule", false)
            .done()
    })?;
    // An empty page is written `"issues": []`, as SonarQube does.
    out.write_all(if n == 0 { b"]" } else { b"\n  ]" })?;
    out.write_all(b",\n  \"components\": [")?;
    let mut components = vec![
        Obj::new()
            .s("key", &project)
            .raw("enabled", true)
            .s("qualifier", "TRK")
            .s("name", &project)
            .s("longName", &project)
            .done(),
    ];
    for f in &files {
        components.push(
            Obj::new()
                .s("key", &format!("{project}:{f}"))
                .raw("enabled", true)
                .s("qualifier", "FIL")
                .s("name", f.rsplit('/').next().unwrap_or(f))
                .s("longName", f)
                .s("path", f)
                .done(),
        );
    }
    write_records(out, components.len(), "    ", |k| components[k].clone())?;
    out.write_all(b"\n  ],\n  \"facets\": []\n}\n")
}

/// The sonar-report JSON export: rules with HTML descriptions, issues, hotspot keys.
pub(super) fn write_sonar_report(
    out: &mut dyn Write,
    options: &SyntheticOptions,
) -> io::Result<()> {
    let project = project(options.seed);
    write!(
        out,
        "{{\n  \"date\": \"Thursday, Jun 18, 2026\",\n  \"projectName\": {p},\n  \"inNewCodePeriod\": false,\n  \"allBugs\": false,\n  \"fixMissingRule\": false,\n  \"noSecurityHotspot\": false,\n  \"noRulesInReport\": false,\n  \"onlyDetectedRules\": true,\n  \"vulnerabilityPhrase\": \"Vulnerability\",\n  \"noCoverage\": true,\n  \"vulnerabilityPluralPhrase\": \"Vulnerabilities\",\n  \"sonarBaseURL\": \"https://sonar.example.com\",\n  \"sonarComponent\": {p},\n  \"rules\": {{",
        p = js(&project)
    )?;
    let mut rule_rng = rng(options.seed, 50, 0);
    for (k, rule) in RULES.iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "\n    {}: {}",
            js(rule.key),
            Obj::new()
                .s("name", rule.name)
                .s("htmlDesc", &html_desc(rule, &mut rule_rng))
                .done()
        )?;
    }
    out.write_all(b"\n  },\n  \"issues\": [")?;
    let mut hotspots = Vec::new();
    let mut counts = [0usize; 4];
    write_records(out, options.findings, "    ", |i| {
        let mut rng = rng(options.seed, 51, i);
        let rule = &RULES[index(&mut rng, RULES.len())];
        let key = format!("AY{}", hex(&mut rng, 18));
        let status = if rule.hotspot {
            hotspots.push(key.clone());
            "TO_REVIEW"
        } else {
            "OPEN"
        };
        match rule.severity {
            "BLOCKER" => counts[0] += 1,
            "CRITICAL" => counts[1] += 1,
            "MAJOR" => counts[2] += 1,
            _ => counts[3] += 1,
        }
        let file = file(&mut rng, rule, i);
        Obj::new()
            .s("rule", rule.key)
            .s("severity", rule.severity)
            .s("status", status)
            .s("component", &file)
            .raw("line", rng.random_range(1..900))
            .s("description", rule.name)
            .s("message", rule.message)
            .s("key", &key)
            .done()
    })?;
    out.write_all(b"\n  ],\n  \"hotspotKeys\": [")?;
    write_records(out, hotspots.len(), "    ", |k| js(&hotspots[k]))?;
    write!(
        out,
        "\n  ],\n  \"deltaAnalysis\": \"No\",\n  \"qualityGateStatusPeriodDate\": \"2026-05-15\",\n  \"qualityGateStatus\": {{\"projectStatus\": {{\"status\": \"ERROR\", \"conditions\": [{{\"status\": \"ERROR\", \"metricKey\": \"new security rating\", \"comparator\": \"GT\", \"errorThreshold\": \"A\", \"actualValue\": \"E\"}}], \"ignoredConditions\": false, \"caycStatus\": \"compliant\"}}}},\n  \"summary\": {{\"blocker\": {}, \"critical\": {}, \"major\": {}, \"minor\": {}}}\n}}\n",
        counts[0], counts[1], counts[2], counts[3]
    )
}
