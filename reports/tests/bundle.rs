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

/// A snapshot whose findings are spooled to a file (as the store takes them) gives the bundle
/// of the same snapshot with its findings in memory, byte for byte: every member reads the
/// spool in the same order and counts the same.
#[test]
fn spooled_findings_give_the_bundle_of_held_ones() {
    for held in [
        sample_snapshot(true),
        testdata::sample::large_snapshot(3000),
    ] {
        let mut spooled = held.clone();
        spooled.findings = reports::spool::spooled(held.findings.held().unwrap()).unwrap();
        assert!(spooled.findings.held().is_none());
        assert_eq!(spooled.findings.len(), held.findings.len());
        let (a, _) = bundle_of(&held, &key());
        let (b, _) = bundle_of(&spooled, &key());
        assert!(a == b, "the spooled snapshot's bundle differs");
        // Every report format too, drafted from either.
        for format in reports::ReportFormat::ALL {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            reports::write_report(&held, format, &mut x).unwrap();
            reports::write_report(&spooled, format, &mut y).unwrap();
            assert!(x == y, "{format:?} differs");
        }
    }
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
            "archive",
            "members",
            "hashes",
            "key",
            "ed25519",
            "sshsig",
            "dsse",
            "attestations",
            "manifest"
        ]
    );
    assert!(!report.key_pinned);
    // Valid against its own key only: the verdict says the key is not trusted.
    assert_eq!(report.verdict, reports::Verdict::UntrustedKey);
    let key_check = report.checks.iter().find(|c| c.name == "key").unwrap();
    assert!(
        key_check
            .detail
            .contains("NOT checked against a key you trust"),
        "{key_check:?}"
    );
    assert_eq!(
        report.audit_anchor,
        testdata::sample::sample_snapshot(true).audit_anchor
    );
    let pinned = reports::VerifyOptions {
        keys: vec![key().public()],
        previous: None,
    };
    let trusted = reports::verify_bundle(Cursor::new(sample_bundle()), &pinned).unwrap();
    assert_eq!(trusted.verdict, reports::Verdict::Valid);
    assert_eq!(verify(b"not a zip").verdict, reports::Verdict::Invalid);
}

/// The audit anchor is in the signed manifest: readable cheaply against a trusted key, and
/// not changeable without the signing key.
#[test]
fn the_signed_manifest_carries_the_audit_anchor() {
    let zip = sample_bundle();
    let anchor = testdata::sample::sample_snapshot(true).audit_anchor;
    assert!(anchor.is_some());
    let manifest = reports::signed_manifest(Cursor::new(&zip), &[key().public()]).unwrap();
    assert_eq!(manifest.audit_anchor, anchor);
    assert_eq!(manifest.key_fingerprint, key().public().fingerprint());
    let other = reports::EvidenceKey::from_seed(&[1; 32]);
    assert!(reports::signed_manifest(Cursor::new(&zip), &[other.public()]).is_err());

    // A changed anchor with SHA256SUMS recomputed, not re-signed: refused.
    let mut forged = members(&zip);
    let text = String::from_utf8(member(&zip, "manifest.json")).unwrap();
    let changed = text.replace("\"seq\": 41", "\"seq\": 40").into_bytes();
    assert_ne!(changed, text.as_bytes());
    let old_sha = sha256_hex(text.as_bytes());
    let new_sha = sha256_hex(&changed);
    for (name, bytes) in forged.iter_mut() {
        if name == "manifest.json" {
            *bytes = changed.clone();
        } else if name == "SHA256SUMS" {
            *bytes = String::from_utf8(bytes.clone())
                .unwrap()
                .replace(&old_sha, &new_sha)
                .into_bytes();
        }
    }
    let forged = rezip(&forged);
    assert!(reports::signed_manifest(Cursor::new(&forged), &[key().public()]).is_err());
    assert!(!verify(&forged).valid);
    // Re-signed with another key: valid for that key, refused against the trusted one.
    let mut snap = testdata::sample::sample_snapshot(true);
    if let Some(a) = snap.audit_anchor.as_mut() {
        a.seq = 40;
    }
    let (resigned, _) = bundle_of(&snap, &other);
    assert!(reports::signed_manifest(Cursor::new(&resigned), &[key().public()]).is_err());
    assert_eq!(verify(&resigned).verdict, reports::Verdict::UntrustedKey);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
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

/// A bundle as an auditor has it: the zip in a folder, unzipped into `evidence/` beside it
/// (VERIFY.md's first command). Returns the folder (kept alive) and `evidence/`.
fn unpack(zip: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let name = testdata::sample::sample_snapshot(true).bundle_file_name();
    std::fs::write(dir.path().join(name), zip).unwrap();
    let evidence = dir.path().join("evidence");
    extract(zip, &evidence);
    (dir, evidence)
}

/// VERIFY.md's own commands, run as an auditor would, on the bundle and on tampered copies.
#[test]
fn openssl_ssh_keygen_and_sha256sum_accept_the_bundle_and_catch_tampering() {
    if !(have("openssl") && have("ssh-keygen") && have("sha256sum") && have("unzip")) {
        eprintln!(
            "skipped: openssl, ssh-keygen, sha256sum or unzip missing (scripts/test installs them)"
        );
        return;
    }
    let zip = sample_bundle();
    let (_keep, dir) = unpack(&zip);
    let dir = dir.as_path();
    let blocks = shell_blocks(&String::from_utf8(member(&zip, "VERIFY.md")).unwrap());
    // The auditor sets TRUSTED from the published fingerprint, never from the bundle.
    let trusted = |script: &str| {
        format!(
            "set -o pipefail\nexport TRUSTED='{}'\n{script}",
            key().public().fingerprint()
        )
    };
    let step = |heading: &str, needle: &str| -> String {
        let block = blocks
            .iter()
            .find(|(h, _)| h.starts_with(heading))
            .and_then(|(_, bs)| bs.iter().find(|b| b.contains(needle)))
            .unwrap_or_else(|| panic!("VERIFY.md has no {needle} under {heading}"))
            .clone();
        trusted(&block)
    };
    let fingerprint = step("0.", "ssh-keygen -lf");
    let sums = step("1.", "sha256sum -c");
    let member_list = step("1.", "unzip -Z1");
    let ssh = step("2.", "ssh-keygen -Y verify");
    let openssl = step("2.", "openssl pkeyutl");

    let (ok, out) = sh(dir, &fingerprint);
    assert!(
        ok && out.contains(&key().public().fingerprint()) && out.contains("are the published key"),
        "{out}"
    );
    // Without TRUSTED the trust step refuses to run.
    let bare = fingerprint.replace("export TRUSTED=", "UNUSED=");
    assert!(
        !sh(dir, &bare).0,
        "step 0 ran without a trusted fingerprint"
    );
    for script in [&sums, &member_list, &ssh, &openssl] {
        let (ok, out) = sh(dir, script);
        assert!(ok, "{script} failed on a good bundle: {out}");
    }
    if have("jq") && have("base64") {
        let (ok, out) = sh(dir, &step("3.", "DSSEv1"));
        assert!(ok, "the DSSE steps failed: {out}");
    }
    if sh(dir, "python3 -c 'import cryptography'").0 {
        let (ok, out) = sh(dir, &step("2.", "python3"));
        assert!(ok && out.contains("OK"), "python: {out}");
    }

    // A flipped byte in a report: sha256sum -c fails, the signatures still hold.
    let report = dir.join("report.html");
    let mut html = std::fs::read(&report).unwrap();
    html[10] ^= 1;
    std::fs::write(&report, &html).unwrap();
    assert!(!sh(dir, &sums).0, "sha256sum -c missed a changed report");
    html[10] ^= 1;
    std::fs::write(&report, &html).unwrap();

    // A changed SHA256SUMS: both signature checks fail.
    let path = dir.join("SHA256SUMS");
    let original = std::fs::read(&path).unwrap();
    let mut changed = original.clone();
    changed[0] = if changed[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&path, &changed).unwrap();
    assert!(!sh(dir, &ssh).0, "ssh-keygen accepted a changed SHA256SUMS");
    assert!(
        !sh(dir, &openssl).0,
        "openssl accepted a changed SHA256SUMS"
    );
    std::fs::write(&path, &original).unwrap();

    // Signatures swapped in from a bundle made with another key: both fail.
    let other_key = reports::EvidenceKey::from_seed(&[1; 32]);
    let other = bundle_of(&sample_snapshot(true), &other_key).0;
    for sig in ["SHA256SUMS.sig", "SHA256SUMS.sshsig"] {
        let path = dir.join(sig);
        let original = std::fs::read(&path).unwrap();
        std::fs::write(&path, member(&other, sig)).unwrap();
        let script = if sig.ends_with("sshsig") {
            &ssh
        } else {
            &openssl
        };
        assert!(!sh(dir, script).0, "a swapped {sig} was accepted");
        std::fs::write(&path, original).unwrap();
    }
    assert!(sh(dir, &sums).0 && sh(dir, &ssh).0 && sh(dir, &openssl).0);

    // A member added after signing: sha256sum -c alone passes (it checks only what
    // SHA256SUMS lists), the member-list check fails.
    let mut added = members(&zip);
    added.push(("scans/9999-extra.json".into(), b"{}".to_vec()));
    let (_keep_added, added_dir) = unpack(&rezip(&added));
    assert!(sh(&added_dir, &sums).0, "sha256sum -c saw the added member");
    let (ok, out) = sh(&added_dir, &member_list);
    assert!(
        !ok && out.contains("scans/9999-extra.json"),
        "an added member passed: {out}"
    );

    // Re-signed with another key (key files replaced too): its own signature holds, but the
    // trusted fingerprint does not match.
    let (_keep_forged, forged_dir) = unpack(&other);
    assert!(sh(&forged_dir, &sums).0 && sh(&forged_dir, &member_list).0);
    let own_key_openssl = openssl.replace("export TRUSTED=", "UNUSED=");
    assert!(
        sh(&forged_dir, &own_key_openssl).0,
        "the forged bundle's own signature should verify"
    );
    let (ok, out) = sh(&forged_dir, &fingerprint);
    assert!(!ok && out.contains("NOT the published key"), "{out}");
    assert!(
        !sh(&forged_dir, &ssh).0,
        "ssh-keygen trusted the forger's key"
    );
    // The forger keeps the trusted signing-key.pub but signs with their own PEM key: caught.
    std::fs::write(
        forged_dir.join("signing-key.pub"),
        member(&zip, "signing-key.pub"),
    )
    .unwrap();
    let (ok, out) = sh(&forged_dir, &fingerprint);
    assert!(
        !ok && out.contains("NOT the published key"),
        "a mismatched signing-key.pem passed step 0: {out}"
    );
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

/// Every report format names a member of the bundle, takes its own name back, and is copied
/// out of the bundle byte for byte.
#[test]
fn every_report_format_is_a_bundle_member_copied_as_signed() {
    let zip = sample_bundle();
    for format in reports::ReportFormat::ALL {
        assert_eq!(reports::ReportFormat::parse(format.as_str()), Some(format));
        let mut out = Vec::new();
        reports::write_bundle_member(Cursor::new(&zip), format, &mut out).expect("member");
        assert_eq!(out, member(&zip, format.member_name()), "{format}");
        assert!(!out.is_empty(), "{format}");
    }
    assert_eq!(reports::ReportFormat::parse("docx"), None);
}
