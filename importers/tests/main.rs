//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic on purpose: `unwrap`/`expect` are denied in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acunetix;
mod burp;
mod corpus;
mod dependabot;
mod fossa;
mod hostile;
mod limits;
mod sarif;
mod snyk;
mod sonarqube;
mod streaming;
mod tfsec;
mod trivy;
mod unsupported;
mod zap;
