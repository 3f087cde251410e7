//! The audit log: every change of state as an append-only, hash-chained event.
//!
//! Each event records who (`actor`), when (`at`), what (`action` and `subject`), the state
//! before and after (JSON text) and the request id. Its **canonical form** is a JSON object
//! with sorted keys of exactly these fields plus `seq` and `prev_hash`:
//!
//! ```text
//! {"action":..,"actor":..,"after":..,"at":"2026-11-23T10:00:00.000000Z","before":..,
//!  "prev_hash":..,"project":..,"request_id":..,"seq":1,"subject":..}
//! ```
//!
//! `prev_hash` is the SHA-256 (hex) of the previous event's canonical form (64 zeros for the
//! first event); `hash` is the SHA-256 of the event's own canonical form. [`Store::audit_verify`]
//! recomputes every hash in order and names the first event whose stored values no longer
//! match: an edited row breaks its own hash, a deleted row leaves a gap in `seq` and breaks the
//! next event's `prev_hash`, and deleting the newest events disagrees with the chain head.
//!
//! Appends are serialized so the chain never forks: on SQLite the write transaction is already
//! exclusive (`BEGIN IMMEDIATE`); on PostgreSQL [`append`] takes a transaction-level advisory
//! lock before it reads the head. Callers append at the end of their transaction, after their
//! other writes, so the lock is held only until commit. `seq` is the primary key, so even a bug
//! here could not store two events at one position.
//!
//! The database also refuses `UPDATE` and `DELETE` on `audit_events` (triggers); `verify` is
//! for whoever goes around that.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::read_tx;
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The advisory lock that serializes appends on PostgreSQL.
const AUDIT_LOCK: i64 = 0x5CA7_A0D1;

/// Events read per query when verifying or listing, so memory stays bounded.
const PAGE: i64 = 1000;

/// An event to append. `before` and `after` are JSON values (or `None`).
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub actor: &'a str,
    /// `scan.upload`, `triage.set`, `policy.set`, ... (dotted, lowercase).
    pub action: &'a str,
    pub project: Option<&'a str>,
    /// What changed: `shop/4.2.0 scan 12`, `shop finding 3fa2..`.
    pub subject: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<&'a str>,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Queryable, Selectable, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = audit_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AuditEvent {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub project: Option<String>,
    pub subject: String,
    /// JSON text.
    pub before: Option<String>,
    /// JSON text.
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The canonical form whose SHA-256 is the event's hash (and the next event's `prev_hash`).
    pub fn canonical(&self) -> String {
        let mut map = serde_json::Map::new();
        let text = |v: &Option<String>| {
            v.as_ref().map_or(serde_json::Value::Null, |s| {
                serde_json::Value::from(s.as_str())
            })
        };
        map.insert("action".into(), self.action.as_str().into());
        map.insert("actor".into(), self.actor.as_str().into());
        map.insert("after".into(), text(&self.after));
        map.insert("at".into(), format_at(self.at).into());
        map.insert("before".into(), text(&self.before));
        map.insert("prev_hash".into(), self.prev_hash.as_str().into());
        map.insert("project".into(), text(&self.project));
        map.insert("request_id".into(), text(&self.request_id));
        map.insert("seq".into(), self.seq.into());
        map.insert("subject".into(), self.subject.as_str().into());
        // serde_json's map is ordered by key (no `preserve_order`), so this is deterministic.
        serde_json::Value::Object(map).to_string()
    }

    /// SHA-256 (hex) of the canonical form.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }
}

/// Timestamps in the canonical form: UTC, microseconds, RFC 3339.
fn format_at(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Takes the chain's lock until the end of the transaction (PostgreSQL; SQLite's write
/// transaction is exclusive already). Also for operations that must read-then-write in turn,
/// like numbering policy versions; taking it twice is harmless.
pub(crate) fn lock_chain(conn: &mut DbConn) -> Result<(), StoreError> {
    if let DbConn::Postgres(c) = conn {
        c.batch_execute(&format!("SELECT pg_advisory_xact_lock({AUDIT_LOCK})"))?;
    }
    Ok(())
}

/// Appends events to the chain, inside the caller's write transaction. Call it after the
/// transaction's other writes (see the module docs). Returns the stored events.
pub(crate) fn append(
    conn: &mut DbConn,
    events: &[NewAuditEvent<'_>],
) -> Result<Vec<AuditEvent>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    lock_chain(conn)?;
    let (mut seq, mut prev_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let at = now();
    let mut stored = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
        let mut event = AuditEvent {
            seq,
            at,
            actor: e.actor.to_string(),
            action: e.action.to_string(),
            project: e.project.map(str::to_string),
            subject: e.subject.clone(),
            before: json(&e.before),
            after: json(&e.after),
            request_id: e.request_id.map(str::to_string),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::seq.eq(event.seq),
                audit_events::at.eq(event.at),
                audit_events::actor.eq(&event.actor),
                audit_events::action.eq(&event.action),
                audit_events::project.eq(&event.project),
                audit_events::subject.eq(&event.subject),
                audit_events::before.eq(&event.before),
                audit_events::after.eq(&event.after),
                audit_events::request_id.eq(&event.request_id),
                audit_events::prev_hash.eq(&event.prev_hash),
                audit_events::hash.eq(&event.hash),
            ))
            .execute(conn)?;
        prev_hash = event.hash.clone();
        stored.push(event);
    }
    diesel::update(audit_head::table.find(1))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev_hash)))
        .execute(conn)?;
    Ok(stored)
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub project: Option<String>,
    /// Only events at or after this time (UTC).
    pub since: Option<NaiveDateTime>,
    /// Only events with this action.
    pub action: Option<String>,
    /// At most this many, newest last (default: all).
    pub limit: Option<i64>,
}

/// The first event where the chain no longer holds.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenEvent {
    /// The event's position in the chain (or where an event is missing).
    pub seq: i64,
    pub problem: String,
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    pub ok: bool,
    /// Events checked.
    pub events: i64,
    /// Hash of the last event (the chain head), when the chain is intact.
    pub head: Option<String>,
    pub first_broken: Option<BrokenEvent>,
}

impl Store {
    /// Audit events, oldest first.
    pub fn audit_list(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conn = self.conn()?;
        let mut q = audit_events::table
            .select(AuditEvent::as_select())
            .into_boxed();
        if let Some(project) = &query.project {
            q = q.filter(audit_events::project.eq(project.clone()));
        }
        if let Some(since) = query.since {
            q = q.filter(audit_events::at.ge(since));
        }
        if let Some(action) = &query.action {
            q = q.filter(audit_events::action.eq(action.clone()));
        }
        let mut events: Vec<AuditEvent> = match query.limit {
            // The newest `limit`, shown oldest first.
            Some(limit) => q
                .order(audit_events::seq.desc())
                .limit(limit)
                .load(&mut conn)?,
            None => q.order(audit_events::seq.asc()).load(&mut conn)?,
        };
        events.sort_by_key(|e| e.seq);
        Ok(events)
    }

    /// Recomputes the whole chain and names the first broken event.
    pub fn audit_verify(&self) -> Result<AuditVerification, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, verify_in)
    }
}

fn verify_in(conn: &mut DbConn) -> Result<AuditVerification, StoreError> {
    let broken = |seq: i64, problem: String, events: i64| AuditVerification {
        ok: false,
        events,
        head: None,
        first_broken: Some(BrokenEvent { seq, problem }),
    };
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut checked = 0i64;
    loop {
        let page: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(PAGE)
            .select(AuditEvent::as_select())
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for event in page {
            if event.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    format!(
                        "event {expected_seq} is missing (the next stored event is {})",
                        event.seq
                    ),
                    checked,
                ));
            }
            if event.prev_hash != prev_hash {
                return Ok(broken(
                    event.seq,
                    format!(
                        "prev_hash {} does not match the hash of event {} ({})",
                        event.prev_hash,
                        event.seq - 1,
                        prev_hash
                    ),
                    checked,
                ));
            }
            let recomputed = event.compute_hash();
            if recomputed != event.hash {
                return Ok(broken(
                    event.seq,
                    format!(
                        "content changed: stored hash {} but the event hashes to {recomputed}",
                        event.hash
                    ),
                    checked,
                ));
            }
            prev_hash = recomputed;
            expected_seq += 1;
            checked += 1;
        }
    }
    // Events removed from the end leave a shorter chain than the head remembers.
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    if head_seq > checked {
        return Ok(broken(
            checked + 1,
            format!(
                "event {} is missing: the chain ends at event {checked} but its head records \
                 event {head_seq} (events were removed from the end)",
                checked + 1
            ),
            checked,
        ));
    }
    if head_seq < checked {
        return Ok(broken(
            head_seq + 1,
            format!(
                "the chain head records event {head_seq} but events go on to {checked} \
                 (events were added outside the store, or the head was changed)"
            ),
            checked,
        ));
    }
    if head_hash != prev_hash {
        return Ok(broken(
            checked,
            format!(
                "event {checked} hashes to {prev_hash} but the chain head records {head_hash} \
                 (the newest event or the head was changed)"
            ),
            checked,
        ));
    }
    Ok(AuditVerification {
        ok: true,
        events: checked,
        head: Some(prev_hash),
        first_broken: None,
    })
}

/// What a sealed bundle signed about the log: the chain head it saw, and its own SHA-256
/// (which the `release.seal` event after that head records).
#[derive(Debug, Clone, PartialEq)]
pub struct BundleAnchor {
    /// How messages name the bundle (its file name, or `project/release`).
    pub bundle: String,
    /// SHA-256 (hex) of the bundle's zip.
    pub bundle_sha256: String,
    /// The head the bundle signed.
    pub anchor: reports::AuditAnchor,
}

/// A bundle whose signed head the log no longer contains.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnchorProblem {
    pub bundle: String,
    /// The position in the chain where the log and the bundle disagree.
    pub seq: i64,
    pub problem: String,
}

/// The chain recomputed, and every bundle's signed head looked up in it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnchoredVerification {
    /// The chain intact and every anchor found.
    pub ok: bool,
    pub chain: AuditVerification,
    /// Anchors looked up.
    pub anchors: usize,
    /// The newest sequence number a bundle vouches for (events after it are protected by the
    /// chain alone until the next seal).
    pub anchored_up_to: Option<i64>,
    pub problems: Vec<AnchorProblem>,
}

impl Store {
    /// The chain head now: the last event's sequence number and hash (0 and the genesis hash
    /// for an empty log). Sealing signs it into the bundle.
    pub fn audit_head(&self) -> Result<reports::AuditAnchor, StoreError> {
        let mut conn = self.conn()?;
        let (seq, hash): (i64, String) = audit_head::table
            .find(1)
            .select((audit_head::seq, audit_head::hash))
            .first(&mut conn)?;
        Ok(reports::AuditAnchor { seq, hash })
    }

    /// Recomputes the chain, then checks that it still holds every head a bundle signed (the
    /// same hash at the same sequence number) and the `release.seal` event of each bundle
    /// after it. A log rewritten with every later hash recomputed passes [`Store::audit_verify`]
    /// but not this, as long as a bundle signed a head at or after the rewrite.
    pub fn audit_verify_anchors(
        &self,
        anchors: &[BundleAnchor],
    ) -> Result<AnchoredVerification, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let chain = verify_in(c)?;
            let seals: Vec<(i64, Option<String>)> = audit_events::table
                .filter(audit_events::action.eq("release.seal"))
                .order(audit_events::seq.asc())
                .select((audit_events::seq, audit_events::after))
                .load(c)?;
            let last: Option<i64> = audit_events::table
                .select(diesel::dsl::max(audit_events::seq))
                .first(c)?;
            let mut problems = Vec::new();
            for a in anchors {
                let seq = a.anchor.seq;
                let problem = |seq: i64, problem: String| AnchorProblem {
                    bundle: a.bundle.clone(),
                    seq,
                    problem,
                };
                if seq > 0 {
                    let stored: Option<String> = audit_events::table
                        .find(seq)
                        .select(audit_events::hash)
                        .first(c)
                        .optional()?;
                    match stored {
                        None => {
                            problems.push(problem(
                                seq,
                                format!(
                                    "event {seq} is missing from the log, but the bundle signed it \
                                     (hash {})",
                                    a.anchor.hash
                                ),
                            ));
                            continue;
                        }
                        Some(hash) if hash != a.anchor.hash => {
                            problems.push(problem(
                                seq,
                                format!(
                                    "event {seq} hashes to {hash} in the log, but the bundle signed \
                                     {}: the log was rewritten at or before event {seq}",
                                    a.anchor.hash
                                ),
                            ));
                            continue;
                        }
                        Some(_) => {}
                    }
                } else if a.anchor.hash != GENESIS_HASH {
                    problems.push(problem(
                        0,
                        format!("the bundle signed head 0 with hash {}", a.anchor.hash),
                    ));
                    continue;
                }
                let sealed = seals.iter().any(|(s, after)| {
                    *s > seq
                        && after
                            .as_deref()
                            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                            .is_some_and(|v| {
                                v["bundle_sha256"].as_str() == Some(a.bundle_sha256.as_str())
                            })
                });
                if !sealed {
                    problems.push(problem(
                        seq + 1,
                        format!(
                            "no release.seal event for this bundle (SHA-256 {}) after event {seq}; \
                             the log ends at event {}: its seal was removed from the log",
                            a.bundle_sha256,
                            last.unwrap_or(0)
                        ),
                    ));
                }
            }
            problems.sort_by(|a, b| a.seq.cmp(&b.seq).then_with(|| a.bundle.cmp(&b.bundle)));
            Ok(AnchoredVerification {
                ok: chain.ok && problems.is_empty(),
                anchors: anchors.len(),
                anchored_up_to: anchors.iter().map(|a| a.anchor.seq).max(),
                chain,
                problems,
            })
        })
    }
}
