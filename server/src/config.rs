//! Server configuration: flags, then environment, then an optional TOML file, then defaults
//! (the table is in `docs/SERVER.md`). The CLI resolves flags and environment; this module
//! reads the file and fills what is left.

use crate::auth::workload::TrustRule;
use serde::Deserialize;
use std::path::Path;

/// Default upload size limit: 512 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 60;
/// An upload whose body sends nothing for this long is cut off (408).
pub const DEFAULT_UPLOAD_READ_TIMEOUT_SECS: u64 = 30;
/// Failed bearer tokens one source address may send per minute before it gets 429s.
pub const DEFAULT_BAD_TOKENS_PER_MINUTE: u32 = 30;
pub const DEFAULT_AUDIT_CHECK_INTERVAL_SECS: u64 = 3600;

/// The optional TOML file. Every key is optional; unknown keys are an error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub max_upload_bytes: Option<u64>,
    pub workers: Option<usize>,
    pub shutdown_timeout_secs: Option<u64>,
    /// `json` (default) or `text`.
    pub log_format: Option<String>,
    /// Where uploads are spooled before import (default: the system temp folder).
    pub upload_dir: Option<String>,
    pub upload_read_timeout_secs: Option<u64>,
    pub bad_tokens_per_minute: Option<u32>,
    /// The evidence public key(s) the stored bundles must be signed with (PEM, OpenSSH line or
    /// `allowed_signers`): the periodic audit check uses them as the log's outside anchor.
    pub trusted_keys: Option<String>,
    /// Seconds between audit chain checks (default 3600; 0: never).
    pub audit_check_interval_secs: Option<u64>,
    /// The folder of the evidence signing key the server seals with (`scanledger key
    /// generate`); without it (or `SCANLEDGER_SIGNING_KEY`) the server does not seal.
    pub key_dir: Option<String>,
    /// Workload identity: the CI jobs whose OIDC tokens `POST /api/v1/auth/exchange` trades for
    /// a short-lived upload token (`[[trust]]` tables; see `crate::auth::workload`).
    pub trust: Option<Vec<TrustRule>>,
    /// Web UI sign-in with an OpenID provider (`[oidc]`; see `crate::auth::oidc`). The CLI
    /// lays its `--oidc-*` flags and variables over it before the server reads it.
    pub oidc: Option<crate::auth::oidc::OidcFile>,
    /// `[auth]`: which sign-ins the server offers.
    pub auth: Option<AuthFile>,
}

/// `[auth]` of the TOML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// `false`: no password is accepted by the web UI's sign-in or by HTTP Basic on the API
    /// (API tokens still are); the break-glass admin is the CLI on the database. Default `true`.
    pub local: Option<bool>,
}

impl FileConfig {
    /// The OIDC settings of `[oidc]` (with the CLI's `--oidc-*` flags and variables laid over
    /// it, `OidcFile::over`; client secret from `SCANLEDGER_OIDC_CLIENT_SECRET`, else
    /// `client_secret_file`), checked; and whether passwords stay on (`[auth] local`).
    /// `auth.local = false` without `[oidc]` is allowed: API tokens and the CLI remain.
    pub fn sign_in(
        &self,
    ) -> Result<
        (
            Option<std::sync::Arc<crate::auth::oidc::OidcSettings>>,
            bool,
        ),
        String,
    > {
        let local = self.auth.as_ref().and_then(|a| a.local).unwrap_or(true);
        let oidc = match &self.oidc {
            None => None,
            Some(file) => {
                let secret = std::env::var(crate::auth::oidc::SECRET_ENV)
                    .ok()
                    .filter(|s| !s.trim().is_empty());
                Some(std::sync::Arc::new(
                    crate::auth::oidc::OidcSettings::resolve(file, secret)
                        .map_err(|e| format!("the OIDC settings ([oidc], --oidc-*): {e}"))?,
                ))
            }
        };
        Ok((oidc, local))
    }

    pub fn load(path: &Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: String,
    pub max_upload_bytes: u64,
    /// HTTP worker threads; 0: one per CPU.
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub upload_dir: Option<std::path::PathBuf>,
    /// Longest wait for the next bytes of an upload's body.
    pub upload_read_timeout_secs: u64,
    /// Failed bearer tokens per source address and minute (counted in this process).
    pub bad_tokens_per_minute: u32,
    /// Public keys trusted to have signed the stored bundles (the audit check's anchor, shown
    /// on the audit page so people can compare it with the published fingerprint).
    pub trusted_keys: Vec<reports::PublicKey>,
    /// Seconds between audit chain checks; 0: never.
    pub audit_check_interval_secs: u64,
    /// The key the server seals with; `None`: sealing is refused (`no_signing_key`).
    pub signing_key: Option<SigningKey>,
    /// The trust rules of the token exchange; none: every exchange is refused.
    pub trust_rules: Vec<TrustRule>,
    /// Sign-in with an OpenID provider; `None`: passwords only.
    pub oidc: Option<std::sync::Arc<crate::auth::oidc::OidcSettings>>,
    /// Whether passwords are accepted (web UI sign-in, HTTP Basic); `auth.local` in the file.
    pub local_passwords: bool,
}

/// The evidence signing key a server seals releases with, read at start from its key folder
/// or `SCANLEDGER_SIGNING_KEY`. The private part stays in this process's memory: never in the
/// database, a response or a log (its `Debug` shows the fingerprint only).
#[derive(Clone)]
pub struct SigningKey {
    key: std::sync::Arc<reports::EvidenceKey>,
    ring: reports::KeyRing,
}

impl SigningKey {
    /// The key, with the public keys it replaced (the key folder's `retired/`).
    pub fn new(key: reports::EvidenceKey, retired: Vec<reports::RetiredKey>) -> SigningKey {
        let ring = reports::KeyRing {
            current: reports::PublishedKey::of(&key.public()),
            retired,
        };
        SigningKey {
            key: std::sync::Arc::new(key),
            ring,
        }
    }

    /// The private key, to sign bundles with.
    pub fn key(&self) -> &reports::EvidenceKey {
        &self.key
    }

    /// Its public part and the retired keys: what anyone may know.
    pub fn ring(&self) -> &reports::KeyRing {
        &self.ring
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.ring.current.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: DEFAULT_BIND.to_string(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            workers: 0,
            shutdown_timeout_secs: DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            upload_dir: None,
            upload_read_timeout_secs: DEFAULT_UPLOAD_READ_TIMEOUT_SECS,
            bad_tokens_per_minute: DEFAULT_BAD_TOKENS_PER_MINUTE,
            trusted_keys: Vec::new(),
            audit_check_interval_secs: DEFAULT_AUDIT_CHECK_INTERVAL_SECS,
            signing_key: None,
            trust_rules: Vec::new(),
            oidc: None,
            local_passwords: true,
        }
    }
}

/// Public keys from a file's text: PEM, one OpenSSH line, or an `allowed_signers` file of
/// several. An error names what is wrong; a file without a key is one.
pub fn parse_public_keys(text: &str) -> Result<Vec<reports::PublicKey>, String> {
    if text.contains("-----BEGIN") {
        return reports::PublicKey::parse(text)
            .map(|k| vec![k])
            .map_err(|e| e.to_string());
    }
    let keys: Vec<reports::PublicKey> = text
        .lines()
        .filter(|l| l.contains("ssh-ed25519"))
        .map(reports::PublicKey::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if keys.is_empty() {
        return Err("no Ed25519 public key".into());
    }
    Ok(keys)
}
