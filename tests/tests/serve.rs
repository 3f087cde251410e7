//! `scanledger serve` answers its probes and its API over a real socket.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `scanledger` binary of this workspace (built by `cargo test --workspace`).
pub fn scanledger() -> Command {
    let path = std::env::var_os("CARGO_BIN_EXE_scanledger")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let mut p = std::env::current_exe().expect("exe");
            p.pop();
            if p.ends_with("deps") {
                p.pop();
            }
            p.join("scanledger")
        });
    Command::new(path)
}

/// A `scanledger serve` on a SQLite database of its own, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    pub db: String,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub fn start() -> Server {
    start_in(tempfile::tempdir().expect("tempdir"), &[])
}

/// A server on a database in `dir`, with more `serve` flags.
pub fn start_in(dir: tempfile::TempDir, flags: &[&str]) -> Server {
    let addr = format!("127.0.0.1:{}", free_port());
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("server.log"))
        .expect("log file");
    let child = scanledger()
        .args(["serve", "--bind", &addr])
        .args(flags)
        .env("DATABASE_URL", &db)
        .env("SCANLEDGER_SHUTDOWN_TIMEOUT", "60")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        addr,
        db,
        dir,
    }
}

/// A minimal HTTP/1.1 GET: status and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn probes_answer_and_unknown_routes_are_json_404s() {
    let server = start();
    assert_eq!(get(&server.addr, "/healthz").0, 200);
    let (status, body) = get(&server.addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&server.addr, "/no/such/route");
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""), "{body}");
    let (status, body) = get(&server.addr, "/api/v1/projects");
    assert_eq!(status, 401);
    assert!(body.contains("\"unauthorized\""), "{body}");
}

/// `scanledger token create` on the server's database; the secret.
pub fn make_token(server: &Server, role: &str, project: Option<&str>) -> String {
    let mut cmd = scanledger();
    cmd.args(["token", "create", "--name", role, "--role", role])
        .env("DATABASE_URL", &server.db);
    if let Some(p) = project {
        cmd.args(["--project", p]);
    }
    let out = cmd.output().expect("token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_string()
}

/// The CLI in remote mode, as a CI job runs it.
pub fn remote(server: &Server, token: &str) -> Command {
    let mut cmd = scanledger();
    cmd.env("SCANLEDGER_URL", format!("http://{}", server.addr))
        .env("SCANLEDGER_TOKEN", token)
        .env("DATABASE_URL", "sqlite:///nonexistent/never-opened.db");
    cmd
}

/// A file of the scanner corpus (`testdata::corpus_dir`); fails the test naming the file when
/// it is missing, or the corpus when that is.
pub fn corpus(relative: &str) -> std::path::PathBuf {
    let path = testdata::corpus_dir().join(relative);
    assert!(path.exists(), "corpus fixture missing: {}", path.display());
    path
}

#[test]
fn a_ci_pipeline_uploads_with_a_token_and_gates_on_the_result() {
    let server = start();
    let uploader = make_token(&server, "uploader", Some("shop"));
    let auditor = make_token(&server, "auditor", Some("shop"));
    let report = corpus("trivy/all_statuses.json");
    // Only low findings: the gate at high passes, at low it blocks (exit 1).
    let out = remote(&server, &uploader)
        .args(["upload", "--project", "shop", "--release", "1.0", "--gate"])
        .arg(&report)
        .output()
        .expect("upload");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("imported") && stdout.contains("gate PASS"),
        "{stdout}"
    );
    let out = remote(&server, &uploader)
        .args([
            "upload",
            "-p",
            "shop",
            "-r",
            "1.0",
            "--gate",
            "--fail-on",
            "low",
        ])
        .arg(&report)
        .output()
        .expect("upload again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("already uploaded") && stdout.contains("gate BLOCKED"),
        "{stdout}"
    );
    // The same JSON as a local upload.
    let out = remote(&server, &uploader)
        .args(["upload", "-p", "shop", "-r", "1.0", "--format", "json"])
        .arg(&report)
        .output()
        .expect("json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json line");
    assert_eq!(json["duplicate"], true);
    assert_eq!(json["findings"], 8);
    // An auditor reads but cannot upload (exit 2, the server's reason).
    let out = remote(&server, &auditor)
        .args(["upload", "-p", "shop", "-r", "1.1"])
        .arg(corpus("trivy/cvss_severity_source.json"))
        .output()
        .expect("auditor upload");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    for args in [
        vec!["findings", "-p", "shop", "-r", "1.0", "--format", "json"],
        vec!["gate", "-p", "shop", "-r", "1.0"],
        vec!["releases", "-p", "shop"],
        vec!["projects"],
        vec!["diff", "-p", "shop", "--from", "1.0", "--to", "1.0"],
    ] {
        let out = remote(&server, &auditor)
            .args(&args)
            .output()
            .expect("read");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = remote(&server, &auditor)
        .args(["findings", "-p", "shop", "-r", "1.0", "--format", "json"])
        .output()
        .expect("findings");
    let remote_findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let out = scanledger()
        .args(["findings", "-p", "shop", "-r", "1.0", "--format", "json"])
        .env("DATABASE_URL", &server.db)
        .output()
        .expect("local findings");
    let local_findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        remote_findings, local_findings,
        "remote and local output agree"
    );
    // The log: one JSON line per request naming the caller by id, and no secret anywhere.
    let log = std::fs::read_to_string(server.dir.path().join("server.log")).expect("log");
    assert!(!log.contains(&uploader) && !log.contains(&auditor));
    assert!(
        !log.contains(&uploader[4..20]),
        "no part of a secret in the log"
    );
    let requests: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["message"] == "request")
        .collect();
    assert!(requests.len() >= 8, "{log}");
    assert!(requests.iter().any(|r| {
        r["status"] == 403
            && r["caller"]
                .as_str()
                .is_some_and(|c| c.starts_with("token:"))
    }));
    assert!(
        requests
            .iter()
            .all(|r| r["route"].is_string() && r["latency_ms"].is_number())
    );
}

#[test]
fn sigterm_lets_an_upload_in_flight_finish() {
    let mut server = start();
    let uploader = make_token(&server, "uploader", Some("shop"));
    let big = server.dir.path().join("big.json");
    let mut file = std::fs::File::create(&big).expect("create");
    testdata::synthetic::write_trivy_report(
        &mut file,
        &testdata::synthetic::SyntheticOptions {
            findings: 40_000,
            seed: 3,
            artifact: "shop:big".into(),
            generation: 0,
        },
    )
    .expect("write");
    drop(file);
    let upload = remote(&server, &uploader)
        .args(["upload", "-p", "shop", "-r", "1.0", "--format", "json"])
        .arg(&big)
        .stdout(Stdio::piped())
        .spawn()
        .expect("upload");
    // Wait until the import is under way (the server logs nothing until it answers), then stop.
    std::thread::sleep(Duration::from_millis(700));
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = upload.wait_with_output().expect("upload result");
    let status = server.child.wait().expect("server exit");
    assert!(status.success() || status.code().is_some(), "{status:?}");
    // Either the upload finished before the server stopped (all findings stored), or it never
    // started (nothing stored): never half.
    let out_json: Option<serde_json::Value> = serde_json::from_slice(&out.stdout).ok();
    let check = scanledger()
        .args(["scans", "-p", "shop", "-r", "1.0", "--format", "json"])
        .env("DATABASE_URL", &server.db)
        .output()
        .expect("scans");
    let scans: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap_or_default();
    match out_json {
        Some(json) => {
            assert_eq!(json["findings"], 40_000);
            assert_eq!(scans[0]["findings"], 40_000, "{scans}");
        }
        None => assert!(scans.as_array().is_none_or(|s| s.is_empty()), "{scans}"),
    }
}

/// The files in the spool directories under `uploads`.
fn spooled(uploads: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(uploads)
        .map(|dirs| {
            dirs.flatten()
                .filter(|d| {
                    d.file_name()
                        .to_string_lossy()
                        .starts_with("scanledger-spool-")
                })
                .filter_map(|d| std::fs::read_dir(d.path()).ok())
                .flat_map(|files| files.flatten().map(|f| f.path()))
                .filter(|f| f.file_name().is_some_and(|n| n != ".lock"))
                .collect()
        })
        .unwrap_or_default()
}

/// `kill -9` in the middle of an upload leaves its spool file; the next server started on the
/// same upload directory removes it.
#[test]
fn a_spool_file_left_by_kill_9_is_removed_at_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uploads = dir.path().join("uploads");
    let flags = ["--upload-dir", uploads.to_str().expect("utf-8 path")];
    let mut server = start_in(dir, &flags);
    let uploader = make_token(&server, "uploader", Some("shop"));
    // Half an upload, and then the client waits.
    let mut client = TcpStream::connect(&server.addr).expect("connect");
    write!(
        client,
        "POST /api/v1/projects/shop/releases/1.0/scans HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {uploader}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: 1000000\r\n\r\n{{\"SchemaVersion\": 2, ",
        server.addr
    )
    .expect("write");
    let deadline = Instant::now() + Duration::from_secs(20);
    while spooled(&uploads).is_empty() {
        assert!(Instant::now() < deadline, "the upload was never spooled");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let _ = server.child.wait();
    drop(client);
    assert_eq!(spooled(&uploads).len(), 1, "kill -9 leaves the spool file");
    // The next server on the same upload directory cleans up before it serves.
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().expect("tempdir"));
    drop(server);
    let again = start_in(dir, &flags);
    assert!(spooled(&uploads).is_empty(), "{:?}", spooled(&uploads));
    assert_eq!(get(&again.addr, "/readyz").0, 200);
}

/// The CLI in remote mode encodes every path segment: a token scoped to a project whose name
/// has `/`, `+`, `%`, a space and Unicode uploads to and lists exactly that project.
#[test]
fn remote_mode_reaches_projects_with_names_urls_encode() {
    let server = start();
    for name in ["team a/b+c%", "a%2Fb", "日本 1.0"] {
        let uploader = make_token(&server, "uploader", Some(name));
        let out = remote(&server, &uploader)
            .args(["upload", "--project", name, "--release", "1.0"])
            .arg(corpus("trivy/all_statuses.json"))
            .output()
            .expect("upload");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = remote(&server, &uploader)
            .args(["releases", "--project", name, "--format", "json"])
            .output()
            .expect("releases");
        let releases: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(releases[0]["name"], "1.0", "{name:?}: {releases}");
    }
}
