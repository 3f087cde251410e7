//! `scanledger audit`: list events, verify the hash chain (exit 1 when it is broken), and
//! check it against the chain heads sealed bundles signed (`--bundles`).

use crate::Outcome;
use crate::args::{AuditListArgs, AuditVerifyArgs, OutputFormat, TextOrJson};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use schema::{AuditQuery, AuditVerification, BundleAnchor};
use std::path::Path;

pub fn list(ledger: &dyn Ledger, args: &AuditListArgs) -> anyhow::Result<Outcome> {
    let events = ledger.audit_list(&AuditQuery {
        project: args.project.clone(),
        since: args.since,
        action: args.action.clone(),
        limit: args.limit,
    })?;
    if args.format == OutputFormat::Json {
        output::json(&events)?;
        return Ok(Outcome::Ok);
    }
    let headers = [
        "seq", "at (UTC)", "actor", "action", "subject", "request", "hash",
    ];
    let rows = events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.actor.clone(),
                e.action.clone(),
                e.subject.clone(),
                output::opt(&e.request_id),
                e.hash.chars().take(12).collect(),
            ]
        })
        .collect();
    if args.format == OutputFormat::Csv {
        output::csv(&headers, rows)?;
    } else {
        output::table(&headers, rows)?;
    }
    Ok(Outcome::Ok)
}

pub fn verify(ledger: &dyn Ledger, args: &AuditVerifyArgs) -> anyhow::Result<Outcome> {
    let Some(dir) = &args.bundles else {
        return verify_chain(ledger, args);
    };
    let mut keys = Vec::new();
    for path in &args.key {
        keys.extend(super::evidence::read_keys(path)?);
    }
    let (anchors, mut unusable) = bundle_anchors(dir, &keys)?;
    let result = ledger.audit_verify_anchors(&anchors)?;
    let ok = result.ok && unusable.is_empty();
    unusable.sort();
    match args.format {
        TextOrJson::Json => output::json(&serde_json::json!({
            "ok": ok,
            "chain": result.chain,
            "anchors": result.anchors,
            "anchored_up_to": result.anchored_up_to,
            "problems": result.problems,
            "bundles_not_checked": unusable
                .iter()
                .map(|(b, why)| serde_json::json!({"bundle": b, "problem": why}))
                .collect::<Vec<_>>(),
        }))?,
        TextOrJson::Text => {
            print_chain(&result.chain);
            for (bundle, why) in &unusable {
                say!("bundle {bundle}: NOT CHECKED: {why}");
            }
            for p in &result.problems {
                say!(
                    "bundle {}: FAIL at event {}: {}",
                    p.bundle,
                    p.seq,
                    p.problem
                );
            }
            if ok {
                say!(
                    "{} bundle(s) signed by a trusted key: every chain head they signed is in the log{}",
                    result.anchors,
                    result
                        .anchored_up_to
                        .map(|s| format!(" (anchored up to event {s}; later events rest on the chain alone until the next seal)"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(if ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// The anchors found, and (bundle, why) for each bundle that vouches for nothing.
type BundleAnchors = (Vec<BundleAnchor>, Vec<(String, String)>);

/// The signed audit anchors of the bundles in `dir`, and the bundles that could not vouch for
/// anything (unreadable, not signed by a trusted key, no anchor).
fn bundle_anchors(dir: &Path, keys: &[reports::PublicKey]) -> anyhow::Result<BundleAnchors> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the folder {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        anyhow::bail!("{} holds no bundle (*.zip)", dir.display());
    }
    let mut anchors = Vec::new();
    let mut unusable = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let open =
            || std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()));
        let report = reports::verify_bundle(
            std::io::BufReader::new(open()?),
            &reports::VerifyOptions {
                keys: keys.to_vec(),
                previous: None,
            },
        )?;
        if report.verdict != reports::Verdict::Valid {
            unusable.push((
                name,
                format!(
                    "invalid against the trusted key ({})",
                    report.failed_checks()
                ),
            ));
            continue;
        }
        let Some(anchor) = report.audit_anchor else {
            unusable.push((name, "sealed before bundles carried an audit anchor".into()));
            continue;
        };
        let (bundle_sha256, _) = reports::bundle::sha256_of_reader(&mut open()?)?;
        anchors.push(BundleAnchor {
            bundle: name,
            bundle_sha256,
            anchor,
        });
    }
    Ok((anchors, unusable))
}

fn print_chain(result: &AuditVerification) {
    match &result.first_broken {
        None => say!(
            "audit chain intact: {} event(s), head {}",
            result.events,
            result.head.as_deref().unwrap_or("-")
        ),
        Some(broken) => say!(
            "audit chain BROKEN at event {}: {} ({} event(s) before it verified)",
            broken.seq,
            broken.problem,
            result.events
        ),
    }
}

fn verify_chain(ledger: &dyn Ledger, args: &AuditVerifyArgs) -> anyhow::Result<Outcome> {
    let result = ledger.audit_verify()?;
    match args.format {
        TextOrJson::Json => output::json(&result)?,
        TextOrJson::Text => {
            print_chain(&result);
            if result.ok {
                say!(
                    "note: a chain checked against itself cannot show a rewrite that recomputed every later hash; \
                     check it against sealed bundles with --bundles DIR --key PUB"
                );
            }
        }
    }
    Ok(if result.ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}
