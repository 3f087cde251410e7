//! What a new user hits first (issue 15): each test here failed before its fix.

use crate::commands::{Env, corpus};
use std::process::Stdio;

/// A server address where nothing listens: a verb that tried to reach it would fail.
const NO_SERVER: &str = "http://127.0.0.1:9";

fn upload_trivy(env: &Env) {
    let file = corpus("trivy/all_statuses.json").display().to_string();
    let (code, _, err) = env.run(&["upload", "-p", "shop", "-r", "1.0", &file]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn project_and_release_flags_have_help() {
    let env = Env::new();
    for verb in ["findings", "gate", "scans", "seal", "report"] {
        let (code, out, err) = env.run(&[verb, "--help"]);
        assert_eq!(code, 0, "{err}");
        for flag in ["--project <PROJECT>", "--release <RELEASE>"] {
            let line = out
                .lines()
                .find(|l| l.trim_start().starts_with('-') && l.contains(flag))
                .unwrap_or_else(|| panic!("{verb}: no {flag} in\n{out}"));
            let help = line.split_once(flag).map(|(_, h)| h.trim()).unwrap_or("");
            assert!(
                !help.is_empty(),
                "{verb}: {flag} has no help text: {line:?}"
            );
        }
    }
}

#[test]
fn offline_verbs_work_with_a_server_url_set() {
    let env = Env::new();
    let policy = env.write("policy.toml", b"[gate]\nfail_on = \"critical\"\n");
    let runs: [&[&str]; 4] = [
        &["formats"],
        &["policy", "check", &policy],
        &["key", "generate", "--key-dir", "keys"],
        // (`key show` shows the server's key when there is a server: tests/tests/parity.rs.)
        &["key", "rotate", "--key-dir", "keys"],
    ];
    for args in runs {
        let out = env
            .cmd()
            .env("SCANLEDGER_URL", NO_SERVER)
            .args(args)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
    // `verify` of something that is not a bundle fails on the bundle, not on the server URL.
    let not_a_bundle = env.write("x.zip", b"not a zip");
    let out = env
        .cmd()
        .env("SCANLEDGER_URL", NO_SERVER)
        .args(["verify", &not_a_bundle])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("database only"), "{err}");
    assert!(!err.contains("remote mode"), "{err}");
}

#[test]
fn local_only_verbs_say_they_have_no_remote_mode_once() {
    let env = Env::new();
    // Every verb but demo (which loads and serves a database of its own) has a remote mode
    // now (tests/tests/parity.rs).
    let runs: [(&str, &[&str]); 1] = [("demo", &["demo", "--no-serve"])];
    for (verb, args) in runs {
        let out = env
            .cmd()
            .env("SCANLEDGER_URL", NO_SERVER)
            .args(args)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{verb}: {err}");
        assert_eq!(
            err.trim(),
            format!(
                "error: `{verb}` has no remote mode yet; unset SCANLEDGER_URL (and --server) to run it on the database"
            ),
            "{verb}"
        );
    }
}

#[test]
fn json_into_a_closed_pipe_exits_quietly() {
    let env = Env::new();
    assert_eq!(env.run(&["demo", "--no-serve"]).0, 0);
    for format in ["json", "csv", "table"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scanledger"))
            .env("DATABASE_URL", &env.url)
            .current_dir(env.dir.path())
            .args([
                "findings",
                "-p",
                "demo-shop",
                "-r",
                "1.1.0",
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The reader goes away before the first line is written, like `| head -0`.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
        assert!(err.is_empty(), "{format}: {err}");
    }
}

#[test]
fn read_verbs_do_not_create_a_missing_database() {
    let env = Env::new();
    let db = env.dir.path().join("missing.db");
    let url = format!("sqlite://{}", db.display());
    let runs: [&[&str]; 4] = [
        &["findings", "-p", "shop", "-r", "1.0"],
        &["gate", "-p", "shop", "-r", "1.0"],
        &["projects"],
        &["audit", "verify"],
    ];
    for args in runs {
        let out = env
            .cmd()
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("does not exist"), "{args:?}: {err}");
        assert!(err.contains("missing.db"), "{args:?}: {err}");
        assert!(!db.exists(), "{args:?} created {}", db.display());
    }
    // Writing verbs still create it.
    upload_trivy(&Env {
        dir: tempfile::tempdir().expect("tempdir"),
        url: url.clone(),
    });
    assert!(db.exists());
}

#[test]
fn a_batch_with_one_bad_file_says_what_was_stored() {
    let env = Env::new();
    let good = corpus("trivy/all_statuses.json").display().to_string();
    let bad = env.write("bad.json", b"{\"SchemaVersion\": 2, \"Results\": [");
    let (code, out, err) = env.run(&["upload", "-p", "shop", "-r", "1.0", &good, &bad]);
    assert_eq!(code, 2, "{out}{err}");
    let scan = out
        .split_whitespace()
        .skip_while(|w| *w != "scan")
        .nth(1)
        .expect("scan id in the output")
        .to_string();
    let last = err.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!(
            "error: 1 of 2 files was not imported and nothing of it was stored; 1 was stored as scan {scan}"
        ),
        "{err}"
    );
}

#[test]
fn a_short_fingerprint_prefix_is_too_short_not_missing() {
    let env = Env::new();
    upload_trivy(&env);
    let (code, _, err) = env.run(&["triage", "-p", "shop", "3fa2", "--status", "confirmed"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too short"), "{err}");
    assert!(err.contains("at least 8"), "{err}");
    assert!(!err.contains("not found"), "{err}");
}

#[test]
fn triage_without_a_target_says_what_is_missing() {
    let env = Env::new();
    upload_trivy(&env);
    let (code, _, err) = env.run(&["triage", "-p", "shop", "--status", "confirmed"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("which findings: give a fingerprint (or a unique prefix of at least 8 characters), or --filter KEY=VALUE"),
        "{err}"
    );
}

#[test]
fn a_tool_status_of_fixed_reads_fix_available_next_to_the_diffs_fixed() {
    let env = Env::new();
    upload_trivy(&env);
    let (code, out, err) = env.run(&["findings", "-p", "shop", "-r", "1.0", "--wide"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("fix available"), "{out}");
    assert!(!out.contains("│ fixed "), "{out}");
    let (_, out, err) = env.run(&["gate", "-p", "shop", "-r", "1.0", "--fail-on", "low"]);
    assert!(out.contains("tool: fix available"), "{out}{err}");
    assert!(!out.contains("tool: fixed"), "{out}");
    // Machines keep the tool's word.
    let (_, out, _) = env.run(&["findings", "-p", "shop", "-r", "1.0", "--format", "json"]);
    assert!(out.contains("\"tool_status\": \"fixed\""), "{out}");
}

/// `scanledger serve` on a free port of 127.0.0.1, stopped when dropped.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(env: &Env) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_scanledger"))
        .args(["serve", "--bind", &addr])
        .env("DATABASE_URL", &env.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Server {
        child,
        url: format!("http://{addr}"),
    }
}

#[test]
fn token_revoke_on_a_server_takes_the_prefix_not_the_credential() {
    let env = Env::new();
    let token = |role: &str| {
        let (code, out, err) = env.run(&["token", "create", "--name", role, "--role", role]);
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    };
    let admin = token("admin");
    let victim = token("auditor");
    let server = serve(&env);
    let remote = |secret: &str, args: &[&str]| {
        let out = env
            .cmd()
            .env("SCANLEDGER_URL", &server.url)
            .env("SCANLEDGER_TOKEN", secret)
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = remote(&admin, &["token", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let tokens: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let prefix = tokens
        .iter()
        .find(|t| t["role"] == "auditor")
        .and_then(|t| t["prefix"].as_str())
        .expect("the auditor token is listed")
        .to_string();
    assert!(victim.starts_with(&prefix), "{victim} / {prefix}");
    assert_eq!(remote(&victim, &["projects"]).0, 0);
    let (code, out, err) = remote(&admin, &["token", "revoke", &prefix]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("revoked"), "{out}");
    let (code, _, err) = remote(&victim, &["projects"]);
    assert_eq!(code, 2, "a revoked token is refused: {err}");
}
