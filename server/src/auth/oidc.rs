//! Web UI sign-in with an OpenID provider: the authorization code flow with PKCE, `state` and
//! `nonce`, checked by the `openidconnect` crate (never here).
//!
//! - [`OidcFile`] is `[oidc]` of the server's TOML file; [`OidcSettings`] the checked settings
//!   (the client secret from [`SECRET_ENV`] or a file, never logged: its `Debug` hides it).
//! - [`Oidc`] talks to the provider: discovery and its key set (JWKS), cached for
//!   [`METADATA_CACHE_SECS`] and fetched again, at most every [`JWKS_REFRESH_MIN_SECS`], when an
//!   ID token names a key the cached set lacks (the provider rotated its keys).
//! - An ID token is accepted when its signature verifies with a key of the provider's set, with
//!   an asymmetric algorithm ([`ACCEPTED_ALGORITHMS`]; `none` and HMAC are refused), its `iss` is
//!   the configured issuer, its `aud` holds the client id, its `nonce` is the one this sign-in
//!   sent, it has not expired and was not issued in the future, both within
//!   [`MAX_CLOCK_SKEW_SECS`].
//! - What the accepted claims grant ([`OidcSettings::grant`]) and whether they show a second
//!   factor ([`OidcSettings::mfa_ok`]) are decided here; recording the user and the session is
//!   the store's (`schema::Store::oidc_sign_in`), answering is the UI's.
//!
//! The sign-in in flight (state, nonce, PKCE verifier) is kept in the database, not in this
//! process, so any replica may take the callback.

use domain::Role;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken,
    IdTokenVerifier, IssuerUrl, JsonWebKeySet, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The environment variable that holds the client secret (else `client_secret_file`).
pub const SECRET_ENV: &str = "SCANLEDGER_OIDC_CLIENT_SECRET";
/// Clock skew allowed on `exp` and `iat`.
pub const MAX_CLOCK_SKEW_SECS: i64 = 60;
/// Discovery and the key set are used this long before they are fetched again.
pub const METADATA_CACHE_SECS: u64 = 3600;
/// An unknown `kid` fetches the key set again at most this often.
pub const JWKS_REFRESH_MIN_SECS: u64 = 10;
/// The signature algorithms an ID token may use: asymmetric only.
pub const ACCEPTED_ALGORITHMS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];
/// `amr` values (RFC 8176) that show a second factor, unless the file says otherwise.
pub const DEFAULT_MFA_AMR: [&str; 6] = ["mfa", "otp", "hwk", "sc", "fpt", "face"];

/// The OIDC settings as given: `[oidc]` of the server's TOML file, or the flags and
/// environment variables of `scanledger serve` laid over it ([`OidcFile::over`]; every key but
/// `groups` has a flag). Every key is optional here; [`OidcSettings::resolve`] says which are
/// needed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    /// The provider's issuer URL, exactly as its ID tokens' `iss` (discovery is read from
    /// `<issuer>/.well-known/openid-configuration`). Required.
    pub issuer: Option<String>,
    /// Required.
    pub client_id: Option<String>,
    /// A file whose text is the client secret ([`SECRET_ENV`] wins). Neither: a public client
    /// (PKCE only).
    pub client_secret_file: Option<String>,
    /// This server's callback as the provider knows it: `https://<host>/ui/oidc/callback`.
    /// Required.
    pub redirect_url: Option<String>,
    /// Where the provider sends the browser after its sign-out (default: the sign-in page,
    /// derived from `redirect_url`).
    pub post_logout_redirect_url: Option<String>,
    /// Default `["openid", "profile", "email"]`; `openid` is always asked for.
    pub scopes: Option<Vec<String>>,
    /// The ID token claim that lists the user's groups (default `groups`).
    pub groups_claim: Option<String>,
    /// The ID token claim that names the user (default `preferred_username`, then `email`).
    pub username_claim: Option<String>,
    /// Refuse sign-ins whose ID token shows no second factor (default `false`).
    pub require_mfa: Option<bool>,
    /// `amr` values that count as a second factor (default [`DEFAULT_MFA_AMR`]).
    pub mfa_amr: Option<Vec<String>>,
    /// `acr` values that count as a second factor (default none).
    pub mfa_acr: Option<Vec<String>>,
    /// Group name → role and projects (`["*"]`: every project; else one project). Only in the
    /// TOML file: a table of grants has no flag.
    #[serde(default)]
    pub groups: BTreeMap<String, GroupGrant>,
}

impl OidcFile {
    /// These settings laid over `lower`'s: each key given here wins, the others are
    /// `lower`'s (`groups` are always `lower`'s, having no flag). `None` when neither gives
    /// anything, so the server runs without a provider.
    pub fn over(self, lower: Option<OidcFile>) -> Option<OidcFile> {
        let lower = lower.unwrap_or_default();
        let merged = OidcFile {
            issuer: self.issuer.or(lower.issuer),
            client_id: self.client_id.or(lower.client_id),
            client_secret_file: self.client_secret_file.or(lower.client_secret_file),
            redirect_url: self.redirect_url.or(lower.redirect_url),
            post_logout_redirect_url: self
                .post_logout_redirect_url
                .or(lower.post_logout_redirect_url),
            scopes: self.scopes.or(lower.scopes),
            groups_claim: self.groups_claim.or(lower.groups_claim),
            username_claim: self.username_claim.or(lower.username_claim),
            require_mfa: self.require_mfa.or(lower.require_mfa),
            mfa_amr: self.mfa_amr.or(lower.mfa_amr),
            mfa_acr: self.mfa_acr.or(lower.mfa_acr),
            groups: lower.groups,
        };
        (!merged.is_empty()).then_some(merged)
    }

    /// Whether no key is given at all.
    pub fn is_empty(&self) -> bool {
        let OidcFile {
            issuer,
            client_id,
            client_secret_file,
            redirect_url,
            post_logout_redirect_url,
            scopes,
            groups_claim,
            username_claim,
            require_mfa,
            mfa_amr,
            mfa_acr,
            groups,
        } = self;
        issuer.is_none()
            && client_id.is_none()
            && client_secret_file.is_none()
            && redirect_url.is_none()
            && post_logout_redirect_url.is_none()
            && scopes.is_none()
            && groups_claim.is_none()
            && username_claim.is_none()
            && require_mfa.is_none()
            && mfa_amr.is_none()
            && mfa_acr.is_none()
            && groups.is_empty()
    }
}

/// What one group grants.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupGrant {
    pub role: Role,
    pub projects: Vec<String>,
}

/// Why `[oidc]` is refused at start.
#[derive(Debug, thiserror::Error)]
pub enum BadSettings {
    #[error("{field} {url:?} is not an https URL (http only to 127.0.0.1 or [::1])")]
    Url { field: &'static str, url: String },
    #[error("reading client_secret_file {path}: {reason}")]
    Secret { path: String, reason: String },
    #[error(
        "group {0:?}: projects must be [\"*\"] (every project) or one project: a user is scoped to one project or all"
    )]
    Projects(String),
    #[error("no [oidc.groups] mapping: nobody could sign in")]
    NoGroups,
    #[error("{key} is missing (--oidc-{flag}, SCANLEDGER_OIDC_{var} or {key} in [oidc])")]
    Missing {
        key: &'static str,
        flag: &'static str,
        var: &'static str,
    },
}

/// The checked `[oidc]` settings.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    client_secret: Option<ClientSecret>,
    pub redirect_url: RedirectUrl,
    pub post_logout_redirect_url: PostLogoutRedirectUrl,
    pub scopes: Vec<String>,
    pub groups_claim: String,
    pub username_claim: Option<String>,
    pub require_mfa: bool,
    pub mfa_amr: Vec<String>,
    pub mfa_acr: Vec<String>,
    /// Group → role and scope (`None`: every project).
    pub groups: BTreeMap<String, (Role, Option<String>)>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id.as_str())
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("redirect_url", &self.redirect_url.as_str())
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

/// Provider URLs travel over TLS, except a test provider on this machine.
fn safe_url(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1:", "http://127.0.0.1/", "http://[::1]:"]
            .iter()
            .any(|local| url.starts_with(local))
}

impl OidcSettings {
    /// Checks `[oidc]`; `secret` is [`SECRET_ENV`]'s value, which wins over the file's.
    pub fn resolve(file: &OidcFile, secret: Option<String>) -> Result<OidcSettings, BadSettings> {
        let url_err = |field: &'static str, url: &str| BadSettings::Url {
            field,
            url: url.to_string(),
        };
        let issuer_text = file.issuer.as_deref().ok_or(BadSettings::Missing {
            key: "issuer",
            flag: "issuer",
            var: "ISSUER",
        })?;
        let client_id = file.client_id.as_deref().ok_or(BadSettings::Missing {
            key: "client_id",
            flag: "client-id",
            var: "CLIENT_ID",
        })?;
        let redirect_text = file.redirect_url.as_deref().ok_or(BadSettings::Missing {
            key: "redirect_url",
            flag: "redirect-url",
            var: "REDIRECT_URL",
        })?;
        if !safe_url(issuer_text) {
            return Err(url_err("issuer", issuer_text));
        }
        let issuer =
            IssuerUrl::new(issuer_text.to_string()).map_err(|_| url_err("issuer", issuer_text))?;
        let redirect_url = RedirectUrl::new(redirect_text.to_string())
            .map_err(|_| url_err("redirect_url", redirect_text))?;
        let post_logout = match &file.post_logout_redirect_url {
            Some(url) => url.clone(),
            None => redirect_url
                .url()
                .join("/ui/login")
                .map(|u| u.to_string())
                .map_err(|_| url_err("redirect_url", redirect_text))?,
        };
        let post_logout_redirect_url = PostLogoutRedirectUrl::new(post_logout.clone())
            .map_err(|_| url_err("post_logout_redirect_url", &post_logout))?;
        let secret = match (secret, &file.client_secret_file) {
            (Some(s), _) => Some(s),
            (None, Some(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| BadSettings::Secret {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        };
        let mut groups = BTreeMap::new();
        for (name, grant) in &file.groups {
            let scope = match grant.projects.as_slice() {
                [all] if all == "*" => None,
                [one] if !one.trim().is_empty() => Some(one.clone()),
                _ => return Err(BadSettings::Projects(name.clone())),
            };
            groups.insert(name.clone(), (grant.role, scope));
        }
        if groups.is_empty() {
            return Err(BadSettings::NoGroups);
        }
        let mut scopes = file
            .scopes
            .clone()
            .unwrap_or_else(|| vec!["openid".into(), "profile".into(), "email".into()]);
        scopes.retain(|s| s != "openid");
        Ok(OidcSettings {
            issuer,
            client_id: ClientId::new(client_id.to_string()),
            client_secret: secret.map(ClientSecret::new),
            redirect_url,
            post_logout_redirect_url,
            scopes,
            groups_claim: file.groups_claim.clone().unwrap_or_else(|| "groups".into()),
            username_claim: file.username_claim.clone(),
            require_mfa: file.require_mfa.unwrap_or(false),
            mfa_amr: file
                .mfa_amr
                .clone()
                .unwrap_or_else(|| DEFAULT_MFA_AMR.iter().map(|s| s.to_string()).collect()),
            mfa_acr: file.mfa_acr.clone().unwrap_or_default(),
            groups,
        })
    }

    /// What `groups` grant: the strongest mapped grant (roles in the order admin, uploader,
    /// triager, auditor; at one role, every project before one project, then the group name's
    /// order). `None`: no group is mapped.
    pub fn grant(&self, groups: &[String]) -> Option<(Role, Option<String>)> {
        let rank = |role: Role| {
            Role::ALL
                .iter()
                .position(|r| *r == role)
                .unwrap_or(usize::MAX)
        };
        groups
            .iter()
            .filter_map(|g| self.groups.get(g).map(|grant| (g, grant)))
            .min_by_key(|(name, (role, scope))| (rank(*role), scope.is_some(), name.to_string()))
            .map(|(_, grant)| grant.clone())
    }

    /// Whether the token's `amr` or `acr` shows a second factor (always true without
    /// `require_mfa`).
    pub fn mfa_ok(&self, amr: &[String], acr: Option<&str>) -> bool {
        !self.require_mfa
            || amr.iter().any(|m| self.mfa_amr.contains(m))
            || acr.is_some_and(|a| self.mfa_acr.iter().any(|want| want == a))
    }
}

/// Every claim of the ID token beyond the standard ones (the groups claim among them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type GroupsIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Why a sign-in failed at the provider or its token was refused: for the log, and a short
/// reason for the page (never a secret).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the provider's answer has no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    Token(String),
    #[error("the ID token has no user name claim ({0})")]
    NoName(String),
}

/// A verified ID token's account and what the UI decides on.
#[derive(Debug, Clone)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    pub groups: Vec<String>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
}

/// Where a sign-in goes at the provider, and what its callback must match.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

struct Cached {
    metadata: ProviderMetadataWithLogout,
    fetched: Instant,
    keys_fetched: Instant,
}

/// The provider, as this server talks to it. Blocking: call it off the event loop.
pub struct Oidc {
    pub settings: std::sync::Arc<OidcSettings>,
    agent: ureq::Agent,
    cache: Mutex<Option<Cached>>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

impl Oidc {
    pub fn new(settings: std::sync::Arc<OidcSettings>) -> Oidc {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Oidc {
            settings,
            agent,
            cache: Mutex::new(None),
        }
    }

    /// One HTTP exchange for `openidconnect`, through ureq, bodies capped at 1 MiB.
    fn http(
        &self,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, HttpFailure> {
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| HttpFailure(e.to_string()))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| HttpFailure(e.to_string()))?;
        let mut out = openidconnect::HttpResponse::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }

    /// The provider's metadata and keys: cached, fetched when older than
    /// [`METADATA_CACHE_SECS`]; `fresh_keys` fetches the key set again unless it is younger
    /// than [`JWKS_REFRESH_MIN_SECS`].
    fn metadata(&self, fresh_keys: bool) -> Result<ProviderMetadataWithLogout, OidcError> {
        let http = |r| self.http(r);
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| OidcError::Provider("the metadata cache is poisoned".into()))?;
        let stale = cache
            .as_ref()
            .is_none_or(|c| c.fetched.elapsed() >= Duration::from_secs(METADATA_CACHE_SECS));
        if stale {
            let metadata = ProviderMetadataWithLogout::discover(&self.settings.issuer, &http)
                .map_err(|e| OidcError::Provider(error_chain(&e)))?;
            *cache = Some(Cached {
                metadata,
                fetched: Instant::now(),
                keys_fetched: Instant::now(),
            });
        } else if fresh_keys
            && let Some(c) = cache.as_mut()
            && c.keys_fetched.elapsed() >= Duration::from_secs(JWKS_REFRESH_MIN_SECS)
        {
            let keys: JsonWebKeySet<CoreJsonWebKey> =
                JsonWebKeySet::fetch(c.metadata.jwks_uri(), &http)
                    .map_err(|e| OidcError::Provider(error_chain(&e)))?;
            c.metadata = c.metadata.clone().set_jwks(keys);
            c.keys_fetched = Instant::now();
        }
        cache
            .as_ref()
            .map(|c| c.metadata.clone())
            .ok_or_else(|| OidcError::Provider("no metadata".into()))
    }

    fn client(
        &self,
        metadata: ProviderMetadataWithLogout,
    ) -> Result<
        openidconnect::core::CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        Ok(CoreClient::from_provider_metadata(
            metadata,
            self.settings.client_id.clone(),
            self.settings.client_secret.clone(),
        )
        .set_redirect_uri(self.settings.redirect_url.clone()))
    }

    /// Starts a sign-in: the provider's authorization URL with a fresh state, nonce and PKCE
    /// challenge (S256).
    pub fn start(&self) -> Result<Started, OidcError> {
        let client = self.client(self.metadata(false)?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Trades `code` for tokens and verifies the ID token (see the module docs).
    pub fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Verified, OidcError> {
        let http = |r| self.http(r);
        let client = self.client(self.metadata(false)?)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request(&http)
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let raw = response.id_token().ok_or(OidcError::NoIdToken)?.to_string();
        self.verify(&raw, nonce)
    }

    /// Verifies an ID token's text against the provider's keys, the issuer, the client id,
    /// `nonce` and the clock; fetches the key set again once when its key is unknown.
    pub fn verify(&self, raw: &str, nonce: &str) -> Result<Verified, OidcError> {
        let token: GroupsIdToken = raw
            .parse()
            .map_err(|e: serde_json::Error| OidcError::Token(e.to_string()))?;
        let metadata = self.metadata(false)?;
        match self.check(&token, nonce, &metadata) {
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                let metadata = self.metadata(true)?;
                self.check(&token, nonce, &metadata)
                    .map_err(|e| OidcError::Token(e.to_string()))
            }
            other => other.map_err(|e| OidcError::Token(e.to_string())),
        }
        .and_then(|claims| self.account(claims))
    }

    fn check<'t>(
        &self,
        token: &'t GroupsIdToken,
        nonce: &str,
        metadata: &ProviderMetadataWithLogout,
    ) -> Result<
        &'t openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>,
        openidconnect::ClaimsVerificationError,
    > {
        let skew = chrono::Duration::seconds(MAX_CLOCK_SKEW_SECS);
        // A public-client verifier: no shared secret, so an HMAC-signed token cannot verify.
        let verifier: IdTokenVerifier<CoreJsonWebKey> = IdTokenVerifier::new_public_client(
            self.settings.client_id.clone(),
            self.settings.issuer.clone(),
            metadata.jwks().clone(),
        )
        .set_allowed_algs(ACCEPTED_ALGORITHMS)
        // `exp` may have passed by at most the skew.
        .set_time_fn(move || chrono::Utc::now() - skew)
        // `iat` may lie in the future by at most the skew.
        .set_issue_time_verifier_fn(move |iat| {
            if iat > chrono::Utc::now() + skew {
                Err(format!("issued in the future ({iat})"))
            } else {
                Ok(())
            }
        });
        token.claims(&verifier, &Nonce::new(nonce.to_string()))
    }

    fn account(
        &self,
        claims: &openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>,
    ) -> Result<Verified, OidcError> {
        let all = serde_json::to_value(claims).unwrap_or_default();
        let text = |name: &str| {
            all.get(name)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        let name = match &self.settings.username_claim {
            Some(claim) => text(claim).ok_or_else(|| OidcError::NoName(claim.clone()))?,
            None => text("preferred_username")
                .or_else(|| text("email"))
                .ok_or_else(|| OidcError::NoName("preferred_username, email".into()))?,
        };
        let groups = match all.get(&self.settings.groups_claim) {
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        Ok(Verified {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            name,
            groups,
            amr: claims
                .auth_method_refs()
                .map(|list| list.iter().map(|m| m.to_string()).collect())
                .unwrap_or_default(),
            acr: claims.auth_context_ref().map(|a| a.to_string()),
        })
    }

    /// The provider's sign-out URL (RP-initiated logout) when it publishes
    /// `end_session_endpoint`.
    pub fn end_session_url(&self) -> Option<String> {
        let metadata = self.metadata(false).ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_client_id(self.settings.client_id.clone())
                .set_post_logout_redirect_uri(self.settings.post_logout_redirect_url.clone())
                .http_get_url()
                .to_string(),
        )
    }
}

/// An error with its sources, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
