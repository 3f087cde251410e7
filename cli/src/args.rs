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
    /// One report of a release: pdf, html, forum-post, csv, json or sarif (a draft if open).
    #[command(
        after_help = "Examples:\n  scanledger report --project shop --release 4.2.0 --format forum-post\n  \
                            scanledger report --project shop --release 4.2.0 --format pdf -o shop-4.2.0.pdf"
    )]
    Report(ReportArgs),
    /// Verify an evidence bundle offline: hashes, signatures, manifest, chain link.
    #[command(
        after_help = "Exit codes: 0 valid, 1 invalid, 2 error.\n\nExamples:\n  \
                            scanledger verify shop-4.2.0-evidence.zip --key scanledger-keys/evidence-key.pub\n  \
                            scanledger verify shop-4.2.0-evidence.zip --previous shop-4.1.0-evidence.zip --format json"
    )]
    Verify(VerifyArgs),
    /// Manage the Ed25519 evidence signing key (generate, show, rotate).
    #[command(subcommand)]
    Key(KeyCommand),
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
    #[arg(long, short)]
    pub project: String,
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
    #[arg(long, short)]
    pub project: String,
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
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, short)]
    pub project: String,
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
