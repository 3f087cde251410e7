//! Web UI sign-in with a real OpenID provider (issue 20): npm's `oidc-provider` (pinned in
//! `scripts/install-consumers`, started by `tests/oidc-provider.mjs`) on 127.0.0.1, the real
//! `scanledger serve` configured for it with passwords off (`auth.local = false`) and MFA
//! required, and headless Chromium (the `browser` module's driver) doing the whole code flow:
//! the provider's form is filled in the browser, the callback is taken by the server.
//!
//! - an auditors-group user with a second factor lands on the dashboard as auditor of every
//!   project, even when the sign-in asked to return to another site (no open redirect);
//! - a user in no mapped group is refused with a page that says why;
//! - a user without a second factor in `amr` is refused with a page that says why;
//! - a user whose triager group is removed at the provider is an auditor at the next sign-in,
//!   and with no mapped group left is refused; each change is in the audit log;
//! - with two replicas on one PostgreSQL database, a sign-in started on replica A is finished
//!   by replica B, where the provider sends the browser back, and the session holds on both;
//!   A is configured by `--oidc-*` flags, B by `SCANLEDGER_OIDC_*` variables, each over a file
//!   whose `[oidc]` says otherwise. Skipped (with a line saying so) without
//!   `TEST_DATABASE_URL`, like the other replica tests.

use crate::browser::{
    Kill, axe, browser, chromedriver, click, free_port_for_driver, type_into, wait_for, wait_url,
};
use crate::serve::{free_port, scanledger};
use fantoccini::{Client, Locator};
use std::path::Path;
use std::process::{Command, Stdio};

fn write_accounts(path: &Path, accounts: serde_json::Value) {
    std::fs::write(path, serde_json::to_vec_pretty(&accounts).expect("json")).expect("accounts");
}

fn provider(port: u16, redirect: &str, accounts: &Path) -> Kill {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider.mjs");
    let consumers = crate::consumers::folder();
    assert!(
        consumers.join("node/node_modules/oidc-provider").exists(),
        "oidc-provider is not installed under {}: run scripts/install-consumers",
        consumers.display()
    );
    Kill(
        Command::new("node")
            .arg(script)
            .arg(port.to_string())
            .arg(redirect)
            .arg(accounts)
            .env("SCANLEDGER_CONSUMERS", consumers)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node tests/oidc-provider.mjs"),
    )
}

/// Signs `user` in at the provider, starting from `start` (a ScanLedger URL); returns the
/// page's text once the browser is back at ScanLedger.
async fn sso(client: &Client, base: &str, start: &str, user: &str) -> String {
    client.delete_all_cookies().await.expect("cookies");
    client.goto(start).await.expect("open");
    wait_url(client, "the provider's sign-in form", |p, _| {
        p.starts_with("/interaction/")
    })
    .await;
    type_into(client, Locator::Id("login"), "provider user field", user).await;
    click(client, Locator::Id("sign-in"), "provider sign-in button").await;
    let port = base.rsplit(':').next().unwrap_or_default().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let url = client.current_url().await.expect("url");
        if url.port().map(|p| p.to_string()) == Some(port.clone())
            && !url.path().starts_with("/ui/oidc/")
        {
            break;
        }
        if url.path() == "/ui/oidc/callback" {
            // A refusal is drawn at the callback's URL.
            if client.find(Locator::Css("main h1")).await.is_ok() {
                break;
            }
        }
        assert!(std::time::Instant::now() < deadline, "still at {url}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_sign_in_groups_and_mfa_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("oidc.db").display());
    let (sl_port, idp_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{sl_port}");
    let issuer = format!("http://127.0.0.1:{idp_port}");
    let redirect = format!("{base}/ui/oidc/callback");
    let accounts = dir.path().join("accounts.json");
    write_accounts(
        &accounts,
        serde_json::json!({
            "alice": { "groups": ["sec-auditors"], "amr": ["pwd", "otp"] },
            "bob": { "groups": ["marketing"], "amr": ["pwd", "otp"] },
            "carol": { "groups": ["sec-auditors"], "amr": ["pwd"] },
            "dave": { "groups": ["sec-auditors", "shop-triagers"], "amr": ["pwd", "hwk"] },
        }),
    );
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            r#"[auth]
local = false

[oidc]
issuer = "{issuer}"
client_id = "scanledger"
redirect_url = "{redirect}"
scopes = ["openid", "profile", "groups"]
require_mfa = true

[oidc.groups]
"sec-auditors" = {{ role = "auditor", projects = ["*"] }}
"shop-triagers" = {{ role = "triager", projects = ["shop"] }}
"#
        ),
    )
    .expect("config");
    let _idp = provider(idp_port, &redirect, &accounts);
    wait_for(&format!("127.0.0.1:{idp_port}"), "oidc-provider");
    let _server = Kill(
        scanledger()
            .args(["serve", "--bind", &format!("127.0.0.1:{sl_port}")])
            .arg("--config")
            .arg(&config)
            .env("DATABASE_URL", &db)
            .env("SCANLEDGER_OIDC_CLIENT_SECRET", "test-secret")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server"),
    );
    let _driver = chromedriver();
    wait_for(&format!("127.0.0.1:{sl_port}"), "scanledger serve");
    wait_for(
        &format!("127.0.0.1:{}", free_port_for_driver()),
        "chromedriver",
    );
    let profile = tempfile::tempdir().expect("profile");
    let client = browser(profile.path()).await;

    // The sign-in page offers the provider and, with passwords off, no password form.
    client.goto(&format!("{base}/ui")).await.expect("open");
    wait_url(&client, "the sign-in page", |p, _| p == "/ui/login").await;
    assert!(client.find(Locator::Id("password")).await.is_err());
    axe(&client, "sign-in page with a provider").await;
    let start = format!("{base}/ui/login");
    client.goto(&start).await.expect("login");
    click(
        &client,
        Locator::LinkText("Sign in with your identity provider"),
        "provider link",
    )
    .await;
    wait_url(&client, "the provider", |p, _| {
        p.starts_with("/interaction/")
    })
    .await;

    // An auditor with a second factor: the dashboard, as auditor of every project, even when
    // the sign-in was started with a return URL elsewhere.
    let hostile = format!("{base}/ui/oidc/start?next=https%3A%2F%2Fevil.example%2F");
    let text = sso(&client, &base, &hostile, "alice").await;
    let url = client.current_url().await.expect("url");
    assert_eq!(url.path(), "/ui", "{text}");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert!(text.contains("alice (auditor, all projects)"), "{text}");
    axe(&client, "dashboard after sign-in with a provider").await;

    // In no mapped group: refused, and told why.
    let start = format!("{base}/ui/oidc/start");
    let text = sso(&client, &base, &start, "bob").await;
    assert!(
        text.contains("bob is in no group that has a role"),
        "{text}"
    );
    assert!(text.contains("marketing"), "{text}");

    // No second factor: refused, and told why.
    let text = sso(&client, &base, &start, "carol").await;
    assert!(text.contains("without a second factor"), "{text}");
    client.goto(&format!("{base}/ui")).await.expect("open");
    wait_url(&client, "the sign-in page", |p, _| p == "/ui/login").await;

    sign_in_across_replicas(&client, dir.path()).await;

    // The strongest grant of two groups; a removed group takes its role away next time.
    let text = sso(&client, &base, &start, "dave").await;
    assert!(text.contains("dave (triager, shop)"), "{text}");
    write_accounts(
        &accounts,
        serde_json::json!({ "dave": { "groups": ["sec-auditors"], "amr": ["pwd", "hwk"] } }),
    );
    let text = sso(&client, &base, &start, "dave").await;
    assert!(text.contains("dave (auditor, all projects)"), "{text}");
    write_accounts(
        &accounts,
        serde_json::json!({ "dave": { "groups": [], "amr": ["pwd", "hwk"] } }),
    );
    let text = sso(&client, &base, &start, "dave").await;
    assert!(
        text.contains("dave is in no group that has a role"),
        "{text}"
    );
    client.close().await.expect("close the browser");

    // Each change is in the audit log.
    let out = scanledger()
        .args(["audit", "list", "--format", "json"])
        .env("DATABASE_URL", &db)
        .output()
        .expect("scanledger audit");
    let log = String::from_utf8_lossy(&out.stdout);
    for action in ["user.create", "user.update", "user.disable"] {
        assert!(log.contains(action), "no {action} in the audit log: {log}");
    }
}

/// Two replicas on one PostgreSQL database (`replicas::fresh_database`): the sign-in starts on
/// replica A, which keeps it in the database, and the provider sends the browser back to
/// replica B's callback (both name B's as theirs, as replicas behind one address do; the
/// `sl_oidc` cookie is the host's, whatever the port). A takes its OIDC settings from flags, B
/// from environment variables; the file's `[oidc]` under them names another issuer and client,
/// another groups claim and no MFA, so a sign-in that works, and one refused for its missing
/// second factor, show that flags and variables won.
async fn sign_in_across_replicas(client: &Client, dir: &Path) {
    let Some(db) = crate::replicas::fresh_database() else {
        eprintln!("TEST_DATABASE_URL not set: OIDC sign-in across two replicas skipped");
        return;
    };
    let (a_port, b_port, idp_port) = (free_port(), free_port(), free_port());
    let a = format!("http://127.0.0.1:{a_port}");
    let b = format!("http://127.0.0.1:{b_port}");
    let issuer = format!("http://127.0.0.1:{idp_port}");
    let redirect = format!("{b}/ui/oidc/callback");
    let accounts = dir.join("replica-accounts.json");
    write_accounts(
        &accounts,
        serde_json::json!({
            "erin": { "groups": ["sec-auditors"], "amr": ["pwd", "otp"] },
            "frank": { "groups": ["sec-auditors"], "amr": ["pwd"] },
        }),
    );
    let config = dir.join("replicas.toml");
    std::fs::write(
        &config,
        r#"[auth]
local = false

[oidc]
issuer = "http://127.0.0.1:9/not-the-provider"
client_id = "not-this-client"
redirect_url = "http://127.0.0.1:9/ui/oidc/callback"
groups_claim = "not-the-groups"
require_mfa = false

[oidc.groups]
"sec-auditors" = { role = "auditor", projects = ["*"] }
"#,
    )
    .expect("config");
    let _idp = provider(idp_port, &redirect, &accounts);
    wait_for(&format!("127.0.0.1:{idp_port}"), "oidc-provider");
    let replica = |port: u16| {
        let mut command = scanledger();
        command
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--config")
            .arg(&config)
            .env("DATABASE_URL", &db)
            .env("SCANLEDGER_OIDC_CLIENT_SECRET", "test-secret")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    let _a = Kill(
        replica(a_port)
            .args(["--oidc-issuer", &issuer, "--oidc-client-id", "scanledger"])
            .args(["--oidc-redirect-url", &redirect])
            .args(["--oidc-scopes", "openid,profile,groups"])
            .args(["--oidc-groups-claim", "groups", "--oidc-require-mfa"])
            .spawn()
            .expect("start replica A"),
    );
    let _b = Kill(
        replica(b_port)
            .env("SCANLEDGER_OIDC_ISSUER", &issuer)
            .env("SCANLEDGER_OIDC_CLIENT_ID", "scanledger")
            .env("SCANLEDGER_OIDC_REDIRECT_URL", &redirect)
            .env("SCANLEDGER_OIDC_SCOPES", "openid,profile,groups")
            .env("SCANLEDGER_OIDC_GROUPS_CLAIM", "groups")
            .env("SCANLEDGER_OIDC_REQUIRE_MFA", "true")
            .spawn()
            .expect("start replica B"),
    );
    wait_for(&format!("127.0.0.1:{a_port}"), "replica A");
    wait_for(&format!("127.0.0.1:{b_port}"), "replica B");

    // Started on A, finished on B: B's dashboard, signed in as auditor.
    let start = format!("{a}/ui/oidc/start");
    let text = sso(client, &b, &start, "erin").await;
    let url = client.current_url().await.expect("url");
    assert_eq!(url.port(), Some(b_port), "{text}");
    assert_eq!(url.path(), "/ui", "{text}");
    assert!(text.contains("erin (auditor, all projects)"), "{text}");
    // The session is in the database too: A knows it.
    client.goto(&format!("{a}/ui")).await.expect("open A");
    wait_url(client, "A's dashboard", |p, _| p == "/ui").await;
    let text = client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(text.contains("erin (auditor, all projects)"), "{text}");

    // B requires a second factor (its variable over the file's `require_mfa = false`).
    let text = sso(client, &b, &start, "frank").await;
    assert!(text.contains("without a second factor"), "{text}");
}
