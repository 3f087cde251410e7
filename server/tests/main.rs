#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The server's integration tests, through the real actix app (`server::app`) on SQLite, and
//! on PostgreSQL too when `TEST_DATABASE_URL` is set (each store in a schema of its own).

mod budget;
mod corpus;
mod download;
mod errors;
mod evidence;
mod hardening;
mod harness;
mod matrix;
mod oidc;
mod remote_verbs;
mod route_docs;
mod ui;
mod workload;
