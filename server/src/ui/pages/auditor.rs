//! The auditor's page of a project and period (docs/CONTROLS.md, "The auditor's page"): the
//! controls' statuses over the period, computed as `scanledger audit-pack` computes them
//! (`reports::audit_pack::period_controls`); the population, every release created in the
//! period (`Store::period_releases`), sealed or not, with its gate verdict, sealer and bundle;
//! the verification of stored bundles, run here with `reports::verify_bundle` against the keys
//! this server trusts and the previous bundle of the chain; and the sample picker, which draws
//! releases with a seed (`reports::audit_pack::sample`) and records the draw in the audit log.
//!
//! Verifying a bundle reads it and its previous bundle out of the store and hashes every member:
//! the page verifies the sample, or the whole population when it has at most
//! [`VERIFY_ALL_UP_TO`] sealed releases, on a blocking database turn like every page.

use super::{Page, enc, fmt_time, forbidden_csrf, gate_options, non_empty};
use crate::auth::{Caller, Project, session};
use crate::error::ApiError;
use crate::slots::DbSlots;
use crate::ui::{Layout, UiError, html};
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::NaiveDate;
use reports::audit_pack::{
    PackInput, PackRelease, PackSeal, PeriodControls, bundle_controls, period_controls, sample,
};
use reports::controls::ControlStatus;
use reports::{PreviousBundleInput, PublicKey, Verdict, VerifyOptions, verify_bundle};
use schema::{BundleRecord, Principal, SampleRecord, Store, StoreError};
use serde::Deserialize;
use std::io::{Seek, SeekFrom};

/// Up to this many sealed releases in the period, the page verifies every one; above, only a
/// sample's.
pub const VERIFY_ALL_UP_TO: usize = 25;
/// The largest sample the picker draws.
pub const MAX_SAMPLE: usize = 500;
/// The period shown when the address names none: the last 90 days.
const DEFAULT_DAYS: i64 = 90;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Debug, Deserialize)]
pub struct SampleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    seed: String,
}

pub struct ControlRow {
    pub id: String,
    pub framework: String,
    pub title: String,
    /// `met`, `exception`, `not_met`: the CSS class.
    pub status: &'static str,
    /// `met`, `exception`, `not met`.
    pub label: &'static str,
    pub reason: String,
}

pub struct PopulationRow {
    pub name: String,
    pub href: String,
    pub created_at: String,
    pub sealed: bool,
    pub sealed_by: String,
    pub sealed_at: String,
    pub gate: String,
    pub bundle_href: String,
    pub sha256: String,
    /// `verified`, `not sealed`, `not verified here`, or why verification failed.
    pub verification: String,
    /// `ok`, `bad` or `none`: the CSS class.
    pub verification_class: &'static str,
    pub in_sample: bool,
}

#[derive(Template)]
#[template(path = "auditor.html")]
struct AuditorPage {
    layout: Layout,
    project: String,
    project_href: String,
    href: String,
    sample_href: String,
    from: String,
    to: String,
    controls: Vec<ControlRow>,
    exceptions: Vec<String>,
    population: Vec<PopulationRow>,
    sealed: usize,
    verified_all: bool,
    verify_limit: usize,
    max_sample: usize,
    /// The sample drawn by this request: its seed (empty: none drawn), size and audit event.
    seed: String,
    asked: usize,
    sample: Vec<PopulationRow>,
    event_seq: i64,
    trusted_keys: Vec<String>,
}

fn day(field: &str, value: &str) -> Result<NaiveDate, UiError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        UiError(ApiError::bad_request(format!(
            "{field} {value:?} is not a date (YYYY-MM-DD)"
        )))
    })
}

/// The period an address or a form names; the last [`DEFAULT_DAYS`] days when it names none.
fn period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), UiError> {
    let to = match non_empty(to) {
        Some(t) => day("to", &t)?,
        None => chrono::Utc::now().date_naive(),
    };
    let from = match non_empty(from) {
        Some(f) => day("from", &f)?,
        None => to - chrono::Duration::days(DEFAULT_DAYS),
    };
    if from > to {
        return Err(UiError(ApiError::bad_request(format!(
            "from {from} is after to {to}"
        ))));
    }
    Ok((from, to))
}

/// The keys a stored bundle must be signed with: the trusted keys (`--trusted-keys`) and the
/// public part of the key this server seals with.
fn keys(config: &crate::ServerConfig) -> Vec<PublicKey> {
    let mut keys = config.trusted_keys.clone();
    if let Some(signing) = &config.signing_key {
        keys.push(signing.key().public());
    }
    keys
}

/// A sample to draw: how many, with which seed.
#[derive(Debug, Clone, Copy)]
struct Draw {
    n: usize,
    seed: u64,
}

/// What the page needs besides the store.
struct Request {
    project: String,
    from: NaiveDate,
    to: NaiveDate,
    principal: Principal,
    keys: Vec<PublicKey>,
    draw: Option<Draw>,
}

/// A stored bundle in an unnamed temporary file.
fn bundle_file(store: &Store, record: &BundleRecord) -> Result<std::fs::File, StoreError> {
    let mut file = tempfile::tempfile()?;
    store.write_bundle(&record.project, &record.release, &mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// The server's verification of a stored bundle: its signatures against `keys`, and its link
/// to the previous bundle of the chain, read from the store. `Ok` with the words the page
/// shows, and whether it verified.
fn verify(
    store: &Store,
    record: &BundleRecord,
    file: std::fs::File,
    keys: &[PublicKey],
) -> (String, bool) {
    let previous = match &record.previous_sha256 {
        None => None,
        Some(sha256) => match store.bundle_with_sha256(&record.project, sha256) {
            Ok(Some(prev)) => match bundle_file(store, &prev)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    PreviousBundleInput::read(std::io::BufReader::new(f)).map_err(|e| e.to_string())
                }) {
                Ok(prev) => Some(prev),
                Err(e) => {
                    return (
                        format!("the previous bundle ({}) cannot be read: {e}", prev.release),
                        false,
                    );
                }
            },
            Ok(None) => {
                return (
                    format!("the previous bundle {sha256} is not in the store"),
                    false,
                );
            }
            Err(e) => return (format!("the previous bundle cannot be read: {e}"), false),
        },
    };
    let options = VerifyOptions {
        keys: keys.to_vec(),
        previous,
    };
    match verify_bundle(std::io::BufReader::new(file), &options) {
        Err(e) => (format!("failed: {e}"), false),
        Ok(report) => match report.verdict {
            Verdict::Valid => ("verified".to_string(), true),
            Verdict::UntrustedKey => (
                format!(
                    "signatures hold, but this server trusts no key: {} is not pinned",
                    report.key_fingerprint.unwrap_or_default()
                ),
                false,
            ),
            Verdict::Invalid => (format!("failed: {}", report.failed_checks()), false),
        },
    }
}

fn control_row(c: &reports::audit_pack::PeriodCriterion) -> ControlRow {
    let (label, reason) = match &c.status {
        ControlStatus::Met => ("met", String::new()),
        ControlStatus::Exception { reason } => ("exception", reason.clone()),
        ControlStatus::NotMet { reason } => ("not met", reason.clone()),
    };
    ControlRow {
        id: c.id.clone(),
        framework: c.framework.clone(),
        title: c.title.clone(),
        status: c.status.as_str(),
        label,
        reason,
    }
}

/// Builds the page on a blocking thread; records the draw when there is one.
fn load(store: &Store, req: &Request) -> Result<AuditorPage, UiError> {
    let project = &req.project;
    let releases = store.period_releases(project, req.from, req.to)?;
    let chosen: Vec<usize> = match req.draw {
        Some(d) => sample(releases.len(), d.n, d.seed),
        None => Vec::new(),
    };
    let sealed = releases.iter().filter(|r| r.bundle.is_some()).count();
    let verified_all = req.draw.is_none() && sealed <= VERIFY_ALL_UP_TO;
    let mut event_seq = 0;
    if let Some(d) = req.draw {
        let names: Vec<String> = chosen.iter().map(|&i| releases[i].name.clone()).collect();
        let actor = req.principal.label();
        event_seq = store
            .record_sample(&SampleRecord {
                actor: &actor,
                project,
                from: req.from,
                to: req.to,
                population: releases.len(),
                n: d.n,
                seed: d.seed,
                releases: &names,
                request_id: None,
            })?
            .seq;
    }

    let mut pack = Vec::with_capacity(releases.len());
    let mut rows = Vec::with_capacity(releases.len());
    let mut exceptions = Vec::new();
    for (i, r) in releases.iter().enumerate() {
        let href = format!("/ui/projects/{}/releases/{}", enc(project), enc(&r.name));
        let in_sample = chosen.binary_search(&i).is_ok();
        let mut row = PopulationRow {
            name: r.name.clone(),
            created_at: fmt_time(&r.created_at),
            sealed: r.bundle.is_some(),
            sealed_by: String::new(),
            sealed_at: String::new(),
            gate: String::new(),
            bundle_href: String::new(),
            sha256: String::new(),
            verification: "not sealed".into(),
            verification_class: "none",
            in_sample,
            href,
        };
        let seal = match &r.bundle {
            None => {
                let gate =
                    store.gate_preview(project, &r.name, &gate_options(&req.principal), 1)?;
                row.gate = format!("{} (now; not sealed)", gate.result.verdict.label());
                None
            }
            Some(record) => {
                row.sealed_by = record.sealed_by.clone();
                row.sealed_at = fmt_time(&record.sealed_at);
                row.gate = match &record.allow_blocked_reason {
                    Some(why) => format!("{} at sealing (allowed: {why})", record.gate.label()),
                    None => format!("{} at sealing", record.gate.label()),
                };
                row.bundle_href = format!("{}/bundle", row.href);
                row.sha256 = record.sha256.clone();
                // The controls are read from every sealed bundle, as audit-pack reads them.
                let (controls, verification) = match bundle_file(store, record) {
                    Err(e) => {
                        exceptions.push(format!(
                            "the stored bundle of release {} cannot be read: {e}",
                            r.name
                        ));
                        (
                            None,
                            (
                                format!("failed: the stored bundle cannot be read: {e}"),
                                false,
                            ),
                        )
                    }
                    Ok(mut file) => {
                        let controls = bundle_controls(std::io::BufReader::new(&mut file))
                            .ok()
                            .flatten();
                        let verification = if verified_all || in_sample {
                            match file.seek(SeekFrom::Start(0)) {
                                Ok(_) => verify(store, record, file, &req.keys),
                                Err(e) => (format!("failed: {e}"), false),
                            }
                        } else {
                            ("not verified here: draw a sample".to_string(), false)
                        };
                        (controls, verification)
                    }
                };
                row.verification_class = match (verification.1, verification.0.as_str()) {
                    (true, _) => "ok",
                    (false, v) if v.starts_with("not verified") => "none",
                    _ => "bad",
                };
                row.verification = verification.0;
                Some(PackSeal {
                    sealed_at: record.sealed_at,
                    sealed_by: record.sealed_by.clone(),
                    bundle_sha256: record.sha256.clone(),
                    controls,
                })
            }
        };
        pack.push(PackRelease {
            name: r.name.clone(),
            created_at: r.created_at,
            sealed: seal,
        });
        rows.push(row);
    }
    let PeriodControls {
        criteria,
        exceptions: gaps,
    } = period_controls(&PackInput {
        generator: String::new(),
        project: project.clone(),
        from: req.from,
        to: req.to,
        releases: pack,
    });
    exceptions.extend(gaps);
    let sample_rows = chosen
        .iter()
        .map(|&i| {
            let r = &rows[i];
            PopulationRow {
                name: r.name.clone(),
                href: r.href.clone(),
                created_at: r.created_at.clone(),
                sealed: r.sealed,
                sealed_by: r.sealed_by.clone(),
                sealed_at: r.sealed_at.clone(),
                gate: r.gate.clone(),
                bundle_href: r.bundle_href.clone(),
                sha256: r.sha256.clone(),
                verification: r.verification.clone(),
                verification_class: r.verification_class,
                in_sample: true,
            }
        })
        .collect();
    let project_href = format!("/ui/projects/{}", enc(project));
    let href = format!("{project_href}/audit");
    Ok(AuditorPage {
        project_href,
        layout: Layout::default(),
        sample_href: format!("{href}/sample"),
        href,
        project: project.clone(),
        from: req.from.to_string(),
        to: req.to.to_string(),
        controls: criteria.iter().map(control_row).collect(),
        exceptions,
        population: rows,
        sealed,
        verified_all,
        verify_limit: VERIFY_ALL_UP_TO,
        max_sample: MAX_SAMPLE,
        seed: req.draw.map(|d| d.seed.to_string()).unwrap_or_default(),
        asked: req.draw.map_or(0, |d| d.n),
        sample: sample_rows,
        event_seq,
        trusted_keys: req.keys.iter().map(PublicKey::fingerprint).collect(),
    })
}

async fn render(
    http: &HttpRequest,
    slots: &DbSlots,
    store: web::Data<Store>,
    caller: &Caller,
    req: Request,
) -> Page {
    let title = format!("Audit of {}", req.project);
    let store = store.clone();
    let page = slots.run(move || load(&store, &req)).await??;
    html(&AuditorPage {
        layout: Layout::new(http, Some(&caller.0), title),
        ..page
    })
}

/// `GET /ui/projects/{project}/audit?from=YYYY-MM-DD&to=YYYY-MM-DD`.
pub async fn auditor(
    http: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<crate::ServerConfig>,
    caller: Caller,
    admitted: Project,
    query: web::Query<PeriodQuery>,
) -> Page {
    let (from, to) = period(&query.from, &query.to)?;
    let req = Request {
        project: admitted.0,
        from,
        to,
        principal: caller.0.clone(),
        keys: keys(&config),
        draw: None,
    };
    render(&http, &slots, store, &caller, req).await
}

/// `POST /ui/projects/{project}/audit/sample`: draws `n` releases of the period with `seed`
/// (one the server picks when the form gives none), records the draw, and shows the page
/// with the sample.
pub async fn audit_sample(
    http: HttpRequest,
    store: web::Data<Store>,
    slots: web::Data<DbSlots>,
    config: web::Data<crate::ServerConfig>,
    caller: Caller,
    admitted: Project,
    form: web::Form<SampleForm>,
) -> Page {
    let form = form.into_inner();
    if !session::csrf_ok(&http, &form.csrf) {
        return Err(forbidden_csrf());
    }
    let (from, to) = period(&form.from, &form.to)?;
    let n: usize = form
        .n
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_SAMPLE).contains(n))
        .ok_or_else(|| {
            UiError(ApiError::bad_request(format!(
                "the sample's size {:?} is not a number from 1 to {MAX_SAMPLE}",
                form.n
            )))
        })?;
    let seed = match non_empty(&form.seed) {
        Some(s) => s.parse::<u64>().map_err(|_| {
            UiError(ApiError::bad_request(format!(
                "the seed {s:?} is not a number from 0 to {}",
                u64::MAX
            )))
        })?,
        None => getrandom::u64().map_err(|_| UiError(ApiError::internal()))?,
    };
    let req = Request {
        project: admitted.0,
        from,
        to,
        principal: caller.0.clone(),
        keys: keys(&config),
        draw: Some(Draw { n, seed }),
    };
    render(&http, &slots, store, &caller, req).await
}
