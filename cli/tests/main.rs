//! The CLI's single integration-test binary: the `scanledger` command as users run it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod commands;
mod evidence;
mod hostile;
mod triage;
