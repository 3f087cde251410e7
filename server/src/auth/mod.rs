//! Authentication and access control: the credentials a request may carry (API tokens,
//! passwords, the web UI's session), the route permission table and the gatekeeper that checks
//! it. The API and the web UI import this module; it imports nothing of either.

pub mod access;
pub mod session;
