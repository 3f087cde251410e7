//! `scanledger serve`'s settings: a flag wins over its environment variable, which wins over
//! the TOML file (`--config`). Shown with the OIDC settings, whose checks at start name the
//! value that won, so each case fails before the server binds or opens a database.

use crate::commands::Env;

/// The OIDC variables a test may set, removed from the inherited environment first.
const OIDC_VARS: [&str; 12] = [
    "SCANLEDGER_OIDC_ISSUER",
    "SCANLEDGER_OIDC_CLIENT_ID",
    "SCANLEDGER_OIDC_CLIENT_SECRET",
    "SCANLEDGER_OIDC_CLIENT_SECRET_FILE",
    "SCANLEDGER_OIDC_REDIRECT_URL",
    "SCANLEDGER_OIDC_POST_LOGOUT_REDIRECT_URL",
    "SCANLEDGER_OIDC_SCOPES",
    "SCANLEDGER_OIDC_GROUPS_CLAIM",
    "SCANLEDGER_OIDC_USERNAME_CLAIM",
    "SCANLEDGER_OIDC_REQUIRE_MFA",
    "SCANLEDGER_OIDC_MFA_AMR",
    "SCANLEDGER_OIDC_MFA_ACR",
];

/// `scanledger serve --config CONFIG FLAGS` with `vars` set: its exit code and standard error.
fn serve(env: &Env, config: &str, flags: &[&str], vars: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = env.cmd();
    for var in OIDC_VARS {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(["serve", "--bind", "127.0.0.1:0", "--config", config])
        .args(flags)
        .envs(vars.iter().copied())
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn oidc_flags_win_over_the_environment_which_wins_over_the_file() {
    let env = Env::new();
    // No [oidc.groups]: a start that got past the other checks fails on that.
    let config = env.write(
        "server.toml",
        br#"[oidc]
issuer = "http://toml.example"
client_id = "scanledger"
redirect_url = "https://scanledger.example/ui/oidc/callback"
client_secret_file = "/nonexistent/toml-secret"
"#,
    );
    let issuer = |flags: &[&str], vars: &[(&str, &str)], want: &str| {
        let (code, err) = serve(&env, &config, flags, vars);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("issuer \"{want}\" is not an https URL")),
            "want the issuer {want}: {err}"
        );
    };
    let from_env = [("SCANLEDGER_OIDC_ISSUER", "http://env.example")];
    issuer(
        &["--oidc-issuer", "http://flag.example"],
        &from_env,
        "http://flag.example",
    );
    issuer(&[], &from_env, "http://env.example");
    issuer(&[], &[], "http://toml.example");

    // The client secret file, the same way; the secret's own variable wins over every file.
    let https = [("SCANLEDGER_OIDC_ISSUER", "https://idp.example")];
    let secret = |flags: &[&str], vars: &[(&str, &str)], want: &str| {
        let vars: Vec<(&str, &str)> = https.iter().chain(vars).copied().collect();
        let (code, err) = serve(&env, &config, flags, &vars);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("reading client_secret_file {want}")),
            "want the secret file {want}: {err}"
        );
    };
    let from_env = [(
        "SCANLEDGER_OIDC_CLIENT_SECRET_FILE",
        "/nonexistent/env-secret",
    )];
    secret(
        &["--oidc-client-secret-file", "/nonexistent/flag-secret"],
        &from_env,
        "/nonexistent/flag-secret",
    );
    secret(&[], &from_env, "/nonexistent/env-secret");
    secret(&[], &[], "/nonexistent/toml-secret");
    let (code, err) = serve(
        &env,
        &config,
        &["--oidc-client-secret-file", "/nonexistent/flag-secret"],
        &[
            https[0],
            ("SCANLEDGER_OIDC_CLIENT_SECRET", "the-secret-itself"),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no [oidc.groups] mapping"), "{err}");
    assert!(!err.contains("the-secret-itself"), "the secret was shown");
}

#[test]
fn oidc_settings_may_come_from_flags_alone_but_the_group_mapping_from_the_file() {
    let env = Env::new();
    let empty = env.write("empty.toml", b"");
    // Flags without a file: everything but the groups, which only the file holds.
    let flags = [
        "--oidc-issuer",
        "https://idp.example",
        "--oidc-client-id",
        "scanledger",
        "--oidc-redirect-url",
        "https://scanledger.example/ui/oidc/callback",
    ];
    let (code, err) = serve(&env, &empty, &flags, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no [oidc.groups] mapping"), "{err}");
    // A missing key names its flag, variable and key.
    let (code, err) = serve(&env, &empty, &flags[..4], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "redirect_url is missing (--oidc-redirect-url, SCANLEDGER_OIDC_REDIRECT_URL or \
             redirect_url in [oidc])"
        ),
        "{err}"
    );
    // A boolean flag takes true or false, and so does its variable.
    let (code, err) = serve(&env, &empty, &["--oidc-require-mfa=maybe"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid value 'maybe'"), "{err}");
    let (code, err) = serve(
        &env,
        &empty,
        &[],
        &[("SCANLEDGER_OIDC_REQUIRE_MFA", "sometimes")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid value 'sometimes'"), "{err}");
    // Any OIDC setting asks for a provider: alone, it is an error naming what is missing.
    let (code, err) = serve(&env, &empty, &["--oidc-require-mfa"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("issuer is missing"), "{err}");
}
