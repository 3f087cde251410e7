//! The bundle's standard attestations (issue 21), checked by implementations that are not
//! ours: every DSSE envelope under `attestations/` with securesystemslib (in-toto's DSSE and
//! key library, `dsse_verify.py`) and with `openssl` (the command block of the bundle's own
//! `VERIFY.md`), every Sigstore bundle with sigstore-js's `@sigstore/verify`
//! (`sigstore_verify.cjs`, the evidence key as the only trust material, no transparency log).
//! Each accepts the sealed demo bundle's attestations and rejects a tampered statement (the
//! signature kept, the payload changed), and so does `scanledger verify`.

use super::{Demo, folder, tool};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

const DSSE_VERIFY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/consumers/dsse_verify.py"
);
const SIGSTORE_VERIFY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/consumers/sigstore_verify.cjs"
);

/// The bundle's members, in zip order.
fn members(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// Writes members into a folder as `unzip` would.
fn extract(members: &[(String, Vec<u8>)], dir: &Path) {
    for (name, bytes) in members {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Members zipped again, as a forger would.
fn rezip(members: &[(String, Vec<u8>)], path: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// Runs a program; (success, stdout and stderr).
fn run(command: &mut Command) -> (bool, String) {
    let out = command.output().expect("the verifier ran");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn securesystemslib(dir: &Path, files: &[String]) -> (bool, String) {
    run(Command::new(tool("python3"))
        .arg(DSSE_VERIFY)
        .arg("signing-key.pem")
        .args(files)
        .current_dir(dir))
}

fn sigstore_js(dir: &Path, files: &[String]) -> (bool, String) {
    run(Command::new("node")
        .arg(SIGSTORE_VERIFY)
        .arg("signing-key.pem")
        .args(files)
        .env("NODE_PATH", folder().join("node/node_modules"))
        .current_dir(dir))
}

/// The command block of the bundle's `VERIFY.md` (section 3a) that contains `needle`.
fn verify_md_block(verify_md: &str, needle: &str) -> String {
    let section = verify_md
        .split("## 3a.")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("VERIFY.md has a section 3a");
    section
        .split("```sh\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("section 3a has no block with {needle}"))
        .to_string()
}

/// A `VERIFY.md` block that installs its tool into `/tmp/...` first, run with the tool
/// `scripts/install-consumers` installed instead: the install line dropped, `from` (the
/// block's install folder) replaced by `to`.
fn installed_block(block: &str, from: &str, to: &Path) -> String {
    let (_install, rest) = block.split_once('\n').unwrap();
    rest.replace(from, to.to_str().unwrap())
}

/// Runs a shell block in `dir` (with `pipefail`), as an auditor pastes it.
fn bash_block(dir: &Path, block: &str) -> (bool, String) {
    run(Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail\n{block}"))
        .current_dir(dir))
}

/// A statement changed under its signature: the payload of the envelope (a DSSE envelope, or
/// a Sigstore bundle's `dsseEnvelope`) with `verificationResult` flipped, or for a scan's
/// statement one more critical finding in its summary.
fn tamper(bytes: &[u8]) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let envelope = if doc.get("dsseEnvelope").is_some() {
        &mut doc["dsseEnvelope"]
    } else {
        &mut doc
    };
    let payload = STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let predicate = &mut statement["predicate"];
    if let Some(result) = predicate.get("verificationResult").cloned() {
        predicate["verificationResult"] = if result == "PASSED" {
            "FAILED".into()
        } else {
            "PASSED".into()
        };
    } else {
        let critical = predicate["summary"]["critical"].as_u64().unwrap_or(0);
        predicate["summary"]["critical"] = (critical + 1).into();
    }
    envelope["payload"] = STANDARD
        .encode(serde_json::to_vec(&statement).unwrap())
        .into();
    serde_json::to_vec_pretty(&doc).unwrap()
}

#[test]
fn independent_verifiers_accept_the_attestations_and_reject_a_tampered_statement() {
    let demo = Demo::load();
    let zip = demo.dir().join("bundle.zip");
    demo.cli(&[
        "bundle",
        "--project",
        Demo::PROJECT,
        "--release",
        Demo::SEALED,
        "-o",
        zip.to_str().unwrap(),
    ]);
    let original = members(&zip);
    let evidence = demo.dir().join("evidence");
    extract(&original, &evidence);
    let names = |suffix: &str| -> Vec<String> {
        original
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| n.starts_with("attestations/") && n.ends_with(suffix))
            .collect()
    };
    let dsse = names(".dsse.json");
    let sigstore = names(".sigstore.json");
    // The demo's sealed release has four scans: four vulns statements and the gate's VSA.
    assert_eq!(dsse.len(), 5, "{dsse:?}");
    assert_eq!(sigstore.len(), 5, "{sigstore:?}");
    assert!(dsse.contains(&"attestations/gate.vsa.dsse.json".to_string()));

    let (ok, out) = securesystemslib(&evidence, &dsse);
    assert!(ok, "securesystemslib refused: {out}");
    assert_eq!(out.matches(": verified (").count(), 5, "{out}");
    assert!(
        out.contains("(https://slsa.dev/verification_summary/v1)"),
        "{out}"
    );
    assert!(
        out.contains("(https://in-toto.io/attestation/vulns/v0.2)"),
        "{out}"
    );

    let (ok, out) = sigstore_js(&evidence, &sigstore);
    assert!(ok, "@sigstore/verify refused: {out}");
    assert_eq!(out.matches(": verified (").count(), 5, "{out}");

    let verify_md = String::from_utf8(std::fs::read(evidence.join("VERIFY.md")).unwrap()).unwrap();
    let block = verify_md_block(&verify_md, "openssl pkeyutl");
    let (ok, out) = bash_block(&evidence, &block);
    assert!(ok, "openssl refused: {out}");
    assert_eq!(out.matches(": OK").count(), 5, "{out}");
    // VERIFY.md's securesystemslib and @sigstore/verify blocks, as written but for where
    // their tool is installed.
    let python = installed_block(
        &verify_md_block(&verify_md, "securesystemslib"),
        "/tmp/sslib",
        &folder().join("venv"),
    );
    let node = installed_block(
        &verify_md_block(&verify_md, "@sigstore/verify"),
        "/tmp/sigstore/node_modules",
        &folder().join("node/node_modules"),
    );
    for (what, script) in [("securesystemslib", python), ("@sigstore/verify", node)] {
        let (ok, out) = bash_block(&evidence, &script);
        assert!(ok, "VERIFY.md's {what} block failed: {out}");
        assert_eq!(out.matches(" OK\n").count(), 5, "{what}: {out}");
    }

    // The public key alone decides: another key is refused by each.
    let other = demo.dir().join("other");
    std::fs::create_dir_all(&other).unwrap();
    extract(&original, &other);
    let other_key = reports::EvidenceKey::from_seed(&[3; 32]).public().to_pem();
    std::fs::write(other.join("signing-key.pem"), other_key).unwrap();
    assert!(
        !securesystemslib(&other, &dsse).0,
        "securesystemslib took another key"
    );
    assert!(
        !sigstore_js(&other, &sigstore).0,
        "@sigstore/verify took another key"
    );
    assert!(!bash_block(&other, &block).0, "openssl took another key");

    // A tampered statement, in each envelope: every verifier refuses that one file.
    for (name, bytes) in &original {
        if !name.starts_with("attestations/") {
            continue;
        }
        let dir = demo.dir().join("tampered");
        let _ = std::fs::remove_dir_all(&dir);
        extract(&original, &dir);
        std::fs::write(dir.join(name), tamper(bytes)).unwrap();
        let one = [name.clone()];
        if name.ends_with(".dsse.json") {
            let (ok, out) = securesystemslib(&dir, &one);
            assert!(
                !ok && out.contains("FAILED"),
                "securesystemslib took a tampered {name}: {out}"
            );
            let (ok, out) = bash_block(&dir, &block);
            assert!(
                !ok && out.contains(&format!("{name}: FAILED")),
                "openssl took a tampered {name}: {out}"
            );
        } else {
            let (ok, out) = sigstore_js(&dir, &one);
            assert!(
                !ok && out.contains("FAILED"),
                "@sigstore/verify took a tampered {name}: {out}"
            );
        }

        // scanledger verify: the statement's signature fails, whatever SHA256SUMS says.
        let mut forged = original.clone();
        for m in forged.iter_mut().filter(|(n, _)| n == name) {
            m.1 = tamper(bytes);
        }
        let forged_zip: PathBuf = demo.dir().join("forged.zip");
        rezip(&forged, &forged_zip);
        let out = demo.output(&["verify", forged_zip.to_str().unwrap(), "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "scanledger verify took a tampered {name}"
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let failed: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ok"] == false)
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert!(failed.contains(&"attestations"), "{name}: {failed:?}");
    }
}
