//! What the generated OpenAPI document ([`crate::ApiDoc`]) is amended with after utoipa wrote
//! it from the handlers: the refusals every operation may answer whatever its handler does, and
//! the API's timestamps as they are on the wire. Not the document itself (the handlers'
//! `#[utoipa::path]` attributes are), and nothing that answers a request.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, KnownFormat, Schema, SchemaFormat,
};
use utoipa::openapi::{OpenApi, RefOr};

/// The refusals every operation of a kind may answer, whatever its handler does, each in the
/// one JSON error shape ([`error::ErrorBody`]): the gatekeeper's (401, 403, 429 on routes that
/// need credentials; 400 for a `{project}` that is not UTF-8), the extractors' (400 for a bad
/// query, path or JSON body; 413 and 415 for a body), and the store's (500, 503). Added where
/// the handler's own list does not already say more.
pub struct Refusals;

impl utoipa::Modify for Refusals {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let refusal = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for operation in operations(item) {
                let mut add = Vec::new();
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add.push(("401", "Missing or invalid credentials (`unauthorized`)"));
                    add.push((
                        "403",
                        "The caller's role or project scope does not allow it (`forbidden`)",
                    ));
                    add.push((
                        "429",
                        "Too many bad credentials from this address (`too_many_requests`)",
                    ));
                }
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_parameters || operation.request_body.is_some() {
                    add.push(("400", "A parameter or the body is not what the operation takes (`bad_request`, `bad_json`)"));
                }
                if operation.request_body.is_some() {
                    add.push(("413", "The body is over the limit (`payload_too_large`)"));
                    add.push(("415", "The body is not of a content type the operation takes (`unsupported_media_type`)"));
                }
                if path.starts_with("/api/") || path == "/readyz" || path == "/metrics" {
                    add.push((
                        "500",
                        "Something failed on the server (`internal`; no detail)",
                    ));
                    add.push(("503", "The database is unreachable or busy (`unavailable`)"));
                }
                for (status, description) in add {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| refusal(description).into());
                }
            }
        }
    }
}

/// The operations of a path, whichever methods it has.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The API writes its timestamps as UTC without an offset (`2026-03-01T12:00:00.123456`, the
/// store's `NaiveDateTime`), which is not RFC 3339's `date-time` utoipa would declare: each such
/// schema says instead what the value is, by pattern.
pub struct Timestamps;

/// A timestamp as the API writes it: UTC, no offset, optional fraction of a second.
const TIMESTAMP_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$";

impl utoipa::Modify for Timestamps {
    fn modify(&self, openapi: &mut OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            for schema in components.schemas.values_mut() {
                naive_timestamps(schema);
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        for content in response.content.values_mut() {
                            if let Some(schema) = content.schema.as_mut() {
                                naive_timestamps(schema);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Replaces `format: date-time` by the pattern of the API's timestamps, in `schema` and every
/// schema inside it.
fn naive_timestamps(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            if object.format == Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) {
                object.format = None;
                object.pattern = Some(TIMESTAMP_PATTERN.to_string());
                if object.description.is_none() {
                    object.description = Some("UTC, without an offset".to_string());
                }
            }
            for property in object.properties.values_mut() {
                naive_timestamps(property);
            }
            if let Some(additional) = object.additional_properties.as_deref_mut()
                && let AdditionalProperties::RefOr(inner) = additional
            {
                naive_timestamps(inner);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                naive_timestamps(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(naive_timestamps),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(naive_timestamps),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(naive_timestamps),
        _ => {}
    }
}
