//! `scanledger serve`: resolve the settings (flag > environment > TOML file > default), open
//! the store, serve.

use crate::Outcome;
use crate::args::{OidcArgs, ServeArgs};
use crate::key_dir::KEY_ENV;
use anyhow::Context;
use server::auth::oidc::OidcFile;
use server::config::SigningKey;
use server::{FileConfig, ServerConfig};
use std::path::{Path, PathBuf};

/// The database URL the CLI uses when nothing else is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://scanledger.db";

pub fn file_config(args: &ServeArgs) -> anyhow::Result<FileConfig> {
    match &args.config {
        Some(path) => FileConfig::load(path).map_err(|e| anyhow::anyhow!(e)),
        None => Ok(FileConfig::default()),
    }
}

/// Whether logs are JSON lines (the default) or text.
pub fn json_logs(args: &ServeArgs, file: &FileConfig) -> bool {
    args.log_format
        .as_deref()
        .or(file.log_format.as_deref())
        .is_none_or(|f| f != "text")
}

pub fn run(database_url: &str, args: &ServeArgs, file: FileConfig) -> anyhow::Result<Outcome> {
    let (database_url, config) = settings(database_url, args, file)?;
    let store = super::open(&database_url)?;
    serve(store, config, |_| {})
}

/// The database URL and server settings that flags, environment and file give.
pub fn settings(
    database_url: &str,
    args: &ServeArgs,
    mut file: FileConfig,
) -> anyhow::Result<(String, ServerConfig)> {
    let defaults = ServerConfig::default();
    // The global --database-url / DATABASE_URL wins unless it is the built-in default.
    let database_url = match (&file.database_url, database_url) {
        (Some(from_file), DEFAULT_DATABASE_URL) => from_file.clone(),
        _ => database_url.to_string(),
    };
    // The OIDC flags and variables, key by key, over the file's `[oidc]`.
    file.oidc = oidc_flags(&args.oidc).over(file.oidc.take());
    let (oidc, local_passwords) = file.sign_in().map_err(|e| anyhow::anyhow!(e))?;
    let config = ServerConfig {
        bind: args.bind.clone().or(file.bind).unwrap_or(defaults.bind),
        max_upload_bytes: args
            .max_upload_bytes
            .or(file.max_upload_bytes)
            .unwrap_or(defaults.max_upload_bytes),
        workers: args.workers.or(file.workers).unwrap_or(defaults.workers),
        shutdown_timeout_secs: args
            .shutdown_timeout
            .or(file.shutdown_timeout_secs)
            .unwrap_or(defaults.shutdown_timeout_secs),
        upload_dir: args.upload_dir.clone().or(file.upload_dir.map(Into::into)),
        upload_read_timeout_secs: file
            .upload_read_timeout_secs
            .unwrap_or(defaults.upload_read_timeout_secs),
        bad_tokens_per_minute: file
            .bad_tokens_per_minute
            .unwrap_or(defaults.bad_tokens_per_minute),
        trusted_keys: match args
            .trusted_keys
            .clone()
            .or(file.trusted_keys.map(Into::into))
        {
            None => Vec::new(),
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the trusted keys {}", path.display()))?;
                server::config::parse_public_keys(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
        },
        audit_check_interval_secs: args
            .audit_check_interval
            .or(file.audit_check_interval_secs)
            .unwrap_or(defaults.audit_check_interval_secs),
        signing_key: signing_key(args.key_dir.clone().or(file.key_dir.map(Into::into)))?,
        trust_rules: file.trust.unwrap_or_default(),
        oidc,
        local_passwords,
    };
    server::auth::workload::check_rules(&config.trust_rules)
        .map_err(|e| anyhow::anyhow!("the configuration's [[trust]] rules: {e}"))?;
    Ok((database_url, config))
}

/// The OIDC settings the flags and variables give, as the file's `[oidc]` would.
fn oidc_flags(args: &OidcArgs) -> OidcFile {
    OidcFile {
        issuer: args.oidc_issuer.clone(),
        client_id: args.oidc_client_id.clone(),
        client_secret_file: args.oidc_client_secret_file.clone(),
        redirect_url: args.oidc_redirect_url.clone(),
        post_logout_redirect_url: args.oidc_post_logout_redirect_url.clone(),
        scopes: args.oidc_scopes.clone(),
        groups_claim: args.oidc_groups_claim.clone(),
        username_claim: args.oidc_username_claim.clone(),
        require_mfa: args.oidc_require_mfa,
        mfa_amr: args.oidc_mfa_amr.clone(),
        mfa_acr: args.oidc_mfa_acr.clone(),
        // A table of grants has no flag: the file's only.
        groups: Default::default(),
    }
}

/// The key the server seals with: `SCANLEDGER_SIGNING_KEY`, else the one in the key folder;
/// none when neither is given. A folder given without a readable key is an error at start, not
/// a surprise at the first seal.
fn signing_key(dir: Option<PathBuf>) -> anyhow::Result<Option<SigningKey>> {
    let from_env = std::env::var(KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    if dir.is_none() && !from_env {
        return Ok(None);
    }
    let dir = dir.unwrap_or_default();
    Ok(Some(server_key(&dir)?))
}

/// The key in `dir` (or `SCANLEDGER_SIGNING_KEY`) with the public keys it replaced, as a
/// server holds it.
pub fn server_key(dir: &Path) -> anyhow::Result<SigningKey> {
    let ring = crate::key_dir::ring(dir)?;
    Ok(SigningKey::new(crate::key_dir::load(dir)?, ring.retired))
}

/// Serves `store` until SIGTERM or SIGINT; `ready` gets the bound addresses.
pub fn serve(
    store: schema::Store,
    config: ServerConfig,
    ready: impl FnOnce(&[std::net::SocketAddr]),
) -> anyhow::Result<Outcome> {
    if !store.has_credentials()? {
        tracing::warn!(
            "no users or tokens yet: create the first admin with `scanledger admin create-user --role admin`"
        );
    }
    server::run_with(store, config, ready).context("server failed")?;
    Ok(Outcome::Ok)
}
