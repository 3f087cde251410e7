//! The bundle's standard attestations: what they say, that `verify_bundle` checks them, and
//! what the raw reports of Trivy and Grype add (read from the corpus).

use crate::support::{bundle_of, key, member, members, rezip, sample_bundle, verify};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reports::attest::ScanFacts;
use testdata::sample::sample_snapshot;

fn statement(envelope: &[u8]) -> serde_json::Value {
    let (payload_type, payload) = key().public().verify_dsse(envelope).unwrap();
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    serde_json::from_slice(&payload).unwrap()
}

fn attestation_names(zip: &[u8]) -> Vec<String> {
    members(zip)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("attestations/"))
        .collect()
}

#[test]
fn every_scan_has_a_vulns_statement_and_the_gate_a_vsa_each_in_two_envelopes() {
    let zip = sample_bundle();
    let snap = sample_snapshot(true);
    let names = attestation_names(&zip);
    assert_eq!(names.len(), 2 * (snap.scans.len() + 1), "{names:?}");
    let sums = String::from_utf8(member(&zip, "SHA256SUMS")).unwrap();
    for name in &names {
        assert!(
            sums.contains(&format!("  {name}\n")),
            "{name} is not in SHA256SUMS"
        );
    }
    for scan in &snap.scans {
        let path = reports::attest::scan_statement_path(scan);
        let s = statement(&member(&zip, &format!("{path}.dsse.json")));
        assert_eq!(s["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(
            s["predicateType"],
            "https://in-toto.io/attestation/vulns/v0.2"
        );
        // The sample's raw reports name no image digest: the subject is the raw report.
        assert_eq!(s["subject"][0]["name"], scan.bundle_path().as_str());
        assert_eq!(s["subject"][0]["digest"]["sha256"], scan.sha256.as_str());
        assert_eq!(
            s["predicate"]["scanner"]["uri"],
            format!("pkg:github/aquasecurity/{}", scan.tool)
        );
        assert_eq!(
            s["predicate"]["summary"],
            serde_json::json!(scan.by_severity)
        );
        let results = s["predicate"]["scanner"]["result"].as_array().unwrap();
        let expected: std::collections::BTreeSet<&str> = snap
            .findings
            .held()
            .unwrap()
            .iter()
            .filter(|f| f.scan_id == scan.id)
            .map(|f| f.rule_id.as_str())
            .collect();
        assert_eq!(results.len(), expected.len());
        // The Sigstore bundle holds the same statement, signed by the same key.
        let bundle: serde_json::Value =
            serde_json::from_slice(&member(&zip, &format!("{path}.sigstore.json"))).unwrap();
        assert_eq!(
            bundle["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert_eq!(
            bundle["verificationMaterial"]["publicKey"]["hint"],
            key().public().key_id().as_str()
        );
        assert_eq!(
            bundle["verificationMaterial"]["tlogEntries"],
            serde_json::json!([])
        );
        let payload = STANDARD
            .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&payload).unwrap(),
            s
        );
    }
    let vsa = statement(&member(&zip, "attestations/gate.vsa.dsse.json"));
    assert_eq!(
        vsa["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let p = &vsa["predicate"];
    let passed = snap.gate.verdict.is_passed();
    assert_eq!(
        p["verificationResult"],
        if passed { "PASSED" } else { "FAILED" }
    );
    assert_eq!(p["resourceUri"], snap.bundle_file_name().as_str());
    assert_eq!(p["verifier"]["id"], "https://scanledger.dev/gate/v1");
    assert!(p["timeVerified"].as_str().unwrap().ends_with('Z'));
    assert_eq!(p["policy"]["digest"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        p["inputAttestations"].as_array().unwrap().len(),
        snap.scans.len()
    );
    assert_eq!(vsa["subject"].as_array().unwrap().len(), snap.scans.len());
}

/// A scan whose statement is over a megabyte (one result per rule id, and here every finding
/// of the first scan has an id of its own) is written to a temporary file, signed and wrapped
/// from it: its envelopes are the ones its bytes give in memory, and the bundle verifies.
#[test]
fn a_large_statement_is_signed_and_wrapped_as_a_small_one_is() {
    let mut snap = testdata::sample::large_snapshot(30_000);
    let first = snap.scans[0].id;
    let findings = snap.findings.held_mut().unwrap();
    for (i, f) in findings.iter_mut().enumerate() {
        if f.scan_id == first {
            f.rule_id = format!("CVE-2026-{i:06}");
        }
    }
    let rules: std::collections::BTreeSet<String> = findings
        .iter()
        .filter(|f| f.scan_id == first)
        .map(|f| f.rule_id.clone())
        .collect();
    let (zip, _) = bundle_of(&snap, &key());
    assert!(verify(&zip).valid, "{:?}", verify(&zip).failed_checks());

    let path = reports::attest::scan_statement_path(&snap.scans[0]);
    let dsse = member(&zip, &format!("{path}.dsse.json"));
    let (payload_type, payload) = key().public().verify_dsse(&dsse).unwrap();
    assert!(payload.len() > 1 << 20, "{} bytes", payload.len());
    assert_eq!(dsse, key().dsse_envelope(&payload_type, &payload));
    assert_eq!(
        member(&zip, &format!("{path}.sigstore.json")),
        reports::attest::sigstore_bundle(&key(), &payload_type, &payload).unwrap()
    );
    // Compact, keys sorted: what serializing the statement whole gives.
    let s: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(serde_json::to_vec(&s).unwrap(), payload);
    let results = s["predicate"]["scanner"]["result"].as_array().unwrap();
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, rules);
}

#[test]
fn a_tampered_statement_fails_verification() {
    let zip = sample_bundle();
    let name = "attestations/gate.vsa.dsse.json";
    let mut envelope: serde_json::Value = serde_json::from_slice(&member(&zip, name)).unwrap();
    let mut s = statement(&member(&zip, name));
    s["predicate"]["verificationResult"] = "PASSED".into();
    s["predicate"]["resourceUri"] = "forged.zip".into();
    envelope["payload"] = STANDARD.encode(serde_json::to_vec(&s).unwrap()).into();
    let mut forged = members(&zip);
    for m in forged.iter_mut().filter(|(n, _)| n == name) {
        m.1 = serde_json::to_vec_pretty(&envelope).unwrap();
    }
    let report = verify(&rezip(&forged));
    assert!(!report.valid);
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name)
        .collect();
    assert!(failed.contains(&"attestations"), "{failed:?}");

    // A Sigstore bundle whose envelope differs from its DSSE twin.
    let other = bundle_of(&sample_snapshot(false), &key()).0;
    let swapped_name = "attestations/gate.vsa.sigstore.json";
    let mut swapped = members(&zip);
    for m in swapped.iter_mut().filter(|(n, _)| n == swapped_name) {
        m.1 = member(&other, swapped_name);
    }
    let report = verify(&rezip(&swapped));
    let check = report
        .checks
        .iter()
        .find(|c| c.name == "attestations")
        .unwrap();
    assert!(!check.ok, "{check:?}");
}

#[test]
fn trivy_and_grype_reports_give_image_digests_scanner_and_database() {
    let corpus = testdata::corpus_dir();
    let trivy = std::fs::File::open(corpus.join("trivy/all_statuses.json")).unwrap();
    let facts = ScanFacts::read("trivy-json", trivy);
    // Its RepoDigests are empty strings: the image id is the subject, under the artifact name.
    assert_eq!(facts.subjects.len(), 1, "{facts:?}");
    assert_eq!(
        facts.subjects[0].digest["sha256"],
        "22ae3921bdaac434bb4cb92dbbc209e46b1f3f70e9fa0b5fbbb43ce7d452c72d"
    );
    assert_eq!(
        facts.finished.as_deref(),
        Some("2024-01-15T08:58:29.827537440Z")
    );

    let grype = std::fs::File::open(corpus.join("anchore_grype/fix_not_available.json")).unwrap();
    let facts = ScanFacts::read("grype-json", grype);
    // Its repoDigests are redacted and its image id cut short: the manifest digest it is.
    assert_eq!(facts.subjects.len(), 1, "{facts:?}");
    assert_eq!(
        facts.subjects[0].digest["sha256"],
        "4e1c538085614cbc0c9affbb206abbec3220118425409662e46b3d4bb71d1b6d"
    );
    assert_eq!(facts.scanner_version.as_deref(), Some("0.75.0"));
    let db = facts.db.unwrap();
    assert_eq!(db.last_update, "2024-04-10T01:25:07Z");
    assert!(db.version.unwrap().contains("schema 5"));
    assert!(facts.started.is_some());

    // A report that is not what its format says gives no facts, and no error.
    assert_eq!(
        ScanFacts::read("trivy-json", &b"[1,2"[..]),
        ScanFacts::default()
    );
    assert_eq!(
        ScanFacts::read("grype-json", &b"\xff\xfe"[..]),
        ScanFacts::default()
    );
}

#[test]
fn a_vsa_that_contradicts_the_manifest_fails_even_when_signed() {
    let zip = sample_bundle();
    let name = "attestations/gate.vsa.dsse.json";
    let mut s = statement(&member(&zip, name));
    let flipped = if s["predicate"]["verificationResult"] == "PASSED" {
        "FAILED"
    } else {
        "PASSED"
    };
    s["predicate"]["verificationResult"] = flipped.into();
    let resigned = key().dsse_envelope(
        reports::keys::DSSE_PAYLOAD_TYPE,
        &serde_json::to_vec(&s).unwrap(),
    );
    let mut forged = members(&zip);
    for m in forged.iter_mut().filter(|(n, _)| n == name) {
        m.1 = resigned.clone();
    }
    let report = verify(&rezip(&forged));
    let check = report
        .checks
        .iter()
        .find(|c| c.name == "attestations")
        .unwrap();
    assert!(
        !check.ok && check.detail.contains("verificationResult differs"),
        "{check:?}"
    );
}
