//! schemathesis over every route of a real `scanledger serve`, from the OpenAPI document it
//! serves, once with no credentials and once with a token of each role, on the demo's data (a
//! sealed release and an open one, triage decisions, a policy): no answer is a 5xx, every
//! answer's status, content type and body are ones the document declares for it, and so every
//! refusal is the one JSON error shape. On SQLite, and on PostgreSQL with `TEST_DATABASE_URL`
//! (the suite runs this crate once each way).
//!
//! Bounded for the suite: a few examples per operation and no stateful phase.
//! `SCANLEDGER_SCHEMATHESIS_EXAMPLES` and `SCANLEDGER_SCHEMATHESIS_SEED` run it longer or
//! differently (docs/TESTING.md).

use crate::consumers::tool;
use crate::replicas::fresh_database;
use crate::serve::{free_port, scanledger};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What every answer is checked for.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

/// A `scanledger serve`, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Runs `scanledger ARGS` on `db`; its standard output, failing the test when it fails.
fn cli(db: &str, dir: &std::path::Path, args: &[&str]) -> String {
    let out = scanledger()
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("SCANLEDGER_URL")
        .env_remove("SCANLEDGER_SIGNING_KEY")
        .current_dir(dir)
        .output()
        .expect("scanledger ran");
    assert!(
        out.status.success(),
        "scanledger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn schemathesis_finds_no_server_error_and_no_undeclared_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("ledger.db").display()));
    let keys = dir.path().join("keys");
    let keys = keys.to_str().expect("UTF-8 path");
    cli(&db, dir.path(), &["demo", "--no-serve", "--key-dir", keys]);
    // Decoy tokens first: the fuzzer revokes tokens by small ids, and these take them.
    for n in 0..8 {
        let name = format!("decoy-{n}");
        cli(
            &db,
            dir.path(),
            &["token", "create", "--name", &name, "--role", "auditor"],
        );
    }
    let roles = ["auditor", "triager", "uploader", "admin"];
    let tokens: Vec<(String, String)> = roles
        .iter()
        .map(|role| {
            let name = format!("schemathesis-{role}");
            let secret = cli(
                &db,
                dir.path(),
                &["token", "create", "--name", &name, "--role", role],
            );
            (role.to_string(), secret.trim().to_string())
        })
        .collect();

    // The fuzzer sends many bad credentials from one address: the limiter that would answer
    // them (and then everything else) with 429 is set out of its way.
    let config = dir.path().join("scanledger.toml");
    std::fs::write(&config, "bad_tokens_per_minute = 1000000\n").expect("write the config");
    let addr = format!("127.0.0.1:{}", free_port());
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
    let _server = Served(
        scanledger()
            .args(["serve", "--bind", &addr, "--key-dir", keys])
            .arg("--config")
            .arg(&config)
            .env("DATABASE_URL", &db)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the server"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    // One worker: with more, Python 3.11's parser is entered from several threads at once
    // and schemathesis fails on its own errors ("AST constructor recursion depth mismatch").
    let examples = setting("SCANLEDGER_SCHEMATHESIS_EXAMPLES", "5");
    let seed = setting("SCANLEDGER_SCHEMATHESIS_SEED", "1");
    let document = format!("http://{addr}/api/v1/openapi.json");
    let base = format!("http://{addr}");
    // Each role, the admin last of them (it may revoke a decoy), then no credentials.
    let runs = tokens
        .into_iter()
        .map(|(role, secret)| (role, Some(secret)))
        .chain(std::iter::once(("no credentials".to_string(), None)));
    for (who, secret) in runs {
        let mut command = Command::new(tool("schemathesis"));
        command
            .args(["run", &document, "--url", &base, "--checks", CHECKS])
            .args([
                "--phases",
                "examples,coverage,fuzzing",
                "--no-shrink",
                "--workers",
                "1",
            ])
            .args(["--max-examples", &examples, "--seed", &seed])
            .args(["--wait-for-schema", "10", "--request-timeout", "30"])
            .env("NO_COLOR", "1")
            .current_dir(dir.path());
        if let Some(secret) = &secret {
            command.args(["--header", &format!("Authorization: Bearer {secret}")]);
        }
        let out = command.output().expect("schemathesis ran");
        let said = String::from_utf8_lossy(&out.stdout);
        // "1035 generated, 1035 passed" and the closing "== ... in 5.18s ==".
        let summary: Vec<&str> = said
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.split_whitespace().nth(1) == Some("generated,")
                    || (l.starts_with("==") && l.ends_with("s =="))
                    || (l.starts_with("==") && l.contains(" in ") && l.ends_with('='))
            })
            .collect();
        eprintln!("schemathesis as {who}: {}", summary.join(" / "));
        assert!(
            out.status.success(),
            "schemathesis as {who} found problems (exit {}):\n{said}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
