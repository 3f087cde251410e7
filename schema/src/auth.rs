//! Users, API tokens and roles: who may do what, in which projects.
//!
//! - **Users** log in with a password; only its argon2 PHC hash is stored.
//! - **API tokens** are 256 random bits (`slt_` + 64 hex digits), shown once at creation. The
//!   store keeps their SHA-256 (a fast hash is right for a random secret: there is nothing to
//!   guess) and a 12-character prefix to recognize them by in listings.
//! - Both carry a [`Role`] and a project scope (one project, or every project when `None`).
//!
//! The server asks [`Principal::may`] on every route; nothing else decides access.

use crate::audit::{self, NewAuditEvent};
use crate::catalog::{Actor, ensure_project};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ProjectId;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use domain::{Permission, Role, TokenId, UserId};

/// Which user or token a [`Principal`] is: a user's id cannot be taken for a token's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PrincipalId {
    User(UserId),
    Token(TokenId),
}

/// Who is calling: a user or a token, with role and scope. Never holds a secret.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    pub id: PrincipalId,
    pub name: String,
    pub role: Role,
    /// The one project this principal may act in; `None`: every project.
    pub project: Option<String>,
}

impl Principal {
    /// `token:12` or `user:alice`: how logs and `uploaded_by` name the caller.
    pub fn label(&self) -> String {
        match self.id {
            PrincipalId::User(_) => format!("user:{}", self.name),
            PrincipalId::Token(id) => format!("token:{}:{}", id, self.name),
        }
    }

    /// Whether the principal may do `permission` in `project` (`None`: not about one project,
    /// e.g. listing projects or managing tokens, which then needs an unscoped principal when it
    /// is an admin action).
    pub fn may(&self, permission: Permission, project: Option<&str>) -> bool {
        if !self.role.allows(permission) {
            return false;
        }
        match (permission, project, &self.project) {
            (Permission::Public | Permission::Authenticated, _, _) => true,
            (_, _, None) => true,
            // About every project at once: a scoped principal may not.
            (Permission::Admin | Permission::AuditChain, _, Some(_)) => false,
            (_, Some(wanted), Some(own)) => wanted == own,
            // Listings across projects are filtered by the handler.
            (_, None, Some(_)) => true,
        }
    }

    /// Whether the principal sees `project` in listings.
    pub fn sees(&self, project: &str) -> bool {
        self.project.as_deref().is_none_or(|own| own == project)
    }
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    /// The first characters of the token, to recognize it.
    pub prefix: String,
    pub role: Role,
    pub project: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// A freshly created token: the only time its secret exists outside the caller's hands.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub project: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// A CI job's OIDC token, as the exchange claims it once: its issuer and `jti`, and until when
/// it could be offered again (its `exp` and the clock skew the server allows).
#[derive(Debug, Clone)]
pub struct ExchangedJob<'a> {
    pub issuer: &'a str,
    pub jti: &'a str,
    pub keep_until: NaiveDateTime,
}

/// Claims a job token for this exchange: `false` when it was claimed before. Guards past
/// their time are removed first (a job token that old is refused by its `exp` anyway). The
/// insert does nothing on a conflict, so a concurrent claim of the same token on another
/// replica waits for this transaction and then finds the row.
fn claim_job_token(conn: &mut DbConn, job: &ExchangedJob<'_>) -> Result<bool, StoreError> {
    diesel::delete(workload_exchanges::table.filter(workload_exchanges::keep_until.lt(now())))
        .execute(conn)?;
    let inserted = per_backend!(conn, |c| diesel::insert_into(workload_exchanges::table)
        .values((
            workload_exchanges::issuer.eq(job.issuer),
            workload_exchanges::jti.eq(job.jti),
            workload_exchanges::keep_until.eq(job.keep_until),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted > 0)
}

/// What to create: a user or a token.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub name: &'a str,
    pub role: Role,
    /// `None`: every project. The project is created when missing, so a CI token can be made
    /// before the first upload.
    pub project: Option<&'a str>,
    pub created_by: &'a str,
}

const TOKEN_PREFIX: &str = "slt_";
const SHOWN_PREFIX_LEN: usize = 12;
/// `last_used_at` is written at most this often per token, so reads stay reads.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

/// How long a token found valid is taken as valid without asking the database again.
pub const TOKEN_CACHE_SECS: u64 = 10;
/// Tokens remembered at most (a busy server sees a handful: one per pipeline or person).
const TOKEN_CACHE_ENTRIES: u64 = 1024;

/// Tokens recently found valid, by SHA-256 of the secret (the secret itself is never kept).
/// A hit skips two queries and a connection on every API call; the price is that a token
/// revoked on another replica (or expiring) keeps working there for up to
/// [`TOKEN_CACHE_SECS`]. Revoking through this store forgets it at once.
pub(crate) struct TokenCache {
    entries: mini_moka::sync::Cache<String, CachedToken>,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            entries: mini_moka::sync::Cache::builder()
                .max_capacity(TOKEN_CACHE_ENTRIES)
                .time_to_live(std::time::Duration::from_secs(TOKEN_CACHE_SECS))
                .build(),
        }
    }
}

#[derive(Clone)]
struct CachedToken {
    principal: Principal,
    /// Sooner than the cache's TTL when the token itself expires sooner.
    valid_until: std::time::Instant,
}

impl TokenCache {
    fn get(&self, digest: &str) -> Option<Principal> {
        // The cache keeps its keys in `Arc`s, so it is asked with an owned key.
        self.entries
            .get(&digest.to_string())
            .filter(|t| t.valid_until > std::time::Instant::now())
            .map(|t| t.principal)
    }

    fn put(&self, digest: String, principal: &Principal, expires_at: Option<NaiveDateTime>) {
        let mut ttl = std::time::Duration::from_secs(TOKEN_CACHE_SECS);
        // Never past the token's own expiry.
        if let Some(left) = expires_at.and_then(|e| (e - now()).to_std().ok()) {
            ttl = ttl.min(left);
        }
        self.entries.insert(
            digest,
            CachedToken {
                principal: principal.clone(),
                valid_until: std::time::Instant::now() + ttl,
            },
        );
    }

    fn forget(&self, token_id: TokenId) {
        // The keys first: the cache's iterator holds a lock that invalidating would wait on.
        let digests: Vec<String> = self
            .entries
            .iter()
            .filter(|t| t.value().principal.id == PrincipalId::Token(token_id))
            .map(|t| t.key().clone())
            .collect();
        for digest in digests {
            self.entries.invalidate(&digest);
        }
    }
}

/// An argon2 hash (of a random password nobody knows, with the parameters real hashes get)
/// that unknown and disabled user names are verified against, so that a wrong name takes as
/// long as a wrong password and timing does not tell which names exist. Made once per process.
static DUMMY_HASH: std::sync::LazyLock<Result<String, String>> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::PasswordHasher;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password(hex::encode(secret).as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
});

/// How many password checks went through [`DUMMY_HASH`] (tests prove the path is taken).
static DUMMY_VERIFICATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn dummy_hash() -> Result<&'static str, StoreError> {
    DUMMY_HASH
        .as_deref()
        .map_err(|e| StoreError::Internal(format!("cannot make the dummy password hash: {e}")))
}

/// How many password checks so far, in this process, verified against the dummy hash because
/// the user name was unknown or disabled.
pub fn dummy_verifications() -> u64 {
    DUMMY_VERIFICATIONS.load(std::sync::atomic::Ordering::Relaxed)
}

fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(crate) fn check_user_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            "name",
            format!("name {name:?} must be 1 to 200 printable characters"),
        ));
    }
    Ok(())
}

pub(crate) fn project_name(
    conn: &mut DbConn,
    id: Option<ProjectId>,
) -> Result<Option<String>, StoreError> {
    match id {
        None => Ok(None),
        Some(id) => Ok(Some(
            projects::table
                .find(id.get())
                .select(projects::name)
                .first(conn)?,
        )),
    }
}

/// The scope's project id; a grant for a project that does not exist yet creates it, as
/// `created_by`.
fn scope_id(conn: &mut DbConn, grant: &Grant<'_>) -> Result<Option<ProjectId>, StoreError> {
    let actor = Actor {
        name: grant.created_by,
        request_id: None,
    };
    grant
        .project
        .map(|p| ensure_project(conn, p, actor))
        .transpose()
}

pub(crate) fn parse_role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("stored role {s:?} is unknown")))
}

type TokenRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    NaiveDateTime,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn token_info(conn: &mut DbConn, row: TokenRow) -> Result<TokenInfo, StoreError> {
    let (id, name, prefix, role, project_id, created_at, created_by, expires, revoked, used) = row;
    Ok(TokenInfo {
        id: TokenId::new(id),
        name,
        prefix,
        role: parse_role(&role)?,
        project: project_name(conn, project_id.map(ProjectId::new))?,
        created_at,
        created_by,
        expires_at: expires,
        revoked_at: revoked,
        last_used_at: used,
    })
}

macro_rules! token_columns {
    () => {
        (
            api_tokens::id,
            api_tokens::name,
            api_tokens::prefix,
            api_tokens::role,
            api_tokens::project_id,
            api_tokens::created_at,
            api_tokens::created_by,
            api_tokens::expires_at,
            api_tokens::revoked_at,
            api_tokens::last_used_at,
        )
    };
}

fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Internal(format!("no randomness available: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// A password's argon2 PHC hash, after checking its length.
fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::PasswordHasher;
    if password.chars().count() < 12 {
        return Err(StoreError::invalid(
            "password",
            "password must have at least 12 characters",
        ));
    }
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| StoreError::Internal(format!("cannot hash the password: {e}")))?
        .to_string())
}

impl Store {
    /// Creates a user with an argon2-hashed password.
    pub fn create_user(&self, grant: &Grant<'_>, password: &str) -> Result<UserInfo, StoreError> {
        check_user_name(grant.name)?;
        let hash = hash_password(password)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let taken: i64 = users::table
                .filter(users::name.eq(grant.name))
                .count()
                .get_result(c)?;
            if taken > 0 {
                return Err(StoreError::Conflict(format!(
                    "user {:?} already exists",
                    grant.name
                )));
            }
            let project_id = scope_id(c, grant)?;
            let created_at = now();
            let id: i64 = diesel::insert_into(users::table)
                .values((
                    users::name.eq(grant.name),
                    users::password_hash.eq(&hash),
                    users::role.eq(grant.role.as_str()),
                    users::project_id.eq(project_id.map(ProjectId::get)),
                    users::created_at.eq(created_at),
                    users::created_by.eq(grant.created_by),
                ))
                .returning(users::id)
                .get_result(c)?;
            let user = UserInfo {
                id: UserId::new(id),
                name: grant.name.to_string(),
                role: grant.role,
                project: grant.project.map(str::to_string),
                created_at,
                created_by: grant.created_by.to_string(),
            };
            audit::append(
                c,
                &[NewAuditEvent {
                    actor: grant.created_by,
                    action: "user.create",
                    project: grant.project,
                    subject: format!("user {} ({})", user.name, user.id),
                    before: None,
                    after: serde_json::to_value(&user).ok(),
                    request_id: None,
                }],
            )?;
            Ok(user)
        })
    }

    /// Gives an existing user a new password (argon2-hashed like at creation); the user's
    /// sessions end, so whoever held the old password is signed out. Audited as
    /// `user.password`, without the password.
    pub fn set_password(
        &self,
        name: &str,
        password: &str,
        by: &str,
    ) -> Result<UserInfo, StoreError> {
        let hash = hash_password(password)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let row: Option<(i64, String, Option<i64>, NaiveDateTime, String)> = users::table
                .filter(users::name.eq(name))
                .select((
                    users::id,
                    users::role,
                    users::project_id,
                    users::created_at,
                    users::created_by,
                ))
                .first(c)
                .optional()?;
            let Some((id, role, project_id, created_at, created_by)) = row else {
                return Err(StoreError::NotFound {
                    what: "user",
                    key: name.to_string(),
                });
            };
            diesel::update(users::table.find(id))
                .set(users::password_hash.eq(&hash))
                .execute(c)?;
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(c)?;
            let user = UserInfo {
                id: UserId::new(id),
                name: name.to_string(),
                role: parse_role(&role)?,
                project: project_name(c, project_id.map(ProjectId::new))?,
                created_at,
                created_by,
            };
            audit::append(
                c,
                &[NewAuditEvent {
                    actor: by,
                    action: "user.password",
                    project: user.project.as_deref(),
                    subject: format!("user {} ({})", user.name, user.id),
                    before: None,
                    after: None,
                    request_id: None,
                }],
            )?;
            Ok(user)
        })
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserInfo>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let rows: Vec<(i64, String, String, Option<i64>, NaiveDateTime, String)> = users::table
                .order(users::name.asc())
                .select((
                    users::id,
                    users::name,
                    users::role,
                    users::project_id,
                    users::created_at,
                    users::created_by,
                ))
                .load(c)?;
            rows.into_iter()
                .map(|(id, name, role, project_id, created_at, created_by)| {
                    Ok(UserInfo {
                        id: UserId::new(id),
                        name,
                        role: parse_role(&role)?,
                        project: project_name(c, project_id.map(ProjectId::new))?,
                        created_at,
                        created_by,
                    })
                })
                .collect()
        })
    }

    /// The user, when the password is right; `None` for a wrong password, an unknown or a
    /// disabled user (indistinguishable on purpose, in time too: an unknown or disabled name
    /// is verified against a dummy hash, so every answer costs one argon2 verification).
    /// Servers go through [`Store::check_password`], which also counts failures.
    pub fn authenticate_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<Option<Principal>, StoreError> {
        use argon2::password_hash::PasswordVerifier;
        let mut conn = self.conn()?;
        let row: Option<(i64, String, String, Option<i64>)> = users::table
            .filter(users::name.eq(name))
            .filter(users::disabled_at.is_null())
            .select((
                users::id,
                users::password_hash,
                users::role,
                users::project_id,
            ))
            .first(&mut conn)
            .optional()?;
        let (user, hash) = match row {
            Some((id, hash, role, project_id)) => (Some((id, role, project_id)), hash),
            None => {
                DUMMY_VERIFICATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                (None, dummy_hash()?.to_string())
            }
        };
        let matches = argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        let Some((id, role, project_id)) = user.filter(|_| matches) else {
            return Ok(None);
        };
        Ok(Some(Principal {
            id: PrincipalId::User(UserId::new(id)),
            name: name.to_string(),
            role: parse_role(&role)?,
            project: project_name(&mut conn, project_id.map(ProjectId::new))?,
        }))
    }

    /// Creates an API token; the returned secret is shown once and never stored.
    pub fn create_token(
        &self,
        grant: &Grant<'_>,
        expires_at: Option<NaiveDateTime>,
    ) -> Result<NewToken, StoreError> {
        self.issue_token(grant, expires_at, None)?
            .ok_or_else(|| StoreError::Internal("a token was not issued".into()))
    }

    /// Issues the short-lived token a CI job's OIDC token was exchanged for (the server's
    /// workload identity): stored hashed like every token, with its expiry, and audit-logged
    /// as `token.exchange` with the claims that matched the trust rule (the job token's `jti`
    /// among them). Each job token is exchanged once: `None` when `job` was exchanged before
    /// (on any replica: the database's key decides), and then nothing is issued.
    pub fn exchange_token(
        &self,
        grant: &Grant<'_>,
        expires_at: NaiveDateTime,
        job: &ExchangedJob<'_>,
        matched_claims: &std::collections::BTreeMap<String, String>,
    ) -> Result<Option<NewToken>, StoreError> {
        self.issue_token(grant, Some(expires_at), Some((job, matched_claims)))
    }

    /// A new token; `exchange`: issued for a job token, which is claimed once and which the
    /// audit event records with the claims that matched. `None` only when that job token was
    /// claimed before.
    fn issue_token(
        &self,
        grant: &Grant<'_>,
        expires_at: Option<NaiveDateTime>,
        exchange: Option<(
            &ExchangedJob<'_>,
            &std::collections::BTreeMap<String, String>,
        )>,
    ) -> Result<Option<NewToken>, StoreError> {
        check_user_name(grant.name)?;
        let secret = new_secret()?;
        let prefix: String = secret.chars().take(SHOWN_PREFIX_LEN).collect();
        let digest = sha256_hex(&secret);
        let matched_claims = exchange.map(|(_, claims)| claims);
        let mut conn = self.conn()?;
        let info = write_tx(&mut conn, |c| {
            if let Some((job, _)) = exchange
                && !claim_job_token(c, job)?
            {
                return Ok(None);
            }
            let project_id = scope_id(c, grant)?;
            let created_at = now();
            let id: i64 = diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::name.eq(grant.name),
                    api_tokens::prefix.eq(&prefix),
                    api_tokens::secret_sha256.eq(&digest),
                    api_tokens::role.eq(grant.role.as_str()),
                    api_tokens::project_id.eq(project_id.map(ProjectId::get)),
                    api_tokens::created_at.eq(created_at),
                    api_tokens::created_by.eq(grant.created_by),
                    api_tokens::expires_at.eq(expires_at),
                ))
                .returning(api_tokens::id)
                .get_result(c)?;
            let token = TokenInfo {
                id: TokenId::new(id),
                name: grant.name.to_string(),
                prefix: prefix.clone(),
                role: grant.role,
                project: grant.project.map(str::to_string),
                created_at,
                created_by: grant.created_by.to_string(),
                expires_at,
                revoked_at: None,
                last_used_at: None,
            };
            // The event names the token by id and prefix; the secret exists only in the reply.
            let mut after = serde_json::to_value(&token).ok();
            if let (Some(serde_json::Value::Object(fields)), Some(claims)) =
                (after.as_mut(), matched_claims)
            {
                fields.insert("claims".into(), serde_json::json!(claims));
            }
            audit::append(
                c,
                &[NewAuditEvent {
                    actor: grant.created_by,
                    action: match matched_claims {
                        Some(_) => "token.exchange",
                        None => "token.create",
                    },
                    project: grant.project,
                    subject: format!("token {} ({})", token.prefix, token.id),
                    before: None,
                    after,
                    request_id: None,
                }],
            )?;
            Ok(Some(token))
        })?;
        Ok(info.map(|info| NewToken {
            info,
            token: secret,
        }))
    }

    /// Every token, newest first (revoked and expired ones included, marked).
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let rows: Vec<TokenRow> = api_tokens::table
                .order(api_tokens::id.desc())
                .select(token_columns!())
                .load(c)?;
            rows.into_iter().map(|r| token_info(c, r)).collect()
        })
    }

    /// Revokes a token by id or by its shown prefix. Revoking twice is harmless.
    pub fn revoke_token(&self, id_or_prefix: &str, by: &str) -> Result<TokenInfo, StoreError> {
        let mut conn = self.conn()?;
        let revoked = write_tx(&mut conn, |c| {
            let mut query = api_tokens::table.select(token_columns!()).into_boxed();
            query = match id_or_prefix.parse::<i64>() {
                Ok(id) => query.filter(api_tokens::id.eq(id)),
                Err(_) => query.filter(api_tokens::prefix.eq(id_or_prefix)),
            };
            let rows: Vec<TokenRow> = query.load(c)?;
            let row = match rows.len() {
                0 => return Err(StoreError::not_found("token", id_or_prefix)),
                1 => rows.into_iter().next(),
                _ => {
                    return Err(StoreError::invalid(
                        "token",
                        format!("prefix {id_or_prefix:?} names several tokens; use the id"),
                    ));
                }
            };
            let Some(row) = row else {
                return Err(StoreError::not_found("token", id_or_prefix));
            };
            let mut info = token_info(c, row)?;
            if info.revoked_at.is_none() {
                let before = serde_json::to_value(&info).ok();
                let at = now();
                diesel::update(api_tokens::table.find(info.id.get()))
                    .set(api_tokens::revoked_at.eq(at))
                    .execute(c)?;
                info.revoked_at = Some(at);
                audit::append(
                    c,
                    &[NewAuditEvent {
                        actor: by,
                        action: "token.revoke",
                        project: info.project.as_deref(),
                        subject: format!("token {} ({})", info.prefix, info.id),
                        before,
                        after: serde_json::to_value(&info).ok(),
                        request_id: None,
                    }],
                )?;
                tracing::info!(token_id = info.id.get(), by, "token revoked");
            }
            Ok(info)
        })?;
        self.tokens.forget(revoked.id);
        Ok(revoked)
    }

    /// The token's principal, when it exists, is not revoked and has not expired. Records when
    /// it was last used (at most once a minute).
    pub fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let digest = sha256_hex(secret);
        if let Some(principal) = self.tokens.get(&digest) {
            return Ok(Some(principal));
        }
        let mut conn = self.conn()?;
        let row: Option<TokenRow> = api_tokens::table
            .filter(api_tokens::secret_sha256.eq(&digest))
            .select(token_columns!())
            .first(&mut conn)
            .optional()?;
        let Some(row) = row else { return Ok(None) };
        let at = now();
        let (id, name, _, role, project_id, _, _, expires_at, revoked_at, last_used_at) = row;
        if revoked_at.is_some() || expires_at.is_some_and(|e| e <= at) {
            return Ok(None);
        }
        if last_used_at.is_none_or(|u| (at - u).num_seconds() >= LAST_USED_GRANULARITY_SECS) {
            // One statement, atomic on its own; a lost race only loses a timestamp.
            diesel::update(api_tokens::table.find(id))
                .set(api_tokens::last_used_at.eq(at))
                .execute(&mut conn)?;
        }
        let principal = Principal {
            id: PrincipalId::Token(TokenId::new(id)),
            name,
            role: parse_role(&role)?,
            project: project_name(&mut conn, project_id.map(ProjectId::new))?,
        };
        self.tokens.put(digest, &principal, expires_at);
        Ok(Some(principal))
    }

    /// The token's principal when it was found valid within the last [`TOKEN_CACHE_SECS`]:
    /// no database, no blocking, so a server can answer it on its event loop.
    pub fn cached_token(&self, secret: &str) -> Option<Principal> {
        secret
            .starts_with(TOKEN_PREFIX)
            .then(|| self.tokens.get(&sha256_hex(secret)))
            .flatten()
    }

    /// Whether any user or token exists (a fresh store has no way in until an admin is made).
    pub fn has_credentials(&self) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let users: i64 = users::table.count().get_result(&mut conn)?;
        let tokens: i64 = api_tokens::table.count().get_result(&mut conn)?;
        Ok(users + tokens > 0)
    }
}
