//! The periodic audit check: the hash chain recomputed, and checked against the chain head
//! each stored bundle signed.
//!
//! A chain checked only against itself cannot show a rewrite that recomputed every later hash
//! and the head. Sealed bundles carry the head they saw in their signed manifest, so the
//! server reads each stored bundle, checks its signature against the trusted keys
//! (`trusted_keys`), and asks the store whether the log still holds that head. The stored
//! bundles live in the same database an insider could rewrite, but the signing key never
//! does (it stays in the key folder or `SCANLEDGER_SIGNING_KEY` of whoever seals; the server
//! holds no private key), so a rewritten bundle fails its signature. Without trusted keys the
//! check is the chain alone, and the log says so.

use crate::metrics::Metrics;
use reports::PublicKey;
use schema::{AnchoredVerification, BundleAnchor, Store, StoreError};
use std::io::{Seek, SeekFrom};

/// What one check found.
#[derive(Debug, Clone)]
pub struct AuditCheck {
    pub result: AnchoredVerification,
    /// Stored bundles that could not vouch for the log, and why (a bad signature among them
    /// makes the check fail).
    pub unusable: Vec<(String, String)>,
}

impl AuditCheck {
    pub fn ok(&self) -> bool {
        self.result.ok && self.unusable.is_empty()
    }
}

/// Runs the check once against the stored bundles.
pub fn check_once(store: &Store, trusted: &[PublicKey]) -> Result<AuditCheck, StoreError> {
    let mut anchors = Vec::new();
    let mut unusable = Vec::new();
    if !trusted.is_empty() {
        for record in store.bundle_records()? {
            let name = format!("{}/{}", record.project, record.release);
            let mut file = tempfile::tempfile()?;
            store.write_bundle(&record.project, &record.release, &mut file)?;
            file.seek(SeekFrom::Start(0))?;
            let (bundle_sha256, _) =
                reports::bundle::sha256_of_reader(&mut file).map_err(StoreError::from)?;
            file.seek(SeekFrom::Start(0))?;
            match reports::signed_manifest(std::io::BufReader::new(file), trusted) {
                // A bundle sealed before bundles carried an anchor has nothing to look up.
                Ok(manifest) => {
                    if let Some(anchor) = manifest.audit_anchor {
                        anchors.push(BundleAnchor {
                            bundle: name,
                            bundle_sha256,
                            anchor,
                        });
                    }
                }
                Err(why) => unusable.push((name, why)),
            }
        }
    }
    let result = store.audit_verify_anchors(&anchors)?;
    Ok(AuditCheck { result, unusable })
}

/// Records a check's outcome in the metrics and the log.
pub fn report(metrics: &Metrics, outcome: &Result<AuditCheck, StoreError>, trusted: usize) {
    match outcome {
        Ok(check) if check.ok() => {
            metrics.audit_check(true, check.result.anchors);
            tracing::info!(
                events = check.result.chain.events,
                anchors = check.result.anchors,
                anchored_up_to = check.result.anchored_up_to,
                trusted_keys = trusted,
                "audit chain verified"
            );
        }
        Ok(check) => {
            metrics.audit_check(false, check.result.anchors);
            if let Some(broken) = &check.result.chain.first_broken {
                tracing::error!(
                    seq = broken.seq,
                    problem = %broken.problem,
                    "audit chain check FAILED: the chain is broken"
                );
            }
            for p in &check.result.problems {
                tracing::error!(
                    bundle = %p.bundle,
                    seq = p.seq,
                    problem = %p.problem,
                    "audit chain check FAILED: a head a bundle signed is not in the log"
                );
            }
            for (bundle, why) in &check.unusable {
                tracing::error!(
                    bundle = %bundle,
                    problem = %why,
                    "audit chain check FAILED: a stored bundle is not signed by a trusted key"
                );
            }
        }
        Err(e) => {
            metrics.audit_check(false, 0);
            tracing::error!(error = %e, "audit chain check could not run");
        }
    }
}
