//! Remote mode: with `--server URL` (or `SCANLEDGER_URL`) the verbs talk to a ScanLedger server
//! over its JSON API instead of opening the database, with the same flags, output and exit
//! codes: [`Remote`] is the [`Ledger`] whose operations are API calls, answering with the same
//! schema types the API serializes. The token comes from `--token` or `SCANLEDGER_TOKEN` and is
//! never printed.
//!
//! Network errors and 502/503/504 answers are retried with exponential backoff. Every call is
//! safe to repeat: reads are reads, and the store answers a repeated upload of the same bytes to
//! the same slot with the existing scan (`duplicate: true`).

use super::workload::{self, JobToken};
use super::{Decide, Gate, Ledger, NewGrant, Report, Seal, SealOutcome, Upload};
use anyhow::{Context, bail};
use backon::{BlockingRetryable, ExponentialBuilder};
use indicatif::{ProgressBar, ProgressStyle};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use schema::ControlMappingVersion;
use schema::{
    AnchoredVerification, AuditEvent, AuditQuery, AuditVerification, BundleAnchor, ScanSummary,
    SlaReport, TriageDecision, TriageFilter, TriageHistoryEntry, TriageOutcome, VexFormat,
    VexImportOptions, VexImportOutcome,
};
use schema::{
    BundleRecord, Diff, FindingFilter, FindingsPage, GateResult, ImportOutcome, NewToken,
    PolicyVersion, ProjectSummary, ReleaseSummary, TokenInfo, UserInfo, ViewFinding,
};
use serde::de::DeserializeOwned;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::Duration;
use ureq::Agent;

/// How many times a failed call is tried again (five tries in all).
const RETRIES: usize = 4;
/// Largest JSON answer read (a diff of a large release).
const MAX_ANSWER: u64 = 1 << 30;

/// A ScanLedger server, called over HTTP with retries.
pub struct Remote {
    base: String,
    token: Option<String>,
    agent: Agent,
}

/// What [`encode`] leaves as it is: letters, digits and `-._~` (RFC 3986's unreserved set).
/// Everything else, `/`, `+`, `%` and spaces included, is percent-encoded, so the server
/// decodes each segment back to exactly the name given.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment or query value.
fn encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// A retryable failure, or a final one.
enum Failure {
    Retry(anyhow::Error),
    Final(anyhow::Error),
}

impl Failure {
    fn error(&self) -> &anyhow::Error {
        match self {
            Failure::Retry(e) | Failure::Final(e) => e,
        }
    }

    fn into_error(self) -> anyhow::Error {
        match self {
            Failure::Retry(e) | Failure::Final(e) => e,
        }
    }
}

/// A server's refusal: its status, and the code and message of its error shape.
#[derive(Debug)]
struct Refused {
    status: u16,
    /// The stable code (`blocked`, `no_policy`, ...), when the answer had the error shape.
    code: Option<String>,
    /// The server's own words, when the answer had the error shape.
    said: Option<String>,
    message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

/// Reads the error shape of a failed answer into a message.
fn api_error(status: u16, body: &str) -> anyhow::Error {
    let parsed: Option<(String, String)> = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let e = v.get("error")?;
            Some((
                e.get("code")?.as_str()?.to_string(),
                e.get("message")?.as_str()?.to_string(),
            ))
        });
    let message = match &parsed {
        Some((code, message)) => format!("server answered {status} ({code}): {message}"),
        None => format!(
            "server answered {status}: {}",
            body.chars().take(200).collect::<String>()
        ),
    };
    let (code, said) = parsed.unzip();
    anyhow::Error::new(Refused {
        status,
        code,
        said,
        message,
    })
}

/// The refusal in `err`, when it is the server's with this code.
fn refused_with<'e>(err: &'e anyhow::Error, code: &str) -> Option<&'e Refused> {
    err.downcast_ref::<Refused>()
        .filter(|r| r.code.as_deref() == Some(code))
}

impl Remote {
    pub fn new(base: &str, token: Option<String>) -> anyhow::Result<Remote> {
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("server URL {base:?} must start with http:// or https://");
        }
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build()
            .into();
        Ok(Remote {
            base: base.trim_end_matches('/').to_string(),
            token,
            agent,
        })
    }

    /// The server's URL as given, without a trailing `/`: the default audience a CI job's
    /// OIDC token is asked for.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Trades the CI job's OIDC token for a short-lived ScanLedger token
    /// (`POST /api/v1/auth/exchange`), calls with it from then on, and returns it. Tried once:
    /// the server takes a job token once, so a repeat of an exchange it had done would be
    /// refused.
    pub fn exchange(&mut self, job: JobToken, audience: &str) -> anyhow::Result<NewToken> {
        let source = job.source();
        let jwt = job.jwt(&workload::agent(), audience)?;
        let url = self.url("/api/v1/auth/exchange", &[]);
        let result = self
            .agent
            .post(&url)
            .send_json(serde_json::json!({ "token": jwt }));
        match self.answer::<NewToken>(result) {
            Ok((_, issued)) => {
                self.token = Some(issued.token.clone());
                Ok(issued)
            }
            Err(failure) => {
                let err = failure.into_error();
                if err
                    .downcast_ref::<Refused>()
                    .is_some_and(|r| r.status == 401)
                {
                    bail!(
                        "the server refused this job's OIDC token (from {source}, audience \
                         {audience:?}): no trust rule accepts it (unknown issuer, audience, \
                         claims, expired, or already exchanged); the server's log says which"
                    );
                }
                Err(err.context(format!(
                    "exchanging this job's OIDC token (from {source}) for a ScanLedger token"
                )))
            }
        }
    }

    /// `/api/v1/projects/{p}/releases/{r}/...` with each segment encoded.
    fn path(segments: &[&str]) -> String {
        let mut out = String::from("/api/v1");
        for s in segments {
            out.push('/');
            out.push_str(&encode(s));
        }
        out
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{path}", self.base);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode(k));
            url.push('=');
            url.push_str(&encode(v));
        }
        url
    }

    fn auth(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {t}"))
    }

    /// Runs `attempt` until it succeeds, fails for good, or runs out of attempts; waits 0.5 s
    /// before the first retry and twice as long before each next one (8 s at most).
    fn with_retries<T>(&self, attempt: impl FnMut() -> Result<T, Failure>) -> anyhow::Result<T> {
        let backoff = ExponentialBuilder::new()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(RETRIES);
        let mut retried = 0u32;
        attempt
            .retry(backoff)
            .sleep(std::thread::sleep)
            .when(|failure| matches!(failure, Failure::Retry(_)))
            .notify(|failure, delay| {
                retried += 1;
                let e = failure.error();
                tracing::warn!(attempt = retried, error = %e, "retrying");
                tell!("warning: {e:#}; retrying in {:.1} s", delay.as_secs_f64());
            })
            .call()
            .map_err(Failure::into_error)
    }

    fn answer<T: DeserializeOwned>(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, T), Failure> {
        let mut response = match result {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure::Retry(
                    anyhow::Error::new(e).context(format!("cannot reach {}", self.base)),
                ));
            }
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| Failure::Retry(anyhow::Error::new(e).context("reading the answer")))?;
        if (200..300).contains(&status) {
            let value = serde_json::from_str(&body)
                .context("the server's answer is not what this client expects")
                .map_err(Failure::Final)?;
            return Ok((status, value));
        }
        let err = api_error(status, &body);
        if matches!(status, 502..=504) {
            Err(Failure::Retry(err))
        } else {
            Err(Failure::Final(err))
        }
    }

    /// GET a JSON answer.
    fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<T> {
        let url = self.url(path, query);
        self.with_retries(|| {
            let mut req = self.agent.get(&url);
            if let Some(auth) = self.auth() {
                req = req.header("Authorization", auth);
            }
            self.answer(req.call()).map(|(_, v)| v)
        })
    }

    /// POST with an empty body, for an action named by its path and query (recording a gate
    /// evaluation). Retried like a read: a repeat records the same evaluation once more.
    fn post<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<T> {
        let url = self.url(path, query);
        self.with_retries(|| {
            let mut req = self.agent.post(&url);
            if let Some(auth) = self.auth() {
                req = req.header("Authorization", auth);
            }
            self.answer(req.send_empty()).map(|(_, v)| v)
        })
    }

    /// POST a JSON body (not retried: creating twice is not harmless for tokens).
    fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<T> {
        let url = self.url(path, &[]);
        let mut req = self.agent.post(&url);
        if let Some(auth) = self.auth() {
            req = req.header("Authorization", auth);
        }
        match self.answer(req.send_json(body)) {
            Ok((_, v)) => Ok(v),
            Err(Failure::Retry(e) | Failure::Final(e)) => Err(e),
        }
    }

    /// DELETE (revoking twice is harmless, so retried).
    fn delete<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let url = self.url(path, &[]);
        self.with_retries(|| {
            let mut req = self.agent.delete(&url);
            if let Some(auth) = self.auth() {
                req = req.header("Authorization", auth);
            }
            self.answer(req.call()).map(|(_, v)| v)
        })
    }

    /// GET evidence (a raw report, a bundle) into `out` as it arrives, and check what arrived
    /// against the SHA-256 the server sends with it (`X-Content-SHA256`); answers that SHA-256.
    fn download_checked(&self, path: &str, out: &mut dyn std::io::Write) -> anyhow::Result<String> {
        let mut hashing = reports::bundle::HashingWriter::new(out);
        let headers = self.download(path, &[], &mut hashing)?;
        let (sha256, _) = hashing.finish();
        let sent = headers
            .get("X-Content-SHA256")
            .and_then(|v| v.to_str().ok())
            .context("the server sent the download without its SHA-256")?;
        if sent != sha256 {
            bail!("the download arrived damaged: SHA-256 {sha256}, the server sent {sent}");
        }
        Ok(sha256)
    }

    /// PUT a text body (a policy). Not retried: a repeat would answer "nothing stored".
    fn put_text<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> anyhow::Result<T> {
        let url = self.url(path, &[]);
        let mut req = self.agent.put(&url).header("Content-Type", content_type);
        if let Some(auth) = self.auth() {
            req = req.header("Authorization", auth);
        }
        match self.answer(req.send(body)) {
            Ok((_, v)) => Ok(v),
            Err(Failure::Retry(e) | Failure::Final(e)) => Err(e),
        }
    }

    /// A version of a project's versioned document (`policy`, `controls`): the active one when
    /// `version` is `None`.
    fn document<T: DeserializeOwned>(
        &self,
        project: &str,
        kind: &str,
        version: Option<i64>,
    ) -> anyhow::Result<T> {
        let query: Vec<(&str, String)> = version
            .map(|v| ("version", v.to_string()))
            .into_iter()
            .collect();
        self.get(&Remote::path(&["projects", project, kind]), &query)
    }

    /// Every version of a project's document, oldest first.
    fn document_versions<T: DeserializeOwned>(
        &self,
        project: &str,
        kind: &str,
    ) -> anyhow::Result<Vec<T>> {
        self.get(&Remote::path(&["projects", project, kind, "versions"]), &[])
    }

    /// POST a JSON body with a query; not retried (sealing twice is refused the second time).
    fn post_json_query<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &serde_json::Value,
    ) -> anyhow::Result<T> {
        let url = self.url(path, query);
        let mut req = self.agent.post(&url);
        if let Some(auth) = self.auth() {
            req = req.header("Authorization", auth);
        }
        match self.answer(req.send_json(body)) {
            Ok((_, v)) => Ok(v),
            Err(Failure::Retry(e) | Failure::Final(e)) => Err(e),
        }
    }

    /// GET a file the server streams (a bundle, a report) and copy it into `out` as it
    /// arrives, never whole in memory. Retried until the server answers; the body is then read
    /// once, and a body cut short is an error (the caller drops what it got). Answers the
    /// response's headers.
    fn download(
        &self,
        path: &str,
        query: &[(&str, String)],
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<ureq::http::HeaderMap> {
        let url = self.url(path, query);
        let response = self.with_retries(|| {
            let mut req = self.agent.get(&url);
            if let Some(auth) = self.auth() {
                req = req.header("Authorization", auth);
            }
            let mut response = req.call().map_err(|e| {
                Failure::Retry(anyhow::Error::new(e).context(format!("cannot reach {}", self.base)))
            })?;
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(response);
            }
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER)
                .read_to_string()
                .unwrap_or_default();
            let err = api_error(status, &body);
            if matches!(status, 502..=504) {
                Err(Failure::Retry(err))
            } else {
                Err(Failure::Final(err))
            }
        })?;
        let (parts, body) = response.into_parts();
        std::io::copy(&mut body.into_reader(), out).context("reading the answer")?;
        Ok(parts.headers)
    }

    /// Streams a report file as the request body, with a progress bar on a terminal.
    fn upload_file<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        file: &Path,
    ) -> anyhow::Result<T> {
        let url = self.url(path, query);
        let size = std::fs::metadata(file)
            .with_context(|| format!("reading {}", file.display()))?
            .len();
        self.with_retries(|| {
            let reader = std::fs::File::open(file)
                .with_context(|| format!("opening {}", file.display()))
                .map_err(Failure::Final)?;
            let bar = std::io::stderr().is_terminal().then(|| {
                let bar = ProgressBar::new(size);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(format!("uploading {}", file.display()));
                bar
            });
            let mut body = Progress {
                inner: reader,
                bar: bar.clone(),
            };
            let mut req = self
                .agent
                .post(&url)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Length", size.to_string());
            if let Some(auth) = self.auth() {
                req = req.header("Authorization", auth);
            }
            let result = req.send(ureq::SendBody::from_reader(&mut body));
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            self.answer(result).map(|(_, v)| v)
        })
    }
}

/// A reader that moves a progress bar.
struct Progress<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// A list flag as the API takes it: comma-separated.
fn list(items: &[impl ToString]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The query of the findings list for a filter.
fn findings_query(filter: &FindingFilter) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if !filter.severities.is_empty() {
        query.push(("severity", list(&filter.severities)));
    }
    if let Some(min) = filter.min_severity {
        query.push(("min_severity", min.to_string()));
    }
    if !filter.kinds.is_empty() {
        query.push(("kind", list(&filter.kinds)));
    }
    if !filter.categories.is_empty() {
        query.push(("category", filter.categories.join(",")));
    }
    if !filter.tools.is_empty() {
        query.push(("tool", filter.tools.join(",")));
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query.push(("status", statuses.join(",")));
    }
    if let Some(text) = &filter.text {
        query.push(("text", text.clone()));
    }
    query
}

/// A decision as the triage routes take it.
fn decision_body(decision: &TriageDecision) -> serde_json::Value {
    serde_json::json!({
        "status": decision.status.as_str(),
        "justification": decision.justification,
        "approver": decision.approver,
        "expires": decision.expires.map(|d| d.format("%Y-%m-%d").to_string()),
    })
}

/// A bulk decision's body: the filter's criteria under the API's names, the decision, and
/// `dry_run`.
fn bulk_body(
    filter: &TriageFilter,
    decision: &TriageDecision,
    dry_run: bool,
) -> anyhow::Result<serde_json::Value> {
    let f = &filter.findings;
    let strings = |items: &[String]| items.to_vec();
    let mut body = serde_json::json!({
        "release": filter.release,
        "kind": f.kinds.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "category": strings(&f.categories),
        "tool": strings(&f.tools),
        "severity": f.severities.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "min_severity": f.min_severity.map(|s| s.to_string()),
        "current_status": f.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "tool_status": strings(&filter.tool_statuses),
        "rule": strings(&filter.rules),
        "path": filter.path,
        "text": f.text,
        "dry_run": dry_run,
    });
    if let (Some(body), serde_json::Value::Object(decision)) =
        (body.as_object_mut(), decision_body(decision))
    {
        body.extend(decision);
    } else {
        bail!("internal error: a triage body is not a JSON object");
    }
    Ok(body)
}

/// The filters of the audit list as query parameters.
fn audit_query(query: &AuditQuery) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    if let Some(since) = query.since {
        q.push(("since", since.format("%Y-%m-%dT%H:%M:%S%.f").to_string()));
    }
    if let Some(action) = &query.action {
        q.push(("action", action.clone()));
    }
    if let Some(limit) = query.limit {
        q.push(("limit", limit.to_string()));
    }
    q
}

impl Ledger for Remote {
    fn upload(&self, upload: &Upload<'_>) -> anyhow::Result<ImportOutcome> {
        let path = Remote::path(&[
            "projects",
            upload.project,
            "releases",
            upload.release,
            "scans",
        ]);
        let mut q = Vec::new();
        if let Some(label) = upload.label {
            q.push(("label", label.to_string()));
        }
        if let Some(t) = upload.report_type {
            q.push(("type", t.to_string()));
        }
        if let Some(name) = upload.file.file_name() {
            q.push(("file_name", name.to_string_lossy().into_owned()));
        }
        self.upload_file(&path, &q, upload.file)
    }

    fn projects(&self) -> anyhow::Result<Vec<ProjectSummary>> {
        self.get(&Remote::path(&["projects"]), &[])
    }

    fn releases(&self, project: &str) -> anyhow::Result<Vec<ReleaseSummary>> {
        self.get(&Remote::path(&["projects", project, "releases"]), &[])
    }

    /// Every page of the API's list, in the local order.
    fn findings(
        &self,
        project: &str,
        release: &str,
        filter: &FindingFilter,
    ) -> anyhow::Result<Vec<ViewFinding>> {
        let path = Remote::path(&["projects", project, "releases", release, "findings"]);
        let mut base = vec![("limit", "1000".to_string())];
        base.extend(findings_query(filter));
        let mut findings = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = base.clone();
            if let Some(c) = &cursor {
                q.push(("cursor", c.clone()));
            }
            let page: FindingsPage = self.get(&path, &q)?;
            findings.extend(page.findings);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        // The local order: most severe first, then by rule and fingerprint.
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule_id.cmp(&b.rule_id))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        Ok(findings)
    }

    fn diff(&self, project: &str, from: &str, to: &str) -> anyhow::Result<Diff> {
        self.get(
            &Remote::path(&["projects", project, "diff"]),
            &[("from", from.to_string()), ("to", to.to_string())],
        )
    }

    /// Recorded, like the local `gate`; a caller whose role may not record (an auditor) gets
    /// the same answer from the read, and nothing is recorded.
    fn gate(&self, gate: &Gate<'_>) -> anyhow::Result<GateResult> {
        let mut q = Vec::new();
        if let Some(fail_on) = gate.fail_on {
            q.push(("fail_on", fail_on.to_string()));
        }
        if !gate.required_tools.is_empty() {
            q.push(("require", gate.required_tools.join(",")));
        }
        let path = Remote::path(&["projects", gate.project, "releases", gate.release, "gate"]);
        match self.post(&path, &q) {
            Err(err)
                if err
                    .downcast_ref::<Refused>()
                    .is_some_and(|r| r.status == 403) =>
            {
                tell!("note: this evaluation is not recorded (recording needs the uploader role)");
                self.get(&path, &q)
            }
            answer => answer,
        }
    }

    fn create_user(&self, user: &NewGrant<'_>, password: &str) -> anyhow::Result<UserInfo> {
        self.post_json(
            &Remote::path(&["users"]),
            &serde_json::json!({
                "name": user.name,
                "password": password,
                "role": user.role.as_str(),
                "project": user.project,
            }),
        )
    }

    fn create_token(
        &self,
        token: &NewGrant<'_>,
        expires_in_days: Option<u32>,
    ) -> anyhow::Result<NewToken> {
        self.post_json(
            &Remote::path(&["tokens"]),
            &serde_json::json!({
                "name": token.name,
                "role": token.role.as_str(),
                "project": token.project,
                "expires_in_days": expires_in_days,
            }),
        )
    }

    fn tokens(&self) -> anyhow::Result<Vec<TokenInfo>> {
        self.get(&Remote::path(&["tokens"]), &[])
    }

    fn revoke_token(&self, id_or_prefix: &str) -> anyhow::Result<TokenInfo> {
        self.delete(&Remote::path(&["tokens", id_or_prefix]))
    }

    fn scans(&self, project: &str, release: &str) -> anyhow::Result<Vec<ScanSummary>> {
        self.get(
            &Remote::path(&["projects", project, "releases", release, "scans"]),
            &[],
        )
    }

    /// By scan id alone, as locally: the server checks the caller may read its project.
    fn raw_report(
        &self,
        scan: domain::ScanId,
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<String> {
        self.download_checked(&Remote::path(&["scans", &scan.to_string(), "raw"]), out)
    }

    /// Not retried: a repeat would record the decision twice in the history.
    fn triage(&self, decide: &Decide<'_>, fingerprint: &str) -> anyhow::Result<TriageOutcome> {
        self.post_json(
            &Remote::path(&[
                "projects",
                decide.project,
                "findings",
                fingerprint,
                "triage",
            ]),
            &decision_body(decide.decision),
        )
    }

    fn triage_bulk(
        &self,
        decide: &Decide<'_>,
        filter: &TriageFilter,
        dry_run: bool,
    ) -> anyhow::Result<TriageOutcome> {
        self.post_json(
            &Remote::path(&["projects", decide.project, "triage"]),
            &bulk_body(filter, decide.decision, dry_run)?,
        )
    }

    fn triage_history(
        &self,
        project: &str,
        fingerprint: &str,
    ) -> anyhow::Result<Vec<TriageHistoryEntry>> {
        self.get(
            &Remote::path(&["projects", project, "findings", fingerprint, "history"]),
            &[],
        )
    }

    fn sla(
        &self,
        project: &str,
        release: Option<&str>,
        releases: usize,
    ) -> anyhow::Result<SlaReport> {
        let mut q = vec![("releases", releases.to_string())];
        if let Some(release) = release {
            q.push(("release", release.to_string()));
        }
        self.get(&Remote::path(&["projects", project, "sla"]), &q)
    }

    /// A project's events from its route; every project's from `/audit` (narrowed by the
    /// server to the caller's scope).
    fn audit_list(&self, query: &AuditQuery) -> anyhow::Result<Vec<AuditEvent>> {
        let path = match &query.project {
            Some(project) => Remote::path(&["projects", project, "audit"]),
            None => Remote::path(&["audit"]),
        };
        self.get(&path, &audit_query(query))
    }

    fn audit_verify(&self) -> anyhow::Result<AuditVerification> {
        self.get(&Remote::path(&["audit", "verify"]), &[])
    }

    fn audit_verify_anchors(
        &self,
        anchors: &[BundleAnchor],
    ) -> anyhow::Result<AnchoredVerification> {
        let anchors: Vec<serde_json::Value> = anchors
            .iter()
            .map(|a| {
                serde_json::json!({
                    "bundle": a.bundle,
                    "bundle_sha256": a.bundle_sha256,
                    "seq": a.anchor.seq,
                    "hash": a.anchor.hash,
                })
            })
            .collect();
        self.post_json(
            &Remote::path(&["audit", "verify"]),
            &serde_json::json!({ "anchors": anchors }),
        )
    }

    fn policy(&self, project: &str, version: Option<i64>) -> anyhow::Result<Option<PolicyVersion>> {
        match self.document(project, "policy", version) {
            Ok(policy) => Ok(Some(policy)),
            Err(err) if refused_with(&err, "no_policy").is_some() => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn set_policy(
        &self,
        project: &str,
        source: &str,
        _actor: &str,
    ) -> anyhow::Result<PolicyVersion> {
        self.put_text(
            &Remote::path(&["projects", project, "policy"]),
            "application/toml",
            source,
        )
    }

    fn policy_versions(&self, project: &str) -> anyhow::Result<Vec<PolicyVersion>> {
        self.document_versions(project, "policy")
    }

    fn controls(
        &self,
        project: &str,
        version: Option<i64>,
    ) -> anyhow::Result<ControlMappingVersion> {
        self.document(project, "controls", version)
    }

    fn set_controls(
        &self,
        project: &str,
        source: &str,
        _actor: &str,
    ) -> anyhow::Result<ControlMappingVersion> {
        self.put_text(
            &Remote::path(&["projects", project, "controls"]),
            "application/toml",
            source,
        )
    }

    fn control_versions(&self, project: &str) -> anyhow::Result<Vec<ControlMappingVersion>> {
        self.document_versions(project, "controls")
    }

    /// The server signs with its own key, as the caller.
    fn seal(&self, seal: &Seal<'_>) -> anyhow::Result<SealOutcome> {
        let mut query = Vec::new();
        if let Some(fail_on) = seal.fail_on {
            query.push(("fail_on", fail_on.to_string()));
        }
        if !seal.required_tools.is_empty() {
            query.push(("require", seal.required_tools.join(",")));
        }
        let body = serde_json::json!({
            "allow_blocked": seal.allow_blocked_reason.is_some(),
            "reason": seal.allow_blocked_reason,
        });
        let path = Remote::path(&["projects", seal.project, "releases", seal.release, "seal"]);
        match self.post_json_query::<BundleRecord>(&path, &query, &body) {
            Ok(record) => Ok(SealOutcome::Sealed(Box::new(record))),
            Err(err) => match refused_with(&err, "blocked").and_then(|r| r.said.clone()) {
                Some(said) => Ok(SealOutcome::Blocked(said)),
                None => Err(err),
            },
        }
    }

    /// Checks what arrived against the SHA-256 the server sent with it.
    fn write_bundle(
        &self,
        project: &str,
        release: &str,
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<String> {
        let path = Remote::path(&["projects", project, "releases", release, "bundle"]);
        self.download_checked(&path, out)
    }

    fn write_report(
        &self,
        report: &Report<'_>,
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<()> {
        let mut query = vec![("format", report.format.as_str().to_string())];
        if let Some(fail_on) = report.fail_on {
            query.push(("fail_on", fail_on.to_string()));
        }
        if !report.required_tools.is_empty() {
            query.push(("require", report.required_tools.join(",")));
        }
        let path = Remote::path(&[
            "projects",
            report.project,
            "releases",
            report.release,
            "report",
        ]);
        self.download(&path, &query, out)?;
        Ok(())
    }

    /// The server writes its caller as the author when none is given.
    fn vex_export(
        &self,
        project: &str,
        release: &str,
        format: VexFormat,
        author: Option<&str>,
        _actor: &str,
    ) -> anyhow::Result<serde_json::Value> {
        let mut query = match format {
            VexFormat::OpenVex => vec![("format", "openvex".to_string())],
            VexFormat::CycloneDx(spec) => vec![
                ("format", "cyclonedx".to_string()),
                ("spec_version", spec.as_str().to_string()),
            ],
        };
        if let Some(author) = author {
            query.push(("author", author.to_string()));
        }
        self.get(
            &Remote::path(&["projects", project, "releases", release, "vex"]),
            &query,
        )
    }

    /// The server records its caller as the decider. Not retried: a repeat would record the
    /// decisions twice in the history.
    fn vex_import(
        &self,
        project: &str,
        document: &[u8],
        options: &VexImportOptions,
        _actor: &str,
    ) -> anyhow::Result<VexImportOutcome> {
        let mut query = Vec::new();
        if let Some(approver) = &options.approver {
            query.push(("approver", approver.clone()));
        }
        if let Some(expires) = options.expires {
            query.push(("expires", expires.to_string()));
        }
        if options.dry_run {
            query.push(("dry_run", "true".to_string()));
        }
        let url = self.url(&Remote::path(&["projects", project, "vex"]), &query);
        let mut req = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if let Some(auth) = self.auth() {
            req = req.header("Authorization", auth);
        }
        match self.answer(req.send(document)) {
            Ok((_, v)) => Ok(v),
            Err(Failure::Retry(e) | Failure::Final(e)) => Err(e),
        }
    }
}

impl Remote {
    /// The public part of the key the server seals with, and the keys it replaced.
    pub fn signing_key(&self) -> anyhow::Result<reports::KeyRing> {
        self.get(&Remote::path(&["key"]), &[])
    }
}
