//! The ledger on the database: each operation is one `schema::Store` call.

use super::{Decide, Gate, Ledger, NewGrant, Report, Seal, SealOutcome, Upload};
use indicatif::{ProgressBar, ProgressStyle};
use schema::ControlMappingVersion;
use schema::{
    AnchoredVerification, AuditEvent, AuditQuery, AuditVerification, BundleAnchor, ScanSummary,
    SlaReport, TriageFilter, TriageHistoryEntry, TriageOutcome, VexFormat, VexImportOptions,
    VexImportOutcome,
};
use schema::{
    Diff, FindingFilter, GateOptions, GateResult, Grant, ImportOutcome, ImportRequest, NewToken,
    PolicyVersion, ProjectSummary, ReleaseSummary, SealRequest, Store, StoreError, TokenInfo,
    UserInfo, ViewFinding,
};
use std::io::{IsTerminal, Write};

/// Files above this size get a progress bar on a terminal.
const PROGRESS_THRESHOLD: u64 = 8 * 1024 * 1024;

/// The database, opened.
pub struct Local {
    store: Store,
}

impl Local {
    pub fn new(store: Store) -> Local {
        Local { store }
    }
}

/// What bundles and draft reports name as their maker.
fn generator() -> String {
    format!("scanledger {}", env!("CARGO_PKG_VERSION"))
}

/// Who creates things locally: whoever runs the command on the database.
fn local_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("local:{user}")
}

impl Local {
    fn grant<'a>(grant: &NewGrant<'a>, created_by: &'a str) -> Grant<'a> {
        Grant {
            name: grant.name,
            role: grant.role,
            project: grant.project,
            created_by,
        }
    }
}

impl Ledger for Local {
    fn upload(&self, upload: &Upload<'_>) -> anyhow::Result<ImportOutcome> {
        let file = upload.file;
        let size = std::fs::metadata(file)?.len();
        let bar = (std::io::stderr().is_terminal() && size >= PROGRESS_THRESHOLD).then(|| {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(file.display().to_string());
            bar
        });
        let progress = |done: u64, _total: u64| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        };
        let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let request = ImportRequest {
            project: upload.project,
            release: upload.release,
            label: upload.label,
            format: upload.report_type,
            file_name: file_name.as_deref(),
            uploaded_by: upload.uploaded_by,
            request_id: None,
            progress: Some(&progress),
        };
        let outcome = self.store.import_scan(&request, &file);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(outcome?)
    }

    fn projects(&self) -> anyhow::Result<Vec<ProjectSummary>> {
        Ok(self.store.projects()?)
    }

    fn releases(&self, project: &str) -> anyhow::Result<Vec<ReleaseSummary>> {
        Ok(self.store.releases(project)?)
    }

    fn findings(
        &self,
        project: &str,
        release: &str,
        filter: &FindingFilter,
    ) -> anyhow::Result<Vec<ViewFinding>> {
        Ok(self.store.release_view(project, release, filter)?.findings)
    }

    fn diff(&self, project: &str, from: &str, to: &str) -> anyhow::Result<Diff> {
        Ok(self.store.diff(project, from, to)?)
    }

    fn gate(&self, gate: &Gate<'_>) -> anyhow::Result<GateResult> {
        let options = GateOptions {
            fail_on: gate.fail_on,
            required_tools: gate.required_tools.to_vec(),
            at: None,
            evaluated_by: Some(gate.actor.to_string()),
        };
        Ok(self.store.gate(gate.project, gate.release, &options)?)
    }

    fn create_user(&self, user: &NewGrant<'_>, password: &str) -> anyhow::Result<UserInfo> {
        let actor = local_actor();
        Ok(self
            .store
            .create_user(&Local::grant(user, &actor), password)?)
    }

    fn create_token(
        &self,
        token: &NewGrant<'_>,
        expires_in_days: Option<u32>,
    ) -> anyhow::Result<NewToken> {
        let actor = local_actor();
        let expires_at = expires_in_days
            .map(|d| chrono::Utc::now().naive_utc() + chrono::Duration::days(i64::from(d)));
        Ok(self
            .store
            .create_token(&Local::grant(token, &actor), expires_at)?)
    }

    fn tokens(&self) -> anyhow::Result<Vec<TokenInfo>> {
        Ok(self.store.tokens()?)
    }

    fn revoke_token(&self, id_or_prefix: &str) -> anyhow::Result<TokenInfo> {
        Ok(self.store.revoke_token(id_or_prefix, &local_actor())?)
    }

    fn scans(&self, project: &str, release: &str) -> anyhow::Result<Vec<ScanSummary>> {
        Ok(self.store.scans(project, release)?)
    }

    fn raw_report(
        &self,
        scan: domain::ScanId,
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<String> {
        Ok(self.store.raw_report(scan, out)?)
    }

    fn triage(&self, decide: &Decide<'_>, fingerprint: &str) -> anyhow::Result<TriageOutcome> {
        Ok(self.store.triage(
            decide.project,
            fingerprint,
            decide.decision,
            decide.actor,
            None,
        )?)
    }

    fn triage_bulk(
        &self,
        decide: &Decide<'_>,
        filter: &TriageFilter,
        dry_run: bool,
    ) -> anyhow::Result<TriageOutcome> {
        Ok(self.store.triage_bulk(
            decide.project,
            filter,
            decide.decision,
            decide.actor,
            None,
            dry_run,
        )?)
    }

    fn triage_history(
        &self,
        project: &str,
        fingerprint: &str,
    ) -> anyhow::Result<Vec<TriageHistoryEntry>> {
        Ok(self.store.triage_history(project, fingerprint)?)
    }

    fn sla(
        &self,
        project: &str,
        release: Option<&str>,
        releases: usize,
    ) -> anyhow::Result<SlaReport> {
        Ok(self.store.sla(project, release, releases, None)?)
    }

    fn audit_list(&self, query: &AuditQuery) -> anyhow::Result<Vec<AuditEvent>> {
        Ok(self.store.audit_list(query)?)
    }

    fn audit_verify(&self) -> anyhow::Result<AuditVerification> {
        Ok(self.store.audit_verify()?)
    }

    fn audit_verify_anchors(
        &self,
        anchors: &[BundleAnchor],
    ) -> anyhow::Result<AnchoredVerification> {
        Ok(self.store.audit_verify_anchors(anchors)?)
    }

    fn policy(&self, project: &str, version: Option<i64>) -> anyhow::Result<Option<PolicyVersion>> {
        Ok(self.store.policy(project, version)?)
    }

    fn set_policy(
        &self,
        project: &str,
        source: &str,
        actor: &str,
    ) -> anyhow::Result<PolicyVersion> {
        Ok(self.store.set_policy(project, source, actor, None)?)
    }

    fn policy_versions(&self, project: &str) -> anyhow::Result<Vec<PolicyVersion>> {
        Ok(self.store.policy_versions(project)?)
    }

    fn controls(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> anyhow::Result<ControlMappingVersion> {
        Ok(self.store.controls(project, version)?)
    }

    fn set_controls(
        &self,
        project: &str,
        source: &str,
        actor: &str,
    ) -> anyhow::Result<ControlMappingVersion> {
        Ok(self.store.set_controls(project, source, actor, None)?)
    }

    fn control_versions(&self, project: &str) -> anyhow::Result<Vec<ControlMappingVersion>> {
        Ok(self.store.control_versions(project)?)
    }

    /// Signs with the key in the key folder (or `SCANLEDGER_SIGNING_KEY`).
    fn seal(&self, seal: &Seal<'_>) -> anyhow::Result<SealOutcome> {
        let key = crate::key_dir::load(seal.key_dir)?;
        let generator = generator();
        let request = SealRequest {
            project: seal.project,
            release: seal.release,
            sealed_by: seal.sealed_by,
            gate: GateOptions {
                fail_on: seal.fail_on,
                required_tools: seal.required_tools.to_vec(),
                at: None,
                evaluated_by: Some(seal.sealed_by.to_string()),
            },
            allow_blocked_reason: seal.allow_blocked_reason,
            generator: &generator,
        };
        match self.store.seal(&request, &key) {
            Ok(record) => Ok(SealOutcome::Sealed(Box::new(record))),
            Err(err @ StoreError::Blocked { .. }) => Ok(SealOutcome::Blocked(err.to_string())),
            Err(err) => Err(err.into()),
        }
    }

    fn write_bundle(
        &self,
        project: &str,
        release: &str,
        out: &mut dyn Write,
    ) -> anyhow::Result<String> {
        Ok(self.store.write_bundle(project, release, out)?.sha256)
    }

    fn write_report(&self, report: &Report<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
        let gate = GateOptions {
            fail_on: report.fail_on,
            required_tools: report.required_tools.to_vec(),
            ..GateOptions::default()
        };
        let source =
            self.store
                .release_report(report.project, report.release, &gate, &generator())?;
        source.write(report.format, out)?;
        Ok(())
    }

    fn vex_export(
        &self,
        project: &str,
        release: &str,
        format: VexFormat,
        author: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<serde_json::Value> {
        let author = author.unwrap_or(actor);
        Ok(self
            .store
            .vex_export(project, release, format, author, None)?)
    }

    fn vex_import(
        &self,
        project: &str,
        document: &[u8],
        options: &VexImportOptions,
        actor: &str,
    ) -> anyhow::Result<VexImportOutcome> {
        Ok(self
            .store
            .vex_import(project, document, options, actor, None)?)
    }

    fn database(&self, _verb: &str) -> anyhow::Result<&Store> {
        Ok(&self.store)
    }
}
