//! CI uploads without a stored secret, end to end: a real OIDC issuer (`tests/oidc-issuer.mjs`,
//! Node and `jose`, playing GitHub Actions on 127.0.0.1), a real `scanledger serve` with a
//! `[[trust]]` rule for it, and `scanledger upload` with no ScanLedger token: with GitHub
//! Actions' request variables, then with `SCANLEDGER_OIDC_TOKEN` (GitLab's way). Each kind of
//! mismatch is refused, with its reason in the server's log. On SQLite, and on PostgreSQL too
//! with `TEST_DATABASE_URL`. Also `scanledger token exchange`, and the CI templates' script
//! (`ci/scanledger-ci.sh`) uploading and gating without a stored token.

use super::serve::{corpus, free_port, scanledger};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The request token GitHub Actions would put in `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
const REQUEST_TOKEN: &str = "actions-request-token-for-the-test";

/// The Node issuer, killed when dropped.
struct Issuer {
    child: Child,
    url: String,
}

impl Drop for Issuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Issuer {
    fn start() -> Issuer {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-issuer.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .env("SCANLEDGER_CONSUMERS", super::consumers::folder())
            .env("ISSUER_REQUEST_TOKEN", REQUEST_TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (scripts/test installs it)");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the issuer's first line");
        let url = first
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| {
                panic!("the issuer did not start ({first:?}): run scripts/install-consumers")
            })
            .to_string();
        Issuer { child, url }
    }

    /// A token with the default claims (a push to acme/shop's main) changed by `spec`.
    fn mint(&self, spec: serde_json::Value) -> String {
        agent()
            .post(&format!("{}/mint", self.url))
            .send_json(spec)
            .expect("mint")
            .body_mut()
            .read_to_string()
            .expect("the token")
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `scanledger serve` with one trust rule for the issuer, killed when dropped.
struct Server {
    child: Child,
    url: String,
    db: String,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(issuer: &Issuer, db: Option<String>) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = db.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("s.db").display()));
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = dir.path().join("scanledger.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[[trust]]
name = "shop-main"
issuer = "{issuer}"
audience = "{url}"
jwks_url = "{issuer}/.well-known/jwks"
project = "shop"
claims = {{ repository = "acme/shop", ref = "refs/heads/main" }}
"#,
                issuer = issuer.url
            ),
        )
        .expect("config");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
        let child = scanledger()
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--config"])
            .arg(&config)
            .env("DATABASE_URL", &db)
            .env_remove("SCANLEDGER_LOG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start server");
        let server = Server {
            child,
            url,
            db,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = agent().get(&format!("{}/readyz", server.url)).call()
                && r.status() == 200
            {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "server not ready: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// `scanledger ARGS` as a CI job without a ScanLedger token runs it: in remote mode, with
    /// none of the workload variables unless `env` sets them.
    fn ci(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = scanledger();
        cmd.args(args)
            .env("SCANLEDGER_URL", &self.url)
            .env("DATABASE_URL", "sqlite:///nonexistent/never-opened.db")
            .env_remove("SCANLEDGER_TOKEN")
            .env_remove("SCANLEDGER_OIDC_TOKEN")
            .env_remove("SCANLEDGER_OIDC_AUDIENCE")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
            .envs(env.iter().copied());
        cmd.output().expect("scanledger ran")
    }

    /// The audit log's `token.exchange` events, read on the database.
    fn exchanges(&self) -> Vec<serde_json::Value> {
        let out = scanledger()
            .args(["audit", "list", "--format", "json"])
            .env("DATABASE_URL", &self.db)
            .env_remove("SCANLEDGER_URL")
            .output()
            .expect("audit list");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let events: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("audit JSON");
        events
            .into_iter()
            .filter(|e| e["action"] == "token.exchange")
            .collect()
    }

    /// The scans of shop's release `release`, read on the database.
    fn scans(&self, release: &str) -> usize {
        let out = scanledger()
            .args([
                "scans",
                "--project",
                "shop",
                "--release",
                release,
                "--format",
                "json",
            ])
            .env("DATABASE_URL", &self.db)
            .env_remove("SCANLEDGER_URL")
            .output()
            .expect("scans");
        if !out.status.success() {
            return 0;
        }
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
            .expect("scans JSON")
            .len()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn report(name: &str) -> String {
    corpus(name).to_str().expect("UTF-8 path").to_string()
}

#[test]
fn ci_jobs_upload_with_their_oidc_token_and_mismatches_are_refused() {
    let issuer = Issuer::start();
    let mut databases = vec![None];
    databases.extend(super::replicas::fresh_database().map(Some));
    for db in databases {
        let backend = if db.is_some() { "postgres" } else { "sqlite" };
        let server = Server::start(&issuer, db);
        exchange_end_to_end(&issuer, &server, backend);
    }
}

fn exchange_end_to_end(issuer: &Issuer, server: &Server, backend: &str) {
    let actions_url = format!("{}/actions/token?api-version=2.0", issuer.url);
    let actions = [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", actions_url.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN),
    ];
    let (first, second) = (
        report("trivy/all_statuses.json"),
        report("trivy/issue_9092.json"),
    );

    // GitHub Actions: the request variables alone; the audience asked for is the server's URL
    // (the default). Two files, one exchange.
    let out = server.ci(
        &actions,
        &[
            "upload",
            "--project",
            "shop",
            "--release",
            "1.0",
            &first,
            &second,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{backend}: {}",
        text(&out.stderr)
    );
    assert_eq!(server.scans("1.0"), 2, "{backend}");
    let exchanges = server.exchanges();
    assert_eq!(exchanges.len(), 1, "{backend}: one exchange per process");
    let event = &exchanges[0];
    assert_eq!(event["actor"], "oidc:repo:acme/shop:ref:refs/heads/main");
    let after: serde_json::Value =
        serde_json::from_str(event["after"].as_str().expect("after")).expect("after JSON");
    let claims = &after["claims"];
    assert_eq!(claims["iss"], issuer.url.as_str(), "{backend}: {after}");
    assert_eq!(claims["aud"], server.url.as_str());
    assert_eq!(claims["repository"], "acme/shop");
    assert_eq!(claims["ref"], "refs/heads/main");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(after["name"], "ci:shop-main");
    assert_eq!(after["role"], "uploader");

    // A wrong request token: GitHub refuses, and the CLI says so (exit 2).
    let out = server.ci(
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", actions_url.as_str()),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "not-the-request-token"),
        ],
        &["upload", "--project", "shop", "--release", "1.1", &first],
    );
    assert_eq!(out.status.code(), Some(2), "{backend}");
    assert!(
        text(&out.stderr).contains("GitHub Actions answered 401"),
        "{}",
        text(&out.stderr)
    );

    // GitLab's way: the token in SCANLEDGER_OIDC_TOKEN, which wins over GitHub's variables.
    let jwt = issuer.mint(serde_json::json!({ "audience": server.url }));
    let with_jwt = |jwt: &str| {
        server.ci(
            &[("SCANLEDGER_OIDC_TOKEN", jwt), actions[0], actions[1]],
            &["upload", "--project", "shop", "--release", "2.0", &first],
        )
    };
    let out = with_jwt(&jwt);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{backend}: {}",
        text(&out.stderr)
    );
    assert_eq!(server.scans("2.0"), 1);
    assert_eq!(server.exchanges().len(), 2);
    for shown in [text(&out.stdout), text(&out.stderr), server.log()] {
        assert!(!shown.contains(&jwt), "the job token was shown");
        assert!(
            !shown.contains(REQUEST_TOKEN),
            "the request token was shown"
        );
    }

    // Refused, each for its reason (in the server's log, never in the answer): the same token
    // again, then tokens that fail one check each.
    let mut refused = vec![(jwt.clone(), "was exchanged before")];
    let mint = |spec: serde_json::Value| issuer.mint(spec);
    let aud = server.url.as_str();
    refused.extend([
        (
            mint(serde_json::json!({ "audience": aud, "claims": { "iss": "https://token.example" } })),
            "no trust rule names the issuer",
        ),
        (
            mint(serde_json::json!({ "audience": "https://elsewhere.example" })),
            "InvalidAudience",
        ),
        (
            mint(serde_json::json!({ "audience": aud, "claims": {
                "iat": now() - 900, "nbf": now() - 900, "exp": now() - 300 } })),
            "ExpiredSignature",
        ),
        (
            mint(serde_json::json!({ "audience": aud, "claims": { "ref": "refs/heads/dev" } })),
            "no trust rule of issuer",
        ),
        (
            mint(serde_json::json!({ "audience": aud, "key": "impostor" })),
            "InvalidSignature",
        ),
        (
            mint(serde_json::json!({ "audience": aud, "key": "none" })),
            "not a signed JWT",
        ),
        (
            mint(serde_json::json!({ "audience": aud, "claims": { "jti": null } })),
            "no jti claim",
        ),
    ]);
    for (token, reason) in refused {
        let out = with_jwt(&token);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{backend} {reason}: {stderr}");
        assert!(
            stderr.contains("the server refused this job's OIDC token"),
            "{backend} {reason}: {stderr}"
        );
        assert!(
            !stderr.contains(reason),
            "the reason reached the client: {stderr}"
        );
        let log = server.log();
        assert!(
            log.contains(reason),
            "{backend}: the server's log does not say {reason:?}:\n{log}"
        );
    }
    assert_eq!(server.scans("2.0"), 1, "{backend}: a refused job uploaded");
    assert_eq!(
        server.exchanges().len(),
        2,
        "{backend}: a refusal was audited"
    );
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The CI templates' script (`ci/scanledger-ci.sh`, which the GitHub Action and the GitLab
/// template run) with no stored token: it exchanges the job's OIDC token once, and uploads and
/// gates (text, then JUnit) with the ScanLedger token it got; GitHub Actions' way, then
/// GitLab's, whose one job token would be refused at a second exchange.
#[test]
fn the_ci_script_uploads_and_gates_with_an_exchanged_token() {
    let issuer = Issuer::start();
    let server = Server::start(&issuer, None);
    let report = "corpus/tfsec/one_finding_legacy.json";
    let actions_url = format!("{}/actions/token?api-version=2.0", issuer.url);

    let github = super::ci::script(
        &server.url,
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", actions_url.as_str()),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN),
            ("GITHUB_ACTIONS", "true"),
        ],
        "3.0",
        report,
        "critical",
    );
    assert_eq!(github.code, 0, "{}\n{}", github.summary, github.stderr);
    assert!(
        github.summary.starts_with(
            "## ScanLedger gate: passed\n\nProject `shop`, release `3.0`, 1 report(s) uploaded."
        ),
        "{}",
        github.summary
    );
    assert!(
        github
            .junit
            .as_deref()
            .is_some_and(|x| x.contains("<testsuite"))
    );
    assert_eq!(server.scans("3.0"), 1);
    assert_eq!(server.exchanges().len(), 1, "one exchange for every step");
    assert!(github.stderr.contains("exchanging this job's OIDC token"));
    assert_no_secret(&github.stderr);

    let jwt = issuer.mint(serde_json::json!({ "audience": server.url }));
    let gitlab = super::ci::script(
        &server.url,
        &[("SCANLEDGER_OIDC_TOKEN", jwt.as_str())],
        "4.0",
        report,
        "critical",
    );
    assert_eq!(gitlab.code, 0, "{}\n{}", gitlab.summary, gitlab.stderr);
    assert!(gitlab.junit.is_some());
    assert_eq!(server.scans("4.0"), 1);
    assert_eq!(server.exchanges().len(), 2, "one exchange for every step");
    for shown in [&gitlab.stderr, &gitlab.summary, &server.log()] {
        assert!(!shown.contains(&jwt), "the job token was shown");
        assert_no_secret(shown);
    }

    // Neither a stored token nor a job token: an error (exit 2) that says what is missing.
    let neither = super::ci::script(&server.url, &[], "5.0", report, "critical");
    assert_eq!(neither.code, 2, "{}", neither.stderr);
    assert!(
        neither.stderr.contains("no CI job OIDC token to exchange"),
        "{}",
        neither.stderr
    );
    assert_eq!(server.scans("5.0"), 0);
}

/// `text` shows no ScanLedger token secret: at most a token's 12-character prefix
/// (`slt_` and 8 hex digits).
fn assert_no_secret(text: &str) {
    for (at, _) in text.match_indices("slt_") {
        let hex = text[at + 4..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .count();
        assert!(hex <= 8, "a token's secret was shown: {text}");
    }
}

/// `scanledger token exchange` prints the exchanged token alone on standard output (for
/// `export SCANLEDGER_TOKEN=$(...)`), and the token works; without a job token it says what is
/// missing.
#[test]
fn token_exchange_prints_a_token_that_uploads() {
    let issuer = Issuer::start();
    let server = Server::start(&issuer, None);
    let jwt = issuer.mint(serde_json::json!({ "audience": server.url }));
    let out = server.ci(
        &[("SCANLEDGER_OIDC_TOKEN", jwt.as_str())],
        &["token", "exchange"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(
        token.starts_with("slt_") && !token.contains('\n'),
        "{token}"
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("exchanged: ci:shop-main (uploader, project shop, expires"),
        "{said}"
    );
    assert_no_secret(&said);
    let upload = server.ci(
        &[("SCANLEDGER_TOKEN", token.as_str())],
        &[
            "upload",
            "--project",
            "shop",
            "--release",
            "6.0",
            &report("trivy/all_statuses.json"),
        ],
    );
    assert_eq!(upload.status.code(), Some(0), "{}", text(&upload.stderr));
    assert_eq!(server.scans("6.0"), 1);
    assert_eq!(server.exchanges().len(), 1, "the upload exchanged again");

    // JSON: the server's answer.
    let jwt = issuer.mint(serde_json::json!({ "audience": server.url }));
    let out = server.ci(
        &[("SCANLEDGER_OIDC_TOKEN", jwt.as_str())],
        &["token", "exchange", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let issued: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(issued["project"], "shop");
    assert_eq!(issued["role"], "uploader");
    assert!(
        issued["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("slt_"))
    );

    let out = server.ci(&[], &["token", "exchange"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no CI job OIDC token to exchange"),
        "{}",
        text(&out.stderr)
    );
}
