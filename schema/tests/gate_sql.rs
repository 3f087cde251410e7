//! The gate fed from SQL judges exactly as the gate fed from the whole release view: the
//! recorded gate (`Store::gate`), a complete preview, the snapshot's gate (judged as the view
//! is spooled) and the view-fed reference agree on the corpus, on demo-like data and on crafted cases (triage states, acceptances with expiry,
//! missing tools, partial and superseded scans, one finding in two slots, ignore rules with
//! path globs, licenses, SLA). A preview that stops early has the same verdict and a subset of
//! the reasons, and no preview records an evaluation.

use crate::harness::{TestStore, corpus, on_each_backend, request};
use crate::triage::{sonar, trivy};
use chrono::{NaiveDateTime, TimeDelta};
use schema::{FindingFilter, GateOptions, GateResult, TriageDecision, TriageStatus};
use testdata::synthetic::{SyntheticOptions, report};

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn json(r: &GateResult) -> serde_json::Value {
    serde_json::to_value(r).expect("json")
}

/// Where two gate results first differ (an empty string when they do not).
fn difference(a: &GateResult, b: &GateResult) -> String {
    let (a, b) = (json(a), json(b));
    for key in [
        "passed",
        "findings",
        "scans",
        "policy_version",
        "evaluated_at",
        "fail_on",
    ] {
        if a[key] != b[key] {
            return format!("{key}: {} vs {}", a[key], b[key]);
        }
    }
    for key in ["reasons", "ignored"] {
        let (x, y) = (a[key].as_array().cloned(), b[key].as_array().cloned());
        let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default());
        if let Some(i) = (0..x.len().max(y.len())).find(|&i| x.get(i) != y.get(i)) {
            return format!(
                "{key} ({} vs {}) differ first at {i}: {:?} vs {:?}",
                x.len(),
                y.len(),
                x.get(i),
                y.get(i)
            );
        }
    }
    if a != b {
        return "elsewhere".into();
    }
    String::new()
}

/// Every way of evaluating agrees with the reference on `release` at each of `times`; returns
/// how many reasons the reference gave, summed.
fn assert_same(t: &TestStore, project: &str, release: &str, base: &GateOptions) -> usize {
    let mut total = 0;
    for days in [0, 40, 400] {
        let options = GateOptions {
            at: Some(now() + TimeDelta::days(days)),
            ..base.clone()
        };
        let reference = t
            .store
            .gate_from_view(project, release, &options)
            .expect("reference gate");
        total += reference.reasons.len() + reference.ignored.len();
        // A snapshot (reports, bundles, the seal) judges the view as it reads it; checked
        // at the latest time, where the reasons that come with time (SLA, expiry) are.
        if days == 400 {
            let snapshot = t
                .store
                .release_snapshot(project, release, &options, "t")
                .expect("snapshot");
            assert_eq!(
                (
                    snapshot.gate.verdict,
                    snapshot
                        .gate
                        .reasons
                        .iter()
                        .map(|l| l.message.clone())
                        .collect::<Vec<_>>(),
                    snapshot.gate.decided_in_tool
                ),
                (
                    reference.verdict,
                    reference.reasons.iter().map(|r| r.message()).collect(),
                    reference
                        .decided_in_tool
                        .iter()
                        .map(schema::ToolDecidedFinding::describe)
                        .collect()
                ),
                "{}: the snapshot's gate of {project}/{release} at +{days} days",
                t.name
            );
        }
        let recorded_before = t
            .store
            .gate_evaluation_count(project, release)
            .expect("count");
        let full = t
            .store
            .gate_preview(project, release, &options, usize::MAX)
            .expect("preview");
        assert!(full.complete, "{}: {project}/{release}", t.name);
        assert_eq!(
            difference(&full.result, &reference),
            "",
            "{}: complete preview of {project}/{release} at +{days} days",
            t.name
        );
        for max in [1, 3, 60] {
            let short = t
                .store
                .gate_preview(project, release, &options, max)
                .expect("preview");
            let r = &short.result;
            assert_eq!(
                r.verdict, reference.verdict,
                "{}: verdict with {max}",
                t.name
            );
            assert_eq!((r.scans, r.findings), (reference.scans, reference.findings));
            for reason in &r.reasons {
                assert!(
                    reference.reasons.contains(reason),
                    "{}: {reason:?} is not a reason of the full gate",
                    t.name
                );
            }
            if short.complete {
                assert_eq!(
                    difference(r, &reference),
                    "",
                    "{}: complete with {max}",
                    t.name
                );
            } else {
                assert!(
                    r.reasons.len() >= max,
                    "{}: stopped early with too few",
                    t.name
                );
            }
        }
        assert_eq!(
            t.store
                .gate_evaluation_count(project, release)
                .expect("count"),
            recorded_before,
            "{}: a preview records nothing",
            t.name
        );
        let recorded = t
            .store
            .gate(project, release, &options)
            .expect("recorded gate");
        assert_eq!(
            difference(&recorded, &reference),
            "",
            "{}: recorded gate of {project}/{release} at +{days} days",
            t.name
        );
        assert_eq!(
            t.store
                .gate_evaluation_count(project, release)
                .expect("count"),
            recorded_before + 1,
            "{}: the gate records its evaluation",
            t.name
        );
    }
    total
}

/// Policies from lenient to everything-on, each applied in turn.
const POLICIES: &[&str] = &[
    "",
    "[gate]\nfail_on = \"info\"\n",
    r#"
[gate]
fail_on = "medium"
required_tools = ["trivy", "tfsec", "zap"]
max_scan_age_days = 30
block_sla_breaches = true
block_expired_acceptances = true
non_blocking_tool_statuses = ["will_not_fix", "WONTFIX", "false-positive"]
[gate.kinds]
code = "never"
secret = "low"
misconfiguration = "critical"
[sla]
critical = 7
high = 30
medium = 90
low = 180
info = 365
[licenses]
deny = ["GPL-3.0-only", "AGPL-3.0-only"]
allow = ["MIT", "Apache-2.0", "GPL-3.0-only", "BSD-3-Clause"]
[[ignore]]
rule = "CVE-2026-0004"
reason = "bash is not reachable"
[[ignore]]
path = "**/test/**"
reason = "test code"
[[ignore]]
path = "src/*.js"
tool = "SONARQUBE"
reason = "legacy code"
[[ignore]]
path = "{vendor,third_party}/**"
reason = "vendored"
[[ignore]]
path = "[!x]ib/**"
tool = "trivy"
reason = "image libraries"
"#,
    r#"
[gate]
fail_on = "critical"
block_expired_acceptances = false
block_sla_breaches = true
[sla]
critical = 1
high = 1
medium = 1
low = 1
unknown = 1
[licenses]
allow = ["MIT"]
"#,
];

fn with_each_policy(t: &TestStore, project: &str, releases: &[&str], base: &GateOptions) {
    let mut reasons = 0;
    for policy in POLICIES {
        if !policy.is_empty() {
            t.store
                .set_policy(project, policy, "test", None)
                .unwrap_or_else(|e| panic!("policy: {e}"));
        }
        for release in releases {
            reasons += assert_same(t, project, release, base);
        }
    }
    assert!(reasons > 0, "{}: the cases gave no reason at all", t.name);
}

fn decide(t: &TestStore, project: &str, fingerprint: &str, decision: TriageDecision) {
    t.store
        .triage(project, fingerprint, &decision, "test", None)
        .unwrap_or_else(|e| panic!("{}: triage {fingerprint}: {e}", t.name));
}

fn accepted(days: i64) -> TriageDecision {
    TriageDecision {
        status: TriageStatus::Accepted,
        justification: Some("risk taken".into()),
        approver: Some("ciso".into()),
        expires: Some((chrono::Utc::now() + TimeDelta::days(days)).date_naive()),
    }
}

/// Decides a spread of the release's findings: false positive, confirmed, accepted for 10
/// days (expired 40 days on), accepted for a year.
fn triage_some(t: &TestStore, project: &str, release: &str) {
    let view = t
        .store
        .release_view(project, release, &FindingFilter::default())
        .expect("view");
    for (i, f) in view.findings.iter().enumerate().filter(|(i, _)| i % 5 != 4) {
        let decision = match i % 5 {
            0 => TriageDecision {
                justification: Some("not reachable".into()),
                ..TriageDecision::new(TriageStatus::FalsePositive)
            },
            1 => TriageDecision::new(TriageStatus::Confirmed),
            2 => accepted(10),
            _ => accepted(365),
        };
        if i % 3 == 0 {
            decide(t, project, &f.fingerprint, decision);
        }
    }
}

#[test]
fn the_sql_gate_matches_the_view_gate_on_the_corpus() {
    let mut files = Vec::new();
    let mut stack = vec![corpus("")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().ends_with(".md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "corpus not found");
    on_each_backend(|t| {
        let mut imported = 0;
        for (i, file) in files.iter().enumerate() {
            let label = format!("file {i}");
            // One slot per file in "all" (the same finding from several files: one record
            // at its most severe); default slots in "slots" (newer scans supersede older).
            let a = t.store.import_scan(
                &schema::ImportRequest {
                    label: Some(&label),
                    ..request("corpus", "all")
                },
                file,
            );
            let b = t.store.import_scan(&request("corpus", "slots"), file);
            if a.is_ok() && b.is_ok() {
                imported += 1;
            }
        }
        assert!(imported > 50, "{}: {imported} files imported", t.name);
        triage_some(t, "corpus", "all");
        with_each_policy(t, "corpus", &["all", "slots"], &GateOptions::default());
    });
}

#[test]
fn the_sql_gate_matches_the_view_gate_on_demo_data() {
    on_each_backend(|t| {
        // What `scanledger demo` loads: Trivy changing between releases, three other tools.
        for (generation, release) in ["1.0.0", "1.1.0"].into_iter().enumerate() {
            let trivy = SyntheticOptions {
                findings: 120,
                seed: 42,
                artifact: format!("registry.example.com/demo-shop/api:{release}"),
                generation: generation as u32,
            };
            let mut reports = vec![report("trivy-json", &trivy).expect("trivy")];
            for (format, findings, seed) in [
                ("tfsec-json", 12, 7),
                ("sonarqube-api-json", 25, 11),
                ("acunetix-xml", 8, 13),
            ] {
                reports.push(report(format, &SyntheticOptions::new(findings, seed)).expect("r"));
            }
            for bytes in &reports {
                t.store
                    .import_scan(&request("demo", release), bytes)
                    .expect("import");
            }
        }
        triage_some(t, "demo", "1.0.0");
        with_each_policy(
            t,
            "demo",
            &["1.0.0", "1.1.0"],
            &GateOptions {
                required_tools: vec!["fossa".into()],
                ..GateOptions::default()
            },
        );
        with_each_policy(
            t,
            "demo",
            &["1.1.0"],
            &GateOptions {
                fail_on: Some(importers::Severity::Low),
                ..GateOptions::default()
            },
        );
    });
}

#[test]
fn the_sql_gate_matches_the_view_gate_on_crafted_cases() {
    on_each_backend(|t| {
        let base = [
            ("CVE-2026-0001", "openssl", "3.0.1", "CRITICAL", "fixed"),
            ("CVE-2026-0002", "zlib", "1.2.13", "HIGH", "affected"),
            ("CVE-2026-0003", "curl", "7.88.1", "MEDIUM", "will_not_fix"),
            ("CVE-2026-0004", "bash", "5.2", "HIGH", "will_not_fix"),
            ("CVE-2026-0005", "libc", "2.36", "LOW", "affected"),
            ("CVE-2026-0006", "libx", "1.0", "UNKNOWN", "affected"),
        ];
        let upload = |release: &str, label: Option<&str>, bytes: Vec<u8>| {
            t.store
                .import_scan(
                    &schema::ImportRequest {
                        label,
                        ..request("shop", release)
                    },
                    &bytes,
                )
                .unwrap_or_else(|e| panic!("{}: {e}", t.name))
        };
        // Release 1.0: the image, its licenses, code smells (one under test/, one vendored).
        upload(
            "1.0",
            None,
            trivy(
                "shop:1.0",
                &base,
                &[
                    ("GPL-3.0-only", "readline"),
                    ("MIT", "jq"),
                    ("EUPL-1.2", "x"),
                ],
            ),
        );
        upload(
            "1.0",
            None,
            sonar(&[
                ("javascript:S3776", "src/app.js", 20, "CRITICAL"),
                ("javascript:S3776", "vendor/x.js", 20, "CRITICAL"),
                ("javascript:S1481", "lib/test/a.js", 3, "MAJOR"),
                ("javascript:S1481", "src/deep/b.js", 4, "BLOCKER"),
            ]),
        );
        // The same image findings in a second slot at other severities: one record, at the
        // most severe, from the lower scan id among equals.
        let reworded: Vec<_> = base
            .iter()
            .map(|(id, pkg, v, sev, st)| {
                let sev = match *sev {
                    "LOW" => "CRITICAL",
                    "CRITICAL" => "LOW",
                    other => other,
                };
                (*id, *pkg, *v, sev, *st)
            })
            .collect();
        upload(
            "1.0",
            Some("second image"),
            trivy("shop:1.0", &reworded, &[]),
        );
        // Release 1.1: the image slot rescanned (the old scan superseded), and a partial
        // SonarQube export (fewer issues than the server reported).
        upload(
            "1.1",
            None,
            trivy("shop:1.0", &base, &[("GPL-3.0-only", "readline")]),
        );
        upload("1.1", None, trivy("shop:1.0", &base[..3], &[]));
        let mut partial: serde_json::Value =
            serde_json::from_slice(&sonar(&[("javascript:S3776", "src/app.js", 20, "MAJOR")]))
                .expect("json");
        partial["total"] = 40.into();
        partial["paging"]["total"] = 40.into();
        let partial = upload("1.1", None, serde_json::to_vec(&partial).expect("json"));
        assert!(
            partial.partial,
            "{}: the SonarQube export is partial",
            t.name
        );
        t.store
            .set_policy("shop", "[gate]\nfail_on = \"high\"\n", "test", None)
            .expect("policy");
        triage_some(t, "shop", "1.0");
        let findings = t
            .store
            .release_view("shop", "1.0", &FindingFilter::default())
            .expect("view")
            .findings;
        // Every state on purpose, whatever triage_some chose.
        for (f, decision) in findings.iter().zip([
            accepted(10),
            accepted(365),
            TriageDecision::new(TriageStatus::Confirmed),
            TriageDecision {
                justification: Some("test data".into()),
                ..TriageDecision::new(TriageStatus::FalsePositive)
            },
            accepted(1),
        ]) {
            decide(t, "shop", &f.fingerprint, decision);
        }
        with_each_policy(
            t,
            "shop",
            &["1.0", "1.1"],
            &GateOptions {
                required_tools: vec!["SonarQube".into(), "checkov".into()],
                ..GateOptions::default()
            },
        );
    });
}
