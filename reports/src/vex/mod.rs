//! VEX documents, pure: a release's decisions on its vulnerability findings written as OpenVEX
//! ([`openvex`]) or CycloneDX ([`cyclonedx`]), and a document of either format read back as
//! [`Claim`]s: which vulnerability and packages each statement names, and the decision it makes.
//!
//! The store (`schema`'s `vex.rs`) loads the release's findings for [`openvex::render`] and
//! [`cyclonedx::render`], and matches the claims of [`read`] to the project's findings and
//! applies their decisions. Nothing here reads a database or a clock.

pub mod cyclonedx;
pub mod openvex;

use chrono::{NaiveDate, NaiveDateTime};
use domain::TriageDecision;
use serde::Deserialize;

/// Who writes a document, about which release, and when.
#[derive(Debug, Clone, Copy)]
pub struct VexHeader<'a> {
    pub project: &'a str,
    pub release: &'a str,
    pub author: &'a str,
    pub at: NaiveDateTime,
}

/// What the person importing a document fills in where it says nothing (or overrides).
#[derive(Debug, Clone, Default)]
pub struct ImportDefaults {
    /// Approver of acceptances; else what the document names (see each format).
    pub approver: Option<String>,
    /// Expiry of acceptances; else what the document names (see each format).
    pub expires: Option<NaiveDate>,
}

/// The format a release's decisions are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX v0.2.0.
    OpenVex,
    /// A CycloneDX BOM whose `vulnerabilities` carry our decisions as `analysis`.
    CycloneDx(cyclonedx::SpecVersion),
}

/// What a statement asks of the findings it names.
#[derive(Debug, Clone)]
pub enum ClaimAction {
    /// Set this decision (not yet checked against today's date: the store does that).
    Decide(TriageDecision),
    /// No decision, and why (`fixed` is derived from scans; an investigation decides nothing).
    Skip(&'static str),
}

/// One statement of a VEX document, in our terms.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Where it is, for messages: `OpenVEX statement 2`, `CycloneDX vulnerabilities[2] (CVE-…)`.
    pub place: String,
    /// The vulnerability's names (id and aliases), sorted, without duplicates.
    pub names: Vec<String>,
    /// The products' package URLs, each by [`purl_base`]: a finding's package must be one of
    /// them. Empty: every finding of the vulnerability.
    pub purls: Vec<String>,
    /// The document's own word for the status (`not_affected`, `exploitable`, ...).
    pub vex_status: String,
    pub action: ClaimAction,
}

/// Which of the two VEX formats a document is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum VexKind {
    OpenVex,
    CycloneDx,
}

impl VexKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VexKind::OpenVex => "openvex",
            VexKind::CycloneDx => "cyclonedx",
        }
    }
}

impl std::fmt::Display for VexKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A VEX document read: its format, its id (OpenVEX `@id`, CycloneDX `serialNumber`) and its
/// statements in document order.
#[derive(Debug, Clone)]
pub struct VexDocument {
    pub format: VexKind,
    pub id: Option<String>,
    pub claims: Vec<Claim>,
}

/// Why a document cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VexError {
    /// The document as a whole: not JSON, neither format, a value of the wrong type (with
    /// its line and column).
    #[error("{0}")]
    Document(String),
    /// One statement: an unknown status, an acceptance without an expiry date.
    #[error("{place}: {reason}")]
    Statement { place: String, reason: String },
    /// Nothing to write: an OpenVEX document needs at least one statement.
    #[error("{0}")]
    Empty(String),
}

impl VexError {
    /// The field an API error names: `document`, `statement` or `release`.
    pub fn field(&self) -> &'static str {
        match self {
            VexError::Document(_) => "document",
            VexError::Statement { .. } => "statement",
            VexError::Empty(_) => "release",
        }
    }

    fn statement(place: &str, reason: impl Into<String>) -> VexError {
        VexError::Statement {
            place: place.to_string(),
            reason: reason.into(),
        }
    }
}

/// Reads an OpenVEX or CycloneDX JSON document, recognized by its content (`@context` or
/// `bomFormat`), as claims. Any statement that cannot become a decision refuses the whole
/// document.
pub fn read(bytes: &[u8], defaults: &ImportDefaults) -> Result<VexDocument, VexError> {
    /// The keys that tell the two formats apart.
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "@context")]
        context: Option<serde::de::IgnoredAny>,
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
        VexError::Document(format!(
            "not a VEX document (OpenVEX or CycloneDX JSON): {e}"
        ))
    })?;
    match (probe.context, probe.bom_format) {
        (_, Some(_)) => cyclonedx::read(bytes, defaults),
        (Some(_), None) => openvex::read(bytes, defaults),
        (None, None) => Err(VexError::Document(
            "not a VEX document: neither an OpenVEX `@context` nor a CycloneDX `bomFormat`".into(),
        )),
    }
}

/// A package URL without version, qualifiers and subpath, lowercased, for matching.
pub fn purl_base(purl: &str) -> String {
    let purl = purl.split(['?', '#']).next().unwrap_or(purl);
    let last_slash = purl.rfind('/').unwrap_or(0);
    let purl = match purl[last_slash..].find('@') {
        Some(at) => &purl[..last_slash + at],
        None => purl,
    };
    purl.to_ascii_lowercase()
}

/// A package URL that names a package a finding may be in: not `pkg:oci`, the image itself.
fn package_purl(id: &str) -> Option<String> {
    (id.starts_with("pkg:") && !id.starts_with("pkg:oci/")).then(|| purl_base(id))
}

/// A sorted list without duplicates.
fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list.dedup();
    list
}

/// The non-blank parts, trimmed, joined by `": "`; `None` when all are blank.
fn joined(parts: &[Option<&str>]) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(": "))
}

/// Our time stamps in documents: UTC, to the second.
fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_lose_version_and_qualifiers() {
        assert_eq!(purl_base("pkg:npm/lodash@4.17.20"), "pkg:npm/lodash");
        assert_eq!(
            purl_base("pkg:npm/%40angular/core@1.0?x=y#a"),
            "pkg:npm/%40angular/core"
        );
        assert_eq!(
            purl_base("pkg:deb/debian/libc6@2.36-9?arch=amd64"),
            "pkg:deb/debian/libc6"
        );
        assert_eq!(purl_base("pkg:golang/x"), "pkg:golang/x");
    }
}
