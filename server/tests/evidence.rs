//! Policies, sealing, bundles, reports, the key, and creating projects and releases over the
//! API: who may, what each answers (byte for byte what the store gives), what the audit log
//! says, and that bundles and reports arrive in chunks rather than as one body.

use crate::harness::{backends, bearer, import_fixture, state, token};
use actix_web::body::MessageBody;
use actix_web::test;
use schema::{AuditQuery, GateOptions, Role, Store};
use server::ServerConfig;
use server::config::SigningKey;
use server::download::CHUNK;
use std::pin::Pin;

fn key() -> reports::EvidenceKey {
    reports::EvidenceKey::from_seed(&[42; 32])
}

fn with_key() -> ServerConfig {
    ServerConfig {
        signing_key: Some(SigningKey::new(key(), Vec::new())),
        ..ServerConfig::default()
    }
}

fn actions_by(store: &Store, action: &str) -> Vec<String> {
    store
        .audit_list(&AuditQuery::default())
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.actor)
        .collect()
}

/// Reads a response body chunk by chunk: the chunks' sizes.
async fn chunks<B: MessageBody + Unpin>(mut body: B) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = Vec::new();
    let mut sizes = Vec::new();
    while let Some(chunk) =
        std::future::poll_fn(|cx| Pin::new(&mut body).as_mut().poll_next(cx)).await
    {
        let chunk = chunk
            .map_err(|e| -> Box<dyn std::error::Error> { e.into() })
            .expect("chunk");
        sizes.push(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    (bytes, sizes)
}

#[actix_web::test]
async fn the_projects_admin_seals_with_the_servers_key_and_anyone_in_it_downloads_the_bundle() {
    for t in backends() {
        import_fixture(&t.store, "shop", "1.0", 11);
        let admin = token(&t.store, Role::Admin, Some("shop"));
        let uploader = token(&t.store, Role::Uploader, Some("shop"));
        let auditor = token(&t.store, Role::Auditor, Some("shop"));
        let app = test::init_service(server::app(state(&t.store, with_key()))).await;
        let seal = |who: &str, body: serde_json::Value| {
            test::TestRequest::post()
                .uri("/api/v1/projects/shop/releases/1.0/seal?fail_on=low")
                .insert_header(bearer(who))
                .set_json(body)
                .to_request()
        };
        for (who, body, status, code) in [
            (&uploader, serde_json::json!({}), 403, "forbidden"),
            (&auditor, serde_json::json!({}), 403, "forbidden"),
            (&admin, serde_json::json!({}), 409, "blocked"),
            (
                &admin,
                serde_json::json!({"allow_blocked": true}),
                400,
                "bad_request",
            ),
            (
                &admin,
                serde_json::json!({"reason": "no flag"}),
                400,
                "bad_request",
            ),
        ] {
            let response = test::call_service(&app, seal(who, body.clone())).await;
            let got = response.status().as_u16();
            let json: serde_json::Value = test::read_body_json(response).await;
            assert_eq!(
                (got, json["error"]["code"].as_str()),
                (status, Some(code)),
                "{}: {body} {json}",
                t.name
            );
        }
        assert!(t.store.bundle_record("shop", "1.0").unwrap().is_none());

        let response = test::call_service(
            &app,
            seal(
                &admin,
                serde_json::json!({"allow_blocked": true, "reason": "SEC-1"}),
            ),
        )
        .await;
        assert_eq!(response.status().as_u16(), 201, "{}", t.name);
        let record: serde_json::Value = test::read_body_json(response).await;
        let label = |secret: &str| {
            t.store
                .authenticate_token(secret)
                .unwrap()
                .expect("token")
                .label()
        };
        assert_eq!(record["sealed_by"], label(&admin));
        assert_eq!(record["key_fingerprint"], key().public().fingerprint());
        assert_eq!(actions_by(&t.store, "release.seal"), vec![label(&admin)]);
        let again = test::call_service(
            &app,
            seal(
                &admin,
                serde_json::json!({"allow_blocked": true, "reason": "SEC-1"}),
            ),
        )
        .await;
        assert_eq!(again.status().as_u16(), 409, "{}", t.name);

        let response = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/projects/shop/releases/1.0/bundle")
                .insert_header(bearer(&auditor))
                .to_request(),
        )
        .await;
        assert_eq!(response.status().as_u16(), 200, "{}", t.name);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(header("content-type").as_deref(), Some("application/zip"));
        assert_eq!(
            header("x-content-sha256"),
            record["sha256"].as_str().map(str::to_string)
        );
        let (bytes, sizes) = chunks(response.into_body()).await;
        let mut stored = Vec::new();
        t.store.write_bundle("shop", "1.0", &mut stored).unwrap();
        assert_eq!(
            bytes, stored,
            "{}: the bundle as stored, byte for byte",
            t.name
        );
        assert!(sizes.iter().all(|s| *s <= CHUNK), "{sizes:?}");
        assert_eq!(sizes.len(), stored.len().div_ceil(CHUNK), "{sizes:?}");
        let verified = reports::verify_bundle(
            std::io::Cursor::new(bytes),
            &reports::VerifyOptions {
                keys: vec![key().public()],
                previous: None,
            },
        )
        .unwrap();
        assert_eq!(verified.verdict, reports::Verdict::Valid, "{}", t.name);
    }
}

#[actix_web::test]
async fn a_server_without_a_key_refuses_to_seal_and_names_the_setting() {
    for t in backends() {
        import_fixture(&t.store, "shop", "1.0", 12);
        let admin = token(&t.store, Role::Admin, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        for req in [
            test::TestRequest::post()
                .uri("/api/v1/projects/shop/releases/1.0/seal")
                .set_json(serde_json::json!({"allow_blocked": true, "reason": "x"})),
            test::TestRequest::get().uri("/api/v1/key"),
        ] {
            let response =
                test::call_service(&app, req.insert_header(bearer(&admin)).to_request()).await;
            assert_eq!(response.status().as_u16(), 409, "{}", t.name);
            let json: serde_json::Value = test::read_body_json(response).await;
            assert_eq!(json["error"]["code"], "no_signing_key", "{json}");
            assert_eq!(json["error"]["details"]["setting"], "key_dir", "{json}");
            assert!(
                json["error"]["message"].as_str().is_some_and(
                    |m| m.contains("--key-dir") && m.contains("SCANLEDGER_SIGNING_KEY")
                ),
                "{json}"
            );
        }
        assert!(t.store.bundle_record("shop", "1.0").unwrap().is_none());
    }
}

#[actix_web::test]
async fn the_key_route_shows_the_public_part_only() {
    let t = backends().remove(0);
    let auditor = token(&t.store, Role::Auditor, Some("shop"));
    let app = test::init_service(server::app(state(&t.store, with_key()))).await;
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/key")
            .insert_header(bearer(&auditor))
            .to_request(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body = test::read_body(response).await;
    let ring: reports::KeyRing = serde_json::from_slice(&body).expect("key ring");
    assert_eq!(ring.current, reports::PublishedKey::of(&key().public()));
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("PRIVATE"), "{text}");
    let pem = key().to_pkcs8_pem().unwrap();
    let secret_line = pem.lines().nth(1).unwrap();
    assert!(!text.contains(secret_line), "{text}");
}

#[actix_web::test]
async fn every_report_format_is_what_the_store_writes_with_its_content_type() {
    for t in backends() {
        import_fixture(&t.store, "shop", "1.0", 13);
        let auditor = token(&t.store, Role::Auditor, Some("shop"));
        let app = test::init_service(server::app(state(&t.store, with_key()))).await;
        for sealed in [false, true] {
            if sealed {
                t.store
                    .seal(
                        &schema::SealRequest {
                            project: "shop",
                            release: "1.0",
                            sealed_by: "test",
                            gate: GateOptions::default(),
                            allow_blocked_reason: Some("test"),
                            generator: "test",
                        },
                        &key(),
                    )
                    .unwrap();
            }
            for format in reports::ReportFormat::ALL {
                let response = test::call_service(
                    &app,
                    test::TestRequest::get()
                        .uri(&format!(
                            "/api/v1/projects/shop/releases/1.0/report?format={format}&fail_on=critical"
                        ))
                        .insert_header(bearer(&auditor))
                        .to_request(),
                )
                .await;
                assert_eq!(response.status().as_u16(), 200, "{} {format}", t.name);
                assert_eq!(
                    response
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok()),
                    Some(format.content_type())
                );
                let (bytes, sizes) = chunks(response.into_body()).await;
                assert!(sizes.iter().all(|s| *s <= CHUNK), "{sizes:?}");
                let gate = GateOptions {
                    fail_on: Some(importers::Severity::Critical),
                    ..GateOptions::default()
                };
                let generator = format!("scanledger {}", env!("CARGO_PKG_VERSION"));
                let mut want = Vec::new();
                t.store
                    .release_report("shop", "1.0", &gate, &generator)
                    .unwrap()
                    .write(format, &mut want)
                    .unwrap();
                assert_eq!(bytes, want, "{} {format} sealed {sealed}", t.name);
            }
        }
        let response = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/projects/shop/releases/1.0/report?format=docx")
                .insert_header(bearer(&auditor))
                .to_request(),
        )
        .await;
        assert_eq!(response.status().as_u16(), 400, "{}", t.name);
        let json: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(json["error"]["details"]["parameter"], "format", "{json}");
    }
}

#[actix_web::test]
async fn the_projects_admin_sets_policies_and_everyone_in_it_reads_them() {
    for t in backends() {
        import_fixture(&t.store, "shop", "1.0", 14);
        let admin = token(&t.store, Role::Admin, Some("shop"));
        let triager = token(&t.store, Role::Triager, Some("shop"));
        let app = test::init_service(server::app(state(&t.store, with_key()))).await;
        let get = |uri: &str, who: &str| {
            test::TestRequest::get()
                .uri(uri)
                .insert_header(bearer(who))
                .to_request()
        };
        let response =
            test::call_service(&app, get("/api/v1/projects/shop/policy", &triager)).await;
        assert_eq!(response.status().as_u16(), 404, "{}", t.name);
        let json: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(json["error"]["code"], "no_policy", "{json}");

        let put = |who: &str, text: &str| {
            test::TestRequest::put()
                .uri("/api/v1/projects/shop/policy")
                .insert_header(bearer(who))
                .insert_header(("Content-Type", "application/toml"))
                .set_payload(text.to_string())
                .to_request()
        };
        let policy = "[gate]\nfail_on = \"critical\"\n";
        for (who, text, status) in [
            (&triager, policy, 403),
            (&admin, "[gate]\nfail_one = 1\n", 422),
            (&admin, policy, 201),
            (&admin, policy, 200),
        ] {
            let response = test::call_service(&app, put(who, text)).await;
            assert_eq!(response.status().as_u16(), status, "{}: {text}", t.name);
        }
        let versions = t.store.policy_versions("shop").unwrap();
        assert_eq!(
            versions.len(),
            1,
            "{}: the bad and repeated texts stored nothing",
            t.name
        );
        let admin_label = t.store.authenticate_token(&admin).unwrap().unwrap().label();
        assert_eq!(versions[0].created_by, admin_label);
        assert_eq!(actions_by(&t.store, "policy.set"), vec![admin_label]);

        let shown: serde_json::Value = test::call_and_read_body_json(
            &app,
            get("/api/v1/projects/shop/policy?version=1", &triager),
        )
        .await;
        assert_eq!(shown["source"], policy, "{shown}");
        let listed: serde_json::Value = test::call_and_read_body_json(
            &app,
            get("/api/v1/projects/shop/policy/versions", &triager),
        )
        .await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        let response = test::call_service(
            &app,
            get("/api/v1/projects/shop/policy?version=2", &triager),
        )
        .await;
        assert_eq!(response.status().as_u16(), 404, "{}", t.name);
    }
}

#[actix_web::test]
async fn admins_create_projects_and_uploaders_create_releases() {
    for t in backends() {
        let global = token(&t.store, Role::Admin, None);
        let scoped = token(&t.store, Role::Admin, Some("shop"));
        let uploader = token(&t.store, Role::Uploader, Some("shop"));
        let app = test::init_service(server::app(state(&t.store, with_key()))).await;
        let post = |uri: &str, who: &str, name: &str| {
            test::TestRequest::post()
                .uri(uri)
                .insert_header(bearer(who))
                .set_json(serde_json::json!({ "name": name }))
                .to_request()
        };
        for (who, name, status) in [
            (&scoped, "web", 403),
            (&uploader, "web", 403),
            (&global, "web", 201),
            (&global, "web", 409),
            (&global, "", 400),
        ] {
            let response = test::call_service(&app, post("/api/v1/projects", who, name)).await;
            assert_eq!(response.status().as_u16(), status, "{}: {name:?}", t.name);
        }
        for (uri, name, status) in [
            ("/api/v1/projects/shop/releases", "4.2.0", 201),
            ("/api/v1/projects/shop/releases", "4.2.0", 409),
            ("/api/v1/projects/nowhere/releases", "4.2.0", 403),
        ] {
            let response = test::call_service(&app, post(uri, &uploader, name)).await;
            assert_eq!(response.status().as_u16(), status, "{}: {uri}", t.name);
        }
        let response = test::call_service(
            &app,
            post("/api/v1/projects/nowhere/releases", &global, "1.0"),
        )
        .await;
        assert_eq!(response.status().as_u16(), 404, "{}", t.name);
        let releases = t.store.releases("shop").unwrap();
        assert_eq!(releases.len(), 1);
        assert_eq!((releases[0].name.as_str(), releases[0].scans), ("4.2.0", 0));
        let label = |secret: &str| t.store.authenticate_token(secret).unwrap().unwrap().label();
        let created_web: Vec<String> = t
            .store
            .audit_list(&AuditQuery::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "project.create" && e.subject == "project web")
            .map(|e| e.actor)
            .collect();
        assert_eq!(created_web, vec![label(&global)]);
        assert_eq!(
            actions_by(&t.store, "release.create"),
            vec![label(&uploader)]
        );
    }
}
