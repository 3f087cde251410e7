//! OSCAL assessment results and POA&M of the sample release: deterministic, with stable
//! UUIDv5s, the raw reports' SHA-256 as back-matter hashes, blocking findings not satisfied,
//! accepted risks as deviations and SLA due dates as deadlines. (Loading them into
//! compliance-trestle's models is the `tests` crate's, `tests/tests/consumers/oscal.rs`.)

use reports::oscal::{assessment_results, poam, token};
use serde_json::Value;
use std::collections::BTreeSet;
use testdata::sample::sample_snapshot;

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// Every `uuid` value in the document.
fn uuids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "uuid" {
                    out.push(v.as_str().unwrap().to_string());
                }
                uuids(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| uuids(v, out)),
        _ => {}
    }
}

#[test]
fn exports_are_byte_identical_and_uuids_are_stable_v5() {
    let snap = sample_snapshot(true);
    let ar = assessment_results(&snap).unwrap();
    assert_eq!(ar, assessment_results(&sample_snapshot(true)).unwrap());
    let p = poam(&snap).unwrap();
    assert_eq!(p, poam(&sample_snapshot(true)).unwrap());
    for doc in [&ar, &p] {
        let mut ids = Vec::new();
        uuids(&json(doc), &mut ids);
        assert!(!ids.is_empty());
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "a UUID repeats: {ids:?}");
        for id in &ids {
            assert_eq!(&id[14..15], "5", "{id} is not a UUIDv5");
        }
    }
    // Another release of the same project gets other UUIDs.
    let mut other = sample_snapshot(true);
    other.release = "4.2.1".into();
    let mut a = Vec::new();
    uuids(&json(&ar), &mut a);
    let mut b = Vec::new();
    uuids(&json(&assessment_results(&other).unwrap()), &mut b);
    assert!(a.iter().all(|id| !b.contains(id)));
}

#[test]
fn assessment_results_hold_criteria_scans_blocking_findings_and_accepted_risks() {
    let snap = sample_snapshot(true);
    let ar = json(&assessment_results(&snap).unwrap());
    let doc = &ar["assessment-results"];
    assert_eq!(doc["metadata"]["oscal-version"], "1.1.2");
    let result = &doc["results"][0];
    // Each scan's raw report is a resource with its SHA-256, cited by its observation.
    let resources = doc["back-matter"]["resources"].as_array().unwrap();
    for scan in &snap.scans {
        let resource = resources
            .iter()
            .find(|r| r["rlinks"][0]["href"] == scan.bundle_path())
            .unwrap_or_else(|| panic!("no resource for {}", scan.bundle_path()));
        assert_eq!(resource["rlinks"][0]["hashes"][0]["value"], scan.sha256);
        let cited = format!("#{}", resource["uuid"].as_str().unwrap());
        assert!(
            result["observations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["relevant-evidence"][0]["href"] == cited.as_str())
        );
    }
    assert_eq!(doc["import-ap"]["href"].as_str().unwrap().len(), 37);
    let findings = result["findings"].as_array().unwrap();
    let state = |target: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["target"]["target-id"] == target)
            .map(|f| f["target"]["status"]["state"].as_str().unwrap())
            .collect()
    };
    assert_eq!(state("A.5.28"), ["satisfied"]);
    // CC8.1 judges the gate: its own exception, then each open blocking finding.
    let cc81 = state("CC8.1");
    assert!(
        cc81.len() > 1 && cc81.iter().all(|s| *s == "not-satisfied"),
        "{cc81:?}"
    );
    let risks = result["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0]["status"], "deviation-approved");
    assert!(risks[0]["deadline"].is_string());
    assert_eq!(risks[0]["remediations"][0]["lifecycle"], "completed");
}

#[test]
fn the_poam_lists_open_findings_with_their_sla_due_dates() {
    let snap = sample_snapshot(true);
    let p = json(&poam(&snap).unwrap());
    let doc = &p["plan-of-action-and-milestones"];
    let risks = doc["risks"].as_array().unwrap();
    assert!(!risks.is_empty());
    for risk in risks {
        assert_eq!(risk["status"], "open");
    }
    // The sample's critical finding is due 7 days after it was first seen (default SLA).
    assert!(risks.iter().any(|r| r["deadline"].is_string()), "{risks:?}");
    assert_eq!(
        doc["poam-items"].as_array().unwrap().len(),
        risks.len(),
        "one item per risk"
    );
    // With nothing open, one item says so (OSCAL needs at least one).
    let mut clean = sample_snapshot(true);
    clean.findings.held_mut().unwrap().clear();
    let p = json(&poam(&clean).unwrap());
    let items = p["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert!(p["plan-of-action-and-milestones"]["risks"].is_null());
}

#[test]
fn criterion_ids_become_oscal_tokens() {
    assert_eq!(token("CC7.1"), "CC7.1");
    assert_eq!(token("A.8.8"), "A.8.8");
    assert_eq!(token("1-VULN"), "_1-VULN");
    assert_eq!(token("a b/c"), "a-b-c");
    assert_eq!(token(""), "_");
}

/// The POA&M is written an element at a time in SLA order; its bytes are the ones the whole
/// document rendered at once gave before (SHA-256 taken of that rendering), with open
/// findings, with 3,000 of them, and with none.
#[test]
fn the_streamed_poam_is_the_one_rendered_whole() {
    let got = digests_of_the_golden_snapshots(|snap| poam(snap).unwrap());
    assert_eq!(got, GOLDEN_POAM, "{got:#?}");
}

/// The SHA-256 of what `render` writes for each snapshot the golden digests were taken of:
/// the sample with and without decisions, 3,000 findings, and none.
fn digests_of_the_golden_snapshots(
    render: impl Fn(&reports::ReleaseSnapshot) -> Vec<u8>,
) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut clean = sample_snapshot(true);
    clean.findings.held_mut().unwrap().clear();
    [
        sample_snapshot(true),
        sample_snapshot(false),
        testdata::sample::large_snapshot(3000),
        clean,
    ]
    .iter()
    .map(|snap| hex::encode(Sha256::digest(render(snap))))
    .collect()
}

const GOLDEN_POAM: [&str; 4] = [
    "31314219c2b660258dd3a2975b85d93a2c59f13fc7327ab266a7243e57ed8477",
    "542c4808538452e22c5ce3d407c678836bd4752c2d69be47cf6eb48d0a64d0f6",
    "ebeeb7bc0fb17b42be3b5d1ef159313cc088f60ff8a9a96e9814754380129949",
    "b8dc61279093dd74d31388fb35e944ecfa9304fbd18227af3855e22a89a2a7ff",
];

/// The assessment results are written with their findings and risks an element at a time;
/// their bytes are the ones the whole document rendered at once gave before (SHA-256 taken of
/// that rendering), with blocking findings and accepted risks, with 3,000 findings, and with
/// none.
#[test]
fn the_streamed_assessment_results_are_the_ones_rendered_whole() {
    let got = digests_of_the_golden_snapshots(|snap| assessment_results(snap).unwrap());
    assert_eq!(got, GOLDEN_ASSESSMENT_RESULTS, "{got:#?}");
}

const GOLDEN_ASSESSMENT_RESULTS: [&str; 4] = [
    "08cd2779610ab3baa81a54103c1271a230e4e8670fb0f75548bfd6c53dc5c8ed",
    "ae845cee554822f17395cfe478318f347c41fecdb1db9469ca12e5d835657923",
    "f8c35f04d03adbb8935a3e5acf661cf1d7e1d324866a591762b3926c8485b2ee",
    "c8df1d7ab1b351ac548b410d5eabcec3d5c2f0616eda1bec1b1240ee4ee6bdb2",
];
