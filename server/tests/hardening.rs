//! Issue 16, hardening after an attack run: each test here failed before its fix.

use crate::harness::{backends, bearer, report, state, token};
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
        t.store
            .import_scan(
                &schema::ImportRequest {
                    project: "shop",
                    release: "1.0",
                    label: None,
                    format: None,
                    file_name: None,
                    uploaded_by: "fixture",
                    request_id: None,
                    progress: None,
                },
                &report(1),
            )
            .expect("upload");
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
