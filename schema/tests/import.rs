//! Importing: counts, idempotency, supersession, all-or-nothing, raw bytes, concurrency.

use crate::harness::{corpus, on_each_backend, request};
use schema::{FindingFilter, StoreError};
use testdata::synthetic::{SyntheticOptions, trivy_report};

/// Distinct findings per Trivy corpus file (the importer's records, less repeats inside a file).
const TRIVY: &[(&str, u64)] = &[
    ("trivy/all_statuses.json", 8),
    ("trivy/cvss_severity_source.json", 2),
    ("trivy/cvssv4_severity_source.json", 3),
    ("trivy/issue_10991.json", 37),
    ("trivy/issue_14136.json", 1),
    ("trivy/issue_9092.json", 1),
    ("trivy/issue_9170.json", 37),
    ("trivy/issue_9263.json", 1),
    ("trivy/issue_9333.json", 13),
    ("trivy/kubernetes.json", 20),
    // 13 records: three vulnerabilities and one KSV001 check appear twice for the same resource.
    ("trivy/kubernetes_fabricated_internal_duplicates.json", 9),
    // 5 records, two of them repeats.
    (
        "trivy/kubernetes_fabricated_internal_duplicates_subset.json",
        3,
    ),
    ("trivy/kubernetes_fabricated_subset.json", 13),
    ("trivy/legacy_many_vulns.json", 93),
    ("trivy/legacy_no_vuln.json", 0),
    ("trivy/legacy_trivy_mix.json", 6),
    ("trivy/license_scheme.json", 19),
    ("trivy/misconfigurations_and_secrets.json", 5),
    ("trivy/scheme_2_many_vulns.json", 5),
    ("trivy/scheme_2_no_vuln.json", 0),
    ("trivy/severity_prio.json", 2),
    // Trivy reports 127 failed checks; 10 of them repeat a check on the same resource of the same
    // file (five EKS log types on one cluster, three rules of one security group, ...). Six of
    // those are at lines of their own and are told apart (fingerprint version 2); four repeat
    // the same lines and merge (docs/FORMATS.md). Same for the 127 checks inside fs-all.
    ("trivy-0.76/config-all.json", 123),
    ("trivy-0.76/fs-all-scanners-minidb.json", 144),
    ("trivy-0.76/image-all-scanners-minidb.json", 34),
    ("trivy-0.76/rootfs-debian-vuln-minidb.json", 3),
];

#[test]
fn every_trivy_corpus_file_imports_with_its_count() {
    on_each_backend(|t| {
        for (i, (file, expected)) in TRIVY.iter().enumerate() {
            let release = format!("r{i}");
            let outcome = t
                .store
                .import_scan(&request("corpus", &release), &corpus(file))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", t.name));
            assert_eq!(outcome.findings, *expected, "{}: {file}", t.name);
            assert!(!outcome.duplicate);
            let view = t
                .store
                .release_view("corpus", &release, &FindingFilter::default())
                .expect("view");
            assert_eq!(
                view.findings.len() as u64,
                *expected,
                "{}: {file} view",
                t.name
            );
        }
    });
}

#[test]
fn internal_duplicates_are_merged_and_counted() {
    on_each_backend(|t| {
        let file = corpus("trivy/kubernetes_fabricated_internal_duplicates.json");
        let outcome = t
            .store
            .import_scan(&request("p", "1"), &file)
            .expect("import");
        assert_eq!(outcome.findings, 9);
        assert_eq!(outcome.duplicates_merged, 4);
    });
}

#[test]
fn the_same_bytes_twice_is_a_no_op_that_says_so() {
    on_each_backend(|t| {
        let file = corpus("trivy/scheme_2_many_vulns.json");
        let first = t
            .store
            .import_scan(&request("p", "1"), &file)
            .expect("first");
        let before = t.store.row_counts().expect("counts");
        let second = t
            .store
            .import_scan(&request("p", "1"), &file)
            .expect("second");
        assert!(second.duplicate);
        assert_eq!(second.scan_id, first.scan_id);
        assert_eq!(second.findings, first.findings);
        assert_eq!(second.by_severity, first.by_severity);
        assert_eq!(t.store.row_counts().expect("counts"), before, "{}", t.name);
        // The same bytes in another release are a new scan there, sharing the stored blob.
        let other = t
            .store
            .import_scan(&request("p", "2"), &file)
            .expect("other release");
        assert!(!other.duplicate);
        let counts = t.store.row_counts().expect("counts");
        assert_eq!(counts["blobs"], before["blobs"]);
        assert_eq!(counts["scans"], before["scans"] + 1);
        assert_eq!(
            counts["findings"], before["findings"],
            "findings are per project, by fingerprint"
        );
    });
}

#[test]
fn a_newer_scan_supersedes_its_slot_only() {
    on_each_backend(|t| {
        let report = |generation| {
            trivy_report(&SyntheticOptions {
                findings: 40,
                seed: 7,
                artifact: "shop:1".into(),
                generation,
            })
        };
        let older = t
            .store
            .import_scan(&request("p", "1"), &report(0))
            .expect("older");
        let secrets = t
            .store
            .import_scan(
                &request("p", "1"),
                &corpus("trivy/misconfigurations_and_secrets.json"),
            )
            .expect("other slot");
        let newer = t
            .store
            .import_scan(&request("p", "1"), &report(1))
            .expect("newer");
        assert_eq!(older.label, newer.label, "same slot");
        assert_ne!(older.label, secrets.label);
        let comparison = newer
            .compared_to
            .clone()
            .expect("compared with the older scan");
        assert_eq!(comparison.previous_scan_id, older.scan_id);
        assert_eq!(comparison.unchanged + comparison.fixed, older.findings);
        assert_eq!(comparison.unchanged + comparison.new, newer.findings);
        assert!(comparison.fixed > 0 && comparison.new > 0);

        let view = t
            .store
            .release_view("p", "1", &FindingFilter::default())
            .expect("view");
        let scan_ids: Vec<_> = view.scans.iter().map(|s| s.id).collect();
        assert_eq!(scan_ids, vec![secrets.scan_id, newer.scan_id]);
        assert_eq!(
            view.findings.len() as u64,
            newer.findings + secrets.findings
        );
        let scans = t.store.scans("p", "1").expect("scans");
        assert_eq!(
            scans
                .iter()
                .filter(|s| s.superseded)
                .map(|s| s.id)
                .collect::<Vec<_>>(),
            vec![older.scan_id]
        );
    });
}

#[test]
fn bad_input_stores_nothing() {
    on_each_backend(|t| {
        t.store
            .import_scan(
                &request("p", "1"),
                &corpus("trivy/scheme_2_many_vulns.json"),
            )
            .expect("baseline");
        let before = t.store.row_counts().expect("counts");
        let full = std::fs::read(corpus("trivy/scheme_2_many_vulns.json")).expect("read");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("truncated", full[..full.len() / 2].to_vec()),
            ("empty", Vec::new()),
            ("blank", b"  \n".to_vec()),
            ("another format", b"<html><body>hello</body></html>".to_vec()),
            ("invalid utf-8", b"{\"SchemaVersion\": 2, \"ArtifactName\": \"\xff\xfe\", \"Results\": []}".to_vec()),
            ("wrong types", br#"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1"}, {"VulnerabilityID": 7}]}]}"#.to_vec()),
        ];
        for (name, bytes) in cases {
            let err = t
                .store
                .import_scan(&request("p", "1"), &bytes)
                .expect_err(name);
            assert!(
                matches!(err, StoreError::Import(_)),
                "{}: {name}: {err}",
                t.name
            );
            assert_eq!(
                t.store.row_counts().expect("counts"),
                before,
                "{}: {name} left rows behind",
                t.name
            );
        }
        // A new project or release named by a failed upload is not created either.
        let err = t
            .store
            .import_scan(&request("new-project", "9"), &full[..10].to_vec())
            .expect_err("truncated");
        assert!(matches!(err, StoreError::Import(_)));
        assert_eq!(t.store.row_counts().expect("counts"), before);
    });
}

#[test]
fn raw_reports_come_back_byte_exact() {
    on_each_backend(|t| {
        // Over 1 MiB, so it spans several chunks; with a BOM and CRLF to prove nothing is touched.
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(
            trivy_report(&SyntheticOptions {
                findings: 900,
                seed: 3,
                artifact: "x:1".into(),
                generation: 0,
            })
            .iter()
            .flat_map(|&b| {
                if b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            }),
        );
        assert!(bytes.len() > 1024 * 1024);
        let outcome = t
            .store
            .import_scan(&request("p", "1"), &bytes)
            .expect("import");
        assert_eq!(outcome.findings, 900);
        let mut back = Vec::new();
        let sha = t.store.raw_report(outcome.scan_id, &mut back).expect("raw");
        assert_eq!(sha, outcome.sha256);
        assert!(back == bytes, "{}: raw report differs", t.name);
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&back)), outcome.sha256);

        // The chunks are stored compressed; whoever alters one (here: makes the compressed
        // bytes pass for raw ones) gets an error, never wrong evidence.
        t.raw_sql("UPDATE blob_chunks SET encoding = 'identity' WHERE seq = 1")
            .expect("tamper");
        let mut altered = Vec::new();
        let err = t
            .store
            .raw_report(outcome.scan_id, &mut altered)
            .expect_err("altered evidence must not be served");
        assert!(matches!(err, StoreError::Corrupt(_)), "{}: {err}", t.name);
    });
}

#[test]
fn evidence_rows_are_never_deleted_and_references_are_checked() {
    on_each_backend(|t| {
        let report = trivy_report(&SyntheticOptions {
            findings: 20,
            seed: 5,
            artifact: "r:1".into(),
            generation: 0,
        });
        t.store
            .import_scan(&request("p", "1"), &report)
            .expect("import");
        for table in ["projects", "scans", "findings", "components"] {
            assert!(
                t.raw_sql(&format!("DELETE FROM {table}")).is_err(),
                "{}: DELETE FROM {table} went through",
                t.name
            );
        }
        // Foreign keys on SQLite, per-statement checks on PostgreSQL: same refusal.
        for sql in [
            "INSERT INTO occurrences (scan_id, finding_id, severity) \
             SELECT 987654, MIN(id), 1 FROM findings",
            "INSERT INTO occurrences (scan_id, finding_id, severity) \
             SELECT MIN(id), 987654, 1 FROM scans",
            "INSERT INTO occurrences (scan_id, finding_id, component_id, severity) \
             SELECT (SELECT MIN(id) FROM scans), MAX(id), 987654, 1 FROM findings",
            "UPDATE occurrences SET finding_id = 987654",
            "INSERT INTO components (project_id, purl) VALUES (987654, 'pkg:x/y@1')",
            "UPDATE findings SET project_id = 987654",
        ] {
            assert!(t.raw_sql(sql).is_err(), "{}: {sql} went through", t.name);
        }
        assert_eq!(t.store.row_counts().expect("counts")["occurrences"], 20);
    });
}

#[test]
fn concurrent_uploads_into_one_project_share_its_findings() {
    on_each_backend(|t| {
        // The same findings in four slots at once: one finding row each, four occurrences.
        let report = trivy_report(&SyntheticOptions {
            findings: 300,
            seed: 21,
            artifact: "s:1".into(),
            generation: 0,
        });
        let labels = ["a", "b", "c", "d"];
        std::thread::scope(|s| {
            for label in labels {
                let report = &report;
                s.spawn(move || {
                    let mut req = request("p", "1");
                    req.label = Some(label);
                    t.store.import_scan(&req, report).expect("import")
                });
            }
        });
        let counts = t.store.row_counts().expect("counts");
        assert_eq!(counts["scans"], 4, "{}", t.name);
        assert_eq!(counts["findings"], 300, "{}", t.name);
        assert_eq!(counts["occurrences"], 1200, "{}", t.name);
    });
}

#[test]
fn concurrent_uploads_of_the_same_file_make_one_scan() {
    on_each_backend(|t| {
        let report = trivy_report(&SyntheticOptions {
            findings: 300,
            seed: 11,
            artifact: "c:1".into(),
            generation: 0,
        });
        let outcomes: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| t.store.import_scan(&request("p", "1"), &report)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let outcomes: Vec<_> = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|e| panic!("{}: {e}", t.name)))
            .collect();
        assert_eq!(
            outcomes.iter().filter(|o| !o.duplicate).count(),
            1,
            "{}",
            t.name
        );
        assert!(outcomes.windows(2).all(|w| w[0].scan_id == w[1].scan_id));
        assert_eq!(t.store.row_counts().expect("counts")["scans"], 1);
    });
}

#[test]
fn concurrent_uploads_of_different_files_all_land() {
    on_each_backend(|t| {
        let reports: Vec<Vec<u8>> = (0..4)
            .map(|i| {
                trivy_report(&SyntheticOptions {
                    findings: 200,
                    seed: 100 + i,
                    artifact: format!("img{i}:1"),
                    generation: 0,
                })
            })
            .collect();
        std::thread::scope(|s| {
            for report in &reports {
                s.spawn(move || {
                    t.store
                        .import_scan(&request("p", "1"), report)
                        .expect("import")
                });
            }
        });
        let counts = t.store.row_counts().expect("counts");
        assert_eq!(counts["scans"], 4, "{}", t.name);
        assert_eq!(counts["occurrences"], 800);
    });
}

#[test]
fn sealed_releases_refuse_scans_and_names_are_checked() {
    on_each_backend(|t| {
        let err = t
            .store
            .import_scan(&request("", "1"), &corpus("trivy/issue_9092.json"))
            .expect_err("empty name");
        assert!(
            matches!(err, StoreError::Invalid { field: "name", .. }),
            "{err}"
        );
    });
}

/// Every corpus file that an importer recognizes imports through the store on every backend,
/// with one finding per distinct fingerprint; what no importer recognizes is refused and leaves
/// nothing behind.
#[test]
fn every_corpus_file_of_every_format_imports_through_the_store() {
    let root = corpus("");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("corpus dir")
            .map(|e| e.expect("entry").path())
        {
            if entry.is_dir() {
                dirs.push(entry);
            } else if entry.extension().is_none_or(|e| e != "md") {
                files.push(entry);
            }
        }
    }
    files.sort();
    assert!(files.len() > 100, "corpus not found at {}", root.display());
    on_each_backend(|t| {
        let mut imported = 0;
        for (i, file) in files.iter().enumerate() {
            let name = file
                .strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string();
            let parsed = importers::import_to_vec(std::fs::File::open(file).expect("open"), None);
            let release = format!("r{i}");
            let before = t.store.row_counts().expect("counts");
            let outcome = t.store.import_scan(&request("all", &release), file);
            match parsed {
                Ok((meta, findings)) => {
                    let outcome = outcome.unwrap_or_else(|e| panic!("{}: {name}: {e}", t.name));
                    let distinct: std::collections::HashSet<&str> =
                        findings.iter().map(|f| f.fingerprint.as_str()).collect();
                    assert_eq!(
                        outcome.findings,
                        distinct.len() as u64,
                        "{}: {name}",
                        t.name
                    );
                    assert_eq!(outcome.format, meta.format, "{name}");
                    assert_eq!(outcome.partial, meta.info.partial, "{name}");
                    imported += 1;
                }
                Err(_) => {
                    assert!(
                        outcome.is_err(),
                        "{}: {name} imported in the store only",
                        t.name
                    );
                    assert_eq!(
                        t.store.row_counts().expect("counts"),
                        before,
                        "{}: {name} left rows",
                        t.name
                    );
                }
            }
        }
        assert!(imported > 100, "{imported} files imported");
    });
}

#[test]
fn a_partial_report_fixes_nothing() {
    on_each_backend(|t| {
        let complete =
            corpus("sonarqube-extra/api_issues_search_pre10.2_utf8bom_yazoo_225issues.json");
        let partial = corpus(
            "sonarqube-extra/api_issues_search_2025_utf16le_page1of4_snailshop_100issues.json",
        );
        let label = schema::ImportRequest {
            label: Some("sonar"),
            ..request("p", "1")
        };
        let first = t.store.import_scan(&label, &complete).expect("complete");
        assert!(!first.partial);
        let label = schema::ImportRequest {
            label: Some("sonar"),
            ..request("p", "2")
        };
        let second = t.store.import_scan(&label, &partial).expect("partial");
        assert!(second.partial, "page 1 of 4 says it is partial");
        assert!(
            second.warnings.iter().any(|w| w.contains("total")),
            "{:?}",
            second.warnings
        );
        assert_eq!(second.compared_to.as_ref().map(|c| c.fixed), Some(0));
        let diff = t.store.diff("p", "1", "2").expect("diff");
        assert_eq!(diff.fixed, 0, "{}", t.name);
        assert_eq!(diff.not_rescanned, first.findings - diff.still_open);
    });
}
