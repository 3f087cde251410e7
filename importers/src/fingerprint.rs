//! Fingerprints: the stable identity of a finding (PRODUCT.md, "Fingerprints").
//!
//! A fingerprint is the hex SHA-256 of the algorithm version, the tool family, the kind, the rule
//! id and the identity parts an importer chooses (package purl without version plus target,
//! resource address plus file, URL path plus parameter, ...). Each part is length-prefixed so
//! that `("ab", "c")` and `("a", "bc")` differ.
//!
//! Never feed it text the tool rewords between versions (titles, descriptions, messages), line
//! numbers alone, timestamps or scan ids. When the algorithm changes, bump
//! [`FINGERPRINT_VERSION`] so the store can migrate instead of silently splitting history.

use crate::finding::Kind;
use sha2::{Digest, Sha256};

/// Version of the fingerprint algorithm, stored next to every fingerprint.
pub const FINGERPRINT_VERSION: i16 = 1;

/// Computes a version-1 fingerprint.
pub fn fingerprint(tool_family: &str, kind: Kind, rule_id: &str, identity: &[&str]) -> String {
    let mut hasher = Sha256::new();
    let mut feed = |part: &str| {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    };
    feed(&FINGERPRINT_VERSION.to_string());
    feed(tool_family);
    feed(kind.as_str());
    feed(rule_id);
    for part in identity {
        feed(part);
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
    fn parts_are_length_prefixed() {
        let a = fingerprint("t", Kind::Code, "r", &["ab", "c"]);
        let b = fingerprint("t", Kind::Code, "r", &["a", "bc"]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }
}
