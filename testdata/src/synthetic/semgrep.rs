//! Synthetic Semgrep JSON (`semgrep-json`): results of registry rules over a Python, Java and
//! JavaScript tree, with the metadata the registry gives (CWE, OWASP, references, confidence),
//! the matched lines and Semgrep's fingerprint; `errors`, `paths` and `version` around them.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, hex, index, js, raw_list, rng, write_records};

/// (check id, severity, CWE, message, matched line, file extension)
const RULES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "python.lang.security.audit.dangerous-subprocess-use-tainted-env-args.dangerous-subprocess-use-tainted-env-args",
        "ERROR",
        "CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
        "Detected subprocess function 'run' with user controlled data. A malicious actor could leverage this to perform command injection. You may consider using 'shlex.quote()'.",
        "    result = subprocess.run([program, username, password], capture_output=True)",
        "py",
    ),
    (
        "python.django.security.injection.sql.sql-injection-using-raw.sql-injection-using-raw",
        "ERROR",
        "CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
        "Detected user input flowing into a raw SQL query. Use parameterized queries or the ORM instead.",
        "    rows = Order.objects.raw(\"SELECT * FROM orders WHERE id = %s\" % order_id)",
        "py",
    ),
    (
        "java.lang.security.audit.crypto.use-of-md5.use-of-md5",
        "WARNING",
        "CWE-328: Use of Weak Hash",
        "Detected MD5 hash algorithm which is considered insecure. MD5 is not collision resistant and is therefore not suitable as a cryptographic signature. Use HMAC instead.",
        "        MessageDigest md = MessageDigest.getInstance(\"MD5\");",
        "java",
    ),
    (
        "javascript.express.security.audit.express-check-csurf-middleware-usage.express-check-csurf-middleware-usage",
        "INFO",
        "CWE-352: Cross-Site Request Forgery (CSRF)",
        "A CSRF middleware was not detected in your express application. Ensure you are either using one such as `csurf` or `csrf` and/or you are properly doing CSRF validation in your routes with a token or cookies.",
        "const app = express();",
        "js",
    ),
    (
        "generic.secrets.security.detected-generic-api-key.detected-generic-api-key",
        "ERROR",
        "CWE-798: Use of Hard-coded Credentials",
        "Generic API Key detected. Move the key to a secret store and rotate it.",
        "API_KEY = \"{secret}\"",
        "py",
    ),
];

const DIRS: &[&str] = &[
    "api", "billing", "catalog", "checkout", "accounts", "search",
];

/// `semgrep scan --json`.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"{\"version\": \"1.97.0\", \"results\": [")?;
    write_records(out, options.findings, "  ", |i| {
        let mut r = rng(options.seed, 80, i);
        let (id, severity, cwe, message, line, ext) = RULES[index(&mut r, RULES.len())];
        let dir = DIRS[index(&mut r, DIRS.len())];
        let path = format!("src/{dir}/module_{i:05}.{ext}");
        let lines = line.replace("{secret}", &hex(&mut r, 32));
        let start = 10 + index(&mut r, 400);
        let metadata = Obj::new()
            .strs("cwe", [cwe])
            .strs("owasp", ["A03:2021 - Injection"])
            .strs("references", ["https://owasp.org/Top10/A03_2021-Injection"])
            .s("category", "security")
            .s("confidence", "MEDIUM")
            .s("likelihood", "MEDIUM")
            .s("impact", "HIGH")
            .s("source", &format!("https://semgrep.dev/r/{id}"))
            .done();
        let extra = Obj::new()
            .s("message", message)
            .raw("metadata", metadata)
            .s("severity", severity)
            .s("fingerprint", &hex(&mut r, 128))
            .s("lines", &lines)
            .raw("is_ignored", false)
            .s("engine_kind", "OSS")
            .done();
        Obj::new()
            .s("check_id", id)
            .s("path", &path)
            .raw(
                "start",
                Obj::new()
                    .raw("line", start)
                    .raw("col", 5)
                    .raw("offset", start * 40)
                    .done(),
            )
            .raw(
                "end",
                Obj::new()
                    .raw("line", start)
                    .raw("col", 5 + lines.len())
                    .raw("offset", start * 40 + lines.len())
                    .done(),
            )
            .raw("extra", extra)
            .done()
    })?;
    let scanned = raw_list(DIRS.iter().map(|d| js(&format!("src/{d}"))));
    write!(
        out,
        "\n], \"errors\": [], \"paths\": {{\"scanned\": {scanned}}}, \"skipped_rules\": []}}\n"
    )
}
