//! The routes behind the CLI's remote `raw`, `audit list|verify`, `sla` and `triage`: what each
//! role gets beyond the role matrix (scope narrowing, not-found for other projects' scans, the
//! chain check's anchors), and that a decision made with a token records the token as actor.

use crate::harness::{backends, bearer, import_fixture, report, state, token};
use actix_web::test;
use schema::{AuditQuery, Role, Store};
use server::ServerConfig;

/// Two projects with one scan each; the scan ids of `own` and `foreign`.
fn two_projects(store: &Store) -> (i64, i64) {
    let mut ids = Vec::new();
    for (project, seed) in [("own", 11), ("foreign", 12)] {
        let outcome = import_fixture(store, project, "1.0", seed);
        ids.push(outcome.scan_id.get());
    }
    (ids[0], ids[1])
}

#[actix_web::test]
async fn a_raw_report_by_scan_id_is_found_only_in_the_callers_scope() {
    for t in backends() {
        let (own, foreign) = two_projects(&t.store);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let auditor = token(&t.store, Role::Auditor, Some("own"));
        let global = token(&t.store, Role::Auditor, None);
        let get = |scan: i64, secret: &str| {
            test::TestRequest::get()
                .uri(&format!("/api/v1/scans/{scan}/raw"))
                .insert_header(bearer(secret))
                .to_request()
        };
        let response = test::call_service(&app, get(own, &auditor)).await;
        assert_eq!(response.status().as_u16(), 200, "{}", t.name);
        let sha = response
            .headers()
            .get("X-Content-SHA256")
            .expect("sha header")
            .to_str()
            .expect("header")
            .to_string();
        let body = test::read_body(response).await;
        assert_eq!(body.as_ref(), report(11).as_slice());
        assert_eq!(sha, t.store.scans("own", "1.0").expect("scans")[0].sha256);
        // Another project's scan is as absent as a scan that does not exist: same status, same
        // message.
        let response = test::call_service(&app, get(foreign, &auditor)).await;
        assert_eq!(response.status().as_u16(), 404, "{}", t.name);
        let hidden: serde_json::Value =
            serde_json::from_slice(&test::read_body(response).await).expect("json");
        let response = test::call_service(&app, get(999_999, &auditor)).await;
        assert_eq!(response.status().as_u16(), 404, "{}", t.name);
        let missing: serde_json::Value =
            serde_json::from_slice(&test::read_body(response).await).expect("json");
        assert_eq!(
            hidden["error"]["message"]
                .as_str()
                .map(|m| m.replace(&foreign.to_string(), "N")),
            missing["error"]["message"]
                .as_str()
                .map(|m| m.replace("999999", "N")),
        );
        // A principal of every project reads it.
        let response = test::call_service(&app, get(foreign, &global)).await;
        assert_eq!(response.status().as_u16(), 200, "{}", t.name);
        assert_eq!(
            test::read_body(response).await.as_ref(),
            report(12).as_slice()
        );
    }
}

#[actix_web::test]
async fn the_audit_list_takes_the_clis_filters_and_is_narrowed_to_the_callers_scope() {
    for t in backends() {
        two_projects(&t.store);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let scoped = token(&t.store, Role::Triager, Some("own"));
        let global = token(&t.store, Role::Auditor, None);
        let list = |uri: &str, secret: &str| {
            test::TestRequest::get()
                .uri(uri)
                .insert_header(bearer(secret))
                .to_request()
        };
        let everything: Vec<schema::AuditEvent> =
            test::call_and_read_body_json(&app, list("/api/v1/audit", &global)).await;
        assert_eq!(
            everything,
            t.store.audit_list(&AuditQuery::default()).expect("audit"),
            "{}",
            t.name
        );
        // Events of no project (token.create) and of the other project are there ...
        assert!(everything.iter().any(|e| e.project.is_none()));
        assert!(
            everything
                .iter()
                .any(|e| e.project.as_deref() == Some("foreign"))
        );
        // ... and not for a caller scoped to `own`.
        let narrowed: Vec<schema::AuditEvent> =
            test::call_and_read_body_json(&app, list("/api/v1/audit", &scoped)).await;
        assert!(!narrowed.is_empty());
        assert!(
            narrowed.iter().all(|e| e.project.as_deref() == Some("own")),
            "{}",
            t.name
        );
        // The filters, on both routes.
        let since = everything[1].at.format("%Y-%m-%dT%H:%M:%S%.f");
        for (uri, query) in [
            (
                "/api/v1/audit?action=scan.upload&limit=1".to_string(),
                AuditQuery {
                    action: Some("scan.upload".into()),
                    limit: Some(1),
                    ..Default::default()
                },
            ),
            (
                format!("/api/v1/projects/own/audit?since={since}"),
                AuditQuery {
                    project: Some("own".into()),
                    since: Some(everything[1].at),
                    ..Default::default()
                },
            ),
        ] {
            let got: Vec<schema::AuditEvent> =
                test::call_and_read_body_json(&app, list(&uri, &global)).await;
            assert_eq!(got, t.store.audit_list(&query).expect("audit"), "{uri}");
            assert!(!got.is_empty(), "{uri}");
        }
        for bad in [
            "/api/v1/audit?limit=-1",
            "/api/v1/audit?limit=many",
            "/api/v1/audit?since=yesterday",
        ] {
            let response = test::call_service(&app, list(bad, &global)).await;
            assert_eq!(response.status().as_u16(), 400, "{bad}");
        }
    }
}

#[actix_web::test]
async fn the_chain_check_is_for_admins_and_auditors_of_every_project() {
    for t in backends() {
        two_projects(&t.store);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let verify = |secret: &str, anchors: Option<serde_json::Value>| {
            let req = match anchors {
                None => test::TestRequest::get(),
                Some(body) => test::TestRequest::post().set_json(body),
            };
            req.uri("/api/v1/audit/verify")
                .insert_header(bearer(secret))
                .to_request()
        };
        for (role, project, status) in [
            (Role::Auditor, None, 200),
            (Role::Admin, None, 200),
            (Role::Auditor, Some("own"), 403),
            (Role::Admin, Some("own"), 403),
            (Role::Triager, None, 403),
            (Role::Uploader, None, 403),
        ] {
            let secret = token(&t.store, role, project);
            let response = test::call_service(&app, verify(&secret, None)).await;
            assert_eq!(response.status().as_u16(), status, "{role} {project:?}");
            let response = test::call_service(
                &app,
                verify(&secret, Some(serde_json::json!({"anchors": []}))),
            )
            .await;
            assert_eq!(response.status().as_u16(), status, "{role} {project:?}");
        }
        let auditor = token(&t.store, Role::Auditor, None);
        let chain: serde_json::Value =
            test::call_and_read_body_json(&app, verify(&auditor, None)).await;
        assert_eq!(
            chain,
            serde_json::to_value(t.store.audit_verify().expect("verify")).expect("json")
        );
        assert_eq!(chain["ok"], true);
        // A head no bundle could have signed: the log does not hold it, and the answer says
        // which bundle and where.
        let forged = serde_json::json!({"anchors": [
            {"bundle": "forged.zip", "bundle_sha256": "00", "seq": 1, "hash": "ff"}
        ]});
        let anchored: serde_json::Value =
            test::call_and_read_body_json(&app, verify(&auditor, Some(forged))).await;
        assert_eq!(anchored["ok"], false, "{anchored}");
        assert_eq!(anchored["anchors"], 1);
        assert_eq!(
            anchored["problems"][0]["bundle"], "forged.zip",
            "{anchored}"
        );
        let response = test::call_service(
            &app,
            verify(&auditor, Some(serde_json::json!({"anchors": [{"seq": 1}]}))),
        )
        .await;
        assert_eq!(response.status().as_u16(), 400, "{}", t.name);
    }
}

/// A decision made with a token is the token's in the history and the audit log: the server
/// records its caller's label, whatever the client says.
#[actix_web::test]
async fn a_tokens_decisions_are_recorded_as_the_tokens() {
    for t in backends() {
        two_projects(&t.store);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let secret = token(&t.store, Role::Triager, Some("own"));
        let caller: schema::Principal = test::call_and_read_body_json(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/whoami")
                .insert_header(bearer(&secret))
                .to_request(),
        )
        .await;
        let label = caller.label();
        assert!(label.starts_with("token:"), "{label}");
        let fingerprint = t
            .store
            .release_view("own", "1.0", &schema::FindingFilter::default())
            .expect("view")
            .findings[0]
            .fingerprint
            .clone();
        let one = test::TestRequest::post()
            .uri(&format!(
                "/api/v1/projects/own/findings/{fingerprint}/triage"
            ))
            .insert_header(bearer(&secret))
            .set_json(serde_json::json!({"status": "confirmed"}))
            .to_request();
        assert_eq!(test::call_service(&app, one).await.status().as_u16(), 200);
        let bulk = test::TestRequest::post()
            .uri("/api/v1/projects/own/triage")
            .insert_header(bearer(&secret))
            .set_json(serde_json::json!({
                "severity": ["critical", "high", "medium", "low", "info", "unknown"],
                "status": "false_positive", "justification": "test data"
            }))
            .to_request();
        assert_eq!(test::call_service(&app, bulk).await.status().as_u16(), 200);
        let events = t
            .store
            .audit_list(&AuditQuery {
                project: Some("own".into()),
                ..Default::default()
            })
            .expect("audit");
        let triage: Vec<_> = events
            .iter()
            .filter(|e| e.action.starts_with("triage"))
            .collect();
        assert!(triage.len() >= 2, "{}: {events:?}", t.name);
        assert!(
            triage.iter().all(|e| e.actor == label),
            "{label}: {triage:?}"
        );
        let history = t
            .store
            .triage_history("own", &fingerprint)
            .expect("history");
        assert!(history.iter().all(|h| h.decided_by == label), "{history:?}");
    }
}

#[actix_web::test]
async fn the_sla_view_takes_the_release_and_how_far_back_to_look() {
    for t in backends() {
        two_projects(&t.store);
        import_fixture(&t.store, "own", "1.1", 13);
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let secret = token(&t.store, Role::Auditor, Some("own"));
        let sla = |query: &str| {
            test::TestRequest::get()
                .uri(&format!("/api/v1/projects/own/sla{query}"))
                .insert_header(bearer(&secret))
                .to_request()
        };
        for (query, release, releases) in [
            ("", None, 10),
            ("?release=1.0", Some("1.0"), 10),
            ("?releases=1", None, 1),
        ] {
            let mut got: serde_json::Value = test::call_and_read_body_json(&app, sla(query)).await;
            let mut want =
                serde_json::to_value(t.store.sla("own", release, releases, None).expect("sla"))
                    .expect("json");
            for v in [&mut got, &mut want] {
                v.as_object_mut().expect("object").remove("at");
            }
            assert_eq!(got, want, "{} {query}", t.name);
        }
        for (query, status) in [("?releases=many", 400), ("?release=9.9", 404)] {
            let response = test::call_service(&app, sla(query)).await;
            assert_eq!(response.status().as_u16(), status, "{query}");
        }
    }
}
