//! A small, fixed release snapshot: for tests, documentation screenshots and trying renderers.
//! It has a blocked gate, an accepted risk, a false positive, a diff, and finding titles in
//! Slovene and Japanese. Two variants stretch the renderers: [`large_snapshot`] (the sample's
//! findings repeated to any count) and [`non_latin_snapshot`] (titles in Chinese, Japanese,
//! Russian and Arabic).

use chrono::NaiveDate;
use domain::{Decision, Kind, ScanId, Severity, TriageStatus};
use reports::snapshot::*;
use std::collections::BTreeMap;

fn at(day: u32, hour: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .unwrap_or_default()
}

/// The raw report bytes of the sample's scans, by scan id.
pub fn sample_raw(scan_id: i64) -> Vec<u8> {
    match scan_id {
        1 => br#"{"SchemaVersion":2,"ArtifactName":"registry.example.com/shop/api:4.2.0","Results":[]}"#.to_vec(),
        _ => b"<?xml version=\"1.0\"?><checkstyle version=\"4.3\"></checkstyle>\n".to_vec(),
    }
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[allow(clippy::too_many_arguments)]
fn finding(
    n: u32,
    severity: &str,
    tool: &str,
    rule: &str,
    title: &str,
    status: &str,
    component: Option<&str>,
    file: Option<&str>,
) -> ViewFinding {
    ViewFinding {
        fingerprint: format!("{n:02x}{}", "5e".repeat(31)),
        severity: Severity::parse(severity).unwrap_or(Severity::Unknown),
        severity_original: Some(severity.to_uppercase()),
        kind: if file.is_some() {
            Kind::Misconfiguration
        } else {
            Kind::Vulnerability
        },
        category: None,
        rule_id: rule.into(),
        title: title.into(),
        tool: tool.into(),
        status: TriageStatus::parse(status).unwrap_or(TriageStatus::Open),
        tool_status: None,
        component: component.map(str::to_string),
        component_version: component.map(|_| "3.0.2-1".to_string()),
        purl: None,
        fixed_version: component.map(|_| "3.0.15-1".to_string()),
        cvss_score: if severity == "critical" {
            Some(9.8)
        } else {
            None
        },
        epss: None,
        epss_percentile: None,
        cwe: vec!["CWE-79".into()],
        target: Some("registry.example.com/shop/api:4.2.0".into()),
        file: file.map(str::to_string),
        line_start: file.map(|_| 12),
        line_end: None,
        resource: None,
        url: None,
        parameter: None,
        scan_id: ScanId::new(if tool == "trivy" { 1 } else { 2 }),
        scan_label: if tool == "trivy" {
            "trivy:registry.example.com/shop/api"
        } else {
            "tfsec:infra"
        }
        .into(),
        first_seen_at: at(20, 9),
        decision: None,
        finding_id: None,
    }
}

/// The sample's findings that block its gate (critical and high, open), by index.
const BLOCKING: [usize; 3] = [0, 1, 3];

/// The gate's reason for a blocking finding, worded as the gate words it.
fn gate_reason(f: &ViewFinding) -> GateReasonLine {
    GateReasonLine {
        reason: "blocking_finding".into(),
        message: format!(
            "{} {} {} ({}, {})",
            f.severity,
            f.rule_id,
            f.title,
            f.tool,
            f.location()
        ),
        fingerprint: Some(f.fingerprint.clone()),
    }
}

/// A finding as the diff against the previous release lists it.
fn diff_line(f: &ViewFinding) -> DiffLine {
    DiffLine {
        fingerprint: f.fingerprint.clone(),
        severity: f.severity.as_str().to_string(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        tool: f.tool.clone(),
        location: f.location(),
    }
}

/// The sample: project `shop`, release `4.2.0`, sealed (pass `false` for an open release).
pub fn sample_snapshot(sealed: bool) -> ReleaseSnapshot {
    let raw1 = sample_raw(1);
    let raw2 = sample_raw(2);
    let mut accepted = finding(
        3,
        "high",
        "trivy",
        "CVE-2024-5535",
        "openssl: SSL_select_next_proto buffer overread",
        "accepted",
        Some("libssl3"),
        None,
    );
    accepted.decision = Some(Decision {
        justification: Some(
            "NPN is not used by any service; fix ships with the next base image".into(),
        ),
        approver: Some("ciso@example.com".into()),
        expires_at: Some(at(30, 0)),
        decided_by: "alice".into(),
        decided_at: at(22, 14),
    });
    let mut false_positive = finding(
        4,
        "medium",
        "tfsec",
        "aws-s3-enable-versioning",
        "S3 bucket has versioning disabled",
        "false_positive",
        None,
        Some("infra/logs.tf"),
    );
    false_positive.decision = Some(Decision {
        justification: Some("Log bucket: objects are write-once by policy".into()),
        approver: None,
        expires_at: None,
        decided_by: "bob".into(),
        decided_at: at(22, 15),
    });
    let findings = vec![
        finding(
            1,
            "critical",
            "trivy",
            "CVE-2024-3094",
            "xz-utils: malicious code in the upstream tarballs",
            "open",
            Some("liblzma5"),
            None,
        ),
        finding(
            2,
            "high",
            "tfsec",
            "aws-ec2-no-public-ip",
            "Varnostna skupina dovoljuje dostop z vseh naslovov (čšž ČŠŽ)",
            "open",
            None,
            Some("infra/main.tf"),
        ),
        accepted,
        finding(
            5,
            "high",
            "trivy",
            "CVE-2025-0001",
            "入力検証の不備によるクロスサイトスクリプティング",
            "open",
            Some("libxml2"),
            None,
        ),
        false_positive,
        finding(
            6,
            "low",
            "trivy",
            "CVE-2023-4641",
            "shadow-utils: possible password leak during passwd(1) change",
            "open",
            Some("login"),
            None,
        ),
        finding(
            7,
            "info",
            "tfsec",
            "general-secrets-sensitive-in-local",
            "A local value may contain a secret | \"quoted\" <tag>",
            "open",
            None,
            Some("infra/vars.tf"),
        ),
    ];
    let mut by1 = BTreeMap::new();
    by1.insert("critical".to_string(), 1);
    by1.insert("high".to_string(), 2);
    by1.insert("low".to_string(), 1);
    let mut by2 = BTreeMap::new();
    by2.insert("high".to_string(), 1);
    by2.insert("medium".to_string(), 1);
    by2.insert("info".to_string(), 1);
    let fixed = finding(
        9,
        "high",
        "trivy",
        "CVE-2023-38545",
        "curl: SOCKS5 heap buffer overflow",
        "open",
        Some("curl"),
        None,
    );
    ReleaseSnapshot {
        generator: "scanledger 0.1.0".into(),
        project: "shop".into(),
        release: "4.2.0".into(),
        release_created_at: at(20, 8),
        seal: sealed.then(|| Seal {
            sealed_at: at(23, 10),
            sealed_by: "alice".into(),
            allow_blocked_reason: Some(
                "Emergency fix for CVE-2024-3094 detection; tracked in SEC-42".into(),
            ),
        }),
        gate: GateSummary {
            verdict: domain::GateVerdict::Blocked,
            decided_in_tool: Vec::new(),
            fail_on: "high".into(),
            required_tools: vec!["trivy".into(), "tfsec".into()],
            reasons: BLOCKING
                .iter()
                .map(|i| gate_reason(&findings[*i]))
                .collect(),
        },
        policy: None,
        scans: vec![
            ScanSnapshot {
                id: ScanId::new(1),
                tool: "trivy".into(),
                format: "trivy-json".into(),
                label: "trivy:registry.example.com/shop/api".into(),
                target: Some("registry.example.com/shop/api:4.2.0".into()),
                tool_version: Some("0.58.1".into()),
                scanned_at: Some("2026-11-20T08:55:00Z".into()),
                uploaded_at: at(20, 9),
                uploaded_by: "ci".into(),
                sha256: sha(&raw1),
                size: raw1.len() as u64,
                file_name: Some("trivy-image.json".into()),
                partial: false,
                by_severity: by1,
            },
            ScanSnapshot {
                id: ScanId::new(2),
                tool: "tfsec".into(),
                format: "tfsec-checkstyle".into(),
                label: "tfsec:infra".into(),
                target: Some("infra".into()),
                tool_version: None,
                scanned_at: None,
                uploaded_at: at(20, 9),
                uploaded_by: "ci".into(),
                sha256: sha(&raw2),
                size: raw2.len() as u64,
                file_name: Some("tfsec.xml".into()),
                partial: false,
                by_severity: by2,
            },
        ],
        diff: Some(DiffSnapshot {
            previous_release: "4.1.0".into(),
            new: 2,
            still_open: 5,
            fixed: 1,
            not_rescanned: 0,
            identity_refined: 0,
            new_findings: vec![diff_line(&findings[0]), diff_line(&findings[3])],
            fixed_findings: vec![diff_line(&fixed)],
        }),
        previous_bundle: Some(PreviousBundle {
            release: "4.1.0".into(),
            sha256: "ab".repeat(32),
            sha256sums_sha256: "cd".repeat(32),
        }),
        audit_events: vec![],
        sla: None,
        audit_anchor: sealed.then(|| AuditAnchor {
            seq: 41,
            hash: "5e1d".repeat(16),
        }),
        controls: None,
        access: Some(AccessSnapshot {
            users: vec![
                AccessUser {
                    name: "alice".into(),
                    role: "admin".into(),
                    project: None,
                    created_at: at(1, 9),
                    created_by: "bootstrap".into(),
                },
                AccessUser {
                    name: "bob".into(),
                    role: "triager".into(),
                    project: Some("shop".into()),
                    created_at: at(2, 9),
                    created_by: "alice".into(),
                },
            ],
            tokens: vec![AccessToken {
                name: "ci-shop".into(),
                prefix: "sl_3f9a".into(),
                role: "uploader".into(),
                project: Some("shop".into()),
                created_at: at(2, 10),
                created_by: "alice".into(),
                expires_at: Some(at(30, 10)),
            }],
        }),
        findings: findings.into(),
    }
}

/// The sample's findings, held in memory as it makes them.
fn held(snap: &mut ReleaseSnapshot) -> Vec<ViewFinding> {
    std::mem::take(&mut snap.findings)
        .held()
        .map(<[ViewFinding]>::to_vec)
        .unwrap_or_default()
}

/// The sealed sample with `count` findings, for the renderers at scale (a 100,000-finding
/// release) without importing that many rows: its seven repeated in turn, each copy under a
/// fingerprint of its own and one of 1,000 rule ids per tool (the first seven keep theirs, so
/// the gate's reasons still name them), most severe first. About two in seven are accepted or
/// false positives, so the PDF lists that many rows; the counts, scans and diff stay the
/// sample's.
pub fn large_snapshot(count: usize) -> ReleaseSnapshot {
    let mut snap = sample_snapshot(true);
    let base = held(&mut snap);
    let mut findings: Vec<ViewFinding> = (0..count)
        .map(|i| {
            let mut f = base[i % base.len()].clone();
            if i >= base.len() {
                f.fingerprint = format!("{i:064x}");
                f.rule_id = format!("{}-{}", f.rule_id, i % 1000);
            }
            f
        })
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    snap.findings = findings.into();
    snap
}

/// Finding titles in four scripts besides Latin, one per finding the PDF and the forum post
/// list in full (blocking, accepted or false positive): Chinese, Russian, Japanese and Arabic.
pub const NON_LATIN_TITLES: [&str; 5] = [
    "跨站脚本攻击漏洞",
    "Переполнение буфера в zlib",
    "証明書の検証が不十分",
    "入力検証の不備によるクロスサイトスクリプティング",
    "تجاوز سعة المخزن المؤقت",
];

/// The sealed sample with the titles of its blocking, accepted and false-positive findings in
/// [`NON_LATIN_TITLES`], and the project and release named in Cyrillic and Chinese, so every
/// renderer meets those scripts where it lays text out: the cover, tables, gate reasons, diff.
pub fn non_latin_snapshot() -> ReleaseSnapshot {
    let mut snap = sample_snapshot(true);
    snap.project = "магазин".into();
    snap.release = "发布-4.2.0".into();
    let mut findings = held(&mut snap);
    for (finding, title) in findings.iter_mut().zip(NON_LATIN_TITLES) {
        finding.title = title.into();
    }
    snap.gate.reasons = BLOCKING
        .iter()
        .map(|i| gate_reason(&findings[*i]))
        .collect();
    if let Some(diff) = &mut snap.diff {
        diff.new_findings = vec![diff_line(&findings[0]), diff_line(&findings[3])];
    }
    snap.findings = findings.into();
    snap
}
