//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic on unexpected results: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpus;
mod fossa;
mod hostile;
mod trivy;
