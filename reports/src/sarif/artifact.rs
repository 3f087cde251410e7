//! Where a result is, as a SARIF `artifactLocation`: a path the scanner gave relative to its
//! root becomes a relative reference to `%SRCROOT%` (the checkout GitHub code scanning resolves
//! it against); an absolute path, whose root nobody told us, becomes a `file://` URI; a URL stays
//! the URL it is. SARIF1004 ("a relative reference must not begin with a slash") is what writing
//! absolute paths as relative references earned.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

/// The base id relative paths are resolved against: the scanner's root, which GitHub code
/// scanning takes to be the repository's checkout.
pub const SRCROOT: &str = "%SRCROOT%";

/// A SARIF `artifactLocation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// A valid URI reference: relative to [`SRCROOT`] when `uri_base_id` is set, else absolute.
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// Characters a path segment keeps as they are (RFC 3986 `pchar` without `:`, plus `/`): letters,
/// digits, `-._~`, the sub-delimiters and `@`. Everything else, `%` and non-ASCII included, is
/// percent-encoded as UTF-8. `:` is encoded too, so `node:18/x` cannot read as a scheme.
const RELATIVE_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@')
    .remove(b'/');

/// An absolute path keeps its drive letter's `:` (`file:///C:/src`).
const ABSOLUTE_PATH: &AsciiSet = &RELATIVE_PATH.remove(b':');

/// What a URL a scanner wrote may not contain as it is: controls, space, non-ASCII and the
/// characters RFC 3986 never allows. Its `%XX` escapes, `?` and `#` are its own and stay.
const IN_URL: &AsciiSet = crate::uri::NEVER_IN_URI;

impl ArtifactLocation {
    /// The artifact location of a place a scanner named: a file path (relative or absolute, in
    /// POSIX or Windows spelling) or a URL. `None` for a place with nothing in it.
    pub fn of(place: &str) -> Option<ArtifactLocation> {
        let place: String = place.trim().chars().filter(|c| !c.is_control()).collect();
        if place.is_empty() {
            return None;
        }
        if has_authority(&place) {
            return Some(ArtifactLocation {
                uri: utf8_percent_encode(&place, IN_URL).to_string(),
                uri_base_id: None,
            });
        }
        let path = place.replace('\\', "/");
        if let Some(rest) = path.strip_prefix("//") {
            // A UNC path: //server/share/file.
            return Some(ArtifactLocation {
                uri: format!("file://{}", utf8_percent_encode(rest, ABSOLUTE_PATH)),
                uri_base_id: None,
            });
        }
        if path.starts_with('/') || has_drive(&path) {
            let slash = if path.starts_with('/') { "" } else { "/" };
            return Some(ArtifactLocation {
                uri: format!(
                    "file://{slash}{}",
                    utf8_percent_encode(&path, ABSOLUTE_PATH)
                ),
                uri_base_id: None,
            });
        }
        let mut relative = path.as_str();
        while let Some(rest) = relative.strip_prefix("./") {
            relative = rest.trim_start_matches('/');
        }
        if relative.is_empty() || relative == "." {
            return None;
        }
        Some(ArtifactLocation {
            uri: utf8_percent_encode(relative, RELATIVE_PATH).to_string(),
            uri_base_id: Some(SRCROOT),
        })
    }
}

/// `scheme://...`: an absolute URI with an authority (`https://host/x`, `file:///x`).
fn has_authority(place: &str) -> bool {
    place.split_once("://").is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// `C:/...`: a Windows path with a drive letter (backslashes already turned into slashes).
fn has_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn relative(uri: &str) -> Option<ArtifactLocation> {
        Some(ArtifactLocation {
            uri: uri.into(),
            uri_base_id: Some(SRCROOT),
        })
    }

    fn absolute(uri: &str) -> Option<ArtifactLocation> {
        Some(ArtifactLocation {
            uri: uri.into(),
            uri_base_id: None,
        })
    }

    #[test]
    fn a_relative_path_is_relative_to_the_scanners_root() {
        assert_eq!(
            ArtifactLocation::of("src/shop/orders.py"),
            relative("src/shop/orders.py")
        );
        assert_eq!(ArtifactLocation::of("./app.py"), relative("app.py"));
        assert_eq!(
            ArtifactLocation::of("src\\Shop\\Orders.cs"),
            relative("src/Shop/Orders.cs")
        );
    }

    #[test]
    fn an_absolute_path_is_a_file_uri() {
        assert_eq!(
            ArtifactLocation::of(
                "/home/runner/work/infra-7/infra/terraform/modules/storage/variables.tf"
            ),
            absolute(
                "file:///home/runner/work/infra-7/infra/terraform/modules/storage/variables.tf"
            )
        );
        assert_eq!(
            ArtifactLocation::of("C:\\work\\infra\\main.tf"),
            absolute("file:///C:/work/infra/main.tf")
        );
        assert_eq!(
            ArtifactLocation::of("\\\\build\\share\\main.tf"),
            absolute("file://build/share/main.tf")
        );
    }

    #[test]
    fn characters_a_uri_cannot_hold_are_escaped() {
        assert_eq!(
            ArtifactLocation::of("docs/read me #1?.md"),
            relative("docs/read%20me%20%231%3F.md")
        );
        assert_eq!(ArtifactLocation::of("100%.txt"), relative("100%25.txt"));
        assert_eq!(
            ArtifactLocation::of("src/日本.rs"),
            relative("src/%E6%97%A5%E6%9C%AC.rs")
        );
        // Not a scheme: `:` in a relative path is escaped.
        assert_eq!(
            ArtifactLocation::of("node:18 (alpine)"),
            relative("node%3A18%20(alpine)")
        );
        assert_eq!(
            ArtifactLocation::of("/opt/my app/x.tf"),
            absolute("file:///opt/my%20app/x.tf")
        );
    }

    #[test]
    fn a_url_stays_a_url() {
        assert_eq!(
            ArtifactLocation::of("https://shop.example.com/api/users?id=1#top"),
            absolute("https://shop.example.com/api/users?id=1#top")
        );
        assert_eq!(
            ArtifactLocation::of("https://shop.example.com/a b/%41"),
            absolute("https://shop.example.com/a%20b/%41")
        );
        assert_eq!(
            ArtifactLocation::of("file:///etc/passwd"),
            absolute("file:///etc/passwd")
        );
    }

    #[test]
    fn nothing_is_no_location() {
        assert_eq!(ArtifactLocation::of(""), None);
        assert_eq!(ArtifactLocation::of("  "), None);
        assert_eq!(ArtifactLocation::of("./"), None);
    }
}
