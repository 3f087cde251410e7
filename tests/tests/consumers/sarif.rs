//! SARIF through `sarif-multitool validate` (npm `@microsoft/sarif-multitool`), the validator
//! GitHub code scanning's docs point to: the demo's gate and release SARIF, a release of each
//! corpus file of every importer format, and a 100,000-finding release. Each must have no
//! validator error, and none of the warnings ScanLedger caused before: a rule `name` repeating
//! its id (SARIF1001), a tool without an information URI, or without a version when a scan gave
//! one (SARIF2005), a region missing where the scanner gave a line (SARIF2017).

use super::tool;
use crate::serve::scanledger;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch folder with its own database.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        Work {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `scanledger` on this folder's database; its standard output.
    fn cli(&self, args: &[&str]) -> (i32, String) {
        let out = scanledger()
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", self.path("ledger.db").display()),
            )
            .env_remove("SCANLEDGER_URL")
            .env_remove("SCANLEDGER_TOKEN")
            .current_dir(self.dir.path())
            .output()
            .expect("run scanledger");
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "scanledger {args:?} failed ({code}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (code, String::from_utf8(out.stdout).expect("UTF-8 output"))
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.cli(args).1).expect("JSON output")
    }

    /// Writes the release's SARIF report and its gate's SARIF (blocking at `fail_on`), and
    /// what the checks compare them with.
    fn sarif_of(&self, project: &str, release: &str, fail_on: &str) -> Vec<Written> {
        let report = self.path(&format!("{project}-{release}.sarif"));
        self.cli(&[
            "report",
            "-p",
            project,
            "-r",
            release,
            "--format",
            "sarif",
            "-o",
            &report.display().to_string(),
        ]);
        let gate = self.path(&format!("{project}-{release}-gate.sarif"));
        let (_, text) = self.cli(&[
            "gate",
            "-p",
            project,
            "-r",
            release,
            "--fail-on",
            fail_on,
            "--format",
            "sarif",
        ]);
        std::fs::write(&gate, text).expect("write the gate's SARIF");
        let findings = self.json(&["findings", "-p", project, "-r", release, "--format", "json"]);
        let scans = self.json(&["scans", "-p", project, "-r", release, "--format", "json"]);
        let facts = Facts::of(&findings, &scans);
        vec![
            Written {
                path: report,
                facts: facts.clone(),
            },
            Written { path: gate, facts },
        ]
    }
}

/// A SARIF file written, and what its release says about the findings in it.
struct Written {
    path: PathBuf,
    facts: Facts,
}

/// What the checks need to know of a release: which findings have a line in a file, and which
/// tools' scans gave a version.
#[derive(Clone, Default)]
struct Facts {
    /// Fingerprint -> whether the finding has a file and a line.
    has_line: BTreeMap<String, bool>,
    versioned_tools: BTreeSet<String>,
}

impl Facts {
    fn of(findings: &Value, scans: &Value) -> Facts {
        let list = findings
            .as_array()
            .or_else(|| findings["findings"].as_array())
            .expect("a list of findings");
        Facts {
            has_line: list
                .iter()
                .map(|f| {
                    let fingerprint = f["fingerprint"].as_str().expect("fingerprint").to_string();
                    let line = f["file"].is_string() && f["line_start"].as_i64().unwrap_or(0) >= 1;
                    (fingerprint, line)
                })
                .collect(),
            versioned_tools: scans
                .as_array()
                .expect("a list of scans")
                .iter()
                .filter(|s| s["tool_version"].as_str().is_some_and(|v| !v.is_empty()))
                .map(|s| s["tool"].as_str().expect("tool").to_string())
                .collect(),
        }
    }
}

/// Runs the validator on the files; its findings per file, as (rule id, message id, level,
/// first argument).
fn validate(work: &Path, files: &[&Path]) -> BTreeMap<PathBuf, Vec<Problem>> {
    let log = work.join("validation.sarif");
    // The npm wrapper passes its arguments through a shell: the paths are temp-dir paths
    // without spaces or shell characters.
    let out = Command::new(tool("sarif-multitool"))
        .arg("validate")
        .args(files)
        .arg("-o")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        // GitHub's limit is 10 MB gzip-compressed; the validator's default skips files over
        // 10 MB uncompressed.
        .args(["--max-file-size-in-kb", "200000"])
        // Its .NET runtime then needs no ICU library from the system.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run sarif-multitool");
    assert!(
        out.status.success(),
        "sarif-multitool failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value =
        serde_json::from_slice(&std::fs::read(&log).expect("the validator's log")).expect("JSON");
    let mut problems: BTreeMap<PathBuf, Vec<Problem>> = files
        .iter()
        .map(|f| (f.to_path_buf(), Vec::new()))
        .collect();
    for result in log["runs"][0]["results"].as_array().expect("results") {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("the file a problem is in");
        let path = PathBuf::from(uri.strip_prefix("file://").unwrap_or(uri));
        let file = files
            .iter()
            .find(|f| path.ends_with(f.file_name().expect("file name")))
            .unwrap_or_else(|| panic!("a problem in a file not validated: {uri}"));
        problems
            .entry(file.to_path_buf())
            .or_default()
            .push(Problem {
                rule: result["ruleId"].as_str().expect("rule id").to_string(),
                message: result["message"]["id"].as_str().unwrap_or("").to_string(),
                level: result["level"].as_str().unwrap_or("warning").to_string(),
                pointer: result["message"]["arguments"][0]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            });
    }
    problems
}

#[derive(Debug)]
struct Problem {
    rule: String,
    message: String,
    level: String,
    /// Where in the file: `runs[0].results[7].locations[0].physicalLocation`.
    pointer: String,
}

/// `runs[2].results[7]...` -> (2, Some(7)); `runs[1].tool.driver` -> (1, None).
fn indices(pointer: &str) -> (usize, Option<usize>) {
    let number = |after: &str| {
        pointer
            .split(after)
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
    };
    (number("runs[").expect("a run index"), number("results["))
}

/// The validator's verdict on each file: no error, and none of the warnings ScanLedger used to
/// cause. Returns how many problems of each kind were left (all of them allowed).
fn check(written: &[Written]) -> BTreeMap<String, usize> {
    let dir = written[0].path.parent().expect("a folder");
    let files: Vec<&Path> = written.iter().map(|w| w.path.as_path()).collect();
    let problems = validate(dir, &files);
    let mut left = BTreeMap::new();
    for w in written {
        let sarif: Value =
            serde_json::from_slice(&std::fs::read(&w.path).expect("read")).expect("SARIF JSON");
        let name = w.path.display();
        for p in &problems[&w.path] {
            assert_ne!(p.level, "error", "{name}: validator error {p:?}");
            let (run_index, result_index) = indices(&p.pointer);
            let run = &sarif["runs"][run_index];
            let driver = &run["tool"]["driver"];
            let tool = driver["name"].as_str().unwrap_or_default();
            match p.rule.as_str() {
                "SARIF1001" => panic!("{name}: a rule name repeats its id: {p:?}"),
                "SARIF2005" if p.message == "Warning_ProvideToolVersion" => assert!(
                    !w.facts.versioned_tools.contains(tool),
                    "{name}: {tool} has a version the run does not give: {p:?}"
                ),
                "SARIF2005" if p.message == "Warning_ProvideToolnformationUri" => assert!(
                    ![
                        "trivy",
                        "tfsec",
                        "sonarqube",
                        "acunetix",
                        "fossa",
                        "scanledger-gate"
                    ]
                    .contains(&tool),
                    "{name}: {tool} has no information URI: {p:?}"
                ),
                "SARIF2017" => {
                    let result = &run["results"][result_index.expect("a result")];
                    if let Some(fp) = result["partialFingerprints"]["scanledger/v1"].as_str() {
                        assert_eq!(
                            w.facts.has_line.get(fp),
                            Some(&false),
                            "{name}: no region for a finding with a line: {p:?}"
                        );
                    }
                }
                _ => {}
            }
            *left.entry(format!("{} {}", p.rule, p.message)).or_default() += 1;
        }
    }
    left
}

#[test]
fn the_demos_gate_and_release_sarif_pass_the_validator() {
    let work = Work::new();
    let keys = work.path("keys").display().to_string();
    work.cli(&["demo", "--no-serve", "--key-dir", &keys]);
    let mut written = work.sarif_of("demo-shop", "1.1.0", "critical");
    // 1.0.0 is sealed: its report is the bundle's findings.sarif, rendered again.
    written.extend(work.sarif_of("demo-shop", "1.0.0", "high"));
    let left = check(&written);
    // Before: 6 SARIF1004 errors in the gate, 133 SARIF1001 warnings in the release.
    assert!(!left.keys().any(|k| k.starts_with("SARIF1004")), "{left:?}");
    // Every result that names a finding carries ScanLedger's fingerprint.
    for w in &written {
        let sarif: Value = serde_json::from_slice(&std::fs::read(&w.path).unwrap()).unwrap();
        for run in sarif["runs"].as_array().unwrap() {
            for r in run["results"].as_array().unwrap() {
                let named = r["ruleId"] != "scanledger/required-scans"
                    && r["ruleId"] != "scanledger/scan-age";
                if named {
                    let fp = r["partialFingerprints"]["scanledger/v1"].as_str();
                    assert!(
                        fp.is_some_and(|fp| w.facts.has_line.contains_key(fp)),
                        "{}: {r}",
                        w.path.display()
                    );
                }
            }
        }
    }
}

/// One file per importer format of `corpus/` (several where a format has paths worth seeing:
/// Windows paths, absolute paths, URLs), each in a release of its own.
const CORPUS: &[&str] = &[
    "trivy/issue_9263.json",
    "trivy-0.76/fs-all-scanners-minidb.json",
    "trivy-0.76/image-all-scanners-minidb.sarif",
    "acunetix/many_findings.xml",
    "acunetix/acunetix360_many_findings.json",
    "sonarqube/issue_10150.json",
    "sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json",
    "sonarqube-extra/api_hotspots_search_snailshop_15hotspots.json",
    "tfsec/many_findings_current.json",
    "tfsec-extra/json_v1.28.14_azure_windows_paths_2findings.json",
    "tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv",
    "tfsec-extra/checkstyle_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.xml",
    "tfsec-extra/junit_v1.28.14_utf16le_windows.xml",
    "tfsec-extra/sarif_v1.28.14_azure_windows_paths_2results.sarif",
    "fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_many_vuln.json",
    "fossa/handmade-fossa-test-json_v3.18_5issues.json",
    "fossa/socket_report-attribution-json_go_1direct_2deep.json",
    "fossa/fossa-cli-docs_analyze-output_maven_13deps.json",
    "sarif/codeQL-output.sarif",
    "sarif/spotbugs.sarif",
    "sarif/semgrepowasp-benchmark-sample.sarif",
    "sarif/gitleaks_7.5.0.sarif",
    "sarif/dependency_check.sarif",
];

#[test]
fn a_release_of_each_corpus_format_gives_sarif_the_validator_takes() {
    let work = Work::new();
    let corpus = testdata::corpus_dir();
    let mut written = Vec::new();
    for (i, file) in CORPUS.iter().enumerate() {
        let path = corpus.join(file);
        assert!(path.exists(), "corpus file missing: {}", path.display());
        let release = format!("r{i}");
        work.cli(&[
            "upload",
            "-p",
            "corpus",
            "-r",
            &release,
            &path.display().to_string(),
        ]);
        written.extend(work.sarif_of("corpus", &release, "info"));
    }
    check(&written);
}

#[test]
fn a_100000_finding_release_gives_sarif_the_validator_takes() {
    let work = Work::new();
    let snap = testdata::sample::large_snapshot(100_000);
    let path = work.path("large.sarif");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    reports::sarif::write_findings_sarif(&snap, &mut file).expect("render");
    std::io::Write::flush(&mut file).expect("flush");
    drop(file);
    let facts = Facts {
        has_line: snap
            .findings
            .held()
            .unwrap()
            .iter()
            .map(|f| {
                let line = f.file.is_some() && f.line_start.unwrap_or(0) >= 1;
                (f.fingerprint.clone(), line)
            })
            .collect(),
        versioned_tools: snap
            .scans
            .iter()
            .filter(|s| s.tool_version.is_some())
            .map(|s| s.tool.clone())
            .collect(),
    };
    check(&[Written { path, facts }]);
}
