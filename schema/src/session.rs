//! Web UI sign-in sessions and the login lockout.
//!
//! - A session id is 256 random bits (64 hex digits), handed to the browser once in a cookie;
//!   the store keeps only its SHA-256. Each session carries its own CSRF token (also random),
//!   so a new sign-in rotates both.
//! - Sessions expire after a fixed lifetime ([`SESSION_HOURS`]); signing out deletes the row.
//! - Repeated failed sign-ins lock the user name for [`LOCKOUT_MINUTES`] after
//!   [`MAX_FAILURES`] failures in a row (known and unknown names alike, so the lockout does not
//!   tell which names exist). While locked, even the right password is refused.

use crate::auth::{parse_role, project_name};
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Principal, PrincipalKind, Store, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed sign-ins in a row before a lockout.
pub const MAX_FAILURES: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_MINUTES: i64 = 5;

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

fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
    Ok(hex::encode(bytes))
}

fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

impl Store {
    /// Signs a user in with a password: on success a new session (and the failure counter is
    /// cleared); `replaces` (the browser's previous session id, if any) is deleted, so the id
    /// always rotates on sign-in.
    pub fn login(
        &self,
        name: &str,
        password: &str,
        replaces: Option<&str>,
    ) -> Result<LoginOutcome, StoreError> {
        let at = now();
        {
            let mut conn = self.conn()?;
            let locked: Option<Option<NaiveDateTime>> = login_failures::table
                .find(name)
                .select(login_failures::locked_until)
                .first(&mut conn)
                .optional()?;
            if let Some(Some(until)) = locked
                && until > at
            {
                return Ok(LoginOutcome::Locked { until });
            }
        }
        // argon2 runs outside any transaction.
        let principal = self.authenticate_password(name, password)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            let Some(principal) = principal else {
                let failures: i64 = login_failures::table
                    .find(name)
                    .select(login_failures::failures)
                    .first(c)
                    .optional()?
                    .unwrap_or(0)
                    + 1;
                let locked_until =
                    (failures >= MAX_FAILURES).then(|| at + Duration::minutes(LOCKOUT_MINUTES));
                diesel::delete(login_failures::table.find(name)).execute(c)?;
                diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::name.eq(name),
                        // After a lockout the count starts again.
                        login_failures::failures.eq(if locked_until.is_some() {
                            0
                        } else {
                            failures
                        }),
                        login_failures::last_failure_at.eq(at),
                        login_failures::locked_until.eq(locked_until),
                    ))
                    .execute(c)?;
                return Ok(match locked_until {
                    Some(until) => LoginOutcome::Locked { until },
                    None => LoginOutcome::Refused,
                });
            };
            diesel::delete(login_failures::table.find(name)).execute(c)?;
            if let Some(old) = replaces {
                diesel::delete(sessions::table.find(digest(old))).execute(c)?;
            }
            let id = random_hex()?;
            let csrf_token = random_hex()?;
            let expires_at = at + Duration::hours(SESSION_HOURS);
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id_sha256.eq(digest(&id)),
                    sessions::user_id.eq(principal.id),
                    sessions::csrf_token.eq(&csrf_token),
                    sessions::created_at.eq(at),
                    sessions::expires_at.eq(expires_at),
                    sessions::last_seen_at.eq(at),
                ))
                .execute(c)?;
            Ok(LoginOutcome::SignedIn(NewSession {
                id,
                csrf_token,
                principal,
                expires_at,
            }))
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
                kind: PrincipalKind::User,
                id: uid,
                name,
                role: parse_role(&role)?,
                project: project_name(&mut conn, project_id)?,
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
