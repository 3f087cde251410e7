//! Fingerprint version 2 tells apart results that version 1 merged, and version 3 those that
//! version 2 merged on one line (`importers::identity`): upgrading keeps the merged finding's
//! triage on its first part, and the diff says "identity refined" for the others, never "new"
//! plus "fixed".

use crate::harness::{corpus, on_each_backend, request};
use domain::{TriageDecision, TriageStatus};
use schema::{DiffChange, FindingFilter, Store};

/// tfsec names the same resource for two `azure-keyvault-ensure-key-expiry` blocks of one
/// file: one fingerprint, two places.
const TWO_KEYS: &str = "tfsec-extra/json_v1_azure_2findings.json";

fn accept() -> TriageDecision {
    TriageDecision {
        status: TriageStatus::Accepted,
        justification: Some("keys rotate by hand".into()),
        approver: Some("ciso".into()),
        expires: Some((chrono::Utc::now() + chrono::TimeDelta::days(90)).date_naive()),
    }
}

fn statuses(store: &Store, release: &str) -> Vec<(String, TriageStatus)> {
    let view = store
        .release_view("shop", release, &FindingFilter::default())
        .expect("view");
    let mut out: Vec<_> = view
        .findings
        .into_iter()
        .map(|f| (f.fingerprint, f.status))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The database `fixtures/fingerprint-v1.db` was made by the code before version 2 (see
/// `fixtures/README.md`): release 1.0 holds the two keys as one merged finding, accepted. The
/// upgraded store imports the same report into 1.1.
#[test]
fn upgrading_a_database_made_by_version_1_refines_and_keeps_triage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("v1.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fingerprint-v1.db");
    std::fs::copy(&fixture, &db).expect("copy fixture");
    let store = Store::open(&format!("sqlite://{}", db.display())).expect("open and migrate");

    let before = statuses(&store, "1.0");
    assert_eq!(before.len(), 1, "version 1 merged the two keys: {before:?}");
    assert_eq!(before[0].1, TriageStatus::Accepted);

    store
        .import_scan(&request("shop", "1.1"), &corpus(TWO_KEYS))
        .expect("import with version 2");
    let after = statuses(&store, "1.1");
    assert_eq!(after.len(), 2, "version 2 tells the keys apart: {after:?}");
    let kept = after.iter().find(|(fp, _)| *fp == before[0].0);
    assert_eq!(
        kept.map(|(_, s)| *s),
        Some(TriageStatus::Accepted),
        "the first part keeps the merged finding's fingerprint and triage"
    );
    assert!(
        after
            .iter()
            .any(|(fp, s)| *fp != before[0].0 && *s == TriageStatus::Open)
    );
    // The older release still shows what it showed.
    assert_eq!(statuses(&store, "1.0"), before);

    let diff = store.diff("shop", "1.0", "1.1").expect("diff");
    assert_eq!(
        (diff.new, diff.identity_refined, diff.still_open, diff.fixed),
        (0, 1, 1, 0),
        "{diff:?}"
    );
    crate::harness::assert_snapshot_diff_is_the_diff(&store, "shop", "1.0", "1.1");
    assert!(
        diff.entries
            .iter()
            .any(|e| e.change == DiffChange::IdentityRefined)
    );

    // The next scan under version 2 on both sides: nothing refined, nothing new.
    store
        .import_scan(&request("shop", "1.2"), &corpus(TWO_KEYS))
        .expect("import again");
    let diff = store.diff("shop", "1.1", "1.2").expect("diff");
    assert_eq!(
        (diff.new, diff.identity_refined, diff.still_open, diff.fixed),
        (0, 0, 2, 0)
    );
    assert!(store.audit_verify().expect("verify").ok);
}

/// The database `fixtures/fingerprint-v2.db` was made by the code before version 3 (see
/// `fixtures/README.md`): release 1.0 holds CodeQL's two unused variables of line 10 as one
/// merged finding, accepted, and line 30's as another. The upgraded store imports the same
/// report into 1.1, with one more result at a new line: the second variable of line 10 is
/// refined from the merged finding, the new line is new, and no version-2 fingerprint changes.
#[test]
fn upgrading_a_database_made_by_version_2_refines_columns_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("v2.db");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("fingerprint-v2.db"), &db).expect("copy fixture");
    let store = Store::open(&format!("sqlite://{}", db.display())).expect("open and migrate");

    let before = statuses(&store, "1.0");
    assert_eq!(
        before.len(),
        2,
        "version 2 merged line 10's two variables: {before:?}"
    );
    let accepted: Vec<&String> = before
        .iter()
        .filter(|(_, s)| *s == TriageStatus::Accepted)
        .map(|(fp, _)| fp)
        .collect();
    assert_eq!(accepted.len(), 1);

    let report = std::fs::read_to_string(fixtures.join("two-variables-one-line.sarif"))
        .expect("read report");
    let mut doc: serde_json::Value = serde_json::from_str(&report).expect("json");
    let results = doc["runs"][0]["results"].as_array_mut().expect("results");
    let mut later = results[2].clone();
    later["locations"][0]["physicalLocation"]["region"]["startLine"] = 50.into();
    results.push(later);
    store
        .import_scan(
            &request("shop", "1.1"),
            &serde_json::to_vec(&doc).expect("json"),
        )
        .expect("import with version 3");

    let after = statuses(&store, "1.1");
    assert_eq!(after.len(), 4, "{after:?}");
    for (fp, status) in &before {
        assert!(
            after.contains(&(fp.clone(), *status)),
            "version-2 fingerprint {fp} keeps its identity and triage"
        );
    }
    let diff = store.diff("shop", "1.0", "1.1").expect("diff");
    assert_eq!(
        (diff.new, diff.identity_refined, diff.still_open, diff.fixed),
        (1, 1, 2, 0),
        "{diff:?}"
    );
    assert!(store.audit_verify().expect("verify").ok);
}

/// The same upgrade on both backends, with version 1's merge simulated: release 1.0 gets the
/// report with only its first key (what version 1 stored of it) and its scan is marked as
/// identified by version 1.
#[test]
fn a_split_after_a_version_1_scan_is_refined_and_a_later_one_is_new() {
    let report = std::fs::read_to_string(corpus(TWO_KEYS)).expect("read");
    let mut doc: serde_json::Value = serde_json::from_str(&report).expect("json");
    let results = doc["results"].as_array_mut().expect("results");
    let second = results.remove(1);
    let first_only = serde_json::to_vec(&doc).expect("json");
    on_each_backend(|t| {
        let store = &t.store;
        store
            .import_scan(&request("shop", "1.0"), &first_only)
            .expect("first key only");
        t.raw_sql("UPDATE scans SET fingerprint_version = 1")
            .expect("mark as version 1");
        let merged = statuses(store, "1.0");
        store
            .triage("shop", &merged[0].0, &accept(), "test", None)
            .expect("accept");

        store
            .import_scan(&request("shop", "1.1"), &corpus(TWO_KEYS))
            .expect("both keys");
        let diff = store.diff("shop", "1.0", "1.1").expect("diff");
        assert_eq!(
            (diff.new, diff.identity_refined, diff.still_open, diff.fixed),
            (0, 1, 1, 0),
            "{}",
            t.name
        );

        // Under version 2 on both sides, a third key of the same resource is new.
        let mut three = doc.clone();
        let mut third = second.clone();
        third["location"]["start_line"] = 300.into();
        third["location"]["end_line"] = 310.into();
        let results = three["results"].as_array_mut().expect("results");
        results.push(second.clone());
        results.push(third);
        let three = serde_json::to_vec(&three).expect("json");
        store
            .import_scan(&request("shop", "1.2"), &three)
            .expect("three keys");
        let diff = store.diff("shop", "1.1", "1.2").expect("diff");
        assert_eq!(
            (diff.new, diff.identity_refined, diff.still_open, diff.fixed),
            (1, 0, 2, 0),
            "{}",
            t.name
        );
    });
}
