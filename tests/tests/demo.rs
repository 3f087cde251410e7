//! `scanledger demo` as a newcomer runs it: it loads, serves, prints where and with which
//! passwords; an auditor signs in to the web UI with the printed password and sees the release
//! page. A second run finds the demo there and gives the users new passwords.

use crate::serve::scanledger;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Demo {
    child: Child,
    /// Everything it printed on standard output up to "Press Ctrl-C".
    out: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(dir: &std::path::Path) -> Demo {
        let mut child = scanledger()
            .args(["demo", "--bind", "127.0.0.1:0"])
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.join("demo.db").display()),
            )
            .env_remove("SCANLEDGER_KEY_DIR")
            .env_remove("SCANLEDGER_SIGNING_KEY")
            .env_remove("SCANLEDGER_BIND")
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the demo");
        let stdout = child.stdout.take().expect("stdout");
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = String::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                out.push_str(&line);
                out.push('\n');
                if line.contains("Press Ctrl-C") {
                    let _ = send.send(out.clone());
                }
            }
            let _ = send.send(out);
        });
        let out = receive
            .recv_timeout(Duration::from_secs(300))
            .expect("the demo did not print its URL in time");
        assert!(
            out.contains("Press Ctrl-C"),
            "the demo stopped early: {out}"
        );
        Demo { child, out }
    }

    /// The value after `label` on the line that has it.
    fn after(&self, line_has: &str, label: &str) -> String {
        self.out
            .lines()
            .find(|l| l.contains(line_has))
            .and_then(|l| l.split(label).nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no {label} on a line with {line_has}: {}", self.out))
            .to_string()
    }

    /// host:port of the printed release page, and the page's path.
    fn release_page(&self) -> (String, String) {
        let url = self.after("release page", "release page:");
        let rest = url.strip_prefix("http://").expect("http URL");
        let (addr, path) = rest.split_once('/').expect("a path");
        (addr.to_string(), format!("/{path}"))
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        self.child.wait().expect("wait")
    }
}

/// One HTTP/1.1 request: status, headers (lower-case names) and body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(text.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// The `name=value` of the cookie `name` a response sets.
fn cookie(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {headers:?}"))
        .to_string()
}

/// What a form value keeps as it is: ASCII letters, digits and `-_.`.
const FORM_SAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

fn form_encode(value: &str) -> String {
    utf8_percent_encode(value, FORM_SAFE).to_string()
}

/// Signs in on the UI's form; the session cookie.
fn sign_in(addr: &str, user: &str, password: &str) -> Result<String, u16> {
    let (status, headers, body) = request(addr, "GET", "/ui/login", &[], "");
    assert_eq!(status, 200, "{body}");
    let login_cookie = cookie(&headers, "sl_login_csrf");
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf field");
    let form = format!(
        "user={}&password={}&csrf={}&next=",
        form_encode(user),
        form_encode(password),
        form_encode(csrf)
    );
    let (status, headers, _) = request(
        addr,
        "POST",
        "/ui/login",
        &[
            ("Cookie", &login_cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form,
    );
    if status != 303 {
        return Err(status);
    }
    Ok(cookie(&headers, "sl_session"))
}

#[test]
fn the_demo_serves_and_an_auditor_signs_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = Demo::start(dir.path());
    assert!(demo.out.contains("imported"), "{}", demo.out);
    for role in ["auditor", "triager", "admin"] {
        assert!(
            demo.out
                .lines()
                .any(|l| l.trim_start().starts_with(role) && l.contains("password")),
            "no {role} credentials: {}",
            demo.out
        );
    }
    let user = demo.after("  auditor", "user");
    let password = demo.after("  auditor", "password");
    let (addr, page) = demo.release_page();
    assert_ne!(addr, "127.0.0.1:0", "the real port is printed");

    // Not signed in: sent to the sign-in page.
    let (status, _, _) = request(&addr, "GET", &page, &[], "");
    assert_eq!(status, 303);
    assert!(sign_in(&addr, &user, "not the password").is_err());
    let session = sign_in(&addr, &user, &password).expect("signed in");
    let (status, _, body) = request(&addr, "GET", &page, &[("Cookie", &session)], "");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("1.1.0") && body.contains("demo-shop"),
        "{body}"
    );
    let first = demo.stop();
    assert!(first.success(), "SIGTERM: {first:?}");

    // The second run: already there, new passwords; the old ones no longer work.
    let demo = Demo::start(dir.path());
    assert!(demo.out.contains("already there"), "{}", demo.out);
    assert!(!demo.out.contains("imported"), "{}", demo.out);
    let (addr, page) = demo.release_page();
    let new_password = demo.after("  auditor", "password");
    assert_ne!(new_password, password);
    assert!(sign_in(&addr, &user, &password).is_err());
    let session = sign_in(&addr, &user, &new_password).expect("signed in again");
    let (status, _, body) = request(&addr, "GET", &page, &[("Cookie", &session)], "");
    assert_eq!(status, 200, "{body}");
    drop(demo);

    // The password changes are in the audit log, and the chain holds.
    let out = scanledger()
        .args([
            "audit",
            "list",
            "--action",
            "user.password",
            "--format",
            "json",
        ])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("demo.db").display()),
        )
        .output()
        .expect("audit list");
    let events: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(events.len(), 3, "{events:?}");
}
