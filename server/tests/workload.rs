//! Workload identity (server/src/auth/workload.rs): CI tokens signed with the fixture keys in
//! `fixtures/workload/` are checked against trust rules; each kind of mismatch is refused.

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use server::auth::workload::{self, BadRule, KeySource, Refusal, TrustRule};
use std::sync::atomic::{AtomicUsize, Ordering};

const ISSUER: &str = "https://token.actions.githubusercontent.com";
const AUDIENCE: &str = "https://scanledger.example";
const KID: &str = "ci-key-1";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/workload/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn published_keys() -> JwkSet {
    serde_json::from_slice(&fixture("jwks.json")).unwrap()
}

/// Key sets from memory: `stale` until a fresh fetch is asked for, then `fresh`.
struct Keys {
    stale: JwkSet,
    fresh: JwkSet,
    fresh_fetches: AtomicUsize,
}

impl Keys {
    fn published() -> Keys {
        Keys {
            stale: published_keys(),
            fresh: published_keys(),
            fresh_fetches: AtomicUsize::new(0),
        }
    }
}

impl KeySource for Keys {
    fn key_set(&self, url: &str, fresh: bool) -> Result<JwkSet, String> {
        assert_eq!(
            url,
            "https://token.actions.githubusercontent.com/.well-known/jwks"
        );
        if fresh {
            self.fresh_fetches.fetch_add(1, Ordering::SeqCst);
            Ok(self.fresh.clone())
        } else {
            Ok(self.stale.clone())
        }
    }
}

fn rule(name: &str, claims: &[(&str, &str)]) -> TrustRule {
    TrustRule {
        name: name.to_string(),
        issuer: ISSUER.to_string(),
        audience: AUDIENCE.to_string(),
        jwks_url: format!("{ISSUER}/.well-known/jwks"),
        claims: claims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        project: "shop".to_string(),
        role: domain::Role::Uploader,
        token_minutes: 15,
    }
}

fn rules() -> Vec<TrustRule> {
    vec![
        rule(
            "shop-main",
            &[("repository", "acme/shop"), ("ref", "refs/heads/main")],
        ),
        rule(
            "shop-tags",
            &[("repository", "acme/shop"), ("ref_type", "tag")],
        ),
    ]
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A `jti` no other token of this test run has.
fn fresh_jti() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "jti-{}-{}-{}",
        std::process::id(),
        now(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// A GitHub Actions-like token's claims, of a push to main, valid for five minutes.
fn claims() -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": fresh_jti(),
        "sub": "repo:acme/shop:ref:refs/heads/main",
        "repository": "acme/shop",
        "ref": "refs/heads/main",
        "ref_type": "branch",
        "iat": now() - 10,
        "nbf": now() - 10,
        "exp": now() + 300,
    })
}

fn with(mut claims: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    claims[key] = value;
    claims
}

fn sign_with(key_file: &str, kid: Option<&str>, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    let key = EncodingKey::from_rsa_pem(&fixture(key_file)).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn sign(claims: &serde_json::Value) -> String {
    sign_with("issuer.pem", Some(KID), claims)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn check(token: &str) -> Result<String, Refusal> {
    let rules = rules();
    workload::verify(token, &rules, &Keys::published()).map(|a| a.rule.name.clone())
}

#[test]
fn a_token_matching_a_rule_is_accepted_with_the_claims_it_matched() {
    let rules = rules();
    let claims_given = with(claims(), "jti", "job-token-1".into());
    let accepted = workload::verify(&sign(&claims_given), &rules, &Keys::published()).unwrap();
    assert_eq!(accepted.rule.name, "shop-main");
    assert_eq!(accepted.rule.project, "shop");
    assert_eq!(accepted.jti, "job-token-1");
    assert_eq!(Some(accepted.expires), claims_given["exp"].as_i64());
    let matched: Vec<(&str, &str)> = accepted
        .matched
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        matched,
        [
            ("aud", AUDIENCE),
            ("iss", ISSUER),
            ("jti", "job-token-1"),
            ("ref", "refs/heads/main"),
            ("repository", "acme/shop"),
            ("sub", "repo:acme/shop:ref:refs/heads/main"),
        ]
    );
    // A tag push matches the second rule; an array audience is read too.
    let tag = with(
        with(claims(), "ref", "refs/tags/v1.2.0".into()),
        "ref_type",
        "tag".into(),
    );
    let tag = with(tag, "aud", serde_json::json!(["other", AUDIENCE]));
    assert_eq!(check(&sign(&tag)).unwrap(), "shop-tags");
}

#[test]
fn a_token_matching_no_rule_is_refused() {
    let dev_branch = with(claims(), "ref", "refs/heads/dev".into());
    assert!(matches!(
        check(&sign(&dev_branch)),
        Err(Refusal::NoRule { .. })
    ));
    let other_repo = with(claims(), "repository", "acme/shop-fork".into());
    assert!(matches!(
        check(&sign(&other_repo)),
        Err(Refusal::NoRule { .. })
    ));
    // A condition on a claim the token lacks does not hold.
    let mut no_ref = claims();
    no_ref.as_object_mut().unwrap().remove("ref");
    assert!(matches!(check(&sign(&no_ref)), Err(Refusal::NoRule { .. })));
}

#[test]
fn a_wrong_issuer_or_audience_is_refused() {
    let issuer = with(claims(), "iss", "https://gitlab.example".into());
    assert!(matches!(
        check(&sign(&issuer)),
        Err(Refusal::UnknownIssuer(_))
    ));
    let audience = with(claims(), "aud", "https://elsewhere.example".into());
    assert!(matches!(check(&sign(&audience)), Err(Refusal::Invalid(_))));
    let mut no_audience = claims();
    no_audience.as_object_mut().unwrap().remove("aud");
    assert!(matches!(
        check(&sign(&no_audience)),
        Err(Refusal::Invalid(_))
    ));
}

#[test]
fn expiry_is_honoured_within_a_bounded_clock_skew() {
    let expired = with(claims(), "exp", (now() - 120).into());
    assert!(matches!(check(&sign(&expired)), Err(Refusal::Invalid(_))));
    let just_expired = with(claims(), "exp", (now() - 20).into());
    assert_eq!(check(&sign(&just_expired)).unwrap(), "shop-main");
    let not_yet = with(claims(), "nbf", (now() + 600).into());
    assert!(matches!(check(&sign(&not_yet)), Err(Refusal::Invalid(_))));
    let mut no_expiry = claims();
    no_expiry.as_object_mut().unwrap().remove("exp");
    assert!(matches!(check(&sign(&no_expiry)), Err(Refusal::Invalid(_))));
}

#[test]
fn forged_tokens_are_refused() {
    // The payload changed after signing (another repository).
    let token = sign(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload =
        b64(
            serde_json::to_string(&with(claims(), "repository", "evil/repo".into()))
                .unwrap()
                .as_bytes(),
        );
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert!(matches!(check(&tampered), Err(Refusal::Invalid(_))));

    // Signed by a key no issuer publishes, under the published key's kid.
    let other_key = sign_with("other.pem", Some(KID), &claims());
    assert!(matches!(check(&other_key), Err(Refusal::Invalid(_))));

    // Unsigned: `alg: none`.
    let header = b64(br#"{"alg":"none","typ":"JWT","kid":"ci-key-1"}"#);
    let payload = b64(serde_json::to_string(&claims()).unwrap().as_bytes());
    let unsigned = format!("{header}.{payload}.");
    assert!(matches!(
        check(&unsigned),
        Err(Refusal::Malformed(_) | Refusal::Algorithm(_))
    ));

    // HMAC with the issuer's public key as the shared secret.
    let mut hmac_header = Header::new(Algorithm::HS256);
    hmac_header.kid = Some(KID.to_string());
    let public_as_secret = EncodingKey::from_secret(&fixture("issuer.pub.pem")).unwrap();
    let hmac = jsonwebtoken::encode(&hmac_header, &claims(), &public_as_secret).unwrap();
    assert!(matches!(check(&hmac), Err(Refusal::Algorithm(_))));

    // No kid, or one the issuer never published.
    let no_kid = sign_with("issuer.pem", None, &claims());
    assert!(matches!(check(&no_kid), Err(Refusal::NoKeyId)));
    let unknown_kid = sign_with("issuer.pem", Some("ci-key-9"), &claims());
    assert!(matches!(
        check(&unknown_kid),
        Err(Refusal::UnknownKey { .. })
    ));

    // Not a JWT at all.
    assert!(matches!(check("slt_not-a-jwt"), Err(Refusal::Malformed(_))));
}

#[test]
fn an_unknown_kid_fetches_the_key_set_again_once() {
    let keys = Keys {
        stale: JwkSet { keys: Vec::new() },
        fresh: published_keys(),
        fresh_fetches: AtomicUsize::new(0),
    };
    let rules = rules();
    let accepted = workload::verify(&sign(&claims()), &rules, &keys).unwrap();
    assert_eq!(accepted.rule.name, "shop-main");
    assert_eq!(keys.fresh_fetches.load(Ordering::SeqCst), 1);
    // A known kid is answered from the cached set.
    let cached = Keys::published();
    workload::verify(&sign(&claims()), &rules, &cached).unwrap();
    assert_eq!(cached.fresh_fetches.load(Ordering::SeqCst), 0);
}

#[test]
fn rules_that_would_trust_too_much_are_refused_at_start() {
    assert_eq!(workload::check_rules(&rules()), Ok(()));
    let no_claims = rule("everyone", &[]);
    assert_eq!(
        workload::check_rules(&[no_claims]),
        Err(BadRule::NoClaims("everyone".into()))
    );
    let mut long = rule("long", &[("repository", "acme/shop")]);
    long.token_minutes = 24 * 60;
    assert!(matches!(
        workload::check_rules(&[long]),
        Err(BadRule::Minutes { .. })
    ));
    let mut plain_http = rule("plain", &[("repository", "acme/shop")]);
    plain_http.jwks_url = "http://keys.example/jwks".into();
    assert!(matches!(
        workload::check_rules(&[plain_http]),
        Err(BadRule::Url { .. })
    ));
    let mut second_key_set = rule("second", &[("repository", "acme/shop")]);
    second_key_set.jwks_url = format!("{ISSUER}/other-jwks");
    assert!(matches!(
        workload::check_rules(&[rules()[0].clone(), second_key_set]),
        Err(BadRule::TwoKeySets(..))
    ));
    let config: TrustRule = toml::from_str(
        r#"
        name = "shop-main"
        issuer = "https://token.actions.githubusercontent.com"
        audience = "https://scanledger.example"
        jwks_url = "https://token.actions.githubusercontent.com/.well-known/jwks"
        project = "shop"
        claims = { repository = "acme/shop", ref = "refs/heads/main" }
        "#,
    )
    .unwrap();
    assert_eq!(config, rules()[0]);
}

/// The app with the test rules and the fixture key set.
fn exchanging_state(store: &schema::Store) -> server::AppState {
    limited_state(store, server::config::DEFAULT_BAD_TOKENS_PER_MINUTE)
}

/// The same, with `bad_tokens_per_minute` failures allowed per address.
fn limited_state(store: &schema::Store, bad_tokens_per_minute: u32) -> server::AppState {
    let config = server::ServerConfig {
        trust_rules: rules(),
        bad_tokens_per_minute,
        ..Default::default()
    };
    let mut state = crate::harness::state(store, config);
    state.key_sets = actix_web::web::Data::from(
        std::sync::Arc::new(Keys::published()) as std::sync::Arc<dyn KeySource>
    );
    state
}

fn exchange_request(token: &str) -> actix_http::Request {
    actix_web::test::TestRequest::post()
        .uri("/api/v1/auth/exchange")
        .set_json(serde_json::json!({ "token": token }))
        .to_request()
}

#[actix_web::test]
async fn an_exchanged_token_uploads_to_its_project_only_and_is_audited() {
    use actix_web::test;
    for t in crate::harness::backends() {
        let app = test::init_service(server::app(exchanging_state(&t.store))).await;
        let response = test::call_service(&app, exchange_request(&sign(&claims()))).await;
        assert_eq!(response.status().as_u16(), 201, "{}", t.name);
        let issued: serde_json::Value = test::read_body_json(response).await;
        assert_eq!(issued["role"], "uploader");
        assert_eq!(issued["project"], "shop");
        assert_eq!(issued["name"], "ci:shop-main");
        let expires = chrono::NaiveDateTime::parse_from_str(
            issued["expires_at"].as_str().unwrap(),
            "%Y-%m-%dT%H:%M:%S%.f",
        )
        .unwrap();
        let minutes = (expires - chrono::Utc::now().naive_utc()).num_minutes();
        assert!((14..=15).contains(&minutes), "expires in {minutes} minutes");
        let secret = issued["token"].as_str().unwrap();
        let upload = |project: &str| {
            test::TestRequest::post()
                .uri(&format!("/api/v1/projects/{project}/releases/1.0/scans"))
                .insert_header(crate::harness::bearer(secret))
                .set_payload(crate::harness::report(3))
                .to_request()
        };
        let response = test::call_service(&app, upload("shop")).await;
        assert_eq!(response.status().as_u16(), 201);
        let response = test::call_service(&app, upload("other")).await;
        assert_eq!(response.status().as_u16(), 403);
        let events = t.store.audit_list(&schema::AuditQuery::default()).unwrap();
        let exchange = events
            .iter()
            .find(|e| e.action == "token.exchange")
            .expect("audited");
        assert_eq!(exchange.actor, "oidc:repo:acme/shop:ref:refs/heads/main");
        assert!(
            exchange
                .after
                .as_deref()
                .unwrap()
                .contains("refs/heads/main")
        );
    }
}

#[test]
fn a_token_without_a_jti_is_refused() {
    let mut no_jti = claims();
    no_jti.as_object_mut().unwrap().remove("jti");
    assert!(matches!(check(&sign(&no_jti)), Err(Refusal::NoJti)));
    let empty = with(claims(), "jti", "".into());
    assert!(matches!(check(&sign(&empty)), Err(Refusal::NoJti)));
    let long = with(
        claims(),
        "jti",
        "j".repeat(workload::MAX_JTI_LEN + 1).into(),
    );
    assert!(matches!(check(&sign(&long)), Err(Refusal::NoJti)));
}

/// A job token is exchanged once: the same token again (a replay within its lifetime) is a
/// 401 and issues nothing; another token of the same job (another `jti`) is exchanged.
#[actix_web::test]
async fn a_job_token_is_exchanged_once() {
    use actix_web::test;
    for t in crate::harness::backends() {
        let app = test::init_service(server::app(exchanging_state(&t.store))).await;
        let token = sign(&claims());
        let first = test::call_service(&app, exchange_request(&token)).await;
        assert_eq!(first.status().as_u16(), 201, "{}", t.name);
        let again = test::call_service(&app, exchange_request(&token)).await;
        assert_eq!(again.status().as_u16(), 401, "{}", t.name);
        let another = test::call_service(&app, exchange_request(&sign(&claims()))).await;
        assert_eq!(another.status().as_u16(), 201, "{}", t.name);
        let events = t.store.audit_list(&schema::AuditQuery::default()).unwrap();
        let exchanges = events
            .iter()
            .filter(|e| e.action == "token.exchange")
            .count();
        assert_eq!(exchanges, 2, "{}", t.name);
        let tokens = t.store.tokens().unwrap();
        assert_eq!(tokens.len(), 2, "{}: a replay issued a token", t.name);
    }
}

#[actix_web::test]
async fn refused_exchanges_are_401_without_the_reason() {
    use actix_web::test;
    let t = crate::harness::backends().remove(0);
    let app = test::init_service(server::app(exchanging_state(&t.store))).await;
    let refused = [
        sign(&with(claims(), "iss", "https://gitlab.example".into())),
        sign(&with(claims(), "aud", "https://elsewhere.example".into())),
        sign(&with(claims(), "exp", (now() - 120).into())),
        sign(&with(claims(), "ref", "refs/heads/dev".into())),
        sign_with("other.pem", Some(KID), &claims()),
        "not-a-jwt".to_string(),
    ];
    for token in refused {
        let response = test::call_service(&app, exchange_request(&token)).await;
        assert_eq!(response.status().as_u16(), 401);
        let body: serde_json::Value = test::read_body_json(response).await;
        let text = body.to_string();
        assert!(
            !text.contains("rule") && !text.contains("issuer") && !text.contains("expired"),
            "the reason reached the response: {text}"
        );
    }
    let events = t.store.audit_list(&schema::AuditQuery::default()).unwrap();
    assert!(events.iter().all(|e| e.action != "token.exchange"));
}

/// Hammering the exchange from one address: once its refused job tokens reach the limit of
/// failed tokens (`bad_tokens_per_minute`), it gets 429 with the JSON error, before any token
/// is checked, so even a good one is not looked at (and not used up). Another address still
/// exchanges; invalid bearer tokens on other routes count against the same limit.
#[actix_web::test]
async fn hammering_the_exchange_gets_429() {
    use actix_web::test;
    let t = crate::harness::backends().remove(0);
    let app = test::init_service(server::app(limited_state(&t.store, 3))).await;
    let from = |address: &str, token: &str| {
        test::TestRequest::post()
            .uri("/api/v1/auth/exchange")
            .peer_addr(format!("{address}:40000").parse().unwrap())
            .set_json(serde_json::json!({ "token": token }))
            .to_request()
    };
    for refused in [
        "not-a-jwt".to_string(),
        sign(&with(claims(), "ref", "refs/heads/dev".into())),
        sign_with("other.pem", Some(KID), &claims()),
    ] {
        let response = test::call_service(&app, from("10.0.0.9", &refused)).await;
        assert_eq!(response.status().as_u16(), 401);
    }
    let good = sign(&claims());
    let response = test::call_service(&app, from("10.0.0.9", &good)).await;
    assert_eq!(response.status().as_u16(), 429);
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("10.0.0.9") && m.contains("wait a minute")),
        "{body}"
    );
    // The good token was not checked, so not used up: from another address it is exchanged.
    let response = test::call_service(&app, from("10.0.0.10", &good)).await;
    assert_eq!(response.status().as_u16(), 201);

    // One count of bad credentials per address: invalid bearer tokens elsewhere count too.
    for _ in 0..3 {
        let bad = test::TestRequest::get()
            .uri("/api/v1/whoami")
            .peer_addr("10.0.0.11:40000".parse().unwrap())
            .insert_header(crate::harness::bearer("slt_0000"))
            .to_request();
        assert_eq!(test::call_service(&app, bad).await.status().as_u16(), 401);
    }
    let response = test::call_service(&app, from("10.0.0.11", &sign(&claims()))).await;
    assert_eq!(response.status().as_u16(), 429);
    let events = t.store.audit_list(&schema::AuditQuery::default()).unwrap();
    let exchanges = events
        .iter()
        .filter(|e| e.action == "token.exchange")
        .count();
    assert_eq!(exchanges, 1);
}

/// The key set fetched over HTTP from an issuer on 127.0.0.1: cached, and fetched again for an
/// unknown `kid` at most every JWKS_REFRESH_MIN_SECS.
#[actix_web::test]
async fn key_sets_are_fetched_over_http_and_cached() {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let fetches = web::Data::new(AtomicUsize::new(0));
    let served = fetches.clone();
    let server = HttpServer::new(move || {
        App::new().app_data(served.clone()).route(
            "/jwks",
            web::get().to(|count: web::Data<AtomicUsize>| async move {
                count.fetch_add(1, Ordering::SeqCst);
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(fixture("jwks.json"))
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let url = format!("http://{}/jwks", server.addrs()[0]);
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    let sets = std::sync::Arc::new(workload::HttpKeySets::default());
    let fetch = |fresh: bool| {
        let (sets, url) = (sets.clone(), url.clone());
        actix_web::rt::task::spawn_blocking(move || sets.key_set(&url, fresh))
    };
    let first = fetch(false).await.unwrap().unwrap();
    assert!(first.find(KID).is_some());
    fetch(false).await.unwrap().unwrap();
    // Asked fresh moments after a fetch: the cached set, no new request.
    fetch(true).await.unwrap().unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    handle.stop(true).await;
}
