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
    #[command(after_help = "Example:\n  scanledger serve --bind 127.0.0.1:8080")]
    Serve(ServeArgs),
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
    /// Only these categories within a kind (e.g. SonarQube code_smell, bug, vulnerability, security_hotspot).
    #[arg(long, value_delimiter = ',')]
    pub category: Vec<String>,
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SCANLEDGER_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
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
