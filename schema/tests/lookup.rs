//! Lookups and counts in SQL give the release view's answers: one finding by fingerprint,
//! where it occurred in the newest releases, open counts by severity per release. On releases
//! with several slots (one finding in two slots at different severities), superseded scans
//! and triage decisions.

use crate::harness::{TestStore, on_each_backend, request};
use importers::Severity;
use schema::{FindingFilter, FindingOccurrence, TriageDecision, TriageStatus};
use std::collections::BTreeMap;
use testdata::synthetic::{SyntheticOptions, trivy_report};

fn image(findings: usize, seed: u64, generation: u32) -> Vec<u8> {
    trivy_report(&SyntheticOptions {
        findings,
        seed,
        artifact: "registry/shop:web".into(),
        generation,
    })
}

/// Four releases: the image rescanned each time (some fixed, some new), a second slot with an
/// overlapping report in two of them, a superseded scan in the third, and triage decisions.
fn load(t: &TestStore) -> Vec<&'static str> {
    let releases = vec!["1.0", "1.1", "1.2", "2.0"];
    for (i, release) in releases.iter().enumerate() {
        let generation = i as u32;
        t.store
            .import_scan(&request("shop", release), &image(60, 9, generation))
            .expect("image");
        if i % 2 == 1 {
            // Same seed, other generation: many fingerprints shared with the first slot,
            // reported at their own severities.
            t.store
                .import_scan(
                    &schema::ImportRequest {
                        label: Some("base image"),
                        ..request("shop", release)
                    },
                    &image(60, 9, generation + 7),
                )
                .expect("second slot");
        }
        if i == 2 {
            // A newer scan in the image's slot supersedes the first one.
            t.store
                .import_scan(&request("shop", release), &image(40, 9, generation + 1))
                .expect("rescan");
        }
    }
    let view = t
        .store
        .release_view("shop", "1.1", &FindingFilter::default())
        .expect("view");
    for (i, f) in view.findings.iter().enumerate().step_by(4) {
        let decision = match i % 3 {
            0 => TriageDecision {
                justification: Some("test only".into()),
                ..TriageDecision::new(TriageStatus::FalsePositive)
            },
            1 => TriageDecision::new(TriageStatus::Confirmed),
            _ => TriageDecision {
                status: TriageStatus::Accepted,
                justification: Some("mitigated".into()),
                approver: Some("ciso".into()),
                expires: Some((chrono::Utc::now() + chrono::TimeDelta::days(30)).date_naive()),
            },
        };
        t.store
            .triage("shop", &f.fingerprint, &decision, "test", None)
            .expect("triage");
    }
    releases
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("json")
}

#[test]
fn a_finding_looked_up_by_fingerprint_is_its_view_record() {
    on_each_backend(|t| {
        let releases = load(t);
        let mut checked = 0;
        for release in &releases {
            let view = t
                .store
                .release_view("shop", release, &FindingFilter::default())
                .expect("view");
            for f in &view.findings {
                let found = t
                    .store
                    .release_finding("shop", release, &f.fingerprint)
                    .expect("lookup");
                assert_eq!(json(&found), json(f), "{}: {release}", t.name);
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked}");
        // In the project but not in this release; not in the project at all.
        let views: Vec<_> = releases
            .iter()
            .map(|r| {
                t.store
                    .release_view("shop", r, &FindingFilter::default())
                    .expect("view")
            })
            .collect();
        let (absent_from, gone) = views
            .iter()
            .flat_map(|v| v.findings.iter().map(|f| f.fingerprint.clone()))
            .find_map(|fp| {
                views
                    .iter()
                    .find(|v| !v.findings.iter().any(|f| f.fingerprint == fp))
                    .map(|v| (v.release.clone(), fp))
            })
            .expect("a finding missing from some release");
        for (release, fp) in [(absent_from.as_str(), gone.as_str()), ("1.0", "0000nope")] {
            let err = t
                .store
                .release_finding("shop", release, fp)
                .expect_err("not in the release");
            assert!(
                matches!(err, schema::StoreError::NotFound { .. }),
                "{}: {err}",
                t.name
            );
        }
    });
}

#[test]
fn occurrences_are_the_views_of_the_newest_releases() {
    on_each_backend(|t| {
        let releases = load(t);
        let views: Vec<_> = releases
            .iter()
            .map(|r| {
                t.store
                    .release_view("shop", r, &FindingFilter::default())
                    .expect("view")
            })
            .collect();
        let every: std::collections::BTreeSet<String> = views
            .iter()
            .flat_map(|v| v.findings.iter().map(|f| f.fingerprint.clone()))
            .collect();
        for newest in [1, 3, 10] {
            for fp in &every {
                let want: Vec<FindingOccurrence> = views
                    .iter()
                    .rev()
                    .take(newest)
                    .filter_map(|v| {
                        let f = v.findings.iter().find(|f| &f.fingerprint == fp)?;
                        Some(FindingOccurrence {
                            release: v.release.clone(),
                            scan_id: f.scan_id,
                            scan_label: f.scan_label.clone(),
                            tool: f.tool.clone(),
                            severity: f.severity,
                            status: f.status,
                            tool_status: f.tool_status.clone(),
                        })
                    })
                    .collect();
                let got = t
                    .store
                    .finding_occurrences("shop", fp, newest)
                    .expect("occurrences");
                assert_eq!(got, want, "{}: {fp} in the newest {newest}", t.name);
            }
        }
    });
}

#[test]
fn open_counts_in_sql_match_the_view() {
    on_each_backend(|t| {
        let releases = load(t);
        let open = FindingFilter {
            statuses: vec![TriageStatus::Open, TriageStatus::Confirmed],
            ..FindingFilter::default()
        };
        let mut want = Vec::new();
        for release in &releases {
            let by: BTreeMap<Severity, u64> = t
                .store
                .release_view("shop", release, &open)
                .expect("view")
                .counts_by_severity();
            let got = t.store.open_counts("shop", release).expect("counts");
            assert_eq!(got.by_severity, by, "{}: {release}", t.name);
            assert_eq!(got.release, *release);
            assert_eq!(got.total(), by.values().sum::<u64>());
            want.push(got);
        }
        assert!(want.iter().any(|c| c.total() > 0));
        for newest in [1, 2, 8] {
            let trend = t
                .store
                .open_counts_per_release("shop", newest)
                .expect("trend");
            let start = want.len().saturating_sub(newest);
            assert_eq!(trend, want[start..].to_vec(), "{}: newest {newest}", t.name);
        }
    });
}
