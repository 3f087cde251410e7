//! The control mapping: the built-in file, a project's own, and each criterion's status for a
//! release, in `controls.json`, `access.json` and the PDF.

use crate::support::*;
use reports::controls::{ControlMapping, ControlStatus, MappingError, controls_report};
use testdata::sample::sample_snapshot;

fn status_of<'a>(report: &'a reports::controls::ControlsReport, id: &str) -> &'a ControlStatus {
    &report
        .criteria
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
        .status
}

#[test]
fn the_builtin_mapping_covers_soc2_and_iso27001() {
    let mapping = ControlMapping::builtin().unwrap();
    let ids: Vec<&str> = mapping.criteria.iter().map(|c| c.id.as_str()).collect();
    for id in [
        "CC7.1",
        "CC7.2",
        "CC8.1",
        "CC3.2",
        "CC9.1",
        "CC6.1",
        "CC6.3",
        "completeness",
        "A.8.8",
        "A.8.29",
        "A.8.32",
        "A.5.28",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn the_sealed_sample_release_evaluates_as_its_evidence_says() {
    let report = controls_report(&sample_snapshot(true)).unwrap();
    // Sealed with --allow-blocked --reason: an exception that carries the reason.
    match status_of(&report, "CC8.1") {
        ControlStatus::Exception { reason } => assert!(reason.contains("SEC-42"), "{reason}"),
        other => panic!("CC8.1 is {other:?}"),
    }
    assert_eq!(status_of(&report, "A.5.28"), &ControlStatus::Met);
    assert_eq!(status_of(&report, "completeness"), &ControlStatus::Met);
    insta::assert_snapshot!(
        "sample_controls_json",
        String::from_utf8(reports::controls::controls_json(&sample_snapshot(true)).unwrap())
            .unwrap()
    );
}

#[test]
fn a_draft_is_not_sealed_and_signs_no_audit_head() {
    let report = controls_report(&sample_snapshot(false)).unwrap();
    assert!(report.draft);
    for id in ["CC8.1", "A.5.28"] {
        assert!(
            matches!(status_of(&report, id), ControlStatus::NotMet { .. }),
            "{id}: {:?}",
            status_of(&report, id)
        );
    }
}

#[test]
fn a_gap_in_the_bundle_chain_is_an_exception_that_names_the_release() {
    let mut snap = sample_snapshot(true);
    if let Some(b) = &mut snap.previous_bundle {
        b.release = "4.0.0".into();
    }
    match status_of(&controls_report(&snap).unwrap(), "completeness") {
        ControlStatus::Exception { reason } => {
            assert!(reason.contains("4.1.0 has no sealed bundle"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_project_mapping_replaces_the_builtin_one() {
    let mut snap = sample_snapshot(true);
    snap.controls = Some(reports::MappingSnapshot {
        version: "3".into(),
        text: r#"
name = "ours"
[settings]
max_scan_age_days = 1
[[criterion]]
id = "VULN-1"
framework = "internal"
title = "scans are fresh"
evidence = ["scan_age", "access_tokens"]
"#
        .into(),
    });
    let report = controls_report(&snap).unwrap();
    assert_eq!(report.mapping.version, "3");
    assert_eq!(report.criteria.len(), 1);
    // The sample's scans are three days old at sealing.
    assert!(matches!(
        report.criteria[0].status,
        ControlStatus::NotMet { .. }
    ));
}

#[test]
fn a_bad_mapping_file_says_why() {
    let one = |evidence: &str, id2: &str| {
        format!(
            "name = \"x\"\n[[criterion]]\nid = \"A\"\nframework = \"f\"\ntitle = \"t\"\nevidence = [{evidence}]\n\
             [[criterion]]\nid = \"{id2}\"\nframework = \"f\"\ntitle = \"t\"\nevidence = [\"seal\"]\n"
        )
    };
    assert!(matches!(
        ControlMapping::parse(&one("\"seal\"", "A")),
        Err(MappingError::DuplicateId(id)) if id == "A"
    ));
    assert!(matches!(
        ControlMapping::parse(&one("", "B")),
        Err(MappingError::NoEvidence(id)) if id == "A"
    ));
    let err = ControlMapping::parse(&one("\"vibes\"", "B")).unwrap_err();
    assert!(
        matches!(&err, MappingError::Toml { line: 6, message } if message.contains("vibes")),
        "{err}"
    );
    assert!(matches!(
        ControlMapping::parse("name = \"x\"\ncriterion = []\n"),
        Err(MappingError::NoCriteria)
    ));
    assert!(matches!(
        ControlMapping::parse("name = \"x\"\nextra = 1\n"),
        Err(MappingError::Toml { .. })
    ));
}

#[test]
fn the_bundle_holds_controls_and_access_and_sums_them() {
    let zip = sample_bundle();
    let sums = String::from_utf8(member(&zip, "SHA256SUMS")).unwrap();
    for name in ["controls.json", "access.json"] {
        assert!(sums.contains(&format!("  {name}\n")), "{name} not summed");
    }
    let controls: serde_json::Value =
        serde_json::from_slice(&member(&zip, "controls.json")).unwrap();
    assert_eq!(controls["mapping"]["version"], "builtin");
    // Every member a criterion names is in the bundle.
    let names: Vec<String> = members(&zip).into_iter().map(|(n, _)| n).collect();
    for c in controls["criteria"].as_array().unwrap() {
        for e in c["evidence"].as_array().unwrap() {
            for m in e["members"].as_array().unwrap() {
                let path = m.as_str().unwrap().split('#').next().unwrap();
                assert!(
                    names.iter().any(|n| n == path) || path == "sla.json",
                    "{path} named by {} is not in the bundle",
                    c["id"]
                );
            }
        }
    }
    let access = String::from_utf8(member(&zip, "access.json")).unwrap();
    assert!(access.contains("ci-shop") && !access.contains("secret"));
}

#[test]
fn the_pdf_has_a_controls_page() {
    let pdf = reports::pdf::report_pdf(&sample_snapshot(true), Some("SHA256:abc")).unwrap();
    if !have("pdftotext") {
        eprintln!("skipped: pdftotext missing (poppler-utils; scripts/test installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.pdf"), &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "r.pdf", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Controls ("), "{text}");
    assert!(text.contains("CC7.1") && text.contains("A.5.28"), "{text}");
    assert!(text.contains("EXCEPTION"), "{text}");
}
