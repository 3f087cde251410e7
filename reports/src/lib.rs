//! # reports
//!
//! Evidence bundles, signatures, and the PDF, Markdown, HTML, CSV, JSON and SARIF renderings of
//! a release. Everything here is a pure function of a [`ReleaseSnapshot`] (and a signing key for
//! bundles): the same input gives the same bytes, so a bundle built twice hashes identically.
//!
//! - [`snapshot`]: the plain data (filled by `schema`, or by hand in tests); [`spool`]: its
//!   findings, in memory or spooled to a temporary file and read again by each member;
//! - [`findings`]: `findings.json`, `findings.csv`, `triage.json`; [`sarif`]: `findings.sarif`;
//! - [`csv_writer`]: the one CSV writer (quoting, and the spreadsheet formula guard);
//! - [`markdown`]: the Discourse forum post; [`html`]: one self-contained page;
//! - [`junit`]: the gate as a JUnit XML test report;
//! - [`pdf`]: the auditor's report (printpdf, embedded Unicode fonts); [`bidi`]: its
//!   right-to-left text (visual order, Arabic joining);
//! - [`keys`]: the Ed25519 key, its encodings and the three signatures;
//! - [`bundle`]: the deterministic, signed zip; [`verify`]: checking one offline;
//! - [`attest`]: the bundle's standard attestations (in-toto vulns per scan, the gate's SLSA
//!   VSA), as DSSE envelopes and Sigstore bundles;
//! - [`report`]: one report of a release in a chosen format, drafted or taken from its bundle;
//! - [`controls`]: the control mapping (SOC 2, ISO 27001) and each criterion's status;
//! - [`oscal`]: OSCAL assessment results and plan of action and milestones of a release;
//! - [`audit_pack`]: the signed list of a period's sealed releases and their criteria;
//! - [`vex`]: a release's triage decisions as VEX documents, and VEX documents read back.
//!
//! Not here: reading the database (`schema` produces the snapshot) or HTTP (`server`).

pub mod attest;
pub mod audit_pack;
pub mod bidi;
pub mod bundle;
pub mod controls;
pub mod csv_writer;
mod digest;
pub mod findings;
pub mod html;
mod json_frame;
pub mod junit;
pub mod keys;
pub mod markdown;
pub mod members;
pub mod oscal;
mod parallel;
pub mod pdf;
mod read_bundle;
mod rendered;
pub mod report;
pub mod sarif;
pub mod severity;
pub mod snapshot;
pub mod spool;
mod uri;
pub mod verify;
pub mod vex;
mod zipped;

pub use bundle::{BundleOutcome, PreparedRaw, RawScans, write_bundle, write_prepared_bundle};
pub use verify::{
    PreviousBundleInput, SignedManifest, Verdict, VerifyOptions, VerifyReport, signed_manifest,
    verify_bundle,
};

pub use keys::{EvidenceKey, KeyRing, PublicKey, PublishedKey, RetiredKey};
pub use report::{ReportFormat, write_bundle_member, write_report};
pub use severity::{SEVERITIES, severity_rank};
pub use snapshot::*;
pub use spool::{FindingSpool, Findings, SpoolSlot, SpoolWriter};

/// What can go wrong rendering, signing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("key: {0}")]
    Key(String),
    /// The bundle or a signature does not check out.
    #[error("{0}")]
    Invalid(String),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("pdf: {0}")]
    Pdf(String),
    /// A member rendered on a second thread panicked; the bundle is not written.
    #[error("the renderer of {0} panicked")]
    RendererPanicked(&'static str),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Canonical JSON: object keys sorted, two-space indentation, a final newline. The same value
/// always gives the same bytes.
pub fn canonical_json(value: &impl serde::Serialize) -> Result<Vec<u8>, ReportError> {
    // serde_json's `Value` keeps object keys in a BTreeMap (no `preserve_order`): sorted.
    let value = serde_json::to_value(value)?;
    let mut bytes = serde_json::to_vec_pretty(&value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `2026-11-23 10:15:00 UTC`: how reports print times.
pub fn format_time(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub use domain::tool_status_label;
