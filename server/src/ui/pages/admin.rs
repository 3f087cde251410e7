//! Admin pages: users and API tokens (the secret shown once).

use super::{Choice, Page, choices, forbidden_csrf, non_empty};
use crate::access::Caller;
use crate::error::ApiError;
use crate::ui::session;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{Grant, Role, Store, TokenInfo, UserInfo};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserInfo>,
    roles: Vec<Choice>,
    created: String,
}

fn role_choices() -> Vec<Choice> {
    choices(Role::ALL.iter().map(|r| r.as_str().to_string()), "auditor")
}

pub async fn users(req: HttpRequest, store: web::Data<Store>, caller: Caller) -> Page {
    let store = store.clone();
    let users = web::block(move || store.users()).await??;
    html(&UsersPage {
        layout: Layout::new(&req, Some(&caller.0), "Users"),
        users,
        roles: role_choices(),
        created: String::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    csrf: String,
    name: String,
    #[serde(default)]
    password: String,
    role: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    expires_in_days: String,
}

fn role_of(s: &str) -> Result<Role, UiError> {
    Role::parse(s).ok_or_else(|| UiError(ApiError::bad_request(format!("unknown role {s:?}"))))
}

pub async fn create_user(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    form: web::Form<GrantForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let role = role_of(&form.role)?;
    if form.password.len() < 8 {
        return Err(UiError(ApiError::bad_request(
            "the password must have at least 8 characters",
        )));
    }
    let by = caller.0.label();
    let s = store.clone();
    let name = form.name.trim().to_string();
    let project = non_empty(&form.project);
    let created = web::block(move || {
        s.create_user(
            &Grant {
                name: &name,
                role,
                project: project.as_deref(),
                created_by: &by,
            },
            &form.password,
        )
    })
    .await??;
    let s = store.clone();
    let users = web::block(move || s.users()).await??;
    html(&UsersPage {
        layout: Layout::new(&req, Some(&caller.0), "Users"),
        users,
        roles: role_choices(),
        created: created.name,
    })
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenInfo>,
    roles: Vec<Choice>,
    secret: String,
    secret_name: String,
}

pub async fn tokens(req: HttpRequest, store: web::Data<Store>, caller: Caller) -> Page {
    let store = store.clone();
    let tokens = web::block(move || store.tokens()).await??;
    html(&TokensPage {
        layout: Layout::new(&req, Some(&caller.0), "API tokens"),
        tokens,
        roles: role_choices(),
        secret: String::new(),
        secret_name: String::new(),
    })
}

pub async fn create_token(
    req: HttpRequest,
    store: web::Data<Store>,
    caller: Caller,
    form: web::Form<GrantForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let role = role_of(&form.role)?;
    let expires = match non_empty(&form.expires_in_days) {
        Some(d) => {
            let days: i64 = d
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{d:?} is not a number of days")))?;
            Some(chrono::Utc::now().naive_utc() + chrono::Duration::days(days))
        }
        None => None,
    };
    let by = caller.0.label();
    let s = store.clone();
    let name = form.name.trim().to_string();
    let project = non_empty(&form.project);
    let created = web::block(move || {
        s.create_token(
            &Grant {
                name: &name,
                role,
                project: project.as_deref(),
                created_by: &by,
            },
            expires,
        )
    })
    .await??;
    let s = store.clone();
    let tokens = web::block(move || s.tokens()).await??;
    html(&TokensPage {
        layout: Layout::new(&req, Some(&caller.0), "API tokens"),
        tokens,
        roles: role_choices(),
        secret: created.token,
        secret_name: created.info.name,
    })
}
