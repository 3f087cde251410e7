//! The handlers of a versioned project document (a policy, a control mapping): the active
//! version (or one by number), every version, and setting the next one, written once for
//! every kind. Each kind's routes (`policy.rs`, `controls.rs`) declare their OpenAPI operation
//! and call these with its [`Kind`]; the route table gives each route its permission.

use crate::auth::{Caller, Project};
use crate::error::ApiError;
use crate::slots::Db;
use actix_web::{HttpResponse, web};
use schema::{Store, StoreError};
use serde::Serialize;

/// What a store operation answers.
type Stored<T> = Result<T, StoreError>;

/// One kind of versioned project document, as the API serves it: what it is called and the
/// store's operations on it, answering its stored version `V`.
pub struct Kind<V> {
    /// How a refusal names the text ("the policy").
    pub text: &'static str,
    /// A version of a project (the active one when `None` is asked for); `None` when there is
    /// none to show.
    pub show: fn(&Store, &str, Option<i64>) -> Stored<Option<V>>,
    /// The refusal when `show` finds none.
    pub missing: fn(&str, Option<i64>) -> ApiError,
    /// Every version of a project, oldest first.
    pub versions: fn(&Store, &str) -> Stored<Vec<V>>,
    /// Checks and stores a text as a project's next version, set by an actor.
    pub set: fn(&Store, &str, &str, &str) -> Stored<V>,
    /// The text was the active version's already: nothing was stored.
    pub unchanged: fn(&V) -> bool,
}

/// `GET .../{kind}`: the active version, or the one asked for.
pub async fn show<V: Serialize + Send + 'static>(
    kind: &Kind<V>,
    db: Db,
    admitted: Project,
    version: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let name = project.clone();
    let show = kind.show;
    match db.run(move |store| show(store, &project, version)).await? {
        Some(stored) => Ok(HttpResponse::Ok().json(stored)),
        None => Err((kind.missing)(&name, version)),
    }
}

/// `GET .../{kind}/versions`: every version, oldest first.
pub async fn versions<V: Serialize + Send + 'static>(
    kind: &Kind<V>,
    db: Db,
    admitted: Project,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let versions = kind.versions;
    db.json(move |store| versions(store, &project)).await
}

/// `PUT .../{kind}`: the body, UTF-8 text, stored as the next version (201), or the active
/// version's text already (200, nothing stored). The caller is the actor.
pub async fn set<V: Serialize + Send + 'static>(
    kind: &Kind<V>,
    db: Db,
    caller: Caller,
    admitted: Project,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let project = admitted.0;
    let source = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request(format!("{} is not UTF-8 text", kind.text)))?;
    let actor = caller.0.label();
    let set = kind.set;
    let stored = db
        .run(move |store| set(store, &project, &source, &actor))
        .await?;
    Ok(if (kind.unchanged)(&stored) {
        HttpResponse::Ok().json(stored)
    } else {
        HttpResponse::Created().json(stored)
    })
}
