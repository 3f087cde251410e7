//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

// Tests may panic on purpose: `unwrap`/`expect` are denied in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acunetix;
mod bandit;
mod burp;
mod checkov;
mod corpus;
mod cyclonedx;
mod dependabot;
mod ecr;
mod fossa;
mod grype;
mod hostile;
mod hostile_cloud;
mod inspector2;
mod kubebench;
mod limits;
mod mend;
mod nessus;
mod no_merge;
mod osv_scanner;
mod sarif;
mod securityhub;
mod semgrep;
mod snyk;
mod sonarqube;
mod sonarqube_gate;
mod streaming;
mod tfsec;
mod trivy;
mod trivy_operator;
mod unsupported;
mod zap;
