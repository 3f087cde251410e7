//! Admin pages: users, API tokens (the secret shown once) and projects.

use super::{Choice, Page, choices, enc, fmt_time, forbidden_csrf, non_empty};
use crate::auth::Caller;
use crate::auth::session;
use crate::error::ApiError;
use crate::slots::{Db, DbSlots};
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use schema::{Grant, Principal, ProjectOverview, Role, Store, TokenInfo, UserInfo};
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

pub async fn users(req: HttpRequest, db: Db, caller: Caller) -> Page {
    let users = db.run(|store| store.users()).await?;
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
    slots: web::Data<DbSlots>,
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
    let created = slots
        .run(move || {
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
    let users = slots.run(move || s.users()).await??;
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

pub async fn tokens(req: HttpRequest, db: Db, caller: Caller) -> Page {
    let tokens = db.run(|store| store.tokens()).await?;
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
    slots: web::Data<DbSlots>,
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
    let created = slots
        .run(move || {
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
    let tokens = slots.run(move || s.tokens()).await??;
    html(&TokensPage {
        layout: Layout::new(&req, Some(&caller.0), "API tokens"),
        tokens,
        roles: role_choices(),
        secret: created.token,
        secret_name: created.info.name,
    })
}

/// One project in the admin page's table.
pub struct ProjectRow {
    pub name: String,
    pub href: String,
    pub created_at: String,
    pub releases: i64,
    pub latest: String,
    pub latest_href: String,
    pub sealed: String,
    pub open_findings: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    layout: Layout,
    projects: Vec<ProjectRow>,
    created: String,
}

/// The projects the caller sees, as the table shows them.
fn project_rows(store: &Store, caller: &Principal) -> Result<Vec<ProjectRow>, UiError> {
    Ok(store
        .project_overview()?
        .into_iter()
        .filter(|p| caller.sees(&p.name))
        .map(|p: ProjectOverview| {
            let href = format!("/ui/projects/{}", enc(&p.name));
            ProjectRow {
                latest_href: p
                    .latest_release
                    .as_deref()
                    .map(|r| format!("{href}/releases/{}", enc(r)))
                    .unwrap_or_default(),
                latest: p.latest_release.clone().unwrap_or_default(),
                sealed: match (&p.latest_release, &p.latest_sealed_at, &p.latest_sealed_by) {
                    (None, _, _) => String::new(),
                    (Some(_), Some(at), Some(by)) => format!("sealed {} by {by}", fmt_time(at)),
                    (Some(_), Some(at), None) => format!("sealed {}", fmt_time(at)),
                    (Some(_), None, _) => "open".into(),
                },
                open_findings: p.open_findings.map(|n| n.to_string()).unwrap_or_default(),
                created_at: fmt_time(&p.created_at),
                releases: p.releases,
                name: p.name,
                href,
            }
        })
        .collect())
}

/// Every project (a scoped user: its own), and for admins the form to create one.
pub async fn projects(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
) -> Page {
    let store = store.clone();
    let principal = caller.0.clone();
    let projects = slots
        .run(move || project_rows(&store, &principal))
        .await??;
    html(&ProjectsPage {
        layout: Layout::new(&req, Some(&caller.0), "Projects"),
        projects,
        created: String::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct ProjectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// Creates a project through the same store operation as every other entry point, which
/// checks the name and logs `project.create` with the signed-in user as actor.
pub async fn create_project(
    req: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    caller: Caller,
    form: web::Form<ProjectForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&req, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let actor = caller.0.label();
    let name = form.name.trim().to_string();
    let s = store.clone();
    let created = slots
        .run(move || s.create_project(&name, &actor, None))
        .await??;
    let s = store.clone();
    let principal = caller.0.clone();
    let projects = slots.run(move || project_rows(&s, &principal)).await??;
    html(&ProjectsPage {
        layout: Layout::new(&req, Some(&caller.0), "Projects"),
        projects,
        created: created.name,
    })
}
