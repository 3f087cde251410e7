//! A bundle read back for checking, in bounded memory: every member is hashed as it streams
//! out of the zip, and only the members the checks read (signatures, keys, the manifest, the
//! attestations) are kept. The raw reports and the rendered reports, nearly all of a large
//! bundle, are hashed and dropped. The manifest is read as [`ManifestView`], without the gate's
//! reason lines (one per blocking finding).
//!
//! What the checks are is `verify.rs`; this module only reads.

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Seek};

/// One member: its SHA-256 and size, and its bytes if they were kept.
struct Member {
    sha256: String,
    size: u64,
    bytes: Option<Vec<u8>>,
}

/// A bundle's members by name.
pub struct Members {
    by_name: BTreeMap<String, Member>,
}

impl Members {
    /// Reads every member of `zip`, keeping the bytes of those `keep` names. Refuses
    /// duplicates and unsafe paths; the error says which member.
    pub fn read<R: Read + Seek>(zip: R, keep: impl Fn(&str) -> bool) -> Result<Members, String> {
        let mut archive =
            zip::ZipArchive::new(zip).map_err(|e| format!("not a readable zip: {e}"))?;
        let mut by_name = BTreeMap::new();
        let mut buf = vec![0u8; 1 << 16];
        for i in 0..archive.len() {
            let mut file = archive
                .by_index(i)
                .map_err(|e| format!("member {i} unreadable: {e}"))?;
            let name = file
                .name()
                .map_err(|e| format!("member {i} has an unreadable name: {e}"))?
                .to_string();
            if file.is_dir() {
                continue;
            }
            if name.starts_with('/')
                || name.split('/').any(|p| p == ".." || p.is_empty())
                || name.contains('\\')
            {
                return Err(format!("unsafe member path {name:?}"));
            }
            let mut bytes =
                keep(&name).then(|| Vec::with_capacity(file.size().min(1 << 26) as usize));
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            loop {
                let n = file
                    .read(&mut buf)
                    .map_err(|e| format!("member {name} is corrupt: {e}"))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                size += n as u64;
                if let Some(bytes) = bytes.as_mut() {
                    bytes.extend_from_slice(&buf[..n]);
                }
            }
            let member = Member {
                sha256: hex::encode(hasher.finalize()),
                size,
                bytes,
            };
            if by_name.insert(name.clone(), member).is_some() {
                return Err(format!("member {name} appears twice"));
            }
        }
        Ok(Members { by_name })
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// Every member's name, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// A member's bytes: `None` when it is absent or its bytes were not kept.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.by_name.get(name)?.bytes.as_deref()
    }

    /// A member's SHA-256 (lowercase hex) and size.
    pub fn digest(&self, name: &str) -> Option<(&str, u64)> {
        self.by_name.get(name).map(|m| (m.sha256.as_str(), m.size))
    }

    /// The members whose names start with `prefix`, in order, with their bytes if kept.
    pub fn under<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, Option<&'a [u8]>)> + 'a {
        self.by_name
            .range(prefix.to_string()..)
            .take_while(move |(name, _)| name.starts_with(prefix))
            .map(|(name, m)| (name.as_str(), m.bytes.as_deref()))
    }
}

/// What the checks read of `manifest.json`: everything but the gate's reason lines, which are
/// skipped as they are parsed. Fields are JSON values, as the manifest has them (absent ones
/// are `null`), so a check can tell a wrong value from a missing one.
#[derive(Debug, Default, Deserialize)]
pub struct ManifestView {
    #[serde(default)]
    pub format: Value,
    #[serde(default)]
    pub project: Value,
    #[serde(default)]
    pub release: Value,
    #[serde(default)]
    pub sealed_at: Value,
    #[serde(default)]
    pub sealed_by: Value,
    #[serde(default)]
    pub audit_anchor: Value,
    #[serde(default)]
    pub files: Value,
    #[serde(default)]
    pub signing_key: Value,
    #[serde(default)]
    pub previous_bundle: Value,
    #[serde(default)]
    pub policy: Value,
    #[serde(default)]
    pub gate: GateView,
}

/// The manifest's gate without its reasons.
#[derive(Debug, Default, Deserialize)]
pub struct GateView {
    #[serde(default)]
    pub passed: Value,
    #[serde(default)]
    pub fail_on: Value,
    #[serde(default)]
    pub required_tools: Value,
}

impl ManifestView {
    pub fn parse(bytes: &[u8]) -> Result<ManifestView, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in members {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn every_member_is_hashed_and_only_the_kept_ones_are_held() {
        let zip = zip_of(&[
            ("a.txt", b"alpha"),
            ("scans/big.json", &[7u8; 200_000]),
            ("attestations/x.dsse.json", b"{}"),
            ("attestations/y.dsse.json", b"[]"),
            ("b.txt", b"beta"),
        ]);
        let members = Members::read(Cursor::new(zip), |n| !n.starts_with("scans/")).unwrap();
        assert_eq!(members.len(), 5);
        assert_eq!(members.bytes("a.txt"), Some(&b"alpha"[..]));
        assert_eq!(members.bytes("scans/big.json"), None);
        let (sha, size) = members.digest("scans/big.json").unwrap();
        assert_eq!(size, 200_000);
        assert_eq!(sha, hex::encode(Sha256::digest([7u8; 200_000])));
        let under: Vec<&str> = members.under("attestations/").map(|(n, _)| n).collect();
        assert_eq!(
            under,
            ["attestations/x.dsse.json", "attestations/y.dsse.json"]
        );
        assert!(!members.contains("c.txt"));
    }

    #[test]
    fn unsafe_member_paths_are_refused() {
        let zip = zip_of(&[("../escape", b"x")]);
        assert!(Members::read(Cursor::new(zip), |_| true).is_err());
    }

    #[test]
    fn the_manifest_view_skips_the_reasons() {
        let manifest = br#"{"project": "p", "gate": {"passed": false, "fail_on": "high",
            "reasons": [{"reason": "blocking_finding", "message": "m"}]}, "extra": 1}"#;
        let view = ManifestView::parse(manifest).unwrap();
        assert_eq!(view.project, "p");
        assert_eq!(view.gate.passed, false);
        assert!(view.release.is_null());
    }
}
