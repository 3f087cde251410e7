//! The evidence bundle: a deterministic, signed zip of a release.
//!
//! Layout (every path at the root of the zip, sorted):
//!
//! | member | what |
//! |---|---|
//! | `SHA256SUMS` | `sha256sum -c` list of every member but itself and the signature files |
//! | `SHA256SUMS.sig` | raw 64-byte Ed25519 signature of `SHA256SUMS` (`openssl pkeyutl -verify -rawin`) |
//! | `SHA256SUMS.sshsig` | SSH signature of `SHA256SUMS`, namespace `scanledger-evidence` (`ssh-keygen -Y verify`) |
//! | `attestation.dsse.json` | DSSE envelope of an in-toto Statement v1 whose subjects are the files |
//! | `attestations/…` | per scan an in-toto vulns statement, and the gate's SLSA VSA, each as DSSE and Sigstore bundle ([`attest`]) |
//! | `VERIFY.md` | the exact commands, with this key's fingerprints |
//! | `allowed_signers`, `signing-key.pem`, `signing-key.pub` | the public key for ssh-keygen and openssl |
//! | `manifest.json` | release, seal, gate, policy, tools, scans, files with SHA-256 and size, previous bundle, key |
//! | `findings.json`, `findings.csv`, `findings.sarif`, `triage.json`, `audit-events.json`, `sla.json` | the view |
//! | `oscal-assessment-results.json`, `oscal-poam.json` | OSCAL 1.1.2 assessment results and plan of action and milestones |
//! | `controls.json`, `access.json` | each criterion of the control mapping with its evidence and status; the users and tokens at sealing |
//! | `report.pdf`, `report.html`, `forum-post.md` | for people |
//! | `scans/…` | every raw report of the view, byte-exact |
//!
//! Determinism: members sorted by name, every timestamp the seal time, mode 0644, no extra
//! fields, canonical JSON, fixed compression settings. The signatures are over `SHA256SUMS`
//! (content hashes), so they survive a change of compressor; the zip's own SHA-256 is what
//! the next bundle chains to.

use crate::digest::sha256_hex;
use crate::json_frame::{self, ArrayWriter, Layout};
use crate::keys::{DSSE_PAYLOAD_TYPE, EvidenceKey, PRINCIPAL, SSH_NAMESPACE};
use crate::parallel::Job;
use crate::rendered::{Rendered, spool};
use crate::snapshot::{ReleaseSnapshot, ScanSnapshot};
use crate::zipped::{Compressed, compress_raw, options};
use crate::{ReportError, attest, canonical_json, controls, findings, html, markdown, pdf, sarif};
use chrono::NaiveDateTime;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use zip::{DateTime, ZipWriter};

pub use crate::digest::{HashingWriter, sha256_of_reader};
use crate::members::{DSSE, FORMAT, MANIFEST, PREDICATE_TYPE, SUMS, SUMS_SIG, SUMS_SSHSIG};

/// Writes each scan's raw report, byte-exact, when the bundle needs it.
pub trait RawScans {
    fn write_raw(&mut self, scan: &ScanSnapshot, out: &mut dyn Write) -> std::io::Result<()>;
}

impl<F: FnMut(&ScanSnapshot, &mut dyn Write) -> std::io::Result<()>> RawScans for F {
    fn write_raw(&mut self, scan: &ScanSnapshot, out: &mut dyn Write) -> std::io::Result<()> {
        self(scan, out)
    }
}

/// What a written bundle is.
#[derive(Debug, Clone)]
pub struct BundleOutcome {
    /// SHA-256 of the zip, as `sha256sum` prints it.
    pub sha256: String,
    pub size: u64,
    /// SHA-256 of the bundle's `SHA256SUMS`.
    pub sha256sums_sha256: String,
    /// `manifest.json`, as in the bundle.
    pub manifest: Vec<u8>,
    pub key_fingerprint: String,
    pub key_id: String,
    pub members: usize,
}

/// The time every member of a bundle carries: its snapshot's reference time (the seal's).
fn zip_time(t: NaiveDateTime) -> DateTime {
    use chrono::{Datelike, Timelike};
    let year = t.year().clamp(1980, 2107) as u16;
    DateTime::from_date_and_time(
        year,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .unwrap_or_default()
}

/// The raw reports of a snapshot's scans made ready for its bundle: each read once, checked
/// against its recorded SHA-256 and size, deflated for the zip, and, for the formats whose
/// attestation says more than the scan's record ([`attest::needs_raw_report`]: image digests,
/// scanner database), read for those facts. Made apart from the rest of the bundle so that
/// the store can read the raw reports on one core while it takes the snapshot on another.
pub struct PreparedRaw {
    time: NaiveDateTime,
    /// Each scan's id, raw report SHA-256 and deflated report, in the scans' order.
    reports: Vec<(domain::ScanId, String, Compressed)>,
    facts: BTreeMap<domain::ScanId, attest::ScanFacts>,
}

impl PreparedRaw {
    /// Reads the raw reports of `scans`, for a bundle whose reference time (its seal's) is
    /// `time`. Fails if a raw report's bytes do not hash to its recorded SHA-256.
    pub fn read(
        scans: &[ScanSnapshot],
        time: NaiveDateTime,
        raw: &mut dyn RawScans,
    ) -> Result<PreparedRaw, ReportError> {
        let mut reports = Vec::with_capacity(scans.len());
        let mut facts = BTreeMap::new();
        for scan in scans {
            let compressed = if attest::needs_raw_report(&scan.format) {
                // A copy to parse once its bytes are known to be the recorded ones.
                let mut copy = std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?);
                let compressed = compress_raw(scan, zip_time(time), raw, Some(&mut copy))?;
                let mut copy = copy.into_inner().map_err(|e| e.into_error())?;
                copy.seek(SeekFrom::Start(0))?;
                facts.insert(scan.id, attest::ScanFacts::read(&scan.format, copy));
                compressed
            } else {
                compress_raw(scan, zip_time(time), raw, None)?
            };
            reports.push((scan.id, scan.sha256.clone(), compressed));
        }
        Ok(PreparedRaw {
            time,
            reports,
            facts,
        })
    }

    /// Whether these are the raw reports of `snap`'s scans, made for its time.
    pub fn is_for(&self, snap: &ReleaseSnapshot) -> bool {
        self.time == snap.reference_time()
            && self.reports.len() == snap.scans.len()
            && self
                .reports
                .iter()
                .zip(&snap.scans)
                .all(|((id, sha256, _), scan)| *id == scan.id && *sha256 == scan.sha256)
    }
}

/// A generated member ready for the zip: its SHA-256 and size for the manifest, and its
/// bytes, or, when it was spooled, the bytes deflated.
struct Generated {
    path: String,
    sha256: String,
    size: u64,
    body: Body,
}

enum Body {
    Bytes(Vec<u8>),
    Compressed(Compressed),
}

/// Rendered members made ready for the zip: a spooled one is deflated now, on the thread
/// that rendered it.
fn ready(members: Vec<(String, Rendered)>, time: DateTime) -> Result<Vec<Generated>, ReportError> {
    members
        .into_iter()
        .map(|(path, rendered)| {
            let (sha256, size) = rendered.sha256_and_size();
            let body = match rendered {
                Rendered::Bytes(bytes) => Body::Bytes(bytes),
                Rendered::Spooled { mut file, size, .. } => {
                    Body::Compressed(Compressed::write(&path, size, time, |out| {
                        std::io::copy(&mut file, out)?;
                        Ok(())
                    })?)
                }
            };
            Ok(Generated {
                path,
                sha256,
                size,
                body,
            })
        })
        .collect()
}

/// The generated members (everything but the raw scans and the signature files), rendered
/// and deflated on every core: a job per member that passes over the findings, longest
/// first, and one for the small rest.
fn generated_members(
    snap: &ReleaseSnapshot,
    key: &EvidenceKey,
    facts: &BTreeMap<domain::ScanId, attest::ScanFacts>,
    time: DateTime,
) -> Result<Vec<Generated>, ReportError> {
    let public = key.public();
    let fp = public.fingerprint();
    let fp = fp.as_str();
    let bytes = crate::rendered::held;
    let jobs: Vec<Job<'_, Vec<Generated>>> = vec![
        // The OSCAL plan of action and milestones: one risk and one item per open finding.
        job(time, || {
            Ok(vec![(
                crate::ReportFormat::OscalPoam.member_name().into(),
                spool(|out| crate::oscal::write_poam(snap, out))?,
            )])
        }),
        job(time, || {
            Ok(vec![(
                "findings.json".into(),
                spool(|out| findings::write_findings_json(snap, out))?,
            )])
        }),
        job(time, || {
            Ok(vec![(
                "findings.sarif".into(),
                spool(|out| sarif::write_findings_sarif(snap, out))?,
            )])
        }),
        job(time, || attest::members(snap, key, facts)),
        job(time, || {
            Ok(vec![(
                "findings.csv".into(),
                spool(|out| findings::write_findings_csv(snap, out))?,
            )])
        }),
        // The OSCAL assessment results: a finding per open blocking one, a risk per accepted
        // one.
        job(time, || {
            Ok(vec![(
                crate::ReportFormat::OscalAr.member_name().into(),
                spool(|out| crate::oscal::write_assessment_results(snap, out))?,
            )])
        }),
        job(time, || {
            Ok(vec![(
                "report.html".into(),
                spool(|out| html::write_report_html(snap, Some(fp), out))?,
            )])
        }),
        job(time, || {
            Ok(vec![(
                "report.pdf".into(),
                bytes(pdf::report_pdf(snap, Some(fp))?)?,
            )])
        }),
        job(time, || {
            let mut members = vec![
                ("triage.json".into(), bytes(findings::triage_json(snap)?)?),
                (
                    "audit-events.json".into(),
                    bytes(findings::audit_events_json(snap)?)?,
                ),
                (
                    "forum-post.md".into(),
                    bytes(markdown::forum_post(snap, Some(fp))?.into_bytes())?,
                ),
                (
                    "signing-key.pem".into(),
                    bytes(public.to_pem().into_bytes())?,
                ),
                (
                    "signing-key.pub".into(),
                    bytes(format!("{}\n", public.to_openssh()).into_bytes())?,
                ),
                (
                    "allowed_signers".into(),
                    bytes(format!("{}\n", public.allowed_signers_line()).into_bytes())?,
                ),
                (
                    "VERIFY.md".into(),
                    bytes(verify_md(snap, key).into_bytes())?,
                ),
            ];
            if let Some(sla) = findings::sla_json(snap)? {
                members.push(("sla.json".into(), bytes(sla)?));
            }
            // The control mapping's criteria for this release, and who could act on the
            // project.
            members.push((
                controls::MEMBER.into(),
                bytes(controls::controls_json(snap)?)?,
            ));
            if let Some(access) = controls::access_json(snap)? {
                members.push((controls::ACCESS_MEMBER.into(), bytes(access)?));
            }
            Ok(members)
        }),
    ];
    Ok(
        crate::parallel::run(jobs, crate::parallel::threads(), "the bundle's members")?
            .into_iter()
            .flatten()
            .collect(),
    )
}

/// A job rendering some members and making them ready for the zip.
fn job<'a>(
    time: DateTime,
    render: impl FnOnce() -> Result<Vec<(String, Rendered)>, ReportError> + Send + 'a,
) -> Job<'a, Vec<Generated>> {
    Box::new(move || ready(render()?, time))
}

/// The manifest: what the bundle is, and every file in it with SHA-256 and size.
fn manifest(
    snap: &ReleaseSnapshot,
    key: &EvidenceKey,
    files: &[(String, String, u64)],
) -> Result<Vec<u8>, ReportError> {
    let public = key.public();
    let mut tools: Vec<serde_json::Value> = snap
        .scans
        .iter()
        .map(|s| json!({"tool": s.tool, "version": s.tool_version, "format": s.format}))
        .collect();
    tools.sort_by_key(|v| v.to_string());
    tools.dedup();
    let scans: Vec<serde_json::Value> = snap
        .scans
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "tool": s.tool, "format": s.format, "label": s.label,
                "target": s.target, "tool_version": s.tool_version, "scanned_at": s.scanned_at,
                "uploaded_at": s.uploaded_at, "uploaded_by": s.uploaded_by, "sha256": s.sha256,
                "size": s.size, "file_name": s.file_name, "partial": s.partial,
                "findings": s.by_severity, "path": s.bundle_path(),
            })
        })
        .collect();
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(path, sha, size)| json!({"path": path, "sha256": sha, "size": size}))
        .collect();
    let document = |gate: serde_json::Value| {
        json!({
        "format": FORMAT,
        "generator": snap.generator,
        "project": snap.project,
        "release": snap.release,
        "release_created_at": snap.release_created_at,
        "draft": snap.seal.is_none(),
        "sealed_at": snap.seal.as_ref().map(|s| s.sealed_at),
        "sealed_by": snap.seal.as_ref().map(|s| &s.sealed_by),
        "allow_blocked_reason": snap.seal.as_ref().and_then(|s| s.allow_blocked_reason.as_ref()),
        "gate": gate,
        "policy": snap.policy,
        "tools": tools,
        "scans": scans,
        "counts": snap.counts_by_severity(),
        "findings": snap.findings.len(),
        "files": files,
        "previous_bundle": snap.previous_bundle,
        "audit_anchor": snap.audit_anchor,
        "signing_key": {
            "algorithm": "ed25519",
            "fingerprint": public.fingerprint(),
            "key_id": public.key_id(),
        },
        })
    };
    // The gate's reasons, a line per blocking finding, are written one at a time.
    if snap.gate.reasons.is_empty() {
        return canonical_json(&document(serde_json::to_value(&snap.gate)?));
    }
    let without_reasons = serde_json::to_value(snap.gate.without_reasons())?;
    let (head, tail) = json_frame::cut(Layout::Canonical, |mark| {
        let mut gate = without_reasons.clone();
        gate["reasons"] = json!(mark);
        document(gate)
    })?;
    let mut out = head;
    // Room for every line at once: grown by doubling, the buffer was up to twice the
    // manifest, and twice more while it was copied into the larger one. A line is its three
    // fields, their keys and indentation (about 90 bytes), and a little escaping.
    let lines: usize = snap
        .gate
        .reasons
        .iter()
        .map(|r| r.reason.len() + r.message.len() + r.fingerprint.as_ref().map_or(0, String::len))
        .map(|fields| fields + 96)
        .sum();
    out.reserve(lines + lines / 16 + tail.len());
    let mut reasons = ArrayWriter::new(&mut out, 2)?;
    for reason in &snap.gate.reasons {
        reasons.push(&serde_json::to_value(reason)?)?;
    }
    reasons.finish()?;
    out.extend_from_slice(&tail);
    Ok(out)
}

/// Renders and signs the bundle of `snap` into `out` (a new file or a cursor), streaming the
/// raw reports from `raw`. Fails if a raw report's bytes do not hash to its recorded SHA-256.
pub fn write_bundle<W: Read + Write + Seek>(
    snap: &ReleaseSnapshot,
    key: &EvidenceKey,
    raw: &mut dyn RawScans,
    out: W,
) -> Result<BundleOutcome, ReportError> {
    let prepared = PreparedRaw::read(&snap.scans, snap.reference_time(), raw)?;
    write_prepared_bundle(snap, key, prepared, out)
}

/// [`write_bundle`] with the raw reports read before ([`PreparedRaw::read`] of the snapshot's
/// scans and reference time; others are refused).
pub fn write_prepared_bundle<W: Read + Write + Seek>(
    snap: &ReleaseSnapshot,
    key: &EvidenceKey,
    prepared: PreparedRaw,
    mut out: W,
) -> Result<BundleOutcome, ReportError> {
    if !prepared.is_for(snap) {
        return Err(ReportError::Invalid(
            "the raw reports were read for another snapshot".into(),
        ));
    }
    let public = key.public();
    let time = zip_time(snap.reference_time());
    let generated = generated_members(snap, key, &prepared.facts, time)?;

    // (path, sha256, size) of every summed member but the manifest.
    let mut files: Vec<(String, String, u64)> = generated
        .iter()
        .map(|g| (g.path.clone(), g.sha256.clone(), g.size))
        .collect();
    for s in &snap.scans {
        files.push((s.bundle_path(), s.sha256.clone(), s.size));
    }
    files.sort();
    if files.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(ReportError::Invalid(
            "two bundle members share a name".into(),
        ));
    }
    let mut manifest = manifest(snap, key, &files)?;
    // Held until the bundle is stored (a line per blocking finding: 82 MB at 1,000,000
    // findings), so without the room it grew into.
    manifest.shrink_to_fit();
    files.push((
        MANIFEST.into(),
        sha256_hex(&manifest),
        manifest.len() as u64,
    ));
    files.sort();

    let mut sums = String::new();
    for (path, sha, _) in &files {
        sums.push_str(&format!("{sha}  {path}\n"));
    }
    let sums = sums.into_bytes();
    let sums_sha = sha256_hex(&sums);
    let sig = key.sign_raw(&sums).to_vec();
    let sshsig = key.sshsig(SSH_NAMESPACE, &sums).into_bytes();
    let mut subjects: Vec<serde_json::Value> = files
        .iter()
        .map(|(path, sha, _)| json!({"name": path, "digest": {"sha256": sha}}))
        .collect();
    subjects.push(json!({"name": SUMS, "digest": {"sha256": sums_sha}}));
    let statement = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "release": {
                "project": snap.project,
                "version": snap.release,
                "sealedAt": snap.seal.as_ref().map(|s| s.sealed_at),
                "sealedBy": snap.seal.as_ref().map(|s| &s.sealed_by),
            },
            "gate": {"passed": snap.gate.verdict, "failOn": snap.gate.fail_on},
            "previousBundle": snap.previous_bundle.as_ref().map(|p| json!({
                "release": p.release,
                "digest": {"sha256": p.sha256},
                "sha256sums": {"sha256": p.sha256sums_sha256},
            })),
            "generator": snap.generator,
        },
    }))?;
    let dsse = key.dsse_envelope(DSSE_PAYLOAD_TYPE, &statement);

    // Every generated member, then the raw scans, in one sorted stream; the large ones
    // deflated already.
    enum Member<'a> {
        Bytes(&'a [u8]),
        Owned(Vec<u8>),
        Compressed(Compressed),
    }
    let mut members: Vec<(String, Member<'_>)> = generated
        .into_iter()
        .map(|g| {
            let member = match g.body {
                Body::Bytes(bytes) => Member::Owned(bytes),
                Body::Compressed(compressed) => Member::Compressed(compressed),
            };
            (g.path, member)
        })
        .collect();
    members.push((MANIFEST.into(), Member::Bytes(&manifest)));
    members.push((SUMS.into(), Member::Bytes(&sums)));
    members.push((SUMS_SIG.into(), Member::Bytes(&sig)));
    members.push((SUMS_SSHSIG.into(), Member::Bytes(&sshsig)));
    members.push((DSSE.into(), Member::Bytes(&dsse)));
    for ((_, _, compressed), scan) in prepared.reports.into_iter().zip(&snap.scans) {
        members.push((scan.bundle_path(), Member::Compressed(compressed)));
    }
    members.sort_by(|a, b| a.0.cmp(&b.0));

    let member_count = members.len();
    {
        let mut zip = ZipWriter::new(&mut out);
        for (path, member) in members {
            match member {
                Member::Bytes(bytes) => {
                    zip.start_file(path.as_str(), options(&path, bytes.len() as u64, time))?;
                    zip.write_all(bytes)?;
                }
                Member::Owned(bytes) => {
                    zip.start_file(path.as_str(), options(&path, bytes.len() as u64, time))?;
                    zip.write_all(&bytes)?;
                }
                Member::Compressed(mut compressed) => compressed.copy_into(&mut zip)?,
            }
        }
        zip.finish()?;
    }
    out.flush()?;
    out.seek(SeekFrom::Start(0))?;
    let (sha256, size) = sha256_of_reader(&mut out)?;
    Ok(BundleOutcome {
        sha256,
        size,
        sha256sums_sha256: sums_sha,
        manifest,
        key_fingerprint: public.fingerprint(),
        key_id: public.key_id(),
        members: member_count,
    })
}

pub use crate::zipped::COMPRESSION_LEVEL;

/// `VERIFY.md`: how to check this bundle with standard tools. The trust anchor is the
/// fingerprint the signer published outside the bundle; the one filled in here is only what
/// this bundle claims.
pub fn verify_md(snap: &ReleaseSnapshot, key: &EvidenceKey) -> String {
    let public = key.public();
    let bundle = snap.bundle_file_name();
    format!(
        r#"# Verifying this ScanLedger evidence bundle

Project **{project}**, release **{release}**{sealed}.

You need none of ScanLedger's software: `bash`, `sha256sum`, `unzip`, and `ssh-keygen`
(OpenSSH 8.1 or later) or `openssl` (3.0 or later). Unzip the bundle into a folder of its own
and work there:

```sh
unzip -d evidence {bundle} && cd evidence
```

This file is itself part of the bundle: whoever could forge the bundle could rewrite it too.
The same steps are in ScanLedger's documentation (`docs/EVIDENCE.md`).

## 0. Trust: is this the signer's published key?

A valid signature only proves that *some* key signed the bundle. Anyone can re-sign a forged
bundle with a key of their own and put that key in `signing-key.pub`, `signing-key.pem` and
`allowed_signers`, so those files prove nothing alone. The trust anchor is the key fingerprint
the signer published **outside** the bundle (the product's README or security page, or a
bundle you already trust). Set it, copied from there and never from this file:

```sh
export TRUSTED='SHA256:...'        # the published fingerprint
```

This bundle says it was signed by `{fingerprint}` (key id `{key_id}`); that means nothing
until it equals the published one. Check that the key files are that key (each step below relies on it):

```sh
: "${{TRUSTED:?set TRUSTED to the published fingerprint}}" &&
  ssh-keygen -lf signing-key.pub | grep -F " $TRUSTED " &&
  cmp <(openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32) <(cut -d' ' -f2 signing-key.pub | base64 -d | tail -c 32) &&
  echo "signing-key.pub and signing-key.pem are the published key" ||
  {{ echo "STOP: the key files are NOT the published key"; false; }}
```

`ssh-keygen` prints the fingerprint of `signing-key.pub`; `cmp` checks that `signing-key.pem`
(what `openssl` and Python use) holds the same 32-byte public key.
If the fingerprint differs, stop: the bundle was not signed by the key you trust.

## 1. Check the files: every member listed in SHA256SUMS, and nothing else

```sh
sha256sum -c SHA256SUMS          # every line must say OK (macOS: shasum -a 256 -c SHA256SUMS)
```

`sha256sum -c` only checks the files `SHA256SUMS` lists: a file added to the bundle after
signing goes unnoticed. So also compare the zip's member list with `SHA256SUMS` plus itself and
its three signature files (`SHA256SUMS.sig`, `SHA256SUMS.sshsig`, `attestation.dsse.json`);
`diff` must print nothing:

```sh
diff <(unzip -Z1 ../{bundle} | grep -v '/$' | LC_ALL=C sort) <({{ cut -c67- SHA256SUMS; printf '%s\n' SHA256SUMS SHA256SUMS.sig SHA256SUMS.sshsig attestation.dsse.json; }} | LC_ALL=C sort) && echo "members: exactly SHA256SUMS and its signatures"
```

## 2. Check the signature on SHA256SUMS against the trusted key (any one is enough)

OpenSSH (the key that verified must be the published one):

```sh
ssh-keygen -Y verify -f allowed_signers -I {principal} -n {namespace} -s SHA256SUMS.sshsig < SHA256SUMS | grep -F "key $TRUSTED"
# Good "{namespace}" signature for {principal} with ED25519 key SHA256:...
```

OpenSSL 3 (`-rawin` is required: Ed25519 signs the message itself; step 0 tied `signing-key.pem`
to the published fingerprint):

```sh
openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
# Signature Verified Successfully
```

Python (`pip install cryptography`; `signing-key.pem` as checked in step 0):

```sh
python3 -c 'from cryptography.hazmat.primitives.serialization import load_pem_public_key as k; k(open("signing-key.pem","rb").read()).verify(open("SHA256SUMS.sig","rb").read(), open("SHA256SUMS","rb").read()); print("OK")'
```

## 3. (Optional) the in-toto attestation

`attestation.dsse.json` is a DSSE envelope (keyid = the key id) of an in-toto Statement v1
whose subjects are the files of `SHA256SUMS` and `SHA256SUMS` itself:

```sh
T=$(jq -r .payloadType attestation.dsse.json)
jq -r .payload attestation.dsse.json | base64 -d > /tmp/statement.json
jq -r '.signatures[0].sig' attestation.dsse.json | base64 -d > /tmp/dsse.sig
{{ printf 'DSSEv1 %d %s %d ' "${{#T}}" "$T" "$(wc -c < /tmp/statement.json)"; cat /tmp/statement.json; }} > /tmp/pae.bin
openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in /tmp/pae.bin -sigfile /tmp/dsse.sig
jq -r '.subject[] | "\(.digest.sha256)  \(.name)"' /tmp/statement.json | sha256sum -c
```

## 3a. (Optional) the standard attestations

`attestations/` holds, for each raw report in `scans/`, an in-toto Statement v1 of predicate
`https://in-toto.io/attestation/vulns/v0.2` (`*.vulns.*`: the scanned image by digest where the
report names one, else the raw report; the scanner; what it found), and the gate's verdict as
a SLSA Verification Summary Attestation v1 (`gate.vsa.*`: `verificationResult`, the policy's
digest, this bundle as `resourceUri`). Each statement is there twice, signed by the same key:
as a DSSE envelope (`*.dsse.json`) and as a Sigstore bundle v0.3 (`*.sigstore.json`: the key
named by its id in `verificationMaterial.publicKey.hint`, no transparency log entry, no
timestamp). They are listed in `SHA256SUMS`, so steps 1 and 2 already cover them; these
commands check their own signatures with supply-chain tools, using `signing-key.pem` as
checked in step 0.

OpenSSL 3 and `jq` (the signature of each envelope over its DSSE pre-authentication encoding):

```sh
fail=0; for f in attestations/*.dsse.json; do
  T=$(jq -r .payloadType "$f"); jq -r .payload "$f" | base64 -d > /tmp/statement.json
  jq -r '.signatures[0].sig' "$f" | base64 -d > /tmp/dsse.sig
  {{ printf 'DSSEv1 %d %s %d ' "${{#T}}" "$T" "$(wc -c < /tmp/statement.json)"; cat /tmp/statement.json; }} > /tmp/pae.bin
  if openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in /tmp/pae.bin -sigfile /tmp/dsse.sig >/dev/null; then echo "$f: OK"; else echo "$f: FAILED"; fail=1; fi
done; [ "$fail" = 0 ]
```

Python securesystemslib (in-toto's DSSE library; the key id is the SHA-256 of the key's DER):

```sh
python3 -m venv /tmp/sslib && /tmp/sslib/bin/pip install -q 'securesystemslib[crypto]'
/tmp/sslib/bin/python - attestations/*.dsse.json <<'EOF'
import hashlib, json, sys
from cryptography.hazmat.primitives import serialization as s
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
pub = s.load_pem_public_key(open("signing-key.pem", "rb").read())
der = pub.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
key = SSlibKey.from_crypto(pub, keyid=hashlib.sha256(der).hexdigest())
for path in sys.argv[1:]:
    Envelope.from_dict(json.load(open(path))).verify([key], 1)
    print(path, "OK")
EOF
```

Node.js with `@sigstore/verify` (sigstore-js), trusting this one key and no transparency
log, certificate or timestamp authority:

```sh
npm install -s --prefix /tmp/sigstore @sigstore/verify @sigstore/bundle
NODE_PATH=/tmp/sigstore/node_modules node - attestations/*.sigstore.json <<'EOF'
const fs = require("fs"), crypto = require("crypto");
const {{ bundleFromJSON }} = require("@sigstore/bundle");
const {{ Verifier, toSignedEntity, toTrustMaterial }} = require("@sigstore/verify");
const key = crypto.createPublicKey(fs.readFileSync("signing-key.pem"));
const id = crypto.createHash("sha256").update(key.export({{ type: "spki", format: "der" }})).digest("hex");
const root = {{ tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }};
const trust = toTrustMaterial(root, (hint) => {{ if (hint !== id) throw new Error("unknown key " + hint); return {{ publicKey: key, validFor: () => true }}; }});
const verifier = new Verifier(trust, {{ tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }});
for (const path of process.argv.slice(2).filter((a) => a !== "-")) {{
  verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(fs.readFileSync(path, "utf8")))));
  console.log(path, "OK");
}}
EOF
```

cosign (untested: cosign is not part of ScanLedger's test suite; cosign 2.x also needs
`--new-bundle-format`), for a statement whose subject is a raw report in `scans/`:

```sh
cosign verify-blob-attestation --key signing-key.pem --insecure-ignore-tlog \
  --bundle attestations/NAME.vulns.sigstore.json --type https://in-toto.io/attestation/vulns/v0.2 scans/NAME.json
```

## 4. (Optional) the chain to the previous release

`manifest.json` names the previous sealed bundle of the project and its SHA-256. With that
bundle at hand:

```sh
jq -r .previous_bundle.sha256 manifest.json
sha256sum ../PREVIOUS-evidence.zip          # must print the same hash
```

A release missing from the chain shows as a link that does not match.

## 5. (Optional) the audit log anchor

`manifest.json` also holds `audit_anchor`: the sequence number and hash of the newest event of
ScanLedger's audit log when the release was sealed. It is signed with everything else, so the
operator can later show that the log still contains that event unchanged
(`scanledger audit verify --bundles DIR --key PUBLISHED.pub` with this bundle in `DIR`):

```sh
jq .audit_anchor manifest.json
```

## With ScanLedger

```sh
scanledger verify {bundle} --key PUBLISHED.pub --previous PREVIOUS-evidence.zip
```

`PUBLISHED.pub` is the public key you obtained from the signer, not `signing-key.pub` from
this bundle. Exit codes: 0 valid and signed by a key you gave, 1 invalid or tampered, 2 error,
3 valid signature but by a key nobody checked (no `--key`).
"#,
        project = snap.project,
        release = snap.release,
        sealed = match &snap.seal {
            Some(s) => format!(
                ", sealed {} by {}",
                crate::format_time(&s.sealed_at),
                s.sealed_by
            ),
            None => " (DRAFT: the release is open)".into(),
        },
        fingerprint = public.fingerprint(),
        key_id = public.key_id(),
        principal = PRINCIPAL,
        namespace = SSH_NAMESPACE,
    )
}
