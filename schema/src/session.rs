//! Web UI sign-in sessions and the login lockout.
//!
//! - A session id is 256 random bits (64 hex digits), handed to the browser once in a cookie;
//!   the store keeps only its SHA-256. Each session carries its own CSRF token (also random),
//!   so a new sign-in rotates both.
//! - Sessions expire after a fixed lifetime ([`SESSION_HOURS`]); signing out deletes the row.
//! - Every way a password is tried (web UI sign-in, HTTP Basic on the API) goes through
//!   [`Store::check_password`], the one limiter: [`MAX_FAILURES`] failures in a row lock the
//!   user name (known and unknown names alike, so the lockout does not tell which names exist),
//!   and [`MAX_ADDRESS_FAILURES`] failures from one source address within
//!   [`ADDRESS_WINDOW_MINUTES`] lock that address, each for [`LOCKOUT_MINUTES`]. While locked,
//!   even the right password is refused, without running argon2. The counts live in the
//!   database, so replicas share them; each lock is audit-logged (`auth.lockout`).
//! - The sign-in form has no session yet: [`Store::begin_login`] hands out a pre-session (its
//!   id for a cookie, its CSRF token for the form), kept here and used up by
//!   [`Store::take_login_form`], so a cookie an attacker plants is not enough to sign a victim
//!   in.

use crate::audit::{self, NewAuditEvent};
use crate::auth::{parse_role, project_name};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Principal, PrincipalId, Store, UserId, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use domain::ProjectId;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed sign-ins in a row before a lockout.
pub const MAX_FAILURES: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_MINUTES: i64 = 5;
/// Failed passwords from one source address within [`ADDRESS_WINDOW_MINUTES`] before the
/// address is locked (higher than [`MAX_FAILURES`]: many people may share one address).
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// The window in which an address's failures are counted, from its first failure.
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// How long a sign-in form stays usable.
pub const LOGIN_FORM_MINUTES: i64 = 30;

/// The password limits a store enforces (the constants above by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLimits {
    /// Failures in a row that lock a user name.
    pub user_failures: i64,
    /// Failures within `address_window` that lock a source address.
    pub address_failures: i64,
    pub address_window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

impl Default for AuthLimits {
    fn default() -> Self {
        AuthLimits {
            user_failures: MAX_FAILURES,
            address_failures: MAX_ADDRESS_FAILURES,
            address_window: Duration::minutes(ADDRESS_WINDOW_MINUTES),
            lockout: Duration::minutes(LOCKOUT_MINUTES),
        }
    }
}

/// What checking a password gave.
#[derive(Debug, Clone)]
pub enum PasswordCheck {
    Valid(Principal),
    /// Wrong name or password (indistinguishable on purpose).
    Refused,
    /// The user name or the source address is locked until then: not checked.
    Locked {
        until: NaiveDateTime,
    },
}

/// A sign-in form handed out: the pre-session id for its cookie, the CSRF token for the form.
#[derive(Debug, Clone)]
pub struct LoginForm {
    pub id: String,
    pub csrf_token: String,
}

/// A new session: the id for the cookie and the CSRF token for forms. Shown once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub csrf_token: String,
    pub principal: Principal,
    pub expires_at: NaiveDateTime,
}

/// What a sign-in attempt gave.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    SignedIn(NewSession),
    /// Wrong name or password (indistinguishable on purpose).
    Refused,
    /// Too many failures: refused without checking the password until `until`.
    Locked {
        until: NaiveDateTime,
    },
}

/// A live session, as the server sees it on each request.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub principal: Principal,
    pub csrf_token: String,
}

pub(crate) fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Internal(format!("no randomness available: {e}")))?;
    Ok(hex::encode(bytes))
}

pub(crate) fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

impl Store {
    /// Checks a password: the one limiter for every way a password is tried. Refused without
    /// running argon2 while the user name or `source` (the caller's address) is locked; a
    /// failure counts against both, and a lock it sets is audit-logged. A success clears the
    /// user's count (not the address's: one good account must not reset a guessing run).
    pub fn check_password(
        &self,
        name: &str,
        password: &str,
        source: &str,
    ) -> Result<PasswordCheck, StoreError> {
        let at = now();
        {
            let mut conn = self.conn()?;
            let user: Option<Option<NaiveDateTime>> = login_failures::table
                .find(name)
                .select(login_failures::locked_until)
                .first(&mut conn)
                .optional()?;
            let address: Option<Option<NaiveDateTime>> = address_failures::table
                .find(source)
                .select(address_failures::locked_until)
                .first(&mut conn)
                .optional()?;
            if let Some(until) = [user.flatten(), address.flatten()]
                .into_iter()
                .flatten()
                .filter(|until| *until > at)
                .max()
            {
                return Ok(PasswordCheck::Locked { until });
            }
        }
        // argon2 runs outside any transaction.
        let principal = self.authenticate_password(name, password)?;
        let limits = self.limits;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            if let Some(principal) = principal {
                diesel::delete(login_failures::table.find(name)).execute(c)?;
                return Ok(PasswordCheck::Valid(principal));
            }
            let user_until = count_user_failure(c, name, at, &limits)?;
            let address_until = count_address_failure(c, source, at, &limits)?;
            let mut events = Vec::new();
            for (subject, until) in [
                (format!("user {name:?}"), user_until),
                (format!("address {source}"), address_until),
            ] {
                if let Some(until) = until {
                    tracing::warn!(subject, %until, "locked after failed passwords");
                    events.push(NewAuditEvent {
                        actor: "scanledger",
                        action: "auth.lockout",
                        project: None,
                        subject,
                        before: None,
                        after: Some(serde_json::json!({
                            "user": name, "source": source, "locked_until": until,
                        })),
                        request_id: None,
                    });
                }
            }
            audit::append(c, &events)?;
            Ok(match user_until.max(address_until) {
                Some(until) => PasswordCheck::Locked { until },
                None => PasswordCheck::Refused,
            })
        })
    }

    /// Signs a user in with a password ([`Store::check_password`], from `source`): on success a
    /// new session; `replaces` (the browser's previous session id, if any) is deleted, so the
    /// id always rotates on sign-in.
    pub fn login(
        &self,
        name: &str,
        password: &str,
        replaces: Option<&str>,
        source: &str,
    ) -> Result<LoginOutcome, StoreError> {
        let principal = match self.check_password(name, password, source)? {
            PasswordCheck::Valid(principal) => principal,
            PasswordCheck::Refused => return Ok(LoginOutcome::Refused),
            PasswordCheck::Locked { until } => return Ok(LoginOutcome::Locked { until }),
        };
        // Passwords belong to users only; a session is always a user's.
        let PrincipalId::User(user_id) = principal.id else {
            return Err(StoreError::Internal(format!(
                "a password check answered for {}, not a user",
                principal.label()
            )));
        };
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            open_session(c, user_id, principal, replaces).map(LoginOutcome::SignedIn)
        })
    }

    /// Hands out a sign-in form: a pre-session id (for a cookie) and its CSRF token, usable
    /// once within [`LOGIN_FORM_MINUTES`]. Forms past their time are deleted on the way.
    pub fn begin_login(&self) -> Result<LoginForm, StoreError> {
        let at = now();
        let form = LoginForm {
            id: random_hex()?,
            csrf_token: random_hex()?,
        };
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            diesel::delete(login_forms::table.filter(login_forms::expires_at.le(at))).execute(c)?;
            diesel::insert_into(login_forms::table)
                .values((
                    login_forms::id_sha256.eq(digest(&form.id)),
                    login_forms::csrf_token.eq(&form.csrf_token),
                    login_forms::expires_at.eq(at + Duration::minutes(LOGIN_FORM_MINUTES)),
                ))
                .execute(c)?;
            Ok(())
        })?;
        Ok(form)
    }

    /// Whether `csrf` is the token of the live sign-in form `id`; the form is used up either
    /// way. (The tokens are compared in constant time, so the time taken tells nothing.)
    pub fn take_login_form(&self, id: &str, csrf: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let stored: Option<String> = login_forms::table
                .find(digest(id))
                .filter(login_forms::expires_at.gt(now()))
                .select(login_forms::csrf_token)
                .first(c)
                .optional()?;
            diesel::delete(login_forms::table.find(digest(id))).execute(c)?;
            Ok(stored.is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(csrf.as_bytes()))))
        })
    }

    /// The user behind a session id, when the session is live and the user not disabled.
    pub fn session(&self, id: &str) -> Result<Option<SessionInfo>, StoreError> {
        let mut conn = self.conn()?;
        let row: Option<(String, i64, String, String, Option<i64>)> = sessions::table
            .inner_join(users::table)
            .filter(sessions::id_sha256.eq(digest(id)))
            .filter(sessions::expires_at.gt(now()))
            .filter(users::disabled_at.is_null())
            .select((
                sessions::csrf_token,
                users::id,
                users::name,
                users::role,
                users::project_id,
            ))
            .first(&mut conn)
            .optional()?;
        let Some((csrf_token, uid, name, role, project_id)) = row else {
            return Ok(None);
        };
        Ok(Some(SessionInfo {
            principal: Principal {
                id: PrincipalId::User(UserId::new(uid)),
                name,
                role: parse_role(&role)?,
                project: project_name(&mut conn, project_id.map(ProjectId::new))?,
            },
            csrf_token,
        }))
    }

    /// Signs out: deletes the session (and any expired ones).
    pub fn logout(&self, id: &str) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            diesel::delete(sessions::table.find(digest(id))).execute(c)?;
            diesel::delete(sessions::table.filter(sessions::expires_at.le(now()))).execute(c)?;
            Ok(())
        })
    }
}

/// Opens a session for `user_id` (as `principal`), inside the caller's transaction; `replaces`
/// (the browser's previous session id, if any) is deleted, so the id always rotates on sign-in.
pub(crate) fn open_session(
    c: &mut DbConn,
    user_id: UserId,
    principal: Principal,
    replaces: Option<&str>,
) -> Result<NewSession, StoreError> {
    let at = now();
    if let Some(old) = replaces {
        diesel::delete(sessions::table.find(digest(old))).execute(c)?;
    }
    let id = random_hex()?;
    let csrf_token = random_hex()?;
    let expires_at = at + Duration::hours(SESSION_HOURS);
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_sha256.eq(digest(&id)),
            sessions::user_id.eq(user_id.get()),
            sessions::csrf_token.eq(&csrf_token),
            sessions::created_at.eq(at),
            sessions::expires_at.eq(expires_at),
            sessions::last_seen_at.eq(at),
        ))
        .execute(c)?;
    Ok(NewSession {
        id,
        csrf_token,
        principal,
        expires_at,
    })
}

/// Counts a failed password against a user name; the lock's end when this failure sets one.
fn count_user_failure(
    c: &mut DbConn,
    name: &str,
    at: NaiveDateTime,
    limits: &AuthLimits,
) -> Result<Option<NaiveDateTime>, StoreError> {
    // One upsert, so concurrent failures (two replicas) all count.
    per_backend!(c, |c| diesel::insert_into(login_failures::table)
        .values((
            login_failures::name.eq(name),
            login_failures::failures.eq(1i64),
            login_failures::last_failure_at.eq(at),
            login_failures::locked_until.eq(None::<NaiveDateTime>),
        ))
        .on_conflict(login_failures::name)
        .do_update()
        .set((
            login_failures::failures.eq(login_failures::failures + 1i64),
            login_failures::last_failure_at.eq(at),
        ))
        .execute(c))?;
    let failures: i64 = login_failures::table
        .find(name)
        .select(login_failures::failures)
        .first(c)?;
    if failures < limits.user_failures {
        return Ok(None);
    }
    // After a lockout the count starts again.
    let until = at + limits.lockout;
    diesel::update(login_failures::table.find(name))
        .set((
            login_failures::failures.eq(0i64),
            login_failures::locked_until.eq(Some(until)),
        ))
        .execute(c)?;
    Ok(Some(until))
}

/// Counts a failed password against a source address; the lock's end when this failure sets
/// one.
fn count_address_failure(
    c: &mut DbConn,
    address: &str,
    at: NaiveDateTime,
    limits: &AuthLimits,
) -> Result<Option<NaiveDateTime>, StoreError> {
    per_backend!(c, |c| diesel::insert_into(address_failures::table)
        .values((
            address_failures::address.eq(address),
            address_failures::failures.eq(1i64),
            address_failures::first_failure_at.eq(at),
            address_failures::locked_until.eq(None::<NaiveDateTime>),
        ))
        .on_conflict(address_failures::address)
        .do_update()
        .set(address_failures::failures.eq(address_failures::failures + 1i64))
        .execute(c))?;
    let (failures, first): (i64, NaiveDateTime) = address_failures::table
        .find(address)
        .select((
            address_failures::failures,
            address_failures::first_failure_at,
        ))
        .first(c)?;
    if first < at - limits.address_window {
        // The window passed: this failure opens a new one.
        diesel::update(address_failures::table.find(address))
            .set((
                address_failures::failures.eq(1i64),
                address_failures::first_failure_at.eq(at),
            ))
            .execute(c)?;
        return Ok(None);
    }
    if failures < limits.address_failures {
        return Ok(None);
    }
    let until = at + limits.lockout;
    diesel::update(address_failures::table.find(address))
        .set((
            address_failures::failures.eq(0i64),
            address_failures::first_failure_at.eq(at),
            address_failures::locked_until.eq(Some(until)),
        ))
        .execute(c)?;
    Ok(Some(until))
}
