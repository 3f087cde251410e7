//! One module per verb.

mod demo;
mod evidence;
mod gate;
mod key;
mod query;
mod upload;

use crate::Outcome;
use crate::args::{Cli, Command};
use anyhow::Context;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Formats(args) => query::formats(&args),
        Command::Verify(args) => evidence::verify(&args),
        Command::Key(command) => key::run(&command),
        Command::Serve(args) => {
            let store = open(&cli.database_url)?;
            server::run(store, &args.bind).context("server failed")?;
            Ok(Outcome::Ok)
        }
        command => {
            let store = open(&cli.database_url)?;
            match command {
                Command::Upload(args) => upload::run(&store, &args),
                Command::Projects(args) => query::projects(&store, &args),
                Command::Releases(args) => query::releases(&store, &args),
                Command::Scans(args) => query::scans(&store, &args),
                Command::Findings(args) => query::findings(&store, &args),
                Command::Diff(args) => query::diff(&store, &args),
                Command::Gate(args) => gate::run(&store, &args),
                Command::Raw(args) => query::raw(&store, &args),
                Command::Demo => demo::run(&store),
                Command::Seal(args) => evidence::seal(&store, &args),
                Command::Bundle(args) => evidence::bundle(&store, &args),
                Command::Report(args) => evidence::report(&store, &args),
                Command::Formats(_) | Command::Serve(_) | Command::Verify(_) | Command::Key(_) => {
                    unreachable_command()
                }
            }
        }
    }
}

fn unreachable_command() -> anyhow::Result<Outcome> {
    anyhow::bail!("internal error: command dispatched twice")
}

/// Opens the store, accepting a bare path as SQLite for convenience.
pub fn open(url: &str) -> anyhow::Result<schema::Store> {
    let url = if url.contains("://") || url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    };
    schema::Store::open(&url).with_context(|| format!("opening the database {}", redact(&url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
