//! Fingerprints: the stable identity of a finding (PRODUCT.md, "Fingerprints").
//!
//! A fingerprint is the hex SHA-256 of the hashing scheme's version, the tool family, the kind,
//! the rule id and the identity parts an importer chooses (package purl without version plus
//! target, resource address plus file, URL path plus parameter, the normalized code a tool shows,
//! ...). Each part is length-prefixed so that `("ab", "c")` and `("a", "bc")` differ.
//!
//! Never feed it text the tool rewords between versions (titles, descriptions, messages), line
//! numbers, timestamps or scan ids. Results of one report that share a fingerprint at distinct
//! places (lines) are told apart by [`with_ordinal`] (see [`crate::identity`]), never merged.
//! When the algorithm changes, bump [`FINGERPRINT_VERSION`] so the store can tell which findings
//! were identified by the older rule instead of silently splitting history.

use crate::finding::Kind;
use sha2::{Digest, Sha256};

/// Version of the fingerprint algorithm, stored next to every fingerprint and every scan.
///
/// - 1: [`fingerprint`] of the parts; results of one report with the same fingerprint were
///   merged into one finding.
/// - 2: as 1, and results with the same fingerprint at distinct places are told apart by an
///   ordinal ([`with_ordinal`]). The first place keeps the version-1 fingerprint, so a finding
///   that was never merged keeps its identity; one that was merged keeps it for its first part.
/// - 3: as 2, and results of one fingerprint on one line at distinct columns (two unused
///   variables of one statement, CodeQL) are told apart by a column ordinal
///   ([`with_column_ordinal`]). The first column of a line keeps its version-2 fingerprint.
pub const FINGERPRINT_VERSION: i16 = 3;

/// The version fed into the hash of [`fingerprint`]: its parts have been hashed the same way
/// since version 1 (version 2 only added [`with_ordinal`]), so it stays "1".
const HASHING_SCHEME: &str = "1";

/// Computes the fingerprint of a finding's identity parts.
pub fn fingerprint(tool_family: &str, kind: Kind, rule_id: &str, identity: &[&str]) -> String {
    let mut hasher = Sha256::new();
    let mut feed = |part: &str| {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    };
    feed(HASHING_SCHEME);
    feed(tool_family);
    feed(kind.as_str());
    feed(rule_id);
    for part in identity {
        feed(part);
    }
    hex::encode(hasher.finalize())
}

/// The fingerprint of the `ordinal`-th distinct place (counting from 0) among results of one
/// report that share the fingerprint `base`. The 0th place is `base` itself.
pub fn with_ordinal(base: &str, ordinal: usize) -> String {
    if ordinal == 0 {
        return base.to_string();
    }
    let mut hasher = Sha256::new();
    for part in ["ordinal", base, &ordinal.to_string()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A Package URL without its version, qualifiers and subpath: the identity of a package across
/// upgrades (`pkg:npm/lodash@4.17.20?x=y` becomes `pkg:npm/lodash`).
pub fn purl_without_version(purl: &str) -> &str {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let head = &purl[..end];
    // The version separator is the last '@' after the last '/' (a scope like `@angular` is a
    // namespace segment and always followed by '/').
    let name_start = head.rfind('/').map_or(0, |i| i + 1);
    match head[name_start..].find('@') {
        Some(at) => &head[..name_start + at],
        None => head,
    }
}

/// A code line reduced to what survives reformatting: whitespace collapsed and trimmed.
pub fn normalize_code_line(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of the `ordinal`-th distinct column (counting from 0) on one line among
/// results of one report whose fingerprint after [`with_ordinal`] is `line`. The 0th column is
/// `line` itself. Hashed under its own label, so it never equals a line ordinal of the same base.
pub fn with_column_ordinal(line: &str, ordinal: usize) -> String {
    if ordinal == 0 {
        return line.to_string();
    }
    let mut hasher = Sha256::new();
    for part in ["column-ordinal", line, &ordinal.to_string()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_version_is_dropped() {
        assert_eq!(
            purl_without_version("pkg:npm/lodash@4.17.20"),
            "pkg:npm/lodash"
        );
        assert_eq!(
            purl_without_version("pkg:npm/%40angular/core@1.0?x=1"),
            "pkg:npm/%40angular/core"
        );
        assert_eq!(
            purl_without_version("pkg:maven/org.apache/tomcat@9.0#sub"),
            "pkg:maven/org.apache/tomcat"
        );
        assert_eq!(
            purl_without_version("pkg:deb/debian/apt"),
            "pkg:deb/debian/apt"
        );
    }

    #[test]
    fn the_first_place_keeps_its_fingerprint() {
        let base = fingerprint("t", Kind::Code, "r", &["a.py"]);
        assert_eq!(with_ordinal(&base, 0), base);
        let second = with_ordinal(&base, 1);
        assert_ne!(second, base);
        assert_eq!(second.len(), 64);
        assert_ne!(with_ordinal(&base, 2), second);
    }

    #[test]
    fn version_one_fingerprints_are_unchanged() {
        // A fingerprint stored by version 1, which version 2 must still compute.
        assert_eq!(
            fingerprint(
                "tfsec",
                Kind::Misconfiguration,
                "r",
                &["main.tf", "aws_s3_bucket.a"]
            ),
            "4b175bce1db03252dba1f188de1f8d46651a187dbceb193a995768be276c6edc"
        );
    }

    #[test]
    fn parts_are_length_prefixed() {
        let a = fingerprint("t", Kind::Code, "r", &["ab", "c"]);
        let b = fingerprint("t", Kind::Code, "r", &["a", "bc"]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }
}
