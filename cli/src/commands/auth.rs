//! `scanledger admin create-user` and `scanledger token create|list|revoke`: locally on the
//! database (how the first admin is made), or on a server with an admin token. And what
//! `scanledger token exchange` prints: the short-lived token a server traded a CI job's OIDC
//! token for.

use crate::Outcome;
use crate::args::{
    CreateUserArgs, ListArgs, TextOrJson, TokenCreateArgs, TokenExchangeArgs, TokenRevokeArgs,
};
use crate::ledger::{Ledger, NewGrant};
use crate::output::{self, opt};
use anyhow::Context;

fn read_password(args: &CreateUserArgs) -> anyhow::Result<String> {
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    std::env::var("SCANLEDGER_PASSWORD").context(
        "set SCANLEDGER_PASSWORD or use --password-stdin (passwords are never taken as flags)",
    )
}

pub fn create_user(ledger: &dyn Ledger, args: &CreateUserArgs) -> anyhow::Result<Outcome> {
    let password = read_password(args)?;
    let user = ledger.create_user(
        &NewGrant {
            name: &args.name,
            role: args.role,
            project: args.project.as_deref(),
        },
        &password,
    )?;
    say!(
        "user {} created: {} ({}, {})",
        user.id,
        user.name,
        user.role,
        user.project
            .as_deref()
            .map(|p| format!("project {p}"))
            .unwrap_or_else(|| "all projects".into())
    );
    Ok(Outcome::Ok)
}

pub fn create_token(ledger: &dyn Ledger, args: &TokenCreateArgs) -> anyhow::Result<Outcome> {
    let created = ledger.create_token(
        &NewGrant {
            name: &args.name,
            role: args.role,
            project: args.project.as_deref(),
        },
        args.expires_in_days,
    )?;
    match args.format {
        TextOrJson::Json => output::json(&created)?,
        TextOrJson::Text => {
            let info = &created.info;
            tell!(
                "token {} created: {}; store it now, it is not shown again:",
                info.id,
                purpose(info),
            );
            // The secret alone on standard output, for `TOKEN=$(scanledger token create ...)`.
            say!("{}", created.token);
        }
    }
    Ok(Outcome::Ok)
}

/// What a new token is for, as `token create` and `token exchange` say it: its name, role,
/// project and expiry.
fn purpose(info: &schema::TokenInfo) -> String {
    let project = info
        .project
        .as_deref()
        .map(|p| format!("project {p}"))
        .unwrap_or_else(|| "all projects".into());
    let expiry = info
        .expires_at
        .map(|e| format!("expires {} UTC", e.format("%Y-%m-%d %H:%M")))
        .unwrap_or_else(|| "never expires".into());
    format!("{} ({}, {project}, {expiry})", info.name, info.role)
}

/// The token `token exchange` got: its secret alone on standard output (for
/// `export SCANLEDGER_TOKEN="$(scanledger token exchange)"`), what it is for on standard error.
pub fn print_exchanged(
    issued: &schema::NewToken,
    args: &TokenExchangeArgs,
) -> anyhow::Result<Outcome> {
    match args.format {
        TextOrJson::Json => output::json(issued)?,
        TextOrJson::Text => {
            let info = &issued.info;
            tell!("token {} exchanged: {}", info.prefix, purpose(info));
            say!("{}", issued.token);
        }
    }
    Ok(Outcome::Ok)
}

pub fn list_tokens(ledger: &dyn Ledger, args: &ListArgs) -> anyhow::Result<Outcome> {
    let tokens = ledger.tokens()?;
    let time = |t: &Option<chrono::NaiveDateTime>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let headers = [
        "id",
        "name",
        "prefix",
        "role",
        "project",
        "created",
        "expires",
        "revoked",
        "last used",
    ];
    let rows = tokens
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.name.clone(),
                t.prefix.clone(),
                t.role.to_string(),
                opt(&t.project),
                t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                time(&t.expires_at),
                time(&t.revoked_at),
                time(&t.last_used_at),
            ]
        })
        .collect();
    match args.format {
        crate::args::OutputFormat::Json => output::json(&tokens)?,
        crate::args::OutputFormat::Csv => output::csv(&headers, rows)?,
        crate::args::OutputFormat::Table => output::table(&headers, rows)?,
    }
    Ok(Outcome::Ok)
}

pub fn revoke_token(ledger: &dyn Ledger, args: &TokenRevokeArgs) -> anyhow::Result<Outcome> {
    let token = ledger.revoke_token(&args.id_or_prefix)?;
    say!(
        "token {} ({}, {}) revoked",
        token.id,
        token.name,
        token.prefix
    );
    Ok(Outcome::Ok)
}
