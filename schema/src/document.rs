//! Versioned project documents: a TOML text per project, numbered from 1, the newest active.
//!
//! Release policies (`policy.rs`) and control mappings (`controls.rs`) are both such a
//! document, each in a table of its own with the same columns (`project_id`, `version`,
//! `source`, `sha256`, `created_by`, `created_at`). What they share is here, once: storing the
//! next version (checked first, numbered in turn, audit-logged in the same transaction, the
//! active text again a no-op that says so), reading one version and reading them all. What is
//! a kind's own (its table, its audit event, how a text is checked and what a stored version is
//! answered as) is its stored version's [`ProjectDocument`].

use crate::audit::{self, NewAuditEvent};
use crate::catalog::{Actor, ensure_project, project_id};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::sql::{Bind, Sql};
use crate::tx::{read_tx, write_tx};
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text, Timestamp};
use domain::ProjectId;
use sha2::{Digest, Sha256};

/// One kind of versioned project document, implemented by the stored version the store answers
/// for it.
pub(crate) trait ProjectDocument: Sized {
    /// The table its versions are stored in, with the columns every kind's table has.
    const TABLE: &'static str;
    /// The audit event of setting a version (`policy.set`).
    const ACTION: &'static str;
    /// How the audit event's subject names it: `{project} {NOUN} v{version}`.
    const NOUN: &'static str;
    /// Checks a text before anything is stored: an error stores nothing.
    fn check(source: &str) -> Result<(), StoreError>;
    /// A stored version from its row; `unchanged` when setting it stored nothing new.
    fn from_row(project: &str, row: DocumentRow, unchanged: bool) -> Result<Self, StoreError>;
}

/// A stored version: its number, the text as it was set, the text's SHA-256, who set it and
/// when.
#[derive(Debug, Clone)]
pub(crate) struct DocumentRow {
    pub version: i64,
    pub source: String,
    pub sha256: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

type RowSql = (BigInt, Text, Text, Text, Timestamp);
type RowValues = (i64, String, String, String, NaiveDateTime);

fn select<D: ProjectDocument>(project_id: ProjectId) -> Sql {
    let mut q = Sql::new().prepared();
    q.push("SELECT version, source, sha256, created_by, created_at FROM ");
    q.push(D::TABLE);
    q.push(" WHERE project_id = ");
    q.bind(Bind::Int(project_id.get()));
    q
}

fn load(conn: &mut DbConn, q: Sql) -> Result<Vec<DocumentRow>, StoreError> {
    let query = q.typed::<RowSql>();
    let rows: Vec<RowValues> = per_backend!(conn, |c| RunQueryDsl::load(query, c))?;
    Ok(rows
        .into_iter()
        .map(
            |(version, source, sha256, created_by, created_at)| DocumentRow {
                version,
                source,
                sha256,
                created_by,
                created_at,
            },
        )
        .collect())
}

/// A project's version: the given one, or the newest one set at or before `as_of` (the newest
/// of all when `None`).
pub(crate) fn row<D: ProjectDocument>(
    conn: &mut DbConn,
    project_id: ProjectId,
    version: Option<i64>,
    as_of: Option<NaiveDateTime>,
) -> Result<Option<DocumentRow>, StoreError> {
    let mut q = select::<D>(project_id);
    if let Some(v) = version {
        q.push(" AND version = ");
        q.bind(Bind::Int(v));
    }
    if let Some(at) = as_of {
        q.push(" AND created_at <= ");
        q.bind(Bind::Time(at));
    }
    q.push(" ORDER BY version DESC LIMIT 1");
    Ok(load(conn, q)?.pop())
}

fn insert<D: ProjectDocument>(
    conn: &mut DbConn,
    project_id: ProjectId,
    row: &DocumentRow,
) -> Result<(), StoreError> {
    let mut q = Sql::new().prepared();
    q.push("INSERT INTO ");
    q.push(D::TABLE);
    q.push(" (project_id, version, source, sha256, created_by, created_at) VALUES ");
    q.bind_values([
        Bind::Int(project_id.get()),
        Bind::Int(row.version),
        Bind::Text(row.source.clone()),
        Bind::Text(row.sha256.clone()),
        Bind::Text(row.created_by.clone()),
        Bind::Time(row.created_at),
    ]);
    per_backend!(conn, |c| RunQueryDsl::execute(q, c))?;
    Ok(())
}

/// The audit event's record of a version.
fn audited(row: &DocumentRow) -> serde_json::Value {
    serde_json::json!({ "version": row.version, "sha256": row.sha256, "source": row.source })
}

/// Checks `source` and stores it as the project's next version (creating the project when
/// missing), audit-logged in the same transaction. A text that does not pass the check stores
/// nothing. Setting the text of the active version again is a no-op that says so.
pub(crate) fn set<D: ProjectDocument>(
    store: &Store,
    project: &str,
    source: &str,
    actor: Actor<'_>,
) -> Result<D, StoreError> {
    D::check(source)?;
    let sha256 = hex::encode(Sha256::digest(source.as_bytes()));
    let mut conn = store.conn()?;
    write_tx(&mut conn, |c| {
        let pid = ensure_project(c, project, actor)?;
        // Versions are numbered in turn, also across replicas.
        audit::lock_chain(c)?;
        let current = row::<D>(c, pid, None, None)?;
        if let Some(current) = &current
            && current.sha256 == sha256
        {
            return D::from_row(project, current.clone(), true);
        }
        let next = DocumentRow {
            version: current.as_ref().map_or(1, |r| r.version + 1),
            source: source.to_string(),
            sha256,
            created_by: actor.name.to_string(),
            created_at: now(),
        };
        insert::<D>(c, pid, &next)?;
        audit::append(
            c,
            &[NewAuditEvent {
                actor: actor.name,
                action: D::ACTION,
                project: Some(project),
                subject: format!("{project} {} v{}", D::NOUN, next.version),
                before: current.as_ref().map(audited),
                after: Some(audited(&next)),
                request_id: actor.request_id,
            }],
        )?;
        D::from_row(project, next, false)
    })
}

/// Runs `read` on the project's id, in one read transaction.
fn read_project<T>(
    store: &Store,
    project: &str,
    read: impl FnOnce(&mut DbConn, ProjectId) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = store.conn()?;
    read_tx(&mut conn, |c| {
        let pid = project_id(c, project)?;
        read(c, pid)
    })
}

/// A version of a project: the active one when `version` is `None`. `Ok(None)` when the
/// project has set none (or not that version).
pub(crate) fn get<D: ProjectDocument>(
    store: &Store,
    project: &str,
    version: Option<i64>,
) -> Result<Option<D>, StoreError> {
    read_project(store, project, |c, pid| {
        row::<D>(c, pid, version, None)?
            .map(|row| D::from_row(project, row, false))
            .transpose()
    })
}

/// Every version of a project, oldest first.
pub(crate) fn versions<D: ProjectDocument>(
    store: &Store,
    project: &str,
) -> Result<Vec<D>, StoreError> {
    read_project(store, project, |c, pid| {
        let mut q = select::<D>(pid);
        q.push(" ORDER BY version ASC");
        load(c, q)?
            .into_iter()
            .map(|row| D::from_row(project, row, false))
            .collect()
    })
}
