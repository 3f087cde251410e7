//! Synthetic Bandit JSON (`bandit-json`): results of Bandit's common tests over a Python tree,
//! each with its numbered code excerpt, CWE and documentation link; `metrics` per file before
//! them, as Bandit writes it.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, index, rng, write_records};

/// (test id, test name, severity, confidence, CWE, issue text, the line's code, doc page)
const TESTS: &[(&str, &str, &str, &str, u32, &str, &str, &str)] = &[
    (
        "B101",
        "assert_used",
        "LOW",
        "HIGH",
        703,
        "Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.",
        "assert user.is_staff",
        "b101_assert_used",
    ),
    (
        "B105",
        "hardcoded_password_string",
        "LOW",
        "MEDIUM",
        259,
        "Possible hardcoded password: 'changeme'",
        "DEFAULT_PASSWORD = 'changeme'",
        "b105_hardcoded_password_string",
    ),
    (
        "B324",
        "hashlib",
        "HIGH",
        "HIGH",
        327,
        "Use of weak MD5 hash for security. Consider usedforsecurity=False",
        "digest = hashlib.md5(payload).hexdigest()",
        "b324_hashlib",
    ),
    (
        "B608",
        "hardcoded_sql_expressions",
        "MEDIUM",
        "LOW",
        89,
        "Possible SQL injection vector through string-based query construction.",
        "query = 'SELECT * FROM orders WHERE customer = ' + customer_id",
        "b608_hardcoded_sql_expressions",
    ),
    (
        "B602",
        "subprocess_popen_with_shell_equals_true",
        "HIGH",
        "HIGH",
        78,
        "subprocess call with shell=True identified, security issue.",
        "subprocess.Popen(command, shell=True)",
        "b602_subprocess_popen_with_shell_equals_true",
    ),
];

const DIRS: &[&str] = &["api", "billing", "catalog", "checkout", "accounts", "reports"];

/// `bandit -r . -f json`.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(
        b"{\n  \"errors\": [],\n  \"generated_at\": \"2026-11-30T10:03:39Z\",\n  \"metrics\": {\n    \"_totals\": {\"CONFIDENCE.HIGH\": 0, \"SEVERITY.HIGH\": 0, \"loc\": 0, \"nosec\": 0}\n  },\n  \"results\": [",
    )?;
    write_records(out, options.findings, "    ", |i| {
        let mut r = rng(options.seed, 81, i);
        let (id, name, severity, confidence, cwe, text, code, page) =
            TESTS[index(&mut r, TESTS.len())];
        let dir = DIRS[index(&mut r, DIRS.len())];
        let line = 5 + index(&mut r, 300);
        let excerpt = format!(
            "{} def handle(request):\n{line}     {code}\n{} return response\n",
            line - 1,
            line + 1
        );
        Obj::new()
            .s("code", &excerpt)
            .raw("col_offset", 4)
            .raw("end_col_offset", 4 + code.len())
            .s("filename", &format!("./{dir}/views_{i:05}.py"))
            .s("issue_confidence", confidence)
            .raw(
                "issue_cwe",
                Obj::new()
                    .raw("id", cwe)
                    .s("link", &format!("https://cwe.mitre.org/data/definitions/{cwe}.html"))
                    .done(),
            )
            .s("issue_severity", severity)
            .s("issue_text", text)
            .raw("line_number", line)
            .raw("line_range", format!("[{line}]"))
            .s(
                "more_info",
                &format!("https://bandit.readthedocs.io/en/1.7.10/plugins/{page}.html"),
            )
            .s("test_id", id)
            .s("test_name", name)
            .done()
    })?;
    out.write_all(b"\n  ]\n}\n")
}
