//! The session cookie and CSRF tokens.
//!
//! - `sl_session`: the session id (HttpOnly, SameSite=Lax, Path=/ui, Secure when the request
//!   came over TLS, directly or through a proxy that says so). The store keeps only its SHA-256.
//! - Forms of a signed-in user carry the session's CSRF token in a hidden `csrf` field; every
//!   UI POST compares it (in constant time) with the session's before doing anything.
//! - The sign-in form has no session yet: it gets a pre-session from the store
//!   (`schema::Store::begin_login`), whose id is the `sl_login_csrf` cookie and whose token is
//!   the form's `csrf` field; the sign-in checks the pair against the store and uses it up.

use actix_web::HttpMessage;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::ServiceRequest;
use subtle::ConstantTimeEq;

/// Whether a path belongs to the web UI.
pub fn is_ui(path: &str) -> bool {
    path == "/ui" || path.starts_with("/ui/")
}

pub const SESSION_COOKIE: &str = "sl_session";
pub const LOGIN_CSRF_COOKIE: &str = "sl_login_csrf";

/// The session's CSRF token, put into the request by the gatekeeper when the caller came with
/// a session cookie.
#[derive(Debug, Clone)]
pub struct UiSession(pub String);

/// The session id from the cookie, on UI routes only (the JSON API takes no cookies, so it
/// needs no CSRF defence).
pub fn cookie(req: &ServiceRequest) -> Option<String> {
    if !is_ui(req.path()) {
        return None;
    }
    req.cookie(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// The session's CSRF token, when the request came with a session.
pub fn csrf_token(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<UiSession>().map(|s| s.0.clone())
}

/// Whether `given` is the session's CSRF token. Requests without a session fail.
pub fn csrf_ok(req: &HttpRequest, given: &str) -> bool {
    csrf_token(req).is_some_and(|want| bool::from(want.as_bytes().ct_eq(given.as_bytes())))
}

/// Whether the browser reached us over TLS.
pub fn secure(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

pub fn session_cookie(req: &HttpRequest, id: &str, hours: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, id.to_string())
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(req))
        .max_age(CookieDuration::hours(hours))
        .finish()
}

pub fn expired(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    Cookie::build(name, "")
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(req))
        .max_age(CookieDuration::ZERO)
        .finish()
}

pub fn login_csrf_cookie(req: &HttpRequest, value: &str) -> Cookie<'static> {
    Cookie::build(LOGIN_CSRF_COOKIE, value.to_string())
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req))
        .finish()
}

/// 256 random bits in hex.
pub fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}
