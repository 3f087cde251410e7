use crate::corpus;
use importers::{Finding, Importer, Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every Acunetix file in the corpus. We emit one finding per vulnerability type
/// per URL path (no query) per parameter; DefectDojo merges by title (XML: Name + Impact +
/// Recommendation; Acunetix 360: Name), which collapses different URLs into one finding.
const EXPECTED: &[(&str, &str, usize)] = &[
    // DefectDojo: 7 (19 items merged by title). The three CSRF items are at two paths
    // (/h/search, /m/zmain): two findings for us. The 6 + 6 cookie items are one cookie each
    // at `/` with no parameter: one finding per rule, listing each cookie in its details.
    ("acunetix/XML_http_example_co_id_.xml", "acunetix-xml", 8),
    (
        "acunetix/XML_http_example_co_id_port_num.xml",
        "acunetix-xml",
        8,
    ),
    (
        "acunetix/acunetix360_many_findings.json",
        "acunetix360-json",
        16,
    ),
    // DefectDojo: 1050 by Name. Ours is also 1050, by rule + path + parameter: the 300 extra
    // entries repeat another entry's type, URL and parameter.
    (
        "acunetix/acunetix360_many_findings_large_constructed.json",
        "acunetix360-json",
        1050,
    ),
    (
        "acunetix/acunetix360_multiple_cwe.json",
        "acunetix360-json",
        1,
    ),
    (
        "acunetix/acunetix360_one_finding.json",
        "acunetix360-json",
        1,
    ),
    (
        "acunetix/acunetix360_one_finding_accepted_risk.json",
        "acunetix360-json",
        1,
    ),
    (
        "acunetix/acunetix360_one_finding_false_positive.json",
        "acunetix360-json",
        1,
    ),
    (
        "acunetix/acunetix360_zero_finding.json",
        "acunetix360-json",
        0,
    ),
    ("acunetix/issue_10370.json", "acunetix360-json", 1),
    ("acunetix/issue_10435.json", "acunetix360-json", 1),
    ("acunetix/issue_11206.json", "acunetix360-json", 1),
    ("acunetix/many_findings.xml", "acunetix-xml", 4),
    (
        "acunetix/many_findings_with_port_number.xml",
        "acunetix-xml",
        4,
    ),
    ("acunetix/one_finding.xml", "acunetix-xml", 1),
    ("acunetix/one_finding_with_port_num.xml", "acunetix-xml", 1),
    ("acunetix/watson_test_unique.xml", "acunetix-xml", 1),
    // 69 ReportItems; DefectDojo's title merge would give 17. Four items repeat another's
    // rule, path and parameter (a cookie or form at the same path, and one `Cross site
    // scripting` next to its `(verified)` twin).
    (
        "acunetix-extra/xml_pro_variant_no_scan_header_testfire_69items.xml",
        "acunetix-xml",
        65,
    ),
];

const FOLDERS: [&str; 2] = ["acunetix", "acunetix-extra"];

fn import(file: &str) -> Vec<Finding> {
    corpus::import(file).1
}

fn by_title<'a>(findings: &'a [Finding], title: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.title == title).collect()
}

fn fingerprints(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.fingerprint.clone()).collect()
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut listed: Vec<String> = Vec::new();
    for folder in FOLDERS {
        for name in corpus::files(folder) {
            if name.ends_with(".json") || name.ends_with(".xml") {
                listed.push(format!("{folder}/{name}"));
            }
        }
    }
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Acunetix file in the corpus has an expected count"
    );
    for (file, format, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(imported.info.tool, "acunetix", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert!(
            imported.info.warnings.is_empty(),
            "{file}: {:?}",
            imported.info.warnings
        );
        assert_eq!(
            fingerprints(&findings).len(),
            findings.len(),
            "{file}: one finding per fingerprint"
        );
        for f in &findings {
            assert_eq!(f.kind, Kind::Web, "{file}");
            // Request/response excerpts stay in the raw report.
            let json = serde_json::to_string(f).expect("serialize");
            assert!(!json.contains("User-Agent:"), "{file}: {json}");
            assert!(!json.contains("HTTP/1.1"), "{file}: {json}");
        }
    }
}

#[test]
fn detection_claims_acunetix_files_only() {
    for entry in std::fs::read_dir(corpus::dir()).expect("corpus dir") {
        let entry = entry.expect("entry");
        if !entry.path().is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        for name in corpus::files(&folder) {
            let path = entry.path().join(&name);
            if path.is_dir() {
                continue;
            }
            let Ok(peeked) = importers::input::peek(std::fs::File::open(&path).expect("open"))
            else {
                continue;
            };
            let head = peeked.head_text();
            let ours = [
                &importers::acunetix::AcunetixXml as &dyn Importer,
                &importers::acunetix::Acunetix360Json,
                &importers::acunetix::AcunetixApiJson,
            ]
            .iter()
            .filter(|i| i.detect(&head))
            .count();
            let acunetix_report = folder.starts_with("acunetix")
                && (name.ends_with(".xml") || name.ends_with(".json"));
            assert_eq!(
                ours,
                usize::from(acunetix_report),
                "{folder}/{name}: claimed by {ours} Acunetix importers"
            );
            if acunetix_report {
                let picked = importers::detect(&head).expect("detected");
                assert_eq!(picked.tool(), "acunetix", "{folder}/{name}");
            }
        }
    }
}

#[test]
fn xml_one_finding_fields() {
    let (imported, findings) = corpus::import("acunetix/one_finding.xml");
    assert_eq!(imported.info.target.as_deref(), Some("vijaytest.com"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2018-09-24T18:09:55")
    );
    let f = &findings[0];
    assert_eq!(f.rule_id, "VijayReportItem1");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("medium"));
    assert_eq!(f.cwe, ["CWE-352"]);
    assert_eq!(f.category.as_deref(), Some("csrf"));
    assert_eq!(f.references, ["https://vijayref.com"]);
    assert_eq!(
        f.location.url.as_deref(),
        Some("https://vijaytest.com/some/path")
    );
    assert_eq!(f.location.target.as_deref(), Some("vijaytest.com"));
    assert_eq!(f.location.parameter, None);
    assert_eq!(f.remediation.as_deref(), Some("Vijay Test Recommendation"));
    let description = f.description.as_deref().expect("description");
    assert!(
        description.contains("Vijay Test Description"),
        "{description}"
    );
    assert!(
        description.contains("Impact: Vijay Test Imapact"),
        "{description}"
    );
    assert!(
        description.contains("Details:\nVijay Test"),
        "{description}"
    );
}

#[test]
fn xml_many_findings_fields() {
    let (imported, findings) = corpus::import("acunetix/many_findings.xml");
    assert_eq!(imported.info.target.as_deref(), Some("www.itsecgames.com"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2020-02-27T12:56:09")
    );
    let f = &findings[0];
    assert_eq!(f.title, "Slow HTTP Denial of Service Attack");
    assert_eq!(f.severity, Severity::Medium);
    let vectors: Vec<_> = f
        .cvss
        .iter()
        .map(|c| (c.version.as_str(), c.vector.as_deref(), c.score))
        .collect();
    assert_eq!(
        vectors,
        [
            ("2.0", Some("AV:N/AC:L/Au:N/C:N/I:N/A:P"), Some(5.0)),
            (
                "3.0",
                Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"),
                Some(5.3)
            ),
        ]
    );
    assert_eq!(
        f.location.url.as_deref(),
        Some("http://www.itsecgames.com/")
    );
    assert_eq!(f.references.len(), 2);
    let vhost = &findings[1];
    assert_eq!(vhost.title, "Possible virtual host found");
    assert_eq!(vhost.severity, Severity::Low);
    assert_eq!(vhost.cwe, ["CWE-200"]);
    // HTML reduced to text.
    let description = vhost.description.as_deref().expect("description");
    assert!(!description.contains("<strong>"), "{description}");
    let unencrypted = &findings[2];
    assert_eq!(unencrypted.title, "Unencrypted connection (verified)");
    assert_eq!(unencrypted.rule_id, "Unencrypted connection");
    assert_eq!(unencrypted.cwe, ["CWE-310"]);
}

#[test]
fn xml_keeps_every_path_and_lists_merged_instances() {
    let findings = import("acunetix/XML_http_example_co_id_.xml");
    let csrf = by_title(&findings, "HTML form without CSRF protection");
    let paths: Vec<_> = csrf.iter().map(|f| f.location.url.as_deref()).collect();
    assert_eq!(
        paths,
        [
            Some("http://example.co.id/h/search"),
            Some("http://example.co.id/m/zmain")
        ]
    );
    assert!(
        csrf.iter()
            .all(|f| f.location.parameter.as_deref() == Some("<empty>"))
    );
    let zmain = csrf[1].description.as_deref().expect("description");
    assert!(zmain.contains("Details (2 instances):"), "{zmain}");
    let cookies = by_title(&findings, "Cookie(s) without HttpOnly flag set (verified)");
    assert_eq!(cookies.len(), 1);
    let text = cookies[0].description.as_deref().expect("description");
    assert!(text.contains("Details (6 instances):"), "{text}");
    for cookie in [
        "ZM_AUTH_TOKEN",
        "JSESSIONID",
        "AUTH_TOKEN_TYPE",
        "ADMIN_AUTH_KEY",
    ] {
        assert!(text.contains(cookie), "{cookie} in {text}");
    }
    let csp = by_title(&findings, "Content Security Policy (CSP) not implemented");
    assert_eq!(csp[0].severity, Severity::Info);
}

#[test]
fn the_host_is_not_part_of_the_fingerprint() {
    for (a, b) in [
        (
            "acunetix/one_finding.xml",
            "acunetix/one_finding_with_port_num.xml",
        ),
        (
            "acunetix/many_findings.xml",
            "acunetix/many_findings_with_port_number.xml",
        ),
        (
            "acunetix/XML_http_example_co_id_.xml",
            "acunetix/XML_http_example_co_id_port_num.xml",
        ),
    ] {
        assert_eq!(
            fingerprints(&import(a)),
            fingerprints(&import(b)),
            "{a} vs {b}"
        );
    }
    let port = corpus::import("acunetix/XML_http_example_co_id_port_num.xml");
    assert_eq!(port.0.info.target.as_deref(), Some("example.co.id:9000"));
}

#[test]
fn xml_pro_variant_takes_the_host_from_requests() {
    let (imported, findings) =
        corpus::import("acunetix-extra/xml_pro_variant_no_scan_header_testfire_69items.xml");
    assert_eq!(imported.info.target.as_deref(), Some("demo.testfire.net"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2020-06-16T12:05:44")
    );
    let xss = &findings[0];
    assert_eq!(xss.title, "Cross site scripting (verified)");
    assert_eq!(xss.rule_id, "Cross site scripting");
    assert_eq!(xss.severity, Severity::High);
    assert_eq!(xss.severity_original.as_deref(), Some("High"));
    assert_eq!(xss.location.parameter.as_deref(), Some("content"));
    assert_eq!(xss.location.target.as_deref(), Some("demo.testfire.net"));
    // No scheme is known: the URL is the path the report gives.
    assert_eq!(xss.location.url.as_deref(), Some("/"));
    assert_eq!(xss.cwe, ["CWE-79"]);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    assert!(count(Severity::Info) > 0 && count(Severity::High) > 0);
    assert_eq!(count(Severity::Unknown), 0);
}

#[test]
fn acunetix360_fields() {
    let (imported, findings) = corpus::import("acunetix/acunetix360_one_finding.json");
    assert_eq!(
        imported.info.target.as_deref(),
        Some("http://php.testsparker.com/")
    );
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2021-06-25T09:53:00")
    );
    let f = &findings[0];
    assert_eq!(f.rule_id, "CookieNotMarkedAsHttpOnly");
    assert_eq!(f.title, "Cookie Not Marked as HttpOnly");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.cwe, ["CWE-16"]);
    assert_eq!(f.cvss.len(), 1);
    assert_eq!(
        f.cvss[0].vector.as_deref(),
        Some("CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:N/A:N/E:H/RL:O/RC:C")
    );
    assert_eq!(f.cvss[0].score, Some(5.7));
    assert_eq!(
        f.location.url.as_deref(),
        Some("http://php.testsparker.com/auth/login.php")
    );
    assert_eq!(f.location.target.as_deref(), Some("php.testsparker.com"));
    assert_eq!(f.tool_status.as_deref(), Some("Present"));
    assert_eq!(f.references.len(), 3);
    let description = f.description.as_deref().expect("description");
    assert!(
        description.starts_with("Acunetix360 identified a cookie"),
        "{description}"
    );
    assert!(
        description.contains("Identified Cookie(s): PHPSESSID"),
        "{description}"
    );
    assert!(
        f.remediation
            .as_deref()
            .expect("remediation")
            .contains("HTTPOnly")
    );

    let fp = import("acunetix/acunetix360_one_finding_false_positive.json");
    assert_eq!(fp[0].tool_status.as_deref(), Some("Present, FalsePositive"));
    let ar = import("acunetix/acunetix360_one_finding_accepted_risk.json");
    assert_eq!(ar[0].tool_status.as_deref(), Some("Present, AcceptedRisk"));
    let cwe = import("acunetix/acunetix360_multiple_cwe.json");
    assert_eq!(cwe[0].cwe, ["CWE-16", "CWE-200"]);
    let null_classification = import("acunetix/issue_10370.json");
    assert!(null_classification[0].cwe.is_empty());

    let many = import("acunetix/acunetix360_many_findings.json");
    let sqli = &many[1];
    assert_eq!(sqli.severity, Severity::Critical);
    assert_eq!(sqli.cwe, ["CWE-89"]);
    assert_eq!(sqli.location.parameter.as_deref(), Some("id"));
    assert_eq!(
        sqli.cvss[0].vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
    );
}

const API_PAGE: &str = r#"{
  "vulnerabilities": [
    {"vuln_id": "2276826584411160357", "vt_id": "e5d2f5a3-7bca-2a1d-9a3b-2a3a3a7b4c1d",
     "vt_name": "Cross site scripting", "severity": 3, "confidence": 95, "criticality": 10,
     "status": "open", "affects_url": "https://shop.example/search.php?q=1", "affects_detail": "q",
     "loc_id": 13, "target_id": "t1", "tags": ["CWE-79", "xss", "verified"],
     "last_seen": null},
    {"vuln_id": "2276826584411160358", "vt_id": "0a1b", "vt_name": "TLS 1.0 enabled",
     "severity": 4, "status": "fixed", "affects_url": "https://shop.example/",
     "affects_detail": "", "tags": ["CWE-327"], "last_seen": "2024-01-01T00:00:00+00:00",
     "description": "<p>Old <b>TLS</b></p>", "recommendation": "Disable it.",
     "references": [{"href": "https://example.org/tls", "rel": "ref"}],
     "cvss3": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", "cvss_score": 3.7},
    {"vuln_id": "3", "vt_id": "9", "vt_name": "Info", "severity": 0,
     "affects_url": "https://shop.example/a", "affects_detail": null}
  ],
  "pagination": {"count": 3, "cursor_hash": "x", "cursors": [null], "next_cursor": null, "sort": null}
}"#;

#[test]
fn acunetix_api_json() {
    let (imported, findings) = importers::import_to_vec(API_PAGE.as_bytes(), None).expect("import");
    assert_eq!(imported.format, "acunetix-api-json");
    assert_eq!(imported.info.target.as_deref(), Some("shop.example"));
    assert_eq!(findings.len(), 3);
    let xss = &findings[0];
    assert_eq!(xss.rule_id, "e5d2f5a3-7bca-2a1d-9a3b-2a3a3a7b4c1d");
    assert_eq!(xss.title, "Cross site scripting");
    assert_eq!(xss.severity, Severity::High);
    assert_eq!(xss.severity_original.as_deref(), Some("3"));
    assert_eq!(xss.cwe, ["CWE-79"]);
    assert_eq!(xss.location.parameter.as_deref(), Some("q"));
    assert_eq!(xss.tool_status.as_deref(), Some("open"));
    let tls = &findings[1];
    assert_eq!(tls.severity, Severity::Critical);
    assert_eq!(tls.description.as_deref(), Some("Old TLS"));
    assert_eq!(tls.location.parameter, None);
    assert_eq!(tls.cvss[0].score, Some(3.7));
    assert_eq!(tls.references, ["https://example.org/tls"]);
    assert_eq!(findings[2].severity, Severity::Info);

    // A saved list of pages imports the same findings.
    let pages = format!("[{API_PAGE}, {{\"vulnerabilities\": [], \"pagination\": {{}}}}]");
    let (_, again) = importers::import_to_vec(pages.as_bytes(), None).expect("import pages");
    assert_eq!(fingerprints(&again), fingerprints(&findings));
}

/// Reverses the order of `<ReportItem ...>...</ReportItem>` blocks inside `<ReportItems>`.
fn reverse_report_items(xml: &str) -> String {
    let start = xml.find("<ReportItems>").expect("ReportItems") + "<ReportItems>".len();
    let end = xml.rfind("</ReportItems>").expect("/ReportItems");
    let body = &xml[start..end];
    let mut items: Vec<&str> = body
        .split_inclusive("</ReportItem>")
        .filter(|s| s.contains("<ReportItem"))
        .collect();
    items.reverse();
    format!("{}{}\n{}", &xml[..start], items.concat(), &xml[end..])
}

/// Rewords a CDATA element's text everywhere.
fn reword(xml: &str, element: &str) -> String {
    let open = format!("<{element}><![CDATA[");
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        out.push_str(&rest[..i + open.len()]);
        out.push_str("Reworded by a newer scanner version. ");
        rest = &rest[i + open.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn xml_fingerprints_are_stable() {
    for file in [
        "acunetix/XML_http_example_co_id_.xml",
        "acunetix/many_findings.xml",
        "acunetix-extra/xml_pro_variant_no_scan_header_testfire_69items.xml",
    ] {
        let original = std::fs::read_to_string(corpus::path(file)).expect("read");
        let mut changed = reverse_report_items(&original);
        for element in [
            "Description",
            "Impact",
            "Recommendation",
            "Details",
            "Request",
        ] {
            changed = reword(&changed, element);
        }
        changed = changed
            .replace("id=\"1\"", "id=\"99\"")
            .replace("color=\"orange\"", "color=\"red\"")
            .replace(
                "ExportedOn=\"",
                "ExportedOn=\"01/01/2030, 00:00:00\" Old=\"",
            )
            .replace("\n", "\r\n\n   ")
            .replace(
                "<Name><![CDATA[Cross site scripting (verified)]]>",
                "<Name><![CDATA[Cross  site scripting]]>",
            );
        let before = importers::import_to_vec(original.as_bytes(), None).expect("original");
        let after = importers::import_to_vec(changed.as_bytes(), None).expect("changed");
        assert_eq!(after.1.len(), before.1.len(), "{file}");
        assert_eq!(fingerprints(&after.1), fingerprints(&before.1), "{file}");
    }
}

#[test]
fn acunetix360_fingerprints_are_stable() {
    let file = "acunetix/acunetix360_many_findings.json";
    let original = std::fs::read_to_string(corpus::path(file)).expect("read");
    let mut report: serde_json::Value = serde_json::from_str(&original).expect("json");
    let vulns = report["Vulnerabilities"].as_array_mut().expect("array");
    vulns.reverse();
    for v in vulns.iter_mut() {
        v["Name"] = format!("{} (renamed)", v["Name"].as_str().unwrap_or("")).into();
        v["Description"] = "<p>Reworded.</p>".into();
        v["LookupId"] = "00000000-0000-0000-0000-000000000000".into();
        v["Certainty"] = 50.into();
        v["LastSeenDate"] = "01/01/2030 01:00 AM".into();
        // A new payload in the query string.
        let url = v["Url"].as_str().unwrap_or("").to_string();
        let url = match url.split_once('?') {
            Some((path, _)) => format!("{path}?id=PAYLOAD"),
            None => url,
        };
        v["Url"] = url.into();
    }
    report["Generated"] = "01/01/2030 01:00 AM".into();
    let changed = serde_json::to_string(&report).expect("serialize");
    let before = importers::import_to_vec(original.as_bytes(), None).expect("original");
    let after = importers::import_to_vec(changed.as_bytes(), None).expect("changed");
    assert_eq!(fingerprints(&after.1), fingerprints(&before.1));
}

#[test]
fn snapshot_of_many_findings_xml() {
    let findings = import("acunetix/many_findings.xml");
    insta::assert_json_snapshot!("acunetix_many_findings_xml", findings);
}

#[test]
fn snapshot_of_acunetix360_one_finding() {
    let findings = import("acunetix/acunetix360_one_finding.json");
    insta::assert_json_snapshot!("acunetix360_one_finding_json", findings);
}

#[test]
fn xml_in_utf16le_and_utf8_bom_with_crlf_imports_the_same() {
    let text = std::fs::read_to_string(corpus::path("acunetix/many_findings.xml")).expect("read");
    let expected = fingerprints(&import("acunetix/many_findings.xml"));
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let mut bom_crlf = b"\xEF\xBB\xBF".to_vec();
    bom_crlf.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    for bytes in [utf16, bom_crlf] {
        let (imported, findings) = importers::import_to_vec(&bytes[..], None).expect("import");
        assert_eq!(imported.format, "acunetix-xml");
        assert_eq!(fingerprints(&findings), expected);
    }
}
