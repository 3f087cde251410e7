//! Identity never merges two real findings (issue 18), for the formats whose records carry a
//! place and code: SARIF, Trivy (vulnerabilities, misconfigurations, secrets), SonarQube and
//! tfsec JSON. Each test reads the raw corpus file on its own (serde_json, not the importer),
//! counts the distinct (rule, location, context) of its records, and asserts that the importer
//! gives as many distinct fingerprints, except the merges `docs/FORMATS.md` documents.

use crate::corpus;
use serde_json::Value;
use std::collections::BTreeSet;

fn raw(file: &str) -> Value {
    let bytes = std::fs::read(corpus::path(file)).unwrap();
    // Some corpus files start with a byte order mark: UTF-8, or UTF-16LE (a SonarQube page
    // saved by PowerShell).
    let text = if let Some(utf16) = bytes.strip_prefix(b"\xff\xfe") {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    } else {
        let utf8 = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        String::from_utf8(utf8.to_vec()).unwrap()
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn distinct_fingerprints(file: &str) -> usize {
    corpus::fingerprints(&corpus::import(file).1).len()
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// (rule, file, start line, end line, snippet) of every SARIF result that is a finding.
fn sarif_keys(doc: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (r, run) in doc["runs"].as_array().into_iter().flatten().enumerate() {
        for result in run["results"].as_array().into_iter().flatten() {
            let kind = result["kind"].as_str().unwrap_or("fail");
            if !matches!(kind, "fail" | "open" | "review") {
                continue;
            }
            let rule = if result["ruleId"].is_string() {
                s(&result["ruleId"])
            } else if result["rule"]["id"].is_string() {
                s(&result["rule"]["id"])
            } else {
                format!(
                    "{}{}",
                    s(&result["ruleIndex"]),
                    s(&result["message"]["text"])
                )
            };
            let loc = &result["locations"][0]["physicalLocation"];
            let region = &loc["region"];
            keys.insert(format!(
                "{r}|{rule}|{}|{}|{}|{}|{}",
                s(&loc["artifactLocation"]["uri"]),
                s(&region["startLine"]),
                s(&region["endLine"]),
                s(&region["snippet"]["text"]),
                s(&result["partialFingerprints"]),
            ));
        }
    }
    keys
}

fn trivy_keys(doc: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    // (k8s resource, result): plain reports have no resource; a `trivy k8s` report lists its
    // results under each resource of `Vulnerabilities` and `Misconfigurations`.
    let mut results: Vec<(String, &Value)> = Vec::new();
    match doc {
        Value::Array(legacy) => results.extend(legacy.iter().map(|r| (String::new(), r))),
        _ => {
            results.extend(
                doc["Results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| (String::new(), r)),
            );
            let resources = ["Resources", "Vulnerabilities", "Misconfigurations"]
                .into_iter()
                .flat_map(|list| doc[list].as_array().into_iter().flatten());
            for resource in resources {
                let name = format!(
                    "{}/{}/{}",
                    s(&resource["Namespace"]),
                    s(&resource["Kind"]),
                    s(&resource["Name"])
                );
                for r in resource["Results"].as_array().into_iter().flatten() {
                    results.push((name.clone(), r));
                }
            }
        }
    }
    for (resource, result) in results {
        let target = format!("{resource}|{}", s(&result["Target"]));
        for v in result["Vulnerabilities"].as_array().into_iter().flatten() {
            if v["VulnerabilityID"].is_null() {
                continue;
            }
            keys.insert(format!(
                "vuln|{target}|{}|{}|{}|{}",
                s(&v["VulnerabilityID"]),
                s(&v["PkgName"]),
                s(&v["InstalledVersion"]),
                s(&v["PkgPath"]),
            ));
        }
        for m in result["Misconfigurations"].as_array().into_iter().flatten() {
            if m["Status"].as_str() == Some("PASS") {
                continue;
            }
            let cause = &m["CauseMetadata"];
            keys.insert(format!(
                "misconf|{target}|{}|{}|{}|{}",
                s(&m["ID"]),
                s(&cause["Resource"]),
                s(&cause["StartLine"]),
                s(&cause["EndLine"]),
            ));
        }
        for secret in result["Secrets"].as_array().into_iter().flatten() {
            keys.insert(format!(
                "secret|{target}|{}|{}|{}|{}",
                s(&secret["RuleID"]),
                s(&secret["StartLine"]),
                s(&secret["EndLine"]),
                s(&secret["Match"]),
            ));
        }
        for l in result["Licenses"].as_array().into_iter().flatten() {
            keys.insert(format!(
                "license|{target}|{}|{}|{}",
                s(&l["Name"]),
                s(&l["PkgName"]),
                s(&l["FilePath"]),
            ));
        }
    }
    keys
}

fn sonarqube_keys(doc: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let pages: Vec<&Value> = match doc {
        Value::Array(pages) => pages.iter().collect(),
        one => vec![one],
    };
    for page in pages {
        // A bare list of issues (an API answer's `issues` saved alone).
        if page["rule"].is_string() {
            keys.insert(format!("issues|{}", s(&page["key"])));
        }
        for list in ["issues", "hotspots"] {
            for record in page[list].as_array().into_iter().flatten() {
                keys.insert(format!("{list}|{}", s(&record["key"])));
            }
        }
    }
    keys
}

fn tfsec_keys(doc: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for r in doc["results"].as_array().into_iter().flatten() {
        if r["status"].as_i64() == Some(1) || r["passed"].as_bool() == Some(true) {
            continue;
        }
        let loc = &r["location"];
        keys.insert(format!(
            "{}|{}|{}|{}|{}|{}",
            s(&r["rule_id"]),
            s(&r["resource"]),
            s(&r["description"]),
            s(&loc["filename"]),
            s(&loc["start_line"]),
            s(&loc["end_line"]),
        ));
    }
    keys
}

/// The raw distinct keys of a corpus file of one of the formats above, or `None` for another
/// format.
fn raw_keys(file: &str, format: &str) -> Option<BTreeSet<String>> {
    let keys = match format {
        "sarif" => sarif_keys(&raw(file)),
        "trivy-json" => trivy_keys(&raw(file)),
        "sonarqube-api-json" | "sonar-report-json" => sonarqube_keys(&raw(file)),
        "tfsec-json" => tfsec_keys(&raw(file)),
        _ => return None,
    };
    Some(keys)
}

/// Every corpus file of these formats, wherever it sits (Trivy's and tfsec's SARIF too): as many
/// distinct fingerprints as distinct raw records. No merge is documented for them, so the list
/// of exceptions is empty; a format change that merges two results fails here with the file.
#[test]
fn distinct_results_of_every_code_and_image_report_never_merge() {
    let mut checked = 0;
    let mut merged = Vec::new();
    for (file, format) in corpus::detected_formats() {
        let Some(keys) = format.and_then(|format| raw_keys(&file, format)) else {
            continue;
        };
        checked += 1;
        let found = distinct_fingerprints(&file);
        if found != keys.len() {
            merged.push(format!(
                "{file}: {} distinct results, {found} fingerprints",
                keys.len()
            ));
        }
    }
    assert!(
        checked >= 79,
        "only {checked} files of these formats were found"
    );
    assert!(merged.is_empty(), "{}", merged.join("\n"));
}

/// CodeQL reports two unused variables of one statement on one line, at two columns: two
/// findings (fingerprint version 3), where version 2 merged them.
#[test]
fn two_results_on_one_line_at_distinct_columns_stay_two() {
    let file = "sarif/DefectDojo_django-DefectDojo__2020-12-11_13 42 10__export.sarif";
    let (_, findings) = corpus::import(file);
    let on_line: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.rule_id == "com.lgtm/python-queries:py/unused-local-variable"
                && f.location.file.as_deref() == Some("dojo/metrics/views.py")
                && f.location.line_start == Some(1142)
        })
        .collect();
    assert_eq!(on_line.len(), 2);
    assert_ne!(on_line[0].fingerprint, on_line[1].fingerprint);
    assert_eq!(
        on_line
            .iter()
            .map(|f| f.location.column_start)
            .collect::<Vec<_>>(),
        [Some(5), Some(26)]
    );
}
