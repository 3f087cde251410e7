//! Transactions over the multi-backend connection.

use crate::db::DbConn;
use crate::error::StoreError;
use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};

/// Runs `body` in a write transaction: `BEGIN IMMEDIATE` on SQLite, so the busy timeout applies
/// instead of failing at once when a read lock would have to become a write lock
/// (rust-stack.md §3.5); a plain `BEGIN` on PostgreSQL. Commits on `Ok`, rolls back on `Err`.
pub fn write_tx<T>(
    conn: &mut DbConn,
    body: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match body(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// Runs `body` in a read transaction, so that it sees one consistent snapshot.
pub fn read_tx<T>(
    conn: &mut DbConn,
    body: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.transaction(body)
}
