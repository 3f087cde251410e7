//! Synthetic Burp Suite XML exports (`burp-xml`): the DOCTYPE Burp writes, then one `<issue>`
//! per record with HTML background and detail, CWE classifications, references and a base64
//! request and response, as the corpus files have them. Every issue has its own path, so the
//! importer's merge (type + site + path) keeps one finding per issue.
//!
//! And the Burp Suite DAST GraphQL answer to a scan's issues (`burp-dast-json`): the same issue
//! types as JSON, each issue with its type's HTML texts, as the hand-written corpus file has
//! them (no real one was available).

use super::web::{PAGES, PARAMS, SECTIONS};
use base64::Engine;
use rand::RngExt;
use std::io::{self, Write};

use super::{Obj, Rng, SyntheticOptions, cdata, hex, index, js, pick, prose, rng, xml};

struct IssueType {
    id: u32,
    name: &'static str,
    severity: &'static str,
    confidence: &'static str,
    cwe: &'static [(u32, &'static str)],
    background: &'static str,
    remediation: &'static str,
    detail: &'static str,
    references: &'static [(&'static str, &'static str)],
    /// Whether the issue names a parameter in its location.
    parameter: bool,
}

impl IssueType {
    /// The issue's detail with its parameter and payload filled in, and its CWE classifications
    /// and references as HTML list items, each followed by `line_end` (the XML export puts each
    /// on a line of its own, the DAST API does not).
    fn texts(&self, parameter: &str, payload: &str, line_end: &str) -> (String, String, String) {
        let detail = self
            .detail
            .replace("%P%", parameter)
            .replace("%X%", &xml(payload));
        let classifications = self
            .cwe
            .iter()
            .map(|(id, name)| {
                format!("<li><a href=\"https://cwe.mitre.org/data/definitions/{id}.html\">CWE-{id}: {name}</a></li>{line_end}")
            })
            .collect();
        let references = self
            .references
            .iter()
            .map(|(name, url)| format!("<li><a href=\"{url}\">{name}</a></li>{line_end}"))
            .collect();
        (detail, classifications, references)
    }
}

const TYPES: &[IssueType] = &[
    IssueType {
        id: 1_049_088,
        name: "SQL injection",
        severity: "High",
        confidence: "Firm",
        cwe: &[(
            89,
            "Improper Neutralization of Special Elements used in an SQL Command",
        )],
        background: "<p>SQL injection arises when data from the request is placed into a database query without being kept apart from the query's code.</p><p>An attacker who controls that data can read or change records the application never meant to expose.</p>",
        remediation: "<p>Use parameterized queries for every database access, so that the data can never change the structure of the query.</p>",
        detail: "The %P% parameter appears to be vulnerable: the payload <b>%X%</b> was submitted and a database error message was returned.",
        references: &[(
            "SQL injection",
            "https://owasp.org/www-community/attacks/SQL_Injection",
        )],
        parameter: true,
    },
    IssueType {
        id: 2_097_920,
        name: "Cross-site scripting (reflected)",
        severity: "High",
        confidence: "Certain",
        cwe: &[
            (
                79,
                "Improper Neutralization of Input During Web Page Generation",
            ),
            (116, "Improper Encoding or Escaping of Output"),
        ],
        background: "<p>Reflected cross-site scripting arises when the application copies data from a request into its response without encoding it for the context.</p><p>Script injected this way runs with the rights of the user who follows a crafted link.</p>",
        remediation: "<p>Encode every value on output for the context it is written into, and validate input against what it should contain.</p>",
        detail: "The value of the %P% parameter is copied into the HTML document as plain text. The payload <b>%X%</b> was submitted and echoed unmodified.",
        references: &[(
            "Cross-site scripting",
            "https://owasp.org/www-community/attacks/xss/",
        )],
        parameter: true,
    },
    IssueType {
        id: 5_245_344,
        name: "Frameable response (potential Clickjacking)",
        severity: "Information",
        confidence: "Firm",
        cwe: &[
            (693, "Protection Mechanism Failure"),
            (1021, "Improper Restriction of Rendered UI Layers or Frames"),
        ],
        background: "<p>The response can be shown inside a frame on another site, which lets that site trick users into clicking on the framed page.</p>",
        remediation: "<p>Send a Content-Security-Policy header with a frame-ancestors directive, or an X-Frame-Options header.</p>",
        detail: "The response does not say whether it may be framed.",
        references: &[(
            "Clickjacking",
            "https://owasp.org/www-community/attacks/Clickjacking",
        )],
        parameter: false,
    },
    IssueType {
        id: 16_777_728,
        name: "Unencrypted communications",
        severity: "Low",
        confidence: "Certain",
        cwe: &[(326, "Inadequate Encryption Strength")],
        background: "<p>The application can be reached over a connection that is not encrypted, where anyone on the network path can read and change the traffic.</p>",
        remediation: "<p>Serve every page over TLS and send a Strict-Transport-Security header.</p>",
        detail: "The page was requested over plain HTTP and answered.",
        references: &[(
            "Transport Layer Security",
            "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
        )],
        parameter: false,
    },
    IssueType {
        id: 7_340_288,
        name: "Cacheable HTTPS response",
        severity: "Information",
        confidence: "Certain",
        cwe: &[
            (524, "Use of Cache Containing Sensitive Information"),
            (
                525,
                "Use of Web Browser Cache Containing Sensitive Information",
            ),
        ],
        background: "<p>Browsers may keep a copy of this response in their cache, where later users of the same computer can read it.</p>",
        remediation: "<p>Send <b>Cache-Control: no-store</b> on every response that holds personal or secret data.</p>",
        detail: "The response carries no directive that forbids caching.",
        references: &[],
        parameter: false,
    },
    IssueType {
        id: 1_049_344,
        name: "File path traversal",
        severity: "High",
        confidence: "Firm",
        cwe: &[(
            22,
            "Improper Limitation of a Pathname to a Restricted Directory",
        )],
        background: "<p>File path traversal arises when a file name from the request is used to open a file on the server without being checked.</p><p>An attacker can then read files outside the folder the application meant to serve.</p>",
        remediation: "<p>Never build a file path from request data; map the request to a known list of files instead.</p>",
        detail: "The %P% parameter is used to open a file. The payload <b>%X%</b> was submitted and the contents of a system file were returned.",
        references: &[(
            "Path traversal",
            "https://owasp.org/www-community/attacks/Path_Traversal",
        )],
        parameter: true,
    },
    IssueType {
        id: 2_098_688,
        name: "Cross-site request forgery",
        severity: "Medium",
        confidence: "Tentative",
        cwe: &[(352, "Cross-Site Request Forgery")],
        background: "<p>The request changes the application's state and can be sent from another site, because nothing in it is secret to the user.</p>",
        remediation: "<p>Add an unpredictable token to every request that changes state, and check it on the server.</p>",
        detail: "The request appears to carry no token that an attacker could not guess.",
        references: &[(
            "Cross-site request forgery",
            "https://owasp.org/www-community/attacks/csrf",
        )],
        parameter: false,
    },
];

const PAYLOADS: &[&str] = &[
    "'",
    "1' AND '1'='2",
    "\"><script>alert(1)</script>",
    "../../../../etc/passwd",
];

fn host(seed: u64) -> String {
    format!("shop-{}.example.com", seed % 1000)
}

/// The DOCTYPE Burp puts before its issues (the element declarations the importer reads past).
const DOCTYPE: &str = "<!DOCTYPE issues [\n<!ELEMENT issues (issue*)>\n<!ATTLIST issues burpVersion CDATA \"\">\n<!ATTLIST issues exportTime CDATA \"\">\n<!ELEMENT issue (serialNumber, type, name, host, path, location, severity, confidence, issueBackground?, remediationBackground?, references?, vulnerabilityClassifications?, issueDetail?, issueDetailItems?, remediationDetail?, requestresponse*)>\n<!ELEMENT request (#PCDATA)>\n<!ATTLIST request method CDATA \"\">\n<!ATTLIST request base64 (true|false) \"false\">\n<!ELEMENT response (#PCDATA)>\n<!ATTLIST response base64 (true|false) \"false\">\n]>\n";

/// The Burp XML export.
pub(super) fn write_xml(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let host = host(options.seed);
    write!(
        out,
        "<?xml version=\"1.0\"?>\n{DOCTYPE}<issues burpVersion=\"2024.10.3\" exportTime=\"Tue Oct 15 09:12:44 UTC 2026\">\n"
    )?;
    for i in 0..options.findings {
        let mut rng = rng(options.seed, 40, i);
        write_issue(out, &mut rng, &host, i)?;
    }
    out.write_all(b"</issues>\n")
}

fn write_issue(out: &mut dyn Write, rng: &mut Rng, host: &str, i: usize) -> io::Result<()> {
    let t = &TYPES[index(rng, TYPES.len())];
    // The index in the path: one finding per issue, never merged.
    let path = format!("/{}/{}-{i}.php", pick(rng, SECTIONS), pick(rng, PAGES));
    let parameter = pick(rng, PARAMS);
    let payload = pick(rng, PAYLOADS);
    let location = if t.parameter {
        format!("{path} [{parameter} parameter]")
    } else {
        path.clone()
    };
    let (detail, classifications, references) = t.texts(parameter, payload, "\n");
    let method = if t.parameter && rng.random_bool(0.3) {
        "POST"
    } else {
        "GET"
    };
    let query = if t.parameter && method == "GET" {
        format!("?{parameter}={}", payload.replace(' ', "%20"))
    } else {
        String::new()
    };
    let session = hex(rng, 32);
    let request = format!(
        "{method} {path}{query} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, deflate, br\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US;q=0.9,en;q=0.8\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36\r\nCookie: session={session}\r\nConnection: close\r\nCache-Control: max-age=0\r\n\r\n"
    );
    let response = format!(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: 1180\r\nConnection: close\r\n\r\n<!DOCTYPE html>\n<html><head><title>{}</title></head>\n<body><div id=\"content\"><h2>{}</h2><p>{}</p><p>{}</p></div></body></html>\n",
        pick(rng, PAGES),
        xml(payload),
        prose(rng, 3),
        prose(rng, 3)
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let serial = 1_000_000_000_000_000_000u64 + (i as u64) * 7919 + rng.random_range(0..7919u64);
    write!(
        out,
        "  <issue>\n    <serialNumber>{serial}</serialNumber>\n    <type>{}</type>\n    <name>{}</name>\n    <host ip=\"203.0.113.{}\">https://{host}</host>\n    <path>{}</path>\n    <location>{}</location>\n    <severity>{}</severity>\n    <confidence>{}</confidence>\n    <issueBackground>{}</issueBackground>\n    <remediationBackground>{}</remediationBackground>\n",
        t.id,
        cdata(t.name),
        10 + rng.random_range(0..200u32),
        cdata(&path),
        cdata(&location),
        t.severity,
        t.confidence,
        cdata(t.background),
        cdata(t.remediation),
    )?;
    if !references.is_empty() {
        writeln!(
            out,
            "    <references>{}</references>",
            cdata(&format!("<ul>\n{references}</ul>"))
        )?;
    }
    write!(
        out,
        "    <vulnerabilityClassifications>{}</vulnerabilityClassifications>\n    <issueDetail>{}</issueDetail>\n    <requestresponse>\n      <request method=\"{method}\" base64=\"true\">{}</request>\n      <response base64=\"true\">{}</response>\n      <responseRedirected>false</responseRedirected>\n    </requestresponse>\n  </issue>\n",
        cdata(&format!("<ul>\n{classifications}</ul>")),
        cdata(&format!("{detail} {}", prose(rng, 1))),
        cdata(&b64.encode(request)),
        cdata(&b64.encode(response)),
    )
}

/// The Burp Suite DAST GraphQL response to `scan(id) { ... issues { ... } }`.
pub(super) fn write_dast_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let host = host(options.seed);
    write!(
        out,
        "{{\n  \"data\": {{\n    \"scan\": {{\n      \"id\": {},\n      \"status\": \"succeeded\",\n      \"start_time\": \"2026-10-15T08:01:12.204Z\",\n      \"end_time\": \"2026-10-15T09:12:44.871Z\",\n      \"scan_target\": {{\"id\": \"{}\", \"name\": {}}},\n      \"issues\": [\n",
        js(&(options.seed % 10_000).to_string()),
        options.seed % 97,
        js(&format!("https://{host}")),
    )?;
    for i in 0..options.findings {
        let mut rng = rng(options.seed, 41, i);
        if i > 0 {
            out.write_all(b",\n")?;
        }
        write_dast_issue(out, &mut rng, &host, i)?;
    }
    out.write_all(b"\n      ]\n    }\n  }\n}\n")
}

fn write_dast_issue(out: &mut dyn Write, rng: &mut Rng, host: &str, i: usize) -> io::Result<()> {
    let t = &TYPES[index(rng, TYPES.len())];
    // The index in the path: one finding per issue, never merged.
    let path = format!("/{}/{}-{i}.php", pick(rng, SECTIONS), pick(rng, PAGES));
    let parameter = pick(rng, PARAMS);
    let payload = pick(rng, PAYLOADS);
    let (detail, classifications, references) = t.texts(parameter, payload, "");
    let severity = match t.severity {
        "Information" => "info".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let novelty = pick(rng, &["first", "new", "repeated", "regression"]);
    let issue_type = Obj::new()
        .s("type_index", &t.id.to_string())
        .s("name", t.name)
        .s("description_html", t.background)
        .s("remediation_html", t.remediation)
        .s(
            "vulnerability_classifications_html",
            &format!("<ul>{classifications}</ul>"),
        )
        .opt(
            "references_html",
            (!references.is_empty())
                .then(|| format!("<ul>{references}</ul>"))
                .as_deref(),
        )
        .done();
    let serial = 1_000_000_000_000_000_000u64 + (i as u64) * 7919 + rng.random_range(0..7919u64);
    let issue = Obj::new()
        .s("serial_number", &serial.to_string())
        .raw("issue_type", issue_type)
        .s("severity", &severity)
        .s("confidence", &t.confidence.to_ascii_lowercase())
        .s("origin", &format!("https://{host}"))
        .s("path", &path)
        .s("novelty", novelty)
        .raw("accepted_risk", rng.random_bool(0.05))
        .s(
            "description_html",
            &format!("<p>{detail} {}</p>", prose(rng, 1)),
        )
        .raw("remediation_html", "null")
        .done();
    write!(out, "        {issue}")
}
