//! Standard attestations in every bundle (issue 21): what the release's scans found and what
//! its gate decided, as in-toto statements that supply-chain tools read, each signed with the
//! evidence key in the two envelopes those tools verify.
//!
//! Under `attestations/` in the bundle:
//!
//! | member | what |
//! |---|---|
//! | `SCAN.vulns.dsse.json` | per scan: DSSE envelope of an in-toto Statement v1, predicate `https://in-toto.io/attestation/vulns/v0.2` |
//! | `SCAN.vulns.sigstore.json` | the same envelope as a Sigstore bundle v0.3 (public key hint, no transparency log) |
//! | `gate.vsa.dsse.json`, `gate.vsa.sigstore.json` | the gate's verdict as a SLSA Verification Summary Attestation v1 |
//!
//! `SCAN` is the raw report's bundle path without `scans/` and its extension
//! (`0001-trivy-image-0a1b2c3d4e5f`). The members are listed in `SHA256SUMS` like every other
//! file, so the bundle's signatures cover them too.
//!
//! The types are serde structs of our own, written after the specifications (in-toto
//! Statement v1, the vulns v0.2 and VSA v1 predicates, DSSE, Sigstore's bundle v0.3 JSON):
//! the Rust crates that carry them (`sigstore`, `in-toto`) bring an HTTP and async stack or
//! whole verification frameworks along for a few structs. Every one is serialized through
//! `serde_json::Value`, whose objects keep their keys sorted, so the bytes are deterministic;
//! a scan's results, which can grow with its findings, are written one at a time into that
//! frame ([`crate::json_frame`]), and a large statement is signed and wrapped from a temporary
//! file.
//!
//! What a statement says of a scan comes from the [`ScanSnapshot`] and, for the formats that
//! carry more ([`needs_raw_report`]: Trivy and Grype JSON), from the raw report itself
//! ([`ScanFacts::read`]): the image digests scanned, the scanner's version, its vulnerability
//! database, when it scanned.

use crate::ReportError;
use crate::json_frame::{self, Layout};
use crate::keys::{DSSE_PAYLOAD_TYPE, EvidenceKey, PublicKey};
use crate::read_bundle::{ManifestView, Members};
use crate::rendered::{HELD_MEMBER, Rendered, held, spool};
use crate::snapshot::{ReleaseSnapshot, ScanSnapshot};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};

/// The folder of the attestations in a bundle.
pub const DIR: &str = "attestations/";
/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate of a scan's statement.
pub const VULNS_PREDICATE: &str = "https://in-toto.io/attestation/vulns/v0.2";
/// The predicate of the gate's statement.
pub const VSA_PREDICATE: &str = "https://slsa.dev/verification_summary/v1";
/// The media type of a Sigstore bundle v0.3.
pub const SIGSTORE_BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Suffixes of the two envelopes of one statement.
pub const DSSE_SUFFIX: &str = ".dsse.json";
pub const SIGSTORE_SUFFIX: &str = ".sigstore.json";
/// The gate's statement (without the suffix).
pub const GATE: &str = "attestations/gate.vsa";
/// The VSA's verifier id.
pub const VERIFIER_ID: &str = "https://scanledger.dev/gate/v1";

/// Whether the statement of a scan of `format` reads facts from its raw report.
pub fn needs_raw_report(format: &str) -> bool {
    matches!(format, "trivy-json" | "grype-json")
}

/// An in-toto resource descriptor with a digest: what a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    /// Algorithm (`sha256`) to lowercase hex.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    fn sha256(name: &str, hex: &str) -> Subject {
        Subject {
            name: name.to_string(),
            digest: BTreeMap::from([("sha256".to_string(), hex.to_ascii_lowercase())]),
        }
    }
}

/// A scanner's vulnerability database, as its report names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScannerDb {
    pub uri: Option<String>,
    pub version: Option<String>,
    pub last_update: String,
}

/// What a raw report says beyond the scan's record: all optional, a report that says nothing
/// (or cannot be read) gives the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanFacts {
    /// The image(s) scanned, by digest (`name@sha256:...` of Trivy's `Metadata.RepoDigests`
    /// or Grype's `source.target.repoDigests`; else Grype's `manifestDigest`, else the image
    /// id, under the artifact's name).
    pub subjects: Vec<Subject>,
    pub scanner_version: Option<String>,
    pub db: Option<ScannerDb>,
    pub started: Option<String>,
    pub finished: Option<String>,
}

/// Trivy's top level, with only the fields read (the rest, `Results` included, is skipped as
/// it streams by).
#[derive(Deserialize)]
struct TrivyHead {
    #[serde(rename = "CreatedAt")]
    created_at: Option<Value>,
    #[serde(rename = "ArtifactName")]
    artifact_name: Option<Value>,
    #[serde(rename = "Metadata")]
    metadata: Option<Value>,
    #[serde(rename = "Trivy")]
    trivy: Option<Value>,
}

/// Grype's top level, likewise (`matches` skipped).
#[derive(Deserialize)]
struct GrypeHead {
    source: Option<Value>,
    descriptor: Option<Value>,
}

/// `name@sha256:HEX` as a subject.
fn repo_digest(text: &str) -> Option<Subject> {
    let (name, digest) = text.rsplit_once('@')?;
    let hex = digest.strip_prefix("sha256:")?;
    (!name.is_empty() && is_sha256_hex(hex)).then(|| Subject::sha256(name, hex))
}

fn is_sha256_hex(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Subjects from a list of repo digests, else from the first of `ids` (a manifest digest or
/// an image id, `sha256:HEX`) under `name`.
fn image_subjects(repo_digests: &Value, ids: &[&Value], name: Option<&str>) -> Vec<Subject> {
    let mut subjects: Vec<Subject> = repo_digests
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(repo_digest)
        .collect();
    if subjects.is_empty()
        && let Some(hex) = ids
            .iter()
            .filter_map(|id| id.as_str()?.strip_prefix("sha256:"))
            .find(|hex| is_sha256_hex(hex))
    {
        subjects.push(Subject::sha256(name.unwrap_or("image"), hex));
    }
    subjects.sort();
    subjects.dedup();
    subjects
}

/// A time as the tool wrote it, if it is RFC 3339: in UTC, as in-toto timestamps are.
fn rfc3339(value: Option<&Value>) -> Option<String> {
    let text = value?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| {
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    })
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

impl ScanFacts {
    /// Reads a raw report of `format` as it streams by. Only the small top-level fields are
    /// kept; a report that is not what its format says gives no facts, never an error.
    pub fn read(format: &str, reader: impl Read) -> ScanFacts {
        let reader = std::io::BufReader::with_capacity(256 * 1024, reader);
        match format {
            "trivy-json" => serde_json::from_reader::<_, TrivyHead>(reader)
                .map(ScanFacts::of_trivy)
                .unwrap_or_default(),
            "grype-json" => serde_json::from_reader::<_, GrypeHead>(reader)
                .map(ScanFacts::of_grype)
                .unwrap_or_default(),
            _ => ScanFacts::default(),
        }
    }

    fn of_trivy(head: TrivyHead) -> ScanFacts {
        let metadata = head.metadata.unwrap_or_default();
        let name = text(head.artifact_name.as_ref());
        ScanFacts {
            subjects: image_subjects(
                &metadata["RepoDigests"],
                &[&metadata["ImageID"]],
                name.as_deref(),
            ),
            scanner_version: head.trivy.as_ref().and_then(|t| text(t.get("Version"))),
            // Trivy's JSON names no database; `CreatedAt` is when the report was written.
            db: None,
            started: None,
            finished: rfc3339(head.created_at.as_ref()),
        }
    }

    fn of_grype(head: GrypeHead) -> ScanFacts {
        let source = head.source.unwrap_or_default();
        let descriptor = head.descriptor.unwrap_or_default();
        let target = &source["target"];
        let name = text(target.get("userInput"));
        // Grype 0.7x-0.8x write `db.built`; later ones `db.status.built`.
        let db = &descriptor["db"];
        let db = if db.get("status").is_some() {
            &db["status"]
        } else {
            db
        };
        let db = rfc3339(db.get("built")).map(|built| ScannerDb {
            uri: Some("pkg:github/anchore/grype-db".into()),
            version: db
                .get("schemaVersion")
                .and_then(|v| match v {
                    Value::Number(n) => Some(n.to_string()),
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .map(|schema| format!("schema {schema}"))
                .map(|v| match text(db.get("checksum")) {
                    Some(sum) => format!("{v}, {sum}"),
                    None => v,
                }),
            last_update: built,
        });
        ScanFacts {
            subjects: image_subjects(
                &target["repoDigests"],
                &[&target["manifestDigest"], &target["imageID"]],
                name.as_deref(),
            ),
            scanner_version: text(descriptor.get("version")),
            db,
            // Grype's `descriptor.timestamp` is when it ran.
            started: rfc3339(descriptor.get("timestamp")),
            finished: None,
        }
    }
}

/// Where a scan's statement sits: `attestations/<raw report name without extension>.vulns`.
pub fn scan_statement_path(scan: &ScanSnapshot) -> String {
    let path = scan.bundle_path();
    let name = path.strip_prefix("scans/").unwrap_or(&path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{DIR}{stem}.vulns")
}

/// The project a scanner comes from, as a package URL, for the tools we know; others get a
/// URI of ScanLedger's tool name.
fn scanner_uri(tool: &str) -> String {
    let github = match tool {
        "trivy" => "aquasecurity/trivy",
        "trivy-operator" => "aquasecurity/trivy-operator",
        "tfsec" => "aquasecurity/tfsec",
        "kube-bench" => "aquasecurity/kube-bench",
        "grype" => "anchore/grype",
        "osv-scanner" => "google/osv-scanner",
        "semgrep" => "semgrep/semgrep",
        "bandit" => "PyCQA/bandit",
        "checkov" => "bridgecrewio/checkov",
        "zap" => "zaproxy/zaproxy",
        "dependabot" => "dependabot/dependabot-core",
        _ => "",
    };
    if github.is_empty() {
        format!(
            "https://scanledger.dev/tools/{}",
            crate::snapshot::safe_name(tool)
        )
    } else {
        format!("pkg:github/{github}")
    }
}

/// What a scan's statement is about: the images it scanned, else its raw report.
fn scan_subjects(scan: &ScanSnapshot, facts: &ScanFacts) -> Vec<Subject> {
    if facts.subjects.is_empty() {
        vec![Subject::sha256(&scan.bundle_path(), &scan.sha256)]
    } else {
        facts.subjects.clone()
    }
}

/// A rule's most severe occurrence in a scan: its rank, CVSS score and severity.
type RuleResult = (usize, Option<f64>, &'static str);

/// One entry per rule or advisory id of the scan's findings in the release's view, by id.
fn rule_results(
    snap: &ReleaseSnapshot,
    scan: &ScanSnapshot,
) -> Result<BTreeMap<String, RuleResult>, ReportError> {
    let mut results: BTreeMap<String, RuleResult> = BTreeMap::new();
    snap.findings.try_for_each(|f| {
        if f.scan_id != scan.id {
            return Ok(());
        }
        let rank = crate::severity::severity_rank(f.severity.as_str());
        let severity = f.severity.as_str();
        let entry = match results.get_mut(f.rule_id.as_str()) {
            Some(entry) => entry,
            None => results
                .entry(f.rule_id.clone())
                .or_insert((rank, f.cvss_score, severity)),
        };
        if rank < entry.0 {
            *entry = (rank, f.cvss_score.or(entry.1), severity);
        } else if entry.1.is_none() {
            entry.1 = f.cvss_score;
        }
        Ok(())
    })?;
    Ok(results)
}

/// One result of the vulns predicate: the id, ScanLedger's severity and the CVSS score where
/// the tool gave one.
fn result_value(id: &str, (_, cvss, severity): &RuleResult) -> Value {
    let mut scores = vec![json!({"method": "scanledger", "score": severity})];
    if let Some(score) = cvss.filter(|s| s.is_finite()) {
        scores.push(json!({"method": "cvss_score", "score": format!("{score:.1}")}));
    }
    json!({"id": id, "severity": scores})
}

/// The statement of one scan with `result` as its scanner's results: its subject, its
/// scanner, plus `summary`, its findings counted by severity (a ScanLedger field: in-toto
/// consumers ignore fields they do not know).
fn vulns_frame(
    scan: &ScanSnapshot,
    subjects: &[Subject],
    facts: &ScanFacts,
    result: Value,
) -> Value {
    let mut scanner = json!({"uri": scanner_uri(&scan.tool), "result": result});
    if let Some(version) = facts
        .scanner_version
        .clone()
        .or_else(|| scan.tool_version.clone())
    {
        scanner["version"] = json!(version);
    }
    if let Some(db) = &facts.db {
        let mut v = json!({"lastUpdate": db.last_update});
        if let Some(uri) = &db.uri {
            v["uri"] = json!(uri);
        }
        if let Some(version) = &db.version {
            v["version"] = json!(version);
        }
        scanner["db"] = v;
    }
    let mut metadata = serde_json::Map::new();
    if let Some(started) = &facts.started {
        metadata.insert("scanStartedOn".into(), json!(started));
    }
    let finished = facts.finished.clone().or_else(|| {
        rfc3339(
            scan.scanned_at
                .as_ref()
                .map(|s| Value::String(s.clone()))
                .as_ref(),
        )
    });
    if let Some(finished) = finished {
        metadata.insert("scanFinishedOn".into(), json!(finished));
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": VULNS_PREDICATE,
        "predicate": {
            "scanner": scanner,
            "metadata": metadata,
            "summary": scan.by_severity,
        },
    })
}

/// Writes the statement of one scan (compact JSON, keys sorted): what it found in the
/// release's view, one result per rule or advisory id, written one at a time, since with
/// one id per finding (a synthetic report's case) the list grows with the findings.
fn write_vulns_statement(
    snap: &ReleaseSnapshot,
    scan: &ScanSnapshot,
    subjects: &[Subject],
    facts: &ScanFacts,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let results = rule_results(snap, scan)?;
    let (head, tail) = json_frame::cut(Layout::Compact, |mark| {
        vulns_frame(scan, subjects, facts, json!(mark))
    })?;
    out.write_all(&head)?;
    out.write_all(b"[")?;
    for (i, (id, result)) in results.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &result_value(id, result))?;
    }
    out.write_all(b"]")?;
    out.write_all(&tail)?;
    Ok(())
}

/// The policy the gate judged by, as an in-toto resource descriptor: the policy's text in
/// `manifest.json` (`jq -j .policy.text manifest.json | sha256sum`), or, without a stored
/// policy, the gate's settings as the line `fail-on=SEVERITY require=TOOL,TOOL`.
fn policy_descriptor(snap: &ReleaseSnapshot) -> Value {
    let required: Vec<&str> = snap
        .gate
        .required_tools
        .iter()
        .map(String::as_str)
        .collect();
    policy_of(
        snap.policy.as_ref().and_then(|p| p.text.as_deref()),
        &snap.gate.fail_on,
        &required,
    )
}

fn policy_of(text: Option<&str>, fail_on: &str, required_tools: &[&str]) -> Value {
    match text {
        Some(text) => json!({
            "uri": "manifest.json#/policy/text",
            "digest": {"sha256": hex::encode(Sha256::digest(text.as_bytes()))},
        }),
        None => {
            let line = format!("fail-on={fail_on} require={}", required_tools.join(","));
            json!({
                "uri": "manifest.json#/gate",
                "digest": {"sha256": hex::encode(Sha256::digest(line.as_bytes()))},
            })
        }
    }
}

/// The gate's VSA says what the signed manifest says: the same verdict, the same policy.
fn check_vsa_against_manifest(
    manifest: Option<&ManifestView>,
    path: &str,
    predicate: &PredicateView,
) -> Result<(), String> {
    let manifest = manifest.ok_or_else(|| format!("{path}: no manifest.json to compare with"))?;
    let passed = manifest.gate.passed.as_bool() == Some(true);
    let result = if passed { "PASSED" } else { "FAILED" };
    if predicate.verification_result != result {
        return Err(format!(
            "{path}: verificationResult differs from the manifest's gate ({result})"
        ));
    }
    let required: Vec<&str> = manifest
        .gate
        .required_tools
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let policy = policy_of(
        manifest.policy["text"].as_str(),
        manifest.gate.fail_on.as_str().unwrap_or_default(),
        &required,
    );
    if predicate.policy != policy {
        return Err(format!("{path}: the policy differs from the manifest's"));
    }
    Ok(())
}

/// `2026-11-23T10:15:00Z`.
fn timestamp(t: &chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The gate's verdict as a SLSA Verification Summary Attestation: the subjects are the
/// artifacts the release's scans looked at, the scans' statements its input attestations.
fn vsa_statement(
    snap: &ReleaseSnapshot,
    subjects: Vec<Subject>,
    inputs: Vec<(String, String)>,
) -> Value {
    let passed = snap.gate.verdict.is_passed();
    let version = snap
        .generator
        .rsplit_once(' ')
        .map_or(snap.generator.as_str(), |(_, v)| v);
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": VSA_PREDICATE,
        "predicate": {
            "verifier": {"id": VERIFIER_ID, "version": {"scanledger": version}},
            "timeVerified": timestamp(&snap.reference_time()),
            "resourceUri": snap.bundle_file_name(),
            "policy": policy_descriptor(snap),
            "inputAttestations": inputs.into_iter().map(|(uri, sha)| json!({
                "uri": uri, "digest": {"sha256": sha},
            })).collect::<Vec<_>>(),
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            // ScanLedger checks no SLSA track: the gate's verdict is `verificationResult`.
            "verifiedLevels": if passed { json!([]) } else { json!(["FAILED"]) },
            "slsaVersion": "1.0",
        },
    })
}

/// A Sigstore bundle v0.3 of a DSSE envelope signed by `key`: the key named by its hint (the
/// key id), no certificate, no transparency log entry, no timestamp.
pub fn sigstore_bundle(
    key: &EvidenceKey,
    payload_type: &str,
    payload: &[u8],
) -> Result<Vec<u8>, ReportError> {
    let sig = key.dsse_signature(payload_type, payload);
    crate::canonical_json(&sigstore_value(
        &key.public(),
        payload_type,
        &STANDARD.encode(payload),
        &sig,
    ))
}

/// The Sigstore bundle's JSON, its payload already in base64 (or a placeholder for it).
fn sigstore_value(
    public: &PublicKey,
    payload_type: &str,
    payload_base64: &str,
    sig: &[u8; 64],
) -> Value {
    json!({
        "mediaType": SIGSTORE_BUNDLE_V03,
        "verificationMaterial": {
            "publicKey": {"hint": public.key_id()},
            "tlogEntries": [],
            "timestampVerificationData": {"rfc3161Timestamps": []},
        },
        "dsseEnvelope": {
            "payload": payload_base64,
            "payloadType": payload_type,
            "signatures": [{"sig": STANDARD.encode(sig), "keyid": public.key_id()}],
        },
    })
}

/// A statement's bytes: in memory while small, else in an unnamed temporary file.
enum Payload {
    Held(Vec<u8>),
    Spooled { file: std::fs::File, len: u64 },
}

impl Payload {
    fn write(
        render: impl FnOnce(&mut dyn Write) -> Result<(), ReportError>,
    ) -> Result<Payload, ReportError> {
        let mut file = std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?);
        render(&mut file)?;
        let mut file = file.into_inner().map_err(|e| e.into_error())?;
        let len = file.stream_position()?;
        if len > HELD_MEMBER as u64 {
            return Ok(Payload::Spooled { file, len });
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.seek(SeekFrom::Start(0))?;
        file.read_to_end(&mut bytes)?;
        Ok(Payload::Held(bytes))
    }

    /// The statement's DSSE envelope and Sigstore bundle, signed by `key`.
    fn envelopes(&self, key: &EvidenceKey) -> Result<(Rendered, Rendered), ReportError> {
        let (file, len) = match self {
            Payload::Held(bytes) => {
                return Ok((
                    held(key.dsse_envelope(DSSE_PAYLOAD_TYPE, bytes))?,
                    held(sigstore_bundle(key, DSSE_PAYLOAD_TYPE, bytes)?)?,
                ));
            }
            Payload::Spooled { file, len } => (file, *len),
        };
        let sig = key.dsse_signature_of_file(DSSE_PAYLOAD_TYPE, file, len)?;
        let public = key.public();
        let envelope = |frame: &dyn Fn(&str) -> Value| {
            spool(|out| {
                let (head, tail) = json_frame::cut(Layout::Canonical, frame)?;
                out.write_all(&head)?;
                out.write_all(b"\"")?;
                let copied = {
                    let mut base64 = base64::write::EncoderWriter::new(&mut *out, &STANDARD);
                    let mut payload = file;
                    payload.seek(SeekFrom::Start(0))?;
                    let copied = std::io::copy(&mut payload.take(len), &mut base64)?;
                    base64.finish()?;
                    copied
                };
                if copied != len {
                    return Err(ReportError::Io(std::io::ErrorKind::UnexpectedEof.into()));
                }
                out.write_all(b"\"")?;
                out.write_all(&tail)?;
                Ok(())
            })
        };
        Ok((
            envelope(&|mark| key.dsse_envelope_value(DSSE_PAYLOAD_TYPE, mark, &sig))?,
            envelope(&|mark| sigstore_value(&public, DSSE_PAYLOAD_TYPE, mark, &sig))?,
        ))
    }
}

/// Every attestation member of the bundle of `snap`, as (path, member), sorted. `facts` holds
/// what the raw reports of [`needs_raw_report`] formats said, by scan id. A scan's statement
/// that is large is written to a temporary file, signed from it and wrapped from it, so a
/// scan of any size needs memory for one entry per rule id only.
pub(crate) fn members(
    snap: &ReleaseSnapshot,
    key: &EvidenceKey,
    facts: &BTreeMap<domain::ScanId, ScanFacts>,
) -> Result<Vec<(String, Rendered)>, ReportError> {
    let none = ScanFacts::default();
    let mut out = Vec::new();
    let mut scanned: Vec<Subject> = Vec::new();
    let mut inputs = Vec::new();
    for scan in &snap.scans {
        let facts = facts.get(&scan.id).unwrap_or(&none);
        let subjects = scan_subjects(scan, facts);
        let payload =
            Payload::write(|out| write_vulns_statement(snap, scan, &subjects, facts, out))?;
        scanned.extend(subjects);
        let (dsse, sigstore) = payload.envelopes(key)?;
        let path = scan_statement_path(scan);
        inputs.push((format!("{path}{DSSE_SUFFIX}"), dsse.sha256_and_size().0));
        out.push((format!("{path}{DSSE_SUFFIX}"), dsse));
        out.push((format!("{path}{SIGSTORE_SUFFIX}"), sigstore));
    }
    scanned.sort();
    scanned.dedup();
    let payload = serde_json::to_vec(&vsa_statement(snap, scanned, inputs))?;
    out.push((
        format!("{GATE}{DSSE_SUFFIX}"),
        held(key.dsse_envelope(DSSE_PAYLOAD_TYPE, &payload))?,
    ));
    out.push((
        format!("{GATE}{SIGSTORE_SUFFIX}"),
        held(sigstore_bundle(key, DSSE_PAYLOAD_TYPE, &payload)?)?,
    ));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Checks the attestation members of a bundle against `key`: each envelope is signed by it
/// and holds an in-toto Statement v1 of a known predicate (the gate's: with the verdict and
/// policy of `manifest.json`); each Sigstore bundle is v0.3,
/// names the key by its id, carries no transparency log entry, and holds the very envelope of
/// its `.dsse.json` twin; a subject named by a bundle path has that member's SHA-256. Returns
/// how many statements were checked.
pub(crate) fn verify_members(
    members: &Members,
    manifest: Option<&ManifestView>,
    key: &PublicKey,
) -> Result<usize, String> {
    let mut statements = 0;
    for (path, bytes) in members.under(DIR) {
        let Some(base) = path.strip_prefix(DIR) else {
            break;
        };
        let bytes = bytes.ok_or_else(|| format!("{path} was not read"))?;
        if let Some(stem) = base.strip_suffix(DSSE_SUFFIX) {
            let (payload_type, payload) =
                key.verify_dsse(bytes).map_err(|e| format!("{path}: {e}"))?;
            check_statement(members, manifest, path, &payload_type, &payload)?;
            let twin = format!("{DIR}{stem}{SIGSTORE_SUFFIX}");
            let sigstore = members
                .bytes(&twin)
                .ok_or_else(|| format!("{twin} is missing"))?;
            check_sigstore(sigstore, key, &payload_type, &payload)
                .map_err(|e| format!("{twin}: {e}"))?;
            statements += 1;
        } else if let Some(stem) = base.strip_suffix(SIGSTORE_SUFFIX) {
            if !members.contains(&format!("{DIR}{stem}{DSSE_SUFFIX}")) {
                return Err(format!("{path} has no {DSSE_SUFFIX} twin"));
            }
        } else {
            return Err(format!("{path} is not an attestation ScanLedger writes"));
        }
    }
    Ok(statements)
}

/// What the checks read of an in-toto statement: a scan's vulns predicate (a line per
/// finding) is skipped as it is parsed.
#[derive(Deserialize)]
struct StatementView {
    #[serde(rename = "_type", default)]
    kind: Value,
    #[serde(rename = "predicateType", default)]
    predicate_type: Value,
    subject: Vec<Subject>,
    #[serde(default)]
    predicate: PredicateView,
}

/// What the checks read of a predicate: the VSA's verdict, policy and input attestations.
#[derive(Default, Deserialize)]
struct PredicateView {
    #[serde(rename = "verificationResult", default)]
    verification_result: Value,
    #[serde(default)]
    policy: Value,
    #[serde(rename = "inputAttestations", default)]
    input_attestations: Value,
}

fn check_statement(
    members: &Members,
    manifest: Option<&ManifestView>,
    path: &str,
    payload_type: &str,
    payload: &[u8],
) -> Result<(), String> {
    if payload_type != DSSE_PAYLOAD_TYPE {
        return Err(format!("{path}: payload type {payload_type}"));
    }
    let statement: StatementView =
        serde_json::from_slice(payload).map_err(|e| format!("{path}: statement: {e}"))?;
    if statement.kind != STATEMENT_TYPE {
        return Err(format!("{path}: not an in-toto Statement v1"));
    }
    let expected = if path.starts_with(GATE) {
        VSA_PREDICATE
    } else {
        VULNS_PREDICATE
    };
    if statement.predicate_type != expected {
        return Err(format!("{path}: predicate type is not {expected}"));
    }
    for s in &statement.subject {
        if let Some((sha, _)) = members.digest(&s.name)
            && s.digest.get("sha256").map(String::as_str) != Some(sha)
        {
            return Err(format!(
                "{path}: subject {} differs from the bundle's",
                s.name
            ));
        }
    }
    if expected == VSA_PREDICATE {
        check_vsa_against_manifest(manifest, path, &statement.predicate)?;
    }
    for input in statement
        .predicate
        .input_attestations
        .as_array()
        .into_iter()
        .flatten()
    {
        let uri = input["uri"].as_str().unwrap_or_default();
        let sha = members.digest(uri).map(|(sha, _)| sha);
        if sha.is_none() || input["digest"]["sha256"].as_str() != sha {
            return Err(format!(
                "{path}: input attestation {uri} differs from the bundle's"
            ));
        }
    }
    Ok(())
}

fn check_sigstore(
    bytes: &[u8],
    key: &PublicKey,
    payload_type: &str,
    payload: &[u8],
) -> Result<(), String> {
    let bundle: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if bundle["mediaType"] != SIGSTORE_BUNDLE_V03 {
        return Err(format!("media type is not {SIGSTORE_BUNDLE_V03}"));
    }
    let material = &bundle["verificationMaterial"];
    if material["publicKey"]["hint"].as_str() != Some(key.key_id().as_str()) {
        return Err("the public key hint is not the signing key's id".into());
    }
    if material["tlogEntries"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
    {
        return Err("unexpected transparency log entries".into());
    }
    let envelope = serde_json::to_vec(&bundle["dsseEnvelope"]).map_err(|e| e.to_string())?;
    let (t, p) = key.verify_dsse(&envelope).map_err(|e| e.to_string())?;
    if t != payload_type || p != payload {
        return Err("its statement differs from the DSSE envelope's".into());
    }
    Ok(())
}
