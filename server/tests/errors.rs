//! One JSON error shape with the right status, for every kind of failure; the OpenAPI document
//! covers every route.

use crate::harness::{backends, bearer, import_fixture, report, state, token};
use actix_web::test;
use schema::Role;
use server::ServerConfig;
use server::access::ROUTES;

fn assert_shape(status: u16, body: &[u8], want_status: u16, want_code: &str) {
    let json: serde_json::Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)));
    assert_eq!(status, want_status, "{json}");
    assert_eq!(json["error"]["code"], want_code, "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(json.as_object().map(|o| o.len()), Some(1), "{json}");
}

#[actix_web::test]
async fn every_failure_has_the_one_json_shape() {
    for t in backends() {
        let admin = token(&t.store, Role::Admin, None);
        let config = ServerConfig {
            max_upload_bytes: 4096,
            ..Default::default()
        };
        let app = test::init_service(server::app(state(&t.store, config))).await;
        let big = report(1);
        assert!(big.len() > 4096);
        let cases: Vec<(test::TestRequest, u16, &str)> = vec![
            (test::TestRequest::get().uri("/nope"), 404, "not_found"),
            (
                test::TestRequest::get().uri("/api/v1/nope"),
                404,
                "not_found",
            ),
            (
                test::TestRequest::delete().uri("/healthz"),
                405,
                "method_not_allowed",
            ),
            (
                test::TestRequest::get().uri("/api/v1/projects"),
                401,
                "unauthorized",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects")
                    .insert_header(("Authorization", "Bearer slt_0000")),
                401,
                "unauthorized",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects")
                    .insert_header(("Authorization", "Basic bm9ib2R5Om5vdGhpbmc=")),
                401,
                "unauthorized",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/tokens")
                    .insert_header(bearer(&admin))
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload("{not json"),
                400,
                "bad_json",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/tokens")
                    .insert_header(bearer(&admin))
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload(r#"{"name": "x", "role": "king"}"#),
                400,
                "bad_request",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/tokens")
                    .insert_header(bearer(&admin))
                    .insert_header(("Content-Type", "text/plain"))
                    .set_payload("name=x"),
                415,
                "unsupported_media_type",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/projects/shop/releases/1.0/scans")
                    .insert_header(bearer(&admin))
                    .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                    .set_payload("a=b"),
                415,
                "unsupported_media_type",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/projects/shop/releases/1.0/scans")
                    .insert_header(bearer(&admin))
                    .set_payload(big.clone()),
                413,
                "payload_too_large",
            ),
            (
                test::TestRequest::post()
                    .uri("/api/v1/projects/shop/releases/1.0/scans")
                    .insert_header(bearer(&admin))
                    .set_payload("this is not a report at all"),
                422,
                "bad_report",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects/nope/releases/1.0/findings")
                    .insert_header(bearer(&admin)),
                404,
                "not_found",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects/nope/releases/1.0/findings?limit=abc")
                    .insert_header(bearer(&admin)),
                400,
                "bad_request",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects/nope/releases/1.0/findings?severity=dire")
                    .insert_header(bearer(&admin)),
                400,
                "bad_request",
            ),
            (
                test::TestRequest::get()
                    .uri("/api/v1/projects/nope/scans/abc/raw")
                    .insert_header(bearer(&admin)),
                400,
                "bad_request",
            ),
            (
                test::TestRequest::delete()
                    .uri("/api/v1/tokens/999")
                    .insert_header(bearer(&admin)),
                404,
                "not_found",
            ),
        ];
        for (req, status, code) in cases {
            let req = req.to_request();
            let what = format!("{} {}", req.method(), req.uri());
            let response = test::call_service(&app, req).await;
            let got = response.status().as_u16();
            if got == 401 {
                assert!(response.headers().contains_key("www-authenticate"));
            }
            let body = test::read_body(response).await;
            eprintln!("{}: {what} -> {got}", t.name);
            assert_shape(got, &body, status, code);
        }
        // Nothing of the refused uploads was stored.
        assert_eq!(t.store.row_counts().expect("counts")["scans"], 0);
    }
}

/// The `Authorization` header as `auth::credentials` reads it: the scheme in any case
/// (RFC 9110, 11.1), blanks around the credentials ignored; anything else is 401 with the one
/// error shape. (actix-web-httpauth's typed header would refuse `bearer` and `BASIC`.)
#[actix_web::test]
async fn authorization_schemes_are_case_insensitive_and_malformed_headers_are_401() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for t in backends() {
        let admin = token(&t.store, Role::Admin, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        for (header, want) in [
            (format!("Bearer {admin}"), 200),
            (format!("bearer {admin}"), 200),
            (format!("BEARER   {admin} "), 200),
            ("Bearer".to_string(), 401),
            ("Bearer ".to_string(), 401),
            (format!("Token {admin}"), 401),
            (format!("Basic {}", b64("nobody")), 401),
            ("Basic !!!".to_string(), 401),
            (format!("basic {}", b64("nobody:nothing")), 401),
            ("Digest username=\"x\"".to_string(), 401),
        ] {
            let req = test::TestRequest::get()
                .uri("/api/v1/whoami")
                .insert_header(("Authorization", header.as_str()))
                .to_request();
            let response = test::call_service(&app, req).await;
            let got = response.status().as_u16();
            let body = test::read_body(response).await;
            if want == 200 {
                assert_eq!(got, 200, "{header:?}: {}", String::from_utf8_lossy(&body));
            } else {
                assert_shape(got, &body, want, "unauthorized");
            }
        }
    }
}

#[actix_web::test]
async fn multipart_uploads_work_like_raw_ones() {
    for t in backends() {
        let admin = token(&t.store, Role::Admin, None);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let body = report(5);
        let mut form = Vec::new();
        form.extend_from_slice(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n",
        );
        form.extend_from_slice(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"trivy.json\"\r\nContent-Type: application/json\r\n\r\n",
        );
        form.extend_from_slice(&body);
        form.extend_from_slice(b"\r\n--XyZ--\r\n");
        let req = test::TestRequest::post()
            .uri("/api/v1/projects/shop/releases/1.0/scans")
            .insert_header(bearer(&admin))
            .insert_header(("Content-Type", "multipart/form-data; boundary=XyZ"))
            .set_payload(form)
            .to_request();
        let response = test::call_service(&app, req).await;
        assert_eq!(response.status().as_u16(), 201);
        let outcome: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(outcome["findings"], 5);
        // The same bytes raw: a duplicate, 200, nothing new.
        let req = test::TestRequest::post()
            .uri("/api/v1/projects/shop/releases/1.0/scans")
            .insert_header(bearer(&admin))
            .set_payload(body.clone())
            .to_request();
        let response = test::call_service(&app, req).await;
        assert_eq!(response.status().as_u16(), 200);
        let again: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["scan_id"], outcome["scan_id"]);
        let scans = t.store.scans("shop", "1.0").expect("scans");
        assert_eq!(scans.len(), 1, "{}", t.name);
        assert_eq!(scans[0].file_name.as_deref(), Some("trivy.json"));
        assert!(scans[0].uploaded_by.starts_with("token:"));
        // Byte-exact download with its hash.
        let req = test::TestRequest::get()
            .uri(&format!("/api/v1/projects/shop/scans/{}/raw", scans[0].id))
            .insert_header(bearer(&admin))
            .to_request();
        let response = test::call_service(&app, req).await;
        assert_eq!(response.status().as_u16(), 200);
        let sha = response
            .headers()
            .get("x-content-sha256")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let raw = test::read_body(response).await;
        assert_eq!(raw.as_ref(), body.as_slice());
        assert_eq!(sha.as_deref(), Some(scans[0].sha256.as_str()));
        // The scan is not reachable through another project's path.
        let req = test::TestRequest::get()
            .uri(&format!("/api/v1/projects/other/scans/{}/raw", scans[0].id))
            .insert_header(bearer(&admin))
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status().as_u16(), 404);
    }
}

/// The OpenAPI document the app serves.
async fn openapi_document() -> serde_json::Value {
    let t = backends().remove(0);
    let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
    let req = test::TestRequest::get()
        .uri("/api/v1/openapi.json")
        .to_request();
    test::call_and_read_body_json(&app, req).await
}

#[actix_web::test]
async fn openapi_documents_every_route() {
    let doc = openapi_document().await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for route in ROUTES
        .iter()
        .filter(|r| r.path != "/api/v1/openapi.json" && !r.is_ui())
    {
        let method = route.method.as_str().to_ascii_lowercase();
        assert!(
            doc["paths"][route.path][&method].is_object(),
            "{} {} missing from the OpenAPI document",
            route.method,
            route.path
        );
    }
    // Every response declares its body: JSON with a schema, every refusal the one error
    // shape, and a stream its media type (no 204s today; one would declare no body).
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let responses = operation["responses"].as_object();
            assert!(
                responses.is_some_and(|r| r.keys().any(|s| s.starts_with('2'))),
                "{method} {path} declares no success response"
            );
            for (status, response) in responses.into_iter().flatten() {
                let content = response["content"].as_object();
                let Some(content) = content.filter(|c| !c.is_empty()) else {
                    assert_eq!(status, "204", "{method} {path} {status} declares no body");
                    continue;
                };
                for (media, body) in content {
                    if media.ends_with("json") {
                        assert!(
                            body["schema"].is_object(),
                            "{method} {path} {status} {media} declares no schema"
                        );
                    }
                    if !status.starts_with('2') {
                        assert_eq!(
                            (media.as_str(), &body["schema"]["$ref"]),
                            (
                                "application/json",
                                &serde_json::json!("#/components/schemas/ErrorBody")
                            ),
                            "{method} {path} {status} is not the error shape"
                        );
                    }
                }
            }
            // A public route's credential, if any, is its body (the token exchange's CI token).
            let public = ROUTES.iter().any(|r| {
                r.path == path
                    && r.method.as_str().eq_ignore_ascii_case(method)
                    && r.permission == schema::Permission::Public
            });
            if path.starts_with("/api/") && !public {
                assert!(
                    operation["security"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    "{method} {path} names no security scheme"
                );
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{method} {path} has no 401"
                );
            }
        }
    }
    for scheme in ["token", "basic"] {
        assert!(
            doc["components"]["securitySchemes"][scheme].is_object(),
            "security scheme {scheme} missing"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .map(|p| p.as_object().map_or(0, |o| o.len()))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(
        documented,
        ROUTES.iter().filter(|r| !r.is_ui()).count() - 1,
        "documented routes not in the route table"
    );
}

/// schemathesis found every timestamp of every response refused: the document said RFC 3339
/// `date-time`, the API writes UTC without an offset. The document now says what is written.
#[actix_web::test]
async fn openapi_timestamps_are_declared_as_written() {
    let doc = openapi_document().await;
    let text = doc.to_string();
    assert!(
        !text.contains("\"date-time\""),
        "a timestamp declared as RFC 3339 date-time"
    );
    let pattern =
        doc["components"]["schemas"]["ScanSummary"]["properties"]["uploaded_at"]["pattern"]
            .as_str()
            .expect("uploaded_at has a pattern");
    assert_eq!(pattern, r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$");
    let written = serde_json::to_value(
        chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_micro_opt(12, 0, 0, 123_456)),
    )
    .expect("a timestamp serializes");
    assert_eq!(written, serde_json::json!("2026-03-01T12:00:00.123456"));
}

#[actix_web::test]
async fn metrics_scrape_in_prometheus_text_format() {
    let t = backends().remove(0);
    let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
    let req = test::TestRequest::get().uri("/healthz").to_request();
    test::call_service(&app, req).await;
    let req = test::TestRequest::get().uri("/metrics").to_request();
    let response = test::call_service(&app, req).await;
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"))
    );
    let text = String::from_utf8(test::read_body(response).await.to_vec()).expect("utf8");
    for needle in [
        "scanledger_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "scanledger_http_request_duration_seconds_bucket",
        "scanledger_uploads_total",
        "scanledger_findings_imported_total",
        "scanledger_db_pool_connections",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

/// The periodic audit check: intact against a bundle signed by the trusted key; failing (gauge
/// 0, a failure counted) when the stored bundle is not signed by the key the server trusts.
#[actix_web::test]
async fn the_audit_check_holds_the_log_against_stored_bundles() {
    for t in backends() {
        import_fixture(&t.store, "shop", "1.0", 1);
        let key = reports::EvidenceKey::from_seed(&[5; 32]);
        t.store
            .seal(
                &schema::SealRequest {
                    project: "shop",
                    release: "1.0",
                    sealed_by: "alice",
                    gate: schema::GateOptions::default(),
                    allow_blocked_reason: Some("test"),
                    generator: "test",
                },
                &key,
            )
            .expect("seal");
        let metrics = server::metrics::Metrics::new().unwrap();
        let check = server::audit_check::check_once(&t.store, &[key.public()]).unwrap();
        assert!(check.ok(), "{}: {check:?}", t.name);
        assert_eq!(check.result.anchors, 1);
        server::audit_check::report(&metrics, &Ok(check), 1);
        let text = metrics.render(t.store.pool_state()).unwrap();
        assert!(text.contains("scanledger_audit_chain_verified 1"), "{text}");
        assert!(text.contains("scanledger_audit_chain_anchors 1"), "{text}");

        let other = reports::EvidenceKey::from_seed(&[6; 32]).public();
        let check = server::audit_check::check_once(&t.store, &[other]).unwrap();
        assert!(!check.ok());
        assert_eq!(check.unusable.len(), 1, "{check:?}");
        assert_eq!(check.unusable[0].0, "shop/1.0");
        server::audit_check::report(&metrics, &Ok(check), 1);
        let text = metrics.render(t.store.pool_state()).unwrap();
        assert!(text.contains("scanledger_audit_chain_verified 0"), "{text}");
        assert!(
            text.contains("scanledger_audit_chain_check_failures_total 1"),
            "{text}"
        );
    }
}
