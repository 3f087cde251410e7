//! The gate's JUnit report, as CI servers read it: every report `scanledger gate --format
//! junit` writes for the demo (the open release, whose gate sets findings decided in SonarQube
//! aside, the sealed one, and one with a missing required scan) must validate against the JUnit schema CI servers use (Jenkins xunit's
//! `junit-10.xsd`, vendored in `tests/schemas/junit/`) with Python's `xmlschema`, and parse
//! with `junitparser` into one failing test case per reason of the gate's JSON, one skipped
//! case per finding decided in its tool, and a passing case per rule that gives no reason.

use super::{Demo, tool};
use std::path::Path;
use std::process::Command;

/// Validates the JUnit file against the schema, then prints what junitparser reads: failed,
/// skipped and passed test cases, as JSON.
const CHECK: &str = r#"
import json, sys
import xmlschema
from junitparser import JUnitXml, Failure, Skipped
schema = xmlschema.XMLSchema(sys.argv[1])
errors = list(schema.iter_errors(sys.argv[2]))
for e in errors:
    print(f"{sys.argv[2]}: {e.path}: {e.reason}", file=sys.stderr)
if errors:
    sys.exit(1)
counts = {"failed": 0, "skipped": 0, "passed": 0}
for suite in JUnitXml.fromfile(sys.argv[2]):
    for case in suite:
        kinds = [type(r) for r in case.result]
        if Failure in kinds:
            counts["failed"] += 1
        elif Skipped in kinds:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
print(json.dumps(counts))
"#;

fn check(junit: &Path) -> serde_json::Value {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/junit/junit-10.xsd");
    let out = Command::new(tool("python3"))
        .arg("-c")
        .arg(CHECK)
        .arg(&schema)
        .arg(junit)
        .output()
        .expect("python3 ran");
    assert!(
        out.status.success(),
        "{} does not validate:\n{}{}",
        junit.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("junitparser's counts")
}

#[test]
fn gate_junit_validates_against_the_schema_and_has_a_test_case_per_reason() {
    let demo = Demo::load();
    // The open release blocks with findings decided in SonarQube; the sealed one blocks too; a
    // threshold given on the command line changes which reasons there are.
    let runs: [(&str, &[&str]); 3] = [
        (Demo::OPEN, &[]),
        (Demo::SEALED, &[]),
        (Demo::OPEN, &["--require", "zap"]),
    ];
    for (release, extra) in runs {
        let mut args = vec!["gate", "-p", Demo::PROJECT, "-r", release];
        args.extend_from_slice(extra);
        let json_args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
        let gate: serde_json::Value =
            serde_json::from_slice(&demo.output(&json_args).stdout).expect("the gate's JSON");
        let junit_args: Vec<&str> = args.iter().copied().chain(["--format", "junit"]).collect();
        let out = demo.output(&junit_args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{junit_args:?}");
        let file = demo.dir().join(format!("gate-{release}.xml"));
        std::fs::write(&file, &out.stdout).expect("write");
        let counts = check(&file);
        let reasons = gate["reasons"].as_array().expect("reasons");
        let decided = gate["decided_in_tool"].as_array().map_or(0, Vec::len);
        assert_eq!(
            counts["failed"],
            reasons.len(),
            "{release} {extra:?}: {counts}"
        );
        assert_eq!(counts["skipped"], decided, "{release} {extra:?}: {counts}");
        let rules_with_reasons: std::collections::BTreeSet<&str> = reasons
            .iter()
            .filter_map(|r| r["reason"].as_str())
            .collect();
        assert_eq!(
            counts["passed"].as_u64().expect("passed") as usize + rules_with_reasons.len(),
            7, // the gate's rules, `domain::GateReason::RULES`
            "one passing case per rule without reasons: {counts}"
        );
    }
}
