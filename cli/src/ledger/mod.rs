//! The ledger the verbs act on: the database ([`Local`], over `schema::Store`) or a ScanLedger
//! server ([`Remote`], over its JSON API). Each verb is written once, against [`Ledger`]; which
//! one it gets is chosen once, from `--server` / `SCANLEDGER_URL` (`commands::run`). Both
//! answer with the same types, schema's, so the verbs print the same either way.

mod local;
mod remote;
mod workload;

pub use local::Local;
pub use remote::Remote;
pub use workload::{JobToken, OIDC_TOKEN_VAR};

use importers::Severity;
use reports::ReportFormat;
use schema::ControlMappingVersion;
use schema::{
    BundleRecord, Diff, FindingFilter, GateResult, ImportOutcome, NewToken, PolicyVersion,
    ProjectSummary, ReleaseSummary, Role, Store, TokenInfo, UserInfo, ViewFinding,
};
// Scans, raw reports, triage, SLA and the audit log.
use schema::{
    AnchoredVerification, AuditEvent, AuditQuery, AuditVerification, BundleAnchor, ScanSummary,
    SlaReport, TriageDecision, TriageFilter, TriageHistoryEntry, TriageOutcome, VexFormat,
    VexImportOptions, VexImportOutcome,
};
use std::io::Write;
use std::path::Path;

/// One report file to store in a release's slot.
pub struct Upload<'a> {
    pub project: &'a str,
    pub release: &'a str,
    /// The slot; `None`: the tool's default.
    pub label: Option<&'a str>,
    /// The format, when it is not to be detected.
    pub report_type: Option<&'a str>,
    /// Who uploads (the database records it; a server knows its caller from the token).
    pub uploaded_by: &'a str,
    pub file: &'a Path,
}

/// A gate evaluation, recorded like CI's.
pub struct Gate<'a> {
    pub project: &'a str,
    pub release: &'a str,
    pub fail_on: Option<Severity>,
    pub required_tools: &'a [String],
    /// Who evaluates (the database records it; a server knows its caller from the token).
    pub actor: &'a str,
}

/// A user to create, or a token to issue: its name, role and project (`None`: every project).
pub struct NewGrant<'a> {
    pub name: &'a str,
    pub role: Role,
    pub project: Option<&'a str>,
}

/// A triage decision and who makes it.
pub struct Decide<'a> {
    pub project: &'a str,
    pub decision: &'a TriageDecision,
    /// Who decides (the database records it; a server records its caller instead).
    pub actor: &'a str,
}

/// A release to seal, and under which gate.
pub struct Seal<'a> {
    pub project: &'a str,
    pub release: &'a str,
    pub fail_on: Option<Severity>,
    pub required_tools: &'a [String],
    /// Seal although the gate blocks, for this reason.
    pub allow_blocked_reason: Option<&'a str>,
    /// Who seals (the database records it; a server knows its caller from the token).
    pub sealed_by: &'a str,
    /// The signing key's folder (a server signs with its own key).
    pub key_dir: &'a Path,
}

/// What came of a seal.
pub enum SealOutcome {
    Sealed(Box<BundleRecord>),
    /// The gate blocks and no reason to seal anyway was given: the store's refusal, in words.
    Blocked(String),
}

/// One report of a release.
pub struct Report<'a> {
    pub project: &'a str,
    pub release: &'a str,
    pub format: ReportFormat,
    /// The gate an open release's draft shows (a sealed release shows its gate at sealing).
    pub fail_on: Option<Severity>,
    pub required_tools: &'a [String],
}

/// What the verbs that work remotely need of a ledger.
pub trait Ledger {
    /// Stores one report file; a repeat of the same bytes in the same slot answers the
    /// existing scan (`duplicate`).
    fn upload(&self, upload: &Upload<'_>) -> anyhow::Result<ImportOutcome>;

    /// Every project the caller may see, by name.
    fn projects(&self) -> anyhow::Result<Vec<ProjectSummary>>;

    /// A project's releases.
    fn releases(&self, project: &str) -> anyhow::Result<Vec<ReleaseSummary>>;

    /// A release's current findings that `filter` keeps: most severe first, then by rule id
    /// and fingerprint.
    fn findings(
        &self,
        project: &str,
        release: &str,
        filter: &FindingFilter,
    ) -> anyhow::Result<Vec<ViewFinding>>;

    /// What changed between two releases of a project.
    fn diff(&self, project: &str, from: &str, to: &str) -> anyhow::Result<Diff>;

    /// Evaluates a release's gate and records the evaluation (where the caller may record).
    fn gate(&self, gate: &Gate<'_>) -> anyhow::Result<GateResult>;

    /// Creates a user with a password.
    fn create_user(&self, user: &NewGrant<'_>, password: &str) -> anyhow::Result<UserInfo>;

    /// Issues an API token; its secret is in the answer and nowhere else.
    fn create_token(
        &self,
        token: &NewGrant<'_>,
        expires_in_days: Option<u32>,
    ) -> anyhow::Result<NewToken>;

    /// Every API token, newest first, without secrets.
    fn tokens(&self) -> anyhow::Result<Vec<TokenInfo>>;

    /// Revokes a token named by id or prefix.
    fn revoke_token(&self, id_or_prefix: &str) -> anyhow::Result<TokenInfo>;

    /// A release's scans, oldest first, superseded ones marked.
    fn scans(&self, project: &str, release: &str) -> anyhow::Result<Vec<ScanSummary>>;

    /// Writes a scan's report, byte-exact, to `out` as it arrives (never whole in memory);
    /// answers its SHA-256, checked against the one recorded.
    fn raw_report(
        &self,
        scan: domain::ScanId,
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<String>;

    /// Decides on one finding (by fingerprint or a unique prefix of it).
    fn triage(&self, decide: &Decide<'_>, fingerprint: &str) -> anyhow::Result<TriageOutcome>;

    /// Decides on every finding `filter` keeps, in one transaction; with `dry_run`, only says
    /// which.
    fn triage_bulk(
        &self,
        decide: &Decide<'_>,
        filter: &TriageFilter,
        dry_run: bool,
    ) -> anyhow::Result<TriageOutcome>;

    /// Every decision on a finding, oldest first.
    fn triage_history(
        &self,
        project: &str,
        fingerprint: &str,
    ) -> anyhow::Result<Vec<TriageHistoryEntry>>;

    /// The SLA view of a release (the latest when `None`), with the mean time to remediate
    /// over the last `releases` release changes.
    fn sla(
        &self,
        project: &str,
        release: Option<&str>,
        releases: usize,
    ) -> anyhow::Result<SlaReport>;

    /// Audit events, oldest first.
    fn audit_list(&self, query: &AuditQuery) -> anyhow::Result<Vec<AuditEvent>>;

    /// The audit log's hash chain, recomputed.
    fn audit_verify(&self) -> anyhow::Result<AuditVerification>;

    /// The chain recomputed, and held against the heads sealed bundles signed (the bundles
    /// checked by the caller against the keys it trusts).
    fn audit_verify_anchors(
        &self,
        anchors: &[BundleAnchor],
    ) -> anyhow::Result<AnchoredVerification>;

    /// A policy version of a project (the active one when `version` is `None`); `None` when
    /// the project has no policy, or not that version.
    fn policy(&self, project: &str, version: Option<i64>) -> anyhow::Result<Option<PolicyVersion>>;

    /// Validates a policy's TOML and stores it as the project's next version (the text of the
    /// active version again stores nothing and says so).
    fn set_policy(&self, project: &str, source: &str, actor: &str)
    -> anyhow::Result<PolicyVersion>;

    /// Every policy version of a project, oldest first.
    fn policy_versions(&self, project: &str) -> anyhow::Result<Vec<PolicyVersion>>;

    /// A control mapping version of a project (the active one when `version` is `None`, the
    /// built-in mapping when the project set none).
    fn controls(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> anyhow::Result<ControlMappingVersion>;

    /// Checks a control mapping's TOML and stores it as the project's next version.
    fn set_controls(
        &self,
        project: &str,
        source: &str,
        actor: &str,
    ) -> anyhow::Result<ControlMappingVersion>;

    /// Every control mapping version of a project, oldest first.
    fn control_versions(&self, project: &str) -> anyhow::Result<Vec<ControlMappingVersion>>;

    /// Seals a release: freezes it and stores its signed bundle.
    fn seal(&self, seal: &Seal<'_>) -> anyhow::Result<SealOutcome>;

    /// Writes a sealed release's bundle into `out`, as it was signed; answers its SHA-256.
    fn write_bundle(
        &self,
        project: &str,
        release: &str,
        out: &mut dyn Write,
    ) -> anyhow::Result<String>;

    /// Writes one report of a release into `out`: a sealed release's as signed, an open
    /// release's as a draft.
    fn write_report(&self, report: &Report<'_>, out: &mut dyn Write) -> anyhow::Result<()>;

    /// A release's decisions as a VEX document of `format`, by `author` (a server writes its
    /// caller when the author is `None`).
    fn vex_export(
        &self,
        project: &str,
        release: &str,
        format: VexFormat,
        author: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<serde_json::Value>;

    /// A VEX document's statements as decisions, in one transaction (none with `dry_run`).
    fn vex_import(
        &self,
        project: &str,
        document: &[u8],
        options: &VexImportOptions,
        actor: &str,
    ) -> anyhow::Result<VexImportOutcome>;

    /// The database itself, for the verbs that have no remote mode yet: a ledger that is not
    /// the database refuses them here, the one place that says so. When the API offers a
    /// verb, it becomes a method above and stops asking for this.
    fn database(&self, verb: &str) -> anyhow::Result<&Store> {
        anyhow::bail!(
            "`{verb}` has no remote mode yet; unset SCANLEDGER_URL (and --server) to run it on \
             the database"
        )
    }
}
