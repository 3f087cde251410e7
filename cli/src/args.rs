//! Command-line arguments (clap derive). Every verb carries examples in its help.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "scanledger",
    version,
    about = "Security-scan aggregator and compliance evidence store",
    long_about = "ScanLedger keeps scanner reports (Trivy, Grype, Acunetix, Burp, ZAP, SonarQube, Semgrep, \
                  tfsec, Checkov, AWS Inspector and Security Hub, FOSSA, SARIF and more: `scanledger formats`) as \
                  byte-exact evidence, normalizes them into deduplicated findings, and answers the release \
                  gate.\n\nExit codes: 0 ok, 1 gate blocked, 2 error.",
    after_help = "Examples:\n  scanledger demo\n  scanledger upload --project shop --release 4.2.0 trivy.json\n  \
                  scanledger gate --project shop --release 4.2.0 --fail-on high --require trivy"
)]
pub struct Cli {
    /// Database: sqlite://PATH (default ./scanledger.db; upload, demo, serve, admin and token
    /// create it, other verbs need it to exist) or postgres://...
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://scanledger.db"
    )]
    pub database_url: String,

    /// Talk to a ScanLedger server instead of the database (upload, findings, diff, gate,
    /// releases, projects, scans, raw, triage, sla, audit, token, admin, policy set|show|versions,
    /// seal, bundle, report, vex, and key show: the server's key). Verbs that need neither
    /// ignore it; demo refuses it.
    #[arg(
        long = "server",
        global = true,
        env = "SCANLEDGER_URL",
        value_name = "URL"
    )]
    pub server: Option<String>,

    /// API token for --server (`scanledger token create` makes one). Without one, a CI job
    /// exchanges its OIDC token for a short-lived one (--oidc-token, or GitHub Actions'
    /// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN).
    #[arg(long, global = true, env = "SCANLEDGER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// The CI job's OIDC token (a JWT; GitLab: `id_tokens:` into SCANLEDGER_OIDC_TOKEN), traded
    /// for a short-lived ScanLedger token when no --token is given. Better set in the
    /// environment than on the command line.
    #[arg(
        long,
        global = true,
        env = "SCANLEDGER_OIDC_TOKEN",
        hide_env_values = true,
        value_name = "JWT"
    )]
    pub oidc_token: Option<String>,

    /// The audience asked of GitHub Actions for the job's OIDC token (a trust rule's
    /// `audience`); default: the --server URL as given, without a trailing `/`.
    #[arg(
        long,
        global = true,
        env = "SCANLEDGER_OIDC_AUDIENCE",
        value_name = "AUDIENCE"
    )]
    pub oidc_audience: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload scanner reports into a release (creates the project and release when missing).
    #[command(
        after_help = "Examples:\n  scanledger upload --project shop --release 4.2.0 trivy-image.json\n  \
                            scanledger upload --project shop --release 4.2.0 --label api-image --format json trivy.json\n  \
                            scanledger upload --project shop --release 4.2.0 --gate --fail-on critical report.sarif\n\n\
                            In CI without a stored secret (the server's [[trust]] rules; docs/SERVER.md):\n  \
                            GitHub Actions (permissions: id-token: write), with no SCANLEDGER_TOKEN:\n    \
                            SCANLEDGER_URL=https://scanledger.example.com scanledger upload --project shop --release \"$GITHUB_SHA\" trivy.json\n  \
                            GitLab CI (id_tokens: SCANLEDGER_OIDC_TOKEN: aud: https://scanledger.example.com):\n    \
                            SCANLEDGER_URL=https://scanledger.example.com scanledger upload --project shop --release \"$CI_COMMIT_SHA\" trivy.json"
    )]
    Upload(UploadArgs),
    /// List projects.
    #[command(after_help = "Example:\n  scanledger projects --format json")]
    Projects(ListArgs),
    /// List the releases of a project, oldest first.
    #[command(after_help = "Example:\n  scanledger releases --project shop")]
    Releases(ReleasesArgs),
    /// List the scans of a release (superseded ones marked).
    #[command(after_help = "Example:\n  scanledger scans --project shop --release 4.2.0")]
    Scans(ReleaseArgs),
    /// List the findings of a release's current view.
    #[command(
        after_help = "Examples:\n  scanledger findings --project shop --release 4.2.0 --severity critical,high\n  \
                            scanledger findings --project shop --release 4.2.0 --kind secret --format json\n  \
                            scanledger findings --project shop --release 4.2.0 --tool trivy --format csv > findings.csv"
    )]
    Findings(FindingsArgs),
    /// What changed between two releases: new, still open, fixed, not rescanned.
    #[command(
        after_help = "Examples:\n  scanledger diff --project shop --from 4.1.0 --to 4.2.0\n  \
                            scanledger diff --project shop --from 4.1.0 --to 4.2.0 --only new,fixed --format json"
    )]
    Diff(DiffArgs),
    /// Evaluate the release gate. Exit code 0 pass, 1 blocked, 2 error.
    #[command(
        after_help = "Examples:\n  scanledger gate --project shop --release 4.2.0\n  \
                            scanledger gate --project shop --release 4.2.0 --fail-on critical --require trivy --require tfsec --format json"
    )]
    Gate(GateArgs),
    /// Write a scan's raw report, byte-exact, to a file or standard output.
    #[command(after_help = "Example:\n  scanledger raw --scan 12 -o trivy.json")]
    Raw(RawArgs),
    /// List the report formats ScanLedger recognizes.
    #[command(after_help = "Example:\n  scanledger formats")]
    Formats(ListArgs),
    /// Load a demo project (two releases, four scanners, triage, a policy, a sealed release)
    /// and serve it, printing the URL and one-time passwords for an auditor, a triager and an
    /// admin.
    #[command(
        after_help = "Examples:\n  scanledger demo\n  scanledger demo --bind 127.0.0.1:9000\n  \
                            scanledger demo --no-serve && scanledger findings --project demo-shop --release 1.1.0\n  \
                            scanledger demo --write-samples samples && scanledger upload --project shop --release 4.2.0 samples/1.0.0/trivy-image.json"
    )]
    Demo(DemoArgs),
    /// Run the HTTP server.
    #[command(after_help = "Examples:\n  scanledger serve --bind 127.0.0.1:8080\n  \
                            scanledger serve --config /etc/scanledger.toml --database-url postgres://scanledger@db/scanledger")]
    Serve(ServeArgs),
    /// Decide on findings (one by fingerprint, or many by --filter); the decision follows the
    /// finding into later releases.
    #[command(
        after_help = "States: open, confirmed, false_positive, accepted (needs --justification, --approver, --expires).\n\n\
                      Examples:\n  scanledger triage --project shop 3fa2c1d09b7e --status false_positive --justification \"test fixture\"\n  \
                      scanledger triage --project shop 3fa2c1d09b7e --status accepted --justification \"behind WAF\" --approver ciso --expires 2027-03-01\n  \
                      scanledger triage --project shop --filter kind=code --filter rule=java:S1481 --filter 'path=vendor/**' --status false_positive --justification \"vendored\" --dry-run\n  \
                      scanledger triage --project shop 3fa2c1d09b7e --history"
    )]
    Triage(TriageArgs),
    /// Release policies: versioned TOML per project.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Control mappings (SOC 2, ISO 27001): versioned TOML per project (docs/CONTROLS.md).
    #[command(subcommand)]
    Controls(ControlsCommand),
    /// The hash-chained audit log: list events, verify the chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// VEX: export a release's decisions as OpenVEX or CycloneDX, import either as decisions.
    #[command(subcommand)]
    Vex(VexCommand),
    /// SLA view of a project: open findings by age, breaches, mean time to remediate.
    #[command(
        after_help = "Examples:\n  scanledger sla --project shop\n  scanledger sla --project shop --release 4.2.0 --releases 5 --format json"
    )]
    Sla(SlaArgs),
    /// Seal a release: freeze it, sign its evidence bundle, chain it to the previous one.
    #[command(
        after_help = "Exit codes: 0 sealed, 1 refused because the gate blocks, 2 error.\n\nExamples:\n  \
                            scanledger key generate\n  \
                            scanledger seal --project shop --release 4.2.0\n  \
                            scanledger seal --project shop --release 4.2.0 --allow-blocked --reason \"SEC-42: accepted by the CISO\" -o shop-4.2.0.zip"
    )]
    Seal(SealArgs),
    /// Write a sealed release's evidence bundle again, byte-identical to the first.
    #[command(
        after_help = "Example:\n  scanledger bundle --project shop --release 4.2.0 -o shop-4.2.0-evidence.zip"
    )]
    Bundle(BundleArgs),
    /// Write the signed audit pack of a period: every release created in it, each sealed one
    /// with its bundle's SHA-256 and control statuses, and each criterion over the period.
    #[command(
        after_help = "Example:\n  scanledger audit-pack --project shop --from 2026-10-01 --to 2026-12-31 --out shop-2026-q4-audit-pack.zip"
    )]
    AuditPack(AuditPackArgs),
    /// One report of a release: pdf, html, forum-post, csv, json, sarif, or OSCAL assessment
    /// results (oscal-ar) and plan of action and milestones (oscal-poam); a draft if open.
    #[command(
        after_help = "Examples:\n  scanledger report --project shop --release 4.2.0 --format forum-post\n  \
                            scanledger report --project shop --release 4.2.0 --format pdf -o shop-4.2.0.pdf"
    )]
    Report(ReportArgs),
    /// Verify an evidence bundle offline: hashes, signatures, manifest, chain link.
    #[command(
        after_help = "Exit codes: 0 valid and signed by a key given with --key, 1 invalid or tampered, 2 error,\n\
                      3 signatures valid but the key was not checked (no --key): the bundle's own key proves nothing.\n\n\
                      Examples:\n  \
                            scanledger verify shop-4.2.0-evidence.zip --key published-evidence-key.pub\n  \
                            scanledger verify shop-4.2.0-evidence.zip --key allowed_signers --previous shop-4.1.0-evidence.zip --format json"
    )]
    Verify(VerifyArgs),
    /// Manage the Ed25519 evidence signing key (generate, show, rotate).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Administration: users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// API tokens: create, list, revoke (locally, or on --server with an admin token);
    /// exchange a CI job's OIDC token for one (on --server).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user who logs in with a password (the first admin is made this way).
    #[command(
        after_help = "Examples:\n  SCANLEDGER_PASSWORD=... scanledger admin create-user --name alice --role admin\n  \
                            scanledger admin create-user --name bob --role auditor --project shop --password-stdin < pw.txt"
    )]
    CreateUser(CreateUserArgs),
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub name: String,
    /// admin, uploader, triager or auditor.
    #[arg(long, value_parser = parse_role)]
    pub role: schema::Role,
    /// The one project the user may act in; every project when omitted.
    #[arg(long, short)]
    pub project: Option<String>,
    /// Read the password from standard input (one line) instead of SCANLEDGER_PASSWORD.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; the secret is printed once.
    #[command(
        after_help = "Examples:\n  scanledger token create --name ci-shop --project shop --role uploader\n  \
                            scanledger token create --name audit-2026 --role auditor --expires-in-days 30 --format json"
    )]
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    #[command(after_help = "Example:\n  scanledger token list --format json")]
    List(ListArgs),
    /// Revoke a token by id or prefix.
    #[command(after_help = "Example:\n  scanledger token revoke slt_1a2b3c4d")]
    Revoke(TokenRevokeArgs),
    /// In a CI job: trade the job's OIDC token for a short-lived token at --server, and print it.
    ///
    /// The job's token is SCANLEDGER_OIDC_TOKEN (GitLab's `id_tokens:`), else the one GitHub
    /// Actions mints (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, for
    /// --oidc-audience). No --token is needed; the server's trust rules decide.
    #[command(
        after_help = "Examples:\n  export SCANLEDGER_TOKEN=\"$(scanledger token exchange)\"\n  \
                            SCANLEDGER_OIDC_TOKEN=\"$GITLAB_ID_TOKEN\" scanledger token exchange --format json"
    )]
    Exchange(TokenExchangeArgs),
}

#[derive(Debug, Args)]
pub struct TokenExchangeArgs {
    /// text: the token's secret alone on standard output (what it is for, on standard error);
    /// json: the server's answer (secret, prefix, project, role, expiry).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// What the token is for.
    #[arg(long)]
    pub name: String,
    /// admin, uploader, triager or auditor.
    #[arg(long, value_parser = parse_role)]
    pub role: schema::Role,
    /// The one project the token may act in; every project when omitted.
    #[arg(long, short)]
    pub project: Option<String>,
    /// Days until the token expires; never when omitted.
    #[arg(long)]
    pub expires_in_days: Option<u32>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    // Not named `token`: that is the id of the global `--token` credential, and clap would
    // take this value for it.
    /// Token id or prefix (see `scanledger token list`).
    #[arg(value_name = "ID_OR_PREFIX")]
    pub id_or_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ReleasesArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Tables: every column, however wide (by default a narrow terminal gets fewer columns).
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    /// Slot label; default: the tool and the scanned target without tag (e.g. trivy:registry/shop).
    #[arg(long, short)]
    pub label: Option<String>,
    /// Force a report type instead of detecting it (see `scanledger formats`).
    #[arg(long = "type", value_name = "FORMAT")]
    pub report_type: Option<String>,
    /// Who uploads (recorded with the scan).
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub uploaded_by: String,
    /// Output: text for people, json for machines (one object per file).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// After uploading, evaluate the gate and exit with its code.
    #[arg(long)]
    pub gate: bool,
    #[command(flatten)]
    pub gate_options: GateOptionArgs,
    /// Report files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GateOptionArgs {
    /// Open findings at or above this severity block the release (overrides the policy's
    /// `fail_on`; default high).
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<importers::Severity>,
    /// A tool that must have a scan in the release, besides the policy's (repeatable).
    #[arg(long = "require", value_name = "TOOL")]
    pub require: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    /// Only these severities (comma-separated: critical,high,medium,low,info,unknown).
    #[arg(long, value_delimiter = ',', value_parser = parse_severity)]
    pub severity: Vec<importers::Severity>,
    /// Only findings at or above this severity.
    #[arg(long, value_parser = parse_severity)]
    pub min_severity: Option<importers::Severity>,
    /// Only these kinds (vulnerability, misconfiguration, code, web, secret, license).
    #[arg(long, value_delimiter = ',', value_parser = parse_kind)]
    pub kind: Vec<importers::Kind>,
    /// Only these categories within a kind (e.g. SonarQube code_smell, bug, vulnerability, security_hotspot).
    #[arg(long, value_delimiter = ',')]
    pub category: Vec<String>,
    /// Only these tools.
    #[arg(long, value_delimiter = ',')]
    pub tool: Vec<String>,
    /// Only these triage states (open, confirmed, false_positive, accepted).
    #[arg(long, value_delimiter = ',', value_parser = parse_status)]
    pub status: Vec<schema::TriageStatus>,
    /// Only findings whose title, rule, component, file or URL contains this text.
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Tables: every column, however wide (by default a narrow terminal gets fewer columns).
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The earlier release.
    #[arg(long)]
    pub from: String,
    /// The later release.
    #[arg(long)]
    pub to: String,
    /// Only these changes (new, identity_refined, still_open, fixed, not_rescanned).
    #[arg(long, value_delimiter = ',', value_parser = ["new", "identity_refined", "still_open", "fixed", "not_rescanned"])]
    pub only: Vec<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Tables: every column, however wide (by default a narrow terminal gets fewer columns).
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    #[command(flatten)]
    pub options: GateOptionArgs,
    /// text for people, json for machines, junit (one test case per gate rule) or sarif for CI.
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
    /// Who asks (recorded with the evaluation).
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
    Junit,
    Sarif,
}

#[derive(Debug, Args)]
pub struct RawArgs {
    /// Scan id (see `scanledger scans`).
    #[arg(long)]
    pub scan: i64,
    /// Output file; standard output when omitted.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Load the demo, show its diff and gate, and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Write the demo's scanner reports into DIR/1.0.0/ and DIR/1.1.0/ (created if missing)
    /// and exit; the database is not opened.
    #[arg(long, value_name = "DIR", conflicts_with = "no_serve")]
    pub write_samples: Option<PathBuf>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Server settings: a flag wins over its environment variable, which wins over the TOML file
/// (`--config`), which wins over the default. See docs/SERVER.md.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SCANLEDGER_BIND")]
    pub bind: Option<String>,
    /// Optional TOML file with the same settings (bind, database_url, max_upload_bytes, ...).
    #[arg(long, env = "SCANLEDGER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Largest report accepted, in bytes [default: 536870912 = 512 MiB].
    #[arg(long, env = "SCANLEDGER_MAX_UPLOAD_BYTES")]
    pub max_upload_bytes: Option<u64>,
    /// HTTP worker threads [default: one per CPU].
    #[arg(long, env = "SCANLEDGER_WORKERS")]
    pub workers: Option<usize>,
    /// Seconds to let in-flight requests finish after SIGTERM [default: 60].
    #[arg(long, env = "SCANLEDGER_SHUTDOWN_TIMEOUT")]
    pub shutdown_timeout: Option<u64>,
    /// Log format on stderr: json (one object per line) or text [default: json].
    #[arg(long, env = "SCANLEDGER_LOG_FORMAT", value_parser = ["json", "text"])]
    pub log_format: Option<String>,
    /// Folder where uploads are spooled before import [default: the system temp folder].
    #[arg(long, env = "SCANLEDGER_UPLOAD_DIR")]
    pub upload_dir: Option<PathBuf>,
    /// Public key(s) the stored bundles must be signed with (PEM, OpenSSH or allowed_signers):
    /// the periodic audit check holds the log against the chain heads they signed.
    #[arg(long, env = "SCANLEDGER_TRUSTED_KEYS", value_name = "PUB")]
    pub trusted_keys: Option<PathBuf>,
    /// Seconds between audit chain checks; 0 turns them off [default: 3600].
    #[arg(long, env = "SCANLEDGER_AUDIT_CHECK_INTERVAL", value_name = "SECS")]
    pub audit_check_interval: Option<u64>,
    /// Folder of the evidence signing key the server seals with (`scanledger key generate`);
    /// SCANLEDGER_SIGNING_KEY overrides it. Without either the server does not seal. `demo`:
    /// default scanledger-keys beside a SQLite database (else here), a key made when missing.
    #[arg(long, env = "SCANLEDGER_KEY_DIR", value_name = "DIR")]
    pub key_dir: Option<PathBuf>,
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Web UI sign-in with an OpenID provider: each flag (or its variable) gives the `[oidc]` key
/// of its name, and wins over the TOML file's. The group mapping (`[oidc.groups]`) is in the
/// file only. See docs/SERVER.md.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sign-in with an OpenID provider ([oidc] of --config)")]
pub struct OidcArgs {
    /// The provider's issuer URL, exactly as its ID tokens' `iss`.
    #[arg(long, env = "SCANLEDGER_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// This server's client id at the provider.
    #[arg(long, env = "SCANLEDGER_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// A file holding the client secret (SCANLEDGER_OIDC_CLIENT_SECRET wins; no flag takes the
    /// secret itself, which would show in the process list).
    #[arg(long, env = "SCANLEDGER_OIDC_CLIENT_SECRET_FILE", value_name = "FILE")]
    pub oidc_client_secret_file: Option<String>,
    /// This server's callback as the provider knows it: https://HOST/ui/oidc/callback.
    #[arg(long, env = "SCANLEDGER_OIDC_REDIRECT_URL", value_name = "URL")]
    pub oidc_redirect_url: Option<String>,
    /// Where the provider returns after its sign-out [default: the sign-in page].
    #[arg(
        long,
        env = "SCANLEDGER_OIDC_POST_LOGOUT_REDIRECT_URL",
        value_name = "URL"
    )]
    pub oidc_post_logout_redirect_url: Option<String>,
    /// Scopes asked for, comma-separated [default: openid,profile,email].
    #[arg(
        long,
        env = "SCANLEDGER_OIDC_SCOPES",
        value_name = "SCOPES",
        value_delimiter = ','
    )]
    pub oidc_scopes: Option<Vec<String>>,
    /// The ID token claim that lists the user's groups [default: groups].
    #[arg(long, env = "SCANLEDGER_OIDC_GROUPS_CLAIM", value_name = "CLAIM")]
    pub oidc_groups_claim: Option<String>,
    /// The ID token claim that names the user [default: preferred_username, else email].
    #[arg(long, env = "SCANLEDGER_OIDC_USERNAME_CLAIM", value_name = "CLAIM")]
    pub oidc_username_claim: Option<String>,
    /// Refuse ID tokens that show no second factor (--oidc-require-mfa=false turns it off)
    /// [default: false].
    #[arg(
        long,
        env = "SCANLEDGER_OIDC_REQUIRE_MFA",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub oidc_require_mfa: Option<bool>,
    /// `amr` values that count as a second factor, comma-separated
    /// [default: mfa,otp,hwk,sc,fpt,face].
    #[arg(
        long,
        env = "SCANLEDGER_OIDC_MFA_AMR",
        value_name = "VALUES",
        value_delimiter = ','
    )]
    pub oidc_mfa_amr: Option<Vec<String>>,
    /// `acr` values that count as a second factor, comma-separated [default: none].
    #[arg(
        long,
        env = "SCANLEDGER_OIDC_MFA_ACR",
        value_name = "VALUES",
        value_delimiter = ','
    )]
    pub oidc_mfa_acr: Option<Vec<String>>,
}

fn parse_severity(s: &str) -> Result<importers::Severity, String> {
    importers::Severity::parse(s).ok_or_else(|| {
        format!("unknown severity {s:?}: use critical, high, medium, low, info or unknown")
    })
}

fn parse_status(s: &str) -> Result<schema::TriageStatus, String> {
    schema::TriageStatus::parse(s).map_err(|e| e.reason)
}

fn parse_kind(s: &str) -> Result<importers::Kind, String> {
    importers::Kind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}: use vulnerability, misconfiguration, code, web, secret or license"
        )
    })
}

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The finding's fingerprint (or a unique prefix of at least 8 characters); or use
    /// --filter to decide on many.
    #[arg(conflicts_with = "filter")]
    pub fingerprint: Option<String>,
    /// The new state: open, confirmed, false_positive or accepted.
    #[arg(long, required_unless_present = "history")]
    pub status: Option<String>,
    /// Why (required for accepted and false_positive).
    #[arg(long)]
    pub justification: Option<String>,
    /// Who approved the risk (accepted only).
    #[arg(long)]
    pub approver: Option<String>,
    /// Until when the acceptance holds (accepted only): YYYY-MM-DD, in the future.
    #[arg(long, value_parser = parse_date)]
    pub expires: Option<chrono::NaiveDate>,
    /// Bulk: KEY=VALUE criteria, all must match (repeatable). Keys: kind, rule, path (glob),
    /// tool, severity, min-severity, status, tool-status, text; lists are comma-separated.
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Bulk: the release whose current view is filtered (default: the latest).
    #[arg(long, short, requires = "filter")]
    pub release: Option<String>,
    /// Bulk: show what would change, store nothing.
    #[arg(long, requires = "filter")]
    pub dry_run: bool,
    /// Show the finding's decision history instead of deciding.
    #[arg(long, conflicts_with_all = ["status", "filter"])]
    pub history: bool,
    /// Who decides (recorded in the audit log). Through --server the server records its
    /// caller (the token or user) instead.
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file and store it as the project's next version.
    #[command(after_help = "Example:\n  scanledger policy set --project shop policy.toml")]
    Set(PolicySetArgs),
    /// Print the active policy (or a given version) as written.
    #[command(
        after_help = "Examples:\n  scanledger policy show --project shop\n  scanledger policy show --project shop --version 2 --format json"
    )]
    Show(PolicyShowArgs),
    /// List a project's policy versions.
    #[command(after_help = "Example:\n  scanledger policy versions --project shop")]
    Versions(ReleasesArgs),
    /// Validate a policy file without storing it (no database needed).
    #[command(after_help = "Example:\n  scanledger policy check policy.toml")]
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub struct PolicySetArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The TOML file (see docs/TRIAGE.md).
    pub file: PathBuf,
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    Toml,
    Json,
}

#[derive(Debug, Args)]
pub struct PolicyShowArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// A version number; the active one by default.
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long, value_enum, default_value_t = PolicyFormat::Toml)]
    pub format: PolicyFormat,
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit events, oldest first.
    #[command(
        after_help = "Examples:\n  scanledger audit list --project shop --since 2026-11-01\n  scanledger audit list --action triage.set --format json"
    )]
    List(AuditListArgs),
    /// Recompute the hash chain; exit 1 and name the first broken event when it does not hold.
    /// With --bundles, also check that the log still holds the chain head each sealed bundle signed.
    /// Through --server it needs an admin or auditor of every project; the bundles' signatures
    /// are still checked here, against --key.
    #[command(
        after_help = "Exit codes: 0 intact, 1 broken (or a bundle's signed head is not in the log), 2 error.\n\n\
                      Examples:\n  scanledger audit verify\n  \
                      scanledger audit verify --bundles evidence/ --key published-evidence-key.pub"
    )]
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// Only this project, by name. Without it, every project's events and those of no project
    /// (users, tokens); through --server with a token scoped to one project, that project's.
    #[arg(long, short)]
    pub project: Option<String>,
    /// Only events at or after this UTC date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS).
    #[arg(long, value_parser = parse_datetime)]
    pub since: Option<chrono::NaiveDateTime>,
    /// Only this action (scan.upload, triage.set, policy.set).
    #[arg(long)]
    pub action: Option<String>,
    /// Only the newest N events.
    #[arg(long)]
    pub limit: Option<i64>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// A folder of sealed bundles (*.zip) kept outside the database: each one's signature is
    /// checked against --key, then the chain head it signed must still be in the log.
    #[arg(long, value_name = "DIR", requires = "key")]
    pub bundles: Option<PathBuf>,
    /// The trusted public key(s) the bundles must be signed with (PEM, OpenSSH or
    /// allowed_signers; repeatable).
    #[arg(long, value_name = "PUB")]
    pub key: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum VexCommand {
    /// Write the release's decisions on its vulnerabilities as an OpenVEX or CycloneDX document.
    #[command(
        after_help = "Examples:\n  scanledger vex export --project shop --release 4.2.0 -o shop-4.2.0.openvex.json\n  scanledger vex export --project shop --release 4.2.0 --format cyclonedx -o shop-4.2.0.cdx.json"
    )]
    Export(VexExportArgs),
    /// Apply an OpenVEX or CycloneDX document's statements as triage decisions (the format is
    /// recognized by content; see docs/TRIAGE.md).
    #[command(
        after_help = "Examples:\n  scanledger vex import --project shop --expires 2027-03-01 vendor.openvex.json\n  scanledger vex import --project shop vendor.cdx.json"
    )]
    Import(VexImportArgs),
}

#[derive(Debug, Args)]
pub struct VexExportArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    /// The document's author (default: the actor).
    #[arg(long)]
    pub author: Option<String>,
    /// The document's format.
    #[arg(long, value_enum, default_value_t = VexDocumentFormat::Openvex)]
    pub format: VexDocumentFormat,
    /// The CycloneDX specification version to write (with `--format cyclonedx`).
    #[arg(long, value_enum, default_value_t = CycloneDxVersion::V1_6)]
    pub spec_version: CycloneDxVersion,
    /// Output file; standard output when omitted.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
}

/// The VEX formats `vex export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VexDocumentFormat {
    /// OpenVEX v0.2.0.
    Openvex,
    /// A CycloneDX BOM with the decisions as `vulnerabilities[].analysis`.
    Cyclonedx,
}

/// The CycloneDX specification versions `vex export --format cyclonedx` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CycloneDxVersion {
    #[value(name = "1.5")]
    V1_5,
    #[value(name = "1.6")]
    V1_6,
}

#[derive(Debug, Args)]
pub struct VexImportArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The OpenVEX or CycloneDX JSON document.
    pub file: PathBuf,
    /// Expiry of the acceptances the document makes (required when it makes any and does not
    /// name one itself).
    #[arg(long, value_parser = parse_date)]
    pub expires: Option<chrono::NaiveDate>,
    /// Approver of those acceptances (default: what the document names, else its author).
    #[arg(long)]
    pub approver: Option<String>,
    /// Show what would be decided, store nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct SlaArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release (default: the latest).
    #[arg(long, short)]
    pub release: Option<String>,
    /// How many release changes the mean time to remediate covers.
    #[arg(long, default_value_t = 10)]
    pub releases: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date: use YYYY-MM-DD"))
}

fn parse_datetime(s: &str) -> Result<chrono::NaiveDateTime, String> {
    let s = s.trim().trim_end_matches('Z');
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| parse_date(s).ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| {
            format!("{s:?} is not a date or time: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
        })
}

fn parse_role(s: &str) -> Result<schema::Role, String> {
    schema::Role::parse(s)
        .ok_or_else(|| format!("unknown role {s:?}: use admin, uploader, triager or auditor"))
}

#[derive(Debug, Args)]
pub struct KeyDirArgs {
    /// Folder of the signing key (private key file mode 0600; retired public keys kept).
    #[arg(long, env = "SCANLEDGER_KEY_DIR", default_value = "scanledger-keys")]
    pub key_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create the signing key (refuses to overwrite one).
    #[command(after_help = "Example:\n  scanledger key generate --key-dir /etc/scanledger/keys")]
    Generate(KeyDirArgs),
    /// Show the signing key's fingerprints and public key, and the retired keys.
    #[command(after_help = "Example:\n  scanledger key show")]
    Show(KeyDirArgs),
    /// Replace the signing key; the old public key is kept so old bundles still verify.
    #[command(after_help = "Example:\n  scanledger key rotate")]
    Rotate(KeyDirArgs),
}

#[derive(Debug, Args)]
pub struct SealArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    /// Where to write the bundle; default PROJECT-RELEASE-evidence.zip here.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Seal even though the gate blocks (needs --reason).
    #[arg(long, requires = "reason")]
    pub allow_blocked: bool,
    /// Why a blocked release is sealed anyway (recorded in the bundle).
    #[arg(long, requires = "allow_blocked")]
    pub reason: Option<String>,
    /// Who seals (recorded).
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub sealed_by: String,
    #[command(flatten)]
    pub gate_options: GateOptionArgs,
    #[command(flatten)]
    pub keys: KeyDirArgs,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    /// Where to write the bundle; default PROJECT-RELEASE-evidence.zip here.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Pdf,
    Html,
    ForumPost,
    Csv,
    Json,
    Sarif,
    // OSCAL 1.1.2 assessment results and plan of action and milestones (docs/EVIDENCE.md).
    // Plain comments: a doc comment here would make clap print every flag's help on a line of
    // its own.
    OscalAr,
    OscalPoam,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The release, by name (e.g. 4.2.0).
    #[arg(long, short)]
    pub release: String,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// Output file; standard output when omitted (not for pdf on a terminal).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// For an open release: the gate to show (a sealed release shows its gate at sealing).
    #[command(flatten)]
    pub gate_options: GateOptionArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle (.zip).
    pub bundle: PathBuf,
    /// The public key it must be signed with (PEM, OpenSSH or allowed_signers; repeatable).
    #[arg(long, value_name = "PUB")]
    pub key: Vec<PathBuf>,
    /// The project's previous bundle: the chain link must point at it.
    #[arg(long, value_name = "BUNDLE")]
    pub previous: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum ControlsCommand {
    /// Check a control mapping file and store it as the project's next version.
    #[command(after_help = "Example:\n  scanledger controls set --project shop controls.toml")]
    Set(ControlsSetArgs),
    /// Print the active control mapping (or a given version, or the built-in one) as written.
    #[command(
        after_help = "Examples:\n  scanledger controls show --project shop\n  scanledger controls show --project shop --version 2 --format json"
    )]
    Show(PolicyShowArgs),
    /// List a project's control mapping versions.
    #[command(after_help = "Example:\n  scanledger controls versions --project shop")]
    Versions(ReleasesArgs),
    /// Check a control mapping file without storing it (no database needed).
    #[command(after_help = "Example:\n  scanledger controls check controls.toml")]
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub struct AuditPackArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// First day of the period (YYYY-MM-DD, UTC), included.
    #[arg(long, value_parser = parse_date)]
    pub from: chrono::NaiveDate,
    /// Last day of the period (YYYY-MM-DD, UTC), included.
    #[arg(long, value_parser = parse_date)]
    pub to: chrono::NaiveDate,
    /// Where to write the pack (.zip).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub keys: KeyDirArgs,
}

#[derive(Debug, Args)]
pub struct ControlsSetArgs {
    /// The project, by name (e.g. shop).
    #[arg(long, short)]
    pub project: String,
    /// The TOML file (see docs/CONTROLS.md).
    pub file: PathBuf,
    #[arg(long, env = "SCANLEDGER_USER", default_value = "cli")]
    pub actor: String,
}
