//! Artifact locations as paths: `originalUriBaseIds` and `artifacts` resolved, URIs decoded for
//! display, paths folded for identity, further locations listed.

use super::message::non_empty;
use super::raw::*;
use super::run::{Run, Unread};

/// A path for display: `file://` dropped (and the slash before a Windows drive), `%XX` decoded.
pub(super) fn display_path(uri: &str) -> String {
    let mut path = uri.trim();
    if let Some(rest) = path
        .get(..7)
        .filter(|h| h.eq_ignore_ascii_case("file://"))
        .map(|_| &path[7..])
    {
        path = rest;
        let b = path.as_bytes();
        if b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
            path = &path[1..];
        }
    }
    percent_decode(path)
}

/// Decodes `%XX` escapes; text that would not be UTF-8 afterwards is kept as it was.
pub(super) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), std::borrow::Cow::into_owned)
}

/// A path as identity: backslashes as slashes, no leading `./`.
pub(super) fn identity_path(path: &str) -> String {
    let slashed = path.trim().replace('\\', "/");
    let mut p = slashed.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

/// Whether a URI is absolute: a scheme (`file:`, `https:`), a Windows drive or a rooted path.
pub(super) fn is_absolute(uri: &str) -> bool {
    if uri.starts_with('/') || uri.starts_with('\\') {
        return true;
    }
    match uri.find(':') {
        Some(colon) => {
            let scheme = &uri[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

impl<'r> Run<'r> {
    /// An artifact location as a path: relative bases from `originalUriBaseIds` are prefixed;
    /// an absolute base (the checkout folder of one machine) is dropped.
    pub(super) fn path(&self, location: &RawArtifactLocation) -> Option<String> {
        if self.unread.artifacts
            && location.index.is_some()
            && (non_empty(location.uri.as_deref()).is_none() || location.uri_base_id.is_none())
        {
            self.miss(|m| m.artifacts = true);
        }
        let artifact = location
            .index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.artifacts.get(i))
            .and_then(|a| a.location.as_ref());
        let uri = non_empty(location.uri.as_deref())
            .or_else(|| artifact.and_then(|a| non_empty(a.uri.as_deref())))?
            .trim();
        let mut path = uri.to_string();
        if is_absolute(uri) {
            return Some(display_path(&path));
        }
        let mut base_id = location
            .uri_base_id
            .as_deref()
            .or_else(|| artifact.and_then(|a| a.uri_base_id.as_deref()));
        for _ in 0..8 {
            if base_id.is_some() && self.unread.bases {
                self.miss(|m| m.bases = true);
            }
            let Some(base) = base_id.and_then(|id| self.bases.and_then(|b| b.get(id))) else {
                break;
            };
            let Some(prefix) = non_empty(base.uri.as_deref()).map(str::trim) else {
                base_id = base.uri_base_id.as_deref();
                continue;
            };
            if is_absolute(prefix) {
                break;
            }
            path = if prefix.ends_with('/') || prefix.ends_with('\\') {
                format!("{prefix}{path}")
            } else {
                format!("{prefix}/{path}")
            };
            base_id = base.uri_base_id.as_deref();
        }
        Some(display_path(&path))
    }

    /// Notes a look-up of a list that was not read yet.
    fn miss(&self, note: impl FnOnce(&mut Unread)) {
        let mut missed = self.missed.get();
        note(&mut missed);
        self.missed.set(missed);
    }

    /// `Other locations:` and one line per further location (at most 50).
    pub(super) fn other_locations(&self, others: &[RawLocation]) -> String {
        const MAX: usize = 50;
        let mut out = String::from("\n\nOther locations:");
        for location in others.iter().take(MAX) {
            let physical = location.physical_location.as_ref();
            let path = physical
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| self.path(a));
            let line = physical
                .and_then(|p| p.region.as_ref())
                .and_then(|r| r.start_line);
            out.push_str("\n- ");
            out.push_str(path.as_deref().unwrap_or("(no file)"));
            if let Some(line) = line {
                out.push_str(&format!(":{line}"));
            }
        }
        if others.len() > MAX {
            out.push_str(&format!("\n- ... and {} more", others.len() - MAX));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(display_path("file:///C:/code/a%20b.c"), "C:/code/a b.c");
        assert_eq!(display_path("file:///home/x.sh"), "/home/x.sh");
        assert_eq!(display_path("src/%ZZ.c"), "src/%ZZ.c");
        assert_eq!(display_path("a%ff.c"), "a%ff.c");
        assert_eq!(identity_path(".\\dir\\main.tf"), "dir/main.tf");
        assert!(is_absolute("file:///x"));
        assert!(is_absolute("C:\\x"));
        assert!(is_absolute("/x"));
        assert!(!is_absolute("src/x"));
    }
}
