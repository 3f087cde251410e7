//! `scanledger key`: the Ed25519 evidence signing key, kept outside the database, in the key
//! folder (`crate::key_dir` describes its layout).

use crate::Outcome;
use crate::args::KeyCommand;
use crate::key_dir::{ALLOWED, PRIVATE, PUBLIC_PEM, PUBLIC_SSH, load};
use anyhow::{Context, bail};
use reports::{EvidenceKey, KeyRing, PublishedKey, keys::ROTATION_NAMESPACE};
use std::io::Write;
use std::path::Path;

pub fn run(command: &KeyCommand) -> anyhow::Result<Outcome> {
    match command {
        KeyCommand::Generate(args) => generate(&args.key_dir),
        KeyCommand::Show(args) => show(&crate::key_dir::ring(&args.key_dir)?),
        KeyCommand::Rotate(args) => rotate(&args.key_dir),
    }
}

/// Writes a file readable by its owner only, created fresh (never over an existing one).
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

fn write_public(dir: &Path, key: &EvidenceKey) -> anyhow::Result<()> {
    let public = key.public();
    std::fs::write(dir.join(PUBLIC_SSH), format!("{}\n", public.to_openssh()))?;
    std::fs::write(dir.join(PUBLIC_PEM), public.to_pem())?;
    let allowed = dir.join(ALLOWED);
    let mut lines = std::fs::read_to_string(&allowed).unwrap_or_default();
    let line = public.allowed_signers_line();
    if !lines.lines().any(|l| l == line) {
        lines.push_str(&line);
        lines.push('\n');
        std::fs::write(&allowed, lines)?;
    }
    Ok(())
}

fn generate(dir: &Path) -> anyhow::Result<Outcome> {
    let key = create(dir)?;
    say!("created signing key {}", dir.join(PRIVATE).display());
    print_key(&PublishedKey::of(&key.public()));
    say!();
    say!(
        "Publish the fingerprint where auditors can find it (security page, README): it is how they know a bundle is yours."
    );
    Ok(Outcome::Ok)
}

/// Creates the signing key and its public files in `dir`; refuses to overwrite a key.
pub fn create(dir: &Path) -> anyhow::Result<EvidenceKey> {
    let path = dir.join(PRIVATE);
    if path.exists() {
        bail!(
            "a signing key already exists at {} (use `scanledger key rotate` to replace it)",
            path.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = EvidenceKey::generate()?;
    write_private(&path, key.to_pkcs8_pem()?.as_bytes())?;
    write_public(dir, &key)?;
    Ok(key)
}

fn print_key(key: &PublishedKey) {
    say!("fingerprint: {}", key.fingerprint);
    say!(
        "key id:      {} (SHA-256 of the SPKI public key)",
        key.key_id
    );
    say!("public key:  {}", key.public_key);
}

/// `key show`: the signing key's public part and the retired keys, of the key folder or of
/// the server (`--server`).
pub fn show(ring: &KeyRing) -> anyhow::Result<Outcome> {
    print_key(&ring.current);
    if !ring.retired.is_empty() {
        say!();
        say!("retired keys (old bundles still verify with them):");
        for retired in &ring.retired {
            say!("  {}  {}", retired.fingerprint, retired.path);
        }
    }
    Ok(Outcome::Ok)
}

fn rotate(dir: &Path) -> anyhow::Result<Outcome> {
    let old = load(dir)?;
    let new = EvidenceKey::generate()?;
    let retired = dir.join("retired");
    std::fs::create_dir_all(&retired)?;
    let stem = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%d"),
        &old.public().key_id()[..16]
    );
    std::fs::write(
        retired.join(format!("{stem}.pub")),
        format!("{}\n", old.public().to_openssh()),
    )?;
    std::fs::write(
        retired.join(format!("{stem}.pub.pem")),
        old.public().to_pem(),
    )?;
    // The old key vouches for the new one.
    let new_line = format!("{}\n", new.public().to_openssh());
    std::fs::write(
        retired.join(format!("{stem}.rotation.sshsig")),
        old.sshsig(ROTATION_NAMESPACE, new_line.as_bytes()),
    )?;
    std::fs::write(
        retired.join(format!("{stem}.rotation.new-key.pub")),
        &new_line,
    )?;
    // Swap the private key: write the new one beside, then rename over the old one.
    let staged = dir.join(format!("{PRIVATE}.new"));
    let _ = std::fs::remove_file(&staged);
    write_private(&staged, new.to_pkcs8_pem()?.as_bytes())?;
    std::fs::rename(&staged, dir.join(PRIVATE))?;
    write_public(dir, &new)?;
    say!(
        "retired {} (public key kept in {})",
        old.public().fingerprint(),
        retired.display()
    );
    say!("new signing key:");
    print_key(&PublishedKey::of(&new.public()));
    say!();
    say!(
        "The old key signed the new public key: {}/{stem}.rotation.sshsig (ssh-keygen -Y verify -n {ROTATION_NAMESPACE}).",
        retired.display()
    );
    Ok(Outcome::Ok)
}
