//! The credentials a request may carry and how they are checked: `Authorization: Bearer slt_...`
//! (API tokens), HTTP Basic (users' passwords), and the web UI's session cookie on `/ui` paths.
//! Also the per-address limit on failed tokens. Never logs a secret.

use super::session;
use crate::error::ApiError;
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::{HttpMessage, web};
use base64::Engine;
use schema::{PasswordCheck, Principal, Store};
use std::time::Instant;

/// Credentials from the `Authorization` header (never logged).
enum Credentials {
    Token(String),
    Password {
        user: String,
        password: String,
    },
    /// The web UI's session cookie; only on `/ui` routes.
    Session(String),
}

/// Read by hand rather than with actix-web-httpauth's `Authorization<Bearer>` and
/// `Authorization<Basic>`: their parsers (0.8.3, `scheme/bearer.rs` and `scheme/basic.rs`) match
/// the scheme as exactly `Bearer ` or `Basic `, so `bearer slt_...` and blanks after the scheme,
/// accepted today (the scheme is case-insensitive, RFC 9110, 11.1), would become 401s; the test
/// `authorization_schemes_are_case_insensitive_and_malformed_headers_are_401` pins this.
fn credentials(req: &ServiceRequest) -> Option<Credentials> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return session::cookie(req).map(Credentials::Session);
    };
    let value = value.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Credentials::Token(rest.trim().to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        return Some(Credentials::Password {
            user: user.to_string(),
            password: password.to_string(),
        });
    }
    None
}

/// The address a request came from, as the limits count it: the TCP peer (a forwarded-for
/// header is the client's word, so it is not taken).
pub fn source(peer: Option<std::net::SocketAddr>) -> String {
    peer.map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Failed bearer tokens per source address, counted in this process: a flood of made-up or
/// malformed tokens from one address gets 429 (without a database query) once it passes the
/// limit, until its minute is over. Tokens are 256 random bits, so this guards the server's
/// time, not the tokens; a token found valid moments ago still passes. CI job tokens that
/// `POST /api/v1/auth/exchange` refuses count here too (`crate::exchange`): one count of bad
/// credentials per address, whichever route they were sent to.
pub struct TokenFailures {
    per_minute: u32,
    entries: std::sync::Mutex<std::collections::HashMap<String, (Instant, u32)>>,
}

/// Addresses remembered at most; past that, finished minutes are forgotten.
const TOKEN_FAILURE_ENTRIES: usize = 10_000;
const TOKEN_FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

impl TokenFailures {
    pub fn new(per_minute: u32) -> TokenFailures {
        TokenFailures {
            per_minute,
            entries: Default::default(),
        }
    }

    /// Whether `source` has used up its failures of this minute.
    pub(crate) fn limited(&self, source: &str) -> bool {
        let Ok(entries) = self.entries.lock() else {
            return false;
        };
        entries.get(source).is_some_and(|(since, count)| {
            since.elapsed() < TOKEN_FAILURE_WINDOW && *count >= self.per_minute
        })
    }

    /// Counts one failure of `source`.
    pub(crate) fn failed(&self, source: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= TOKEN_FAILURE_ENTRIES {
            entries.retain(|_, (since, _)| since.elapsed() < TOKEN_FAILURE_WINDOW);
        }
        let entry = entries
            .entry(source.to_string())
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= TOKEN_FAILURE_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

/// 429 `too_many_requests`, saying why.
pub(crate) fn too_many(message: String) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        message,
    )
}

pub(super) async fn authenticate(req: &ServiceRequest) -> Result<Principal, ApiError> {
    let store = req
        .app_data::<web::Data<Store>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    let creds = credentials(req).ok_or_else(ApiError::unauthorized)?;
    // `auth.local = false`: no password is taken here (the CLI on the database is the
    // break-glass admin).
    if matches!(creds, Credentials::Password { .. })
        && req
            .app_data::<web::Data<crate::config::ServerConfig>>()
            .is_some_and(|c| !c.local_passwords)
    {
        return Err(ApiError::unauthorized());
    }
    // A token seen valid moments ago is answered here, on the event loop: no thread hop, no
    // database (schema::TOKEN_CACHE_SECS says how long).
    if let Credentials::Token(secret) = &creds
        && let Some(principal) = store.cached_token(secret)
    {
        return Ok(principal);
    }
    let source = source(req.peer_addr());
    let token_failures = req
        .app_data::<web::Data<TokenFailures>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    if matches!(creds, Credentials::Token(_)) && token_failures.limited(&source) {
        return Err(too_many(format!(
            "too many invalid tokens from {source}: wait a minute"
        )));
    }
    let slots = req
        .app_data::<web::Data<crate::slots::DbSlots>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    let is_token = matches!(creds, Credentials::Token(_));
    let from = source.clone();
    let principal = slots
        .run(move || match creds {
            Credentials::Token(secret) => store
                .authenticate_token(&secret)
                .map(|p| (p, None))
                .map_err(ApiError::from),
            // The one password limiter, shared with the web UI's sign-in.
            Credentials::Password { user, password } => {
                match store.check_password(&user, &password, &from)? {
                    PasswordCheck::Valid(p) => Ok((Some(p), None)),
                    PasswordCheck::Refused => Ok((None, None)),
                    PasswordCheck::Locked { until } => Err(too_many(format!(
                        "too many failed passwords: locked until {until} UTC"
                    ))
                    .with_details(serde_json::json!({ "locked_until": until }))),
                }
            }
            Credentials::Session(id) => store
                .session(&id)
                .map(|s| match s {
                    Some(s) => (Some(s.principal.clone()), Some(s)),
                    None => (None, None),
                })
                .map_err(ApiError::from),
        })
        .await
        .map_err(ApiError::from)
        .and_then(|r| r)?;
    if let (_, Some(session)) = &principal {
        req.extensions_mut()
            .insert(session::UiSession(session.csrf_token.clone()));
    }
    if is_token && principal.0.is_none() {
        token_failures.failed(&source);
    }
    principal.0.ok_or_else(ApiError::unauthorized)
}
