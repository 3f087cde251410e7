//! Bundles: byte-identical twice, valid, and every tampering caught, by us and by the
//! standard tools an auditor uses.

use crate::support::*;
use std::io::Cursor;
use testdata::sample::sample_snapshot;

#[test]
fn the_same_snapshot_and_key_give_the_same_bytes() {
    let (a, outcome_a) = bundle_of(&sample_snapshot(true), &key());
    let (b, outcome_b) = bundle_of(&sample_snapshot(true), &key());
    assert_eq!(a, b, "two bundles of one snapshot differ");
    assert_eq!(outcome_a.sha256, outcome_b.sha256);
    // A different key or a different seal gives a different bundle.
    let (c, _) = bundle_of(
        &sample_snapshot(true),
        &reports::EvidenceKey::from_seed(&[1; 32]),
    );
    assert_ne!(a, c);
    let (d, _) = bundle_of(&sample_snapshot(false), &key());
    assert_ne!(a, d);
}

#[test]
fn members_are_sorted_with_fixed_times_and_modes() {
    let zip = sample_bundle();
    let names: Vec<String> = members(&zip).into_iter().map(|(n, _)| n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for wanted in [
        "SHA256SUMS",
        "SHA256SUMS.sig",
        "SHA256SUMS.sshsig",
        "attestation.dsse.json",
        "VERIFY.md",
        "manifest.json",
        "findings.json",
        "findings.csv",
        "findings.sarif",
        "triage.json",
        "audit-events.json",
        "report.pdf",
        "report.html",
        "forum-post.md",
        "signing-key.pem",
        "signing-key.pub",
        "allowed_signers",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "no {wanted} in {names:?}"
        );
    }
    assert_eq!(names.iter().filter(|n| n.starts_with("scans/")).count(), 2);
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip)).unwrap();
    for i in 0..archive.len() {
        let f = archive.by_index(i).unwrap();
        assert_eq!(f.unix_mode(), Some(0o100644));
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (2026, 11, 23, 10));
    }
    assert_eq!(member(&zip, "SHA256SUMS.sig").len(), 64);
    // The raw reports are byte-exact.
    let raw = member(
        &zip,
        "scans/0001-trivy-trivy_registry.example.com_shop_api-78de879f46d1.json",
    );
    assert_eq!(raw, testdata::sample::sample_raw(1));
}

#[test]
fn a_fresh_bundle_verifies() {
    let report = verify(&sample_bundle());
    assert!(report.valid, "{report:#?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "archive", "members", "hashes", "key", "ed25519", "sshsig", "dsse", "manifest"
        ]
    );
    assert!(!report.key_pinned);
}

#[test]
fn flipping_any_byte_of_any_member_is_caught() {
    let zip = sample_bundle();
    let original = members(&zip);
    for (index, (name, bytes)) in original.iter().enumerate() {
        for position in [0, bytes.len() / 2, bytes.len() - 1] {
            let mut tampered = original.clone();
            tampered[index].1[position] ^= 0x01;
            let report = verify(&rezip(&tampered));
            assert!(
                !report.valid,
                "flipping byte {position} of {name} went unnoticed"
            );
        }
    }
}

#[test]
fn adding_removing_or_swapping_members_is_caught() {
    let zip = sample_bundle();
    let original = members(&zip);
    // Re-zipping untouched members is still valid: the check is on content, not zip bytes.
    assert!(verify(&rezip(&original)).valid);

    let mut added = original.clone();
    added.push(("scans/extra.json".into(), b"{}".to_vec()));
    assert!(
        !verify(&rezip(&added)).valid,
        "an added member went unnoticed"
    );

    for (index, (name, _)) in original.iter().enumerate() {
        let mut removed = original.clone();
        removed.remove(index);
        assert!(
            !verify(&rezip(&removed)).valid,
            "removing {name} went unnoticed"
        );
    }

    // Signatures from another bundle (another key, or the same key over other content).
    let other_key = bundle_of(
        &sample_snapshot(true),
        &reports::EvidenceKey::from_seed(&[1; 32]),
    )
    .0;
    let other_release = bundle_of(&sample_snapshot(false), &key()).0;
    for donor in [&other_key, &other_release] {
        for sig in [
            "SHA256SUMS.sig",
            "SHA256SUMS.sshsig",
            "attestation.dsse.json",
        ] {
            let mut swapped = original.clone();
            for m in swapped.iter_mut().filter(|(n, _)| n == sig) {
                m.1 = member(donor, sig);
            }
            assert!(
                !verify(&rezip(&swapped)).valid,
                "a swapped {sig} went unnoticed"
            );
        }
    }
    // Replacing the key files too (an attacker re-signing with their key) is only caught by
    // pinning the key.
    let mut resigned = members(&other_key);
    resigned.sort();
    let pinned = reports::VerifyOptions {
        keys: vec![key().public()],
        previous: None,
    };
    let report = reports::verify_bundle(Cursor::new(rezip(&resigned)), &pinned).unwrap();
    assert!(!report.valid);
    assert!(
        reports::verify_bundle(Cursor::new(sample_bundle()), &pinned)
            .unwrap()
            .valid
    );
}

#[test]
fn garbage_and_truncated_zips_are_invalid_not_errors() {
    let zip = sample_bundle();
    assert!(!verify(b"not a zip").valid);
    assert!(!verify(&zip[..zip.len() / 2]).valid);
    let mut flipped = zip.clone();
    let middle = flipped.len() / 3;
    flipped[middle] ^= 0xff;
    assert!(!verify(&flipped).valid);
}

#[test]
fn the_chain_link_names_the_previous_bundle() {
    let previous = sample_bundle();
    let prev = reports::PreviousBundleInput::read(Cursor::new(&previous)).unwrap();
    let mut next = sample_snapshot(true);
    next.release = "4.3.0".into();
    next.previous_bundle = Some(reports::PreviousBundle {
        release: "4.2.0".into(),
        sha256: prev.sha256.clone(),
        sha256sums_sha256: String::new(),
    });
    let (next_zip, _) = bundle_of(&next, &key());
    let options = reports::VerifyOptions {
        keys: vec![],
        previous: Some(prev.clone()),
    };
    let report = reports::verify_bundle(Cursor::new(&next_zip), &options).unwrap();
    assert!(report.valid, "{report:#?}");
    assert!(report.checks.iter().any(|c| c.name == "chain" && c.ok));
    // Another previous bundle breaks the link.
    let wrong = reports::PreviousBundleInput {
        sha256: "00".repeat(32),
        ..prev
    };
    let options = reports::VerifyOptions {
        keys: vec![],
        previous: Some(wrong),
    };
    assert!(
        !reports::verify_bundle(Cursor::new(&next_zip), &options)
            .unwrap()
            .valid
    );
}

/// VERIFY.md's own commands, run as an auditor would, on the bundle and on tampered copies.
#[test]
fn openssl_ssh_keygen_and_sha256sum_accept_the_bundle_and_catch_tampering() {
    if !(have("openssl") && have("ssh-keygen") && have("sha256sum")) {
        eprintln!("skipped: openssl, ssh-keygen or sha256sum missing (scripts/test installs them)");
        return;
    }
    let zip = sample_bundle();
    let dir = tempfile::tempdir().unwrap();
    extract(&zip, dir.path());
    let blocks = shell_blocks(&String::from_utf8(member(&zip, "VERIFY.md")).unwrap());
    let step = |heading: &str, needle: &str| -> String {
        blocks
            .iter()
            .find(|(h, _)| h.starts_with(heading))
            .and_then(|(_, bs)| bs.iter().find(|b| b.contains(needle)))
            .unwrap_or_else(|| panic!("VERIFY.md has no {needle} under {heading}"))
            .clone()
    };
    let sums = step("1.", "sha256sum -c");
    let ssh = step("2.", "ssh-keygen -Y verify");
    let openssl = step("2.", "openssl pkeyutl");
    let fingerprint = step("0.", "ssh-keygen -lf");

    let (ok, out) = sh(dir.path(), &fingerprint);
    assert!(ok && out.contains(&key().public().fingerprint()), "{out}");
    assert!(out.contains(&key().public().key_id()), "{out}");
    for script in [&sums, &ssh, &openssl] {
        let (ok, out) = sh(dir.path(), script);
        assert!(ok, "{script} failed on a good bundle: {out}");
    }
    if have("jq") && have("base64") {
        let (ok, out) = sh(dir.path(), &step("3.", "DSSEv1"));
        assert!(ok, "the DSSE steps failed: {out}");
    }
    if sh(dir.path(), "python3 -c 'import cryptography'").0 {
        let (ok, out) = sh(dir.path(), &step("2.", "python3"));
        assert!(ok && out.contains("OK"), "python: {out}");
    }

    // A flipped byte in a report: sha256sum -c fails, the signatures still hold.
    let report = dir.path().join("report.html");
    let mut html = std::fs::read(&report).unwrap();
    html[10] ^= 1;
    std::fs::write(&report, &html).unwrap();
    assert!(
        !sh(dir.path(), &sums).0,
        "sha256sum -c missed a changed report"
    );
    html[10] ^= 1;
    std::fs::write(&report, &html).unwrap();

    // A changed SHA256SUMS: both signature checks fail.
    let path = dir.path().join("SHA256SUMS");
    let original = std::fs::read(&path).unwrap();
    let mut changed = original.clone();
    changed[0] = if changed[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&path, &changed).unwrap();
    assert!(
        !sh(dir.path(), &ssh).0,
        "ssh-keygen accepted a changed SHA256SUMS"
    );
    assert!(
        !sh(dir.path(), &openssl).0,
        "openssl accepted a changed SHA256SUMS"
    );
    std::fs::write(&path, &original).unwrap();

    // Signatures swapped in from a bundle made with another key: both fail.
    let other = bundle_of(
        &sample_snapshot(true),
        &reports::EvidenceKey::from_seed(&[1; 32]),
    )
    .0;
    for sig in ["SHA256SUMS.sig", "SHA256SUMS.sshsig"] {
        let path = dir.path().join(sig);
        let original = std::fs::read(&path).unwrap();
        std::fs::write(&path, member(&other, sig)).unwrap();
        let script = if sig.ends_with("sshsig") {
            &ssh
        } else {
            &openssl
        };
        assert!(!sh(dir.path(), script).0, "a swapped {sig} was accepted");
        std::fs::write(&path, original).unwrap();
    }
    assert!(sh(dir.path(), &sums).0 && sh(dir.path(), &ssh).0 && sh(dir.path(), &openssl).0);
}

#[test]
fn the_private_key_pem_is_readable_by_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k.pem"), key().to_pkcs8_pem().unwrap()).unwrap();
    std::fs::write(dir.path().join("msg"), b"hello").unwrap();
    let (ok, out) = sh(
        dir.path(),
        "openssl pkeyutl -sign -inkey k.pem -rawin -in msg -out sig && openssl pkey -in k.pem -pubout",
    );
    assert!(ok, "{out}");
    assert!(out.contains(key().public().to_pem().trim()), "{out}");
    let sig = std::fs::read(dir.path().join("sig")).unwrap();
    assert_eq!(sig, key().sign_raw(b"hello"));
}
