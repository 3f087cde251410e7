//! `scanledger seal`, `bundle`, `report` and `verify`: evidence bundles and reports.

use crate::Outcome;
use crate::args::{BundleArgs, ReportArgs, ReportFormat, SealArgs, TextOrJson, VerifyArgs};
use crate::output;
use anyhow::Context;
use schema::{GateOptions, GateVerdict, SealRequest, Store, StoreError};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

fn generator() -> String {
    format!("scanledger {}", env!("CARGO_PKG_VERSION"))
}

fn default_bundle_path(project: &str, release: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}-{}-evidence.zip",
        reports::safe_name(project),
        reports::safe_name(release)
    ))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staged = dir.join(format!(
        ".{}.partial",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let mut file =
        std::fs::File::create(&staged).with_context(|| format!("creating {}", staged.display()))?;
    let result = write(&mut file).and_then(|_| Ok(file.sync_all()?));
    match result {
        Ok(()) => {
            std::fs::rename(&staged, path)
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            Err(e)
        }
    }
}

pub fn seal(store: &Store, args: &SealArgs) -> anyhow::Result<Outcome> {
    let key = crate::key_dir::load(&args.keys.key_dir)?;
    let generator = generator();
    let request = SealRequest {
        project: &args.project,
        release: &args.release,
        sealed_by: &args.sealed_by,
        gate: GateOptions {
            fail_on: args.gate_options.fail_on,
            required_tools: args.gate_options.require.clone(),
            at: None,
            evaluated_by: Some(args.sealed_by.clone()),
        },
        allow_blocked_reason: if args.allow_blocked {
            args.reason.as_deref()
        } else {
            None
        },
        generator: &generator,
    };
    let record = match store.seal(&request, &key) {
        Ok(record) => record,
        Err(err @ StoreError::Blocked { .. }) => {
            tell!("seal refused: {err}");
            tell!(
                "see why: scanledger gate --project {} --release {}",
                args.project,
                args.release
            );
            return Ok(Outcome::GateBlocked);
        }
        Err(err) => return Err(err.into()),
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_bundle_path(&args.project, &args.release));
    write_atomically(&path, |file| {
        store.write_bundle(&args.project, &args.release, file)?;
        Ok(())
    })?;
    match args.format {
        TextOrJson::Json => output::json(&serde_json::json!({"bundle": record, "path": path}))?,
        TextOrJson::Text => {
            say!(
                "sealed {} {} at {} by {}; gate {}{}",
                record.project,
                record.release,
                record.sealed_at,
                record.sealed_by,
                match record.gate {
                    GateVerdict::Passed => "passed",
                    GateVerdict::Blocked => "BLOCKED",
                },
                record
                    .allow_blocked_reason
                    .as_deref()
                    .map(|r| format!(" (sealed anyway: {r})"))
                    .unwrap_or_default()
            );
            say!("bundle:   {} ({} bytes)", path.display(), record.size);
            say!("sha256:   {}", record.sha256);
            say!("key:      {}", record.key_fingerprint);
            say!(
                "previous: {}",
                record
                    .previous_sha256
                    .as_deref()
                    .unwrap_or("none (first sealed release of the project)")
            );
            say!(
                "verify:   scanledger verify {} --key {}",
                path.display(),
                args.keys.key_dir.join("evidence-key.pub").display()
            );
        }
    }
    Ok(Outcome::Ok)
}

pub fn bundle(store: &Store, args: &BundleArgs) -> anyhow::Result<Outcome> {
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_bundle_path(&args.project, &args.release));
    let mut record = None;
    write_atomically(&path, |file| {
        record = Some(store.write_bundle(&args.project, &args.release, file)?);
        Ok(())
    })?;
    if let Some(record) = record {
        say!("{}  {}", record.sha256, path.display());
    }
    Ok(Outcome::Ok)
}

fn member_name(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Pdf => "report.pdf",
        ReportFormat::Html => "report.html",
        ReportFormat::ForumPost => "forum-post.md",
        ReportFormat::Csv => "findings.csv",
        ReportFormat::Json => "findings.json",
        ReportFormat::Sarif => "findings.sarif",
    }
}

/// A sealed release's report is the one in its bundle (as sealed); an open release's is
/// rendered now and marked as a draft.
pub fn report(store: &Store, args: &ReportArgs) -> anyhow::Result<Outcome> {
    let bytes = if store.bundle_record(&args.project, &args.release)?.is_some() {
        let mut zip = Vec::new();
        store.write_bundle(&args.project, &args.release, &mut zip)?;
        let mut archive = zip::ZipArchive::new(Cursor::new(zip))?;
        let mut member = archive.by_name(member_name(args.format))?;
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes)?;
        bytes
    } else {
        let gate = GateOptions {
            fail_on: args.gate_options.fail_on,
            required_tools: args.gate_options.require.clone(),
            ..GateOptions::default()
        };
        let snap = store.release_snapshot(&args.project, &args.release, &gate, &generator())?;
        match args.format {
            ReportFormat::Pdf => reports::pdf::report_pdf(&snap, None)?,
            ReportFormat::Html => reports::html::report_html(&snap, None).into_bytes(),
            ReportFormat::ForumPost => reports::markdown::forum_post(&snap, None).into_bytes(),
            ReportFormat::Csv => reports::findings::findings_csv(&snap)?,
            ReportFormat::Json => reports::findings::findings_json(&snap)?,
            ReportFormat::Sarif => reports::findings::findings_sarif(&snap)?,
        }
    };
    match &args.output {
        Some(path) => write_atomically(path, |f| Ok(f.write_all(&bytes)?))?,
        None => {
            use std::io::IsTerminal;
            if args.format == ReportFormat::Pdf && std::io::stdout().is_terminal() {
                anyhow::bail!("a PDF on a terminal is unreadable: pass -o FILE.pdf");
            }
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Ok)
}

/// The verdict, then every check.
fn print_report(bundle: &Path, report: &reports::VerifyReport) {
    let fingerprint = report.key_fingerprint.as_deref().unwrap_or("?");
    match report.verdict {
        reports::Verdict::Valid => say!(
            "{}: VALID (signed by {fingerprint}, a key you gave)",
            bundle.display()
        ),
        reports::Verdict::UntrustedKey => say!(
            "{}: UNTRUSTED: signature valid for key {fingerprint}, which is NOT checked against a key you trust",
            bundle.display()
        ),
        reports::Verdict::Invalid => say!("{}: INVALID", bundle.display()),
    }
    for check in &report.checks {
        say!(
            "  {:<4}  {:<8}  {}",
            if check.ok { "ok" } else { "FAIL" },
            check.name,
            check.detail
        );
    }
    if report.verdict == reports::Verdict::UntrustedKey {
        say!(
            "note: anyone can sign a bundle with a key of their own. Pass --key with the public key the signer \
             published (`scanledger key show` prints it), or compare {fingerprint} with the published fingerprint \
             (exit code 3 until you do)."
        );
    }
}

/// Public keys from a file: PEM, one OpenSSH line, or an allowed_signers file of many.
pub(crate) fn read_keys(path: &Path) -> anyhow::Result<Vec<reports::PublicKey>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if text.contains("-----BEGIN") {
        return Ok(vec![reports::PublicKey::parse(&text)?]);
    }
    let keys: Vec<reports::PublicKey> = text
        .lines()
        .filter(|l| l.contains("ssh-ed25519"))
        .filter_map(|l| reports::PublicKey::parse(l).ok())
        .collect();
    if keys.is_empty() {
        anyhow::bail!("{} holds no Ed25519 public key", path.display());
    }
    Ok(keys)
}

pub fn verify(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let mut keys = Vec::new();
    for path in &args.key {
        keys.extend(read_keys(path)?);
    }
    let previous = match &args.previous {
        None => None,
        Some(path) => {
            let file =
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            Some(
                reports::PreviousBundleInput::read(std::io::BufReader::new(file))
                    .with_context(|| format!("reading the previous bundle {}", path.display()))?,
            )
        }
    };
    let file = std::fs::File::open(&args.bundle)
        .with_context(|| format!("opening {}", args.bundle.display()))?;
    let report = reports::verify_bundle(
        std::io::BufReader::new(file),
        &reports::VerifyOptions { keys, previous },
    )?;
    match args.format {
        TextOrJson::Json => output::json(&report)?,
        TextOrJson::Text => print_report(&args.bundle, &report),
    }
    Ok(match report.verdict {
        reports::Verdict::Valid => Outcome::Ok,
        reports::Verdict::UntrustedKey => Outcome::UntrustedKey,
        reports::Verdict::Invalid => Outcome::CheckFailed,
    })
}
