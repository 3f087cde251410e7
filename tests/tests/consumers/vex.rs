//! VEX documents, checked by the validators their readers use: every OpenVEX export against
//! the OpenVEX JSON schema (vendored in `tests/schemas/openvex/`, draft 2020-12, formats
//! checked) with Python's `jsonschema`, and every CycloneDX export, 1.5 and 1.6, with
//! cyclonedx-python-lib's strict JSON validator. The documents come from the demo (two
//! releases, packages with package URLs, each triage state) and from a Trivy report whose
//! findings have no package URL and a target with spaces.

use super::tool;
use crate::serve::scanledger;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Validates OpenVEX documents: the schema's path, then the documents'.
const OPENVEX_CHECK: &str = r#"
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=FormatChecker())
errors = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        print(f"{path}: {e.json_path}: {e.message}")
        errors += 1
sys.exit(1 if errors else 0)
"#;

/// Validates CycloneDX documents: the specification version, then the documents' paths.
const CYCLONEDX_CHECK: &str = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
version = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}[sys.argv[1]]
validator = JsonStrictValidator(version)
errors = 0
for path in sys.argv[2:]:
    for e in validator.validate_str(open(path).read(), all_errors=True) or []:
        print(f"{path}: {e}")
        errors += 1
sys.exit(1 if errors else 0)
"#;

/// A SQLite ledger in a folder of its own.
struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `scanledger` on the ledger; fails the test unless it succeeds.
    fn run(&self, args: &[&str]) -> String {
        let url = format!("sqlite://{}", self.path("ledger.db").display());
        let out = scanledger()
            .args(args)
            .env("DATABASE_URL", url)
            .env_remove("SCANLEDGER_URL")
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scanledger {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Exports the release's decisions in each format: an OpenVEX document and CycloneDX 1.5
    /// and 1.6 ones.
    fn export(&self, project: &str, release: &str, out: &mut Exports) {
        let formats = [
            (
                "openvex",
                &mut out.openvex,
                ["--format", "openvex"].as_slice(),
            ),
            (
                "cdx-1.5",
                &mut out.cdx_1_5,
                &["--format", "cyclonedx", "--spec-version", "1.5"],
            ),
            (
                "cdx-1.6",
                &mut out.cdx_1_6,
                &["--format", "cyclonedx", "--spec-version", "1.6"],
            ),
        ];
        for (name, files, format) in formats {
            let file = self.path(&format!("{project}-{release}.{name}.json"));
            let path = file.display().to_string();
            let mut args = vec!["vex", "export", "-p", project, "-r", release, "-o", &path];
            args.extend_from_slice(format);
            self.run(&args);
            files.push(file);
        }
    }
}

#[derive(Default)]
struct Exports {
    openvex: Vec<PathBuf>,
    cdx_1_5: Vec<PathBuf>,
    cdx_1_6: Vec<PathBuf>,
}

/// Runs a Python check on the files; fails the test with what it printed.
fn check(script: &str, first: &str, files: &[PathBuf]) {
    assert!(!files.is_empty());
    let out = Command::new(tool("python3"))
        .arg("-c")
        .arg(script)
        .arg(first)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn vex_exports_pass_the_openvex_schema_and_cyclonedx_validators() {
    let ledger = Ledger::new();
    let keys = ledger.path("keys").display().to_string();
    ledger.run(&["demo", "--no-serve", "--key-dir", &keys]);
    let mut exports = Exports::default();
    for release in ["1.0.0", "1.1.0"] {
        ledger.export("demo-shop", release, &mut exports);
    }

    // No package URLs, a target with spaces and parentheses, and one finding in each state.
    let trivy = testdata::corpus_dir().join("trivy/all_statuses.json");
    let trivy = trivy.display().to_string();
    ledger.run(&["upload", "-p", "images", "-r", "1", &trivy]);
    let findings: serde_json::Value = serde_json::from_str(
        &ledger.run(&["findings", "-p", "images", "-r", "1", "--format", "json"]),
    )
    .unwrap();
    let fingerprints: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "vulnerability")
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert!(fingerprints.len() >= 3, "{findings}");
    let decisions: [&[&str]; 3] = [
        &["--status", "confirmed"],
        &[
            "--status",
            "false_positive",
            "--justification",
            "vulnerable_code_not_present: no shell",
        ],
        &[
            "--status",
            "accepted",
            "--justification",
            "isolated build stage",
            "--approver",
            "ciso",
            "--expires",
            "2099-01-01",
        ],
    ];
    for (fingerprint, decision) in fingerprints.iter().zip(decisions) {
        let mut args = vec!["triage", "-p", "images", fingerprint.as_str()];
        args.extend_from_slice(decision);
        ledger.run(&args);
    }
    ledger.export("images", "1", &mut exports);

    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/openvex/openvex_json_schema.json");
    check(
        OPENVEX_CHECK,
        &schema.display().to_string(),
        &exports.openvex,
    );
    check(CYCLONEDX_CHECK, "1.5", &exports.cdx_1_5);
    check(CYCLONEDX_CHECK, "1.6", &exports.cdx_1_6);
}
