//! Workload identity: a CI job's short-lived OIDC token (GitHub Actions, GitLab CI) checked
//! against the trust rules an admin configured, so CI can upload without a stored secret.
//!
//! A token is accepted when
//! - its header names an asymmetric algorithm ([`ACCEPTED_ALGORITHMS`]: `none` and HMAC are
//!   refused, so a public key can never be used as a shared secret),
//! - its issuer is one a trust rule names, and its `kid` is a key of that issuer's JWKS (the
//!   key set is cached and fetched again, at most every [`JWKS_REFRESH_MIN_SECS`], when the
//!   `kid` is unknown: the issuer rotated its keys),
//! - its signature verifies with that key (checked by `jsonwebtoken`, never here), its `iss`,
//!   `aud` and `exp` are present and valid, `exp` and `nbf` within [`MAX_CLOCK_SKEW_SECS`], and
//! - every claim condition of one rule of that issuer and audience holds (string equality), and
//! - it carries a `jti`, by which the store exchanges each job token once (`schema`).
//!
//! The first such rule decides the project and role of the ScanLedger token. This module only
//! decides; issuing and recording the token is the store's (`schema`), answering is the route's.

use domain::Role;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Clock skew allowed on `exp` and `nbf`.
pub const MAX_CLOCK_SKEW_SECS: u64 = 60;
/// How long an exchanged token lives unless the rule says otherwise.
pub const DEFAULT_TOKEN_MINUTES: u32 = 15;
/// The longest an exchanged token may live.
pub const MAX_TOKEN_MINUTES: u32 = 60;
/// A cached key set is used this long before it is fetched again.
pub const JWKS_CACHE_SECS: u64 = 3600;
/// An unknown `kid` fetches the key set again at most this often per issuer, so made-up key
/// ids cannot make the server flood the issuer.
pub const JWKS_REFRESH_MIN_SECS: u64 = 10;
/// The signature algorithms a CI token may use: asymmetric only.
pub const ACCEPTED_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// One trust rule of the server's configuration (`[[trust]]` in its TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRule {
    /// Names the rule in the audit log.
    pub name: String,
    /// The token's `iss`, exactly (`https://token.actions.githubusercontent.com`).
    pub issuer: String,
    /// A value the token's `aud` must contain.
    pub audience: String,
    /// Where the issuer publishes its keys.
    pub jwks_url: String,
    /// Claims the token must carry with exactly these string values
    /// (`repository = "acme/shop"`, `ref = "refs/heads/main"`). At least one.
    pub claims: BTreeMap<String, String>,
    /// The project the exchanged token is scoped to.
    pub project: String,
    /// The exchanged token's role (default `uploader`).
    #[serde(default = "uploader")]
    pub role: Role,
    /// Minutes the exchanged token lives (default 15, at most 60).
    #[serde(default = "default_token_minutes")]
    pub token_minutes: u32,
}

fn uploader() -> Role {
    Role::Uploader
}

fn default_token_minutes() -> u32 {
    DEFAULT_TOKEN_MINUTES
}

/// A trust rule the server cannot run with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BadRule {
    #[error("trust rule {0:?} has no claim conditions: it would trust every job of its issuer")]
    NoClaims(String),
    #[error("trust rule {name:?}: token_minutes must be 1 to {MAX_TOKEN_MINUTES}, not {minutes}")]
    Minutes { name: String, minutes: u32 },
    #[error("trust rule {name:?}: {field} must be an https URL (or http on a loopback address)")]
    Url { name: String, field: &'static str },
    #[error("trust rules {0:?} and {1:?} name one issuer with two different jwks_url")]
    TwoKeySets(String, String),
    #[error("trust rule {0:?} is given twice")]
    Duplicate(String),
}

/// Checks the rules as a set: each complete and bounded, one key set per issuer.
pub fn check_rules(rules: &[TrustRule]) -> Result<(), BadRule> {
    for (i, rule) in rules.iter().enumerate() {
        if rule.claims.is_empty() {
            return Err(BadRule::NoClaims(rule.name.clone()));
        }
        if !(1..=MAX_TOKEN_MINUTES).contains(&rule.token_minutes) {
            return Err(BadRule::Minutes {
                name: rule.name.clone(),
                minutes: rule.token_minutes,
            });
        }
        for (field, url) in [("issuer", &rule.issuer), ("jwks_url", &rule.jwks_url)] {
            if !safe_url(url) {
                return Err(BadRule::Url {
                    name: rule.name.clone(),
                    field,
                });
            }
        }
        for earlier in &rules[..i] {
            if earlier.name == rule.name {
                return Err(BadRule::Duplicate(rule.name.clone()));
            }
            if earlier.issuer == rule.issuer && earlier.jwks_url != rule.jwks_url {
                return Err(BadRule::TwoKeySets(earlier.name.clone(), rule.name.clone()));
            }
        }
    }
    Ok(())
}

/// Keys travel over TLS, except from a test issuer on this machine.
fn safe_url(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1:", "http://127.0.0.1/", "http://[::1]:"]
            .iter()
            .any(|local| url.starts_with(local))
}

/// Why a token was refused: for the server's log, never for the response (which says 401).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not a signed JWT: {0}")]
    Malformed(String),
    #[error("algorithm {0} refused: asymmetric signatures only")]
    Algorithm(String),
    #[error("the token has no iss claim")]
    NoIssuer,
    #[error("no trust rule names the issuer {0:?}")]
    UnknownIssuer(String),
    #[error("the token's header has no kid")]
    NoKeyId,
    #[error("the issuer's key set at {url} has no key {kid:?}")]
    UnknownKey { url: String, kid: String },
    #[error("the issuer's key set at {url}: {reason}")]
    KeySet { url: String, reason: String },
    #[error("key {kid:?} is not usable for {alg}: {reason}")]
    Key {
        kid: String,
        alg: String,
        reason: String,
    },
    #[error("token refused: {0}")]
    Invalid(String),
    #[error("no trust rule of issuer {issuer:?} matches the token's audience and claims")]
    NoRule { issuer: String },
    #[error(
        "the token has no jti claim (1 to {MAX_JTI_LEN} characters): it could not be exchanged once only"
    )]
    NoJti,
    #[error("the token (jti {jti:?}) was exchanged before: each job token is exchanged once")]
    Replayed { jti: String },
}

/// The longest `jti` kept (GitHub's and GitLab's are UUIDs).
pub const MAX_JTI_LEN: usize = 256;

/// Where the issuers' key sets come from.
pub trait KeySource: Send + Sync {
    /// The key set at `url`. `fresh`: the cached set lacked a key, so fetch again, unless the
    /// cached set is younger than [`JWKS_REFRESH_MIN_SECS`].
    fn key_set(&self, url: &str, fresh: bool) -> Result<JwkSet, String>;
}

/// Key sets fetched over HTTP with `ureq`, cached for [`JWKS_CACHE_SECS`].
pub struct HttpKeySets {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, (Instant, JwkSet)>>,
}

impl Default for HttpKeySets {
    fn default() -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .max_redirects(0)
            .build()
            .into();
        HttpKeySets {
            agent,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl KeySource for HttpKeySets {
    fn key_set(&self, url: &str, fresh: bool) -> Result<JwkSet, String> {
        let max_age = if fresh {
            Duration::from_secs(JWKS_REFRESH_MIN_SECS)
        } else {
            Duration::from_secs(JWKS_CACHE_SECS)
        };
        if let Ok(cache) = self.cache.lock()
            && let Some((fetched, set)) = cache.get(url)
            && fetched.elapsed() < max_age
        {
            return Ok(set.clone());
        }
        let set: JwkSet = self
            .agent
            .get(url)
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_json()
            .map_err(|e| e.to_string())?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(url.to_string(), (Instant::now(), set.clone()));
        }
        Ok(set)
    }
}

/// A token a rule accepted: the rule, and the claims it matched (for the audit log).
#[derive(Debug, Clone)]
pub struct Accepted<'r> {
    pub rule: &'r TrustRule,
    /// `iss`, `aud`, `sub`, `jti` and the rule's conditions, as the token carried them.
    pub matched: BTreeMap<String, String>,
    /// The token's `jti`: the store exchanges each (issuer, `jti`) once.
    pub jti: String,
    /// The token's `exp` (seconds since the epoch): after it and the skew, it is refused anyway.
    pub expires: i64,
}

/// Checks `token` against `rules`, with the issuers' keys from `keys`.
pub fn verify<'r>(
    token: &str,
    rules: &'r [TrustRule],
    keys: &dyn KeySource,
) -> Result<Accepted<'r>, Refusal> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
        return Err(Refusal::Algorithm(format!("{:?}", header.alg)));
    }
    // Read unverified only to choose the issuer's rules and keys; everything is verified below.
    let unverified: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| Refusal::Malformed(e.to_string()))?;
    let issuer = unverified
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(Refusal::NoIssuer)?;
    let candidates: Vec<&TrustRule> = rules.iter().filter(|r| r.issuer == issuer).collect();
    let Some(first) = candidates.first() else {
        return Err(Refusal::UnknownIssuer(issuer.to_string()));
    };
    let kid = header.kid.as_deref().ok_or(Refusal::NoKeyId)?;
    let jwk = find_key(keys, &first.jwks_url, kid)?;
    let key_refusal = |reason: String| Refusal::Key {
        kid: kid.to_string(),
        alg: format!("{:?}", header.alg),
        reason,
    };
    // A key published for one algorithm is used for that one only.
    if let Some(alg) = jwk.common.key_algorithm
        && alg.to_string().parse::<Algorithm>().ok() != Some(header.alg)
    {
        return Err(key_refusal(format!("the key is for {alg:?}")));
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| key_refusal(e.to_string()))?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = MAX_CLOCK_SKEW_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    let audiences: Vec<&str> = candidates.iter().map(|r| r.audience.as_str()).collect();
    validation.set_audience(&audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|e| Refusal::Invalid(e.to_string()))?
        .claims;
    let token_audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let rule = candidates
        .into_iter()
        .find(|rule| {
            token_audiences.contains(&rule.audience.as_str())
                && rule
                    .claims
                    .iter()
                    .all(|(name, want)| claims.get(name).and_then(Value::as_str) == Some(want))
        })
        .ok_or_else(|| Refusal::NoRule {
            issuer: issuer.to_string(),
        })?;
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|jti| (1..=MAX_JTI_LEN).contains(&jti.len()))
        .ok_or(Refusal::NoJti)?;
    // Required and validated by `decode` above.
    let expires = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| Refusal::Invalid("exp is not a whole number of seconds".into()))?;
    let mut matched: BTreeMap<String, String> = rule.claims.clone();
    matched.insert("jti".into(), jti.to_string());
    matched.insert("iss".into(), issuer.to_string());
    matched.insert("aud".into(), rule.audience.clone());
    if let Some(sub) = claims.get("sub").and_then(Value::as_str) {
        matched.insert("sub".into(), sub.to_string());
    }
    Ok(Accepted {
        rule,
        matched,
        jti: jti.to_string(),
        expires,
    })
}

/// The key `kid` of the set at `url`: from the cache, or fetched again when the cached set does
/// not have it (the issuer rotated its keys).
fn find_key(keys: &dyn KeySource, url: &str, kid: &str) -> Result<Jwk, Refusal> {
    let key_set_refusal = |reason: String| Refusal::KeySet {
        url: url.to_string(),
        reason,
    };
    let cached = keys.key_set(url, false).map_err(key_set_refusal)?;
    if let Some(jwk) = cached.find(kid) {
        return Ok(jwk.clone());
    }
    let fresh = keys.key_set(url, true).map_err(key_set_refusal)?;
    fresh.find(kid).cloned().ok_or_else(|| Refusal::UnknownKey {
        url: url.to_string(),
        kid: kid.to_string(),
    })
}
