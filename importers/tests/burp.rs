use crate::corpus;
use importers::{Finding, Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every Burp file in the corpus: one finding per issue type (per name for the
/// issues extensions report, which all share one type) per site per URL path. DefectDojo keeps
/// one finding per type for the whole report (its counts: 1, 1, 1, 20), and reads no Burp
/// Suite DAST JSON.
const EXPECTED: &[(&str, &str, usize)] = &[
    // Hand-written from PortSwigger's GraphQL schema (corpus/burp/SOURCES.md): 10 issues, two
    // SQL injections at /search and two Vulners issues at /v1/orders merged: 8.
    (
        "burp/handwritten-burp-dast-graphql-issue.json",
        "burp-dast-json",
        1,
    ),
    (
        "burp/handwritten-burp-dast-graphql-scan-issues.json",
        "burp-dast-json",
        8,
    ),
    // 441 issues. DefectDojo: 20 types. The 344 issues of extensions (type 134217728: five
    // header checks, `Detailed Error Messages Revealed`, Vulners) are 8 names; with the 19
    // other types, 27 rules at the paths they were found: 421 findings. The 20 merged issues
    // are one per parameter or per file at the same path (`/comment.php [name parameter]`,
    // `/index.bak` next to `/index.zip`).
    ("burp/issue4399.xml", "burp-xml", 421),
    // Three SQL injection issues at two paths: `basket.jsp` (cookie) and `login.jsp` (two
    // parameters, merged). DefectDojo: 1 with three locations.
    ("burp/one_finding.xml", "burp-xml", 2),
    ("burp/one_finding_with_blank_response.xml", "burp-xml", 1),
    ("burp/one_finding_with_cwe.xml", "burp-xml", 1),
];

fn by_title<'a>(findings: &'a [Finding], title: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.title == title).collect()
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("burp")
        .into_iter()
        .map(|name| format!("burp/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(listed, expected, "every Burp file has an expected count");
    for (file, format, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(imported.info.tool, "burp", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fingerprints.len(), findings.len(), "{file}");
        for f in &findings {
            assert_eq!(f.kind, Kind::Web, "{file}");
            // Requests and responses stay in the raw report: no header line and no base64.
            let json = serde_json::to_string(f).expect("serialize");
            assert!(!json.contains("User-Agent:"), "{file}: {json}");
            assert!(!json.contains("R0VUIC"), "{file}: {json}");
            assert!(!json.contains("<p>"), "{file}: HTML left in {json}");
        }
    }
}

#[test]
fn one_finding_merges_the_parameters_of_one_path() {
    let (imported, findings) = corpus::import("burp/one_finding.xml");
    assert_eq!(imported.info.tool_version.as_deref(), Some("1.6.05"));
    assert_eq!(imported.info.target.as_deref(), Some("http://bwa"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2014-09-13T22:39:44")
    );
    let basket = &findings[0];
    assert_eq!(basket.rule_id, "1049088");
    assert_eq!(basket.title, "SQL injection");
    assert_eq!(basket.severity, Severity::High);
    assert_eq!(basket.severity_original.as_deref(), Some("High"));
    assert_eq!(basket.tool_status.as_deref(), Some("firm"));
    assert_eq!(
        basket.location.url.as_deref(),
        Some("http://bwa/bodgeit/basket.jsp")
    );
    assert_eq!(basket.location.parameter.as_deref(), Some("b_id cookie"));
    let login = &findings[1];
    assert_eq!(
        login.location.url.as_deref(),
        Some("http://bwa/bodgeit/login.jsp")
    );
    assert_eq!(
        login.location.parameter.as_deref(),
        Some("password parameter, username parameter")
    );
    assert_eq!(login.tool_status.as_deref(), Some("tentative"));
    let description = login.description.as_deref().expect("description");
    assert!(
        description.contains("Details (2 instances):"),
        "{description}"
    );
    assert!(
        description.contains("Request: POST /bodgeit/login.jsp HTTP/1.1"),
        "{description}"
    );
    // HTML reduced to text.
    assert!(!description.contains("<br>"), "{description}");
    assert!(
        login
            .remediation
            .as_deref()
            .is_some_and(|r| r.contains("parameterized queries"))
    );
}

#[test]
fn cwe_and_references_come_from_the_classifications() {
    let (_, findings) = corpus::import("burp/one_finding_with_cwe.xml");
    let f = &findings[0];
    assert_eq!(f.rule_id, "7340288");
    assert_eq!(f.title, "Cacheable HTTPS response");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.severity_original.as_deref(), Some("Information"));
    assert_eq!(f.cwe, ["CWE-524", "CWE-525"]);
    assert_eq!(
        f.references,
        [
            "https://cwe.mitre.org/data/definitions/524.html",
            "https://cwe.mitre.org/data/definitions/525.html"
        ]
    );
    assert_eq!(f.location.target.as_deref(), Some("https://example.com"));
    assert_eq!(
        f.location.url.as_deref(),
        Some("https://example.com/test/v4/public/users/fake")
    );
}

#[test]
fn issue4399_extension_issues_keep_their_names_and_cves() {
    let (_, findings) = corpus::import("burp/issue4399.xml");
    let first = &findings[0];
    assert_eq!(first.title, "Unencrypted communications");
    assert_eq!(first.rule_id, "16777728");
    assert_eq!(first.cwe, ["CWE-326"]);
    assert_eq!(first.severity, Severity::Low);
    let errors = by_title(&findings, "Detailed Error Messages Revealed");
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|f| f.rule_id == "134217728:Detailed Error Messages Revealed")
    );
    let vulners = by_title(&findings, "[Vulners] Vulnerable Software detected");
    assert_eq!(vulners.len(), 1);
    assert_eq!(vulners[0].severity, Severity::Medium);
    assert!(
        vulners[0].aliases.contains(&"CVE-2018-19396".to_string()),
        "{:?}",
        vulners[0].aliases
    );
    // One finding per rule and path: the XSS issues at /comment.php (three parameters) merge.
    let xss: Vec<_> = by_title(&findings, "Cross-site scripting (reflected)")
        .into_iter()
        .filter(|f| f.location.url.as_deref() == Some("http://testphp.vulnweb.com/comment.php"))
        .collect();
    assert_eq!(xss.len(), 1);
    let parameter = xss[0].location.parameter.as_deref().expect("parameters");
    assert!(parameter.starts_with("name parameter, "), "{parameter}");
}

#[test]
fn the_identity_is_the_type_the_site_and_the_path() {
    let issue = |host: &str, path: &str, location: &str, name: &str| {
        format!(
            "<issue><serialNumber>1</serialNumber><type>1049088</type><name>{name}</name><host ip=\"10.0.0.1\">{host}</host><path>{path}</path><location>{location}</location><severity>High</severity><confidence>Certain</confidence></issue>"
        )
    };
    let report = |issues: &[String]| {
        format!(
            "<?xml version=\"1.0\"?>\n<issues burpVersion=\"2024.1\" exportTime=\"Mon Jan 01 10:00:00 UTC 2024\">{}</issues>",
            issues.concat()
        )
    };
    let one = report(&[issue(
        "http://a.example",
        "/x",
        "/x [q parameter]",
        "SQL injection",
    )]);
    let renamed = report(&[issue(
        "HTTP://A.example:80",
        "/x?z=1",
        "/x [other parameter]",
        "SQL injection (renamed)",
    )]);
    let other_site = report(&[issue("https://a.example", "/x", "/x", "SQL injection")]);
    let fp = |xml: &str| {
        importers::import_to_vec(xml.as_bytes(), None)
            .expect("import")
            .1[0]
            .fingerprint
            .clone()
    };
    assert_eq!(
        fp(&one),
        fp(&renamed),
        "name, query, parameter and default port are not identity"
    );
    assert_ne!(fp(&one), fp(&other_site), "the scheme is part of the site");
}

#[test]
fn detection_claims_the_burp_files_and_no_other() {
    let files: Vec<(&str, &str)> = EXPECTED.iter().map(|(f, fmt, _)| (*f, *fmt)).collect();
    corpus::assert_claims_only("burp", &files);
}

#[test]
fn dast_scan_issues_keep_what_burp_says() {
    let (imported, findings) =
        corpus::import("burp/handwritten-burp-dast-graphql-scan-issues.json");
    assert_eq!(imported.info.target.as_deref(), Some("Shop storefront"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2026-11-02T10:02:47.118Z")
    );
    assert_eq!(imported.info.tool_version, None);
    assert!(!imported.info.partial);
    let sqli: Vec<_> = by_title(&findings, "SQL injection");
    assert_eq!(sqli.len(), 2, "/search and /product");
    let search = sqli[0];
    assert_eq!(search.rule_id, "1049088");
    assert_eq!(search.kind, Kind::Web);
    assert_eq!(search.severity, Severity::High);
    assert_eq!(search.severity_original.as_deref(), Some("high"));
    assert_eq!(
        search.tool_status.as_deref(),
        Some("certain"),
        "the strongest confidence"
    );
    assert_eq!(search.cwe, ["CWE-89"]);
    assert_eq!(
        search.location.url.as_deref(),
        Some("https://shop.example.test/search")
    );
    assert_eq!(
        search.location.target.as_deref(),
        Some("https://shop.example.test")
    );
    assert!(
        search
            .references
            .contains(&"https://portswigger.net/web-security/sql-injection".to_string())
    );
    let description = search.description.as_deref().expect("description");
    assert!(
        description.contains("Details (2 instances):"),
        "{description}"
    );
    assert!(description.contains("Novelty: first"), "{description}");
    assert!(!description.contains("<p>"), "{description}");
    assert_eq!(
        sqli[1].location.url.as_deref(),
        Some("https://shop.example.test/product"),
        "the query is not part of the path"
    );
    let cookie = &by_title(&findings, "TLS cookie without secure flag set")[0];
    assert_eq!(cookie.tool_status.as_deref(), Some("accepted_risk"));
    assert_eq!(
        domain::ToolDecision::of("accepted_risk"),
        Some(domain::ToolDecision::Accepted)
    );
    assert_eq!(
        cookie.location.url.as_deref(),
        Some("https://shop.example.test/")
    );
    let reflected = &by_title(&findings, "Input returned in response (reflected)")[0];
    assert_eq!(reflected.tool_status.as_deref(), Some("false_positive"));
    assert_eq!(reflected.severity, Severity::Info);
    let vulners = by_title(&findings, "[Vulners] Vulnerable Software detected");
    assert_eq!(vulners.len(), 1);
    assert_eq!(
        vulners[0].rule_id,
        "134217728:[Vulners] Vulnerable Software detected"
    );
    assert_eq!(
        vulners[0].severity,
        Severity::High,
        "the highest of the merged issues"
    );
    assert_eq!(vulners[0].aliases, ["CVE-2021-23017", "CVE-2021-3711"]);
    assert_eq!(
        vulners[0].location.target.as_deref(),
        Some("https://api.shop.example.test:8443")
    );
}

#[test]
fn a_dast_issue_has_the_fingerprint_of_the_same_issue_in_the_xml_export() {
    let (_, json) = corpus::import("burp/handwritten-burp-dast-graphql-issue.json");
    let xml = "<?xml version=\"1.0\"?>\n<issues burpVersion=\"2024.1\" exportTime=\"Mon Jan 01 10:00:00 UTC 2024\"><issue><serialNumber>1</serialNumber><type>5244416</type><name>Cookie without HttpOnly flag set</name><host ip=\"10.0.0.1\">http://intranet.example.test:8080</host><path>/login</path><location>/login</location><severity>Low</severity><confidence>Firm</confidence></issue></issues>";
    let (_, from_xml) = importers::import_to_vec(xml.as_bytes(), None).expect("import");
    assert_eq!(json.len(), 1);
    assert_eq!(json[0].fingerprint, from_xml[0].fingerprint);
    assert_eq!(json[0].rule_id, "5244416");
    assert_eq!(
        json[0].location.url.as_deref(),
        Some("http://intranet.example.test:8080/login")
    );
    assert_eq!(json[0].tool_status.as_deref(), Some("firm"));
}

#[test]
fn a_dast_response_without_issues_or_with_errors_is_refused_or_warned() {
    let import = |text: &str| importers::import_to_vec(text.as_bytes(), Some("burp-dast-json"));
    let err = import(r#"{"data": null, "errors": [{"message": "Scan not found"}]}"#)
        .expect_err("no issues");
    assert!(err.to_string().contains("Scan not found"), "{err}");
    let err = import(r#"{"data": {"scans": []}}"#).expect_err("no scan");
    assert!(err.to_string().contains("burp-dast-json"), "{err}");
    let (imported, findings) = import(
        r#"{"data": {"scan": {"status": "running", "issues": []}}, "errors": [{"message": "partial"}]}"#,
    )
    .expect("imports");
    assert!(findings.is_empty());
    assert!(
        imported.info.partial,
        "a running scan has not reported every issue"
    );
    assert_eq!(
        imported.info.warnings.len(),
        2,
        "{:?}",
        imported.info.warnings
    );
    let (imported, findings) = import(
        r#"{"data": {"scan": {"issues": [{"severity": "high", "origin": "https://a.test", "path": "/"}]}}}"#,
    )
    .expect("imports");
    assert!(findings.is_empty());
    assert_eq!(imported.info.warnings.len(), 1);
}

#[test]
fn snapshot_of_a_dast_response() {
    let (imported, findings) =
        corpus::import("burp/handwritten-burp-dast-graphql-scan-issues.json");
    insta::assert_json_snapshot!("burp_dast_scan_issues", (imported.info, findings));
}
