//! Release view, filters, diff and gate.

use crate::harness::{corpus, on_each_backend, request};
use importers::{Kind, Severity};
use schema::TriageStatus;
use schema::{DiffChange, FindingFilter, GateOptions, GateReason};
use testdata::synthetic::{SyntheticOptions, trivy_report};

fn load_two_releases(t: &crate::harness::TestStore) -> (u64, u64) {
    let report = |generation, tag: &str| {
        trivy_report(&SyntheticOptions {
            findings: 200,
            seed: 5,
            artifact: format!("shop:{tag}"),
            generation,
        })
    };
    let a = t
        .store
        .import_scan(&request("shop", "1.0"), &report(0, "1.0"))
        .expect("1.0");
    let b = t
        .store
        .import_scan(&request("shop", "1.1"), &report(1, "1.1"))
        .expect("1.1");
    (a.findings, b.findings)
}

#[test]
fn diff_counts_new_still_open_and_fixed() {
    on_each_backend(|t| {
        let (before, after) = load_two_releases(t);
        // A misconfiguration scan only in the first release: its findings are not "fixed".
        let misconf = t
            .store
            .import_scan(
                &request("shop", "1.0"),
                &corpus("trivy/misconfigurations_and_secrets.json"),
            )
            .expect("misconf");
        let diff = t.store.diff("shop", "1.0", "1.1").expect("diff");
        assert_eq!(diff.still_open + diff.new, after, "{}", t.name);
        assert_eq!(
            diff.still_open + diff.fixed + diff.not_rescanned,
            before + misconf.findings
        );
        assert_eq!(diff.not_rescanned, misconf.findings);
        assert!(diff.new > 0 && diff.fixed > 0);
        assert_eq!(
            diff.entries.len() as u64,
            diff.new + diff.still_open + diff.fixed + diff.not_rescanned
        );
        let misconf_slot = misconf.label.clone();
        assert!(
            diff.entries
                .iter()
                .filter(|e| e.change == DiffChange::NotRescanned)
                .all(|e| e.finding.scan_label == misconf_slot)
        );
        assert_eq!(
            t.store
                .previous_release("shop", "1.1")
                .expect("previous")
                .as_deref(),
            Some("1.0")
        );
    });
}

#[test]
fn filters_select_by_severity_kind_tool_and_text() {
    on_each_backend(|t| {
        t.store
            .import_scan(
                &request("p", "1"),
                &corpus("trivy-0.76/image-all-scanners-minidb.json"),
            )
            .expect("import");
        let all = t
            .store
            .release_view("p", "1", &FindingFilter::default())
            .expect("all")
            .findings;
        assert_eq!(all.len(), 34);
        let secrets = t
            .store
            .release_view(
                "p",
                "1",
                &FindingFilter {
                    kinds: vec![Kind::Secret],
                    ..Default::default()
                },
            )
            .expect("secrets");
        assert_eq!(secrets.findings.len(), 5);
        let high_up = t
            .store
            .release_view(
                "p",
                "1",
                &FindingFilter {
                    min_severity: Some(Severity::High),
                    ..Default::default()
                },
            )
            .expect("high");
        assert_eq!(
            high_up.findings.len(),
            all.iter().filter(|f| f.severity >= Severity::High).count()
        );
        let exact = t
            .store
            .release_view(
                "p",
                "1",
                &FindingFilter {
                    severities: vec![Severity::Low],
                    ..Default::default()
                },
            )
            .expect("low");
        assert!(exact.findings.iter().all(|f| f.severity == Severity::Low));
        let none = t
            .store
            .release_view(
                "p",
                "1",
                &FindingFilter {
                    tools: vec!["tfsec".into()],
                    ..Default::default()
                },
            )
            .expect("tool");
        assert!(none.findings.is_empty());
        let text = t
            .store
            .release_view(
                "p",
                "1",
                &FindingFilter {
                    text: Some("DJANGO".into()),
                    ..Default::default()
                },
            )
            .expect("text");
        assert!(!text.findings.is_empty());
        assert!(text.findings.iter().all(|f| {
            f.title.to_lowercase().contains("django")
                || f.component
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains("django"))
                || f.file
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains("django"))
        }));
        // Most severe first.
        assert!(all.windows(2).all(|w| w[0].severity >= w[1].severity));
    });
}

#[test]
fn gate_blocks_on_threshold_and_missing_tools() {
    on_each_backend(|t| {
        t.store
            .import_scan(
                &request("p", "1"),
                &corpus("trivy/scheme_2_many_vulns.json"),
            )
            .expect("import");
        let view = t
            .store
            .release_view("p", "1", &FindingFilter::default())
            .expect("view");
        let highs = view
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::High)
            .count();
        assert!(highs > 0);

        let default = t
            .store
            .gate("p", "1", &GateOptions::default())
            .expect("gate");
        assert!(!default.verdict.is_passed());
        assert_eq!(default.reasons.len(), highs);

        let critical_only = t
            .store
            .gate(
                "p",
                "1",
                &GateOptions {
                    fail_on: Some(Severity::Critical),
                    required_tools: vec!["trivy".into()],
                    ..GateOptions::default()
                },
            )
            .expect("gate");
        let criticals = view
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Critical)
            .count();
        assert_eq!(
            critical_only.verdict.is_passed(),
            criticals == 0,
            "{:?}",
            critical_only.reasons
        );

        let missing = t
            .store
            .gate(
                "p",
                "1",
                &GateOptions {
                    fail_on: Some(Severity::Critical),
                    required_tools: vec!["tfsec".into()],
                    ..GateOptions::default()
                },
            )
            .expect("gate");
        assert!(!missing.verdict.is_passed());
        assert!(missing.reasons.contains(&GateReason::MissingScan {
            tool: "tfsec".into()
        }));

        let err = t
            .store
            .gate("p", "nope", &GateOptions::default())
            .expect_err("unknown release");
        assert!(matches!(err, schema::StoreError::NotFound { .. }));
    });
}

#[test]
fn releases_and_projects_are_listed_in_order() {
    on_each_backend(|t| {
        load_two_releases(t);
        let projects = t.store.projects().expect("projects");
        assert_eq!(projects.len(), 1);
        assert_eq!(projects[0].latest_release.as_deref(), Some("1.1"));
        let releases: Vec<String> = t
            .store
            .releases("shop")
            .expect("releases")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(releases, vec!["1.0", "1.1"]);
        assert!(t.store.ready().expect("ready"));
    });
}

#[test]
fn unknown_urls_are_refused_rather_than_guessed() {
    let err = schema::Store::open("mysql://localhost/x").expect_err("mysql");
    assert!(matches!(err, schema::StoreError::BadUrl(_)));
    let err = schema::Store::open("sqlite:///nonexistent-dir/x/y.db").expect_err("missing folder");
    assert!(matches!(err, schema::StoreError::BadUrl(_)));
}

#[test]
fn categories_keep_code_smells_apart() {
    on_each_backend(|t| {
        let file = corpus("sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json");
        let (_, parsed) = importers::import_to_vec(std::fs::File::open(&file).expect("open"), None)
            .expect("parse");
        let smells = parsed
            .iter()
            .filter(|f| f.category.as_deref() == Some("code_smell"))
            .count();
        assert!(smells > 0 && smells < parsed.len());
        t.store
            .import_scan(&request("p", "1"), &file)
            .expect("import");
        let filter = FindingFilter {
            categories: vec!["code_smell".into()],
            ..Default::default()
        };
        let view = t.store.release_view("p", "1", &filter).expect("view");
        assert!(
            view.findings
                .iter()
                .all(|f| f.category.as_deref() == Some("code_smell"))
        );
        let distinct: std::collections::HashSet<&str> = parsed
            .iter()
            .filter(|f| f.category.as_deref() == Some("code_smell"))
            .map(|f| f.fingerprint.as_str())
            .collect();
        assert_eq!(view.findings.len(), distinct.len(), "{}", t.name);
    });
}

#[test]
fn a_finding_in_two_slots_shows_once_at_its_most_severe() {
    on_each_backend(|t| {
        let report = |severities: [&str; 3]| {
            let vulns: Vec<serde_json::Value> = ["CVE-2026-1", "CVE-2026-2", "CVE-2026-3"]
                .iter()
                .zip(severities)
                .map(|(id, severity)| {
                    serde_json::json!({
                        "VulnerabilityID": id, "PkgName": "openssl", "InstalledVersion": "3.0",
                        "Severity": severity, "Title": id,
                    })
                })
                .collect();
            serde_json::to_vec(&serde_json::json!({
                "SchemaVersion": 2, "ArtifactName": "shop:1", "ArtifactType": "container_image",
                "Results": [{ "Target": "shop:1 (debian 12)", "Class": "os-pkgs",
                              "Type": "debian", "Vulnerabilities": vulns }],
            }))
            .expect("json")
        };
        for (label, severities) in [
            ("a", ["LOW", "CRITICAL", "MEDIUM"]),
            ("b", ["HIGH", "LOW", "MEDIUM"]),
        ] {
            t.store
                .import_scan(
                    &schema::ImportRequest {
                        label: Some(label),
                        ..request("p", "1")
                    },
                    &report(severities),
                )
                .expect("import");
        }
        let view = t
            .store
            .release_view("p", "1", &FindingFilter::default())
            .expect("view");
        let got: Vec<(&str, Severity, &str)> = view
            .findings
            .iter()
            .map(|f| (f.rule_id.as_str(), f.severity, f.scan_label.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("CVE-2026-2", Severity::Critical, "a"),
                ("CVE-2026-1", Severity::High, "b"),
                ("CVE-2026-3", Severity::Medium, "a"),
            ],
            "{}",
            t.name
        );
    });
}

#[test]
fn projects_are_created_once_by_any_entry_point_and_audited() {
    on_each_backend(|t| {
        // Explicitly, by an admin.
        let created = t
            .store
            .create_project("mobile", "user:alice", Some("req-1"))
            .expect("create");
        assert_eq!((created.name.as_str(), created.releases), ("mobile", 0));
        let err = t
            .store
            .create_project("mobile", "user:bob", None)
            .expect_err("taken");
        assert!(err.to_string().contains("already exists"), "{err}");
        for bad in ["", "  ", "a\u{1b}b", &"x".repeat(201)] {
            assert!(
                matches!(
                    t.store.create_project(bad, "user:alice", None),
                    Err(schema::StoreError::Invalid { field: "name", .. })
                ),
                "{bad:?}"
            );
        }
        // On first use: an upload, a policy, a scoped user; and not again for a second use.
        t.store
            .import_scan(
                &request("shop", "1"),
                &corpus("trivy/scheme_2_many_vulns.json"),
            )
            .expect("upload");
        t.store
            .import_scan(
                &request("shop", "2"),
                &corpus("trivy/scheme_2_many_vulns.json"),
            )
            .expect("upload");
        t.store
            .set_policy("policed", "", "user:carol", None)
            .expect("policy");
        t.store
            .create_user(
                &schema::Grant {
                    name: "dave",
                    role: schema::Role::Auditor,
                    project: Some("scoped"),
                    created_by: "user:erin",
                },
                "a long enough password",
            )
            .expect("user");
        let creations: Vec<(Option<String>, String, Option<String>)> = t
            .store
            .audit_list(&schema::AuditQuery {
                action: Some("project.create".into()),
                ..Default::default()
            })
            .expect("audit")
            .into_iter()
            .map(|e| (e.project, e.actor, e.request_id))
            .collect();
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            creations,
            vec![
                (some("mobile"), "user:alice".into(), some("req-1")),
                (some("shop"), "test".into(), None),
                (some("policed"), "user:carol".into(), None),
                (some("scoped"), "user:erin".into(), None),
            ],
            "{}",
            t.name
        );
        assert!(t.store.audit_verify().expect("verify").ok);

        // The overview: releases, the latest one's seal state and open findings, by name.
        let overview = t.store.project_overview().expect("overview");
        let names: Vec<&str> = overview.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["mobile", "policed", "scoped", "shop"]);
        let shop = &overview[3];
        assert_eq!(
            (shop.releases, shop.latest_release.as_deref()),
            (2, Some("2"))
        );
        assert_eq!(shop.latest_sealed_at, None);
        let open = t.store.open_counts("shop", "2").expect("counts").total();
        assert!(open > 0);
        assert_eq!(shop.open_findings, Some(open));
        assert_eq!(overview[0].open_findings, None);
        assert_eq!(overview[0].latest_release, None);
    });
}

#[test]
fn a_connection_the_database_dropped_is_replaced() {
    // The pool does not test a connection before lending it (that was a round trip per
    // request); a connection PostgreSQL dropped (a restart, an administrator) must fail at
    // most the one query that meets it, and never stay in the pool.
    let Some(t) = crate::harness::postgres() else {
        return;
    };
    let name = format!("droptest{}", std::process::id());
    let ours = t.postgres_with(&format!("application_name={name}"));
    load_two_releases(&ours);
    let store = &ours.store;
    t.raw_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{name}'"
    ))
    .expect("terminate");
    let open = store.pool_state().connections as usize;
    let mut failures = 0;
    for _ in 0..=open {
        if let Err(e) = store.releases("shop") {
            assert!(e.is_unavailable(), "{e}");
            failures += 1;
        }
    }
    assert!(
        failures <= open,
        "{failures} failures with {open} connections"
    );
    let releases = store.releases("shop").expect("a fresh connection answers");
    assert_eq!(releases.len(), 2);
}

#[test]
fn a_reworded_title_shows_in_the_later_release_with_the_same_identity_and_triage() {
    on_each_backend(|t| {
        let path = corpus("trivy/all_statuses.json");
        let original = std::fs::read(&path).expect("read");
        let mut doc: serde_json::Value = serde_json::from_slice(&original).expect("json");
        let vuln = &mut doc["Results"][0]["Vulnerabilities"][0];
        let old_title = vuln["Title"].as_str().expect("a title").to_string();
        vuln["Title"] = "apt-key does not validate keys correctly (reworded)".into();
        let reworded = serde_json::to_vec_pretty(&doc).expect("json");

        t.store
            .import_scan(&request("shop", "1.0"), &path)
            .expect("1.0");
        let fp = t
            .store
            .release_view("shop", "1.0", &FindingFilter::default())
            .expect("view 1.0")
            .findings
            .into_iter()
            .find(|f| f.title == old_title)
            .expect("the finding in 1.0")
            .fingerprint;
        t.store
            .triage(
                "shop",
                &fp,
                &schema::TriageDecision::new(schema::TriageStatus::Confirmed),
                "alice",
                None,
            )
            .expect("triage");
        t.store
            .import_scan(&request("shop", "1.1"), &reworded)
            .expect("1.1");
        let new_title = "apt-key does not validate keys correctly (reworded)";

        let title_in = |release: &str| {
            let view = t
                .store
                .release_view("shop", release, &FindingFilter::default())
                .expect("view");
            let f = view
                .findings
                .into_iter()
                .find(|f| f.fingerprint == fp)
                .expect("same fingerprint in both releases");
            (f.title, f.status)
        };
        assert_eq!(
            title_in("1.0"),
            (old_title.clone(), TriageStatus::Confirmed),
            "{}",
            t.name
        );
        assert_eq!(
            title_in("1.1"),
            (new_title.to_string(), TriageStatus::Confirmed),
            "{}",
            t.name
        );
        // The paged view and the one-finding lookup agree with the release view.
        let page = t
            .store
            .findings_page(
                "shop",
                "1.1",
                &schema::PageRequest {
                    limit: 100,
                    ..Default::default()
                },
            )
            .expect("page");
        let paged = page
            .findings
            .iter()
            .find(|f| f.fingerprint == fp)
            .expect("paged");
        assert_eq!(paged.title, new_title, "{}", t.name);
        let text = t
            .store
            .findings_page(
                "shop",
                "1.1",
                &schema::PageRequest {
                    limit: 100,
                    filter: FindingFilter {
                        text: Some("reworded".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .expect("page by text");
        assert_eq!(text.findings.len(), 1, "{}", t.name);
        let one = t.store.release_finding("shop", "1.1", &fp).expect("lookup");
        assert_eq!(one.title, new_title, "{}", t.name);
        let old = t.store.release_finding("shop", "1.0", &fp).expect("lookup");
        assert_eq!(old.title, old_title, "{}", t.name);
    });
}

/// `[gate] require_quality_gate = ["sonarqube"]`: the SonarQube quality gate's response must be
/// uploaded, and each condition it failed blocks, though the policy's threshold is critical.
#[test]
fn a_required_quality_gate_blocks_on_its_failed_conditions() {
    on_each_backend(|t| {
        t.store
            .set_policy(
                "qg",
                "[gate]\nfail_on = \"critical\"\nrequire_quality_gate = [\"sonarqube\"]\n",
                "user:carol",
                None,
            )
            .expect("policy");
        t.store
            .import_scan(
                &request("qg", "1"),
                &corpus("sonarqube-extra/sonarsource_api_issues_search-example_2025.json"),
            )
            .expect("issues");
        let missing = t
            .store
            .gate("qg", "1", &GateOptions::default())
            .expect("gate");
        assert!(
            missing.reasons.contains(&GateReason::MissingScan {
                tool: "sonarqube-quality-gate".into()
            }),
            "{}: {:?}",
            t.name,
            missing.reasons
        );

        t.store
            .import_scan(
                &request("qg", "1"),
                &corpus(
                    "sonarqube-quality-gate/api_qualitygates_project_status_HANDWRITTEN_error_3_failed.json",
                ),
            )
            .expect("failed gate");
        let failed = t
            .store
            .gate("qg", "1", &GateOptions::default())
            .expect("gate");
        let conditions: Vec<&GateReason> = failed
            .reasons
            .iter()
            .filter(|r| r.rule() == "quality-gate")
            .collect();
        assert_eq!(conditions.len(), 3, "{}: {:?}", t.name, failed.reasons);
        assert!(!failed.verdict.is_passed());

        t.store
            .import_scan(
                &request("qg", "2"),
                &corpus("sonarqube-extra/sonarsource_api_issues_search-example_2025.json"),
            )
            .expect("issues");
        t.store
            .import_scan(
                &request("qg", "2"),
                &corpus(
                    "sonarqube-quality-gate/api_qualitygates_project_status_HANDWRITTEN_ok.json",
                ),
            )
            .expect("passed gate");
        let passed = t
            .store
            .gate("qg", "2", &GateOptions::default())
            .expect("gate");
        assert!(
            !passed
                .reasons
                .iter()
                .any(|r| r.rule() == "quality-gate" || matches!(r, GateReason::MissingScan { .. })),
            "{}: {:?}",
            t.name,
            passed.reasons
        );
    });
}
