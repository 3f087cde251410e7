//! `scanledger seal`, `bundle`, `report` and `verify`: evidence bundles and reports.

use crate::Outcome;
use crate::args::{BundleArgs, ReportArgs, ReportFormat, SealArgs, TextOrJson, VerifyArgs};
use crate::ledger::{Ledger, Report, Seal, SealOutcome};
use crate::output;
use anyhow::Context;
use schema::GateVerdict;
use std::io::Write;
use std::path::{Path, PathBuf};

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

pub fn seal(ledger: &dyn Ledger, args: &SealArgs) -> anyhow::Result<Outcome> {
    let seal = Seal {
        project: &args.project,
        release: &args.release,
        fail_on: args.gate_options.fail_on,
        required_tools: &args.gate_options.require,
        allow_blocked_reason: if args.allow_blocked {
            args.reason.as_deref()
        } else {
            None
        },
        sealed_by: &args.sealed_by,
        key_dir: &args.keys.key_dir,
    };
    let record = match ledger.seal(&seal)? {
        SealOutcome::Sealed(record) => record,
        SealOutcome::Blocked(refusal) => {
            tell!("seal refused: {refusal}");
            tell!(
                "see why: scanledger gate --project {} --release {}",
                args.project,
                args.release
            );
            return Ok(Outcome::GateBlocked);
        }
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_bundle_path(&args.project, &args.release));
    write_atomically(&path, |file| {
        ledger.write_bundle(&args.project, &args.release, file)?;
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

pub fn bundle(ledger: &dyn Ledger, args: &BundleArgs) -> anyhow::Result<Outcome> {
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_bundle_path(&args.project, &args.release));
    let mut sha256 = None;
    write_atomically(&path, |file| {
        sha256 = Some(ledger.write_bundle(&args.project, &args.release, file)?);
        Ok(())
    })?;
    if let Some(sha256) = sha256 {
        say!("{sha256}  {}", path.display());
    }
    Ok(Outcome::Ok)
}

fn report_format(format: ReportFormat) -> reports::ReportFormat {
    match format {
        ReportFormat::Pdf => reports::ReportFormat::Pdf,
        ReportFormat::Html => reports::ReportFormat::Html,
        ReportFormat::ForumPost => reports::ReportFormat::ForumPost,
        ReportFormat::Csv => reports::ReportFormat::Csv,
        ReportFormat::Json => reports::ReportFormat::Json,
        ReportFormat::Sarif => reports::ReportFormat::Sarif,
        ReportFormat::OscalAr => reports::ReportFormat::OscalAr,
        ReportFormat::OscalPoam => reports::ReportFormat::OscalPoam,
    }
}

/// A sealed release's report is the one in its bundle (as sealed); an open release's is
/// rendered now and marked as a draft. Written as it comes, never held whole.
pub fn report(ledger: &dyn Ledger, args: &ReportArgs) -> anyhow::Result<Outcome> {
    let report = Report {
        project: &args.project,
        release: &args.release,
        format: report_format(args.format),
        fail_on: args.gate_options.fail_on,
        required_tools: &args.gate_options.require,
    };
    match &args.output {
        Some(path) => write_atomically(path, |f| {
            let mut out = std::io::BufWriter::new(f);
            ledger.write_report(&report, &mut out)?;
            Ok(out.flush()?)
        })?,
        None => {
            use std::io::IsTerminal;
            if args.format == ReportFormat::Pdf && std::io::stdout().is_terminal() {
                anyhow::bail!("a PDF on a terminal is unreadable: pass -o FILE.pdf");
            }
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            ledger.write_report(&report, &mut out)?;
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
