//! Web UI sign-in with an OpenID provider: what the store keeps of it.
//!
//! - A sign-in on its way through the provider ([`OidcPending`]: state, nonce, PKCE verifier,
//!   the local path to return to) is kept here under the SHA-256 of a random id the browser
//!   holds in a cookie, so whichever replica takes the callback finds it; it lives
//!   [`OIDC_LOGIN_MINUTES`] and is taken (deleted) once, so a `state` cannot be replayed.
//! - A provider account (issuer and subject) is linked to one user. The user is created on the
//!   account's first sign-in and brought in line with the claims on every sign-in: role and
//!   project scope from the groups (the server decides them), disabled when no group maps to a
//!   role any more (so the user's sessions end too), enabled again when one does. Every change
//!   is an audit event in the same transaction. Such a user has no usable password.
//!
//! Deciding what the claims mean (verification, groups, MFA) is the server's; this module only
//! records the outcome.

use crate::audit::{self, NewAuditEvent};
use crate::auth::{parse_role, project_name};
use crate::catalog::{Actor, ensure_project};
use crate::error::StoreError;
use crate::session::{NewSession, digest, open_session, random_hex};
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Principal, PrincipalId, Role, Store, UserId, now};
use chrono::Duration;
use diesel::prelude::*;
use domain::ProjectId;

/// How long a sign-in may take at the provider.
pub const OIDC_LOGIN_MINUTES: i64 = 10;

/// The password hash of a user who signs in through a provider: not a PHC string, so no
/// password ever verifies against it.
const NO_PASSWORD: &str = "!oidc";

/// A sign-in sent to the provider: what its callback must match and where it returns to.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcPending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// A local path of the web UI (the server checked it).
    pub next: String,
}

impl std::fmt::Debug for OidcPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The verifier and nonce are secrets of this sign-in: never in a log.
        f.debug_struct("OidcPending")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// A provider account as its verified ID token names it, and what its groups grant.
#[derive(Debug, Clone)]
pub struct OidcAccount<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    /// The user name shown and audited (a claim the server chose, `preferred_username` by
    /// default).
    pub name: &'a str,
    /// Role and scope (`None`: every project); `None` when no group of the account maps to a
    /// role.
    pub grant: Option<(Role, Option<&'a str>)>,
}

/// What a provider sign-in gave.
#[derive(Debug, Clone)]
pub enum OidcOutcome {
    SignedIn(NewSession),
    /// No group maps to a role: refused (and the user, if known, disabled).
    NoRole,
    /// The account's user name is another user's (a local user, or another account's).
    NameTaken,
}

/// A user's role, scope and state, as audited before and after a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct Standing {
    name: String,
    role: String,
    project: Option<String>,
    disabled: bool,
}

type UserRow = (
    i64,
    String,
    String,
    Option<i64>,
    Option<chrono::NaiveDateTime>,
);

impl Store {
    /// Keeps a sign-in that leaves for the provider; returns the id for the browser's cookie.
    /// Expired ones are deleted on the way.
    pub fn begin_oidc_login(&self, pending: &OidcPending) -> Result<String, StoreError> {
        let at = now();
        let id = random_hex()?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            diesel::delete(oidc_logins::table.filter(oidc_logins::expires_at.le(at))).execute(c)?;
            diesel::insert_into(oidc_logins::table)
                .values((
                    oidc_logins::id_sha256.eq(digest(&id)),
                    oidc_logins::state.eq(&pending.state),
                    oidc_logins::nonce.eq(&pending.nonce),
                    oidc_logins::pkce_verifier.eq(&pending.pkce_verifier),
                    oidc_logins::next_path.eq(&pending.next),
                    oidc_logins::expires_at.eq(at + Duration::minutes(OIDC_LOGIN_MINUTES)),
                ))
                .execute(c)?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Takes the sign-in of cookie `id`: deleted whether or not it is still live, so it is
    /// used at most once. `None` when unknown, used or expired.
    pub fn take_oidc_login(&self, id: &str) -> Result<Option<OidcPending>, StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let row: Option<(String, String, String, String)> = oidc_logins::table
                .find(digest(id))
                .filter(oidc_logins::expires_at.gt(now()))
                .select((
                    oidc_logins::state,
                    oidc_logins::nonce,
                    oidc_logins::pkce_verifier,
                    oidc_logins::next_path,
                ))
                .first(c)
                .optional()?;
            diesel::delete(oidc_logins::table.find(digest(id))).execute(c)?;
            Ok(row.map(|(state, nonce, pkce_verifier, next)| OidcPending {
                state,
                nonce,
                pkce_verifier,
                next,
            }))
        })
    }

    /// Signs a provider account in: its user created or brought in line with `account.grant`
    /// (audited as `user.create`, `user.update`, `user.disable`), then a new session
    /// (`replaces`, the browser's previous session, is deleted).
    pub fn oidc_sign_in(
        &self,
        account: &OidcAccount<'_>,
        replaces: Option<&str>,
    ) -> Result<OidcOutcome, StoreError> {
        let actor = format!("oidc:{}", account.issuer);
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let linked: Option<i64> = oidc_identities::table
                .find((account.issuer, account.subject))
                .select(oidc_identities::user_id)
                .first(c)
                .optional()?;
            let name_owner: Option<i64> = users::table
                .filter(users::name.eq(account.name))
                .select(users::id)
                .first(c)
                .optional()?;
            if name_owner.is_some() && name_owner != linked {
                return Ok(OidcOutcome::NameTaken);
            }
            let Some(user_id) = linked else {
                let Some((role, project)) = account.grant else {
                    return Ok(OidcOutcome::NoRole);
                };
                let id = create(c, account, role, project, &actor)?;
                let principal = Principal {
                    id: PrincipalId::User(UserId::new(id)),
                    name: account.name.to_string(),
                    role,
                    project: project.map(str::to_string),
                };
                return open_session(c, UserId::new(id), principal, replaces)
                    .map(OidcOutcome::SignedIn);
            };
            let row: UserRow = users::table
                .find(user_id)
                .select((
                    users::id,
                    users::name,
                    users::role,
                    users::project_id,
                    users::disabled_at,
                ))
                .first(c)?;
            let before = Standing {
                name: row.1.clone(),
                role: parse_role(&row.2)?.as_str().to_string(),
                project: project_name(c, row.3.map(ProjectId::new))?,
                disabled: row.4.is_some(),
            };
            let subject = format!("user {} ({user_id})", account.name);
            let Some((role, project)) = account.grant else {
                if !before.disabled {
                    diesel::update(users::table.find(user_id))
                        .set(users::disabled_at.eq(Some(now())))
                        .execute(c)?;
                    let after = Standing {
                        disabled: true,
                        ..before.clone()
                    };
                    audit_change(c, &actor, "user.disable", subject, &before, &after)?;
                }
                return Ok(OidcOutcome::NoRole);
            };
            let project_id = project
                .map(|p| {
                    ensure_project(
                        c,
                        p,
                        Actor {
                            name: &actor,
                            request_id: None,
                        },
                    )
                })
                .transpose()?;
            let after = Standing {
                name: account.name.to_string(),
                role: role.as_str().to_string(),
                project: project.map(str::to_string),
                disabled: false,
            };
            if after != before {
                diesel::update(users::table.find(user_id))
                    .set((
                        users::name.eq(account.name),
                        users::role.eq(role.as_str()),
                        users::project_id.eq(project_id.map(ProjectId::get)),
                        users::disabled_at.eq(None::<chrono::NaiveDateTime>),
                    ))
                    .execute(c)?;
                audit_change(c, &actor, "user.update", subject, &before, &after)?;
            }
            let principal = Principal {
                id: PrincipalId::User(UserId::new(user_id)),
                name: account.name.to_string(),
                role,
                project: project.map(str::to_string),
            };
            open_session(c, UserId::new(user_id), principal, replaces).map(OidcOutcome::SignedIn)
        })
    }
}

/// Creates the user of a provider account on its first sign-in, linked to the account.
fn create(
    c: &mut crate::db::DbConn,
    account: &OidcAccount<'_>,
    role: Role,
    project: Option<&str>,
    actor: &str,
) -> Result<i64, StoreError> {
    crate::auth::check_user_name(account.name)?;
    let project_id = project
        .map(|p| {
            ensure_project(
                c,
                p,
                Actor {
                    name: actor,
                    request_id: None,
                },
            )
        })
        .transpose()?;
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::name.eq(account.name),
            users::password_hash.eq(NO_PASSWORD),
            users::role.eq(role.as_str()),
            users::project_id.eq(project_id.map(ProjectId::get)),
            users::created_at.eq(now()),
            users::created_by.eq(actor),
        ))
        .returning(users::id)
        .get_result(c)?;
    diesel::insert_into(oidc_identities::table)
        .values((
            oidc_identities::issuer.eq(account.issuer),
            oidc_identities::subject.eq(account.subject),
            oidc_identities::user_id.eq(id),
        ))
        .execute(c)?;
    let after = serde_json::json!({
        "name": account.name,
        "role": role.as_str(),
        "project": project,
        "issuer": account.issuer,
        "subject": account.subject,
    });
    audit::append(
        c,
        &[NewAuditEvent {
            actor,
            action: "user.create",
            project,
            subject: format!("user {} ({id})", account.name),
            before: None,
            after: Some(after),
            request_id: None,
        }],
    )?;
    Ok(id)
}

fn audit_change(
    c: &mut crate::db::DbConn,
    actor: &str,
    action: &str,
    subject: String,
    before: &Standing,
    after: &Standing,
) -> Result<(), StoreError> {
    audit::append(
        c,
        &[NewAuditEvent {
            actor,
            action,
            project: after.project.as_deref(),
            subject,
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
            request_id: None,
        }],
    )?;
    Ok(())
}
