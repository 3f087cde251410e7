//! The one JSON error shape of the API, `{"error": {"code", "message", "details"}}`, and the
//! hooks that put every error through it: extractor failures (bad JSON, bad query, 413, 415),
//! store errors, and any other error response actix produces.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use schema::{ErrorKind, StoreError};
use serde::Serialize;

/// An API error: status, a stable machine-readable code, a message for people, and optional
/// details.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

/// The error body, as documented in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `not_found`, `unauthorized`, `forbidden`, `bad_request`, `bad_json`,
    /// `bad_report`, `control_character`, `payload_too_large`, `unsupported_media_type`,
    /// `method_not_allowed`, `request_timeout`, `too_many_requests`, `sealed`, `blocked`,
    /// `bad_policy`, `conflict`, `no_signing_key`, `no_policy`, `unavailable`, `internal`. A
    /// refused field is named in `details.field`.
    pub code: String,
    pub message: String,
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid credentials: send `Authorization: Bearer <token>` or HTTP Basic",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn too_large(limit: u64) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body exceeds the limit of {limit} bytes"),
        )
        .with_details(serde_json::json!({ "limit": limit }))
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"scanledger\", Basic realm=\"scanledger\"",
            ));
        }
        response.json(self.body())
    }
}

/// A value the domain refused: a bad request, naming the field.
impl From<domain::InvalidValue> for ApiError {
    fn from(e: domain::InvalidValue) -> ApiError {
        ApiError::from(StoreError::from(e))
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let (status, code) = status_of(&err);
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
            let message = if status == StatusCode::SERVICE_UNAVAILABLE {
                "the database is unavailable"
            } else {
                "internal error"
            };
            return ApiError::new(status, code, message);
        }
        let api = ApiError::new(status, code, err.to_string());
        match err {
            StoreError::Invalid { field, .. } => {
                api.with_details(serde_json::json!({ "field": field }))
            }
            _ => api,
        }
    }
}

/// The HTTP status and stable code of a store error: the class decides the status
/// ([`ErrorKind`]), a few variants have a code of their own. Every variant is listed.
fn status_of(err: &StoreError) -> (StatusCode, &'static str) {
    let by_kind = match err.kind() {
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
        ErrorKind::Invalid => (StatusCode::BAD_REQUEST, "bad_request"),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        ErrorKind::Corrupt | ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    match err {
        StoreError::Sealed { .. } => (StatusCode::CONFLICT, "sealed"),
        StoreError::Blocked { .. } => (StatusCode::CONFLICT, "blocked"),
        // The upload itself was refused: the request was well formed, its content was not.
        StoreError::Import(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_report"),
        StoreError::ControlCharacter { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "control_character")
        }
        StoreError::Policy(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_policy"),
        StoreError::BadUrl(_)
        | StoreError::NoDatabase(_)
        | StoreError::Connect(_)
        | StoreError::Migration(_)
        | StoreError::Database(_)
        | StoreError::NotFound { .. }
        | StoreError::Invalid { .. }
        | StoreError::Conflict(_)
        | StoreError::Forbidden(_)
        | StoreError::Corrupt(_)
        | StoreError::Io(_)
        | StoreError::Internal(_) => by_kind,
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the server is shutting down",
        )
    }
}

/// Bad JSON bodies: 415 for a wrong content type, 413 for too large, 400 otherwise.
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match &err {
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::too_large(*limit as u64)
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_json", err.to_string()),
    }
    .into()
}

pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("bad query string: {err}")).into()
}

pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("bad path: {err}")).into()
}

/// Rewrites any error response that is not already JSON (actix's own, e.g. for a broken
/// request) into the one shape.
pub fn json_error_shape<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    // JSON errors are already in shape; HTML ones are the web UI's own error pages.
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase();
    let error = ApiError::new(status, code, message);
    let (req, _) = res.into_parts();
    let response: HttpResponse<BoxBody> = error.error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body::<B>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every variant of the store, with the status and code the API answers.
    #[test]
    fn every_store_error_has_its_status() {
        let cases: Vec<(StoreError, StatusCode, &str)> = vec![
            (
                StoreError::BadUrl("x".into()),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                StoreError::NoDatabase("x".into()),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                StoreError::Connect("x".into()),
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
            ),
            (
                StoreError::Migration("x".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
            (
                StoreError::Database(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection,
                    Box::new("closed".to_string()),
                )),
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
            ),
            (
                StoreError::Database(diesel::result::Error::RollbackTransaction),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
            (
                StoreError::not_found("project", "shop"),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                StoreError::Sealed {
                    project: "p".into(),
                    release: "r".into(),
                },
                StatusCode::CONFLICT,
                "sealed",
            ),
            (
                StoreError::invalid("name", "bad"),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                StoreError::Conflict("x".into()),
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                StoreError::Forbidden("x".into()),
                StatusCode::FORBIDDEN,
                "forbidden",
            ),
            (
                StoreError::Internal("x".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
            (
                StoreError::Corrupt("x".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
            (
                StoreError::Blocked {
                    project: "p".into(),
                    release: "r".into(),
                    reasons: 2,
                },
                StatusCode::CONFLICT,
                "blocked",
            ),
            (
                StoreError::Import(importers::ImportError::Empty),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_report",
            ),
            (
                StoreError::Io(std::io::Error::other("disk")),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
            (
                StoreError::ControlCharacter {
                    field: "label",
                    value: "a\u{0}".into(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "control_character",
            ),
            (
                StoreError::Policy(schema::PolicyError {
                    line: 1,
                    key: "gate".into(),
                    message: "bad".into(),
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_policy",
            ),
        ];
        for (err, status, code) in cases {
            let shown = format!("{err:?}");
            let api = ApiError::from(err);
            assert_eq!((api.status, api.code), (status, code), "{shown}");
            if status.is_server_error() {
                // A fault of ours is logged, never described to the caller.
                assert!(
                    api.message == "internal error" || api.message == "the database is unavailable",
                    "{shown}: {}",
                    api.message
                );
            }
        }
    }

    #[test]
    fn a_refused_field_is_named_in_the_details() {
        let api = ApiError::from(StoreError::invalid("password", "too short"));
        assert_eq!(
            api.details,
            Some(serde_json::json!({ "field": "password" }))
        );
        assert_eq!(api.message, "too short");
    }
}
