//! The identity of a vulnerable package's finding in the dependency scanners (Grype,
//! OSV-Scanner): the advisory, the package (ecosystem and package URL without version, else its
//! name) and which copy of the package it is.
//!
//! A report can hold one package twice (a library in `/lib` and in `/usr/lib`, one jar in two
//! applications, one package in two lock files): each copy is a finding of its own, since each
//! needs its own fix. The copy is numbered by the order its place (a path) first appears among
//! the records of the same advisory and package in the report, never by the path itself: paths
//! of language packages carry their version (`Django-3.2.9.dist-info`), and some tools write
//! absolute paths that differ between machines, so a path in the identity would make an
//! unchanged finding look new. A record that repeats an earlier one at the same place (Grype
//! reports one match per matcher) is the same finding.
//!
//! Not for code findings (those number identical code contexts, `fingerprint::normalize_code_line`)
//! or web findings (`web.rs`).

use crate::finding::Kind;
use crate::fingerprint::{fingerprint, purl_without_version};
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// The places seen per advisory and package in one report: a 64-bit hash of each place, in
/// order.
#[derive(Default)]
pub struct Copies {
    seen: HashMap<String, Vec<u64>>,
}

/// What a record is, for its fingerprint.
pub struct PackageIdentity<'a> {
    pub tool: &'a str,
    /// A vulnerability, or a license (OSV-Scanner's license violations).
    pub kind: Kind,
    /// The advisory id that names the finding for good.
    pub advisory: &'a str,
    /// The ecosystem as the tool names it (`deb`, `npm`, `PyPI`).
    pub package_type: &'a str,
    pub purl: Option<&'a str>,
    pub name: Option<&'a str>,
    /// Where this copy of the package is (a path).
    pub place: Option<&'a str>,
}

impl Copies {
    /// The fingerprint of a record, or `None` when an earlier record of the report had the same
    /// advisory, package and place.
    pub fn fingerprint(&mut self, m: &PackageIdentity<'_>) -> Option<String> {
        let package = m
            .purl
            .filter(|p| !p.is_empty())
            .map(purl_without_version)
            .or(m.name)
            .unwrap_or_default();
        let base = fingerprint(m.tool, m.kind, m.advisory, &[m.package_type, package]);
        let mut hasher = DefaultHasher::new();
        m.place.unwrap_or_default().hash(&mut hasher);
        let place = hasher.finish();
        let places = self.seen.entry(base).or_default();
        if places.contains(&place) {
            return None;
        }
        places.push(place);
        let copy = places.len() - 1;
        Some(fingerprint(
            m.tool,
            m.kind,
            m.advisory,
            &[m.package_type, package, &copy.to_string()],
        ))
    }
}
