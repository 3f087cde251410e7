//! The role matrix: every route x every principal x own and foreign project, with the expected
//! status written out, and proof that refused requests changed nothing.

use crate::harness::{backends, bearer, import_fixture, report, state, token};
use actix_web::http::Method;
use actix_web::test;
use schema::{Grant, Permission, Role, Store};
use server::ServerConfig;
use server::access::ROUTES;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Revoked,
    GlobalAdmin,
    Admin,
    Uploader,
    Triager,
    Auditor,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Revoked,
    Who::GlobalAdmin,
    Who::Admin,
    Who::Uploader,
    Who::Triager,
    Who::Auditor,
];

/// What each route answers, written out (not derived from the server's own table).
fn expected(method: &Method, path: &str, who: Who, foreign: bool) -> u16 {
    use Who::*;
    let public = ["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"];
    if public.contains(&path) {
        return 200;
    }
    if path == "/api/v1/auth/exchange" {
        // The token exchange is anyone's to ask (its CI token is the credential); the report
        // bytes the matrix posts are no JSON body.
        return 415;
    }
    if matches!(who, Anonymous | Revoked) {
        return 401;
    }
    if *method == Method::POST && path == "/api/v1/projects" {
        // Creating a project: admins of every project.
        return if who == GlobalAdmin { 201 } else { 403 };
    }
    if path == "/api/v1/whoami" || path == "/api/v1/projects" {
        return 200;
    }
    // Lists narrowed to the caller's scope (the audit log), and a raw report by scan id, of a
    // scan of the caller's own project.
    if path == "/api/v1/audit" || path == "/api/v1/scans/{scan}/raw" {
        return 200;
    }
    if path == "/api/v1/audit/verify" {
        // The chain spans every project: admins and auditors of every project.
        return if who == GlobalAdmin { 200 } else { 403 };
    }
    if path.starts_with("/api/v1/tokens") || path.starts_with("/api/v1/users") {
        return match (who, method.as_str()) {
            (GlobalAdmin, "POST") => 201,
            (GlobalAdmin, _) => 200,
            _ => 403,
        };
    }
    // Project routes: scoped principals stay in their project.
    if foreign && who != GlobalAdmin {
        return 403;
    }
    if *method == Method::POST && path.ends_with("/gate") {
        // Recording a gate evaluation: uploaders and admins.
        return match who {
            GlobalAdmin | Admin | Uploader => 200,
            _ => 403,
        };
    }
    if *method == Method::PUT && (path.ends_with("/policy") || path.ends_with("/controls")) {
        // Setting a policy or a control mapping: the project's admins (each call sets a new
        // text).
        return match who {
            GlobalAdmin | Admin => 201,
            _ => 403,
        };
    }
    if *method == Method::POST && path.ends_with("/seal") {
        // Sealing: the project's admins. The matrix seals a release the fixture sealed, so
        // an admitted caller meets the conflict, which changes nothing.
        return match who {
            GlobalAdmin | Admin => 409,
            _ => 403,
        };
    }
    if *method == Method::POST && (path.ends_with("/triage") || path.ends_with("/vex")) {
        return match who {
            GlobalAdmin | Admin | Triager => 200,
            _ => 403,
        };
    }
    if *method == Method::POST {
        // Upload, and creating a release.
        return match who {
            GlobalAdmin | Admin | Uploader => 201,
            _ => 403,
        };
    }
    200
}

struct Fixture {
    tokens: Vec<(Who, String)>,
    scan_of: std::collections::HashMap<&'static str, i64>,
    fingerprint_of: std::collections::HashMap<&'static str, String>,
}

fn fixture(store: &Store) -> Fixture {
    let mut scan_of = std::collections::HashMap::new();
    for (i, project) in ["own", "foreign"].into_iter().enumerate() {
        for release in ["1.0", "1.1"] {
            let outcome = store
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
                    // Seed 1001 gives `own` two critical findings: one the triager decides
                    // alone, one left for the bulk decision.
                    &report(1001 - i as u64),
                )
                .expect("fixture upload");
            scan_of.insert(project, outcome.scan_id.get());
        }
    }
    for project in ["own", "foreign"] {
        store
            .set_policy(project, "# the defaults\n", "fixture", None)
            .expect("fixture policy");
        // Release 1.0 is sealed: the bundle route has one to send, the seal route refuses.
        store
            .seal(
                &schema::SealRequest {
                    project,
                    release: "1.0",
                    sealed_by: "fixture",
                    gate: schema::GateOptions::default(),
                    allow_blocked_reason: Some("fixture"),
                    generator: "fixture",
                },
                &signing_key(),
            )
            .expect("fixture seal");
    }
    let revoked = token(store, Role::Admin, None);
    store.revoke_token(&revoked[..12], "test").expect("revoke");
    let tokens = vec![
        (Who::Anonymous, String::new()),
        (Who::Revoked, revoked),
        (Who::GlobalAdmin, token(store, Role::Admin, None)),
        (Who::Admin, token(store, Role::Admin, Some("own"))),
        (Who::Uploader, token(store, Role::Uploader, Some("own"))),
        (Who::Triager, token(store, Role::Triager, Some("own"))),
        (Who::Auditor, token(store, Role::Auditor, Some("own"))),
    ];
    let fingerprint_of = ["own", "foreign"]
        .into_iter()
        .map(|project| {
            let view = store
                .release_view(project, "1.1", &schema::FindingFilter::default())
                .expect("view");
            (project, view.findings[0].fingerprint.clone())
        })
        .collect();
    Fixture {
        tokens,
        scan_of,
        fingerprint_of,
    }
}

/// The fixture's evidence key, which the matrix's server seals with too.
fn signing_key() -> reports::EvidenceKey {
    reports::EvidenceKey::from_seed(&[7; 32])
}

#[actix_web::test]
async fn every_route_every_role_own_and_foreign_project() {
    for t in backends() {
        let fx = fixture(&t.store);
        // The revoked token is sent on purpose hundreds of times from one (test) address; the
        // flood limit has its own test (tests/hardening.rs).
        let config = ServerConfig {
            bad_tokens_per_minute: u32::MAX,
            signing_key: Some(server::config::SigningKey::new(signing_key(), Vec::new())),
            ..ServerConfig::default()
        };
        let app = test::init_service(server::app(state(&t.store, config))).await;
        let mut seed = 0u64;
        let mut checked = 0;
        // The web UI routes have their own matrix (tests/ui.rs).
        for route in ROUTES.iter().filter(|r| !r.is_ui()) {
            let projects: &[&str] = if route.path.contains("{project}") {
                &["own", "foreign"]
            } else {
                &["own"]
            };
            for project in projects {
                for who in EVERYONE {
                    seed += 1;
                    let foreign = *project == "foreign";
                    let victim = t
                        .store
                        .create_token(
                            &Grant {
                                name: "victim",
                                role: Role::Auditor,
                                project: None,
                                created_by: "test",
                            },
                            None,
                        )
                        .expect("victim");
                    // The sealed release for the routes of sealed ones, else the open one.
                    let release =
                        if route.path.ends_with("/seal") || route.path.ends_with("/bundle") {
                            "1.0"
                        } else {
                            "1.1"
                        };
                    let path = route
                        .path
                        .replace("{project}", project)
                        .replace("{release}", release)
                        .replace("{scan}", &fx.scan_of[project].to_string())
                        .replace("{token}", &victim.info.id.to_string())
                        .replace("{fingerprint}", &fx.fingerprint_of[project]);
                    let uri = if route.path.ends_with("/diff") {
                        format!("{path}?from=1.0&to=1.1")
                    } else if route.path.ends_with("/report") {
                        format!("{path}?format=json")
                    } else {
                        path.clone()
                    };
                    let mut req = test::TestRequest::default()
                        .method(route.method.clone())
                        .uri(&uri);
                    let (_, secret) = fx.tokens.iter().find(|(w, _)| *w == who).expect("who");
                    if !secret.is_empty() {
                        req = req.insert_header(bearer(secret));
                    }
                    req = match (route.method.as_str(), route.path) {
                        ("POST", "/api/v1/tokens") => req.set_json(serde_json::json!({
                            "name": format!("made-{seed}"), "role": "auditor"
                        })),
                        ("POST", "/api/v1/users") => req.set_json(serde_json::json!({
                            "name": format!("user-{seed}"), "password": "a long enough password",
                            "role": "auditor"
                        })),
                        ("POST", "/api/v1/audit/verify") => {
                            req.set_json(serde_json::json!({"anchors": []}))
                        }
                        ("POST", "/api/v1/projects") => {
                            req.set_json(serde_json::json!({"name": format!("made-{seed}")}))
                        }
                        ("POST", "/api/v1/projects/{project}/releases") => {
                            req.set_json(serde_json::json!({"name": format!("made-{seed}")}))
                        }
                        ("PUT", p) if p.ends_with("/policy") => req
                            .insert_header(("Content-Type", "application/toml"))
                            .set_payload(format!("# version {seed}\n")),
                        ("PUT", p) if p.ends_with("/controls") => req
                            .insert_header(("Content-Type", "application/toml"))
                            .set_payload(format!(
                                "# version {seed}\n{}",
                                reports::controls::DEFAULT_MAPPING
                            )),
                        ("POST", p) if p.ends_with("/seal") => {
                            req.set_json(serde_json::json!({"allow_blocked": false}))
                        }
                        ("POST", "/api/v1/projects/{project}/triage") => req.set_json(
                            serde_json::json!({"severity": ["critical"], "status": "confirmed"}),
                        ),
                        ("POST", p) if p.ends_with("/vex") => req.set_json(serde_json::json!({
                            "@context": "https://openvex.dev/ns/v0.2.0",
                            "@id": format!("https://example.com/vex/{seed}"),
                            "author": "matrix",
                            "timestamp": "2026-01-01T00:00:00Z",
                            "version": 1,
                            "statements": [{
                                "vulnerability": {"name": "CVE-0000-0001"},
                                "products": [{"@id": "pkg:npm/nothing@1.0.0"}],
                                "status": "under_investigation"
                            }]
                        })),
                        ("POST", p) if p.ends_with("/triage") => {
                            req.set_json(serde_json::json!({"status": "confirmed"}))
                        }
                        ("POST", _) => req
                            .insert_header(("Content-Type", "application/octet-stream"))
                            .set_payload(report(seed)),
                        _ => req,
                    };
                    let before = t.store.row_counts().expect("counts");
                    let tokens_before = t.store.tokens().expect("tokens").len();
                    let response = test::call_service(&app, req.to_request()).await;
                    let status = response.status().as_u16();
                    let want = expected(&route.method, route.path, who, foreign);
                    let body = test::read_body(response).await;
                    assert_eq!(
                        status,
                        want,
                        "{} {} {} as {who:?} in {project}: {}",
                        t.name,
                        route.method,
                        route.path,
                        String::from_utf8_lossy(&body)
                    );
                    if route.method == Method::GET {
                        // A read writes nothing (the gate included).
                        assert_eq!(
                            t.store.row_counts().expect("counts"),
                            before,
                            "{} GET {} as {who:?}",
                            t.name,
                            route.path
                        );
                    }
                    if status >= 400 {
                        let json: serde_json::Value =
                            serde_json::from_slice(&body).expect("error body is JSON");
                        assert!(json["error"]["code"].is_string(), "{json}");
                        // A refused request changed nothing.
                        assert_eq!(t.store.row_counts().expect("counts"), before);
                        assert_eq!(t.store.tokens().expect("tokens").len(), tokens_before);
                        assert!(
                            t.store
                                .tokens()
                                .expect("tokens")
                                .iter()
                                .find(|tk| tk.id == victim.info.id)
                                .is_some_and(|tk| tk.revoked_at.is_none())
                        );
                    }
                    checked += 1;
                }
            }
        }
        eprintln!("{}: {checked} route x principal x project cases", t.name);
        assert!(checked >= ROUTES.iter().filter(|r| !r.is_ui()).count() * EVERYONE.len());
    }
}

#[actix_web::test]
async fn an_auditor_can_read_everything_in_its_project_and_change_nothing() {
    for t in backends() {
        let fx = fixture(&t.store);
        let auditor = &fx.tokens[6].1;
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let before = t.store.row_counts().expect("counts");
        for route in ROUTES
            .iter()
            .filter(|r| r.method != Method::GET && !r.is_ui() && r.permission != Permission::Public)
        {
            let path = route
                .path
                .replace("{project}", "own")
                .replace("{release}", "1.1")
                .replace("{token}", "1");
            let req = test::TestRequest::default()
                .method(route.method.clone())
                .uri(&path)
                .insert_header(bearer(auditor))
                .set_payload(report(77));
            let response = test::call_service(&app, req.to_request()).await;
            assert_eq!(response.status().as_u16(), 403, "{} {}", route.method, path);
        }
        assert_eq!(t.store.row_counts().expect("counts"), before, "{}", t.name);
        assert!(
            t.store
                .tokens()
                .expect("tokens")
                .iter()
                .filter(|t| t.revoked_at.is_some())
                .count()
                == 1
        );
    }
}

/// A triager's decision through the API reaches the release view, the finding's history and
/// the audit log, with the token as the actor; a bad decision is a 400 that stores nothing.
#[actix_web::test]
async fn a_triager_decides_through_the_api() {
    for t in backends() {
        let fx = fixture(&t.store);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (_, triager) = fx
            .tokens
            .iter()
            .find(|(w, _)| *w == Who::Triager)
            .expect("triager");
        let fingerprint = &fx.fingerprint_of["own"];
        let uri = format!("/api/v1/projects/own/findings/{fingerprint}/triage");
        let bad = test::TestRequest::post()
            .uri(&uri)
            .insert_header(bearer(triager))
            .set_json(serde_json::json!({"status": "accepted"}))
            .to_request();
        let response = test::call_service(&app, bad).await;
        assert_eq!(
            response.status().as_u16(),
            400,
            "{}: acceptance without justification",
            t.name
        );
        let good = test::TestRequest::post()
            .uri(&uri)
            .insert_header(bearer(triager))
            .set_json(serde_json::json!({
                "status": "accepted", "justification": "behind the WAF", "approver": "ciso",
                "expires": "2099-01-01"
            }))
            .to_request();
        let response = test::call_service(&app, good).await;
        assert_eq!(response.status().as_u16(), 200, "{}", t.name);
        let view = t
            .store
            .release_view("own", "1.1", &schema::FindingFilter::default())
            .expect("view");
        let finding = view
            .findings
            .iter()
            .find(|f| &f.fingerprint == fingerprint)
            .expect("finding");
        assert_eq!(finding.status, schema::TriageStatus::Accepted);
        let history = test::TestRequest::get()
            .uri(&format!(
                "/api/v1/projects/own/findings/{fingerprint}/history"
            ))
            .insert_header(bearer(triager))
            .to_request();
        let history: serde_json::Value = test::call_and_read_body_json(&app, history).await;
        assert_eq!(history.as_array().map(Vec::len), Some(1));
        let audit = test::TestRequest::get()
            .uri("/api/v1/projects/own/audit")
            .insert_header(bearer(triager))
            .to_request();
        let audit: serde_json::Value = test::call_and_read_body_json(&app, audit).await;
        let triage_events: Vec<&serde_json::Value> = audit
            .as_array()
            .expect("list")
            .iter()
            .filter(|e| {
                e["action"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("triage"))
            })
            .collect();
        assert_eq!(triage_events.len(), 1, "{audit}");
        // Bulk: a dry run reports, a real run decides, both by the same filter.
        let bulk = |dry_run: bool| {
            test::TestRequest::post()
                .uri("/api/v1/projects/own/triage")
                .insert_header(bearer(triager))
                .set_json(serde_json::json!({
                    "release": "1.1", "min_severity": "high", "status": "confirmed", "dry_run": dry_run
                }))
                .to_request()
        };
        let dry: serde_json::Value = test::call_and_read_body_json(&app, bulk(true)).await;
        let would = dry["changes"].as_array().map(Vec::len).unwrap_or(0);
        assert!(would > 0, "{dry}");
        let highs = t
            .store
            .release_view("own", "1.1", &schema::FindingFilter::default())
            .expect("view")
            .findings
            .iter()
            .filter(|f| f.severity >= importers::Severity::High)
            .count();
        assert_eq!(would, highs);
        let done: serde_json::Value = test::call_and_read_body_json(&app, bulk(false)).await;
        assert_eq!(done["changes"].as_array().map(Vec::len), Some(highs));
        let confirmed = t
            .store
            .release_view(
                "own",
                "1.1",
                &schema::FindingFilter {
                    statuses: vec![schema::TriageStatus::Confirmed],
                    ..Default::default()
                },
            )
            .expect("view")
            .findings
            .len();
        assert_eq!(confirmed, highs, "{}", t.name);
        assert!(
            triage_events[0]["actor"]
                .as_str()
                .is_some_and(|a| a.contains("token")),
            "{audit}"
        );
    }
}

/// Project names with characters that URLs encode. A name is the path segment percent-decoded
/// once; a token scoped to one of them reaches exactly that project, however the client
/// encodes it, and never a project whose name differs only by decoding.
#[actix_web::test]
async fn project_names_are_decoded_once_for_access_and_handler() {
    use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
    // What a client must encode at least: `+` and `.` may stay as they are.
    const MINIMAL: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'/').add(b'?').add(b'#');
    let names = [
        "a/b",
        "a%2Fb",
        "x+y",
        "x%2By",
        "100%",
        "100%25",
        "with space",
        "with%20space",
        "v1.2",
        "...",
        "日本語",
        "%E6%97%A5",
    ];
    for t in backends() {
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let mut uploaders = Vec::new();
        for (i, name) in names.iter().enumerate() {
            import_fixture(&t.store, name, "1.0", 3000 + i as u64);
            uploaders.push(token(&t.store, Role::Uploader, Some(name)));
        }
        let mut seed = 4000;
        for (i, own) in names.iter().enumerate() {
            // Every way a client may spell its own project reaches it.
            let spellings = [
                utf8_percent_encode(own, NON_ALPHANUMERIC).to_string(),
                utf8_percent_encode(own, MINIMAL).to_string(),
            ];
            for spelled in &spellings {
                let req = test::TestRequest::get()
                    .uri(&format!("/api/v1/projects/{spelled}/releases"))
                    .insert_header(bearer(&uploaders[i]));
                let response = test::call_service(&app, req.to_request()).await;
                assert_eq!(
                    response.status().as_u16(),
                    200,
                    "{}: {own:?} spelled {spelled}",
                    t.name
                );
            }
            seed += 1;
            let upload = test::TestRequest::post()
                .uri(&format!(
                    "/api/v1/projects/{}/releases/2.0/scans",
                    utf8_percent_encode(own, NON_ALPHANUMERIC)
                ))
                .insert_header(bearer(&uploaders[i]))
                .insert_header(("Content-Type", "application/octet-stream"))
                .set_payload(report(seed));
            let response = test::call_service(&app, upload.to_request()).await;
            assert_eq!(
                response.status().as_u16(),
                201,
                "{}: upload to {own:?}",
                t.name
            );
            let releases = t.store.releases(own).expect("releases");
            assert_eq!(releases.len(), 2, "{}: {own:?} got its upload", t.name);
            // Every other project is refused, read and upload, in every spelling.
            for other in names.iter().filter(|n| *n != own) {
                let spellings = [
                    utf8_percent_encode(other, NON_ALPHANUMERIC).to_string(),
                    utf8_percent_encode(other, MINIMAL).to_string(),
                ];
                for spelled in spellings {
                    for method in [Method::GET, Method::POST] {
                        seed += 1;
                        let uri = if method == Method::GET {
                            format!("/api/v1/projects/{spelled}/releases")
                        } else {
                            format!("/api/v1/projects/{spelled}/releases/9.9/scans")
                        };
                        let req = test::TestRequest::default()
                            .method(method.clone())
                            .uri(&uri)
                            .insert_header(bearer(&uploaders[i]))
                            .insert_header(("Content-Type", "application/octet-stream"))
                            .set_payload(report(seed));
                        let response = test::call_service(&app, req.to_request()).await;
                        assert_eq!(
                            response.status().as_u16(),
                            403,
                            "{}: token of {own:?} {method} {uri}",
                            t.name
                        );
                    }
                }
            }
        }
        // Nothing landed in a release 9.9 anywhere.
        for name in names {
            let releases = t.store.releases(name).expect("releases");
            assert!(releases.iter().all(|r| r.name != "9.9"), "{name:?}");
        }
        // A segment that is not UTF-8 once decoded names no project: 400, not a guess.
        let admin = token(&t.store, Role::Admin, None);
        let req = test::TestRequest::get()
            .uri("/api/v1/projects/%FF/releases")
            .insert_header(bearer(&admin));
        let response = test::call_service(&app, req.to_request()).await;
        assert_eq!(response.status().as_u16(), 400, "{}", t.name);
    }
}

/// An auditor reading the gate records nothing; CI's `POST .../gate` (an uploader) records one
/// evaluation that names its reasons' findings by fingerprint and copies none of their text,
/// and both answer the same.
#[actix_web::test]
async fn reading_the_gate_records_nothing_and_a_record_holds_references() {
    for t in backends() {
        let fx = fixture(&t.store);
        let (auditor, uploader) = (&fx.tokens[6].1, &fx.tokens[4].1);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let uri = "/api/v1/projects/own/releases/1.1/gate?fail_on=low";
        let mut answers = Vec::new();
        for _ in 0..3 {
            let req = test::TestRequest::get()
                .uri(uri)
                .insert_header(bearer(auditor));
            let response = test::call_service(&app, req.to_request()).await;
            assert_eq!(response.status().as_u16(), 200, "{}", t.name);
            answers.push(test::read_body_json::<serde_json::Value, _>(response).await);
        }
        assert_eq!(t.store.gate_evaluation_count("own", "1.1").unwrap(), 0);

        let req = test::TestRequest::post()
            .uri(uri)
            .insert_header(bearer(uploader));
        let response = test::call_service(&app, req.to_request()).await;
        assert_eq!(response.status().as_u16(), 200, "{}", t.name);
        let recorded: serde_json::Value = test::read_body_json(response).await;
        let same = |v: &serde_json::Value| {
            let mut v = v.clone();
            v["evaluated_at"] = serde_json::Value::Null;
            v
        };
        assert_eq!(same(&recorded), same(&answers[0]), "{}", t.name);

        let evaluations = t.store.gate_evaluations("own", "1.1").unwrap();
        assert_eq!(evaluations.len(), 1);
        let reasons = &recorded["reasons"];
        assert!(!reasons.as_array().unwrap().is_empty(), "{recorded}");
        assert_eq!(
            evaluations[0].reasons.len(),
            reasons.as_array().unwrap().len()
        );
        let stored = serde_json::to_string(&evaluations[0].reasons).unwrap();
        for reason in reasons.as_array().unwrap() {
            if let Some(fp) = reason["fingerprint"].as_str() {
                assert!(stored.contains(fp), "{stored}");
            }
            if let Some(title) = reason["title"].as_str() {
                assert!(!stored.contains(title), "a title was copied: {stored}");
            }
        }
    }
}
