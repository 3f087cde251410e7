//! The web UI through the real app: sign-in and sessions, CSRF, security headers, every page
//! and form, roles (an auditor sees no form that changes anything and is refused anyway), the
//! escaping of attacker-controlled finding text, and pagination. On both backends.

use crate::harness::{backends, report, state};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test;
use schema::{Grant, Role, Store};
use server::ServerConfig;

const PASSWORD: &str = "correct horse battery";

fn user(store: &Store, name: &str, role: Role, project: Option<&str>) {
    store
        .create_user(
            &Grant {
                name,
                role,
                project,
                created_by: "test",
            },
            PASSWORD,
        )
        .expect("user");
}

fn upload(store: &Store, project: &str, release: &str, bytes: &[u8]) -> i64 {
    store
        .import_scan(
            &schema::ImportRequest {
                project,
                release,
                label: None,
                format: None,
                file_name: None,
                uploaded_by: "fixture",
                request_id: None,
                progress: None,
            },
            &bytes,
        )
        .expect("upload")
        .scan_id
        .get()
}

fn trivy(findings: usize, seed: u64) -> Vec<u8> {
    testdata::synthetic::trivy_report(&testdata::synthetic::SyntheticOptions {
        findings,
        seed,
        artifact: format!("shop:{seed}"),
        generation: 0,
    })
}

/// A report whose titles are hostile HTML.
fn hostile() -> Vec<u8> {
    fn walk(v: &mut serde_json::Value, n: &mut u32) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if k == "Title" {
                        *n += 1;
                        *val = serde_json::Value::String(format!(
                            "<script>alert({n})</script><img src=x onerror=alert(1)><b>bold</b> & \"quoted\""
                        ));
                    } else {
                        walk(val, n);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, n)),
            _ => {}
        }
    }
    let mut json: serde_json::Value = serde_json::from_slice(&report(4242)).expect("json");
    let mut n = 0;
    walk(&mut json, &mut n);
    assert!(n > 0);
    serde_json::to_vec(&json).expect("json")
}

/// A browser: keeps the session cookie and the page's CSRF token.
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            cookies: Vec::new(),
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember<B>(&mut self, res: &ServiceResponse<B>) {
        for c in res.response().cookies() {
            self.cookies.retain(|(n, _)| n != c.name());
            if !c.value().is_empty() {
                self.cookies
                    .push((c.name().to_string(), c.value().to_string()));
            }
        }
    }
}

struct Reply {
    status: u16,
    headers: actix_web::http::header::HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("csrf field")
            + 19;
        self.body[at..at + 64].to_string()
    }
}

async fn send<S, B>(app: &S, browser: &mut Browser, req: test::TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = req;
    if !browser.cookies.is_empty() {
        req = req.insert_header(("Cookie", browser.header()));
    }
    let res = test::call_service(app, req.to_request()).await;
    browser.remember(&res);
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = test::read_body(res).await;
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn get<S, B>(app: &S, browser: &mut Browser, uri: &str) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(app, browser, test::TestRequest::get().uri(uri)).await
}

async fn post<S, B>(app: &S, browser: &mut Browser, uri: &str, form: &[(&str, &str)]) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(
        app,
        browser,
        test::TestRequest::post()
            .uri(uri)
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(serde_urlencoded::to_string(form).expect("form")),
    )
    .await
}

/// Signs in through the form; returns the browser and the CSRF token of its session.
async fn sign_in<S, B>(app: &S, name: &str) -> (Browser, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut b = Browser::new();
    let form = get(app, &mut b, "/ui/login").await;
    assert_eq!(form.status, 200);
    let token = form.csrf();
    let r = post(
        app,
        &mut b,
        "/ui/login",
        &[
            ("user", name),
            ("password", PASSWORD),
            ("csrf", &token),
            ("next", "/ui"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/ui");
    let home = get(app, &mut b, "/ui").await;
    assert_eq!(home.status, 200, "{}", home.body);
    let csrf = home.csrf();
    (b, csrf)
}

fn assert_security_headers(r: &Reply) {
    let h = |n: &str| {
        r.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = h("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert!(!h("referrer-policy").is_empty());
}

/// No inline script or style, no event handler attribute anywhere in our markup.
fn assert_no_inline_code(body: &str) {
    assert!(!body.contains("<script"), "{body}");
    assert!(!body.contains("<style"), "{body}");
    assert!(!body.contains(" style=\""), "{body}");
    assert!(!body.contains("<img"), "{body}");
    assert!(!body.contains("javascript:"), "{body}");
}

#[actix_web::test]
async fn sign_in_rotates_sessions_and_sign_out_ends_them() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let mut anon = Browser::new();

        // Not signed in: the sign-in page, remembering where the user wanted to go.
        let r = get(&app, &mut anon, "/ui/audit?action=triage").await;
        assert_eq!(r.status, 303);
        assert_eq!(
            r.location(),
            "/ui/login?next=%2Fui%2Faudit%3Faction%3Dtriage"
        );
        let r = get(&app, &mut anon, "/").await;
        assert_eq!((r.status, r.location().as_str()), (303, "/ui"));

        let form = get(&app, &mut anon, "/ui/login").await;
        assert_eq!(form.status, 200);
        assert_security_headers(&form);
        assert_no_inline_code(&form.body);
        assert!(form.body.contains("<label for=\"user\">"));
        let token = form.csrf();

        // The sign-in form's own CSRF defence: the cookie must match the field.
        let mut stranger = Browser::new();
        let r = post(
            &app,
            &mut stranger,
            "/ui/login",
            &[("user", "alice"), ("password", PASSWORD), ("csrf", &token)],
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(stranger.cookie("sl_session").is_none());

        // Wrong password: refused, no session.
        let r = post(
            &app,
            &mut anon,
            "/ui/login",
            &[("user", "alice"), ("password", "nope"), ("csrf", &token)],
        )
        .await;
        assert_eq!(r.status, 401);
        assert!(r.body.contains("Wrong user name or password"));
        assert!(anon.cookie("sl_session").is_none());

        // Right password: a session cookie, HttpOnly, SameSite=Lax; an open redirect is refused.
        let token = r.csrf();
        let res = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/ui/login")
                .insert_header(("Cookie", anon.header()))
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(
                    serde_urlencoded::to_string([
                        ("user", "alice"),
                        ("password", PASSWORD),
                        ("csrf", token.as_str()),
                        ("next", "//evil.example/ui"),
                    ])
                    .expect("form"),
                )
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(res.headers().get("location").expect("location"), "/ui");
        let set_cookie: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let session = set_cookie
            .iter()
            .find(|c| c.starts_with("sl_session="))
            .expect("session cookie");
        assert!(session.contains("HttpOnly"), "{session}");
        assert!(session.contains("SameSite=Lax"), "{session}");
        assert!(session.contains("Path=/ui"), "{session}");
        assert!(!session.contains("Secure"), "plain HTTP: {session}");
        anon.remember(&res);
        let first = anon.cookie("sl_session").expect("session");
        let home = get(&app, &mut anon, "/ui").await;
        assert_eq!(home.status, 200);
        assert!(home.body.contains("alice (admin, all projects)"));

        // Signing in again rotates the id; the old one is dead.
        let (mut again, _) = sign_in(&app, "alice").await;
        let mut old = Browser::new();
        old.cookies.push(("sl_session".into(), first.clone()));
        let form = get(&app, &mut old, "/ui/login").await;
        let r = post(
            &app,
            &mut old,
            "/ui/login",
            &[
                ("user", "alice"),
                ("password", PASSWORD),
                ("csrf", &form.csrf()),
            ],
        )
        .await;
        assert_eq!(r.status, 303);
        let second = old.cookie("sl_session").expect("new session");
        assert_ne!(first, second);
        let mut stale = Browser::new();
        stale.cookies.push(("sl_session".into(), first));
        assert_eq!(get(&app, &mut stale, "/ui").await.status, 303);
        // The session id is not stored in the clear.
        assert!(t.store.session(&second).expect("session").is_some());

        // The cookie does not authenticate the JSON API (which has no CSRF defence).
        let r = get(&app, &mut old, "/api/v1/whoami").await;
        assert_eq!(r.status, 401);

        // Sign-out needs the CSRF token, then ends the session.
        let home = get(&app, &mut again, "/ui").await;
        let csrf = home.csrf();
        let r = post(&app, &mut again, "/ui/logout", &[("csrf", "0000")]).await;
        assert_eq!(r.status, 403);
        assert_eq!(get(&app, &mut again, "/ui").await.status, 200);
        let session = again.cookie("sl_session").expect("session");
        let r = post(&app, &mut again, "/ui/logout", &[("csrf", &csrf)]).await;
        assert_eq!((r.status, r.location().as_str()), (303, "/ui/login"));
        assert!(t.store.session(&session).expect("session").is_none());
        assert_eq!(get(&app, &mut again, "/ui").await.status, 303);
    }
}

#[actix_web::test]
async fn repeated_failures_lock_the_user_out() {
    for t in backends() {
        user(&t.store, "bob", Role::Triager, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let mut b = Browser::new();
        let mut last = 0;
        for _ in 0..schema::MAX_FAILURES {
            let token = get(&app, &mut b, "/ui/login").await.csrf();
            last = post(
                &app,
                &mut b,
                "/ui/login",
                &[("user", "bob"), ("password", "guess"), ("csrf", &token)],
            )
            .await
            .status;
        }
        assert_eq!(last, 429);
        // Locked: even the right password is refused.
        let token = get(&app, &mut b, "/ui/login").await.csrf();
        let r = post(
            &app,
            &mut b,
            "/ui/login",
            &[("user", "bob"), ("password", PASSWORD), ("csrf", &token)],
        )
        .await;
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.body.contains("locked until"));
        assert!(b.cookie("sl_session").is_none());
    }
}

#[actix_web::test]
async fn every_page_renders_for_an_admin_with_headers_and_no_inline_code() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        let scan = upload(&t.store, "shop", "1.0", &trivy(30, 1));
        upload(&t.store, "shop", "1.1", &trivy(30, 2));
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        let fp = t
            .store
            .findings_page(
                "shop",
                "1.1",
                &schema::PageRequest {
                    limit: 1,
                    ..Default::default()
                },
            )
            .expect("page")
            .findings[0]
            .fingerprint
            .clone();
        for (uri, want) in [
            ("/ui", "Dashboard"),
            ("/ui/projects/shop", "Releases"),
            (
                "/ui/projects/shop/releases/1.1",
                "Findings, most severe first",
            ),
            ("/ui/projects/shop/releases/1.1?view=gate", "Gate:"),
            (
                "/ui/projects/shop/releases/1.1?view=diff",
                "Changes from 1.0 to 1.1",
            ),
            ("/ui/projects/shop/releases/1.0?view=diff", "first release"),
            (
                &format!("/ui/projects/shop/releases/1.1/findings/{fp}"),
                "Triage history",
            ),
            ("/ui/audit", "Audit log"),
            ("/ui/audit?project=shop&action=scan.import", "Audit log"),
            ("/ui/admin/users", "Add a user"),
            ("/ui/admin/tokens", "Create a token"),
            ("/ui/admin/projects", "Create a project"),
        ] {
            let r = get(&app, &mut b, uri).await;
            assert_eq!(r.status, 200, "{} {uri}: {}", t.name, r.body);
            assert!(r.body.contains(want), "{uri} lacks {want:?}");
            assert_security_headers(&r);
            assert_no_inline_code(&r.body);
            assert!(r.body.starts_with("<!doctype html>"));
            assert!(r.body.contains("<html lang=\"en\">"));
            // Every visible field has a label.
            for id in r.body.split("<input id=\"").skip(1) {
                let id = &id[..id.find('"').expect("id")];
                assert!(
                    r.body.contains(&format!("<label for=\"{id}\">")),
                    "{uri}: {id}"
                );
            }
        }
        for (format, want) in [("pdf", "%PDF"), ("forum-post", "shop"), ("html", "<!")] {
            let r = get(
                &app,
                &mut b,
                &format!("/ui/projects/shop/releases/1.1/report/{format}"),
            )
            .await;
            assert_eq!(r.status, 200, "{format}: {}", r.body);
            assert!(
                r.body.starts_with(want) || r.body.contains(want),
                "{format}"
            );
        }
        assert_eq!(
            get(&app, &mut b, "/ui/projects/shop/releases/1.1/report/exe")
                .await
                .status,
            404
        );
        let r = get(&app, &mut b, "/ui/static/style.css").await;
        assert_eq!(r.status, 200);
        assert!(
            r.headers
                .get("content-type")
                .expect("type")
                .to_str()
                .expect("type")
                .starts_with("text/css")
        );
        assert_eq!(get(&app, &mut b, "/ui/static/nope.js").await.status, 404);
        let r = get(&app, &mut b, &format!("/ui/projects/shop/scans/{scan}/raw")).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Results"));
        let r = get(&app, &mut b, "/ui/projects/nope").await;
        assert_eq!(r.status, 404);
        assert!(
            r.body.contains("<!doctype html>"),
            "HTML error page: {}",
            r.body
        );
        let r = get(
            &app,
            &mut b,
            "/ui/projects/shop/releases/1.1?severity=bogus",
        )
        .await;
        assert_eq!(r.status, 400);
    }
}

#[actix_web::test]
async fn hostile_finding_text_is_shown_as_text() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        upload(&t.store, "shop", "1.0", &hostile());
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        let page = get(&app, &mut b, "/ui/projects/shop/releases/1.0").await;
        assert_eq!(page.status, 200);
        assert_no_inline_code(&page.body);
        assert!(!page.body.contains("<b>bold</b>"));
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            page.body
        );
        let fp = t
            .store
            .findings_page(
                "shop",
                "1.0",
                &schema::PageRequest {
                    limit: 1,
                    ..Default::default()
                },
            )
            .expect("page")
            .findings[0]
            .fingerprint
            .clone();
        let finding = get(
            &app,
            &mut b,
            &format!("/ui/projects/shop/releases/1.0/findings/{fp}"),
        )
        .await;
        assert_eq!(finding.status, 200);
        assert_no_inline_code(&finding.body);
        assert!(!finding.body.contains("<b>bold</b>"));
        for uri in [
            "/ui",
            "/ui/projects/shop",
            "/ui/projects/shop/releases/1.0?view=gate",
        ] {
            let r = get(&app, &mut b, uri).await;
            assert_no_inline_code(&r.body);
            assert!(!r.body.contains("<b>bold</b>"), "{uri}");
        }
    }
}

#[actix_web::test]
async fn findings_filter_and_paginate() {
    for t in backends() {
        user(&t.store, "alice", Role::Auditor, None);
        upload(&t.store, "shop", "1.0", &trivy(130, 3));
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        let rows = |body: &str| body.matches("/findings/").count();
        let next = |body: &str| {
            let at = body.find("rel=\"next\"")?;
            let start = body[..at].rfind("href=\"")? + 6;
            let end = start + body[start..].find('"')?;
            Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
        };
        let mut uri = "/ui/projects/shop/releases/1.0".to_string();
        let mut seen = 0;
        let mut pages = 0;
        loop {
            let r = get(&app, &mut b, &uri).await;
            assert_eq!(r.status, 200, "{uri}");
            seen += rows(&r.body);
            pages += 1;
            match next(&r.body) {
                Some(n) => uri = n,
                None => break,
            }
        }
        assert_eq!((seen, pages), (130, 3));
        let total_critical = t
            .store
            .release_view(
                "shop",
                "1.0",
                &schema::FindingFilter {
                    severities: vec![importers::Severity::Critical],
                    ..Default::default()
                },
            )
            .expect("view")
            .findings
            .len();
        let r = get(&app, &mut b, "/ui/projects/shop/releases/1.0?severity=critical&kind=vulnerability&tool=trivy&status=open&q=").await;
        assert_eq!(r.status, 200);
        assert_eq!(rows(&r.body), total_critical.min(50));
        assert!(r.body.contains("<option value=\"critical\" selected>"));
        let r = get(
            &app,
            &mut b,
            "/ui/projects/shop/releases/1.0?q=no-such-text-anywhere",
        )
        .await;
        assert!(r.body.contains("No findings match these filters"));
    }
}

#[actix_web::test]
async fn a_triager_triages_through_the_form_and_an_auditor_cannot() {
    for t in backends() {
        user(&t.store, "tri", Role::Triager, Some("shop"));
        user(&t.store, "aud", Role::Auditor, Some("shop"));
        upload(&t.store, "shop", "1.0", &trivy(10, 5));
        upload(&t.store, "other", "1.0", &trivy(10, 6));
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let fp = t
            .store
            .findings_page(
                "shop",
                "1.0",
                &schema::PageRequest {
                    limit: 1,
                    ..Default::default()
                },
            )
            .expect("page")
            .findings[0]
            .fingerprint
            .clone();
        let page = format!("/ui/projects/shop/releases/1.0/findings/{fp}");
        let action = format!("/ui/projects/shop/findings/{fp}/triage");

        // The triager sees the form and uses it.
        let (mut tri, csrf) = sign_in(&app, "tri").await;
        let r = get(&app, &mut tri, &page).await;
        assert!(
            r.body.contains(&format!("action=\"{action}\"")),
            "{}",
            r.body
        );
        let before = t.store.row_counts().expect("counts");
        let r = post(
            &app,
            &mut tri,
            &action,
            &[
                ("status", "false_positive"),
                ("justification", "test code"),
                ("release", "1.0"),
            ],
        )
        .await;
        assert_eq!(r.status, 403, "no CSRF token");
        let r = post(
            &app,
            &mut tri,
            &action,
            &[
                ("csrf", &"f".repeat(64)),
                ("status", "false_positive"),
                ("justification", "test code"),
                ("release", "1.0"),
            ],
        )
        .await;
        assert_eq!(r.status, 403, "wrong CSRF token");
        assert_eq!(t.store.row_counts().expect("counts"), before);
        let r = post(
            &app,
            &mut tri,
            &action,
            &[
                ("csrf", &csrf),
                ("status", "false_positive"),
                ("justification", ""),
                ("release", "1.0"),
            ],
        )
        .await;
        assert_eq!(
            r.status, 400,
            "a false positive needs a justification: {}",
            r.body
        );
        let r = post(
            &app,
            &mut tri,
            &action,
            &[
                ("csrf", &csrf),
                ("status", "false_positive"),
                ("justification", "only in test code"),
                ("release", "1.0"),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), format!("{page}?done=1"));
        let r = get(&app, &mut tri, &r.location()).await;
        assert!(r.body.contains("Decision recorded"));
        assert!(r.body.contains("only in test code"));
        let history = t.store.triage_history("shop", &fp).expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].decided_by, "user:tri");
        let audit = t
            .store
            .audit_list(&schema::AuditQuery {
                project: Some("shop".into()),
                ..Default::default()
            })
            .expect("audit");
        assert!(audit.iter().any(|e| e.actor == "user:tri"));
        let r = get(&app, &mut tri, "/ui/audit").await;
        assert!(r.body.contains("user:tri"));
        // Scoped to its project.
        assert_eq!(get(&app, &mut tri, "/ui/projects/other").await.status, 403);
        let home = get(&app, &mut tri, "/ui").await;
        assert!(!home.body.contains("/ui/projects/other"));
        assert!(!home.body.contains("/ui/admin/users"));
        assert_eq!(get(&app, &mut tri, "/ui/admin/users").await.status, 403);

        // The auditor sees every page without a form that changes anything, and is refused.
        let (mut aud, csrf) = sign_in(&app, "aud").await;
        for uri in [
            page.as_str(),
            "/ui",
            "/ui/projects/shop",
            "/ui/projects/shop/releases/1.0",
            "/ui/audit",
            "/ui/admin/projects",
        ] {
            let r = get(&app, &mut aud, uri).await;
            assert_eq!(r.status, 200, "{uri}");
            let posts = r.body.matches("method=\"post\"").count();
            assert_eq!(posts, 1, "{uri}: only the sign-out form");
            assert!(r.body.contains("action=\"/ui/logout\""));
        }
        let before = t.store.row_counts().expect("counts");
        let r = post(
            &app,
            &mut aud,
            &action,
            &[("csrf", &csrf), ("status", "confirmed"), ("release", "1.0")],
        )
        .await;
        assert_eq!(r.status, 403);
        for uri in ["/ui/admin/users", "/ui/admin/tokens", "/ui/admin/projects"] {
            let r = post(
                &app,
                &mut aud,
                uri,
                &[
                    ("csrf", &csrf),
                    ("name", "x"),
                    ("password", "long enough!"),
                    ("role", "admin"),
                ],
            )
            .await;
            assert_eq!(r.status, 403, "{uri}");
        }
        assert_eq!(t.store.row_counts().expect("counts"), before);
        assert_eq!(
            t.store.triage_history("shop", &fp).expect("history").len(),
            1
        );
    }
}

#[actix_web::test]
async fn admins_manage_users_and_tokens_and_download_bundles() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        upload(&t.store, "shop", "1.0", &trivy(10, 7));
        let key = reports::EvidenceKey::generate().expect("key");
        t.store
            .seal(
                &schema::SealRequest {
                    project: "shop",
                    release: "1.0",
                    sealed_by: "alice",
                    gate: schema::GateOptions::default(),
                    allow_blocked_reason: Some("test"),
                    generator: "scanledger test",
                },
                &key,
            )
            .expect("seal");
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, csrf) = sign_in(&app, "alice").await;

        let r = get(&app, &mut b, "/ui/projects/shop").await;
        assert!(r.body.contains("/ui/projects/shop/releases/1.0/bundle"));
        let res = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/ui/projects/shop/releases/1.0/bundle")
                .insert_header(("Cookie", b.header()))
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers().get("content-type").expect("type"),
            "application/zip"
        );
        let bytes = test::read_body(res).await;
        let mut stored = Vec::new();
        t.store
            .write_bundle("shop", "1.0", &mut stored)
            .expect("bundle");
        assert_eq!(bytes.as_ref(), stored.as_slice());

        let r = post(
            &app,
            &mut b,
            "/ui/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "carol"),
                ("password", "long enough pw"),
                ("role", "auditor"),
                ("project", "shop"),
            ],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("User carol created"));
        assert!(
            t.store
                .users()
                .expect("users")
                .iter()
                .any(|u| u.name == "carol" && u.role == Role::Auditor)
        );
        let r = post(
            &app,
            &mut b,
            "/ui/admin/users",
            &[
                ("name", "mallory"),
                ("password", "long enough pw"),
                ("role", "admin"),
            ],
        )
        .await;
        assert_eq!(r.status, 403);

        let r = post(
            &app,
            &mut b,
            "/ui/admin/tokens",
            &[
                ("csrf", &csrf),
                ("name", "ci"),
                ("role", "uploader"),
                ("project", "shop"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let at = r.body.find("slt_").expect("secret shown once");
        let secret = &r.body[at..at + 68];
        assert!(t.store.authenticate_token(secret).expect("auth").is_some());
        // Shown once: the listing never carries it.
        let r = get(&app, &mut b, "/ui/admin/tokens").await;
        assert!(!r.body.contains(secret));
        let r = post(
            &app,
            &mut b,
            "/ui/admin/tokens",
            &[("name", "ci2"), ("role", "uploader")],
        )
        .await;
        assert_eq!(r.status, 403);
    }
}

/// A sealed release's reports in the UI are its bundle's, as signed: they used to be drafted
/// afresh from the snapshot (another time, the caller's gate, decisions made since).
#[actix_web::test]
async fn a_sealed_release_s_reports_are_its_bundle_s() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        upload(&t.store, "shop", "1.0", &trivy(10, 7));
        let key = reports::EvidenceKey::generate().expect("key");
        crate::harness::seal(&t.store, "shop", "1.0", &key);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        for (format, member_format) in [
            ("pdf", reports::ReportFormat::Pdf),
            ("forum-post", reports::ReportFormat::ForumPost),
            ("html", reports::ReportFormat::Html),
        ] {
            let res = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri(&format!("/ui/projects/shop/releases/1.0/report/{format}"))
                    .insert_header(("Cookie", b.header()))
                    .to_request(),
            )
            .await;
            assert_eq!(res.status().as_u16(), 200, "{format}");
            b.remember(&res);
            let served = test::read_body(res).await;
            let mut bundle = tempfile::tempfile().expect("tempfile");
            t.store
                .write_bundle("shop", "1.0", &mut bundle)
                .expect("bundle");
            std::io::Seek::seek(&mut bundle, std::io::SeekFrom::Start(0)).expect("rewind");
            let mut signed = Vec::new();
            reports::write_bundle_member(bundle, member_format, &mut signed).expect("member");
            assert!(
                served.as_ref() == signed.as_slice(),
                "the UI's {format} report of a sealed release is not its bundle's"
            );
        }
    }
}

#[actix_web::test]
async fn behind_tls_the_session_cookie_is_secure() {
    let t = backends().remove(0);
    user(&t.store, "alice", Role::Auditor, None);
    let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
    let mut b = Browser::new();
    let token = get(&app, &mut b, "/ui/login").await.csrf();
    let res = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/ui/login")
            .insert_header(("Cookie", b.header()))
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(
                serde_urlencoded::to_string([
                    ("user", "alice"),
                    ("password", PASSWORD),
                    ("csrf", token.as_str()),
                ])
                .expect("form"),
            )
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sl_session="))
        .expect("session cookie")
        .to_string();
    assert!(session.contains("Secure"), "{session}");
}

#[actix_web::test]
async fn browsing_records_no_gate_evaluation_and_the_api_does() {
    for t in backends() {
        user(&t.store, "alice", Role::Auditor, None);
        upload(&t.store, "shop", "1.0", &trivy(40, 11));
        upload(&t.store, "shop", "1.1", &trivy(40, 12));
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        let evaluations = |release: &str| {
            t.store
                .gate_evaluation_count("shop", release)
                .expect("count")
        };
        let before = (evaluations("1.0"), evaluations("1.1"));
        for uri in [
            "/ui",
            "/ui/projects/shop",
            "/ui/projects/shop/releases/1.1?view=gate",
            "/ui/projects/shop/releases/1.0?view=gate",
        ] {
            let r = get(&app, &mut b, uri).await;
            assert_eq!(r.status, 200, "{uri}");
        }
        assert_eq!(
            (evaluations("1.0"), evaluations("1.1")),
            before,
            "{}",
            t.name
        );
        // The gate view shows what the recorded gate decides.
        let gate = t
            .store
            .gate("shop", "1.1", &schema::GateOptions::default())
            .expect("gate");
        assert_eq!(evaluations("1.1"), before.1 + 1);
        let r = get(&app, &mut b, "/ui/projects/shop/releases/1.1?view=gate").await;
        let state = gate.verdict.label();
        assert!(
            r.body
                .contains(&format!("<span class=\"gate {state}\">{state}</span>")),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(&format!("{} reasons", gate.reasons.len())),
            "{}: {}",
            t.name,
            r.body
        );
        assert!(r.body.contains("Every reason the gate blocks"));
        // The API's read records nothing either; its POST (CI's gate, an uploader) records.
        let auditor = crate::harness::token(&t.store, Role::Auditor, None);
        let res = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/projects/shop/releases/1.1/gate")
                .insert_header(crate::harness::bearer(&auditor))
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(evaluations("1.1"), before.1 + 1, "{}", t.name);
        let uploader = crate::harness::token(&t.store, Role::Uploader, None);
        let res = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/api/v1/projects/shop/releases/1.1/gate")
                .insert_header(crate::harness::bearer(&uploader))
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(evaluations("1.1"), before.1 + 2, "{}", t.name);

        // Many reasons: the page lists the 500 most severe and says there are more.
        upload(&t.store, "big", "1.0", &trivy(1000, 13));
        t.store
            .set_policy("big", "[gate]\nfail_on = \"low\"\n", "test", None)
            .expect("policy");
        let all = t
            .store
            .gate("big", "1.0", &schema::GateOptions::default())
            .expect("gate");
        assert!(all.reasons.len() > 500, "{}", all.reasons.len());
        let r = get(&app, &mut b, "/ui/projects/big/releases/1.0?view=gate").await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("At least"), "{}", r.body);
        assert!(
            r.body
                .contains("The first 500 reasons the gate blocks, most severe first")
        );
        assert_eq!(r.body.matches("<td>severity-threshold</td>").count(), 500);
    }
}

#[actix_web::test]
async fn admins_create_projects_and_everyone_else_only_lists_them() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        user(&t.store, "aud", Role::Auditor, None);
        user(&t.store, "tri", Role::Triager, Some("shop"));
        upload(&t.store, "shop", "1.0", &trivy(20, 21));
        upload(&t.store, "shop", "1.1", &trivy(20, 22));
        let key = reports::EvidenceKey::generate().expect("key");
        t.store
            .seal(
                &schema::SealRequest {
                    project: "shop",
                    release: "1.1",
                    sealed_by: "alice",
                    gate: schema::GateOptions::default(),
                    allow_blocked_reason: Some("test"),
                    generator: "scanledger test",
                },
                &key,
            )
            .expect("seal");
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut admin, csrf) = sign_in(&app, "alice").await;

        // The table: every project, its releases, the latest one sealed, its open findings.
        let r = get(&app, &mut admin, "/ui/admin/projects").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_security_headers(&r);
        assert_no_inline_code(&r.body);
        assert!(
            r.body
                .contains("<a href=\"/ui/admin/projects\">Projects</a>")
        );
        assert!(r.body.contains("<a href=\"/ui/projects/shop\">shop</a>"));
        assert!(
            r.body
                .contains("<a href=\"/ui/projects/shop/releases/1.1\">1.1</a>")
        );
        assert!(r.body.contains("sealed "), "{}", r.body);
        assert!(r.body.contains("by alice"), "{}", r.body);
        let open = t.store.open_counts("shop", "1.1").expect("counts").total();
        assert!(
            r.body
                .contains(&format!("<td class=\"num\">{open}</td></tr>")),
            "{open}: {}",
            r.body
        );
        assert!(r.body.contains("action=\"/ui/admin/projects\""));
        assert!(r.body.contains("<label for=\"p-name\">"));

        // Creating one: CSRF first, then the store operation, audited with the user.
        let before = t.store.row_counts().expect("counts");
        let stale = "f".repeat(64);
        for form in [
            vec![("name", "mobile")],
            vec![("csrf", stale.as_str()), ("name", "mobile")],
        ] {
            let r = post(&app, &mut admin, "/ui/admin/projects", &form).await;
            assert_eq!(r.status, 403, "{}", r.body);
        }
        assert_eq!(t.store.row_counts().expect("counts"), before);
        let r = post(
            &app,
            &mut admin,
            "/ui/admin/projects",
            &[("csrf", &csrf), ("name", "  mobile  ")],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Project mobile created."));
        assert!(
            r.body
                .contains("<a href=\"/ui/projects/mobile\">mobile</a>")
        );
        let projects = t.store.projects().expect("projects");
        assert!(
            projects
                .iter()
                .any(|p| p.name == "mobile" && p.releases == 0)
        );
        let events = t
            .store
            .audit_list(&schema::AuditQuery {
                project: Some("mobile".into()),
                ..Default::default()
            })
            .expect("audit");
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(
            (events[0].action.as_str(), events[0].actor.as_str()),
            ("project.create", "user:alice")
        );
        assert!(t.store.audit_verify().expect("verify").ok);
        // The new project has its page, empty.
        assert_eq!(
            get(&app, &mut admin, "/ui/projects/mobile").await.status,
            200
        );
        // Names as the API checks them: taken (a conflict), blank, too long, control
        // characters (refused).
        for bad in ["mobile", "   ", &"x".repeat(201), "a\u{7}b"] {
            let before = t.store.row_counts().expect("counts");
            let r = post(
                &app,
                &mut admin,
                "/ui/admin/projects",
                &[("csrf", &csrf), ("name", bad)],
            )
            .await;
            let want = if bad == "mobile" { 409 } else { 400 };
            assert_eq!(r.status, want, "{bad:?}: {}", r.body);
            assert_eq!(t.store.row_counts().expect("counts"), before);
        }

        // An auditor lists every project, sees no form and is refused.
        let (mut aud, aud_csrf) = sign_in(&app, "aud").await;
        let r = get(&app, &mut aud, "/ui/admin/projects").await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("/ui/projects/mobile"));
        assert!(!r.body.contains("action=\"/ui/admin/projects\""));
        assert_eq!(
            r.body.matches("method=\"post\"").count(),
            1,
            "only sign-out"
        );
        let before = t.store.row_counts().expect("counts");
        let events = t.store.audit_verify().expect("verify").events;
        let r = post(
            &app,
            &mut aud,
            "/ui/admin/projects",
            &[("csrf", &aud_csrf), ("name", "sneaky")],
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(t.store.row_counts().expect("counts"), before);
        assert_eq!(t.store.audit_verify().expect("verify").events, events);

        // A scoped user lists its own project only, and may not create any.
        let (mut tri, tri_csrf) = sign_in(&app, "tri").await;
        let r = get(&app, &mut tri, "/ui/admin/projects").await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("/ui/projects/shop"));
        assert!(!r.body.contains("/ui/projects/mobile"));
        let r = post(
            &app,
            &mut tri,
            "/ui/admin/projects",
            &[("csrf", &tri_csrf), ("name", "mine")],
        )
        .await;
        assert_eq!(r.status, 403);
    }
}

#[actix_web::test]
async fn a_tool_status_of_fixed_reads_fix_available() {
    for t in backends() {
        user(&t.store, "alice", Role::Admin, None);
        let bytes = std::fs::read(crate::harness::corpus_dir().join("trivy/all_statuses.json"))
            .expect("corpus file");
        upload(&t.store, "shop", "1.0", &bytes);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut b, _) = sign_in(&app, "alice").await;
        let fixed = t
            .store
            .release_view("shop", "1.0", &schema::FindingFilter::default())
            .expect("view")
            .findings
            .into_iter()
            .find(|f| f.tool_status.as_deref() == Some("fixed"))
            .expect("a finding the tool calls fixed")
            .fingerprint;
        for uri in [
            "/ui/projects/shop/releases/1.0".to_string(),
            format!("/ui/projects/shop/releases/1.0/findings/{fixed}"),
        ] {
            let r = get(&app, &mut b, &uri).await;
            assert_eq!(r.status, 200, "{} {uri}: {}", t.name, r.body);
            assert!(r.body.contains("fix available"), "{uri}: {}", r.body);
            assert!(!r.body.contains("<td>fixed</td>"), "{uri}: {}", r.body);
        }
    }
}

/// The audit page shows the fingerprints of the evidence keys the server trusts (what the
/// operator publishes), or says it has none.
#[actix_web::test]
async fn the_audit_page_shows_the_trusted_evidence_key() {
    let t = backends().remove(0);
    user(&t.store, "alice", Role::Admin, None);
    let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
    let (mut b, _) = sign_in(&app, "alice").await;
    let r = get(&app, &mut b, "/ui/audit").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("no trusted evidence key"), "{}", r.body);

    let key = reports::EvidenceKey::from_seed(&[4; 32]).public();
    let config = ServerConfig {
        trusted_keys: vec![key],
        ..Default::default()
    };
    let app = test::init_service(server::app(state(&t.store, config))).await;
    let (mut b, _) = sign_in(&app, "alice").await;
    let r = get(&app, &mut b, "/ui/audit").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&key.fingerprint()), "{}", r.body);
    assert!(
        r.body.contains("NOT verified"),
        "no check has run: {}",
        r.body
    );
}

/// The auditor's page: the period's controls and population, each sealed bundle verified by
/// the server against its keys and the chain, "not sealed" for an open release; scoped to
/// auditors and admins; a sample drawn with a seed is recorded and drawn again the same.
#[actix_web::test]
async fn the_auditor_s_page_verifies_the_population_and_records_its_sample() {
    for t in backends() {
        user(&t.store, "aud", Role::Auditor, Some("shop"));
        user(&t.store, "adm", Role::Admin, None);
        user(&t.store, "tri", Role::Triager, Some("shop"));
        user(&t.store, "up", Role::Uploader, Some("shop"));
        user(&t.store, "aud-other", Role::Auditor, Some("other"));
        upload(&t.store, "shop", "1.0", &trivy(10, 11));
        upload(&t.store, "shop", "1.1", &trivy(10, 12));
        upload(&t.store, "shop", "1.2", &trivy(10, 13));
        upload(&t.store, "other", "9.0", &trivy(5, 14));
        let key = reports::EvidenceKey::from_seed(&[21; 32]);
        crate::harness::seal(&t.store, "shop", "1.0", &key);
        crate::harness::seal(&t.store, "shop", "1.1", &key);
        let config = ServerConfig {
            signing_key: Some(server::config::SigningKey::new(
                reports::EvidenceKey::from_seed(&[21; 32]),
                Vec::new(),
            )),
            ..Default::default()
        };
        let app = test::init_service(server::app(state(&t.store, config))).await;
        let page = "/ui/projects/shop/audit";

        let (mut aud, csrf) = sign_in(&app, "aud").await;
        let r = get(&app, &mut aud, "/ui/projects/shop").await;
        assert!(r.body.contains(&format!("href=\"{page}\"")), "{}", r.body);
        let r = get(&app, &mut aud, page).await;
        assert_eq!(r.status, 200, "{} {}", t.name, r.body);
        assert_security_headers(&r);
        assert_no_inline_code(&r.body);
        assert_eq!(
            r.body
                .matches("<span class=\"verify ok\">verified</span>")
                .count(),
            2,
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("<span class=\"verify none\">not sealed</span>"),
            "{}",
            r.body
        );
        assert!(r.body.contains("release 1.2 is not sealed"), "{}", r.body);
        assert!(r.body.contains("/ui/projects/shop/releases/1.0/bundle"));
        assert!(r.body.contains("<td>alice</td>"), "the sealer: {}", r.body);
        assert!(r.body.contains("at sealing (allowed: test)"), "{}", r.body);
        assert!(r.body.contains("(now; not sealed)"), "{}", r.body);
        // The controls as audit-pack computes them: the open release is every criterion's gap.
        assert!(
            r.body
                .contains("<span class=\"control exception\">exception</span>"),
            "{}",
            r.body
        );
        assert!(!r.body.contains("/ui/projects/other"));

        // A period without releases; bad periods.
        let r = get(
            &app,
            &mut aud,
            &format!("{page}?from=2000-01-01&to=2000-01-31"),
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains("No release of shop was created in the period"),
            "{}",
            r.body
        );
        let r = get(&app, &mut aud, &format!("{page}?from=2000-13-01")).await;
        assert_eq!(r.status, 400, "{}", r.body);
        let r = get(
            &app,
            &mut aud,
            &format!("{page}?from=2001-01-02&to=2001-01-01"),
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.body);

        // The sample: CSRF first, then a seeded draw, recorded, and the same draw again.
        let sample = "/ui/projects/shop/audit/sample";
        let before = t.store.row_counts().expect("counts");
        let r = post(&app, &mut aud, sample, &[("n", "2"), ("seed", "7")]).await;
        assert_eq!(r.status, 403, "no CSRF token");
        let r = post(&app, &mut aud, sample, &[("csrf", &csrf), ("n", "0")]).await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(t.store.row_counts().expect("counts"), before);
        let form = [("csrf", csrf.as_str()), ("n", "2"), ("seed", "7")];
        let r = post(&app, &mut aud, sample, &form).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body.contains("<code id=\"sample-seed\">7</code>"),
            "{}",
            r.body
        );
        assert_eq!(
            r.body
                .matches("<span class=\"tag\">in sample</span>")
                .count(),
            2
        );
        let r2 = post(&app, &mut aud, sample, &form).await;
        assert_eq!(r2.status, 200);
        let events: Vec<serde_json::Value> = t
            .store
            .audit_list(&schema::AuditQuery {
                project: Some("shop".into()),
                action: Some("audit.sample".into()),
                ..Default::default()
            })
            .expect("audit")
            .iter()
            .map(|e| {
                assert_eq!(e.actor, "user:aud");
                serde_json::from_str(e.after.as_deref().expect("after")).expect("json")
            })
            .collect();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0], events[1],
            "same seed, same population, same sample"
        );
        assert_eq!(events[0]["seed"], "7");
        assert_eq!(events[0]["n"], 2);
        assert_eq!(events[0]["population"], 3);
        let today = chrono::Utc::now().date_naive();
        assert_eq!(events[0]["to"], today.to_string());
        let drawn: Vec<String> =
            serde_json::from_value(events[0]["releases"].clone()).expect("releases");
        let expected: Vec<String> = reports::audit_pack::sample(3, 2, 7)
            .into_iter()
            .map(|i| ["1.0", "1.1", "1.2"][i].to_string())
            .collect();
        assert_eq!(drawn, expected);
        // Without a seed the server picks one and shows it.
        let r = post(
            &app,
            &mut aud,
            sample,
            &[("csrf", &csrf), ("n", "1"), ("seed", "")],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("<code id=\"sample-seed\">"), "{}", r.body);

        // Auditors and admins only, each in their scope.
        let (mut adm, _) = sign_in(&app, "adm").await;
        assert_eq!(get(&app, &mut adm, page).await.status, 200);
        for name in ["tri", "up", "aud-other"] {
            let (mut b, csrf) = sign_in(&app, name).await;
            assert_eq!(get(&app, &mut b, page).await.status, 403, "{name}");
            let r = post(&app, &mut b, sample, &[("csrf", &csrf), ("n", "1")]).await;
            assert_eq!(r.status, 403, "{name}");
            if name == "tri" {
                let r = get(&app, &mut b, "/ui/projects/shop").await;
                assert!(!r.body.contains(&format!("href=\"{page}\"")), "{}", r.body);
            }
        }

        // Against a key the server does not trust, the bundles fail with the reason.
        let config = ServerConfig {
            trusted_keys: vec![reports::EvidenceKey::from_seed(&[22; 32]).public()],
            ..Default::default()
        };
        let app = test::init_service(server::app(state(&t.store, config))).await;
        let (mut aud, _) = sign_in(&app, "aud").await;
        let r = get(&app, &mut aud, page).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body
                .matches("<span class=\"verify bad\">failed: ")
                .count(),
            2,
            "{}",
            r.body
        );
        assert!(!r.body.contains(">verified<"), "{}", r.body);
    }
}
