//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic on broken fixtures: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpus;
mod hostile;
mod sarif;
mod trivy;
