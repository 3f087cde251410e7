//! Issue 16, hardening after an attack run: each test here failed before its fix.

use crate::harness::{backends, bearer, import_fixture, report, state, token};
use actix_web::test;
use base64::Engine;
use schema::{AuditQuery, AuthLimits, Grant, Role, Store};
use server::ServerConfig;
use std::net::SocketAddr;

const PASSWORD: &str = "a long enough password";

fn user(store: &Store, name: &str) {
    store
        .create_user(
            &Grant {
                name,
                role: Role::Auditor,
                project: None,
                created_by: "test",
            },
            PASSWORD,
        )
        .expect("user");
}

fn basic(user: &str, password: &str) -> (&'static str, String) {
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    ("Authorization", format!("Basic {pair}"))
}

fn from(address: &str) -> SocketAddr {
    format!("{address}:40000").parse().expect("address")
}

async fn json<S, B>(app: &S, req: test::TestRequest) -> (u16, serde_json::Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let response = test::call_service(app, req.to_request()).await;
    let status = response.status().as_u16();
    let body = test::read_body(response).await;
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

/// Wrong API passwords count like wrong sign-ins, and a locked user name is locked on the API
/// too: the right password is refused with 429 until the lock ends. The lock is audit-logged.
#[actix_web::test]
async fn api_basic_passwords_are_counted_and_locked_out() {
    for t in backends() {
        user(&t.store, "bob");
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let whoami = |password: &str| {
            test::TestRequest::get()
                .uri("/api/v1/whoami")
                .peer_addr(from("10.0.0.1"))
                .insert_header(basic("bob", password))
        };
        assert_eq!(json(&app, whoami(PASSWORD)).await.0, 200, "{}", t.name);
        let mut last = 0;
        for _ in 0..schema::MAX_FAILURES {
            last = json(&app, whoami("guess")).await.0;
        }
        assert_eq!(last, 429, "{}: the failure that locks says so", t.name);
        let (status, body) = json(&app, whoami(PASSWORD)).await;
        assert_eq!(
            status, 429,
            "{}: locked, even the right password: {body}",
            t.name
        );
        assert_eq!(body["error"]["code"], "too_many_requests", "{body}");
        let events = t
            .store
            .audit_list(&AuditQuery {
                action: Some("auth.lockout".into()),
                ..Default::default()
            })
            .expect("audit");
        assert_eq!(events.len(), 1, "{}: {events:?}", t.name);
        assert!(events[0].subject.contains("bob"), "{:?}", events[0]);
    }
}

/// Many wrong passwords from one address, each for another name, lock the address: then even
/// a right password from there is refused, while other addresses are not affected.
#[actix_web::test]
async fn wrong_passwords_from_one_address_lock_that_address() {
    for t in backends() {
        user(&t.store, "carol");
        let store = t.store.clone().with_auth_limits(AuthLimits {
            address_failures: 3,
            ..AuthLimits::default()
        });
        let app = test::init_service(server::app(state(&store, ServerConfig::default()))).await;
        let whoami = |address: &str, user: &str, password: &str| {
            test::TestRequest::get()
                .uri("/api/v1/whoami")
                .peer_addr(from(address))
                .insert_header(basic(user, password))
        };
        for name in ["x1", "x2", "x3"] {
            json(&app, whoami("10.0.0.7", name, "guess")).await;
        }
        let (status, body) = json(&app, whoami("10.0.0.7", "carol", PASSWORD)).await;
        assert_eq!(status, 429, "{}: {body}", t.name);
        let (status, body) = json(&app, whoami("10.0.0.8", "carol", PASSWORD)).await;
        assert_eq!(status, 200, "{}: {body}", t.name);
        let events = t
            .store
            .audit_list(&AuditQuery {
                action: Some("auth.lockout".into()),
                ..Default::default()
            })
            .expect("audit");
        assert!(
            events.iter().any(|e| e.subject.contains("10.0.0.7")),
            "{}: {events:?}",
            t.name
        );
    }
}

/// A flood of made-up tokens from one address gets 429 once past the limit; other addresses
/// and their valid tokens are not affected.
#[actix_web::test]
async fn invalid_token_floods_are_limited_per_address() {
    for t in backends() {
        let good = token(&t.store, Role::Auditor, None);
        let config = ServerConfig {
            bad_tokens_per_minute: 3,
            ..ServerConfig::default()
        };
        let app = test::init_service(server::app(state(&t.store, config))).await;
        let call = |address: &str, secret: &str| {
            test::TestRequest::get()
                .uri("/api/v1/whoami")
                .peer_addr(from(address))
                .insert_header(bearer(secret))
        };
        for bad in ["nonsense", "slt_0000", "slt_abcd"] {
            assert_eq!(json(&app, call("10.0.0.9", bad)).await.0, 401, "{}", t.name);
        }
        let (status, body) = json(&app, call("10.0.0.9", "slt_ffff")).await;
        assert_eq!(status, 429, "{}: {body}", t.name);
        assert_eq!(body["error"]["code"], "too_many_requests");
        assert_eq!(
            json(&app, call("10.0.0.10", &good)).await.0,
            200,
            "{}",
            t.name
        );
    }
}

/// An unknown user name is checked against a dummy argon2 hash, like a known one against its
/// own: the dummy path is taken (so both cost one verification).
#[actix_web::test]
async fn unknown_user_names_cost_an_argon2_verification_too() {
    for t in backends() {
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let before = schema::dummy_verifications();
        let req = test::TestRequest::get()
            .uri("/api/v1/whoami")
            .peer_addr(from("10.0.1.1"))
            .insert_header(basic("nobody-by-this-name", "whatever it is"));
        assert_eq!(json(&app, req).await.0, 401, "{}", t.name);
        assert!(schema::dummy_verifications() > before, "{}", t.name);
    }
}

/// Unknown filter values are refused, naming the parameter and the values it takes.
#[actix_web::test]
async fn unknown_filter_values_are_refused_by_name() {
    for t in backends() {
        let admin = token(&t.store, Role::Admin, None);
        import_fixture(&t.store, "shop", "1.0", 1);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        for (query, parameter, allowed) in [
            ("status=bogus", "status", "false_positive"),
            ("status=open,bogus", "status", "accepted"),
            ("severity=nope", "severity", "critical"),
            ("min_severity=nope", "min_severity", "critical"),
            ("kind=nope", "kind", "vulnerability"),
            ("sort=nope", "sort", "rule_id"),
        ] {
            let req = test::TestRequest::get()
                .uri(&format!(
                    "/api/v1/projects/shop/releases/1.0/findings?{query}"
                ))
                .insert_header(bearer(&admin));
            let (status, body) = json(&app, req).await;
            assert_eq!(status, 400, "{}: {query}: {body}", t.name);
            assert_eq!(body["error"]["details"]["parameter"], parameter, "{body}");
            assert!(
                body["error"]["details"]["allowed"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == allowed)),
                "{body}"
            );
        }
        let req = test::TestRequest::get()
            .uri("/api/v1/projects/shop/releases/1.0/findings?status=open,confirmed")
            .insert_header(bearer(&admin));
        assert_eq!(json(&app, req).await.0, 200, "{}", t.name);
    }
}

/// The sign-in form's CSRF check: a cookie and a form token an attacker made up together (a
/// planted cookie) do not sign anyone in; only the pair the server handed out does, once.
#[actix_web::test]
async fn a_planted_sign_in_cookie_is_not_a_csrf_token() {
    for t in backends() {
        user(&t.store, "dave");
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let planted = "a".repeat(64);
        let req = test::TestRequest::post()
            .uri("/ui/login")
            .insert_header(("Cookie", format!("sl_login_csrf={planted}")))
            .set_form([
                ("user", "dave"),
                ("password", PASSWORD),
                ("csrf", planted.as_str()),
            ]);
        let response = test::call_service(&app, req.to_request()).await;
        assert_eq!(response.status().as_u16(), 403, "{}", t.name);
        assert!(
            response
                .response()
                .cookies()
                .all(|c| c.name() != "sl_session"),
            "{}",
            t.name
        );
        // The real form works, once.
        let form =
            test::call_service(&app, test::TestRequest::get().uri("/ui/login").to_request()).await;
        let cookie = form
            .response()
            .cookies()
            .find(|c| c.name() == "sl_login_csrf")
            .map(|c| c.value().to_string())
            .expect("form cookie");
        let page = String::from_utf8_lossy(&test::read_body(form).await).to_string();
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("csrf field")
            .to_string();
        let sign_in = || {
            test::TestRequest::post()
                .uri("/ui/login")
                .insert_header(("Cookie", format!("sl_login_csrf={cookie}")))
                .set_form([
                    ("user", "dave"),
                    ("password", PASSWORD),
                    ("csrf", csrf.as_str()),
                ])
        };
        let response = test::call_service(&app, sign_in().to_request()).await;
        assert_eq!(response.status().as_u16(), 303, "{}", t.name);
        let response = test::call_service(&app, sign_in().to_request()).await;
        assert_eq!(response.status().as_u16(), 403, "{}: used up", t.name);
    }
}

/// NUL and other control characters in a label or a scan target are refused with 422 on both
/// backends (PostgreSQL cannot store NUL, SQLite would have), and nothing is stored.
#[actix_web::test]
async fn control_characters_in_labels_and_targets_are_refused() {
    for t in backends() {
        let admin = token(&t.store, Role::Admin, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let mut poisoned: serde_json::Value =
            serde_json::from_slice(&report(21)).expect("report is JSON");
        poisoned["ArtifactName"] = serde_json::Value::String("shop\u{0}evil:1.0".into());
        let poisoned = serde_json::to_vec(&poisoned).expect("JSON");
        let before = t.store.row_counts().expect("counts");
        for (query, body) in [
            ("?label=a%00b", report(22)),
            ("?label=line%0Abreak", report(23)),
            ("?label=bell%07", report(24)),
            ("", poisoned),
        ] {
            let req = test::TestRequest::post()
                .uri(&format!("/api/v1/projects/shop/releases/1.0/scans{query}"))
                .insert_header(bearer(&admin))
                .insert_header(("Content-Type", "application/octet-stream"))
                .set_payload(body);
            let (status, body) = json(&app, req).await;
            assert_eq!(status, 422, "{}: {query:?}: {body}", t.name);
            assert_eq!(body["error"]["code"], "control_character", "{body}");
        }
        assert_eq!(t.store.row_counts().expect("counts"), before, "{}", t.name);
    }
}

/// At start a server removes the spool directories of processes that are gone (a `kill -9`
/// mid-upload leaves one), and never one whose process still runs (a replica sharing the
/// upload directory).
#[actix_web::test]
async fn crashed_processes_spool_files_are_cleaned_at_start() {
    let base = tempfile::tempdir().expect("dir");
    // What a process killed mid-upload leaves: its directory, its unlocked lock file, a
    // half-written spool file.
    let dead = base.path().join("scanledger-spool-dead1");
    std::fs::create_dir(&dead).expect("dir");
    std::fs::write(dead.join(".lock"), b"").expect("lock");
    std::fs::write(dead.join(".tmpUpload"), b"half a report").expect("spool");
    // A live replica's directory: its lock is held.
    let live = base.path().join("scanledger-spool-live1");
    std::fs::create_dir(&live).expect("dir");
    let held = std::fs::File::create(live.join(".lock")).expect("lock");
    held.try_lock().expect("lock it");
    std::fs::write(live.join(".tmpUpload"), b"an upload in flight").expect("spool");
    // Files that are not spool directories are not touched.
    std::fs::write(base.path().join("unrelated"), b"x").expect("file");

    let t = backends().remove(0);
    let config = ServerConfig {
        upload_dir: Some(base.path().to_path_buf()),
        ..ServerConfig::default()
    };
    let app_state = state(&t.store, config);
    assert!(!dead.exists(), "a crashed process's spool is removed");
    assert!(
        live.join(".tmpUpload").exists(),
        "a live replica's spool stays"
    );
    assert!(base.path().join("unrelated").exists());
    let own = app_state.spool.path().to_path_buf();
    assert!(own.starts_with(base.path()) && own != live);
    // Uploads spool into the process's own directory, and leave nothing there.
    let admin = token(&t.store, Role::Admin, None);
    let app = test::init_service(server::app(app_state)).await;
    let req = test::TestRequest::post()
        .uri("/api/v1/projects/shop/releases/1.0/scans")
        .insert_header(bearer(&admin))
        .insert_header(("Content-Type", "application/octet-stream"))
        .set_payload(report(31));
    assert_eq!(json(&app, req).await.0, 201);
    let left: Vec<_> = std::fs::read_dir(&own)
        .expect("own dir")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != ".lock")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    drop(app);
    drop(held);
}

/// An upload whose body trickles and then stalls is cut off with 408 after the read timeout,
/// over a real socket: a slow client does not hold its slot forever.
#[actix_web::test]
async fn a_stalled_upload_body_times_out() {
    use std::io::{Read, Write};
    let t = backends().remove(0);
    let admin = token(&t.store, Role::Admin, None);
    let config = ServerConfig {
        upload_read_timeout_secs: 1,
        ..ServerConfig::default()
    };
    let app_state = state(&t.store, config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let server = actix_web::HttpServer::new(move || server::app(app_state.clone()))
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut tcp = std::net::TcpStream::connect(address).expect("connect");
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        write!(
            tcp,
            "POST /api/v1/projects/shop/releases/1.0/scans HTTP/1.1\r\nHost: {address}\r\n\
             Authorization: Bearer {admin}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: 100000\r\n\r\n"
        )
        .expect("headers");
        // A few bytes, slowly (each gap shorter than the timeout), then nothing.
        for byte in b"{\"Sc" {
            tcp.write_all(&[*byte]).expect("byte");
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = tcp.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        (
            String::from_utf8_lossy(&answer).to_string(),
            started.elapsed(),
        )
    })
    .await
    .expect("client");
    handle.stop(false).await;
    assert!(
        answer.0.starts_with("HTTP/1.1 408"),
        "the stalled upload got: {:?}",
        answer.0
    );
    assert_eq!(t.store.row_counts().expect("counts")["scans"], 0);
}
