//! Triage across releases, bulk triage, policies, every gate reason, the audit chain, VEX and
//! the SLA view, on each backend.

use crate::harness::{TestStore, on_each_backend, request};
use chrono::{NaiveDateTime, TimeDelta};
use importers::Severity;
use schema::{
    AuditQuery, FindingFilter, GateOptions, GateReason, LicenseVerdict, TriageDecision,
    TriageFilter, TriageStatus, VexFormat, VexImportOptions,
};

/// A Trivy image report: (CVE, package, version, severity, Trivy status) per vulnerability,
/// and (license, package, severity) per license.
pub(crate) fn trivy(
    artifact: &str,
    vulns: &[(&str, &str, &str, &str, &str)],
    licenses: &[(&str, &str)],
) -> Vec<u8> {
    let vulns: Vec<serde_json::Value> = vulns
        .iter()
        .map(|(id, pkg, version, severity, status)| {
            serde_json::json!({
                "VulnerabilityID": id, "PkgName": pkg, "InstalledVersion": version,
                "PkgIdentifier": { "PURL": format!("pkg:deb/debian/{pkg}@{version}") },
                "Status": status, "Severity": severity, "Title": format!("{id} in {pkg}"),
            })
        })
        .collect();
    let licenses: Vec<serde_json::Value> = licenses
        .iter()
        .map(|(name, pkg)| {
            serde_json::json!({
                "Severity": "HIGH", "Category": "restricted", "PkgName": pkg, "FilePath": "",
                "Name": name, "Confidence": 1, "Link": "",
            })
        })
        .collect();
    let mut results = vec![serde_json::json!({
        "Target": format!("{artifact} (debian 12.5)"), "Class": "os-pkgs", "Type": "debian",
        "Vulnerabilities": vulns,
    })];
    if !licenses.is_empty() {
        results.push(serde_json::json!({
            "Target": "OS Packages", "Class": "license", "Licenses": licenses,
        }));
    }
    serde_json::to_vec(&serde_json::json!({
        "SchemaVersion": 2, "ArtifactName": artifact, "ArtifactType": "container_image",
        "Results": results,
    }))
    .unwrap()
}

/// A SonarQube Web API issues page: (rule, file, line, severity) per code smell.
pub(crate) fn sonar(issues: &[(&str, &str, i64, &str)]) -> Vec<u8> {
    let issues: Vec<serde_json::Value> = issues
        .iter()
        .enumerate()
        .map(|(i, (rule, file, line, severity))| {
            serde_json::json!({
                "key": format!("k{i}"), "rule": rule, "severity": severity,
                "component": format!("shop:{file}"), "project": "shop", "line": line,
                "hash": format!("h{i}"),
                "textRange": { "startLine": line, "endLine": line, "startOffset": 0, "endOffset": 5 },
                "status": "OPEN", "message": format!("issue {i}"), "type": "CODE_SMELL",
                "tags": [], "creationDate": "2026-01-01T00:00:00+0000",
            })
        })
        .collect();
    let n = issues.len();
    serde_json::to_vec(&serde_json::json!({
        "total": n, "p": 1, "ps": 100,
        "paging": { "pageIndex": 1, "pageSize": 100, "total": n },
        "issues": issues, "components": [],
    }))
    .unwrap()
}

fn upload(t: &TestStore, release: &str, report: Vec<u8>) -> schema::ImportOutcome {
    t.store
        .import_scan(&request("shop", release), &report)
        .unwrap_or_else(|e| panic!("{}: import into {release}: {e}", t.name))
}

fn fingerprint_of(t: &TestStore, release: &str, rule: &str) -> String {
    t.store
        .release_view("shop", release, &FindingFilter::default())
        .unwrap()
        .findings
        .into_iter()
        .find(|f| f.rule_id == rule)
        .unwrap_or_else(|| panic!("{}: no finding {rule} in {release}", t.name))
        .fingerprint
}

fn status_in(t: &TestStore, release: &str, fingerprint: &str) -> String {
    t.store
        .release_view("shop", release, &FindingFilter::default())
        .unwrap()
        .findings
        .into_iter()
        .find(|f| f.fingerprint == fingerprint)
        .map(|f| f.status.to_string())
        .unwrap_or_else(|| "(absent)".into())
}

fn accept(justification: &str, days: i64) -> TriageDecision {
    TriageDecision {
        status: TriageStatus::Accepted,
        justification: Some(justification.into()),
        approver: Some("ciso".into()),
        expires: Some((chrono::Utc::now() + TimeDelta::days(days)).date_naive()),
    }
}

fn false_positive(why: &str) -> TriageDecision {
    TriageDecision {
        justification: Some(why.into()),
        ..TriageDecision::new(TriageStatus::FalsePositive)
    }
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

const BASE: &[(&str, &str, &str, &str, &str)] = &[
    ("CVE-2026-0001", "openssl", "3.0.1", "CRITICAL", "fixed"),
    ("CVE-2026-0002", "zlib", "1.2.13", "HIGH", "affected"),
    ("CVE-2026-0003", "curl", "7.88.1", "MEDIUM", "will_not_fix"),
    ("CVE-2026-0004", "bash", "5.2", "HIGH", "will_not_fix"),
];

#[test]
fn triage_follows_the_finding_into_later_releases() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        let fp = fingerprint_of(t, "1.0", "CVE-2026-0002");
        let out = t
            .store
            .triage(
                "shop",
                &fp[..12],
                &false_positive("zlib is statically unused"),
                "alice",
                Some("req-1"),
            )
            .unwrap();
        assert_eq!(out.changes.len(), 1);
        assert_eq!(out.changes[0].previous_status, TriageStatus::Open);

        // A later release with a newer report: the decision follows the fingerprint.
        upload(t, "1.1", trivy("shop:1.1", &BASE[1..], &[]));
        let view = t
            .store
            .release_view("shop", "1.1", &FindingFilter::default())
            .unwrap();
        let f = view.findings.iter().find(|f| f.fingerprint == fp).unwrap();
        assert_eq!(f.status, TriageStatus::FalsePositive, "{}", t.name);
        let d = f.decision.as_ref().unwrap();
        assert_eq!(d.decided_by, "alice");
        assert_eq!(
            d.justification.as_deref(),
            Some("zlib is statically unused")
        );
        // The tool's state is shown next to ours, never mapped onto it.
        let curl = view
            .findings
            .iter()
            .find(|f| f.rule_id == "CVE-2026-0003")
            .unwrap();
        assert_eq!(
            (curl.status.as_str(), curl.tool_status.as_deref()),
            ("open", Some("will_not_fix"))
        );

        // Re-opening is allowed and recorded.
        t.store
            .triage(
                "shop",
                &fp,
                &TriageDecision::new(TriageStatus::Open),
                "bob",
                None,
            )
            .unwrap();
        assert_eq!(status_in(t, "1.1", &fp), "open");
        assert_eq!(status_in(t, "1.0", &fp), "open");
        let history = t.store.triage_history("shop", &fp).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].previous_status, None);
        assert_eq!(history[0].request_id.as_deref(), Some("req-1"));
        assert_eq!(
            (
                history[1].previous_status.map(TriageStatus::as_str),
                history[1].status.as_str(),
                history[1].decided_by.as_str()
            ),
            (Some("false_positive"), "open", "bob")
        );

        // What a status requires.
        let bad = |d: TriageDecision| {
            t.store
                .triage("shop", &fp, &d, "x", None)
                .unwrap_err()
                .to_string()
        };
        assert!(TriageStatus::parse("fixed").is_err());
        assert!(
            bad(TriageDecision {
                approver: None,
                ..accept("j", 30)
            })
            .contains("approver")
        );
        assert!(
            bad(TriageDecision {
                justification: None,
                ..accept("j", 30)
            })
            .contains("justification")
        );
        assert!(
            bad(TriageDecision {
                expires: None,
                ..accept("j", 30)
            })
            .contains("expiry")
        );
        assert!(bad(accept("j", -1)).contains("not in the future"));
        assert!(bad(TriageDecision::new(TriageStatus::FalsePositive)).contains("justification"));
        assert!(matches!(
            t.store.triage(
                "shop",
                "deadbeefdeadbeef",
                &TriageDecision::new(TriageStatus::Confirmed),
                "x",
                None
            ),
            Err(schema::StoreError::NotFound { .. })
        ));
        assert_eq!(
            t.store.triage_history("shop", &fp).unwrap().len(),
            2,
            "failed decisions store nothing"
        );
    });
}

#[test]
fn bulk_triage_by_filter_is_one_transaction() {
    on_each_backend(|t| {
        upload(
            t,
            "1.0",
            sonar(&[
                ("javascript:S1481", "vendor/lib/a.js", 3, "MAJOR"),
                ("javascript:S1481", "vendor/lib/deep/b.js", 9, "MAJOR"),
                ("javascript:S1481", "src/app.js", 4, "MAJOR"),
                ("javascript:S3776", "vendor/lib/a.js", 20, "CRITICAL"),
            ]),
        );
        let filter = TriageFilter {
            findings: FindingFilter {
                kinds: vec![importers::Kind::Code],
                ..Default::default()
            },
            rules: vec!["javascript:S1481".into()],
            path: Some("vendor/**".into()),
            ..Default::default()
        };
        let decision = accept("third-party code, fixed upstream", 90);
        let dry = t
            .store
            .triage_bulk("shop", &filter, &decision, "alice", None, true)
            .unwrap();
        assert_eq!(dry.changes.len(), 2, "{}", t.name);
        assert_eq!(
            t.store.row_counts().unwrap()["triage"],
            0,
            "a dry run stores nothing"
        );

        let out = t
            .store
            .triage_bulk("shop", &filter, &decision, "alice", Some("bulk-1"), false)
            .unwrap();
        assert_eq!(out.changes.len(), 2);
        let view = t
            .store
            .release_view("shop", "1.0", &FindingFilter::default())
            .unwrap();
        let statuses: Vec<(&str, &str, &str)> = view
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.file.as_deref().unwrap_or(""),
                    f.status.as_str(),
                )
            })
            .collect();
        for (rule, file, status) in &statuses {
            let expected = if *rule == "javascript:S1481" && file.starts_with("vendor/") {
                "accepted"
            } else {
                "open"
            };
            assert_eq!(*status, expected, "{rule} {file} on {}", t.name);
        }
        let audit = t
            .store
            .audit_list(&AuditQuery {
                action: Some("triage.set".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(audit.len(), 2);
        assert!(
            audit
                .iter()
                .all(|e| e.request_id.as_deref() == Some("bulk-1") && e.actor == "alice")
        );

        // No filter at all is refused rather than deciding on everything.
        let err = t
            .store
            .triage_bulk(
                "shop",
                &TriageFilter::default(),
                &decision,
                "alice",
                None,
                false,
            )
            .unwrap_err();
        assert!(err.to_string().contains("at least one filter"));
    });
}

#[test]
fn policies_are_versioned_and_bad_files_change_nothing() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        assert!(t.store.policy("shop", None).unwrap().is_none());
        let v1 = t
            .store
            .set_policy("shop", "[gate]\nfail_on = \"critical\"\n", "admin", None)
            .unwrap();
        assert_eq!((v1.version, v1.unchanged), (1, false));
        let err = t
            .store
            .set_policy(
                "shop",
                "# comment\n[gate]\nfail_on = \"critical\"\nrequired_tool = [\"trivy\"]\n",
                "admin",
                None,
            )
            .unwrap_err();
        match &err {
            schema::StoreError::Policy(e) => {
                assert_eq!((e.line, e.key.as_str()), (4, "gate.required_tool"), "{e}");
            }
            other => panic!("{other}"),
        }
        assert_eq!(t.store.policy("shop", None).unwrap().unwrap().version, 1);
        let same = t
            .store
            .set_policy("shop", "[gate]\nfail_on = \"critical\"\n", "admin", None)
            .unwrap();
        assert!(same.unchanged);
        let v2 = t
            .store
            .set_policy(
                "shop",
                "[gate]\nfail_on = \"medium\"\n",
                "admin",
                Some("r2"),
            )
            .unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(t.store.policy_versions("shop").unwrap().len(), 2);
        assert_eq!(
            t.store
                .policy("shop", Some(1))
                .unwrap()
                .unwrap()
                .policy
                .gate
                .fail_on,
            Severity::Critical
        );

        let gate = t
            .store
            .gate("shop", "1.0", &GateOptions::default())
            .unwrap();
        assert_eq!(gate.policy_version, Some(2));
        assert_eq!(gate.fail_on, Severity::Medium);
        // A flag overrides the policy's threshold.
        let gate = t
            .store
            .gate(
                "shop",
                "1.0",
                &GateOptions {
                    fail_on: Some(Severity::Critical),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(gate.fail_on, Severity::Critical);
        assert_eq!(gate.reasons.len(), 1);
        let events = t
            .store
            .audit_list(&AuditQuery {
                action: Some("policy.set".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(events.len(), 2, "one event per stored version");
    });
}

fn reasons_named<'a>(reasons: &'a [GateReason], rule: &str) -> Vec<&'a GateReason> {
    reasons.iter().filter(|r| r.rule() == rule).collect()
}

#[test]
fn every_gate_reason_names_its_finding_or_scan() {
    on_each_backend(|t| {
        upload(
            t,
            "1.0",
            trivy(
                "shop:1.0",
                BASE,
                &[("GPL-3.0-only", "readline"), ("MIT", "jq")],
            ),
        );
        upload(
            t,
            "1.0",
            sonar(&[
                ("javascript:S3776", "src/app.js", 20, "CRITICAL"),
                ("javascript:S3776", "vendor/x.js", 20, "CRITICAL"),
            ]),
        );
        let openssl = fingerprint_of(t, "1.0", "CVE-2026-0001");
        let zlib = fingerprint_of(t, "1.0", "CVE-2026-0002");
        t.store
            .triage("shop", &zlib, &accept("mitigated by WAF", 2), "alice", None)
            .unwrap();

        // No policy: defaults (high), licenses judged like any finding.
        let gate = t
            .store
            .gate("shop", "1.0", &GateOptions::default())
            .unwrap();
        assert!(!gate.verdict.is_passed());
        assert_eq!(gate.policy_version, None);

        t.store
            .set_policy(
                "shop",
                r#"
[gate]
fail_on = "high"
required_tools = ["trivy", "tfsec"]
max_scan_age_days = 14
block_sla_breaches = true
non_blocking_tool_statuses = ["will_not_fix"]
[gate.kinds]
code = "never"
[sla]
critical = 7
high = 30
[licenses]
deny = ["GPL-3.0-only"]
[[ignore]]
rule = "CVE-2026-0004"
reason = "bash is not reachable from the network"
"#,
                "admin",
                None,
            )
            .unwrap();
        let gate = t
            .store
            .gate("shop", "1.0", &GateOptions::default())
            .unwrap();
        assert_eq!(gate.policy_version, Some(1));
        let r = &gate.reasons;
        assert_eq!(
            reasons_named(r, "required-scans"),
            vec![&GateReason::MissingScan {
                tool: "tfsec".into()
            }]
        );
        let blocking = reasons_named(r, "severity-threshold");
        assert_eq!(blocking.len(), 1, "{} {blocking:?}", t.name);
        assert_eq!(blocking[0].fingerprint(), Some(openssl.as_str()));
        let licenses = reasons_named(r, "licenses");
        assert_eq!(licenses.len(), 1);
        assert!(matches!(
            licenses[0],
            GateReason::DeniedLicense { license, verdict: LicenseVerdict::Denied, .. } if license == "GPL-3.0-only"
        ));
        assert!(reasons_named(r, "scan-age").is_empty());
        assert!(reasons_named(r, "expired-acceptances").is_empty());
        assert!(reasons_named(r, "sla").is_empty());
        assert_eq!(gate.ignored.len(), 1);
        assert_eq!(
            gate.ignored[0].reason,
            "bash is not reachable from the network"
        );

        // Forty days later: stale scans, the acceptance expired, SLAs breached.
        let later = GateOptions {
            at: Some(now() + TimeDelta::days(40)),
            ..Default::default()
        };
        let gate = t.store.gate("shop", "1.0", &later).unwrap();
        let r = &gate.reasons;
        let stale = reasons_named(r, "scan-age");
        assert_eq!(
            stale.len(),
            1,
            "only trivy is required and scanned: {stale:?}"
        );
        assert!(
            matches!(stale[0], GateReason::StaleScan { tool, age_days: 40, max_age_days: 14, .. } if tool == "trivy")
        );
        let expired = reasons_named(r, "expired-acceptances");
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].fingerprint(), Some(zlib.as_str()));
        assert!(
            matches!(expired[0], GateReason::ExpiredAcceptance { approver: Some(a), .. } if a == "ciso")
        );
        let sla: Vec<Option<&str>> = reasons_named(r, "sla")
            .iter()
            .map(|r| r.fingerprint())
            .collect();
        assert_eq!(
            sla,
            vec![Some(openssl.as_str())],
            "critical past 7 days; code never blocks; will_not_fix exempt"
        );

        // The options switch each reason off again.
        t.store
            .set_policy(
                "shop",
                r#"
[gate]
fail_on = "critical"
block_expired_acceptances = false
non_blocking_tool_statuses = ["will_not_fix", "fixed"]
[licenses]
allow = ["MIT", "GPL-3.0-only"]
"#,
                "admin",
                None,
            )
            .unwrap();
        let gate = t.store.gate("shop", "1.0", &later).unwrap();
        assert!(gate.verdict.is_passed(), "{}: {:?}", t.name, gate.reasons);
        assert_eq!(gate.policy_version, Some(2));
        // An allow list blocks every other license.
        t.store.set_policy("shop", "[licenses]\nallow = [\"MIT\"]\n[gate]\nfail_on = \"critical\"\nnon_blocking_tool_statuses = [\"fixed\"]\n", "admin", None).unwrap();
        let gate = t
            .store
            .gate("shop", "1.0", &GateOptions::default())
            .unwrap();
        assert!(
            matches!(
                gate.reasons.as_slice(),
                [GateReason::DeniedLicense {
                    verdict: LicenseVerdict::NotAllowed,
                    ..
                }]
            ),
            "{:?}",
            gate.reasons
        );
    });
}

#[test]
fn audit_verify_catches_a_tampered_row() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        let fp = fingerprint_of(t, "1.0", "CVE-2026-0002");
        t.store
            .triage(
                "shop",
                &fp,
                &TriageDecision::new(TriageStatus::Confirmed),
                "alice",
                Some("r1"),
            )
            .unwrap();
        t.store.set_policy("shop", "", "admin", None).unwrap();
        t.store
            .triage("shop", &fp, &false_positive("no"), "bob", None)
            .unwrap();
        let ok = t.store.audit_verify().unwrap();
        assert!(ok.ok && ok.events == 5, "{}: {ok:?}", t.name);
        let events = t.store.audit_list(&AuditQuery::default()).unwrap();
        assert_eq!(
            events[0].action, "project.create",
            "the first upload made it"
        );
        assert_eq!(events[1].action, "scan.upload");
        assert_eq!(events[1].actor, "test");
        assert_eq!(
            events[2].before.as_deref().map(|b| b.contains("open")),
            Some(true)
        );
        assert_eq!(events[2].prev_hash, events[1].hash);
        let shop_only = t
            .store
            .audit_list(&AuditQuery {
                project: Some("other".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(shop_only.is_empty());

        // The database refuses edits and deletes...
        assert!(
            t.raw_sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
                .is_err()
        );
        assert!(t.raw_sql("DELETE FROM audit_events WHERE seq = 3").is_err());
        // ...and whoever removes that guard is caught by verify.
        t.raw_sql("DROP TRIGGER audit_events_no_update ON audit_events")
            .or_else(|_| t.raw_sql("DROP TRIGGER audit_events_no_update"))
            .unwrap();
        t.raw_sql("DROP TRIGGER audit_events_no_delete ON audit_events")
            .or_else(|_| t.raw_sql("DROP TRIGGER audit_events_no_delete"))
            .unwrap();
        t.raw_sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
            .unwrap();
        let broken = t.store.audit_verify().unwrap();
        assert!(!broken.ok);
        let first = broken.first_broken.unwrap();
        assert_eq!(first.seq, 3, "{}: {first:?}", t.name);
        assert!(
            first.problem.contains("content changed"),
            "{}",
            first.problem
        );
        t.raw_sql("UPDATE audit_events SET actor = 'alice' WHERE seq = 3")
            .unwrap();
        assert!(
            t.store.audit_verify().unwrap().ok,
            "restoring the row restores the chain"
        );

        // A deleted row in the middle, and at the end.
        t.raw_sql("DELETE FROM audit_events WHERE seq = 5").unwrap();
        let end = t.store.audit_verify().unwrap().first_broken.unwrap();
        assert_eq!(end.seq, 5, "{end:?}");
        t.raw_sql("DELETE FROM audit_events WHERE seq = 3").unwrap();
        let middle = t.store.audit_verify().unwrap().first_broken.unwrap();
        assert_eq!(middle.seq, 3, "{middle:?}");
        assert!(middle.problem.contains("missing"), "{}", middle.problem);
    });
}

#[test]
fn concurrent_writers_never_fork_the_chain() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        let fps: Vec<String> = ["CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0003"]
            .iter()
            .map(|r| fingerprint_of(t, "1.0", r))
            .collect();
        // Two replicas: two pools on the same database.
        let replicas = [t.store.clone(), schema::Store::open(&t.url).unwrap()];
        std::thread::scope(|s| {
            for (i, store) in replicas.iter().enumerate() {
                let fps = &fps;
                s.spawn(move || {
                    for round in 0..8 {
                        let fp = &fps[(i + round) % fps.len()];
                        let status = if round % 2 == 0 {
                            TriageStatus::Confirmed
                        } else {
                            TriageStatus::Open
                        };
                        store
                            .triage(
                                "shop",
                                fp,
                                &TriageDecision::new(status),
                                &format!("replica-{i}"),
                                None,
                            )
                            .unwrap();
                        if round % 4 == 0 {
                            store
                                .set_policy(
                                    "shop",
                                    &format!("# replica {i} round {round}\n"),
                                    "admin",
                                    None,
                                )
                                .unwrap();
                        }
                    }
                });
            }
        });
        let verified = t.store.audit_verify().unwrap();
        assert!(verified.ok, "{}: {verified:?}", t.name);
        // The project the upload made, the upload, the decisions, the policies.
        assert_eq!(verified.events, 2 + 2 * 8 + 2 * 2);
    });
}

#[test]
fn vex_export_and_import() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        let openssl = fingerprint_of(t, "1.0", "CVE-2026-0001");
        let zlib = fingerprint_of(t, "1.0", "CVE-2026-0002");
        let curl = fingerprint_of(t, "1.0", "CVE-2026-0003");
        t.store
            .triage(
                "shop",
                &openssl,
                &false_positive("vulnerable_code_not_present: built without the module"),
                "alice",
                None,
            )
            .unwrap();
        t.store
            .triage("shop", &zlib, &accept("behind the WAF", 30), "alice", None)
            .unwrap();
        let doc = t
            .store
            .vex_export(
                "shop",
                "1.0",
                VexFormat::OpenVex,
                "security@example.com",
                None,
            )
            .unwrap();
        assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
        let statements = doc["statements"].as_array().unwrap();
        assert_eq!(statements.len(), 4);
        let by_cve = |cve: &str| {
            statements
                .iter()
                .find(|s| s["vulnerability"]["name"] == cve)
                .unwrap()
        };
        let s = by_cve("CVE-2026-0001");
        assert_eq!(s["status"], "not_affected");
        assert_eq!(s["justification"], "vulnerable_code_not_present");
        assert_eq!(s["products"][0]["@id"], "pkg:deb/debian/openssl@3.0.1");
        assert_eq!(by_cve("CVE-2026-0002")["status"], "affected");
        assert!(
            by_cve("CVE-2026-0002")["action_statement"]
                .as_str()
                .unwrap()
                .contains("ciso")
        );
        assert_eq!(by_cve("CVE-2026-0003")["status"], "under_investigation");

        // Import into the same project: a document from a supplier.
        let supplier = serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://vendor.example/vex/2026-001",
            "author": "vendor-psirt",
            "timestamp": "2026-11-01T00:00:00Z",
            "version": 1,
            "statements": [
                { "vulnerability": { "name": "CVE-2026-0003" },
                  "products": [{ "@id": "pkg:oci/shop", "subcomponents": [{ "@id": "pkg:deb/debian/curl@7.88.1" }] }],
                  "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path" },
                { "vulnerability": { "name": "CVE-2026-0004" }, "products": [{ "@id": "pkg:deb/debian/bash" }],
                  "status": "affected", "action_statement": "upgrade in 1.2" },
                { "vulnerability": { "name": "CVE-2026-0001" }, "products": [{ "@id": "pkg:deb/debian/other" }],
                  "status": "not_affected", "justification": "component_not_present" },
                { "vulnerability": { "name": "CVE-2026-0002" }, "status": "fixed" }
            ]
        });
        let bytes = serde_json::to_vec(&supplier).unwrap();
        let err = t
            .store
            .vex_import("shop", &bytes, &VexImportOptions::default(), "alice", None)
            .unwrap_err();
        assert!(err.to_string().contains("expiry"), "{err}");
        assert_eq!(
            status_in(t, "1.0", &curl),
            "open",
            "a refused document changes nothing"
        );
        let options = VexImportOptions {
            expires: Some((now() + TimeDelta::days(60)).date()),
            ..Default::default()
        };
        let out = t
            .store
            .vex_import("shop", &bytes, &options, "alice", Some("vex-1"))
            .unwrap();
        assert_eq!(out.decided, 2, "{}: {:?}", t.name, out.statements);
        assert_eq!(status_in(t, "1.0", &curl), "accepted");
        let bash = fingerprint_of(t, "1.0", "CVE-2026-0004");
        assert_eq!(status_in(t, "1.0", &bash), "confirmed");
        assert_eq!(
            status_in(t, "1.0", &openssl),
            "false_positive",
            "another package: untouched"
        );
        assert_eq!(status_in(t, "1.0", &zlib), "accepted", "fixed is skipped");
        let view = t
            .store
            .release_view("shop", "1.0", &FindingFilter::default())
            .unwrap();
        let d = view
            .findings
            .iter()
            .find(|f| f.fingerprint == curl)
            .unwrap()
            .decision
            .clone()
            .unwrap();
        assert_eq!(d.approver.as_deref(), Some("vendor-psirt"));
        assert_eq!(
            t.store.triage_history("shop", &curl).unwrap()[0].source,
            "vex:https://vendor.example/vex/2026-001"
        );
        assert!(
            t.store
                .vex_import("shop", b"{\"statements\": []}", &options, "a", None)
                .is_err()
        );
    });
}

/// A CycloneDX export imported into a fresh project that holds the same report makes the
/// same decisions; a document that cannot be applied is refused whole; the import is audited.
#[test]
fn cyclonedx_vex_round_trips_into_a_fresh_project() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        let openssl = fingerprint_of(t, "1.0", "CVE-2026-0001");
        let zlib = fingerprint_of(t, "1.0", "CVE-2026-0002");
        let curl = fingerprint_of(t, "1.0", "CVE-2026-0003");
        let decide = |fp: &str, d: TriageDecision| {
            t.store.triage("shop", fp, &d, "alice", None).unwrap();
        };
        decide(&openssl, false_positive("built without the module"));
        decide(&zlib, accept("behind the WAF", 30));
        decide(
            &curl,
            TriageDecision {
                justification: Some("upgrade in 1.1".into()),
                ..TriageDecision::new(TriageStatus::Confirmed)
            },
        );
        let spec = reports::vex::cyclonedx::SpecVersion::V1_6;
        let doc = t
            .store
            .vex_export("shop", "1.0", VexFormat::CycloneDx(spec), "psirt", None)
            .unwrap();
        let bytes = serde_json::to_vec(&doc).unwrap();
        let decisions = |project: &str| {
            let view = t
                .store
                .release_view(project, "1.0", &FindingFilter::default())
                .unwrap();
            let mut out: Vec<_> = view
                .findings
                .into_iter()
                .map(|f| {
                    let d = f
                        .decision
                        .map(|d| (d.justification, d.approver, d.expires_at));
                    (f.fingerprint, f.status, d)
                })
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };

        let copy = request("copy", "1.0");
        t.store
            .import_scan(&copy, &trivy("shop:1.0", BASE, &[]))
            .unwrap();
        // Refused whole: the second vulnerability's state is unknown, so not even the first
        // is decided.
        let mut bad = doc.clone();
        bad["vulnerabilities"][1]["analysis"]["state"] = "probably".into();
        let err = t
            .store
            .vex_import(
                "copy",
                &serde_json::to_vec(&bad).unwrap(),
                &VexImportOptions::default(),
                "bob",
                None,
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `probably`"),
            "{err}"
        );
        assert!(
            decisions("copy")
                .iter()
                .all(|(_, s, _)| *s == TriageStatus::Open),
            "{}: a refused document decides nothing",
            t.name
        );

        let out = t
            .store
            .vex_import(
                "copy",
                &bytes,
                &VexImportOptions::default(),
                "bob",
                Some("cdx-1"),
            )
            .unwrap();
        assert_eq!(out.format, reports::vex::VexKind::CycloneDx);
        assert_eq!(out.decided, 3, "{}: {:?}", t.name, out.statements);
        let (ours, theirs) = (decisions("shop"), decisions("copy"));
        assert_eq!(ours, theirs, "{}", t.name);
        let source = &t.store.triage_history("copy", &zlib).unwrap()[0].source;
        assert_eq!(
            source,
            &format!("vex:{}", doc["serialNumber"].as_str().unwrap())
        );
        let audited = t
            .store
            .audit_list(&AuditQuery {
                project: Some("copy".into()),
                action: Some("triage.set".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(audited.len(), 3, "{}: one audit event per decision", t.name);
        assert!(
            audited
                .iter()
                .all(|e| e.request_id.as_deref() == Some("cdx-1"))
        );
    });
}

#[test]
fn sla_view_counts_breaches_and_time_to_remediate() {
    on_each_backend(|t| {
        upload(t, "1.0", trivy("shop:1.0", BASE, &[]));
        // 1.1 rescans the same slot: openssl (critical) is fixed.
        upload(t, "1.1", trivy("shop:1.1", &BASE[1..], &[]));
        let report = t
            .store
            .sla("shop", None, 5, Some(now() + TimeDelta::days(31)))
            .unwrap();
        assert_eq!(report.release, "1.1");
        assert_eq!(report.items.len(), 3);
        // high 30 days: zlib and bash breached; medium 90: curl not.
        assert_eq!(report.breaches, 2, "{}: {:?}", t.name, report.items);
        assert!(report.items[0].breached);
        let high = report
            .summary
            .iter()
            .find(|s| s.severity == Severity::High)
            .unwrap();
        assert_eq!((high.open, high.breached, high.sla_days), (2, 2, Some(30)));
        let critical = report
            .mttr
            .iter()
            .find(|m| m.severity == Severity::Critical)
            .unwrap();
        assert_eq!(critical.fixed, 1);
        assert!(critical.mean_days.unwrap() < 1.0);
        assert_eq!(report.mttr_releases, vec!["1.0", "1.1"]);

        let zlib = fingerprint_of(t, "1.1", "CVE-2026-0002");
        t.store
            .triage("shop", &zlib, &accept("accepted", 10), "alice", None)
            .unwrap();
        let acceptances = t.store.acceptances("shop", "1.1", None).unwrap();
        assert_eq!(acceptances.len(), 1);
        assert_eq!(acceptances[0].approver.as_deref(), Some("ciso"));
        assert!(!acceptances[0].expired);
        let later = t
            .store
            .sla("shop", Some("1.1"), 5, Some(now() + TimeDelta::days(31)))
            .unwrap();
        assert_eq!(
            later.items.len(),
            3,
            "an expired acceptance counts as open again"
        );
        let now_report = t.store.sla("shop", Some("1.1"), 5, None).unwrap();
        assert_eq!(now_report.items.len(), 2);
        assert_eq!(now_report.breaches, 0);
    });
}

#[test]
fn the_documented_example_policy_is_valid() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TRIAGE.md")).unwrap();
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let policy = schema::Policy::parse(&doc[start..end]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        policy.gate.required_tools,
        vec!["trivy", "sonarqube", "tfsec"]
    );
    assert_eq!(policy.ignore.len(), 2);
    assert_eq!(policy.sla.critical, 7);
}

#[test]
fn time_to_remediate_counts_what_the_diffs_call_fixed() {
    on_each_backend(|t| {
        // One image over four releases: each generation fixes some findings and adds others.
        for generation in 0..4u32 {
            let report =
                testdata::synthetic::trivy_report(&testdata::synthetic::SyntheticOptions {
                    findings: 400,
                    seed: 9,
                    artifact: format!("registry/app:{generation}.0"),
                    generation,
                });
            upload(t, &format!("{generation}.0"), report);
        }
        let report = t.store.sla("shop", None, 5, None).unwrap();
        assert_eq!(report.mttr_releases, vec!["0.0", "1.0", "2.0", "3.0"]);
        let fixed_by_mttr: u64 = report.mttr.iter().map(|m| m.fixed).sum();
        let fixed_by_diffs: u64 = (0..3)
            .map(|g| {
                t.store
                    .diff("shop", &format!("{g}.0"), &format!("{}.0", g + 1))
                    .unwrap()
                    .fixed
            })
            .sum();
        assert!(
            fixed_by_diffs > 0,
            "{}: the generations fix nothing",
            t.name
        );
        assert_eq!(fixed_by_mttr, fixed_by_diffs, "{}", t.name);
        for g in 0..3 {
            crate::harness::assert_snapshot_diff_is_the_diff(
                &t.store,
                "shop",
                &format!("{g}.0"),
                &format!("{}.0", g + 1),
            );
        }
        // The same answer twice, to the last bit (it goes into sealed bundles).
        let again = t.store.sla("shop", None, 5, Some(report.at)).unwrap();
        assert_eq!(
            serde_json::to_string(&again.mttr).unwrap(),
            serde_json::to_string(&report.mttr).unwrap()
        );
    });
}
