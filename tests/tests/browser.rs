//! The web UI in a real browser: headless Chromium driven over WebDriver (chromedriver) by
//! fantoccini, against the real `scanledger serve`. A triager signs in, browses to a release,
//! filters findings, triages one, downloads a bundle and signs out; an auditor sees no triage
//! form; an admin creates a project on the projects page; an auditor opens the auditor's page,
//! draws a sample, and sees a bundle rewritten in the store fail verification. axe-core (vendored in
//! `tests/axe.min.js`, MPL-2.0) checks the main pages and the test fails on serious or critical
//! violations.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them). Without them
//! the test fails: it never skips silently. Set `SCANLEDGER_SCREENSHOTS=docs/screenshots` to
//! save screenshots of the main pages.

use crate::serve::{free_port, scanledger};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a browser password";
const AXE: &str = include_str!("../axe.min.js");

pub(crate) struct Kill(pub(crate) Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn wait_for(addr: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on {addr}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run(db: &str, dir: &Path, args: &[&str]) {
    let out = scanledger()
        .args(args)
        .env("DATABASE_URL", db)
        .env("SCANLEDGER_PASSWORD", PASSWORD)
        .env("SCANLEDGER_KEY_DIR", dir.join("keys"))
        .current_dir(dir)
        .output()
        .expect("run scanledger");
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "scanledger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two releases of project `shop` (the first sealed), a triager and an auditor.
fn fixture(db: &str, dir: &Path) {
    for (i, release) in ["1.0", "1.1"].into_iter().enumerate() {
        let report = testdata::synthetic::trivy_report(&testdata::synthetic::SyntheticOptions {
            findings: 120,
            seed: 7,
            artifact: "registry/shop:web".into(),
            generation: i as u32,
        });
        let file = dir.join(format!("r{i}.json"));
        std::fs::write(&file, report).expect("report");
        run(
            db,
            dir,
            &[
                "upload",
                "-p",
                "shop",
                "-r",
                release,
                file.to_str().expect("path"),
            ],
        );
    }
    run(db, dir, &["key", "generate"]);
    run(
        db,
        dir,
        &[
            "seal",
            "-p",
            "shop",
            "-r",
            "1.0",
            "--allow-blocked",
            "--reason",
            "browser test",
        ],
    );
    run(
        db,
        dir,
        &[
            "admin",
            "create-user",
            "--name",
            "tri",
            "--role",
            "triager",
            "--project",
            "shop",
        ],
    );
    run(
        db,
        dir,
        &[
            "admin",
            "create-user",
            "--name",
            "aud",
            "--role",
            "auditor",
            "--project",
            "shop",
        ],
    );
    run(
        db,
        dir,
        &["admin", "create-user", "--name", "adm", "--role", "admin"],
    );
}

pub(crate) fn chromedriver() -> Kill {
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| {
            panic!(
                "chromedriver not found: install Debian's chromium and chromium-driver \
                 (scripts/test does); the browser test does not skip"
            )
        });
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "chromium not found: install Debian's chromium (scripts/test does)"
    );
    Kill(
        Command::new(bin)
            .arg(format!("--port={}", free_port_for_driver()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    )
}

static DRIVER_PORT: std::sync::OnceLock<u16> = std::sync::OnceLock::new();

pub(crate) fn free_port_for_driver() -> u16 {
    *DRIVER_PORT.get_or_init(free_port)
}

pub(crate) async fn browser(profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", free_port_for_driver()))
        .await
        .expect("WebDriver session with headless Chromium")
}

/// Runs axe-core on the current page; panics on serious or critical violations.
pub(crate) async fn axe(client: &Client, page: &str) {
    client.execute(AXE, vec![]).await.expect("inject axe-core");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(JSON.stringify(r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => n.html).slice(0, 3) })))))
               .catch(e => done('error: ' + e));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let text = result.as_str().expect("axe result").to_string();
    let violations: Vec<serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("axe on {page}: {text}"));
    let serious: Vec<&serde_json::Value> = violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    assert!(
        serious.is_empty(),
        "axe-core found serious accessibility violations on {page}: {serious:#?}"
    );
    if !violations.is_empty() {
        eprintln!("axe on {page}: minor: {violations:?}");
    }
}

async fn shot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("SCANLEDGER_SCREENSHOTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Waits (up to 15 s) until the browser's URL satisfies `ok`: a click that submits a form or
/// follows a link returns before the next page has loaded.
/// Clicks the element `locator` finds; `what` names it in a failure.
pub(crate) async fn click(client: &Client, locator: Locator<'_>, what: &str) {
    let element = client
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
}

/// Chooses `value` in the select element `locator` finds.
async fn select(client: &Client, locator: Locator<'_>, what: &str, value: &str) {
    let element = client
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    element
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("select {value} in {what}: {e}"));
}

/// Types `text` into the field `locator` finds.
pub(crate) async fn type_into(client: &Client, locator: Locator<'_>, what: &str, text: &str) {
    let element = client
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    element
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {what}: {e}"));
}

pub(crate) async fn wait_url(client: &Client, what: &str, ok: impl Fn(&str, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = client.current_url().await.expect("url");
        if ok(url.path(), url.query().unwrap_or_default()) {
            // And the page itself is there.
            let _ = client.find(Locator::Css("main")).await;
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waiting for {what}: still at {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn sign_in(client: &Client, base: &str, user: &str) {
    client.goto(&format!("{base}/ui")).await.expect("open");
    let url = client.current_url().await.expect("url");
    assert_eq!(url.path(), "/ui/login", "not signed in: the sign-in page");
    type_into(client, Locator::Id("user"), "user field", user).await;
    type_into(client, Locator::Id("password"), "password field", PASSWORD).await;
    click(
        client,
        Locator::Css("main form button[type=submit]"),
        "sign-in button",
    )
    .await;
    wait_url(client, "the dashboard", |p, _| p == "/ui").await;
}

/// The number of bytes the signed-in browser gets for `path` (fetch with its cookies).
async fn fetch_len(client: &Client, path: &str) -> (u16, u64) {
    let v = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => r.arrayBuffer().then(b => done([r.status, b.byteLength])))
               .catch(e => done([0, 0]));",
            vec![serde_json::Value::String(path.into())],
        )
        .await
        .expect("fetch");
    (
        v[0].as_u64().unwrap_or(0) as u16,
        v[1].as_u64().unwrap_or(0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triager_auditor_and_admin_journeys_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("ui.db").display());
    fixture(&db, dir.path());
    let addr = format!("127.0.0.1:{}", free_port());
    let _server = Kill(
        scanledger()
            .args(["serve", "--bind", &addr])
            // The published key: the auditor's page verifies stored bundles against it.
            .arg("--trusted-keys")
            .arg(dir.path().join("keys").join("evidence-key.pub"))
            .env("DATABASE_URL", &db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server"),
    );
    let _driver = chromedriver();
    wait_for(&addr, "scanledger serve");
    wait_for(
        &format!("127.0.0.1:{}", free_port_for_driver()),
        "chromedriver",
    );
    let base = format!("http://{addr}");

    // ---- The triager's journey.
    let client = browser(&dir.path().join("profile-tri")).await;
    client
        .goto(&format!("{base}/ui/login"))
        .await
        .expect("login page");
    axe(&client, "sign-in").await;
    shot(&client, "login").await;
    sign_in(&client, &base, "tri").await;
    // Keyboard: the first Tab lands on the skip link.
    client
        .execute("document.activeElement.blur();", vec![])
        .await
        .expect("blur");
    type_into(&client, Locator::Css("body"), "body", "\u{E004}").await;
    let focused = client
        .execute("return document.activeElement.className;", vec![])
        .await
        .expect("focus");
    assert_eq!(
        focused.as_str(),
        Some("skip"),
        "Tab reaches the skip link first"
    );
    axe(&client, "dashboard").await;
    shot(&client, "dashboard").await;

    click(&client, Locator::LinkText("shop"), "project link").await;
    wait_url(&client, "the project page", |p, _| p == "/ui/projects/shop").await;
    assert!(
        client
            .source()
            .await
            .expect("source")
            .contains("Policy in force")
    );
    axe(&client, "project").await;
    shot(&client, "project").await;

    click(&client, Locator::LinkText("1.1"), "release link").await;
    wait_url(&client, "the release page", |p, _| {
        p.ends_with("/releases/1.1")
    })
    .await;
    axe(&client, "release").await;
    shot(&client, "release").await;

    // Filter: critical findings only.
    select(
        &client,
        Locator::Id("f-severity"),
        "severity filter",
        "critical",
    )
    .await;
    click(
        &client,
        Locator::Css("form.filters button[type=submit]"),
        "filter button",
    )
    .await;
    wait_url(&client, "the filtered page", |_, q| {
        q.contains("severity=critical")
    })
    .await;
    let severities = client
        .find_all(Locator::Css("table.findings tbody tr td:first-child"))
        .await
        .expect("rows");
    assert!(!severities.is_empty(), "some critical findings");
    for cell in &severities {
        assert_eq!(cell.text().await.expect("text"), "critical");
    }

    // Triage the first one.
    click(
        &client,
        Locator::Css("table.findings tbody tr td a"),
        "finding link",
    )
    .await;
    wait_url(&client, "the finding page", |p, _| p.contains("/findings/")).await;
    axe(&client, "finding").await;
    shot(&client, "finding").await;
    select(
        &client,
        Locator::Id("t-status"),
        "triage form",
        "false_positive",
    )
    .await;
    type_into(
        &client,
        Locator::Id("t-justification"),
        "justification",
        "Only reachable from test code.",
    )
    .await;
    click(
        &client,
        Locator::Css("#triage button[type=submit]"),
        "record",
    )
    .await;
    wait_url(&client, "the recorded decision", |_, q| {
        q.contains("done=1")
    })
    .await;
    let page = client.source().await.expect("source");
    assert!(page.contains("Decision recorded"), "{page}");
    assert!(page.contains("Only reachable from test code."));
    assert!(page.contains("user:tri"));

    client
        .goto(&format!("{base}/ui/audit"))
        .await
        .expect("audit");
    assert!(client.source().await.expect("source").contains("user:tri"));
    axe(&client, "audit log").await;
    shot(&client, "audit").await;

    // The sealed release's bundle downloads with the browser's session.
    let (status, len) = fetch_len(&client, "/ui/projects/shop/releases/1.0/bundle").await;
    assert_eq!(status, 200);
    assert!(len > 1000, "bundle of {len} bytes");

    click(
        &client,
        Locator::Css(".who button[type=submit]"),
        "sign-out button",
    )
    .await;
    wait_url(&client, "the sign-in page", |p, _| p == "/ui/login").await;
    client.goto(&format!("{base}/ui")).await.expect("open");
    assert_eq!(client.current_url().await.expect("url").path(), "/ui/login");
    client.close().await.expect("close");

    // ---- The auditor's journey: everything readable, nothing to change.
    let client = browser(&dir.path().join("profile-aud")).await;
    sign_in(&client, &base, "aud").await;
    client
        .goto(&format!("{base}/ui/projects/shop/releases/1.1"))
        .await
        .expect("release");
    click(
        &client,
        Locator::Css("table.findings tbody tr td a"),
        "finding link",
    )
    .await;
    wait_url(&client, "the finding page", |p, _| p.contains("/findings/")).await;
    let page = client.source().await.expect("source");
    assert!(page.contains("Triage history"));
    assert!(
        client.find(Locator::Id("triage")).await.is_err(),
        "an auditor sees no triage form"
    );
    let forms = client
        .find_all(Locator::Css("form[method=post]"))
        .await
        .expect("forms");
    assert_eq!(forms.len(), 1, "only the sign-out form");
    let (status, _) = fetch_len(&client, "/ui/projects/shop/releases/1.0/bundle").await;
    assert_eq!(status, 200, "auditors download evidence");
    client.close().await.expect("close");

    // ---- The admin's journey: the projects page, and a new project through its form.
    let client = browser(&dir.path().join("profile-adm")).await;
    sign_in(&client, &base, "adm").await;
    click(&client, Locator::LinkText("Projects"), "projects link").await;
    wait_url(&client, "the projects page", |p, _| {
        p == "/ui/admin/projects"
    })
    .await;
    let page = client.source().await.expect("source");
    assert!(page.contains("/ui/projects/shop"), "{page}");
    axe(&client, "admin projects").await;
    type_into(&client, Locator::Id("p-name"), "project name", "mobile-app").await;
    click(
        &client,
        Locator::Css("main form button[type=submit]"),
        "create button",
    )
    .await;
    // The form answers with the page itself, listing the new project.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = client.source().await.expect("source");
        if page.contains("Project mobile-app created.") {
            assert!(page.contains("/ui/projects/mobile-app"), "{page}");
            break;
        }
        assert!(Instant::now() < deadline, "no confirmation: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    axe(&client, "admin projects, after creating one").await;
    click(&client, Locator::LinkText("mobile-app"), "new project link").await;
    wait_url(&client, "the new project's page", |p, _| {
        p == "/ui/projects/mobile-app"
    })
    .await;
    client
        .goto(&format!("{base}/ui/audit?action=project.create"))
        .await
        .expect("audit");
    let page = client.source().await.expect("source");
    assert!(page.contains("user:adm"), "{page}");
    client.close().await.expect("close");

    // ---- The auditor's page: the period's population verified, a seeded sample, and a
    // bundle tampered with in the store.
    let client = browser(&dir.path().join("profile-aud-page")).await;
    sign_in(&client, &base, "aud").await;
    client
        .goto(&format!("{base}/ui/projects/shop"))
        .await
        .expect("project");
    click(
        &client,
        Locator::Css("a[href='/ui/projects/shop/audit']"),
        "the auditor's page link",
    )
    .await;
    wait_url(&client, "the auditor's page", |p, _| {
        p == "/ui/projects/shop/audit"
    })
    .await;
    let page = client.source().await.expect("source");
    assert!(
        page.contains("Population: 2 release(s), 1 sealed"),
        "{page}"
    );
    assert!(page.contains(">verified<"), "1.0 verified: {page}");
    assert!(page.contains(">not sealed<"), "1.1 open: {page}");
    axe(&client, "auditor's page").await;
    shot(&client, "auditor").await;
    type_into(&client, Locator::Id("s-n"), "sample size", "1").await;
    type_into(&client, Locator::Id("s-seed"), "sample seed", "42").await;
    click(
        &client,
        Locator::Css("#sample-form button[type=submit]"),
        "draw sample button",
    )
    .await;
    wait_url(&client, "the sample", |p, _| {
        p == "/ui/projects/shop/audit/sample"
    })
    .await;
    let page = client.source().await.expect("source");
    assert!(
        page.contains("<code id=\"sample-seed\">42</code>"),
        "{page}"
    );
    assert!(client.find(Locator::Id("sample")).await.is_ok(), "{page}");
    axe(&client, "auditor's page with a sample").await;

    // An insider rewrites the sealed bundle's bytes in the store: the page says so.
    let db_file = dir.path().join("ui.db");
    let out = Command::new("sqlite3")
        .arg(&db_file)
        .arg(
            "UPDATE blob_chunks SET data = X'00', encoding = 'identity' WHERE sha256 = \
             (SELECT b.sha256 FROM bundles b JOIN releases r ON r.id = b.release_id \
             WHERE r.name = '1.0');",
        )
        .output()
        .expect("sqlite3 (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    client
        .goto(&format!("{base}/ui/projects/shop/audit"))
        .await
        .expect("auditor's page");
    let page = client.source().await.expect("source");
    assert!(!page.contains(">verified<"), "{page}");
    assert!(
        page.contains("failed: the stored bundle cannot be read"),
        "{page}"
    );
    client.close().await.expect("close");
}
