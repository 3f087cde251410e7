//! `seal`, `bundle`, `report`, `verify` and `key`, end to end on a fresh SQLite file.

use assert_cmd::Command;
use std::io::{Read, Write};
use std::path::Path;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        env.load_releases();
        env
    }

    /// Two open releases of `demo-shop` with the demo's reports (the demo itself seals one).
    fn load_releases(&self) {
        for (generation, release) in testdata::demo::RELEASES.into_iter().enumerate() {
            let reports = testdata::demo::reports("demo-shop", generation).unwrap();
            for (name, bytes) in reports {
                std::fs::write(self.path(name), bytes).unwrap();
                let (code, _, err) = self.run(&[
                    "upload",
                    "--project",
                    "demo-shop",
                    "--release",
                    release,
                    name,
                ]);
                assert_eq!(code, 0, "{err}");
            }
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("scanledger")
            .expect("binary")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", self.dir.path().join("ledger.db").display()),
            )
            .env_remove("SCANLEDGER_USER")
            .env_remove("SCANLEDGER_KEY_DIR")
            .env_remove("SCANLEDGER_SIGNING_KEY")
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

const SEAL_10: [&str; 9] = [
    "seal",
    "--project",
    "demo-shop",
    "--release",
    "1.0.0",
    "--allow-blocked",
    "--reason",
    "demo risk accepted",
    "--sealed-by=alice",
];

fn rezip_with(src: &Path, dst: &Path, change: impl Fn(&str, &mut Vec<u8>)) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        change(&name, &mut bytes);
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn seal_bundle_verify_and_tampering() {
    let env = Env::new();
    // No key yet: an error (2), and the release stays open.
    let (code, _, err) = env.run(&SEAL_10);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("scanledger key generate"), "{err}");
    let (code, out, err) = env.run(&["key", "generate"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("fingerprint: SHA256:"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("scanledger-keys/evidence-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Blocked without a reason: exit 1, nothing sealed.
    let (code, _, err) = env.run(&["seal", "--project", "demo-shop", "--release", "1.0.0"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--allow-blocked"), "{err}");
    let (code, out, err) = env.run(&SEAL_10);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("sealed demo-shop 1.0.0") && out.contains("by alice"),
        "{out}"
    );
    let bundle = env.path("demo-shop-1.0.0-evidence.zip");
    assert!(bundle.exists());
    // Sealed twice: refused.
    assert_eq!(env.run(&SEAL_10).0, 2);

    // `bundle` writes the same bytes, twice.
    for name in ["again.zip", "again2.zip"] {
        let (code, _, err) = env.run(&[
            "bundle",
            "--project",
            "demo-shop",
            "--release",
            "1.0.0",
            "-o",
            name,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            std::fs::read(env.path(name)).unwrap(),
            std::fs::read(&bundle).unwrap()
        );
    }

    let (code, out, _) = env.run(&[
        "verify",
        "demo-shop-1.0.0-evidence.zip",
        "--key",
        "scanledger-keys/evidence-key.pub",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(": VALID") && out.contains("ok    sshsig"),
        "{out}"
    );
    // Without --key the bundle's own key is all there is: exit 3, never 0, and it says so.
    let (code, out, _) = env.run(&["verify", "demo-shop-1.0.0-evidence.zip"]);
    assert_eq!(code, 3, "{out}");
    let fingerprint = reports::PublicKey::parse(
        &std::fs::read_to_string(env.path("scanledger-keys/evidence-key.pub")).unwrap(),
    )
    .unwrap()
    .fingerprint();
    assert!(
        out.contains(&format!(
            "signature valid for key {fingerprint}, which is NOT checked against a key you trust"
        )),
        "{out}"
    );
    let (code, out, _) = env.run(&["verify", "demo-shop-1.0.0-evidence.zip", "--format", "json"]);
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["verdict"], "untrusted_key");
    assert_eq!(json["project"], "demo-shop");
    // `key show` prints the fingerprint to publish.
    let (code, out, _) = env.run(&["key", "show"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("fingerprint: {fingerprint}")),
        "{out}"
    );

    // Tampering: a flipped byte in a raw report, a removed member, an added one.
    let tampered = env.path("tampered.zip");
    rezip_with(&bundle, &tampered, |name, bytes| {
        if name.starts_with("scans/") {
            bytes[5] ^= 1;
        }
    });
    let (code, out, _) = env.run(&["verify", "tampered.zip"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("INVALID") && out.contains("FAIL  hashes"),
        "{out}"
    );
    // The wrong pinned key.
    let other = env.path("other.pub");
    std::fs::write(
        &other,
        reports::EvidenceKey::from_seed(&[9; 32])
            .public()
            .to_openssh(),
    )
    .unwrap();
    assert_eq!(
        env.run(&[
            "verify",
            "demo-shop-1.0.0-evidence.zip",
            "--key",
            "other.pub"
        ])
        .0,
        1
    );
    // Not a bundle at all: invalid; no file: error.
    std::fs::write(env.path("junk.zip"), b"junk").unwrap();
    assert_eq!(env.run(&["verify", "junk.zip"]).0, 1);
    assert_eq!(env.run(&["verify", "missing.zip"]).0, 2);

    // Uploading into a sealed release is refused.
    std::fs::write(env.path("r.json"), testdata::sample::sample_raw(1)).unwrap();
    assert_eq!(
        env.run(&[
            "upload",
            "--project",
            "demo-shop",
            "--release",
            "1.0.0",
            "r.json"
        ])
        .0,
        2
    );

    // The next release chains to this one; rotation keeps old bundles verifiable.
    let (code, _, err) = env.run(&["key", "rotate"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.run(&[
        "seal",
        "--project",
        "demo-shop",
        "--release",
        "1.1.0",
        "--allow-blocked",
        "--reason",
        "demo",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("previous: "), "{out}");
    let (code, out, _) = env.run(&[
        "verify",
        "demo-shop-1.1.0-evidence.zip",
        "--previous",
        "demo-shop-1.0.0-evidence.zip",
        "--key",
        "scanledger-keys/allowed_signers",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok    chain"), "{out}");
    // The old bundle still verifies against the cumulative allowed_signers.
    let (code, out, _) = env.run(&[
        "verify",
        "demo-shop-1.0.0-evidence.zip",
        "--key",
        "scanledger-keys/allowed_signers",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = env.run(&["key", "show"]);
    assert_eq!(code, 0);
    assert!(out.contains("retired keys"), "{out}");
}

#[test]
fn reports_of_open_and_sealed_releases() {
    let env = Env::new();
    let (code, post, err) = env.run(&[
        "report",
        "--project",
        "demo-shop",
        "--release",
        "1.1.0",
        "--format",
        "forum-post",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        post.contains("**Draft**") && post.contains("### Since 1.0.0"),
        "{post}"
    );
    for format in ["csv", "json", "sarif", "html"] {
        let (code, out, err) = env.run(&[
            "report",
            "--project",
            "demo-shop",
            "--release",
            "1.1.0",
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(!out.is_empty());
    }
    let (code, _, err) = env.run(&[
        "report",
        "--project",
        "demo-shop",
        "--release",
        "1.1.0",
        "--format",
        "pdf",
        "-o",
        "draft.pdf",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read(env.path("draft.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );

    assert_eq!(env.run(&["key", "generate"]).0, 0);
    assert_eq!(env.run(&SEAL_10).0, 0);
    // A sealed release's report is the bundle's member, byte for byte.
    let (code, _, err) = env.run(&[
        "report",
        "--project",
        "demo-shop",
        "--release",
        "1.0.0",
        "--format",
        "pdf",
        "-o",
        "sealed.pdf",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut archive = zip::ZipArchive::new(
        std::fs::File::open(env.path("demo-shop-1.0.0-evidence.zip")).unwrap(),
    )
    .unwrap();
    let mut member = Vec::new();
    archive
        .by_name("report.pdf")
        .unwrap()
        .read_to_end(&mut member)
        .unwrap();
    assert_eq!(std::fs::read(env.path("sealed.pdf")).unwrap(), member);
    let (code, post, _) = env.run(&[
        "report",
        "--project",
        "demo-shop",
        "--release",
        "1.0.0",
        "--format",
        "forum-post",
    ]);
    assert_eq!(code, 0);
    assert!(
        !post.contains("**Draft**") && post.contains("sealed") && post.contains("by alice"),
        "{post}"
    );
}

/// The insider's tool: SQL on the database file, around the store.
fn sqlite3(env: &Env, sql: &str) {
    let out = std::process::Command::new("sqlite3")
        .arg(env.path("ledger.db"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(sql.as_bytes())?;
            child.wait_with_output()
        })
        .expect("sqlite3 (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn open_store(env: &Env) -> schema::Store {
    schema::Store::open(&format!("sqlite://{}", env.path("ledger.db").display())).unwrap()
}

/// Seals 1.0.0 and keeps a copy of its bundle in `kept/`, as an auditor would.
fn sealed_and_kept(env: &Env) {
    assert_eq!(env.run(&["key", "generate"]).0, 0);
    let (code, _, err) = env.run(&SEAL_10);
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir_all(env.path("kept")).unwrap();
    std::fs::copy(
        env.path("demo-shop-1.0.0-evidence.zip"),
        env.path("kept/demo-shop-1.0.0-evidence.zip"),
    )
    .unwrap();
}

const AUDIT_BUNDLES: [&str; 6] = [
    "audit",
    "verify",
    "--bundles",
    "kept",
    "--key",
    "scanledger-keys/evidence-key.pub",
];

const DROP_TRIGGERS: &str =
    "DROP TRIGGER audit_events_no_update;\nDROP TRIGGER audit_events_no_delete;\n";

#[test]
fn a_rewritten_audit_log_fails_against_the_sealed_bundles() {
    if !have_sqlite3() {
        return;
    }
    let env = Env::new();
    sealed_and_kept(&env);
    let (code, out, err) = env.run(&AUDIT_BUNDLES);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 bundle(s) signed by a trusted key"), "{out}");
    // --bundles needs the trusted key.
    assert_eq!(env.run(&["audit", "verify", "--bundles", "kept"]).0, 2);

    // Rewrite event 2 and recompute every later hash and the head, by SQL.
    let store = open_store(&env);
    let anchor = reports::signed_manifest(
        std::fs::File::open(env.path("kept/demo-shop-1.0.0-evidence.zip")).unwrap(),
        &[reports::PublicKey::parse(
            &std::fs::read_to_string(env.path("scanledger-keys/evidence-key.pub")).unwrap(),
        )
        .unwrap()],
    )
    .unwrap()
    .audit_anchor
    .unwrap();
    assert!(anchor.seq >= 2, "{anchor:?}");
    let mut events = store.audit_list(&schema::AuditQuery::default()).unwrap();
    drop(store);
    let mut sql = DROP_TRIGGERS.to_string();
    let mut prev = schema::GENESIS_HASH.to_string();
    for e in events.iter_mut() {
        if e.seq == 2 {
            e.actor = "mallory".into();
        }
        if e.seq >= 2 {
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
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1;\n"
    ));
    sqlite3(&env, &sql);

    // The chain against itself: intact. Against the bundle: the rewrite shows.
    let (code, out, _) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = env.run(&AUDIT_BUNDLES);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "bundle demo-shop-1.0.0-evidence.zip: FAIL at event {}",
            anchor.seq
        )) && out.contains("rewritten"),
        "{out}"
    );
}

#[test]
fn deleting_the_newest_audit_event_fails_against_the_sealed_bundles() {
    if !have_sqlite3() {
        return;
    }
    let env = Env::new();
    sealed_and_kept(&env);
    let store = open_store(&env);
    let events = store.audit_list(&schema::AuditQuery::default()).unwrap();
    drop(store);
    let newest = events.last().unwrap();
    assert_eq!(newest.action, "release.seal");
    let before = &events[events.len() - 2];
    sqlite3(
        &env,
        &format!(
            "{DROP_TRIGGERS}DELETE FROM audit_events WHERE seq = {};\nUPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1;\n",
            newest.seq, before.seq, before.hash
        ),
    );
    let (code, out, _) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = env.run(&AUDIT_BUNDLES);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "bundle demo-shop-1.0.0-evidence.zip: FAIL at event {}",
            newest.seq
        )) && out.contains("release.seal"),
        "{out}"
    );
    // A bundle re-signed with another key does not vouch for anything: it fails the check.
    let other = reports::EvidenceKey::from_seed(&[9; 32]);
    let mut forged = Vec::new();
    let snap = testdata::sample::sample_snapshot(true);
    let mut raw = |scan: &reports::ScanSnapshot, out: &mut dyn Write| {
        out.write_all(&testdata::sample::sample_raw(scan.id.get()))
    };
    reports::write_bundle(&snap, &other, &mut raw, std::io::Cursor::new(&mut forged)).unwrap();
    std::fs::write(env.path("kept/forged.zip"), forged).unwrap();
    let (code, out, _) = env.run(&AUDIT_BUNDLES);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("bundle forged.zip: NOT CHECKED"), "{out}");
}

fn have_sqlite3() -> bool {
    let ok = std::process::Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: sqlite3 missing (scripts/test installs it)");
    }
    ok
}
