//! `scanledger admin create-user` and `scanledger token create|list|revoke`: locally on the
//! database (how the first admin is made), or on a server with an admin token.

use crate::Outcome;
use crate::args::{CreateUserArgs, ListArgs, TextOrJson, TokenCreateArgs, TokenRevokeArgs};
use crate::output::{self, opt};
use crate::ledger::remote::Remote;
use anyhow::Context;
use schema::{Grant, NewToken, Store, TokenInfo};

/// Who creates things locally: whoever runs the command on the database.
fn local_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("local:{user}")
}

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

pub fn create_user(
    store: Option<&Store>,
    remote: Option<&Remote>,
    args: &CreateUserArgs,
) -> anyhow::Result<Outcome> {
    let password = read_password(args)?;
    let user: schema::UserInfo = match (remote, store) {
        (Some(remote), _) => remote.post_json(
            &Remote::path(&["users"]),
            &serde_json::json!({
                "name": args.name,
                "password": password,
                "role": args.role.as_str(),
                "project": args.project,
            }),
        )?,
        (None, Some(store)) => store.create_user(
            &Grant {
                name: &args.name,
                role: args.role,
                project: args.project.as_deref(),
                created_by: &local_actor(),
            },
            &password,
        )?,
        (None, None) => anyhow::bail!("no database and no server"),
    };
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

pub fn create_token(
    store: Option<&Store>,
    remote: Option<&Remote>,
    args: &TokenCreateArgs,
) -> anyhow::Result<Outcome> {
    let created: NewToken = match (remote, store) {
        (Some(remote), _) => remote.post_json(
            &Remote::path(&["tokens"]),
            &serde_json::json!({
                "name": args.name,
                "role": args.role.as_str(),
                "project": args.project,
                "expires_in_days": args.expires_in_days,
            }),
        )?,
        (None, Some(store)) => store.create_token(
            &Grant {
                name: &args.name,
                role: args.role,
                project: args.project.as_deref(),
                created_by: &local_actor(),
            },
            args.expires_in_days
                .map(|d| chrono::Utc::now().naive_utc() + chrono::Duration::days(i64::from(d))),
        )?,
        (None, None) => anyhow::bail!("no database and no server"),
    };
    match args.format {
        TextOrJson::Json => output::json(&created)?,
        TextOrJson::Text => {
            let info = &created.info;
            tell!(
                "token {} created: {} ({}, {}, {}); store it now, it is not shown again:",
                info.id,
                info.name,
                info.role,
                info.project
                    .as_deref()
                    .map(|p| format!("project {p}"))
                    .unwrap_or_else(|| "all projects".into()),
                info.expires_at
                    .map(|e| format!("expires {}", e.format("%Y-%m-%d %H:%M")))
                    .unwrap_or_else(|| "never expires".into()),
            );
            // The secret alone on standard output, for `TOKEN=$(scanledger token create ...)`.
            say!("{}", created.token);
        }
    }
    Ok(Outcome::Ok)
}

pub fn list_tokens(
    store: Option<&Store>,
    remote: Option<&Remote>,
    args: &ListArgs,
) -> anyhow::Result<Outcome> {
    let tokens: Vec<TokenInfo> = match (remote, store) {
        (Some(remote), _) => remote.get(&Remote::path(&["tokens"]), &[])?,
        (None, Some(store)) => store.tokens()?,
        (None, None) => anyhow::bail!("no database and no server"),
    };
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

pub fn revoke_token(
    store: Option<&Store>,
    remote: Option<&Remote>,
    args: &TokenRevokeArgs,
) -> anyhow::Result<Outcome> {
    let token: TokenInfo = match (remote, store) {
        (Some(remote), _) => remote.delete(&Remote::path(&["tokens", &args.id_or_prefix]))?,
        (None, Some(store)) => store.revoke_token(&args.id_or_prefix, &local_actor())?,
        (None, None) => anyhow::bail!("no database and no server"),
    };
    say!(
        "token {} ({}, {}) revoked",
        token.id,
        token.name,
        token.prefix
    );
    Ok(Outcome::Ok)
}
