//! `scanledger` end to end on a fresh SQLite file (and PostgreSQL when `TEST_DATABASE_URL` is set).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A file of the scanner corpus (`testdata::corpus_dir`); fails the test naming the file when
/// it is missing, or the corpus when that is.
pub fn corpus(relative: &str) -> PathBuf {
    let path = testdata::corpus_dir().join(relative);
    assert!(path.exists(), "corpus fixture missing: {}", path.display());
    path
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
        Env { dir, url }
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("scanledger").expect("binary");
        cmd.env("DATABASE_URL", &self.url)
            .env_remove("SCANLEDGER_USER")
            .current_dir(self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path.display().to_string()
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn upload_prints_json_and_is_idempotent() {
    let env = Env::new();
    let file = path(&corpus("trivy/scheme_2_many_vulns.json"));
    let (code, out, err) = env.run(&[
        "upload",
        "--project",
        "shop",
        "--release",
        "1.0",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(code, 0, "{err}");
    let first: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    for key in [
        "scan_id",
        "sha256",
        "tool",
        "format",
        "findings",
        "duplicate",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["tool"], "trivy");
    assert_eq!(first["format"], "trivy-json");
    assert_eq!(first["findings"], 5);
    assert_eq!(first["duplicate"], false);

    let (code, out, _) = env.run(&[
        "upload",
        "--project",
        "shop",
        "--release",
        "1.0",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(code, 0);
    let second: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["scan_id"], first["scan_id"]);

    let (code, out, _) = env.run(&["upload", "--project", "shop", "--release", "1.0", &file]);
    assert_eq!(code, 0);
    assert!(out.contains("already uploaded, nothing stored"), "{out}");
}

#[test]
fn bad_inputs_exit_2_name_the_file_and_store_nothing() {
    let env = Env::new();
    let good = path(&corpus("trivy/scheme_2_many_vulns.json"));
    assert_eq!(env.run(&["upload", "-p", "shop", "-r", "1", &good]).0, 0);
    let full = std::fs::read(corpus("trivy/scheme_2_many_vulns.json")).expect("read");
    let cases = [
        (
            "truncated.json",
            full[..full.len() / 3].to_vec(),
            "trivy-json",
        ),
        ("empty.json", Vec::new(), "empty"),
        (
            "other.txt",
            b"just some text, not a report".to_vec(),
            "not a recognized scanner report",
        ),
        (
            "bad-utf8.json",
            b"{\"SchemaVersion\": 2, \"ArtifactName\": \"\xff\", \"Results\": []}".to_vec(),
            "trivy-json",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = env.write(name, &bytes);
        let (code, out, err) = env.run(&["upload", "-p", "shop", "-r", "1", &file]);
        assert_eq!(code, 2, "{name}: {out} {err}");
        assert!(
            err.contains(name),
            "{name}: error should name the file: {err}"
        );
        assert!(err.contains(expected), "{name}: {err}");
    }
    let truncated = env.write("t2.json", &full[..full.len() / 2]);
    let (_, _, err) = env.run(&["upload", "-p", "shop", "-r", "1", &truncated]);
    assert!(
        err.contains("line ") && err.contains("column"),
        "position: {err}"
    );
    // Only the first upload's scan exists.
    let (_, out, _) = env.run(&["scans", "-p", "shop", "-r", "1", "--format", "json"]);
    let scans: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(scans.as_array().map(Vec::len), Some(1));
    // A missing file is an error too.
    assert_eq!(
        env.run(&["upload", "-p", "shop", "-r", "1", "/nonexistent/file.json"])
            .0,
        2
    );
}

#[test]
fn findings_diff_and_gate_work_on_the_demo() {
    let env = Env::new();
    let (code, out, err) = env.run(&["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("gate"), "{out}");

    let (code, out, _) = env.run(&[
        "findings",
        "-p",
        "demo-shop",
        "-r",
        "1.1.0",
        "--format",
        "json",
        "--severity",
        "critical",
    ]);
    assert_eq!(code, 0);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(!findings.is_empty());
    for f in &findings {
        assert_eq!(f["severity"], "critical");
        for key in [
            "fingerprint",
            "severity",
            "kind",
            "rule_id",
            "title",
            "tool",
            "status",
            "component",
            "file",
            "target",
        ] {
            assert!(f.get(key).is_some(), "missing {key}");
        }
    }

    let (code, out, _) = env.run(&[
        "findings",
        "-p",
        "demo-shop",
        "-r",
        "1.1.0",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(reader.records().count(), 114 + 12 + 25 + 8);

    let (code, out, _) = env.run(&[
        "diff",
        "-p",
        "demo-shop",
        "--from",
        "1.0.0",
        "--to",
        "1.1.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let diff: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(diff["new"].as_u64() > Some(0));
    assert!(diff["fixed"].as_u64() > Some(0));
    assert_eq!(
        diff["still_open"].as_u64().unwrap() + diff["new"].as_u64().unwrap(),
        114 + 12 + 25 + 8
    );

    let (code, out, _) = env.run(&["gate", "-p", "demo-shop", "-r", "1.1.0", "--format", "json"]);
    assert_eq!(code, 1, "the demo has high findings: {out}");
    let gate: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(gate["passed"], false);
    assert!(!gate["reasons"].as_array().unwrap().is_empty());

    let (code, out, _) = env.run(&[
        "gate",
        "-p",
        "demo-shop",
        "-r",
        "1.1.0",
        "--fail-on",
        "critical",
        "--require",
        "fossa",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("missing scan: no fossa scan"), "{out}");

    let (code, _, err) = env.run(&["gate", "-p", "demo-shop", "-r", "9.9.9"]);
    assert_eq!(code, 2);
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn upload_with_gate_exits_with_the_gate_code() {
    let env = Env::new();
    let file = path(&corpus("trivy/scheme_2_many_vulns.json"));
    let (code, out, _) = env.run(&["upload", "-p", "p", "-r", "1", "--gate", &file]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("gate BLOCKED"), "{out}");
    let (code, _, _) = env.run(&[
        "upload",
        "-p",
        "p",
        "-r",
        "2",
        "--gate",
        "--fail-on",
        "critical",
        &path(&corpus("trivy/scheme_2_no_vuln.json")),
    ]);
    assert_eq!(code, 0);
}

#[test]
fn raw_report_round_trips_byte_exact() {
    let env = Env::new();
    let file = corpus("trivy/issue_9333.json");
    let (_, out, _) = env.run(&[
        "upload",
        "-p",
        "p",
        "-r",
        "1",
        "--format",
        "json",
        &path(&file),
    ]);
    let scan: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    let id = scan["scan_id"].to_string();
    let out_file = env.dir.path().join("back.json");
    let (code, _, err) = env.run(&["raw", "--scan", &id, "-o", &path(&out_file)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(out_file).expect("read"),
        std::fs::read(file).expect("read")
    );
}

#[test]
fn listings_and_formats() {
    let env = Env::new();
    env.run(&[
        "upload",
        "-p",
        "shop",
        "-r",
        "1",
        &path(&corpus("trivy/issue_9092.json")),
    ]);
    env.run(&[
        "upload",
        "-p",
        "shop",
        "-r",
        "2",
        &path(&corpus("trivy/issue_9092.json")),
    ]);
    let (_, out, _) = env.run(&["projects", "--format", "json"]);
    let projects: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(projects[0]["name"], "shop");
    assert_eq!(projects[0]["latest_release"], "2");
    let (_, out, _) = env.run(&["releases", "-p", "shop"]);
    assert!(out.contains('1') && out.contains('2'));
    let (code, out, _) = env.run(&["formats"]);
    assert_eq!(code, 0);
    assert!(out.contains("trivy-json"));
}

#[test]
fn every_verb_has_help_with_examples() {
    let env = Env::new();
    for verb in [
        "upload", "projects", "releases", "scans", "findings", "diff", "gate", "raw", "formats",
        "demo", "serve", "triage", "sla",
    ] {
        let (code, out, _) = env.run(&[verb, "--help"]);
        assert_eq!(code, 0, "{verb}");
        assert!(out.contains("Example"), "{verb} --help has no example");
    }
    for (group, verb) in [
        ("policy", "set"),
        ("policy", "show"),
        ("policy", "versions"),
        ("policy", "check"),
        ("audit", "list"),
        ("audit", "verify"),
        ("vex", "export"),
        ("vex", "import"),
    ] {
        let (code, out, _) = env.run(&[group, verb, "--help"]);
        assert_eq!(code, 0, "{group} {verb}");
        assert!(
            out.contains("Example"),
            "{group} {verb} --help has no example"
        );
    }
}

#[test]
fn unknown_database_scheme_is_an_error() {
    let env = Env::new();
    let (code, _, err) = env
        .cmd()
        .env("DATABASE_URL", "mysql://x/y")
        .args(["projects"])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::new(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .expect("run");
    assert_eq!(code, 2);
    assert!(err.contains("unsupported database URL"), "{err}");
}
