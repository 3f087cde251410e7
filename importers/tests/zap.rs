use crate::corpus;
use importers::{Finding, Kind, Severity};
use std::collections::BTreeSet;

/// Our counts for every ZAP file in the corpus: records the importer hands on, and distinct
/// fingerprints (what the store keeps; it counts the rest as repeated records merged). One
/// finding per alert per site per URL path per method per parameter; DefectDojo keeps one per
/// alert with each instance as an endpoint (its counts in `corpus/zap/SOURCES.md`).
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    // DefectDojo 4 alerts; 12 instances of which two repeat another's path, method and
    // parameter with another query (`/dashboard?...`).
    ("zap/0_zap_sample.xml", "zap-xml", 10, 10),
    ("zap/0_zap_sample_without_zap3.xml", "zap-xml", 9, 9),
    ("zap/1_zap_sample_0_and_new_absent.xml", "zap-xml", 10, 10),
    // The new endpoint is a finding of its own: 11.
    ("zap/2_zap_sample_0_and_new_endpoint.xml", "zap-xml", 11, 11),
    (
        "zap/3_zap_sampl_0_and_different_severities.xml",
        "zap-xml",
        10,
        10,
    ),
    // Two alerts of one rule (10011) at the same three cookies: DefectDojo 2; the second
    // alert's three records repeat the first's identity.
    ("zap/5_zap_sample_one.xml", "zap-xml", 6, 3),
    // DefectDojo 19 alerts, 124 instances: 96 by path, method and parameter.
    ("zap/dvwa_baseline_dojo.xml", "zap-xml", 96, 96),
    // The fabricated duplicates: alerts repeated with the same rule (DefectDojo: 3 internal
    // duplicates of 13); their records repeat identities, 71 distinct.
    (
        "zap/dvwa_baseline_dojo_fabricated_internal_duplicates.xml",
        "zap-xml",
        97,
        71,
    ),
    (
        "zap/dvwa_baseline_dojo_fabricated_internal_duplicates_subset.xml",
        "zap-xml",
        56,
        45,
    ),
    ("zap/dvwa_baseline_dojo_subset.xml", "zap-xml", 71, 71),
    ("zap/empty_2.9.0.xml", "zap-xml", 0, 0),
    // DefectDojo 6 alerts with 86 instances.
    ("zap/juicy2.xml", "zap-xml", 71, 71),
    ("zap/some_2.9.0.xml", "zap-xml", 14, 14),
    (
        "zap/traditional-json-plus_HANDWRITTEN_2.14_one_alert.json",
        "zap-json",
        1,
        1,
    ),
    (
        "zap/traditional-json_HANDWRITTEN_2.16_two_sites.json",
        "zap-json",
        6,
        6,
    ),
    // DefectDojo 15 alerts with 130 instances, most the same page with another query.
    ("zap/zap-results-first-scan.xml", "zap-xml", 86, 86),
    ("zap/zap-results-second-scan.xml", "zap-xml", 78, 78),
    ("zap/zap-xml-plus-format.xml", "zap-xml", 1, 1),
];

fn by_title<'a>(findings: &'a [Finding], title: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.title == title).collect()
}

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    let listed: Vec<String> = corpus::files("zap")
        .into_iter()
        .map(|name| format!("zap/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(listed, expected, "every ZAP file has an expected count");
    for (file, format, records, distinct) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(imported.info.tool, "zap", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *records, "{file}");
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fingerprints.len(), *distinct, "{file}");
        for f in &findings {
            assert_eq!(f.kind, Kind::Web, "{file}");
            // Requests and responses stay in the raw report; HTML becomes text.
            let json = serde_json::to_string(f).expect("serialize");
            assert!(!json.contains("User-Agent:"), "{file}: {json}");
            assert!(
                !json.to_lowercase().contains("user-agent:"),
                "{file}: {json}"
            );
            assert!(!json.contains("<p>"), "{file}: {json}");
        }
    }
}

#[test]
fn xml_fields() {
    let (imported, findings) = corpus::import("zap/zap-xml-plus-format.xml");
    assert_eq!(imported.info.tool_version.as_deref(), Some("2.11.1"));
    assert_eq!(
        imported.info.target.as_deref(),
        Some("http://localhost:8080")
    );
    // `Fr., 30 Sep. 2022 08:40:35`: German, but its month reads.
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2022-09-30T08:40:35")
    );
    let f = &findings[0];
    assert_eq!(f.rule_id, "90028");
    assert_eq!(f.title, "Insecure HTTP Method - PUT");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("Medium"));
    assert_eq!(f.tool_status.as_deref(), Some("confidence_medium"));
    assert_eq!(f.cwe, ["CWE-200"]);
    assert_eq!(
        f.references,
        ["http://projects.webappsec.org/Fingerprinting"]
    );
    assert_eq!(
        f.location.url.as_deref(),
        Some("http://localhost:8080/bodgeit/js/qndto7n63d")
    );
    assert_eq!(f.location.parameter, None);
    let description = f.description.as_deref().expect("description");
    assert!(
        description.contains("PUT http://localhost:8080/bodgeit/js/qndto7n63d"),
        "{description}"
    );
    assert!(!description.contains("Apache Tomcat"), "{description}");
}

#[test]
fn instances_of_one_page_merge_and_others_stay_apart() {
    let (_, findings) = corpus::import("zap/zap-results-first-scan.xml");
    let pii = by_title(&findings, "PII Disclosure");
    assert_eq!(pii.len(), 1);
    assert_eq!(pii[0].severity, Severity::High);
    assert_eq!(pii[0].rule_id, "10062");
    assert_eq!(pii[0].cwe, ["CWE-359"]);
    // `product.jsp?typeid=1`, `?typeid=2`, ... are one page.
    let attribute = by_title(
        &findings,
        "User Controllable HTML Element Attribute (Potential XSS)",
    );
    let urls: BTreeSet<String> = attribute
        .iter()
        .map(|f| importers::web::url_path(f.location.url.as_deref().unwrap_or("")))
        .collect();
    assert!(attribute.len() < 11, "{}", attribute.len());
    assert!(urls.contains("/bodgeit/product.jsp"), "{urls:?}");
}

#[test]
fn json_fields() {
    let (imported, findings) =
        corpus::import("zap/traditional-json_HANDWRITTEN_2.16_two_sites.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("2.16.0"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2025-03-03T10:15:42.118204Z")
    );
    assert_eq!(
        imported.info.target.as_deref(),
        Some("https://shop.example.com")
    );
    let clickjacking = by_title(&findings, "Missing Anti-clickjacking Header");
    assert_eq!(clickjacking.len(), 2, "/ and /catalog");
    assert_eq!(clickjacking[0].rule_id, "10020-1");
    assert_eq!(clickjacking[0].cwe, ["CWE-1021"]);
    let catalog = clickjacking[1];
    assert_eq!(
        catalog.location.url.as_deref(),
        Some("https://shop.example.com/catalog?page=2")
    );
    let description = catalog.description.as_deref().expect("description");
    assert!(description.contains("(2 instances)"), "{description}");
    let library = &by_title(&findings, "Vulnerable JS Library")[0];
    assert_eq!(library.aliases, ["CVE-2020-11022", "CVE-2020-11023"]);
    assert_eq!(library.references.len(), 3);
    let xss = &by_title(&findings, "Cross Site Scripting (Reflected)")[0];
    assert_eq!(xss.severity, Severity::High);
    assert_eq!(xss.location.parameter.as_deref(), Some("q"));
    let comments = &by_title(&findings, "Information Disclosure - Suspicious Comments")[0];
    assert_eq!(comments.severity, Severity::Info);
    assert_eq!(comments.severity_original.as_deref(), Some("Informational"));
    assert_eq!(comments.tool_status.as_deref(), Some("false_positive"));
    assert_eq!(
        comments.location.target.as_deref(),
        Some("http://cdn.example.net")
    );
}

#[test]
fn the_same_alerts_as_xml_and_json_have_the_same_identity() {
    let xml = r#"<?xml version="1.0"?><OWASPZAPReport version="2.16.0" generated="Mon, 3 Mar 2025 10:15:42">
<site name="https://a.example" host="a.example" port="443" ssl="true"><alerts><alertitem>
<pluginid>40012</pluginid><alertRef>40012</alertRef><alert>XSS</alert><name>XSS</name><riskcode>3</riskcode><confidence>2</confidence>
<instances><instance><uri>https://a.example/s?q=1</uri><method>GET</method><param>q</param></instance></instances>
</alertitem></alerts></site></OWASPZAPReport>"#;
    let json = r#"{"@programName": "ZAP", "@version": "2.16.0", "@generated": "Mon, 3 Mar 2025 10:15:42", "site": [
{"@name": "https://a.example", "alerts": [{"pluginid": "40012", "alertRef": "40012", "alert": "XSS (renamed)", "riskcode": "3",
"instances": [{"uri": "https://A.example:443/s?q=2", "method": "get", "param": "q"}]}]}]}"#;
    let fp = |text: &str| {
        let (imported, findings) = importers::import_to_vec(text.as_bytes(), None).expect("import");
        (imported.format, findings[0].fingerprint.clone())
    };
    let (xml_format, xml_fp) = fp(xml);
    let (json_format, json_fp) = fp(json);
    assert_eq!((xml_format, json_format), ("zap-xml", "zap-json"));
    assert_eq!(xml_fp, json_fp);
    let other_param = json.replace("\"param\": \"q\"", "\"param\": \"p\"");
    let other_method = json.replace("\"get\"", "\"post\"");
    assert_ne!(fp(&other_param).1, json_fp);
    assert_ne!(fp(&other_method).1, json_fp);
}

#[test]
fn an_alert_without_instances_is_a_finding_at_its_site() {
    // Older ZAP versions wrote the instance's fields on the alert itself; a bare alert is at the
    // site.
    let xml = r#"<OWASPZAPReport version="2.4.3" generated="Thu, 7 Jan 2016 10:00:00"><site name="http://old.example:8080">
<alerts><alertitem><pluginid>10016</pluginid><alert>Web Browser XSS Protection Not Enabled</alert><riskcode>1</riskcode>
<uri>http://old.example:8080/app</uri><param>X-XSS-Protection</param></alertitem>
<alertitem><pluginid>10020</pluginid><alert>X-Frame-Options Header Not Set</alert><riskcode>2</riskcode></alertitem>
</alerts></site></OWASPZAPReport>"#;
    let (_, findings) = importers::import_to_vec(xml.as_bytes(), None).expect("import");
    assert_eq!(findings.len(), 2);
    assert_eq!(
        findings[0].location.url.as_deref(),
        Some("http://old.example:8080/app")
    );
    assert_eq!(
        findings[0].location.parameter.as_deref(),
        Some("X-XSS-Protection")
    );
    assert_eq!(
        findings[1].location.url.as_deref(),
        Some("http://old.example:8080")
    );
}
