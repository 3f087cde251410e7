use crate::corpus;
use importers::{Finding, Kind, Severity};

const XML: &str = "nessus-xml";
const CSV: &str = "nessus-csv";

/// Our count for every Tenable file in the corpus: (file, format, records, distinct
/// fingerprints). One finding per plugin per host and port (and protocol); DefectDojo merges a
/// plugin's results over the whole report (XML) or by severity, name, host, port and synopsis
/// (CSV). Its counts are in `corpus/tenable/SOURCES.md`; docs/FORMATS.md says why ours differ.
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    // Three rows of one plugin on 1.2.3.4:443, 2.3.4.5:443 and 1.2.3.4:8443. DefectDojo: 2.
    ("tenable/issue_11102.csv", CSV, 3, 3),
    // Three rows of one plugin on 2.3.4.5:1433, 2.3.4.5:5555 and 1.2.3.4:1433. DefectDojo: 2.
    ("tenable/issue_9612.csv", CSV, 3, 3),
    ("tenable/nessus/issue_6992.nessus", XML, 1, 1),
    ("tenable/nessus/nessus-template.csv", CSV, 5, 5),
    // 4 rows and 529 rows of commas only (read past).
    ("tenable/nessus/nessus_many_vuln.csv", CSV, 4, 4),
    // 7 ReportItems on one host; DefectDojo: 6 (two `Nessus SYN scanner` results merged).
    ("tenable/nessus/nessus_many_vuln.xml", XML, 7, 7),
    // 30 rows; `Service Detection` twice on 443/tcp (two services found there): one finding.
    ("tenable/nessus/nessus_many_vuln2-all.csv", CSV, 30, 29),
    ("tenable/nessus/nessus_many_vuln2-default.csv", CSV, 30, 29),
    ("tenable/nessus/nessus_new.csv", CSV, 99, 99),
    // 296 ReportItems on 7 hosts; DefectDojo: 32 (one per plugin name over all hosts).
    ("tenable/nessus/nessus_v_unknown.xml", XML, 296, 296),
    ("tenable/nessus/nessus_with_cwe-.nessus", XML, 1, 1),
    // 5 rows and 24 rows of commas only.
    ("tenable/nessus_was/nessus_was_many_vuln.csv", CSV, 5, 5),
    ("tenable/nessus_was/nessus_was_many_vuln.xml", XML, 5, 5),
    ("tenable/nessus_was/nessus_was_no_vuln.csv", CSV, 0, 0),
    ("tenable/nessus_was/nessus_was_no_vuln.xml", XML, 0, 0),
    ("tenable/nessus_was/nessus_was_one_vuln.csv", CSV, 1, 1),
    ("tenable/nessus_was/nessus_was_one_vuln.xml", XML, 1, 1),
];

fn in_folder(folder: &str) -> Vec<(&'static str, &'static str, usize, usize)> {
    EXPECTED
        .iter()
        .copied()
        .filter(|(f, ..)| {
            f.strip_prefix(folder)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/'))
        })
        .collect()
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    // The subfolders are listed as entries of `tenable/`, and checked on their own.
    let subfolders = ["tenable/nessus", "tenable/nessus_was"];
    corpus::assert_counts("tenable", "nessus", &subfolders, &in_folder("tenable"));
    for folder in subfolders {
        corpus::assert_counts(folder, "nessus", &[], &in_folder(folder));
    }
    corpus::assert_detected_as_listed("nessus", EXPECTED);
    for (file, ..) in EXPECTED {
        let (imported, _) = corpus::import(file);
        assert!(
            imported.info.warnings.is_empty(),
            "{file}: {:?}",
            imported.info.warnings
        );
    }
}

fn one(file: &str, title: &str) -> Finding {
    let (_, findings) = corpus::import(file);
    findings
        .into_iter()
        .find(|f| f.title == title)
        .unwrap_or_else(|| panic!("{file}: no finding {title:?}"))
}

#[test]
fn xml_keeps_what_nessus_says() {
    let (imported, findings) = corpus::import("tenable/nessus/nessus_with_cwe-.nessus");
    assert_eq!(imported.info.tool, "nessus");
    let f = &findings[0];
    assert_eq!(f.rule_id, "31649");
    assert_eq!(f.title, "PHP 5.x < 5.2 Multiple Vulnerabilities");
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.category.as_deref(), Some("cgi_abuses"));
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.severity_original.as_deref(), Some("3"));
    assert_eq!(f.cwe, ["CWE-94", "CWE-119", "CWE-399"]);
    assert_eq!(f.aliases.len(), 15);
    assert_eq!(f.aliases[0], "CVE-2006-1015");
    assert_eq!(
        f.references,
        [
            "http://www.hardened-php.net/advisory_092006.133.html",
            "http://www.php.net/releases/5_2_0.php"
        ]
    );
    assert_eq!(f.cvss[0].version, "2.0");
    assert_eq!(
        f.cvss[0].vector.as_deref(),
        Some("AV:N/AC:L/Au:N/C:P/I:P/A:P")
    );
    assert_eq!(f.cvss[0].score, Some(7.5));
    assert_eq!(f.location.target.as_deref(), Some("testphp.vulnweb.com"));
    assert_eq!(
        f.location.resource.as_deref(),
        Some("testphp.vulnweb.com:80/tcp (www)")
    );
    assert_eq!(
        f.remediation.as_deref(),
        Some("Upgrade to PHP version 5.2.0 or later.")
    );
    let description = f.description.as_deref().expect("description");
    assert!(description.starts_with("The remote web server uses a version of PHP"));
    assert!(description.contains("Plugin output:\n"), "{description}");
    assert!(description.contains("VPR: 6.7"), "{description}");

    let f = one(
        "tenable/nessus/issue_6992.nessus",
        "PHP < 7.3.24 Multiple Vulnerabilities",
    );
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("2"));
    assert!(
        f.cvss
            .iter()
            .any(|c| c.version == "3.0" && c.score.is_some())
    );
}

#[test]
fn xml_hosts_ports_and_scan() {
    let (imported, findings) = corpus::import("tenable/nessus/nessus_v_unknown.xml");
    assert!(imported.info.scanned_at.is_some());
    let ssh = findings
        .iter()
        .filter(|f| f.aliases.contains(&"CVE-2005-1794".to_string()))
        .count();
    assert_eq!(
        ssh, 7,
        "one per host, where DefectDojo keeps one with 7 endpoints"
    );
    let general = findings
        .iter()
        .find(|f| f.title == "Nessus Scan Information")
        .expect("scan information");
    assert_eq!(general.severity, Severity::Info);
    assert!(general.aliases.is_empty());
    // Port 0 is the host itself.
    assert_eq!(general.location.resource, general.location.target);

    let (imported, _) = corpus::import("tenable/nessus/nessus_many_vuln.xml");
    assert_eq!(imported.info.target.as_deref(), Some("Remote"));
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2013-06-25T10:32:42")
    );
}

#[test]
fn was_xml_is_web() {
    let (imported, findings) = corpus::import("tenable/nessus_was/nessus_was_many_vuln.xml");
    assert_eq!(imported.info.target.as_deref(), Some("google.com"));
    assert!(findings.iter().all(|f| f.kind == Kind::Web));
    let xss = &findings[0];
    assert_eq!(xss.title, "Cross-Site Scripting (XSS)");
    assert_eq!(xss.severity, Severity::High);
    assert_eq!(xss.cwe, ["CWE-79"]);
    assert_eq!(
        xss.location.url.as_deref(),
        Some("http://google.com/search.jsp")
    );
    assert_eq!(xss.location.target.as_deref(), Some("google.com"));
    assert!(
        xss.cvss
            .iter()
            .any(|c| c.version == "3.0" && c.score == Some(7.1))
    );
}

#[test]
fn csv_exports_keep_what_tenable_says() {
    // Tenable.sc.
    let f = one(
        "tenable/nessus/nessus_many_vuln.csv",
        "SSL Certificate Signed Using Weak Hashing Algorithm",
    );
    assert_eq!(f.rule_id, "35291");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.location.target.as_deref(), Some("10.1.1.1"));
    assert_eq!(f.aliases, ["CVE-2004-2761"]);
    assert_eq!(f.cwe, ["CWE-310"]);
    assert!(f.cvss.iter().any(|c| c.vector.as_deref()
        == Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N/E:P/RL:O/RC:C")
        && c.score == Some(7.5)));
    let (_, findings) = corpus::import("tenable/nessus/nessus_many_vuln.csv");
    assert_eq!(findings[3].aliases, ["CVE-2013-2566", "CVE-2015-2808"]);

    // The 2025 template, as a spreadsheet saved it (decimal points gone).
    let f = one(
        "tenable/nessus/nessus-template.csv",
        "SSL Medium Strength Cipher Suites Supported (SWEET32)",
    );
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.severity_original.as_deref(), Some("High"));
    assert_eq!(f.aliases, ["CVE-2016-2183"]);
    assert!(
        f.cvss
            .iter()
            .any(|c| c.version == "3.0" && c.score == Some(7.5))
    );
    assert_eq!(f.epss.map(|e| e.probability), Some(0.3833));
    let f = one(
        "tenable/nessus/nessus-template.csv",
        "HTTP TRACE / TRACK Methods Allowed",
    );
    assert_eq!(f.cwe, ["CWE-16", "CWE-200"]);

    // Nessus Professional default and all columns read alike.
    let (_, default) = corpus::import("tenable/nessus/nessus_many_vuln2-default.csv");
    let (_, all) = corpus::import("tenable/nessus/nessus_many_vuln2-all.csv");
    let ids = |f: &[Finding]| f.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&default), ids(&all));
    assert_eq!(default[0].title, "HTTP Server Type and Version");
    assert_eq!(default[0].severity, Severity::Info);
    assert_eq!(default[0].remediation, None, "`n/a` is no solution");

    // Tenable Vulnerability Management, `;`-separated.
    let (_, findings) = corpus::import("tenable/nessus/nessus_new.csv");
    let f = &findings[0];
    assert_eq!(f.title, "Network daemons not managed by the package system");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.location.target.as_deref(), Some("blah1"));
    assert_eq!(f.tool_status.as_deref(), Some("ACTIVE"));
    assert!(
        f.cvss
            .iter()
            .any(|c| c.version == "3.0" && c.score == Some(3.1))
    );
    assert!(f.description.is_some());

    // Tenable.sc with `Steps to Remediate`.
    let (_, findings) = corpus::import("tenable/issue_11102.csv");
    assert_eq!(
        findings[0].remediation.as_deref(),
        Some(
            "Reconfigure the affected application if possible to avoid use of medium strength ciphers."
        )
    );
    let (_, findings) = corpus::import("tenable/issue_9612.csv");
    assert_eq!(findings[0].severity, Severity::Critical);
    assert_eq!(
        findings[0].location.resource.as_deref(),
        Some("2.3.4.5:1433/tcp")
    );

    // Nessus WAS.
    let (_, findings) = corpus::import("tenable/nessus_was/nessus_was_many_vuln.csv");
    assert!(findings.iter().all(|f| f.kind == Kind::Web));
    assert!(
        findings
            .iter()
            .all(|f| f.location.target.as_deref() == Some("google.com"))
    );
    assert_eq!(findings[0].severity, Severity::High);
}

#[test]
fn the_identity_is_the_plugin_the_host_and_the_port() {
    let header = "Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output\n";
    let row = |host: &str, port: &str, name: &str, output: &str| {
        format!(
            "\"10107\",\"\",\"\",\"None\",\"{host}\",\"tcp\",\"{port}\",\"{name}\",\"s\",\"d\",\"n/a\",\"\",\"{output}\"\n"
        )
    };
    let fp = |rows: &[String]| {
        let csv = format!("{header}{}", rows.concat());
        importers::import_to_vec(csv.as_bytes(), None)
            .expect("import")
            .1
            .into_iter()
            .map(|f| f.fingerprint)
            .collect::<Vec<_>>()
    };
    let one = fp(&[row("10.0.0.1", "80", "HTTP Server Type", "Cowboy")]);
    let renamed = fp(&[row(
        "10.0.0.1",
        "80",
        "HTTP Server Type and Version",
        "nginx",
    )]);
    assert_eq!(one, renamed, "name and output are not identity");
    let two = fp(&[
        row("10.0.0.1", "80", "HTTP Server Type", "a"),
        row("10.0.0.1", "443", "HTTP Server Type", "a"),
        row("10.0.0.2", "80", "HTTP Server Type", "a"),
        row("WEB.example", "80", "HTTP Server Type", "a"),
        row("web.example", "80", "HTTP Server Type", "a"),
    ]);
    assert_eq!(two[0], one[0]);
    assert_ne!(two[0], two[1], "another port");
    assert_ne!(two[0], two[2], "another host");
    assert_eq!(two[3], two[4], "host names are case-insensitive");
}

#[test]
fn csv_detection_needs_a_plugin_a_name_and_a_host() {
    for header in [
        "Plugin ID,Name,Host\n1,a,h\n",
        "\"Plugin\",\"Plugin Name\",\"IP Address\"\n\"1\",\"a\",\"h\"\n",
        "definition.id;definition.name;asset.display_fqdn\n1;a;h\n",
    ] {
        let (imported, findings) = importers::import_to_vec(header.as_bytes(), None)
            .unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(imported.format, CSV, "{header}");
        assert_eq!(findings.len(), 1, "{header}");
    }
    for header in [
        "Plugin ID,Name\n1,a\n",
        "file,start_line,end_line,rule_id,severity,description,link,passed\n",
        "Name,Host,Port\n",
    ] {
        let format = importers::import_to_vec(header.as_bytes(), None)
            .map(|(i, _)| i.format)
            .unwrap_or("none");
        assert_ne!(format, CSV, "{header}");
    }
}

#[test]
fn snapshots_of_normalized_output() {
    for (name, file) in [
        ("nessus_with_cwe", "tenable/nessus/nessus_with_cwe-.nessus"),
        (
            "nessus_was_one_vuln_xml",
            "tenable/nessus_was/nessus_was_one_vuln.xml",
        ),
        ("nessus_template_csv", "tenable/nessus/nessus-template.csv"),
        ("tenable_sc_issue_9612_csv", "tenable/issue_9612.csv"),
    ] {
        let (imported, findings) = corpus::import(file);
        insta::assert_json_snapshot!(name, (imported.info, findings));
    }
}

// ---- hostile input ----

/// Entity bombs and external entities are refused by name, never expanded; deep nesting and cut
/// documents are errors naming the format.
#[test]
fn xml_refuses_entities_nesting_and_cut_documents() {
    let laughs = "<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>";
    let external = "<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>";
    for (prolog, entity) in [(laughs, "lol9"), (external, "xxe")] {
        let xml = format!(
            "<?xml version=\"1.0\"?>\n{prolog}<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"h\"><ReportItem pluginID=\"1\" port=\"0\" protocol=\"tcp\" severity=\"1\"><description>&{entity};</description></ReportItem></ReportHost></Report></NessusClientData_v2>"
        );
        let text = crate::hostile::import_error(xml.as_bytes(), None).to_string();
        assert!(text.starts_with("nessus-xml: "), "{text}");
        assert!(text.contains(entity) && text.contains("at byte"), "{text}");
        assert!(!text.contains("root:"), "{text}");
    }
    let mut deep = String::from("<NessusClientData_v2><Report><ReportHost><ReportItem>");
    deep.push_str(&"<x>".repeat(100_000));
    let text = crate::hostile::import_error(deep.as_bytes(), None).to_string();
    assert!(
        text.starts_with("nessus-xml: ") && text.contains("nested"),
        "{text}"
    );
    let cut = "<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"h\"><ReportItem pluginID=\"1\">";
    let text = crate::hostile::import_error(cut.as_bytes(), None).to_string();
    assert!(text.contains("truncated file"), "{text}");
    let other_root = "<?xml version=\"1.0\"?><NessusClientData><Report/></NessusClientData>";
    let text = crate::hostile::import_error(other_root.as_bytes(), Some(XML)).to_string();
    assert!(text.contains("NessusClientData_v2"), "{text}");
}

/// Every Tenable corpus file cut at 20 points: an XML file is always an error; a CSV file cut
/// inside a quoted field or inside a row is an error (one cut between two rows, or inside a
/// last field that is not quoted, reads as a shorter file: CSV has no end marker).
#[test]
fn truncated_files_are_errors() {
    let mut csv_errors = 0;
    for (file, format, ..) in EXPECTED {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let trimmed = bytes.trim_ascii_end().len();
        for i in 1..=20 {
            let cut = &bytes[..trimmed * i / 21];
            let result = importers::import_to_vec(cut, Some(format));
            if *format == XML {
                assert!(result.is_err(), "{file} cut at {} imported", cut.len());
                continue;
            }
            let in_quotes = cut.iter().filter(|&&b| b == b'"').count() % 2 == 1;
            if in_quotes {
                let err = result.err().unwrap_or_else(|| {
                    panic!("{file} cut at {} inside a quoted field imported", cut.len())
                });
                assert!(err.to_string().starts_with("nessus-csv: "), "{err}");
            }
            csv_errors += usize::from(in_quotes);
        }
    }
    assert!(csv_errors > 50, "{csv_errors}");
}

#[test]
fn csv_errors_name_format_and_position() {
    let text =
        crate::hostile::import_error(b"Plugin ID,Name,Host,Port\n1,a,h,80\n2,b\n", Some(CSV))
            .to_string();
    assert!(
        text.starts_with("nessus-csv: ") && text.contains("line 3"),
        "{text}"
    );
    let text = crate::hostile::import_error(b"Plugin ID,Name\n1,a\n", Some(CSV)).to_string();
    assert!(text.contains("must name"), "{text}");
    // A row without a plugin id is skipped with a warning; blank rows silently.
    let (imported, findings) =
        importers::import_to_vec(&b"Plugin ID,Name,Host\n,a,h\n,,\n1,b,h\n"[..], None)
            .expect("imports");
    assert_eq!(findings.len(), 1);
    assert_eq!(
        imported.info.warnings,
        ["skipped a row without plugin id (line 2)"]
    );
}

/// Many items stream: the count is right and nothing is held between them.
#[test]
fn many_items_stream() {
    let n = 50_000;
    let mut xml = String::from(
        "<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"10.0.0.1\"><HostProperties><tag name=\"host-ip\">10.0.0.1</tag></HostProperties>",
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<ReportItem port=\"{i}\" svc_name=\"x\" protocol=\"tcp\" severity=\"2\" pluginID=\"11219\" pluginName=\"Nessus SYN scanner\" pluginFamily=\"Port scanners\"><plugin_output>Port {i}/tcp was found to be open</plugin_output></ReportItem>"
        ));
    }
    xml.push_str("</ReportHost></Report></NessusClientData_v2>");
    let mut count = 0;
    importers::import(xml.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("imports");
    assert_eq!(count, n);
}

mod arbitrary {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn bytes_after_nessus_heads_never_panic(
            which in 0usize..3,
            tail in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let head: &[u8] = match which {
                0 => b"<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"h\"><ReportItem ",
                1 => b"Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output\n",
                _ => b"definition.id;definition.name;asset.display_fqdn;port;protocol;severity;state\n",
            };
            let mut bytes = head.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = importers::import_to_vec(&bytes[..], None);
        }

        /// Well-formed reports made of arbitrary values in every field the importers read.
        #[test]
        fn values_never_panic(value in "\\PC{0,40}") {
            let quoted = value.replace('"', "\"\"");
            let csv = format!(
                "Plugin ID,CVE,CVSS v2.0 Base Score,CVSS v3.0 Base Score,Risk,Host,Protocol,Port,Name,See Also,Plugin Output,EPSS Score,VPR Score,XREF\n\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\",\"{quoted}\"\n"
            );
            let _ = importers::import_to_vec(csv.as_bytes(), Some("nessus-csv"));
            let escaped = value.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
            let xml = format!(
                "<NessusClientData_v2><Report name=\"{escaped}\" type=\"{escaped}\"><ReportHost name=\"{escaped}\"><HostProperties><tag name=\"host-fqdn\">{escaped}</tag><tag name=\"HOST_START\">{escaped}</tag></HostProperties><ReportItem port=\"{escaped}\" protocol=\"{escaped}\" severity=\"{escaped}\" pluginID=\"{escaped}\" pluginName=\"{escaped}\"><cvss3_base_score>{escaped}</cvss3_base_score><cvss_vector>{escaped}</cvss_vector><cve>{escaped}</cve><cwe>{escaped}</cwe><xref>{escaped}</xref><see_also>{escaped}</see_also><epss_score>{escaped}</epss_score><plugin_output>{escaped}</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>"
            );
            let _ = importers::import_to_vec(xml.as_bytes(), Some("nessus-xml"));
        }
    }
}
