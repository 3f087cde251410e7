//! One module per verb.

mod auth;
mod demo;
mod evidence;
mod gate;
mod key;
mod query;
pub mod serve;
mod upload;
// The triage, policy and audit issue.
mod audit;
mod policy;
// The controls issue.
mod controls;
// What policies and control mappings share: a versioned TOML document per project.
mod document;
mod sla;
mod triage;
mod vex;

use crate::Outcome;
use crate::args::{
    AdminCommand, AuditCommand, Cli, Command, ControlsCommand, KeyCommand, PolicyCommand,
    TokenCommand, VexCommand,
};
use crate::ledger::{JobToken, Ledger, Local, Remote};
use anyhow::Context;
use controls::CONTROLS;
use policy::POLICIES;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Verbs that never talk to a server run the same whatever SCANLEDGER_URL says (CI sets it
    // for the whole job).
    match &cli.command {
        Command::Formats(args) => return query::formats(args),
        Command::Policy(PolicyCommand::Check(args)) => return POLICIES.check(args),
        Command::Controls(ControlsCommand::Check(args)) => return CONTROLS.check(args),
        Command::Verify(args) => return evidence::verify(args),
        // The key a server seals with, when there is a server; else the key folder's.
        Command::Key(KeyCommand::Show(args)) => {
            let ring = match &cli.server {
                Some(url) => Remote::new(url, cli.token.clone())?.signing_key()?,
                None => crate::key_dir::ring(&args.key_dir)?,
            };
            return key::show(&ring);
        }
        Command::Key(command) => return key::run(command),
        Command::Serve(args) => {
            let file = serve::file_config(args)?;
            return serve::run(&cli.database_url, args, file);
        }
        // Only a server exchanges, and with no ScanLedger token: before the ledger, which
        // would exchange the job's token itself.
        Command::Token(TokenCommand::Exchange(args)) => {
            let url = cli
                .server
                .as_deref()
                .context("`token exchange` asks a server: set --server or SCANLEDGER_URL")?;
            let job = JobToken::from_env(cli.oidc_token.as_deref()).with_context(|| {
                format!(
                    "no CI job OIDC token to exchange: set {} (GitLab: `id_tokens:`), or run in \
                     GitHub Actions with `permissions: id-token: write`",
                    crate::ledger::OIDC_TOKEN_VAR
                )
            })?;
            let mut remote = Remote::new(url, None)?;
            let audience = audience(&cli, &remote);
            let issued = remote.exchange(job, &audience)?;
            return auth::print_exchanged(&issued, args);
        }
        _ => {}
    }
    if let (Command::Demo(args), None) = (&cli.command, &cli.server) {
        // It makes its own database (or the one its configuration names) and serves it.
        return demo::run(&cli.database_url, args);
    }
    let ledger = ledger(&cli)?;
    let ledger = ledger.as_ref();
    match &cli.command {
        Command::Upload(args) => upload::run(ledger, args),
        Command::Projects(args) => query::projects(ledger, args),
        Command::Releases(args) => query::releases(ledger, args),
        Command::Findings(args) => query::findings(ledger, args),
        Command::Diff(args) => query::diff(ledger, args),
        Command::Gate(args) => gate::run(ledger, args),
        Command::Admin(AdminCommand::CreateUser(args)) => auth::create_user(ledger, args),
        Command::Token(TokenCommand::Create(args)) => auth::create_token(ledger, args),
        Command::Token(TokenCommand::List(args)) => auth::list_tokens(ledger, args),
        Command::Token(TokenCommand::Revoke(args)) => auth::revoke_token(ledger, args),
        Command::Scans(args) => query::scans(ledger, args),
        Command::Raw(args) => query::raw(ledger, args),
        Command::Triage(args) => triage::run(ledger, args),
        Command::Sla(args) => sla::run(ledger, args),
        Command::Audit(AuditCommand::List(args)) => audit::list(ledger, args),
        Command::Audit(AuditCommand::Verify(args)) => audit::verify(ledger, args),
        Command::Policy(PolicyCommand::Set(a)) => {
            POLICIES.set(ledger, &a.project, &a.file, &a.actor)
        }
        Command::Policy(PolicyCommand::Show(args)) => POLICIES.show(ledger, args),
        Command::Policy(PolicyCommand::Versions(args)) => POLICIES.versions(ledger, args),
        Command::Controls(ControlsCommand::Set(a)) => {
            CONTROLS.set(ledger, &a.project, &a.file, &a.actor)
        }
        Command::Controls(ControlsCommand::Show(args)) => CONTROLS.show(ledger, args),
        Command::Controls(ControlsCommand::Versions(args)) => CONTROLS.versions(ledger, args),
        Command::Seal(args) => evidence::seal(ledger, args),
        Command::Bundle(args) => evidence::bundle(ledger, args),
        Command::AuditPack(args) => controls::audit_pack(ledger, args),
        Command::Report(args) => evidence::report(ledger, args),
        Command::Vex(VexCommand::Export(args)) => vex::export(ledger, args),
        Command::Vex(VexCommand::Import(args)) => vex::import(ledger, args),
        // `demo` loads and serves a database of its own: through a server, the ledger refuses.
        command @ Command::Demo(_) => {
            ledger.database(verb(command))?;
            unreachable_command()
        }
        Command::Formats(_)
        | Command::Serve(_)
        | Command::Verify(_)
        | Command::Key(_)
        | Command::Token(TokenCommand::Exchange(_))
        | Command::Policy(PolicyCommand::Check(_))
        | Command::Controls(ControlsCommand::Check(_)) => unreachable_command(),
    }
}

/// The one choice between the server (`--server` / `SCANLEDGER_URL`) and the database.
fn ledger(cli: &Cli) -> anyhow::Result<Box<dyn Ledger>> {
    if let Some(url) = &cli.server {
        return Ok(Box::new(remote(cli, url)?));
    }
    let store = match cli.command {
        // Uploads, and the first admin and token, may start a database.
        Command::Upload(_) | Command::Admin(_) | Command::Token(_) => open(&cli.database_url)?,
        // Every other verb reads, or changes what is already there: a missing SQLite file
        // is a mistake to report, not a database to create.
        _ => open_existing(&cli.database_url)?,
    };
    Ok(Box::new(Local::new(store)))
}

/// The server, called with `--token`; without one, in a CI job that offers its OIDC token
/// (`SCANLEDGER_OIDC_TOKEN`, or GitHub Actions' request variables), with the short-lived token
/// the server exchanges it for.
fn remote(cli: &Cli, url: &str) -> anyhow::Result<Remote> {
    let token = cli.token.clone().filter(|t| !t.is_empty());
    let given_token = token.is_some();
    let mut remote = Remote::new(url, token)?;
    if !given_token && let Some(job) = JobToken::from_env(cli.oidc_token.as_deref()) {
        let audience = audience(cli, &remote);
        remote.exchange(job, &audience)?;
    }
    Ok(remote)
}

/// The audience a CI job's OIDC token is asked for: `--oidc-audience`, else the server's URL.
fn audience(cli: &Cli, remote: &Remote) -> String {
    match &cli.oidc_audience {
        Some(audience) => audience.clone(),
        None => remote.base().to_string(),
    }
}

/// The verb as typed, for messages.
fn verb(command: &Command) -> &'static str {
    match command {
        Command::Upload(_) => "upload",
        Command::Projects(_) => "projects",
        Command::Releases(_) => "releases",
        Command::Scans(_) => "scans",
        Command::Findings(_) => "findings",
        Command::Diff(_) => "diff",
        Command::Gate(_) => "gate",
        Command::Raw(_) => "raw",
        Command::Formats(_) => "formats",
        Command::Demo(_) => "demo",
        Command::Serve(_) => "serve",
        Command::Triage(_) => "triage",
        Command::Policy(_) => "policy",
        Command::Controls(_) => "controls",
        Command::Audit(_) => "audit",
        Command::Vex(_) => "vex",
        Command::Sla(_) => "sla",
        Command::Seal(_) => "seal",
        Command::Bundle(_) => "bundle",
        Command::AuditPack(_) => "audit-pack",
        Command::Report(_) => "report",
        Command::Verify(_) => "verify",
        Command::Key(_) => "key",
        Command::Admin(_) => "admin",
        Command::Token(_) => "token",
    }
}

fn unreachable_command() -> anyhow::Result<Outcome> {
    anyhow::bail!("internal error: command dispatched twice")
}

/// Opens the store, accepting a bare path as SQLite for convenience; creates a SQLite file
/// that is not there yet.
pub fn open(url: &str) -> anyhow::Result<schema::Store> {
    let url = full_url(url);
    schema::Store::open(&url).with_context(|| format!("opening the database {}", redact(&url)))
}

/// Opens a store that must exist already: a missing SQLite file is an error, and none is made.
pub fn open_existing(url: &str) -> anyhow::Result<schema::Store> {
    let url = full_url(url);
    schema::Store::open_existing(&url)
        .with_context(|| format!("opening the database {}", redact(&url)))
}

fn full_url(url: &str) -> String {
    if url.contains("://") || url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    }
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
