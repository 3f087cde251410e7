//! The CLI's single integration-test binary: the `scanledger` command as users run it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod commands;
mod demo;
mod evidence;
mod hostile;
mod papercuts;
mod serve;
mod triage;
