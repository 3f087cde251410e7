//! What the gatekeeper hands to handlers: the authenticated [`Caller`] and the [`Project`] it
//! was admitted to. Handlers take these as extractors; they never read credentials themselves.

use crate::error::ApiError;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use schema::Principal;

/// The caller, as the gatekeeper authenticated it. Only on non-public routes.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = req.extensions().get::<Caller>().cloned();
        std::future::ready(caller.ok_or_else(|| {
            // A handler that wants a caller on a route the table calls public: a bug.
            tracing::error!(path = req.path(), "route has no authenticated caller");
            ApiError::internal()
        }))
    }
}

/// The project the gatekeeper admitted the caller to: the `{project}` path segment, decoded
/// once. Handlers of `{project}` routes take the name from here.
#[derive(Debug, Clone)]
pub struct Project(pub String);

impl FromRequest for Project {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Project, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let project = req.extensions().get::<Project>().cloned();
        std::future::ready(project.ok_or_else(|| {
            // A handler that wants a project on a route without `{project}`: a bug.
            tracing::error!(path = req.path(), "route has no admitted project");
            ApiError::internal()
        }))
    }
}
