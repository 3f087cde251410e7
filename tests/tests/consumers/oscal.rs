//! OSCAL documents and the control mapping, end to end: the sealed demo release's bundle holds
//! `oscal-assessment-results.json` and `oscal-poam.json`, each loaded into compliance-trestle's
//! OSCAL 1.1 models by `oscal_trestle.py` beside this file (and the drafts of the open release
//! too); every raw report they cite as a back-matter resource has the SHA-256 the manifest
//! records; exporting again gives the same bytes. A project's own control mapping is stored,
//! versioned, audit-logged and used by the next export; a bad one stores nothing.

use super::{Demo, tool};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// Runs the trestle loader on the files; fails with its output unless each loads.
fn load_with_trestle(files: &[&Path]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers/oscal_trestle.py");
    let out = Command::new(tool("python3"))
        .arg(script)
        .args(files)
        .output()
        .expect("start python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "trestle refused a document:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn oscal_documents_load_into_trestle_and_cite_the_bundles_hashes() {
    let demo = Demo::load();
    let ar_bytes = demo.bundle_member("oscal-assessment-results.json");
    let poam_bytes = demo.bundle_member("oscal-poam.json");
    let manifest = json(&demo.bundle_member("manifest.json"));
    let ar = json(&ar_bytes);

    // Every raw report cited has the manifest's SHA-256, and every scan is cited.
    let files: BTreeMap<&str, &str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["sha256"].as_str().unwrap()))
        .collect();
    let mut cited = 0;
    for resource in ar["assessment-results"]["back-matter"]["resources"]
        .as_array()
        .expect("resources")
    {
        for link in resource["rlinks"].as_array().expect("rlinks") {
            let href = link["href"].as_str().unwrap();
            if let Some(hashes) = link["hashes"].as_array() {
                assert_eq!(hashes[0]["algorithm"], "SHA-256");
                assert_eq!(
                    Some(&hashes[0]["value"].as_str().unwrap()),
                    files.get(href),
                    "{href}: the OSCAL hash is not the manifest's"
                );
                cited += 1;
            } else {
                // The manifest lists every member but itself.
                assert!(
                    files.contains_key(href) || href == "manifest.json",
                    "{href} is not in the bundle"
                );
            }
        }
    }
    assert_eq!(cited, manifest["scans"].as_array().unwrap().len());
    let result = &ar["assessment-results"]["results"][0];
    assert_eq!(
        result["observations"].as_array().unwrap().len(),
        cited,
        "one observation per scan"
    );
    // Each criterion of the built-in mapping is an objective with a finding.
    let objectives: Vec<&str> =
        result["reviewed-controls"]["control-objective-selections"][0]["include-objectives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["objective-id"].as_str().unwrap())
            .collect();
    for id in ["CC7.1", "CC8.1", "A.8.8", "A.5.28", "completeness"] {
        assert!(objectives.contains(&id), "{id} not in {objectives:?}");
    }

    // The sealed release's report is the bundle's member; the open release's draft is the
    // same bytes when exported again.
    let sealed = demo.dir().join("sealed-ar.json");
    demo.cli(&[
        "report",
        "--project",
        Demo::PROJECT,
        "--release",
        Demo::SEALED,
        "--format",
        "oscal-ar",
        "-o",
        sealed.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&sealed).unwrap(), ar_bytes);
    let draft_ar = demo.draft_report("oscal-ar");
    assert_eq!(draft_ar, demo.draft_report("oscal-ar"), "not deterministic");
    let draft_poam = demo.draft_report("oscal-poam");
    assert_eq!(
        draft_poam,
        demo.draft_report("oscal-poam"),
        "not deterministic"
    );
    let poam = json(&draft_poam);
    let items = poam["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap();
    assert!(!items.is_empty(), "the open demo release has open findings");
    let risks = poam["plan-of-action-and-milestones"]["risks"]
        .as_array()
        .unwrap();
    assert!(
        risks.iter().any(|r| r["deadline"].is_string()),
        "no SLA due date in {risks:?}"
    );

    let dir = demo.dir();
    for (name, bytes) in [
        ("bundle-ar.json", &ar_bytes),
        ("bundle-poam.json", &poam_bytes),
        ("draft-ar.json", &draft_ar),
        ("draft-poam.json", &draft_poam),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let loaded = load_with_trestle(&[
        &dir.join("bundle-ar.json"),
        &dir.join("bundle-poam.json"),
        &dir.join("draft-ar.json"),
        &dir.join("draft-poam.json"),
    ]);
    assert_eq!(loaded.lines().count(), 4, "{loaded}");
}

#[test]
fn a_projects_control_mapping_is_versioned_audited_and_used() {
    let demo = Demo::load();
    let bad = demo.dir().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[[criterion]]\nid = \"X\"\nframework = \"f\"\ntitle = \"t\"\nevidence = [\"vibes\"]\n",
    )
    .unwrap();
    let out = demo.output(&[
        "controls",
        "set",
        "--project",
        Demo::PROJECT,
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "a bad mapping is an error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("vibes"));
    let out = demo.output(&["controls", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));

    let ours = demo.dir().join("ours.toml");
    std::fs::write(
        &ours,
        "name = \"ours\"\n[[criterion]]\nid = \"1-VULN\"\nframework = \"internal\"\ntitle = \"scanned\"\nevidence = [\"scans\", \"gate_result\"]\n",
    )
    .unwrap();
    demo.cli(&["controls", "check", ours.to_str().unwrap()]);
    demo.cli(&[
        "controls",
        "set",
        "--project",
        Demo::PROJECT,
        ours.to_str().unwrap(),
    ]);
    let shown = demo.output(&[
        "controls",
        "show",
        "--project",
        Demo::PROJECT,
        "--format",
        "json",
    ]);
    let shown = json(&shown.stdout);
    assert_eq!(shown["version"], 1);
    assert_eq!(shown["builtin"], false);
    assert_eq!(shown["criteria"], serde_json::json!(["1-VULN"]));
    let audit = demo.output(&[
        "audit",
        "list",
        "--action",
        "controls.set",
        "--format",
        "json",
    ]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains("demo-shop controls v1"),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );

    // The open release's draft uses it (the id made an OSCAL token); the sealed one keeps
    // the mapping it was sealed with.
    let ar = json(&demo.draft_report("oscal-ar"));
    let objectives = &ar["assessment-results"]["results"][0]["reviewed-controls"]["control-objective-selections"]
        [0]["include-objectives"];
    assert_eq!(
        objectives,
        &serde_json::json!([{"objective-id": "_1-VULN"}])
    );
    let sealed = json(&demo.bundle_member("controls.json"));
    assert_eq!(sealed["mapping"]["version"], "builtin");
    let path = demo.dir().join("draft-ar.json");
    std::fs::write(&path, serde_json::to_vec(&ar).unwrap()).unwrap();
    load_with_trestle(&[&path]);
}

#[test]
fn the_audit_pack_of_a_period_lists_sealed_bundles_and_names_the_open_release() {
    let demo = Demo::load();
    let pack = demo.dir().join("pack.zip");
    let args = [
        "audit-pack",
        "--project",
        Demo::PROJECT,
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
        "--out",
        pack.to_str().unwrap(),
    ];
    demo.cli(&args);
    let first = std::fs::read(&pack).unwrap();
    demo.cli(&args);
    assert_eq!(first, std::fs::read(&pack).unwrap(), "not deterministic");

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        bytes
    };
    let json = json(&read("audit-pack.json"));
    let sums = read("SHA256SUMS");
    let signature = read("SHA256SUMS.sig");
    let public = read("signing-key.pub");
    reports::PublicKey::parse(std::str::from_utf8(&public).unwrap())
        .unwrap()
        .verify_raw(&sums, &signature)
        .unwrap();
    assert_eq!(
        json["exceptions"],
        serde_json::json!([format!("release {} is not sealed", Demo::OPEN)])
    );
    // The sealed release's bundle hash is the stored bundle's.
    let bundle = demo.dir().join("sealed.zip");
    demo.cli(&[
        "bundle",
        "--project",
        Demo::PROJECT,
        "--release",
        Demo::SEALED,
        "-o",
        bundle.to_str().unwrap(),
    ]);
    let sealed = json["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["release"] == Demo::SEALED)
        .unwrap();
    let (sha256, _) =
        reports::bundle::sha256_of_reader(&mut std::fs::File::open(&bundle).unwrap()).unwrap();
    assert_eq!(sealed["bundle_sha256"], sha256);
    assert!(sealed["criteria"]["CC8.1"].is_string());
}
