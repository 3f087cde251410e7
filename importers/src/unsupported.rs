//! Inputs ScanLedger knows by sight but does not read: named in the error instead of "not a
//! recognized report". Consulted only after every importer has said no, so an importer added for
//! one of these wins as soon as it exists; its row here can then go.
//!
//! Recognition is by content only (never the file name), on the decoded head.

/// What the head looks like, when it is one of the inputs ScanLedger does not read.
pub fn looks_like(head: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(_, looks)| looks(head))
        .map(|(name, _)| *name)
}

type Looks = fn(&str) -> bool;

/// A CycloneDX BOM without vulnerabilities: an SBOM is not a scan report. The CycloneDX
/// importers recognize every BOM and refuse one without vulnerabilities with this name.
pub(crate) const CYCLONEDX: &str =
    "a CycloneDX document (an SBOM or VEX; VEX decisions go to `scanledger vex import`)";

/// Most specific first: tool reports before the generic HTML page.
const KNOWN: &[(&str, Looks)] = &[
    ("a zip archive", |h| {
        h.starts_with("PK\u{3}\u{4}") || h.starts_with("PK\u{5}\u{6}")
    }),
    ("a PDF document", |h| h.starts_with("%PDF-")),
    ("an HTML page", |h| {
        let start: String = h.trim_start().chars().take(15).collect();
        let start = start.to_ascii_lowercase();
        start.starts_with("<!doctype html") || start.starts_with("<html")
    }),
];
