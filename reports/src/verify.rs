//! Checking a bundle offline: what `scanledger verify` does, the same checks `VERIFY.md` has
//! an auditor run with `sha256sum`, `openssl` and `ssh-keygen`.
//!
//! Each check is reported with what it found. A bundle is valid when every check passes; a
//! problem with the input itself (cannot read the file) is an error, not a verdict.

use crate::ReportError;
use crate::bundle::sha256_of_reader;
use crate::keys::{DSSE_PAYLOAD_TYPE, PublicKey, SSH_NAMESPACE};
use crate::members::{DSSE, FORMAT, MANIFEST, SUMS, SUMS_SIG, SUMS_SSHSIG, UNSUMMED};
use crate::read_bundle::{ManifestView, Members};
use crate::snapshot::AuditAnchor;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

/// What to check the bundle against.
#[derive(Debug, Default, Clone)]
pub struct VerifyOptions {
    /// The key the bundle must be signed with (pinned out of band). Without it the key inside
    /// the bundle is used, and the report says the key was not pinned.
    pub keys: Vec<PublicKey>,
    /// The previous bundle of the project: the chain link must point at it.
    pub previous: Option<PreviousBundleInput>,
}

/// The previous bundle, as the verifier sees it.
#[derive(Debug, Clone)]
pub struct PreviousBundleInput {
    pub sha256: String,
    pub project: Option<String>,
    pub release: Option<String>,
}

impl PreviousBundleInput {
    /// Hashes a previous bundle and reads its manifest's project and release.
    pub fn read<R: Read + Seek>(mut zip: R) -> Result<PreviousBundleInput, ReportError> {
        let (sha256, _) = sha256_of_reader(&mut zip)?;
        zip.rewind()?;
        let mut archive = zip::ZipArchive::new(zip)?;
        let mut manifest = Vec::new();
        archive.by_name(MANIFEST)?.read_to_end(&mut manifest)?;
        let view = ManifestView::parse(&manifest)?;
        Ok(PreviousBundleInput {
            sha256,
            project: view.project.as_str().map(str::to_string),
            release: view.release.as_str().map(str::to_string),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// What a verification concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed, and the signing key is one the caller trusts (`--key`).
    Valid,
    /// Every check passed, but against the key inside the bundle: anyone can make such a
    /// bundle with a key of their own, so it proves nothing until that key's fingerprint
    /// matches one published outside the bundle.
    UntrustedKey,
    /// A check failed: changed, added or removed content, a bad signature, another key.
    #[default]
    Invalid,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    /// Every check passed (the signatures hold for the bundle's key). Whether that key is
    /// trusted is [`VerifyReport::verdict`].
    pub valid: bool,
    pub verdict: Verdict,
    pub project: Option<String>,
    pub release: Option<String>,
    pub sealed_at: Option<String>,
    pub key_fingerprint: Option<String>,
    /// Whether the key was given (`--key`) rather than taken from the bundle.
    pub key_pinned: bool,
    /// The audit chain head the bundle signed (bundles sealed before anchors have none).
    pub audit_anchor: Option<AuditAnchor>,
    pub checks: Vec<Check>,
}

impl VerifyReport {
    /// The checks that failed, each as `name: detail`, joined by `; ` (empty when none did).
    pub fn failed_checks(&self) -> String {
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        failed.join("; ")
    }

    fn check(&mut self, name: &'static str, result: Result<String, String>) -> bool {
        let ok = result.is_ok();
        self.checks.push(Check {
            name,
            ok,
            detail: result.unwrap_or_else(|e| e),
        });
        ok
    }

    fn finish(mut self) -> VerifyReport {
        self.valid = !self.checks.is_empty() && self.checks.iter().all(|c| c.ok);
        self.verdict = match (self.valid, self.key_pinned) {
            (false, _) => Verdict::Invalid,
            (true, true) => Verdict::Valid,
            (true, false) => Verdict::UntrustedKey,
        };
        self
    }
}

/// The files that carry the bundle's public key, each in its own encoding.
const KEY_FILES: [&str; 3] = ["signing-key.pem", "signing-key.pub", "allowed_signers"];

/// The members whose bytes the checks read; every other one (raw and rendered reports, nearly
/// all of a large bundle) is only hashed as it is read.
fn read_by_checks(name: &str) -> bool {
    UNSUMMED.contains(&name)
        || name == MANIFEST
        || KEY_FILES.contains(&name)
        || name.starts_with(crate::attest::DIR)
}

fn parse_sums(sums: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let text = std::str::from_utf8(sums).map_err(|_| "SHA256SUMS is not UTF-8".to_string())?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| format!("SHA256SUMS line {} is malformed", i + 1))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("SHA256SUMS line {} has no SHA-256", i + 1));
        }
        if out
            .insert(path.to_string(), hash.to_ascii_lowercase())
            .is_some()
        {
            return Err(format!("SHA256SUMS lists {path} twice"));
        }
    }
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Verifies a bundle. `Err` only when the input cannot be read at all.
pub fn verify_bundle<R: Read + Seek>(
    zip: R,
    options: &VerifyOptions,
) -> Result<VerifyReport, ReportError> {
    let mut report = VerifyReport::default();
    let members = match Members::read(zip, read_by_checks) {
        Ok(m) => {
            report.check("archive", Ok(format!("{} members", m.len())));
            m
        }
        Err(e) => {
            report.check("archive", Err(e));
            return Ok(report.finish());
        }
    };

    // 1. SHA256SUMS covers exactly the members it should, and every hash matches.
    let sums_bytes = members.bytes(SUMS).unwrap_or_default();
    let sums = match parse_sums(sums_bytes) {
        Ok(s) if members.contains(SUMS) => s,
        Ok(_) => {
            report.check("members", Err("no SHA256SUMS".into()));
            return Ok(report.finish());
        }
        Err(e) => {
            report.check("members", Err(e));
            return Ok(report.finish());
        }
    };
    let expected: BTreeSet<&str> = members.names().filter(|n| !UNSUMMED.contains(n)).collect();
    let listed: BTreeSet<&str> = sums.keys().map(String::as_str).collect();
    let extra: Vec<&&str> = expected.difference(&listed).collect();
    let missing: Vec<&&str> = listed.difference(&expected).collect();
    let missing_sigs: Vec<&str> = UNSUMMED
        .iter()
        .copied()
        .filter(|n| !members.contains(n))
        .collect();
    report.check(
        "members",
        if extra.is_empty() && missing.is_empty() && missing_sigs.is_empty() {
            Ok(format!("{} files listed in SHA256SUMS, plus SHA256SUMS and 3 signature files", listed.len()))
        } else {
            Err(format!(
                "not in SHA256SUMS: {extra:?}; listed but absent: {missing:?}; signature files absent: {missing_sigs:?}"
            ))
        },
    );
    let mismatched: Vec<&str> = sums
        .iter()
        .filter(|(path, hash)| {
            members
                .digest(path)
                .is_some_and(|(sha, _)| sha != hash.as_str())
        })
        .map(|(p, _)| p.as_str())
        .collect();
    report.check(
        "hashes",
        if mismatched.is_empty() {
            Ok(format!("{} SHA-256 sums match", sums.len() - missing.len()))
        } else {
            Err(format!("SHA-256 differs for {mismatched:?}"))
        },
    );

    // 2. The key: the bundle's own, the same in each encoding, and the pinned one if given.
    let text =
        |name: &str| String::from_utf8_lossy(members.bytes(name).unwrap_or_default()).into_owned();
    let bundled = PublicKey::parse(&text("signing-key.pem"));
    let key = match bundled {
        Ok(key) => {
            let same_pub = PublicKey::parse(&text("signing-key.pub")).ok() == Some(key);
            let same_allowed = PublicKey::parse(&text("allowed_signers")).ok() == Some(key);
            let pinned_ok = options.keys.is_empty() || options.keys.contains(&key);
            report.key_fingerprint = Some(key.fingerprint());
            report.key_pinned = !options.keys.is_empty();
            report.check(
                "key",
                if !same_pub || !same_allowed {
                    Err(
                        "signing-key.pem, signing-key.pub and allowed_signers name different keys"
                            .into(),
                    )
                } else if !pinned_ok {
                    Err(format!(
                        "signed with {}, not with the key given",
                        key.fingerprint()
                    ))
                } else if options.keys.is_empty() {
                    Ok(format!(
                        "{} taken from the bundle, which is NOT checked against a key you trust \
                         (pass --key with the published public key)",
                        key.fingerprint()
                    ))
                } else {
                    Ok(format!("{} (the key given)", key.fingerprint()))
                },
            );
            Some(key)
        }
        Err(e) => {
            report.check("key", Err(format!("signing-key.pem: {e}")));
            None
        }
    };

    // Read once, for the attestations' check and the manifest's.
    let manifest: Option<ManifestView> = members
        .bytes(MANIFEST)
        .and_then(|b| ManifestView::parse(b).ok());

    // 3. The three signatures over SHA256SUMS.
    if let Some(key) = key {
        let raw = members.bytes(SUMS_SIG).unwrap_or_default();
        report.check(
            "ed25519",
            key.verify_raw(sums_bytes, raw)
                .map(|_| "SHA256SUMS.sig: raw Ed25519 signature valid".to_string())
                .map_err(|e| format!("SHA256SUMS.sig: {e}")),
        );
        report.check(
            "sshsig",
            key.verify_sshsig(SSH_NAMESPACE, sums_bytes, &text(SUMS_SSHSIG))
                .map(|_| {
                    format!("SHA256SUMS.sshsig: SSH signature valid, namespace {SSH_NAMESPACE}")
                })
                .map_err(|e| format!("SHA256SUMS.sshsig: {e}")),
        );
        let dsse = members.bytes(DSSE).unwrap_or_default();
        let dsse_result = key.verify_dsse(dsse).and_then(|(payload_type, payload)| {
            if payload_type != DSSE_PAYLOAD_TYPE {
                return Err(ReportError::Invalid(format!("payload type {payload_type}")));
            }
            let statement: serde_json::Value = serde_json::from_slice(&payload)?;
            let mut subjects = BTreeMap::new();
            for s in statement["subject"].as_array().into_iter().flatten() {
                subjects.insert(
                    s["name"].as_str().unwrap_or_default().to_string(),
                    s["digest"]["sha256"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            let mut wanted = sums.clone();
            wanted.insert(SUMS.to_string(), sha256_hex(sums_bytes));
            if subjects != wanted {
                return Err(ReportError::Invalid(
                    "the statement's subjects differ from SHA256SUMS".into(),
                ));
            }
            Ok(format!(
                "{DSSE}: DSSE signature valid, {} in-toto subjects match",
                subjects.len()
            ))
        });
        report.check("dsse", dsse_result.map_err(|e| format!("{DSSE}: {e}")));
        // Bundles sealed before the standard attestations have none; a bundle that had them
        // and lost them fails `members` (they are listed in SHA256SUMS).
        report.check(
            "attestations",
            crate::attest::verify_members(&members, manifest.as_ref(), &key).map(|n| match n {
                0 => "no standard attestations (sealed before they were added)".to_string(),
                n => format!(
                    "{n} in-toto statements under attestations/: DSSE and Sigstore bundle signatures valid"
                ),
            }),
        );
    }

    // 4. The manifest describes these files and this key.
    match &manifest {
        None => {
            report.check(
                "manifest",
                Err("manifest.json is missing or not JSON".into()),
            );
        }
        Some(m) => {
            report.project = m.project.as_str().map(str::to_string);
            report.release = m.release.as_str().map(str::to_string);
            report.sealed_at = m.sealed_at.as_str().map(str::to_string);
            report.audit_anchor = serde_json::from_value(m.audit_anchor.clone()).ok();
            let mut problems = Vec::new();
            if m.format.as_str() != Some(FORMAT) {
                problems.push(format!("format is not {FORMAT}"));
            }
            let mut listed = BTreeSet::new();
            for f in m.files.as_array().into_iter().flatten() {
                let path = f["path"].as_str().unwrap_or_default();
                listed.insert(path.to_string());
                match members.digest(path) {
                    None => problems.push(format!("{path} is listed but absent")),
                    Some((sha, size)) => {
                        if f["sha256"].as_str() != Some(sha) || f["size"].as_u64() != Some(size) {
                            problems.push(format!("{path} differs from its manifest entry"));
                        }
                    }
                }
            }
            let unlisted: Vec<&str> = expected
                .iter()
                .copied()
                .filter(|n| *n != MANIFEST && !listed.contains(*n))
                .collect();
            if !unlisted.is_empty() {
                problems.push(format!("not in the manifest: {unlisted:?}"));
            }
            if let Some(fp) = &report.key_fingerprint
                && m.signing_key["fingerprint"].as_str() != Some(fp.as_str())
            {
                problems.push("the manifest names another signing key".into());
            }
            report.check(
                "manifest",
                if problems.is_empty() {
                    Ok(format!(
                        "{} {}, {}, gate {}, {} files",
                        report.project.as_deref().unwrap_or("?"),
                        report.release.as_deref().unwrap_or("?"),
                        match m.sealed_at.as_str() {
                            Some(at) =>
                                format!("sealed {at} by {}", m.sealed_by.as_str().unwrap_or("?")),
                            None => "DRAFT (not sealed)".into(),
                        },
                        if m.gate.passed.as_bool() == Some(true) {
                            "passed"
                        } else {
                            "blocked"
                        },
                        listed.len()
                    ))
                } else {
                    Err(problems.join("; "))
                },
            );
        }
    }

    // 5. The chain link, when the previous bundle is given.
    if let Some(prev) = &options.previous {
        let link = manifest
            .as_ref()
            .map(|m| m.previous_bundle.clone())
            .unwrap_or_default();
        let result = if link.is_null() {
            Err("this bundle names no previous bundle".to_string())
        } else if link["sha256"].as_str() != Some(prev.sha256.as_str()) {
            Err(format!(
                "the previous bundle's SHA-256 is {}, the manifest expects {}",
                prev.sha256,
                link["sha256"].as_str().unwrap_or("?")
            ))
        } else if prev.project.is_some() && prev.project != report.project {
            Err("the previous bundle belongs to another project".into())
        } else {
            Ok(format!(
                "previous bundle {} ({}) matches",
                prev.release.as_deref().unwrap_or("?"),
                prev.sha256
            ))
        };
        report.check("chain", result);
    }
    Ok(report.finish())
}

/// What a bundle's signed manifest says, once its signature is checked against a trusted key.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedManifest {
    pub project: Option<String>,
    pub release: Option<String>,
    pub key_fingerprint: String,
    pub audit_anchor: Option<AuditAnchor>,
}

/// Reads only `SHA256SUMS`, its raw Ed25519 signature and `manifest.json`: the signature must
/// be by one of `trusted` and the manifest must hash to its line in `SHA256SUMS`. A cheap
/// check of what the manifest claims (the audit anchor) for bundles of any size; it does not
/// check the other members (that is [`verify_bundle`]). `Err` says why the manifest cannot be
/// trusted.
pub fn signed_manifest<R: Read + Seek>(
    zip: R,
    trusted: &[PublicKey],
) -> Result<SignedManifest, String> {
    let mut archive = zip::ZipArchive::new(zip).map_err(|e| format!("not a readable zip: {e}"))?;
    let mut read = |name: &str| -> Result<Vec<u8>, String> {
        let mut file = archive
            .by_name(name)
            .map_err(|e| format!("no {name}: {e}"))?;
        let mut bytes = Vec::with_capacity(file.size().min(1 << 24) as usize);
        (&mut file)
            .take(1 << 26)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} is corrupt: {e}"))?;
        Ok(bytes)
    };
    let sums = read(SUMS)?;
    let sig = read(SUMS_SIG)?;
    let manifest = read(MANIFEST)?;
    let key = trusted
        .iter()
        .find(|k| k.verify_raw(&sums, &sig).is_ok())
        .ok_or_else(|| "SHA256SUMS is not signed by a trusted key".to_string())?;
    let listed = parse_sums(&sums)?;
    if listed.get(MANIFEST).map(String::as_str) != Some(sha256_hex(&manifest).as_str()) {
        return Err("manifest.json does not match its SHA-256 in SHA256SUMS".into());
    }
    let m = ManifestView::parse(&manifest).map_err(|e| format!("manifest.json: {e}"))?;
    Ok(SignedManifest {
        project: m.project.as_str().map(str::to_string),
        release: m.release.as_str().map(str::to_string),
        key_fingerprint: key.fingerprint(),
        audit_anchor: serde_json::from_value(m.audit_anchor).ok(),
    })
}
