//! `scanledger`: the command-line face of ScanLedger.
//!
//! Every verb opens the store (`--database-url`, SQLite by default) and calls one `schema`
//! operation; this crate formats results for people (tables) and machines (JSON, CSV) and maps
//! outcomes to exit codes: 0 ok, 1 gate blocked, 2 error. It never writes SQL.

mod args;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// What a command tells the process to exit with, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    GateBlocked,
    /// `verify`: the bundle does not check out.
    Invalid,
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCANLEDGER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::GateBlocked | Outcome::Invalid) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
