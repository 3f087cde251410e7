//! The importers' single integration-test binary: every corpus file, snapshots, hostile input.

mod corpus;
mod hostile;
mod tfsec;
mod trivy;
