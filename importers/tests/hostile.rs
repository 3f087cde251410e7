//! Hostile input: no panic, no partial success, clear errors, on any bytes.

use crate::corpus;
use importers::ImportError;
use proptest::prelude::*;

/// Corpus folders whose every file is cut in the truncation test.
const TRUNCATION_FOLDERS: &[&str] = &[
    "trivy",
    "trivy-0.76",
    "acunetix",
    "acunetix-extra",
    "sonarqube",
    "sonarqube-extra",
    "api_sonarqube",
    "api_sonarqube/hotspots",
    "sarif",
    "fossa",
    "tfsec-extra",
    "tfsec",
    "burp",
    "zap",
    "aws_inspector2",
    "awssecurityhub",
    "ecr",
    "kubebench",
    "trivy_operator",
    "semgrep",
    "bandit",
    "checkov",
    "sonarqube-quality-gate",
    "anchore_grype",
    "osv_scanner",
    "snyk",
    "dependabot",
    "cyclonedx",
    "mend",
];

/// Every corpus file of every importer, cut at 20 points, gives an error (never a panic, never
/// a "successful" partial import).
#[test]
fn truncated_corpus_files_are_errors() {
    for folder in TRUNCATION_FOLDERS {
        for name in corpus::files(folder) {
            let path = corpus::dir().join(folder).join(&name);
            if !path.is_file() || name == "README.md" {
                continue;
            }
            let bytes = std::fs::read(path).expect("read corpus file");
            let trimmed_len = bytes.trim_ascii_end().len();
            if trimmed_len < 8 {
                continue; // `null`: nothing to cut.
            }
            for i in 1..=20 {
                let cut = trimmed_len * i / 21;
                let result = importers::import_to_vec(&bytes[..cut], None);
                assert!(
                    result.is_err(),
                    "{folder}/{name} cut at {cut} of {} imported",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn empty_and_blank_inputs_are_empty_errors() {
    for input in [&b""[..], b"   \n\t ", b"\xEF\xBB\xBF", b"\xFF\xFE"] {
        let err = importers::import_to_vec(input, None).expect_err("empty input");
        assert!(matches!(err, ImportError::Empty), "{input:?}: {err}");
    }
}

#[test]
fn unknown_content_is_unrecognized() {
    let err = importers::import_to_vec(&b"hello, world"[..], None).expect_err("not a report");
    assert!(matches!(err, ImportError::Unrecognized { .. }), "{err}");
}

#[test]
fn trivy_errors_name_format_and_position() {
    let input = br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": 5}]}]}"#;
    let err =
        importers::import_to_vec(&input[..], None).expect_err("number where a string belongs");
    let text = err.to_string();
    assert!(text.starts_with("trivy-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn invalid_utf8_is_an_error() {
    let input = b"{\"SchemaVersion\": 2, \"ArtifactName\": \"\xff\xfe\xfa\", \"Results\": []}";
    assert!(importers::import_to_vec(&input[..], None).is_err());
}

#[test]
fn utf16le_with_bom_imports_like_utf8() {
    let utf8 = std::fs::read(corpus::path("trivy/scheme_2_many_vulns.json")).expect("read");
    let text = String::from_utf8(utf8).expect("utf8");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let (_, findings) = importers::import_to_vec(&utf16[..], None).expect("utf-16 import");
    assert_eq!(findings.len(), 5);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Packages": "#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn acunetix_xml_billion_laughs_is_an_error_without_expansion() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE ScanGroup [\n<!ENTITY lol \"lol\">\n");
    xml.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = format!("&lol{};", i - 1);
        xml.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    xml.push_str("]>\n<ScanGroup><Scan><ReportItems><ReportItem><Name>&lol9;</Name>");
    xml.push_str("<Affects>/</Affects></ReportItem></ReportItems></Scan></ScanGroup>");
    let started = std::time::Instant::now();
    let err = importers::import_to_vec(xml.as_bytes(), None).expect_err("custom entity");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let text = err.to_string();
    assert!(text.starts_with("acunetix-xml: "), "{text}");
    assert!(text.contains("&lol9;"), "{text}");
}

#[test]
fn acunetix_xml_external_entity_is_never_resolved() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE ScanGroup [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n\
        <ScanGroup><Scan><ReportItems><ReportItem><Name>x&xxe;</Name></ReportItem></ReportItems></Scan></ScanGroup>";
    let err = importers::import_to_vec(xml.as_bytes(), None).expect_err("external entity");
    assert!(!err.to_string().contains("root:"), "{err}");
}

#[test]
fn acunetix_xml_unclosed_document_is_an_error() {
    let xml = "<ScanGroup><Scan><ReportItems><ReportItem><Name>x</Name></ReportItem>";
    let err = importers::import_to_vec(xml.as_bytes(), None).expect_err("unclosed");
    let text = err.to_string();
    assert!(text.contains("truncated"), "{text}");
    assert!(text.contains("line 1"), "{text}");
}

#[test]
fn acunetix_xml_deep_nesting_is_an_error() {
    let mut xml = String::from("<ScanGroup><Scan>");
    xml.push_str(&"<a>".repeat(100_000));
    assert!(importers::import_to_vec(xml.as_bytes(), None).is_err());
}

#[test]
fn acunetix_xml_large_text_and_many_items() {
    // A 5 MB description and 100,000 tiny items: no panic, bounded time.
    let mut xml =
        String::from("<ScanGroup><Scan><ReportItems><ReportItem><Name>big</Name><Description>");
    xml.push_str(&"<b>x</b> ".repeat(600_000));
    xml.push_str("</Description></ReportItem>");
    for i in 0..100_000 {
        xml.push_str(&format!(
            "<ReportItem><Name>n</Name><Affects>/p{i}</Affects></ReportItem>"
        ));
    }
    xml.push_str("</ReportItems></Scan></ScanGroup>");
    let (_, findings) = importers::import_to_vec(xml.as_bytes(), None).expect("import");
    assert_eq!(findings.len(), 100_001);
}

#[test]
fn acunetix360_wrong_types_are_errors_with_position() {
    let input =
        br#"{"Generated": "x", "Target": {"ScanId": "1"}, "Vulnerabilities": [{"Name": 5}]}"#;
    let text = importers::import_to_vec(&input[..], None)
        .expect_err("number for string")
        .to_string();
    assert!(text.starts_with("acunetix360-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn sonarqube_errors_name_format_and_position() {
    let input = br#"{"paging": {"total": 1}, "issues": [{"key": "k", "rule": "java:S1", "component": "p:A.java", "message": 5}]}"#;
    let err = importers::import_to_vec(&input[..], None).expect_err("number for a message");
    let text = err.to_string();
    assert!(text.starts_with("sonarqube-api-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn sonarqube_deep_nesting_is_an_error() {
    let mut input = String::from(
        r#"{"paging": {"total": 1}, "issues": [{"rule": "r", "component": "c", "flows": "#,
    );
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn sonarqube_many_tiny_issues_stream() {
    let mut input = String::from(r#"{"paging": {"total": 200000}, "issues": ["#);
    for i in 0..200_000 {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"key":"{i}","rule":"r","component":"c","hash":"h{i}"}}"#
        ));
    }
    input.push_str("]}");
    let mut count = 0usize;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("import");
    assert_eq!(count, 200_000);
}

/// The error of an import that must fail.
pub fn import_error(bytes: &[u8], format: Option<&str>) -> ImportError {
    match importers::import_to_vec(bytes, format) {
        Ok((imported, findings)) => panic!(
            "imported as {} with {} findings",
            imported.format,
            findings.len()
        ),
        Err(err) => err,
    }
}

/// Entity expansion (billion laughs) and external entities: never expanded, always an error.
#[test]
fn xml_entities_are_never_expanded() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"#;
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>"#;
    for prolog in [laughs, external] {
        let entity = if prolog == laughs { "lol9" } else { "xxe" };
        let junit = format!(
            r#"{prolog}<testsuite name="tfsec" failures="1" tests="1"><testcase classname="main.tf" name="[a-b-c][LOW] - d" time="0"><failure message="d" type="">main.tf:1 &{entity};</failure></testcase></testsuite>"#
        );
        let err = import_error(junit.as_bytes(), None);
        assert!(err.to_string().starts_with("tfsec-junit: "), "{err}");
        assert!(err.to_string().contains(entity), "{err}");
        let checkstyle = format!(
            r#"{prolog}<checkstyle version="5.0"><file name="main.tf"><error source="a-b-c" line="1" column="0" severity="info" message="&{entity};" link="https://x/"></error></file></checkstyle>"#
        );
        let err = import_error(checkstyle.as_bytes(), None);
        assert!(err.to_string().starts_with("tfsec-checkstyle: "), "{err}");
    }
}

/// Burp and ZAP XML: entity bombs and external entities are refused by name, never expanded;
/// deep nesting and cut documents are errors naming the format and the byte.
#[test]
fn burp_and_zap_xml_refuse_entities_nesting_and_cut_documents() {
    let laughs = "<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>";
    let external = "<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>";
    for (prolog, entity) in [(laughs, "lol9"), (external, "xxe")] {
        let burp = format!(
            "<?xml version=\"1.0\"?>\n{prolog}<issues burpVersion=\"2024.1\"><issue><type>1</type><name>&{entity};</name></issue></issues>"
        );
        let text = import_error(burp.as_bytes(), None).to_string();
        assert!(text.starts_with("burp-xml: "), "{text}");
        assert!(text.contains(entity) && text.contains("at byte"), "{text}");
        assert!(!text.contains("root:"), "{text}");
        let zap = format!(
            "<?xml version=\"1.0\"?>\n{prolog}<OWASPZAPReport version=\"2.16.0\"><site name=\"http://a\"><alerts><alertitem><pluginid>1</pluginid><desc>&{entity};</desc></alertitem></alerts></site></OWASPZAPReport>"
        );
        let text = import_error(zap.as_bytes(), None).to_string();
        assert!(text.starts_with("zap-xml: "), "{text}");
        assert!(text.contains(entity), "{text}");
    }
    let mut deep = String::from("<issues burpVersion=\"1\"><issue>");
    deep.push_str(&"<x>".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(
        text.starts_with("burp-xml: ") && text.contains("nested"),
        "{text}"
    );
    let mut deep = String::from("<OWASPZAPReport><site><alerts><alertitem>");
    deep.push_str(&"<x>".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(
        text.starts_with("zap-xml: ") && text.contains("nested"),
        "{text}"
    );
    let cut = "<issues burpVersion=\"1\"><issue><type>1</type><name>x</name>";
    let text = import_error(cut.as_bytes(), None).to_string();
    assert!(text.contains("truncated file"), "{text}");
}

#[test]
fn snyk_errors_name_format_and_position() {
    let input = br#"{"vulnerabilities": [{"id": "SNYK-1", "isUpgradable": true, "from": 5}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("snyk-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep = String::from(r#"{"vulnerabilities": [{"isUpgradable": true, "upgradePath": "#);
    deep.push_str(&"[".repeat(100_000));
    assert!(
        import_error(deep.as_bytes(), None)
            .to_string()
            .starts_with("snyk-json: ")
    );
    // What the CLI writes when the test could not run is an error, not a clean scan.
    let failed =
        br#"{"ok": false, "error": "Could not detect supported target files", "path": "."}"#;
    let text = import_error(&failed[..], Some("snyk-json")).to_string();
    assert!(
        text.contains("Could not detect supported target files"),
        "{text}"
    );
    let text = import_error(b"{}", Some("snyk-json")).to_string();
    assert!(text.contains("without a `vulnerabilities` list"), "{text}");
}

#[test]
fn dependabot_errors_name_format_and_position() {
    let input = br#"[{"number": 1, "dependency": {}, "security_advisory": {"ghsa_id": 7}}]"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("dependabot-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep =
        String::from(r#"[{"dependency": {}, "security_advisory": {"epss": [{"percentage": "#);
    deep.push_str(&"[".repeat(100_000));
    assert!(
        import_error(deep.as_bytes(), None)
            .to_string()
            .starts_with("dependabot-json: ")
    );
}

#[test]
fn zap_json_errors_name_format_and_position() {
    let input = br#"{"@programName": "ZAP", "@generated": "x", "site": [{"@name": "http://a", "alerts": [{"pluginid": "1", "instances": 5}]}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("zap-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep = String::from(r#"{"@programName": "ZAP", "site": [{"alerts": [{"tags": "#);
    deep.push_str(&"[".repeat(100_000));
    assert!(
        import_error(deep.as_bytes(), None)
            .to_string()
            .starts_with("zap-json: ")
    );
    // A ZAP-like object without its site list is not a report.
    let text = import_error(
        br#"{"@programName": "ZAP", "@generated": "x", "sites": []}"#,
        Some("zap-json"),
    )
    .to_string();
    assert!(text.contains("no `site` list"), "{text}");
}

#[test]
fn burp_and_zap_many_large_requests_stream() {
    // 20,000 issues with a 20 KB base64 request each: the requests are read past, not built.
    let request = "QUFB".repeat(5_000);
    let mut xml = String::from("<issues burpVersion=\"2024.1\">");
    for i in 0..20_000 {
        xml.push_str(&format!(
            "<issue><type>1</type><name>n</name><host>http://a</host><path>/p{i}</path><requestresponse><request base64=\"true\">{request}</request><response base64=\"true\">{request}</response></requestresponse></issue>"
        ));
    }
    xml.push_str("</issues>");
    let mut count = 0usize;
    importers::import(xml.as_bytes(), None, &mut |f| {
        count += 1;
        assert!(f.description.as_deref().is_none_or(|d| d.len() < 1000));
        Ok(())
    })
    .expect("import");
    assert_eq!(count, 20_000);
}

#[test]
fn burp_dast_errors_name_format_and_position_and_evidence_is_read_past() {
    let input =
        br#"{"data": {"scan": {"issues": [{"issue_type": {"type_index": "1", "name": 5}}]}}}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("burp-dast-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep =
        String::from(r#"{"data": {"issue": {"issue_type": {"type_index": "1"}, "evidence": "#);
    deep.push_str(&"[".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(text.starts_with("burp-dast-json: "), "{text}");
    // 20,000 issues with 20 KB of evidence each: the evidence is read past, not built.
    let evidence = "A".repeat(20_000);
    let mut json = String::from(r#"{"data": {"scan": {"issues": ["#);
    for i in 0..20_000 {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"issue_type": {{"type_index": "1049088", "name": "SQL injection"}}, "origin": "https://a", "path": "/p{i}", "evidence": [{{"request_segments": [{{"data_html": "{evidence}"}}]}}]}}"#
        ));
    }
    json.push_str("]}}}");
    let mut count = 0usize;
    importers::import(json.as_bytes(), None, &mut |f| {
        count += 1;
        assert!(f.description.as_deref().is_none_or(|d| d.len() < 1000));
        Ok(())
    })
    .expect("import");
    assert_eq!(count, 20_000);
}

#[test]
fn mend_policy_rejections_stream() {
    let mut input =
        String::from(r#"{"summary": {"totalRejectedLibraries": 100000}, "rejectingPolicies": ["#);
    for p in 0..100 {
        if p > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"policyName": "policy {p}", "rejectedLibraries": ["#
        ));
        for i in 0..1000 {
            if i > 0 {
                input.push(',');
            }
            input.push_str(&format!(r#"{{"name": "lib-{i}.jar", "sha1": "s{i}"}}"#));
        }
        input.push_str("]}");
    }
    input.push_str("]}");
    assert_eq!(streamed_count(input.as_bytes()), 100_000);
}

#[test]
fn tfsec_xml_deep_nesting_is_an_error() {
    let mut input =
        String::from(r#"<testsuite name="tfsec"><testcase classname="a" name="[a][LOW] - d">"#);
    input.push_str(&"<x>".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn tfsec_errors_name_format_and_position() {
    let input = br#"{"results": [{"rule_id": 5, "rule_description": "d", "location": {}}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("tfsec-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let csv = "file,start_line,end_line,rule_id,severity,description,link,passed\nmain.tf,x,1,a,LOW,d,,false\n";
    let text = import_error(csv.as_bytes(), None).to_string();
    assert!(
        text.starts_with("tfsec-csv: ") && text.contains("line 2"),
        "{text}"
    );
}

#[test]
fn sarif_errors_name_format_and_position() {
    let input = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": 5}]}]}"#;
    let err =
        importers::import_to_vec(&input[..], None).expect_err("number where a string belongs");
    let text = err.to_string();
    assert!(text.starts_with("sarif: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn sarif_without_runs_is_an_error() {
    let input =
        br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0"}"#;
    let err = importers::import_to_vec(&input[..], None).expect_err("no runs");
    assert!(err.to_string().contains("no `runs`"), "{err}");
}

#[test]
fn sarif_deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"version": "2.1.0", "runs": [{"results": [{"properties": {"tags": "#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn sarif_hostile_values_do_not_break_the_import() {
    // Self-referencing base URIs, out-of-range indexes, huge and odd numbers, odd properties.
    let input = br#"{"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "T", "rules": [{"id": "R", "properties": {"security-severity": 1e308, "tags": 7, "cwe": {"a": 1}}}]}},
        "originalUriBaseIds": {"A": {"uri": "a/", "uriBaseId": "B"}, "B": {"uri": "b/", "uriBaseId": "A"}},
        "artifacts": [],
        "results": [
            {"ruleId": "R", "ruleIndex": 99999999999, "rule": {"index": -1, "toolComponent": {"index": 12}},
             "message": {"id": "nope", "arguments": ["{0}", null]},
             "locations": [{"physicalLocation": {"artifactLocation": {"uriBaseId": "A", "uri": "x", "index": -5},
                "region": {"startLine": -3, "endLine": 9223372036854775807, "snippet": {"text": "%%%\u0000"}}}}],
             "partialFingerprints": {"k": null, "primaryLocationStartColumnFingerprint": "1"},
             "suppressions": [{"status": "rejected"}]},
            {"message": {"text": "no rule at all"}}
        ]}]}"#;
    let (imported, findings) = importers::import_to_vec(&input[..], None).expect("imports");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, importers::Severity::Critical);
    assert_eq!(findings[0].tool_status, None);
    assert_eq!(
        imported.info.warnings.len(),
        1,
        "{:?}",
        imported.info.warnings
    );
}

#[test]
fn sarif_many_tiny_results_and_one_huge_string() {
    let mut input = String::from(
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": ["#,
    );
    let n = 1_000_000;
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(r#"{"ruleId":"r"}"#);
    }
    input.push_str("]}]}");
    let mut count = 0usize;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("imports");
    assert_eq!(count, n);

    let huge = "x".repeat(50 * 1024 * 1024);
    let input = format!(
        r#"{{"version": "2.1.0", "runs": [{{"results": [{{"ruleId": "r", "message": {{"text": "{huge}"}}}}]}}]}}"#
    );
    let (_, findings) = importers::import_to_vec(input.as_bytes(), None).expect("imports");
    assert_eq!(findings.len(), 1);
    assert!(findings[0].title.chars().count() <= 301);
}

#[test]
fn grype_errors_name_format_and_position() {
    let input = br#"{"matches": [{"vulnerability": {"id": 5}, "matchDetails": []}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("grype-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep = String::from(r#"{"matches": [{"matchDetails": [], "artifact": {"locations": "#);
    deep.push_str(&"[".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(text.starts_with("grype-json: "), "{text}");
    // A Grype-like object without its match list is not a report.
    let text = import_error(
        br#"{"descriptor": {"name": "grype", "version": "0.90.0"}}"#,
        Some("grype-json"),
    )
    .to_string();
    assert!(text.contains("no `matches` list"), "{text}");
}

#[test]
fn grype_many_matches_stream() {
    let mut input = String::from(r#"{"matches": ["#);
    let n = 200_000;
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"vulnerability":{{"id":"CVE-{i}"}},"matchDetails":[],"artifact":{{"name":"p","type":"deb"}}}}"#
        ));
    }
    input.push_str(r#"], "descriptor": {"name": "grype"}}"#);
    assert_eq!(streamed_count(input.as_bytes()), n);
}

/// How many findings an import of `input` hands on, none of them kept.
fn streamed_count(input: &[u8]) -> usize {
    let mut count = 0usize;
    importers::import(input, None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("import");
    count
}

#[test]
fn osv_scanner_errors_name_format_and_position() {
    let input = br#"{"results": [{"source": {"path": "a"}, "packages": [{"package": {"name": "p", "ecosystem": "npm"}, "vulnerabilities": [{"id": 5}]}]}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("osv-scanner-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep = String::from(
        r#"{"results": [{"packages": [{"package": {"ecosystem": "npm"}, "vulnerabilities": [{"database_specific": "#,
    );
    deep.push_str(&"[".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(text.starts_with("osv-scanner-json: "), "{text}");
    let text =
        import_error(br#"{"experimental_config": {}}"#, Some("osv-scanner-json")).to_string();
    assert!(text.contains("no `results` list"), "{text}");
}

#[test]
fn mend_errors_name_format_and_position() {
    let input = br#"{"supportToken": "t", "response": [{"vulnerability": {"name": 5}}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("mend-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep =
        String::from(r#"{"projectVitals": {}, "libraries": [{"vulnerabilities": [{"allFixes": "#);
    deep.push_str(&"[".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(text.starts_with("mend-json: "), "{text}");
    // A Mend-like object without any of its lists is not a report.
    let text = import_error(br#"{"supportToken": "t"}"#, Some("mend-json")).to_string();
    assert!(text.contains("no `vulnerabilities` list"), "{text}");
}

#[test]
fn mend_many_libraries_stream() {
    let mut input = String::from(r#"{"projectVitals": {"name": "p"}, "libraries": ["#);
    let n = 100_000;
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"keyUuid":"k{i}","groupId":"g","artifactId":"a{i}","type":"MAVEN_ARTIFACT","vulnerabilities":[{{"name":"CVE-{i}","severity":"high"}}]}}"#
        ));
    }
    input.push_str("]}");
    assert_eq!(streamed_count(input.as_bytes()), n);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_after_a_mend_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"supportToken": "t", "response": [{"type": "SECURITY_VULNERABILITY", "component": "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed Mend reports of each shape made of arbitrary values in the fields the
    /// importer reads.
    #[test]
    fn arbitrary_mend_values_never_panic(
        id in "\\PC{0,16}",
        text in "\\PC{0,24}",
        score in proptest::option::of(any::<f64>()),
    ) {
        let vulnerability = serde_json::json!({"name": id, "severity": text, "score": text,
            "cvss3_severity": text, "cvss3_score": score, "scoreMetadataVector": text, "url": text,
            "description": text, "topFix": {"fixResolution": text, "url": text},
            "allFixes": [{"url": text}], "locations": [{"path": text}], "project": text,
            "library": {"keyUuid": text, "filename": text, "groupId": text, "artifactId": id,
                "version": text, "type": text}});
        let docs = [
            serde_json::json!({"vulnerabilities": [vulnerability.clone(), {"name": null}]}),
            serde_json::json!({"projectVitals": {"name": text}, "libraries": [
                {"name": text, "sha1": text, "vulnerabilities": [vulnerability]}]}),
            serde_json::json!({"summary": {"totalRejectedLibraries": score}, "rejectingPolicies": [
                {"policyName": text, "filterType": id, "productLevel": true, "rejectedLibraries": [
                    {"name": id, "sha1": text, "link": text, "systemPath": text,
                     "manifestFile": text, "projects": [text, id]}, {"name": null}]},
                {"policyName": null, "rejectedLibraries": [{"name": id}]}]}),
            serde_json::json!({"additionalData": {"totalItems": text, "isLastPage": text},
                "supportToken": text, "retVal": [{"type": "POLICY_VIOLATIONS", "name": text,
                    "policyName": id, "alertInfo": {"status": text, "detectedAt": text},
                    "project": {"name": text, "productName": id},
                    "component": {"name": id, "groupId": text, "artifactId": id, "version": text,
                        "libraryType": text, "dependencyType": text, "dependencyFile": text,
                        "localPath": text, "references": {"url": text, "homePage": id}}},
                    {"type": text, "policyName": id, "component": {"name": text}}]}),
            serde_json::json!({"additionalData": {"totalItems": 2}, "response": [{
                "type": text, "name": id, "findingInfo": {"status": text},
                "component": {"uuid": text, "name": text, "path": text, "libraryType": text},
                "vulnerability": {"name": id, "score": score, "severity": text,
                    "vulnerabilityScoring": [{"score": text, "type": text}]},
                "threatAssessment": {"epssPercentage": score}, "scoreMetadataVector": text}]}),
        ];
        for doc in docs {
            let bytes = serde_json::to_vec(&doc).expect("json");
            let _ = importers::import_to_vec(&bytes[..], Some("mend-json"));
        }
    }

    #[test]
    fn arbitrary_bytes_after_an_osv_scanner_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"results": [{"source": {"path": "/a/package-lock.json"}, "packages": [{"package": {"name": "p", "version": "1", "ecosystem": "npm"}, "vulnerabilities": [{"id": "GHSA-1", "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed OSV-Scanner reports made of arbitrary values in the fields the importer reads.
    #[test]
    fn arbitrary_osv_scanner_values_never_panic(
        id in "\\PC{0,16}",
        text in "\\PC{0,24}",
        other in proptest::option::of("\\PC{0,8}"),
    ) {
        let doc = serde_json::json!({"results": [{"source": {"path": text}, "packages": [{
            "package": {"name": text, "version": other, "ecosystem": text, "commit": text},
            "vulnerabilities": [
                {"id": id, "aliases": [text], "summary": text, "severity": [{"type": text, "score": text}],
                 "database_specific": {"severity": other, "cwe_ids": [id, 5]},
                 "affected": [{"package": {"name": text, "ecosystem": text, "purl": other}, "database_specific": {"cwes": [{"cweId": other}]},
                    "ranges": [{"type": other, "events": [{"fixed": text}]}]}]},
                {"id": other}],
            "groups": [{"ids": [id, other], "aliases": [text], "max_severity": other}],
            "license_violations": [text]
        }]}]});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("osv-scanner-json"));
    }

    #[test]
    fn arbitrary_bytes_after_a_grype_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"matches": [{"vulnerability": {"id": "CVE-1", "severity": "High"}, "matchDetails": [], "artifact": "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed Grype reports made of arbitrary values in the fields the importer reads.
    #[test]
    fn arbitrary_grype_values_never_panic(
        id in "\\PC{0,16}",
        text in "\\PC{0,24}",
        score in proptest::option::of(any::<f64>()),
    ) {
        let doc = serde_json::json!({"matches": [{
            "vulnerability": {"id": id, "severity": text, "cvss": [{"version": text, "vector": text, "metrics": {"baseScore": score}}],
                "epss": [{"cve": text, "epss": score, "percentile": score}], "fix": {"versions": [text], "state": text}},
            "relatedVulnerabilities": [{"id": text, "cvssV2": {"baseScore": score, "vector": text}}],
            "matchDetails": {"matcher": text},
            "artifact": {"name": text, "version": text, "type": text, "purl": text, "locations": [text, {"path": text}]}
        }], "source": {"target": text}});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_after_a_trivy_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": ["#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_after_an_acunetix_xml_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"<?xml version=\"1.0\"?><ScanGroup><Scan><ReportItems><ReportItem><Name>".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_xml_like_text_never_panics(tail in "[<>/a-zA-Z &;#\\[\\]!CDAT]{0,300}") {
        let text = format!("<ScanGroup><Scan><ReportItems><ReportItem>{tail}");
        let _ = importers::import_to_vec(text.as_bytes(), None);
    }

    #[test]
    fn arbitrary_bytes_after_an_acunetix360_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"Generated": "x", "Target": {"ScanId": "1"}, "Vulnerabilities": [{"LookupId": "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }
    #[test]
    fn arbitrary_bytes_after_a_sonarqube_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"paging": {"pageIndex": 1, "pageSize": 100, "total": 3}, "issues": [{"key": "k", "rule": "java:S1", "component": "p:A.java", "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], Some("sonarqube-api-json"));
    }

    #[test]
    fn arbitrary_bytes_after_a_sonar_report_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"sonarComponent": "x", "sonarBaseURL": "u", "rules": {}, "issues": [{"rule": "r", "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn sonarqube_records_of_any_shape_never_panic(
        line in proptest::option::of(any::<i64>()),
        sev in "[A-Z]{0,9}",
        status in "[A-Z_]{0,9}",
        component in ".{0,20}",
        project in ".{0,8}",
    ) {
        let record = serde_json::json!({
            "key": "k", "rule": "r:1", "component": component, "project": project, "line": line,
            "severity": sev, "status": status, "impacts": [{"softwareQuality": status, "severity": sev}],
            "textRange": {"startLine": line, "endLine": "x"},
        });
        let doc = serde_json::json!({"paging": {"total": 1}, "issues": [record]});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("sonarqube-api-json"));
    }
    #[test]
    fn arbitrary_bytes_after_tfsec_heads_never_panic(
        which in 0usize..4,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let head: &[u8] = match which {
            0 => br#"{"results": [{"rule_id": "AVD-AWS-0001", "rule_description": "d", "#,
            1 => b"file,start_line,end_line,rule_id,severity,description,link,passed\n",
            2 => br#"<checkstyle version="5.0"><file name="main.tf"><error link="x" "#,
            _ => br#"<testsuite name="tfsec" failures="1" tests="1"><testcase "#,
        };
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn tfsec_text_values_never_panic(value in "\\PC{0,64}") {
        let escaped = serde_json::to_string(&value).unwrap_or_default();
        let json = format!(
            r#"{{"results": [{{"rule_id": {escaped}, "long_id": {escaped}, "rule_description": "d", "description": {escaped}, "resource": {escaped}, "links": [{escaped}], "status": 0, "location": {{"filename": {escaped}}}}}]}}"#
        );
        let _ = importers::import_to_vec(json.as_bytes(), None);
        let junit = format!(
            r#"<testsuite name="tfsec"><testcase classname="{value}" name="[{value}][{value}] - {value}"><failure message="x">{value}</failure></testcase></testsuite>"#
        );
        let _ = importers::import_to_vec(junit.as_bytes(), None);
    }
    #[test]
    fn arbitrary_bytes_after_a_fossa_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        for head in [&br#"{"count":1,"issues":[{"revisionId":"#[..], br#"{"issues":[{"source":{"id":"npm+a$1"},"type":"#, br#"{"Count":1,"Issues":["#] {
            let mut bytes = head.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = importers::import_to_vec(&bytes[..], None);
        }
    }

    #[test]
    fn arbitrary_locators_never_panic(locator in "(npm|mvn|deb|apk|rpm-generic|git|go|pod|custom|[a-z]{1,6})?\\+?\\PC{0,30}(\\$\\PC{0,20})?") {
        if let Some(l) = importers::fossa::locator::Locator::parse(&locator) {
            let _ = (l.purl(), l.package_key(), l.name(), l.version());
        }
        let input = serde_json::json!({"count": 1, "issues": [{"type": "vulnerability", "cve": "CVE-1", "revisionId": locator}], "status": "SCANNED"});
        let (_, findings) = importers::import_to_vec(input.to_string().as_bytes(), None).expect("valid report");
        prop_assert_eq!(findings.len(), 1);
    }

    #[test]
    fn arbitrary_bytes_after_burp_and_zap_heads_never_panic(
        which in 0usize..4,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let head: &[u8] = match which {
            0 => b"<?xml version=\"1.0\"?><issues burpVersion=\"2024.1\"><issue><type>1</type><name>",
            1 => b"<issues burpVersion=\"1\"><issue><requestresponse><request base64=\"true\">",
            2 => b"<OWASPZAPReport version=\"2.16.0\"><site name=\"http://a\"><alerts><alertitem><instances><instance><uri>",
            _ => br#"{"@programName": "ZAP", "@generated": "x", "site": [{"@name": "http://a", "alerts": [{"pluginid": "#,
        };
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed Burp and ZAP reports made of arbitrary values in the fields the importers read.
    #[test]
    fn arbitrary_bytes_after_a_burp_dast_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"data": {"scan": {"status": "succeeded", "issues": [{"serial_number": "1", "issue_type": {"type_index": "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed Burp Suite DAST responses made of arbitrary values in the fields the
    /// importer reads.
    #[test]
    fn arbitrary_burp_dast_values_never_panic(
        origin in "\\PC{0,24}",
        path in "\\PC{0,24}",
        word in "\\PC{0,12}",
        html in "\\PC{0,40}",
        accepted in any::<bool>(),
    ) {
        let issue = serde_json::json!({"serial_number": word, "issue_type": {"type_index": word,
            "name": html, "description_html": html, "remediation_html": html,
            "vulnerability_classifications_html": html, "references_html": html},
            "severity": word, "confidence": word, "display_confidence": word, "origin": origin,
            "path": path, "novelty": word, "accepted_risk": accepted, "description_html": html,
            "remediation_html": html});
        let docs = [
            serde_json::json!({"data": {"scan": {"status": word, "site_name": html,
                "scan_target": {"name": html}, "start_time": word, "end_time": word,
                "issues": [issue.clone(), issue.clone(), {"issue_type": null}]}},
                "errors": [{"message": html}, {}]}),
            serde_json::json!({"data": {"issue": issue}}),
            serde_json::json!({"data": {"issue": {"issue_type": {"type_index": 7}}}}),
        ];
        for doc in docs {
            let bytes = serde_json::to_vec(&doc).expect("json");
            let _ = importers::import_to_vec(&bytes[..], Some("burp-dast-json"));
        }
    }

    #[test]
    fn arbitrary_burp_and_zap_values_never_panic(
        host in "\\PC{0,24}",
        path in "\\PC{0,24}",
        location in "\\PC{0,24}",
        risk in "\\PC{0,3}",
        text in "\\PC{0,40}",
        request in "[A-Za-z0-9+/=\\s]{0,64}",
    ) {
        let x = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
        let burp = format!(
            "<issues burpVersion=\"{}\" exportTime=\"{}\"><issue><type>{}</type><name>{}</name><host>{}</host><path>{}</path><location>{}</location><severity>{}</severity><confidence>{}</confidence><issueDetail>{}</issueDetail><vulnerabilityClassifications>{}</vulnerabilityClassifications><requestresponse><request base64=\"true\">{}</request></requestresponse></issue></issues>",
            x(&risk), x(&text), x(&risk), x(&text), x(&host), x(&path), x(&location), x(&risk), x(&risk), x(&text), x(&text), x(&request)
        );
        let _ = importers::import_to_vec(burp.as_bytes(), None);
        let alert = serde_json::json!({
            "pluginid": risk, "alertRef": text, "name": text, "riskcode": risk, "confidence": risk,
            "riskdesc": text, "desc": text, "cweid": risk, "reference": text,
            "instances": [{"uri": host, "method": risk, "param": location, "evidence": text}]
        });
        let doc = serde_json::json!({"@programName": "ZAP", "@generated": text, "site": [{"@name": path, "alerts": [alert]}]});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("zap-json"));
    }

    #[test]
    fn arbitrary_bytes_after_snyk_and_dependabot_heads_never_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..512),
        head in 0usize..3,
    ) {
        let heads: [&[u8]; 3] = [
            br#"{"vulnerabilities": [{"isUpgradable": true, "id": "#,
            br#"[{"vulnerabilities": [{"isUpgradable": true, "from": ["#,
            br#"[{"dependency": {"package": {}}, "security_advisory": {"ghsa_id": "#,
        ];
        let mut bytes = heads[head].to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed Snyk and Dependabot documents made of arbitrary values in the fields read.
    #[test]
    fn arbitrary_snyk_and_dependabot_values_never_panic(text in "\\PC{0,64}", score in any::<f64>()) {
        let issue = serde_json::json!({
            "id": text, "isUpgradable": true, "from": [text, text], "upgradePath": [false, text],
            "packageName": text, "version": text, "CVSSv3": text, "cvssScore": score,
            "identifiers": {"CVE": [text], "CWE": [text]}, "fixedIn": [text], "type": text,
            "epssDetails": {"probability": text, "percentile": score},
        });
        let doc = serde_json::json!({"vulnerabilities": [issue], "displayTargetFile": text, "path": text});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("snyk-json"));
        let alert = serde_json::json!([{
            "number": 1, "state": text, "dismissed_reason": text, "html_url": text,
            "dependency": {"package": {"ecosystem": text, "name": text}, "manifest_path": text},
            "security_advisory": {"ghsa_id": text, "severity": text, "cvss": {"vector_string": text, "score": score},
                "epss": [{"percentage": score, "percentile": text}], "cwes": [{"cwe_id": text}]},
        }]);
        let bytes = serde_json::to_vec(&alert).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("dependabot-json"));
    }

    #[test]
    fn arbitrary_bytes_after_a_sarif_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "r"}]}}, "results": ["#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed SARIF made of arbitrary values in the fields the importer reads.
    #[test]
    fn arbitrary_sarif_results_never_panic(
        rule in ".{0,12}",
        level in prop_oneof![Just("error".to_string()), Just("none".to_string()), ".{0,6}"],
        uri in ".{0,20}",
        base in ".{0,8}",
        line in any::<i64>(),
        severity in ".{0,6}",
        text in ".{0,40}",
        index in any::<i64>(),
    ) {
        let log = serde_json::json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": rule.clone(), "rules": [{"id": rule.clone(), "properties": {"security-severity": severity}}]}},
                "originalUriBaseIds": {base.clone(): {"uri": uri.clone(), "uriBaseId": base.clone()}},
                "results": [{
                    "ruleId": rule, "ruleIndex": index, "level": level,
                    "message": {"text": text.clone(), "id": text, "arguments": [uri.clone()]},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": base, "index": index},
                        "region": {"startLine": line, "endLine": line}}}]
                }]
            }]
        });
        let bytes = serde_json::to_vec(&log).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("sarif"));
    }
}

#[test]
fn fossa_deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"count":1,"issues":[{"revisionId":"npm+a$1","type":"x","extra":"#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
    let mut input = String::from(r#"{"deepDependencies":[],"licenses":"#);
    input.push_str(&"{\"a\":".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

/// Semgrep, Bandit, Checkov and the SonarQube quality gate: wrong types name the format and the
/// position, deep nesting is an error and not a stack overflow, a huge report streams.
#[test]
fn code_scanner_errors_name_format_and_position() {
    for (input, format) in [
        (
            &br#"{"results": [{"check_id": 5, "path": "a.py"}], "errors": []}"#[..],
            "semgrep-json",
        ),
        (
            br#"{"generated_at": "x", "metrics": {}, "results": [{"test_id": ["B101"]}]}"#,
            "bandit-json",
        ),
        (
            br#"{"check_type": "terraform", "results": {"failed_checks": [{"check_id": {}}]}}"#,
            "checkov-json",
        ),
        (
            br#"{"projectStatus": {"status": "ERROR", "conditions": {"a": 1}}}"#,
            "sonarqube-quality-gate-json",
        ),
    ] {
        let text = import_error(input, Some(format)).to_string();
        assert!(text.starts_with(&format!("{format}: ")), "{text}");
        assert!(text.contains("line 1, column"), "{text}");
    }
}

#[test]
fn code_scanner_deep_nesting_is_an_error_not_a_stack_overflow() {
    for (head, format) in [
        (
            r#"{"results": [{"check_id": "r", "extra": {"metadata": {"cwe": "#,
            "semgrep-json",
        ),
        (
            r#"{"generated_at": "x", "results": [{"test_id": "B1", "x": "#,
            "bandit-json",
        ),
        (
            r#"[{"check_type": "t", "results": {"failed_checks": [{"code_block": "#,
            "checkov-json",
        ),
        (
            r#"{"projectStatus": {"conditions": [{"x": "#,
            "sonarqube-quality-gate-json",
        ),
    ] {
        let mut input = String::from(head);
        input.push_str(&"[".repeat(100_000));
        let text = import_error(input.as_bytes(), Some(format)).to_string();
        assert!(text.starts_with(&format!("{format}: ")), "{text}");
    }
}

#[test]
fn code_scanners_stream_many_tiny_results() {
    let mut input = String::from(r#"{"results": ["#);
    for i in 0..200_000 {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"check_id":"r","path":"f{i}.py","extra":{{"lines":"x"}}}}"#
        ));
    }
    input.push_str(r#"], "errors": []}"#);
    // Each result in a file of its own: 200,000 identities, none merged.
    let mut identities = std::collections::HashSet::new();
    let imported = importers::import(input.as_bytes(), None, &mut |finding| {
        identities.insert(finding.fingerprint);
        Ok(())
    });
    assert_eq!(imported.expect("import").format, "semgrep-json");
    assert_eq!(identities.len(), 200_000);
}

/// The start of a Semgrep, Bandit, Checkov and quality gate report, up to a record's value.
const CODE_SCANNER_HEADS: [&str; 4] = [
    r#"{"version": "1.97.0", "results": [{"check_id": "r", "extra": "#,
    r#"{"errors": [], "generated_at": "x", "metrics": {}, "results": [{"code": "#,
    r#"[{"check_type": "terraform", "results": {"failed_checks": [{"check_id": "#,
    r#"{"projectStatus": {"status": "ERROR", "conditions": [{"status": "#,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_after_code_scanner_heads_never_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        for head in CODE_SCANNER_HEADS {
            let bytes = [head.as_bytes(), &tail].concat();
            let _ = importers::import_to_vec(&bytes[..], None);
        }
    }

    /// Well-formed reports made of arbitrary values in the fields the importers read.
    #[test]
    fn arbitrary_code_scanner_values_never_panic(
        text in ".{0,24}",
        line in any::<i64>(),
        flag in any::<bool>(),
    ) {
        let semgrep = serde_json::json!({"results": [{"check_id": text, "path": text,
            "start": {"line": line, "col": line}, "end": {"line": line},
            "extra": {"lines": text, "fingerprint": text, "severity": text, "is_ignored": flag,
                "metadata": {"cwe": [text], "references": text, "category": [text]}}}], "errors": []});
        let bandit = serde_json::json!({"generated_at": text, "metrics": {}, "results": [{
            "code": format!("{line} {text}"), "filename": text, "test_id": text, "line_number": line,
            "line_range": [line, line], "issue_cwe": {"id": line}, "issue_severity": text}]});
        let checkov = serde_json::json!([{"check_type": text, "results": {"failed_checks": [{
            "check_id": text, "resource": text, "file_path": text, "file_line_range": [line],
            "code_block": [[line, text]], "severity": text,
            "vulnerability_details": {"vector": text, "cvss": 1.5}}], "skipped_checks": [{
            "check_id": text, "check_result": {"suppress_comment": text}}]}}]);
        let gate = serde_json::json!({"projectStatus": {"status": text, "conditions": [
            {"status": "ERROR", "metricKey": text, "comparator": text, "actualValue": text}],
            "periods": [{"index": line, "mode": text}]}});
        for (value, format) in [(semgrep, "semgrep-json"), (bandit, "bandit-json"),
            (checkov, "checkov-json"), (gate, "sonarqube-quality-gate-json")] {
            let bytes = serde_json::to_vec(&value).expect("json");
            let _ = importers::import_to_vec(&bytes[..], Some(format));
        }
    }
}

/// CycloneDX XML: entity bombs and external entities are refused by name, never expanded; deep
/// nesting and cut documents are errors naming the format. JSON: errors name format and
/// position; deep nesting is an error.
#[test]
fn cyclonedx_refuses_entities_nesting_and_cut_documents() {
    let laughs = "<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>";
    let external = "<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>";
    for (prolog, entity) in [(laughs, "lol9"), (external, "xxe")] {
        let bom = format!(
            "<?xml version=\"1.0\"?>\n{prolog}<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><vulnerabilities><vulnerability><id>CVE-1</id><description>&{entity};</description></vulnerability></vulnerabilities></bom>"
        );
        let text = import_error(bom.as_bytes(), None).to_string();
        assert!(text.starts_with("cyclonedx-xml: "), "{text}");
        assert!(text.contains(entity), "{text}");
        assert!(!text.contains("root:"), "{text}");
    }
    let mut deep =
        String::from("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component>");
    deep.push_str(&"<components><component>".repeat(50_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(
        text.starts_with("cyclonedx-xml: ") && text.contains("nested"),
        "{text}"
    );
    let cut = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><vulnerabilities><vulnerability><id>CVE-1</id>";
    let text = import_error(cut.as_bytes(), None).to_string();
    assert!(text.starts_with("cyclonedx-xml: "), "{text}");

    let input =
        br#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "cwes": ["x"]}]}"#;
    let text = import_error(&input[..], None).to_string();
    assert!(text.starts_with("cyclonedx-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
    let mut deep = String::from(r#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "#);
    deep.push_str(&"[".repeat(100_000));
    let text = import_error(deep.as_bytes(), None).to_string();
    assert!(text.starts_with("cyclonedx-json: "), "{text}");
}

#[test]
fn cyclonedx_many_vulnerabilities_stream() {
    let n = 100_000;
    let mut input = String::from(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"bom-ref": "a", "name": "a", "purl": "pkg:npm/a@1"}], "vulnerabilities": ["#,
    );
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(r#"{{"id":"CVE-{i}","affects":[{{"ref":"a"}}]}}"#));
    }
    input.push_str("]}");
    assert_eq!(streamed_count(input.as_bytes()), n);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_after_a_cyclonedx_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut json = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "CVE-1", "#.to_vec();
        json.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&json[..], None);
        let mut xml = b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><vulnerabilities><vulnerability><id>".to_vec();
        xml.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&xml[..], None);
    }

    /// Well-formed CycloneDX BOMs made of arbitrary values in the fields the importer reads.
    #[test]
    fn arbitrary_cyclonedx_values_never_panic(
        id in "\\PC{0,16}",
        text in "\\PC{0,24}",
        score in proptest::option::of(any::<f64>()),
    ) {
        let doc = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"timestamp": text, "tools": [{"name": text, "version": id}], "component": {"bom-ref": id, "name": text}},
            "vulnerabilities": [{"id": id, "source": {"name": text, "url": text}, "references": [{"id": text}],
                "ratings": [{"score": score, "severity": text, "method": text, "vector": text, "source": {"name": text}}],
                "cwes": [1, 79], "description": text, "recommendation": text, "advisories": [{"url": text}],
                "analysis": {"state": text, "justification": text, "response": [text], "detail": text},
                "affects": [{"ref": id, "versions": [{"version": text, "status": text}]}, {"ref": text}]}],
            "components": [{"bom-ref": text, "name": id, "version": text, "purl": text, "components": [{"bom-ref": id}]}]});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], None);
        let xml = format!(
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"><components><component bom-ref=\"{r}\"><name>{t}</name><purl>{t}</purl></component></components><vulnerabilities><vulnerability><id>{r}</id><ratings><rating><score>{s}</score><severity>{t}</severity><method>{t}</method></rating></ratings><affects><target><ref>{r}</ref></target></affects></vulnerability></vulnerabilities></bom>",
            r = xml_escape(&id), t = xml_escape(&text), s = score.unwrap_or_default()
        );
        let _ = importers::import_to_vec(xml.as_bytes(), Some("cyclonedx-xml"));
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
