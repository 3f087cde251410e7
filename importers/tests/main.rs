//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic on purpose: `unwrap`/`expect` are denied in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acunetix;
mod bandit;
mod burp;
mod checkov;
mod corpus;
mod fossa;
mod hostile;
mod limits;
mod sarif;
mod semgrep;
mod sonarqube;
mod sonarqube_gate;
mod streaming;
mod tfsec;
mod trivy;
mod unsupported;
mod zap;
