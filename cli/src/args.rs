//! Command-line arguments (clap derive). Every verb carries examples in its help.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "scanledger",
    version,
    about = "Security-scan aggregator and compliance evidence store",
    long_about = "ScanLedger keeps scanner reports (Trivy, Acunetix, SonarQube, tfsec, FOSSA, SARIF) as \
                  byte-exact evidence, normalizes them into deduplicated findings, and answers the release \
                  gate.\n\nExit codes: 0 ok, 1 gate blocked, 2 error.",
    after_help = "Examples:\n  scanledger demo\n  scanledger upload --project shop --release 4.2.0 trivy.json\n  \
                  scanledger gate --project shop --release 4.2.0 --fail-on high --require trivy"
)]
pub struct Cli {
    /// Database: sqlite://PATH (default ./scanledger.db, created on first use) or postgres://...
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://scanledger.db"
    )]
    pub database_url: String,

    /// Talk to a ScanLedger server instead of the database (upload, findings, diff, gate,
    /// releases, projects, token).
    #[arg(
        long = "server",
        global = true,
        env = "SCANLEDGER_URL",
        value_name = "URL"
    )]
    pub server: Option<String>,

    /// API token for --server (`scanledger token create` makes one).
    #[arg(long, global = true, env = "SCANLEDGER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload scanner reports into a release (creates the project and release when missing).
    #[command(
        after_help = "Examples:\n  scanledger upload --project shop --release 4.2.0 trivy-image.json\n  \
                            scanledger upload --project shop --release 4.2.0 --label api-image --format json trivy.json\n  \
                            scanledger upload --project shop --release 4.2.0 --gate --fail-on critical report.sarif"
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
    /// Load a demo project with two releases of sample reports, then show the diff and gate.
    #[command(
        after_help = "Example:\n  scanledger demo && scanledger findings --project demo-shop --release 1.1.0"
    )]
    Demo,
    /// Run the HTTP server.
    #[command(after_help = "Examples:\n  scanledger serve --bind 127.0.0.1:8080\n  \
                            scanledger serve --config /etc/scanledger.toml --database-url postgres://scanledger@db/scanledger")]
    Serve(ServeArgs),
    /// Administration: users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// API tokens: create, list, revoke (locally, or on --server with an admin token).
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
    /// Token id or prefix (see `scanledger token list`).
    pub token: String,
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
    #[arg(long, short)]
    pub project: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[arg(long, short)]
    pub project: String,
    #[arg(long, short)]
    pub release: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    #[arg(long, short)]
    pub project: String,
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
    /// Open findings at or above this severity block the release.
    #[arg(long, default_value = "high", value_parser = parse_severity)]
    pub fail_on: importers::Severity,
    /// A tool that must have a scan in the release (repeatable).
    #[arg(long = "require", value_name = "TOOL")]
    pub require: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[arg(long, short)]
    pub project: String,
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
    /// Only these tools.
    #[arg(long, value_delimiter = ',')]
    pub tool: Vec<String>,
    /// Only these triage states (open, confirmed, false_positive, accepted).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only findings whose title, rule, component, file or URL contains this text.
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[arg(long, short)]
    pub project: String,
    /// The earlier release.
    #[arg(long)]
    pub from: String,
    /// The later release.
    #[arg(long)]
    pub to: String,
    /// Only these changes (new, still_open, fixed, not_rescanned).
    #[arg(long, value_delimiter = ',', value_parser = ["new", "still_open", "fixed", "not_rescanned"])]
    pub only: Vec<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    #[arg(long, short)]
    pub project: String,
    #[arg(long, short)]
    pub release: String,
    #[command(flatten)]
    pub options: GateOptionArgs,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
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
}

fn parse_severity(s: &str) -> Result<importers::Severity, String> {
    importers::Severity::parse(s).ok_or_else(|| {
        format!("unknown severity {s:?}: use critical, high, medium, low, info or unknown")
    })
}

fn parse_kind(s: &str) -> Result<importers::Kind, String> {
    importers::Kind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}: use vulnerability, misconfiguration, code, web, secret or license"
        )
    })
}

fn parse_role(s: &str) -> Result<schema::Role, String> {
    schema::Role::parse(s)
        .ok_or_else(|| format!("unknown role {s:?}: use admin, uploader, triager or auditor"))
}
