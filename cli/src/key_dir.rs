//! The key folder of the Ed25519 evidence signing key, kept outside the database, and reading
//! the key from it.
//!
//! Layout of the key folder (`--key-dir`, `SCANLEDGER_KEY_DIR`, default `./scanledger-keys`):
//! - `evidence-key.pem`: the private key, PKCS#8 v1 PEM, mode 0600;
//! - `evidence-key.pub`, `evidence-key.pub.pem`: its public key (OpenSSH, SPKI PEM);
//! - `allowed_signers`: every key ever used, for `ssh-keygen -Y verify` on old bundles;
//! - `retired/<date>-<key id>.pub` and `.pub.pem`: public keys rotated out, and
//!   `retired/<date>-<key id>.rotation.sshsig`: the new public key signed by the old one
//!   (namespace `scanledger-key-rotation`).
//!
//! `SCANLEDGER_SIGNING_KEY` (the private key PEM itself) overrides the folder, for CI secrets.

use anyhow::Context;
use reports::{EvidenceKey, KeyRing, PublishedKey, RetiredKey};
use std::path::{Path, PathBuf};

pub const PRIVATE: &str = "evidence-key.pem";
pub const PUBLIC_SSH: &str = "evidence-key.pub";
pub const PUBLIC_PEM: &str = "evidence-key.pub.pem";
pub const ALLOWED: &str = "allowed_signers";
pub const KEY_ENV: &str = "SCANLEDGER_SIGNING_KEY";

/// The signing key: from `SCANLEDGER_SIGNING_KEY`, else from the key folder.
pub fn load(dir: &Path) -> anyhow::Result<EvidenceKey> {
    if let Ok(pem) = std::env::var(KEY_ENV)
        && !pem.trim().is_empty()
    {
        return EvidenceKey::from_pkcs8_pem(&pem).with_context(|| format!("reading {KEY_ENV}"));
    }
    let path = dir.join(PRIVATE);
    let pem = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no signing key at {} (create one with `scanledger key generate`, or set {KEY_ENV})",
            path.display()
        )
    })?;
    EvidenceKey::from_pkcs8_pem(&pem).with_context(|| format!("reading {}", path.display()))
}

/// The key in the folder (or `SCANLEDGER_SIGNING_KEY`), public part only, with the public
/// keys it replaced: what `key show` prints, and what a server answers for its key.
pub fn ring(dir: &Path) -> anyhow::Result<KeyRing> {
    let key = load(dir)?;
    Ok(KeyRing {
        current: PublishedKey::of(&key.public()),
        retired: retired_keys(dir)
            .into_iter()
            .map(|(path, public)| RetiredKey {
                fingerprint: public.fingerprint(),
                path: path.display().to_string(),
            })
            .collect(),
    })
}

/// The public keys rotated out (`retired/*.pub`), by file name.
pub fn retired_keys(dir: &Path) -> Vec<(PathBuf, reports::PublicKey)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("retired")) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pub"))
            .collect();
        paths.sort();
        for path in paths {
            if let Some(public) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| reports::PublicKey::parse(&t).ok())
            {
                out.push((path, public));
            }
        }
    }
    out
}
