#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The store's single integration-test binary. Every test runs on SQLite, and on PostgreSQL too
//! when `TEST_DATABASE_URL` names a database (`.ci/run` sets it up); each PostgreSQL test gets
//! a schema of its own in that database.

mod auth;
mod controls;
mod evidence;
mod gate_sql;
mod harness;
mod identity;
mod import;
mod lookup;
mod page;
mod parity;
mod queries;
mod session;
mod triage;
