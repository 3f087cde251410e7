//! VEX documents without a database: what each format writes for each of our states, that a
//! CycloneDX document reads back as the decisions it was written from, and that bad documents
//! are refused with the place they are wrong.

use chrono::{NaiveDate, NaiveDateTime};
use domain::{Decision, Kind, TriageStatus, ViewFinding};
use reports::vex::cyclonedx::{self, SpecVersion};
use reports::vex::{ClaimAction, ImportDefaults, VexHeader, openvex, read};
use testdata::sample::sample_snapshot;

fn at(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap()
}

fn header() -> VexHeader<'static> {
    VexHeader {
        project: "shop",
        release: "4.2.0",
        author: "psirt@example.com",
        at: at(25),
    }
}

const SERIAL: &str = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";

/// The sample's vulnerability findings, one in each of our states, each in a package.
fn findings() -> Vec<ViewFinding> {
    let base: Vec<ViewFinding> = sample_snapshot(false)
        .findings
        .held()
        .unwrap()
        .to_vec()
        .into_iter()
        .filter(|f| f.kind == Kind::Vulnerability)
        .collect();
    let template = base[0].clone();
    let decided = |rule: &str, package: &str, status: TriageStatus, decision: Option<Decision>| {
        let mut f = template.clone();
        f.rule_id = rule.into();
        f.purl = Some(format!("pkg:deb/debian/{package}"));
        f.component = Some(package.into());
        f.component_version = Some("1.0-1".into());
        f.status = status;
        f.decision = decision;
        f
    };
    let decision = |justification: &str, approver: Option<&str>, expires: Option<u32>| Decision {
        justification: Some(justification.into()),
        approver: approver.map(str::to_string),
        expires_at: expires.map(|d| {
            NaiveDate::from_ymd_opt(2027, 3, d)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap()
        }),
        decided_by: "alice".into(),
        decided_at: at(22),
    };
    vec![
        decided("CVE-2026-0001", "openssl", TriageStatus::Open, None),
        decided(
            "CVE-2026-0002",
            "zlib",
            TriageStatus::Confirmed,
            Some(decision("upgrade in 4.3", None, None)),
        ),
        decided(
            "CVE-2026-0003",
            "curl",
            TriageStatus::FalsePositive,
            Some(decision("built without the module", None, None)),
        ),
        decided(
            "CVE-2026-0004",
            "bash",
            TriageStatus::Accepted,
            Some(decision(
                "only reachable from the admin VPN",
                Some("ciso"),
                Some(1),
            )),
        ),
        // The same CVE and decision in a second package: one vulnerability, two `affects`.
        decided(
            "CVE-2026-0004",
            "bash-static",
            TriageStatus::Accepted,
            Some(decision(
                "only reachable from the admin VPN",
                Some("ciso"),
                Some(1),
            )),
        ),
    ]
}

#[test]
fn cyclonedx_writes_each_state_as_an_analysis() {
    let doc = cyclonedx::render(&header(), SpecVersion::V1_5, SERIAL, &findings()).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.5");
    assert_eq!(doc["serialNumber"], SERIAL);
    assert_eq!(doc["metadata"]["authors"][0]["name"], "psirt@example.com");
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 4, "{doc:#}");
    let by_id = |id: &str| vulns.iter().find(|v| v["id"] == id).unwrap();
    assert_eq!(by_id("CVE-2026-0001")["analysis"]["state"], "in_triage");
    assert_eq!(by_id("CVE-2026-0002")["analysis"]["state"], "exploitable");
    assert_eq!(
        by_id("CVE-2026-0002")["analysis"]["detail"],
        "upgrade in 4.3"
    );
    assert_eq!(
        by_id("CVE-2026-0003")["analysis"]["state"],
        "false_positive"
    );
    let accepted = by_id("CVE-2026-0004");
    assert_eq!(accepted["analysis"]["state"], "exploitable");
    assert_eq!(accepted["analysis"]["response"][0], "will_not_fix");
    assert_eq!(accepted["affects"].as_array().unwrap().len(), 2);
    assert_eq!(
        accepted["properties"],
        serde_json::json!([
            { "name": "scanledger:approver", "value": "ciso" },
            { "name": "scanledger:expires", "value": "2027-03-01" }
        ])
    );
    // Every `affects` names a component of the BOM, which carries the package URL.
    let components = doc["components"].as_array().unwrap();
    for v in vulns {
        for a in v["affects"].as_array().unwrap() {
            assert!(
                components.iter().any(|c| c["bom-ref"] == a["ref"]),
                "{a} is no component"
            );
        }
    }
    assert!(
        components
            .iter()
            .any(|c| c["purl"] == "pkg:deb/debian/curl@1.0-1")
    );
}

#[test]
fn cyclonedx_reads_back_the_decisions_it_wrote() {
    let findings = findings();
    let doc = cyclonedx::render(&header(), SpecVersion::V1_6, SERIAL, &findings).unwrap();
    let bytes = serde_json::to_vec(&doc).unwrap();
    let read = read(&bytes, &ImportDefaults::default()).unwrap();
    assert_eq!(read.format, reports::vex::VexKind::CycloneDx);
    assert_eq!(read.id.as_deref(), Some(SERIAL));
    assert_eq!(read.claims.len(), 4);
    for f in &findings {
        let claim = read
            .claims
            .iter()
            .find(|c| c.names == [f.rule_id.clone()])
            .unwrap();
        assert!(
            claim
                .purls
                .contains(&reports::vex::purl_base(f.purl.as_deref().unwrap())),
            "{claim:?}"
        );
        match (&claim.action, f.status) {
            (ClaimAction::Skip(why), TriageStatus::Open) => assert!(why.contains("triage")),
            (ClaimAction::Decide(d), status) => {
                assert_eq!(d.status, status);
                let written = f.decision.as_ref().unwrap();
                assert_eq!(d.justification, written.justification);
                assert_eq!(d.approver, written.approver);
                assert_eq!(d.expires_at(), written.expires_at);
            }
            other => panic!("{} read back as {other:?}", f.rule_id),
        }
    }
}

fn cyclonedx_with(analysis: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": SERIAL,
        "version": 1,
        "metadata": { "authors": [{ "name": "vendor-psirt" }] },
        "components": [{ "type": "library", "name": "curl", "bom-ref": "curl", "purl": "pkg:deb/debian/curl@7.88.1" }],
        "vulnerabilities": [{
            "id": "CVE-2026-0003",
            "references": [{ "id": "GHSA-xxxx-yyyy-zzzz", "source": { "name": "GitHub" } }],
            "analysis": analysis,
            "affects": [{ "ref": "curl" }]
        }]
    }))
    .unwrap()
}

#[test]
fn cyclonedx_maps_a_suppliers_analysis() {
    let expires = NaiveDate::from_ymd_opt(2027, 6, 1);
    let defaults = ImportDefaults {
        approver: None,
        expires,
    };
    let decision = |analysis: serde_json::Value| {
        let doc = read(&cyclonedx_with(analysis), &defaults).unwrap();
        let claim = doc.claims.into_iter().next().unwrap();
        assert_eq!(claim.names, ["CVE-2026-0003", "GHSA-xxxx-yyyy-zzzz"]);
        assert_eq!(claim.purls, ["pkg:deb/debian/curl"]);
        match claim.action {
            ClaimAction::Decide(d) => Some(d),
            ClaimAction::Skip(_) => None,
        }
    };
    let d = decision(
        serde_json::json!({ "state": "not_affected", "justification": "code_not_present" }),
    )
    .unwrap();
    assert_eq!(d.status, TriageStatus::FalsePositive);
    assert_eq!(d.justification.as_deref(), Some("code_not_present"));
    let d = decision(serde_json::json!({
        "state": "not_affected", "justification": "protected_at_perimeter", "detail": "WAF rule 12"
    }))
    .unwrap();
    assert_eq!(d.status, TriageStatus::Accepted);
    assert_eq!(
        d.justification.as_deref(),
        Some("protected_at_perimeter: WAF rule 12")
    );
    assert_eq!(d.approver.as_deref(), Some("vendor-psirt"));
    assert_eq!(d.expires, expires);
    let d =
        decision(serde_json::json!({ "state": "exploitable", "response": ["update"] })).unwrap();
    assert_eq!(d.status, TriageStatus::Confirmed);
    assert!(decision(serde_json::json!({ "state": "resolved" })).is_none());
    assert!(decision(serde_json::json!({ "state": "in_triage" })).is_none());
}

#[test]
fn bad_cyclonedx_documents_are_refused_with_the_place() {
    let refused = |bytes: &[u8]| {
        read(bytes, &ImportDefaults::default())
            .unwrap_err()
            .to_string()
    };
    let err = refused(&cyclonedx_with(serde_json::json!({ "state": "maybe" })));
    assert!(err.contains("unknown variant `maybe`"), "{err}");
    assert!(err.contains("line 1"), "{err}");
    let err = refused(&cyclonedx_with(
        serde_json::json!({ "state": "exploitable", "response": ["will_not_fix"], "detail": "later" }),
    ));
    assert!(
        err.starts_with("CycloneDX vulnerabilities[0] (CVE-2026-0003, GHSA-xxxx-yyyy-zzzz)"),
        "{err}"
    );
    assert!(err.contains("expiry"), "{err}");
    let err = refused(&cyclonedx_with(
        serde_json::json!({ "state": "not_affected" }),
    ));
    assert!(err.contains("justification or a detail"), "{err}");
    let err = refused(br#"{"bomFormat": "SPDX", "vulnerabilities": []}"#);
    assert!(err.contains("not a CycloneDX document"), "{err}");
    let err = refused(br#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"analysis": {}}]}"#);
    assert!(err.contains("has no id"), "{err}");
}

#[test]
fn openvex_statements_are_unique_iris_and_never_none() {
    let mut findings = findings();
    // Two findings without a package, in a target whose name has spaces: one statement.
    for f in findings.iter_mut().take(2) {
        f.purl = None;
        f.rule_id = "CVE-2026-0009".into();
        f.status = TriageStatus::Open;
        f.decision = None;
        f.target = Some("shop api (debian 12.5)".into());
    }
    let doc = openvex::render(&header(), &findings).unwrap();
    let statements = doc["statements"].as_array().unwrap();
    assert_eq!(statements.len(), findings.len() - 1, "{doc:#}");
    assert_eq!(
        statements[0]["products"][0]["@id"],
        "urn:scanledger:target:shop%20api%20(debian%2012.5)"
    );
    let err = openvex::render(&header(), &[]).unwrap_err();
    assert_eq!(err.field(), "release");
}

#[test]
fn documents_of_neither_format_are_refused() {
    let err = read(b"{\"statements\": []}", &ImportDefaults::default()).unwrap_err();
    assert_eq!(err.field(), "document");
    assert!(err.to_string().contains("neither"), "{err}");
    let err = read(b"[1, 2", &ImportDefaults::default()).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}
