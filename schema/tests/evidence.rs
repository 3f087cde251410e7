//! Sealing, the stored bundle, the hash chain and the snapshot, on both backends.

use crate::harness::{on_each_backend, request};
use importers::Severity;
use reports::{EvidenceKey, PreviousBundleInput, VerifyOptions, verify_bundle};
use schema::{GateOptions, SealRequest, StoreError};
use std::io::Cursor;
use testdata::synthetic::{SyntheticOptions, trivy_report};

fn load(t: &crate::harness::TestStore, release: &str, generation: u32) {
    let report = trivy_report(&SyntheticOptions {
        findings: 150,
        seed: 11,
        artifact: format!("shop:{release}"),
        generation,
    });
    t.store
        .import_scan(&request("shop", release), &report)
        .expect("import");
}

fn seal_request<'a>(release: &'a str, reason: Option<&'a str>) -> SealRequest<'a> {
    SealRequest {
        project: "shop",
        release,
        sealed_by: "alice",
        gate: GateOptions {
            fail_on: Some(Severity::High),
            required_tools: vec!["trivy".into()],
            ..GateOptions::default()
        },
        allow_blocked_reason: reason,
        generator: "scanledger test",
    }
}

fn bundle_bytes(t: &crate::harness::TestStore, release: &str) -> Vec<u8> {
    let mut out = Vec::new();
    t.store
        .write_bundle("shop", release, &mut out)
        .expect("bundle");
    out
}

#[test]
fn sealing_freezes_the_release_and_stores_a_verifiable_bundle() {
    let key = EvidenceKey::from_seed(&[3; 32]);
    on_each_backend(|t| {
        load(t, "1.0", 0);
        // Synthetic reports have high findings: blocked without a reason, and nothing changes.
        let refused = t.store.seal(&seal_request("1.0", None), &key);
        assert!(
            matches!(refused, Err(StoreError::Blocked { .. })),
            "{refused:?}"
        );
        assert!(t.store.bundle_record("shop", "1.0").unwrap().is_none());
        assert!(!t.store.releases("shop").unwrap()[0].sealed);

        let record = t
            .store
            .seal(
                &seal_request("1.0", Some("known issues, tracked in SEC-1")),
                &key,
            )
            .expect("seal");
        assert_eq!(record.sealed_by, "alice");
        assert!(!record.gate.is_passed());
        assert_eq!(
            record.allow_blocked_reason.as_deref(),
            Some("known issues, tracked in SEC-1")
        );
        assert_eq!(record.previous_sha256, None);
        assert_eq!(record.key_fingerprint, key.public().fingerprint());
        assert!(t.store.releases("shop").unwrap()[0].sealed);

        // The stored bundle comes back byte-identical, and is what was recorded.
        let first = bundle_bytes(t, "1.0");
        assert_eq!(first, bundle_bytes(t, "1.0"));
        assert_eq!(first.len() as u64, record.size);
        let report = verify_bundle(
            Cursor::new(&first),
            &VerifyOptions {
                keys: vec![key.public()],
                previous: None,
            },
        )
        .unwrap();
        assert!(report.valid, "{report:#?}");

        // Rendering the sealed release's snapshot again gives the same bytes (determinism
        // through the store: same data, same key).
        let snap = t
            .store
            .release_snapshot(
                "shop",
                "1.0",
                &seal_request("1.0", None).gate,
                "scanledger test",
            )
            .unwrap();
        assert_eq!(
            snap.seal.as_ref().unwrap().allow_blocked_reason.as_deref(),
            Some("known issues, tracked in SEC-1")
        );
        // Each attempt recorded the gate it judged on the view it read, the refused one too;
        // the seal's is the bundle's, reason for reason.
        let evaluations = t.store.gate_evaluations("shop", "1.0").unwrap();
        assert_eq!(evaluations.len(), 2);
        let sealed = &evaluations[1];
        assert_eq!(sealed.verdict, snap.gate.verdict);
        let named = |r: &schema::GateReasonRef| match r {
            schema::GateReasonRef::MissingScan { .. } | schema::GateReasonRef::StaleScan { .. } => {
                None
            }
            schema::GateReasonRef::BlockingFinding { fingerprint }
            | schema::GateReasonRef::ExpiredAcceptance { fingerprint }
            | schema::GateReasonRef::DeniedLicense { fingerprint }
            | schema::GateReasonRef::SlaBreach { fingerprint }
            | schema::GateReasonRef::FailedQualityGateCondition { fingerprint } => {
                Some(fingerprint.clone())
            }
        };
        assert_eq!(
            sealed.reasons.iter().map(named).collect::<Vec<_>>(),
            snap.gate
                .reasons
                .iter()
                .map(|l| l.fingerprint.clone())
                .collect::<Vec<_>>()
        );
        assert!(!sealed.reasons.is_empty());
        let mut cursor = Cursor::new(Vec::new());
        let store = &t.store;
        let mut raw = |scan: &reports::ScanSnapshot, out: &mut dyn std::io::Write| {
            store
                .raw_report(scan.id, out)
                .map(|_| ())
                .map_err(std::io::Error::other)
        };
        reports::write_bundle(&snap, &key, &mut raw, &mut cursor).unwrap();
        assert_eq!(
            cursor.into_inner(),
            first,
            "re-rendered bundle differs from the sealed one"
        );
        // The store spools a snapshot's findings; held in memory as the release view loads
        // them (the way bundles were rendered before), they give the same bytes.
        assert!(snap.findings.held().is_none(), "the store spools findings");
        let mut held = snap.clone();
        held.findings = t
            .store
            .release_view("shop", "1.0", &Default::default())
            .unwrap()
            .findings
            .into();
        let mut cursor = Cursor::new(Vec::new());
        reports::write_bundle(&held, &key, &mut raw, &mut cursor).unwrap();
        assert_eq!(
            cursor.into_inner(),
            first,
            "the bundle of the held findings differs from the spooled one"
        );

        // Sealed: no more scans, no second seal.
        let again = trivy_report(&SyntheticOptions {
            findings: 10,
            seed: 99,
            artifact: "other:1".into(),
            generation: 0,
        });
        assert!(matches!(
            t.store.import_scan(&request("shop", "1.0"), &again),
            Err(StoreError::Sealed { .. })
        ));
        assert!(t.store.seal(&seal_request("1.0", Some("x")), &key).is_err());
        assert!(
            t.store
                .seal(&seal_request("1.0", Some("  ")), &key)
                .is_err()
        );
    });
}

#[test]
fn each_bundle_chains_to_the_previous_one() {
    let key = EvidenceKey::from_seed(&[4; 32]);
    on_each_backend(|t| {
        load(t, "1.0", 0);
        load(t, "1.1", 1);
        let first = t
            .store
            .seal(&seal_request("1.0", Some("first")), &key)
            .unwrap();
        let second = t
            .store
            .seal(&seal_request("1.1", Some("second")), &key)
            .unwrap();
        assert_eq!(
            second.previous_sha256.as_deref(),
            Some(first.sha256.as_str())
        );
        // Sealing is audited, and a snapshot carries its release's events (uploads here).
        let seals: Vec<_> = t
            .store
            .audit_list(&schema::AuditQuery {
                action: Some("release.seal".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(seals.len(), 2, "{}", t.name);
        assert_eq!(seals[0].subject, "shop/1.0 bundle");
        let snap = t
            .store
            .release_snapshot("shop", "1.1", &seal_request("1.1", None).gate, "test")
            .unwrap();
        assert!(snap.audit_events.iter().any(|e| {
            e["action"] == "scan.upload"
                && e["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("shop/1.1 "))
        }));
        assert!(snap.audit_events.iter().all(|e| {
            e["subject"]
                .as_str()
                .is_some_and(|s| !s.starts_with("shop/1.0 "))
        }));
        let sla = snap
            .sla
            .as_ref()
            .expect("the snapshot carries the SLA status");
        assert!(
            sla["summary"].is_array() && sla["breaches"].is_u64(),
            "{sla}"
        );
        let previous = PreviousBundleInput::read(Cursor::new(bundle_bytes(t, "1.0"))).unwrap();
        assert_eq!(previous.sha256, first.sha256);
        let report = verify_bundle(
            Cursor::new(bundle_bytes(t, "1.1")),
            &VerifyOptions {
                keys: vec![key.public()],
                previous: Some(previous),
            },
        )
        .unwrap();
        assert!(report.valid, "{report:#?}");
        // The second bundle's snapshot had a diff against 1.0.
        let snap = t
            .store
            .release_snapshot("shop", "1.1", &GateOptions::default(), "t")
            .unwrap();
        let diff = snap.diff.expect("diff");
        assert_eq!(diff.previous_release, "1.0");
        assert!(diff.new > 0 && diff.fixed > 0);
        assert_eq!(
            diff.new_findings.len(),
            (diff.new as usize).min(reports::DIFF_LINES)
        );
        crate::harness::assert_snapshot_diff_is_the_diff(&t.store, "shop", "1.0", "1.1");
    });
}

/// The spooled snapshot lists the release view's findings, in its order, when two slots
/// report the same findings (the view shows each once, at its most severe occurrence).
#[test]
fn a_snapshot_spools_the_view_findings_in_the_view_order() {
    on_each_backend(|t| {
        for (label, generation) in [("one", 0), ("two", 1)] {
            let report = trivy_report(&SyntheticOptions {
                findings: 300,
                seed: 11,
                artifact: "shop:3.0".into(),
                generation,
            });
            let mut req = request("shop", "3.0");
            req.label = Some(label);
            t.store.import_scan(&req, &report).expect("import");
        }
        let snap = t
            .store
            .release_snapshot("shop", "3.0", &GateOptions::default(), "t")
            .unwrap();
        let spooled: Vec<schema::ViewFinding> = snap
            .findings
            .iter()
            .map(|f| f.unwrap().into_owned())
            .collect();
        let view = t
            .store
            .release_view("shop", "3.0", &Default::default())
            .unwrap();
        assert_eq!(view.scans.len(), 2);
        assert!(view.findings.len() < 600, "the slots share findings");
        assert_eq!(spooled, view.findings);
        assert_eq!(
            snap.counts_by_severity(),
            reports::Findings::from(view.findings.clone()).counts_by_severity()
        );
    });
}

#[test]
fn an_open_release_snapshot_is_a_draft_with_scans_and_counts() {
    on_each_backend(|t| {
        load(t, "2.0", 0);
        let snap = t
            .store
            .release_snapshot("shop", "2.0", &GateOptions::default(), "t")
            .unwrap();
        assert!(snap.seal.is_none());
        assert_eq!(snap.scans.len(), 1);
        assert_eq!(snap.scans[0].total_findings() as usize, snap.findings.len());
        assert!(snap.scans[0].size > 0);
        assert!(snap.previous_bundle.is_none());
        assert!(!snap.gate.verdict.is_passed());
        assert!(snap.gate.reasons.iter().all(|r| r.fingerprint.is_some()));
        // Rendering a draft report records no gate evaluation (sealing records one).
        assert_eq!(t.store.gate_evaluation_count("shop", "2.0").unwrap(), 0);
        assert!(
            t.store
                .write_bundle("shop", "2.0", &mut Vec::new())
                .is_err()
        );
    });
}

/// What an insider with database access does: drops the append-only triggers, changes the
/// actor of event `seq`, and recomputes that event's hash and every later one, and the head,
/// so the chain checked against itself holds again.
fn rewrite_log(t: &crate::harness::TestStore, seq: i64, actor: &str) {
    drop_audit_triggers(t);
    let mut events = t.store.audit_list(&schema::AuditQuery::default()).unwrap();
    let mut sql = String::new();
    let mut prev = schema::GENESIS_HASH.to_string();
    for e in events.iter_mut() {
        if e.seq == seq {
            e.actor = actor.to_string();
        }
        if e.seq >= seq {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            sql.push_str(&format!(
                "UPDATE audit_events SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {};\n",
                e.actor, e.prev_hash, e.hash, e.seq
            ));
        }
        prev = e.hash.clone();
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1;"
    ));
    t.raw_sql(&sql).unwrap();
}

fn drop_audit_triggers(t: &crate::harness::TestStore) {
    for trigger in ["audit_events_no_update", "audit_events_no_delete"] {
        t.raw_sql(&format!("DROP TRIGGER {trigger} ON audit_events"))
            .or_else(|_| t.raw_sql(&format!("DROP TRIGGER {trigger}")))
            .unwrap();
    }
}

fn anchor_of(t: &crate::harness::TestStore, release: &str) -> schema::BundleAnchor {
    let zip = bundle_bytes(t, release);
    let key = EvidenceKey::from_seed(&[3; 32]);
    let manifest = reports::signed_manifest(Cursor::new(&zip), &[key.public()]).unwrap();
    schema::BundleAnchor {
        bundle: format!("shop/{release}"),
        bundle_sha256: t
            .store
            .bundle_record("shop", release)
            .unwrap()
            .unwrap()
            .sha256,
        anchor: manifest
            .audit_anchor
            .expect("a sealed bundle signs the chain head"),
    }
}

#[test]
fn a_rewritten_audit_log_fails_against_the_heads_bundles_signed() {
    let key = EvidenceKey::from_seed(&[3; 32]);
    on_each_backend(|t| {
        load(t, "1.0", 0);
        let head_before = t.store.audit_head().unwrap();
        t.store
            .seal(&seal_request("1.0", Some("SEC-1")), &key)
            .expect("seal");
        let anchor = anchor_of(t, "1.0");
        // The bundle signed the head it saw; the seal's own event follows it.
        assert_eq!(anchor.anchor, head_before, "{}", t.name);
        assert_eq!(t.store.audit_head().unwrap().seq, head_before.seq + 1);
        load(t, "1.1", 1);
        let ok = t
            .store
            .audit_verify_anchors(std::slice::from_ref(&anchor))
            .unwrap();
        assert!(ok.ok && ok.problems.is_empty(), "{}: {ok:?}", t.name);
        assert_eq!(ok.anchored_up_to, Some(head_before.seq));

        // Event 1 rewritten, every later hash and the head recomputed: the chain holds...
        rewrite_log(t, 1, "mallory");
        assert!(t.store.audit_verify().unwrap().ok, "{}", t.name);
        // ...but not the head the bundle signed.
        let broken = t
            .store
            .audit_verify_anchors(std::slice::from_ref(&anchor))
            .unwrap();
        assert!(!broken.ok, "{}: {broken:?}", t.name);
        assert_eq!(broken.problems.len(), 1);
        assert_eq!(broken.problems[0].bundle, "shop/1.0");
        assert_eq!(broken.problems[0].seq, head_before.seq);
        assert!(
            broken.problems[0].problem.contains("rewritten"),
            "{broken:?}"
        );
    });
}

#[test]
fn deleting_the_newest_event_fails_against_the_bundle_that_sealed_it() {
    let key = EvidenceKey::from_seed(&[3; 32]);
    on_each_backend(|t| {
        load(t, "1.0", 0);
        t.store
            .seal(&seal_request("1.0", Some("SEC-1")), &key)
            .expect("seal");
        let anchor = anchor_of(t, "1.0");
        // The newest event is the seal itself: delete it and set the head back.
        let head = t.store.audit_head().unwrap();
        let previous = t
            .store
            .audit_list(&schema::AuditQuery::default())
            .unwrap()
            .into_iter()
            .find(|e| e.seq == head.seq - 1)
            .unwrap();
        drop_audit_triggers(t);
        t.raw_sql(&format!(
            "DELETE FROM audit_events WHERE seq = {};\nUPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1;",
            head.seq, previous.seq, previous.hash
        ))
        .unwrap();
        assert!(t.store.audit_verify().unwrap().ok, "{}", t.name);
        let broken = t.store.audit_verify_anchors(&[anchor]).unwrap();
        assert!(!broken.ok, "{}: {broken:?}", t.name);
        assert_eq!(broken.problems[0].seq, head.seq, "{broken:?}");
        assert!(
            broken.problems[0].problem.contains("release.seal"),
            "{broken:?}"
        );
    });
}
