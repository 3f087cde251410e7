//! # reports
//!
//! Evidence bundles, signatures, PDF, Markdown, HTML, CSV and SARIF renderings of a release.
//! Everything here is a pure function of a release snapshot and a signing key: the same input
//! gives the same bytes, so a bundle rebuilt years later hashes identically.
//!
//! Not here: reading the database (`schema` produces the snapshot) or HTTP (`server`).
//! The renderers arrive with the evidence issue; this crate holds the place in the workspace.
