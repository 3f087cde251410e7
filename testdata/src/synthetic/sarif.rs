//! Synthetic SARIF 2.1.0 (`sarif`): one CodeQL-like run with its rules (descriptions, help,
//! tags with CWE, `security-severity`), artifacts, version control provenance and results with
//! locations, context snippets, related locations and `partialFingerprints`.

use rand::RngExt;
use std::io::{self, Write};

use super::{Obj, Rng, SyntheticOptions, hex, index, pick, prose, raw_list, rng, write_records};

/// (id, short description, level, security severity, CWE, result message)
const RULES: &[(&str, &str, &str, &str, u32, &str)] = &[
    (
        "js/sql-injection",
        "Database query built from user-controlled sources",
        "error",
        "8.8",
        89,
        "This query string depends on a [user-provided value](1).",
    ),
    (
        "js/xss",
        "Client-side cross-site scripting",
        "error",
        "6.1",
        79,
        "Cross-site scripting vulnerability due to a [user-provided value](1).",
    ),
    (
        "js/path-injection",
        "Uncontrolled data used in path expression",
        "error",
        "7.5",
        22,
        "This path depends on a [user-provided value](1).",
    ),
    (
        "js/insecure-randomness",
        "Insecure randomness",
        "warning",
        "7.8",
        338,
        "A random value from [Math.random()](1) is used in a security context.",
    ),
    (
        "js/clear-text-logging",
        "Clear-text logging of sensitive information",
        "error",
        "7.5",
        312,
        "This logs sensitive data from [an access to password](1) as clear text.",
    ),
    (
        "js/missing-rate-limiting",
        "Missing rate limiting",
        "warning",
        "7.5",
        770,
        "This route handler performs [a database access](1) but is not rate-limited.",
    ),
    (
        "js/regex-injection",
        "Regular expression injection",
        "error",
        "7.5",
        730,
        "This regular expression is built from a [user-provided value](1).",
    ),
    (
        "js/unused-local-variable",
        "Unused variable, import, function or class",
        "note",
        "",
        0,
        "Unused variable token.",
    ),
    (
        "js/useless-assignment-to-local",
        "Useless assignment to local variable",
        "warning",
        "",
        563,
        "The value assigned to result here is never read.",
    ),
    (
        "py/sql-injection",
        "SQL query built from user-controlled sources",
        "error",
        "8.8",
        89,
        "This SQL query depends on a [user-provided value](1).",
    ),
    (
        "py/stack-trace-exposure",
        "Information exposure through an exception",
        "error",
        "5.4",
        209,
        "[Stack trace information](1) flows to this location and may be shown to an external user.",
    ),
    (
        "py/weak-sensitive-data-hashing",
        "Use of a broken or weak cryptographic hashing algorithm on sensitive data",
        "warning",
        "7.5",
        327,
        "[Sensitive data (password)](1) is hashed with MD5, which is too fast for password hashing.",
    ),
    (
        "py/empty-except",
        "Empty except",
        "note",
        "",
        390,
        "This 'except' clause only passes, without a comment saying why.",
    ),
    (
        "py/flask-debug",
        "Flask app is run in debug mode",
        "error",
        "7.5",
        215,
        "The Flask app runs in debug mode, which lets anyone who reaches the debugger run code.",
    ),
];

const DIRS: &[&str] = &[
    "src/server/routes",
    "src/server/db",
    "src/client/components",
    "src/lib",
    "app/api",
    "app/models",
    "app/services",
    "scripts",
];
const FILES: &[&str] = &[
    "user", "order", "cart", "auth", "search", "report", "admin", "payment",
];

const SNIPPETS: &[&str] = &[
    "  const rows = await db.query(`SELECT * FROM orders WHERE id = ${req.params.id}`);\n",
    "  res.send(\"<h1>Hello \" + req.query.name + \"</h1>\");\n",
    "    cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n",
    "  fs.readFile(path.join(ROOT, req.query.file), (err, data) => {\n",
    "    except Exception:\n        pass\n",
    "  const token = Math.random().toString(36).substring(2);\n",
];

fn rule_json(k: usize, rng: &mut Rng) -> String {
    let (id, short, level, score, cwe, _) = RULES[k];
    let mut tags = vec!["security".to_string()];
    if cwe > 0 {
        tags.push(format!("external/cwe/cwe-{cwe:03}"));
    }
    let mut props = Obj::new()
        .strs("tags", &tags)
        .s("kind", "path-problem")
        .s("precision", "high")
        .s("problem.severity", level);
    if !score.is_empty() {
        props = props.s("security-severity", score);
    }
    let full = format!("{short}. {}", prose(rng, 2));
    Obj::new()
        .s("id", id)
        .s("name", id)
        .raw("shortDescription", Obj::new().s("text", short).done())
        .raw("fullDescription", Obj::new().s("text", &full).done())
        .raw(
            "defaultConfiguration",
            Obj::new().raw("enabled", true).s("level", level).done(),
        )
        .raw(
            "help",
            Obj::new()
                .s(
                    "text",
                    &format!(
                        "# {short}\n{}\n\n## Recommendation\n{}\n",
                        prose(rng, 3),
                        prose(rng, 1)
                    ),
                )
                .s(
                    "markdown",
                    &format!(
                        "# {short}\n{}\n\n## Recommendation\n{}\n",
                        prose(rng, 3),
                        prose(rng, 1)
                    ),
                )
                .done(),
        )
        .s(
            "helpUri",
            &format!(
                "https://codeql.github.com/codeql-query-help/{}/",
                id.replace('/', "-")
            ),
        )
        .raw("properties", props.done())
        .done()
}

fn location(rng: &mut Rng, file: &str, line: u32, artifact: usize) -> String {
    let snippet = pick(rng, SNIPPETS);
    Obj::new()
        .raw(
            "physicalLocation",
            Obj::new()
                .raw(
                    "artifactLocation",
                    Obj::new()
                        .s("uri", file)
                        .s("uriBaseId", "%SRCROOT%")
                        .raw("index", artifact)
                        .done(),
                )
                .raw(
                    "region",
                    Obj::new()
                        .raw("startLine", line)
                        .raw("startColumn", rng.random_range(1..20))
                        .raw("endColumn", rng.random_range(20..80))
                        .done(),
                )
                .raw(
                    "contextRegion",
                    Obj::new()
                        .raw("startLine", line.saturating_sub(2).max(1))
                        .raw("endLine", line + 2)
                        .raw("snippet", Obj::new().s("text", snippet).done())
                        .done(),
                )
                .done(),
        )
        .done()
}

/// Files per report: results spread over them, several per file.
const ARTIFACTS: usize = 400;

fn artifact(k: usize) -> String {
    let dir = DIRS[k % DIRS.len()];
    let file = FILES[(k / DIRS.len()) % FILES.len()];
    let ext = if dir.starts_with("app") || dir == "scripts" {
        "py"
    } else {
        "js"
    };
    format!("{dir}/{file}_{k}.{ext}")
}

pub(super) fn write_sarif(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let mut head = rng(options.seed, 80, 0);
    out.write_all(b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n        \"driver\": {\n          \"name\": \"CodeQL\",\n          \"organization\": \"GitHub\",\n          \"semanticVersion\": \"2.19.3\",\n          \"notifications\": [],\n          \"rules\": [")?;
    write_records(out, RULES.len(), "            ", |k| {
        rule_json(k, &mut head)
    })?;
    write!(
        out,
        "\n          ]\n        }}\n      }},\n      \"versionControlProvenance\": [{}],\n      \"invocations\": [{}],\n      \"artifacts\": [",
        Obj::new()
            .s(
                "repositoryUri",
                &format!("https://github.com/example/shop-{}", options.seed % 100)
            )
            .s("revisionId", &hex(&mut head, 40))
            .s("branch", "refs/heads/main")
            .done(),
        Obj::new()
            .raw("executionSuccessful", true)
            .s("startTimeUtc", "2026-06-18T09:12:44.000Z")
            .s("endTimeUtc", "2026-06-18T09:31:02.000Z")
            .done()
    )?;
    write_records(out, ARTIFACTS, "        ", |k| {
        Obj::new()
            .raw(
                "location",
                Obj::new()
                    .s("uri", &artifact(k))
                    .s("uriBaseId", "%SRCROOT%")
                    .raw("index", k)
                    .done(),
            )
            .done()
    })?;
    out.write_all(b"\n      ],\n      \"results\": [")?;
    write_records(out, options.findings, "        ", |i| {
        let mut rng = rng(options.seed, 81, i);
        let rule = index(&mut rng, RULES.len());
        let (id, _, _, _, _, message) = RULES[rule];
        let art = index(&mut rng, ARTIFACTS);
        let file = artifact(art);
        let line = rng.random_range(5..1500);
        let source_line = rng.random_range(1..line);
        let related = raw_list([Obj::new()
            .raw("id", 1)
            .raw(
                "physicalLocation",
                Obj::new()
                    .raw(
                        "artifactLocation",
                        Obj::new()
                            .s("uri", &file)
                            .s("uriBaseId", "%SRCROOT%")
                            .raw("index", art)
                            .done(),
                    )
                    .raw(
                        "region",
                        Obj::new()
                            .raw("startLine", source_line)
                            .raw("startColumn", 7)
                            .raw("endColumn", 31)
                            .done(),
                    )
                    .done(),
            )
            .raw(
                "message",
                Obj::new().s("text", "user-provided value").done(),
            )
            .done()]);
        Obj::new()
            .s("ruleId", id)
            .raw("ruleIndex", rule)
            .raw("rule", Obj::new().s("id", id).raw("index", rule).done())
            .raw("message", Obj::new().s("text", message).done())
            .raw(
                "locations",
                raw_list([location(&mut rng, &file, line, art)]),
            )
            .raw(
                "partialFingerprints",
                Obj::new()
                    // The index keeps every result distinct, as line hashes of distinct lines are.
                    .s(
                        "primaryLocationLineHash",
                        &format!("{}:{}", hex(&mut rng, 16), 1 + i % 7),
                    )
                    .s(
                        "primaryLocationStartColumnFingerprint",
                        &rng.random_range(0..40).to_string(),
                    )
                    .done(),
            )
            .raw("relatedLocations", related)
            .done()
    })?;
    out.write_all(
        b"\n      ],\n      \"columnKind\": \"utf16CodeUnits\",\n      \"properties\": {\"semmle.formatSpecifier\": \"sarif-latest\"}\n    }\n  ]\n}\n",
    )
}
