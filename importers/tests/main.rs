//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acunetix;
mod corpus;
mod hostile;
mod trivy;
