//! Web UI sign-in with an OpenID provider (server/src/auth/oidc.rs, server/src/ui/pages/oidc.rs)
//! against hostile input: a provider on 127.0.0.1 serves discovery and a JWKS of the fixture key
//! in `fixtures/workload/` (kid `ci-key-1`); ID tokens are made here. Tampered, unsigned,
//! wrongly signed, wrong-nonce, wrong-audience, wrong-issuer and expired tokens are refused; a
//! `state` is taken once; the return URL is a local path only. (The whole flow against a real
//! provider in a browser is `tests/tests/oidc.rs`.)

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use server::auth::oidc::{GroupGrant, Oidc, OidcFile, OidcSettings};
use std::collections::BTreeMap;
use std::sync::Arc;

const KID: &str = "ci-key-1";
const CLIENT: &str = "scanledger";
const NONCE: &str = "the-nonce-of-this-sign-in";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/workload/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A provider's discovery document and key set on 127.0.0.1; its issuer URL.
async fn provider() -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let served = issuer.clone();
    let server = HttpServer::new(move || {
        let issuer = served.clone();
        App::new()
            .route(
                "/.well-known/openid-configuration",
                web::get().to(move || {
                    let issuer = issuer.clone();
                    async move {
                        HttpResponse::Ok().json(serde_json::json!({
                            "issuer": issuer,
                            "authorization_endpoint": format!("{issuer}/auth"),
                            "token_endpoint": format!("{issuer}/token"),
                            "jwks_uri": format!("{issuer}/jwks"),
                            "end_session_endpoint": format!("{issuer}/session/end"),
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }))
                    }
                }),
            )
            .route(
                "/jwks",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(fixture("jwks.json"))
                }),
            )
    })
    .workers(1)
    .listen(listener)
    .unwrap();
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    (issuer, handle)
}

fn settings(issuer: &str) -> Arc<OidcSettings> {
    let mut groups = BTreeMap::new();
    groups.insert(
        "sec-auditors".to_string(),
        GroupGrant {
            role: domain::Role::Auditor,
            projects: vec!["*".into()],
        },
    );
    let file = OidcFile {
        issuer: Some(issuer.to_string()),
        client_id: Some(CLIENT.into()),
        redirect_url: Some("http://127.0.0.1:9/ui/oidc/callback".into()),
        require_mfa: Some(true),
        groups,
        ..OidcFile::default()
    };
    Arc::new(OidcSettings::resolve(&file, Some("the-client-secret".into())).unwrap())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(issuer: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": issuer,
        "aud": CLIENT,
        "sub": "user-1",
        "preferred_username": "alice",
        "groups": ["sec-auditors"],
        "amr": ["pwd", "otp"],
        "nonce": NONCE,
        "iat": now() - 5,
        "exp": now() + 300,
    })
}

fn sign_with(key_file: &str, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_string());
    let key = EncodingKey::from_rsa_pem(&fixture(key_file)).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Runs `verify` off the event loop (it fetches over blocking HTTP).
async fn verify(oidc: &Arc<Oidc>, token: String, nonce: &str) -> Result<String, String> {
    let (oidc, nonce) = (oidc.clone(), nonce.to_string());
    actix_web::rt::task::spawn_blocking(move || oidc.verify(&token, &nonce))
        .await
        .unwrap()
        .map(|v| format!("{} {:?} {:?}", v.name, v.groups, v.amr))
        .map_err(|e| e.to_string())
}

#[actix_web::test]
async fn hostile_id_tokens_are_refused() {
    let (issuer, handle) = provider().await;
    let oidc = Arc::new(Oidc::new(settings(&issuer)));
    let good = sign_with("issuer.pem", &claims(&issuer));
    assert_eq!(
        verify(&oidc, good.clone(), NONCE).await.unwrap(),
        r#"alice ["sec-auditors"] ["pwd", "otp"]"#
    );

    // Tampered: the payload changed (another group), the signature kept.
    let parts: Vec<&str> = good.split('.').collect();
    let mut tampered_claims = claims(&issuer);
    tampered_claims["groups"] = serde_json::json!(["admins"]);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_vec(&tampered_claims).unwrap()),
        parts[2]
    );
    let e = verify(&oidc, tampered, NONCE).await.unwrap_err();
    assert!(e.contains("refused"), "{e}");

    // `alg: none`, no signature.
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(&serde_json::to_vec(&claims(&issuer)).unwrap())
    );
    assert!(verify(&oidc, none, NONCE).await.is_err());

    // HMAC with the client secret as the key (algorithm confusion): refused.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.into());
    let hs = jsonwebtoken::encode(
        &header,
        &claims(&issuer),
        &EncodingKey::from_secret(b"the-client-secret").unwrap(),
    )
    .unwrap();
    assert!(verify(&oidc, hs, NONCE).await.is_err());

    // Signed by another key that claims the provider's kid.
    let forged = sign_with("other.pem", &claims(&issuer));
    assert!(verify(&oidc, forged, NONCE).await.is_err());

    // Another sign-in's nonce.
    let e = verify(&oidc, good.clone(), "another-nonce")
        .await
        .unwrap_err();
    assert!(e.to_lowercase().contains("nonce"), "{e}");

    // Another audience, another issuer.
    let mut other_aud = claims(&issuer);
    other_aud["aud"] = serde_json::json!("another-client");
    assert!(
        verify(&oidc, sign_with("issuer.pem", &other_aud), NONCE)
            .await
            .is_err()
    );
    let mut other_iss = claims(&issuer);
    other_iss["iss"] = serde_json::json!("https://evil.example");
    assert!(
        verify(&oidc, sign_with("issuer.pem", &other_iss), NONCE)
            .await
            .is_err()
    );

    // Expired: within the bounded skew it passes, past it it does not; issued in the future
    // past the skew neither.
    let mut just = claims(&issuer);
    just["exp"] = serde_json::json!(now() - 20);
    assert!(
        verify(&oidc, sign_with("issuer.pem", &just), NONCE)
            .await
            .is_ok()
    );
    let mut expired = claims(&issuer);
    expired["exp"] = serde_json::json!(now() - 600);
    assert!(
        verify(&oidc, sign_with("issuer.pem", &expired), NONCE)
            .await
            .is_err()
    );
    let mut future = claims(&issuer);
    future["iat"] = serde_json::json!(now() + 600);
    assert!(
        verify(&oidc, sign_with("issuer.pem", &future), NONCE)
            .await
            .is_err()
    );
    handle.stop(true).await;
}

#[test]
fn groups_map_to_the_strongest_grant_and_mfa_is_read_from_amr_or_acr() {
    let s = settings("https://idp.example");
    assert_eq!(
        s.grant(&["x".into(), "sec-auditors".into()]),
        Some((domain::Role::Auditor, None))
    );
    assert_eq!(s.grant(&["x".into()]), None);
    assert!(s.mfa_ok(&["pwd".into(), "otp".into()], None));
    assert!(!s.mfa_ok(&["pwd".into()], None));
    assert!(!s.mfa_ok(&[], Some("urn:low")));
}

/// The CLI's `--oidc-*` flags and variables over the file's `[oidc]`, key by key: what they
/// give wins, the rest (and always the group mapping) is the file's; nothing anywhere is no
/// provider.
#[test]
fn flags_lay_over_the_file_key_by_key() {
    let mut groups = BTreeMap::new();
    groups.insert(
        "sec-auditors".to_string(),
        GroupGrant {
            role: domain::Role::Auditor,
            projects: vec!["*".into()],
        },
    );
    let file: OidcFile = toml::from_str(
        r#"
issuer = "https://file.example"
client_id = "from-file"
redirect_url = "https://scanledger.example/ui/oidc/callback"
scopes = ["openid", "profile"]
groups_claim = "roles"
require_mfa = true
mfa_acr = ["urn:file"]

[groups]
"sec-auditors" = { role = "auditor", projects = ["*"] }
"#,
    )
    .unwrap();
    let flags = OidcFile {
        issuer: Some("https://flag.example".into()),
        scopes: Some(vec!["openid".into(), "groups".into()]),
        require_mfa: Some(false),
        mfa_acr: Some(vec!["urn:flag".into()]),
        ..OidcFile::default()
    };
    let merged = flags.over(Some(file)).unwrap();
    let s = OidcSettings::resolve(&merged, None).unwrap();
    assert_eq!(s.issuer.as_str(), "https://flag.example");
    assert_eq!(s.client_id.as_str(), "from-file");
    assert_eq!(s.scopes, ["groups"]);
    assert_eq!(s.groups_claim, "roles");
    assert!(!s.require_mfa);
    assert_eq!(s.mfa_acr, ["urn:flag"]);
    assert_eq!(s.groups.len(), 1);
    assert_eq!(
        s.groups.get("sec-auditors"),
        Some(&(domain::Role::Auditor, None))
    );

    assert!(OidcFile::default().over(None).is_none());
    let only_groups = OidcFile {
        groups,
        ..OidcFile::default()
    };
    let merged = OidcFile::default().over(Some(only_groups)).unwrap();
    assert!(matches!(
        OidcSettings::resolve(&merged, None),
        Err(server::auth::oidc::BadSettings::Missing { key: "issuer", .. })
    ));
}

#[actix_web::test]
async fn a_state_is_used_once_and_the_return_url_is_local_only() {
    use actix_web::test;
    let (issuer, handle) = provider().await;
    for backend in crate::harness::backends() {
        let store = &backend.store;
        let config = server::ServerConfig {
            oidc: Some(settings(&issuer)),
            ..Default::default()
        };
        let app = test::init_service(server::app(crate::harness::state(store, config))).await;
        for hostile in [
            "https://evil.example/",
            "//evil.example/ui",
            "/\\evil.example",
            "/ui/../..//evil.example",
            "javascript:alert(1)",
        ] {
            let uri = format!(
                "/ui/oidc/start?{}",
                serde_urlencoded::to_string([("next", hostile)]).unwrap()
            );
            let res =
                test::call_service(&app, test::TestRequest::get().uri(&uri).to_request()).await;
            assert_eq!(res.status(), 303, "{}: {hostile}", backend.name);
            let location = res
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                location.starts_with(&format!("{issuer}/auth?")),
                "{location}"
            );
            assert!(
                location.contains("code_challenge_method=S256"),
                "{location}"
            );
            let cookie = res
                .response()
                .cookies()
                .find(|c| c.name() == "sl_oidc")
                .expect("the sign-in's cookie")
                .into_owned();
            let state = url_param(&location, "state");
            // The callback finds this browser's sign-in once; its return path is local.
            let pending = store.take_oidc_login(cookie.value()).unwrap().unwrap();
            assert_eq!(pending.next, "/ui", "{hostile}");
            assert_eq!(pending.state, state);
            assert!(store.take_oidc_login(cookie.value()).unwrap().is_none());
            // Replayed through the callback: refused with a page that says why.
            let res = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri(&format!("/ui/oidc/callback?code=x&state={state}"))
                    .cookie(cookie)
                    .to_request(),
            )
            .await;
            assert_eq!(res.status(), 403);
            let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
            assert!(body.contains("already used or expired"), "{body}");
        }
        // A state that is not this browser's sign-in's.
        let res = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/ui/oidc/start?next=%2Fui%2Faudit")
                .to_request(),
        )
        .await;
        let cookie = res
            .response()
            .cookies()
            .find(|c| c.name() == "sl_oidc")
            .unwrap()
            .into_owned();
        let res = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/ui/oidc/callback?code=x&state=made-up")
                .cookie(cookie)
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), 403);
        let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
        assert!(body.contains("does not belong to this sign-in"), "{body}");
    }
    handle.stop(true).await;
}

#[actix_web::test]
async fn passwords_are_refused_when_local_sign_in_is_off() {
    use actix_web::test;
    for backend in crate::harness::backends() {
        let store = &backend.store;
        store
            .create_user(
                &schema::Grant {
                    name: "root",
                    role: domain::Role::Admin,
                    project: None,
                    created_by: "test",
                },
                "a long password",
            )
            .unwrap();
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("root:a long password")
        );
        for (local, want) in [(true, 200), (false, 401)] {
            let config = server::ServerConfig {
                local_passwords: local,
                ..Default::default()
            };
            let app = test::init_service(server::app(crate::harness::state(store, config))).await;
            let res = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri("/api/v1/whoami")
                    .insert_header(("authorization", basic.clone()))
                    .to_request(),
            )
            .await;
            assert_eq!(res.status(), want, "{} local={local}", backend.name);
        }
    }
}

fn url_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}
