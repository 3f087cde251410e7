//! `scanledger`: the command-line face of ScanLedger.
//!
//! Every verb acts on a ledger (`ledger/`): the store (`--database-url`, SQLite by default), or
//! a server with `--server`, and calls one operation of it; this crate formats results for
//! people (tables) and machines (JSON, CSV) and maps outcomes to exit codes: 0 ok, 1 gate
//! blocked or check failed, 2 error, 3 (`verify` only) a bundle whose signatures hold but whose
//! key was not checked against a trusted one. It never writes SQL.

// Clippy refuses `println!` and `eprintln!`: people's output goes through `say!` and `tell!`
// (output.rs), which show control characters from reports instead of sending them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod output;
mod args;
mod commands;
mod key_dir;
mod ledger;

use clap::Parser;

/// mimalloc instead of the system's allocator: rendering a bundle allocates and frees
/// millions of small strings on every core, which glibc's allocator did markedly slower (a
/// 1,000,000-finding seal: about 60 s with it, 52 to 54 s with mimalloc, peak memory within
/// 10 MB; docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// What a command tells the process to exit with, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    GateBlocked,
    /// A check said no (e.g. `audit verify` found a broken chain): exit 1.
    CheckFailed,
    /// `verify` without `--key`: the bundle checks out against the key inside it, which nobody
    /// vouched for: exit 3, so a script cannot mistake it for a verified bundle.
    UntrustedKey,
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logs(&cli);
    match commands::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::GateBlocked | Outcome::CheckFailed) => ExitCode::from(1),
        Ok(Outcome::UntrustedKey) => ExitCode::from(3),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            tell!("error: {err:#}");
            ExitCode::from(exit_code_of(&err))
        }
    }
}

/// The exit code of a verb that failed. The contract is 0 ok, 1 the gate (or a check) failed,
/// 2 an error, 3 an untrusted key: every class of store error is an error. Each class is
/// listed so that a new one has to be decided here.
fn exit_code_of(err: &anyhow::Error) -> u8 {
    use schema::ErrorKind;
    let kind = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<schema::StoreError>())
        .map(schema::StoreError::kind);
    match kind {
        Some(
            ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::Invalid
            | ErrorKind::Forbidden
            | ErrorKind::Corrupt
            | ErrorKind::Unavailable
            | ErrorKind::Internal,
        )
        | None => 2,
    }
}

/// The reader of standard output went away (`| head`): not an error of ours. serde_json and
/// csv wrap the I/O error without exposing it as a source, so they are asked directly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|json| json.io_error_kind() == Some(BrokenPipe))
            || cause.downcast_ref::<csv::Error>().is_some_and(
                |csv| matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe),
            )
    })
}

/// Logs on stderr, filtered by `SCANLEDGER_LOG`. The server logs JSON lines at `info` (one per
/// request); other verbs log text warnings only.
fn init_logs(cli: &args::Cli) {
    let filter = |default: &str| {
        tracing_subscriber::EnvFilter::try_from_env("SCANLEDGER_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
    };
    let serve_json = match &cli.command {
        args::Command::Serve(serve) => Some(
            commands::serve::file_config(serve)
                .map(|file| commands::serve::json_logs(serve, &file))
                .unwrap_or(true),
        ),
        _ => None,
    };
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match serve_json {
        Some(true) => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_env_filter(filter("info"))
            .init(),
        Some(false) => builder.with_env_filter(filter("info")).init(),
        None => builder.with_env_filter(filter("warn")).init(),
    }
}
