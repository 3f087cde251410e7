//! Authentication and access control: the credentials a request may carry (API tokens,
//! passwords, the web UI's session), the caller they name, the route permission table and the
//! gatekeeper that checks it on every request.
//!
//! The API's handlers and the web UI both import this module; it imports nothing of either
//! (`ui`, `routes` and the other handlers). A refusal on a UI path is drawn by the renderer the
//! UI registers as app data ([`UiRefusal`]), so the gatekeeper needs no page of the UI's.
//!
//! - [`access`]: the route table ([`ROUTES`]) and the lookup of a request's route.
//! - [`credentials`]: tokens, passwords and sessions, checked against the store; the failed-token
//!   limiter.
//! - [`caller`]: the [`Caller`] and [`Project`] the gatekeeper hands to handlers.
//! - [`gatekeeper`]: the middleware.
//! - [`session`]: the session cookie and CSRF tokens of the web UI.
//! - [`oidc`]: web UI sign-in with an OpenID provider (code flow, PKCE, the ID token checked).
//! - [`workload`]: CI jobs' OIDC tokens checked against the configured trust rules.

pub mod access;
pub mod caller;
pub mod credentials;
pub mod gatekeeper;
pub mod oidc;
pub mod session;
pub mod workload;

pub use access::{ROUTES, RouteSpec};
pub use caller::{Caller, Project};
pub use credentials::{TokenFailures, source};
pub use gatekeeper::{UiRefusal, gatekeeper};
