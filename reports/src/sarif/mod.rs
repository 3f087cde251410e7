//! SARIF 2.1.0, as GitHub code scanning and `sarif-multitool validate` take it: the release's
//! `findings.sarif` (report and bundle member) and the gate's SARIF, written by one writer.
//!
//! - [`release`]: `findings.sarif`, one run per tool;
//! - [`gate`]: `scanledger gate --format sarif`, one result per reason;
//! - [`writer`]: the streaming writer both use, within [`limits`] (GitHub's upload limits);
//! - [`model`]: the SARIF objects as serde types; [`artifact`]: paths and URLs as
//!   `artifactLocation`s (`%SRCROOT%`-relative or `file://`).

pub mod artifact;
pub mod gate;
pub mod limits;
pub mod model;
pub mod release;
pub mod writer;

pub use gate::{gate_sarif, write_gate_sarif};
pub use limits::Limits;
pub use release::{findings_sarif, write_findings_sarif, write_findings_sarif_within};
