//! Synthetic Bandit JSON (`bandit-json`): results of Bandit's common tests over a Python tree,
//! each with its numbered code excerpt, CWE and documentation link; `metrics` per file before
//! them, as Bandit writes it.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, index, rng, write_records};

/// One of Bandit's tests, with a finding it typically reports.
struct Test {
    id: &'static str,
    name: &'static str,
    severity: &'static str,
    confidence: &'static str,
    cwe: u32,
    text: &'static str,
    /// The reported line's code.
    code: &'static str,
    /// The documentation page.
    page: &'static str,
}

const TESTS: &[Test] = &[
    Test {
        id: "B101",
        name: "assert_used",
        severity: "LOW",
        confidence: "HIGH",
        cwe: 703,
        text: "Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.",
        code: "assert user.is_staff",
        page: "b101_assert_used",
    },
    Test {
        id: "B105",
        name: "hardcoded_password_string",
        severity: "LOW",
        confidence: "MEDIUM",
        cwe: 259,
        text: "Possible hardcoded password: 'changeme'",
        code: "DEFAULT_PASSWORD = 'changeme'",
        page: "b105_hardcoded_password_string",
    },
    Test {
        id: "B324",
        name: "hashlib",
        severity: "HIGH",
        confidence: "HIGH",
        cwe: 327,
        text: "Use of weak MD5 hash for security. Consider usedforsecurity=False",
        code: "digest = hashlib.md5(payload).hexdigest()",
        page: "b324_hashlib",
    },
    Test {
        id: "B608",
        name: "hardcoded_sql_expressions",
        severity: "MEDIUM",
        confidence: "LOW",
        cwe: 89,
        text: "Possible SQL injection vector through string-based query construction.",
        code: "query = 'SELECT * FROM orders WHERE customer = ' + customer_id",
        page: "b608_hardcoded_sql_expressions",
    },
    Test {
        id: "B602",
        name: "subprocess_popen_with_shell_equals_true",
        severity: "HIGH",
        confidence: "HIGH",
        cwe: 78,
        text: "subprocess call with shell=True identified, security issue.",
        code: "subprocess.Popen(command, shell=True)",
        page: "b602_subprocess_popen_with_shell_equals_true",
    },
];

const DIRS: &[&str] = &[
    "api", "billing", "catalog", "checkout", "accounts", "reports",
];

/// `bandit -r . -f json`.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(
        b"{\n  \"errors\": [],\n  \"generated_at\": \"2026-11-30T10:03:39Z\",\n  \"metrics\": {\n    \"_totals\": {\"CONFIDENCE.HIGH\": 0, \"SEVERITY.HIGH\": 0, \"loc\": 0, \"nosec\": 0}\n  },\n  \"results\": [",
    )?;
    write_records(out, options.findings, "    ", |i| {
        let mut r = rng(options.seed, 81, i);
        let Test {
            id,
            name,
            severity,
            confidence,
            cwe,
            text,
            code,
            page,
        } = &TESTS[index(&mut r, TESTS.len())];
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
                    .s(
                        "link",
                        &format!("https://cwe.mitre.org/data/definitions/{cwe}.html"),
                    )
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
