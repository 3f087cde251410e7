//! The identity of a Grype match: the advisory, the package (ecosystem and package URL without
//! version, else its name) and which copy of the package it is.
//!
//! An image can hold one package twice (a library in `/lib` and in `/usr/lib`, one jar in two
//! applications): each copy is a finding of its own, since each needs its own fix. The copy is
//! numbered by the order its place (the artifact's first location) first appears among the
//! matches of the same advisory and package in the report, never by the path itself: paths of
//! language packages carry their version (`Django-3.2.9.dist-info`), so a path in the identity
//! would make an upgraded package's remaining advisories look new. A match that repeats an
//! earlier one at the same place (Grype reports one per matcher) is the same finding.

use crate::finding::Kind;
use crate::fingerprint::{fingerprint, purl_without_version};
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// The places seen per advisory and package in one report: a hash of each place, in order.
#[derive(Default)]
pub struct Copies {
    seen: HashMap<String, Vec<u64>>,
}

/// What a match is, for its fingerprint.
pub struct MatchIdentity<'a> {
    pub tool: &'a str,
    pub advisory: &'a str,
    pub package_type: &'a str,
    pub purl: Option<&'a str>,
    pub name: Option<&'a str>,
    /// The artifact's first location.
    pub place: Option<&'a str>,
}

impl Copies {
    /// The fingerprint of a match, or `None` when an earlier match of the report had the same
    /// advisory, package and place.
    pub fn fingerprint(&mut self, m: &MatchIdentity<'_>) -> Option<String> {
        let package = m
            .purl
            .filter(|p| !p.is_empty())
            .map(purl_without_version)
            .or(m.name)
            .unwrap_or_default();
        let base = fingerprint(
            m.tool,
            Kind::Vulnerability,
            m.advisory,
            &[m.package_type, package],
        );
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
            Kind::Vulnerability,
            m.advisory,
            &[m.package_type, package, &copy.to_string()],
        ))
    }
}
