//! Synthetic Acunetix reports: the WVS XML export (`acunetix-xml`), Acunetix 360 JSON
//! (`acunetix360-json`) and the on-premises API vulnerability list (`acunetix-api-json`).
//!
//! One catalogue of web checks feeds all three, with the HTML descriptions, CVSS v2 and v3,
//! CWE and references the real exports carry, and a request (and response) excerpt per item.
//! Every item has its own URL path, so the importers' merge (rule + path + parameter) keeps
//! one finding per item.

use rand::RngExt;
use std::io::{self, Write};

use super::{
    Obj, Rng, SyntheticOptions, cdata, hex, index, iso_date, pick, prose, raw_list, rng, str_list,
    uuid, write_records,
};

struct Check {
    name: &'static str,
    /// Acunetix 360 `Type`.
    type_360: &'static str,
    module: &'static str,
    /// XML `Type`.
    category: &'static str,
    severity: &'static str,
    cwe: u32,
    cvss2: (&'static str, &'static str),
    cvss3: (&'static str, &'static str),
    description: &'static str,
    impact: &'static str,
    recommendation: &'static str,
    references: &'static [(&'static str, &'static str)],
    /// Whether the check names a parameter.
    parameter: bool,
}

const CHECKS: &[Check] = &[
    Check {
        name: "Cross site scripting",
        type_360: "PossibleXss",
        module: "/Scripts/PerScheme/XSS.script",
        category: "xss",
        severity: "high",
        cwe: 79,
        cvss2: ("AV:N/AC:L/Au:N/C:P/I:P/A:N", "6.4"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "6.1"),
        description: "Cross-site Scripting (XSS) refers to client-side code injection attack wherein an attacker can execute malicious scripts into a legitimate website or web application. XSS occurs when a web application makes use of unvalidated or unencoded user input within the output it generates.",
        impact: "Malicious JavaScript has access to all the same objects as the rest of the web page, including access to cookies and local storage, which are often used to store session tokens. If an attacker can obtain a user's session cookie, they can then impersonate that user.<br/><br/>Furthermore, JavaScript can read and make arbitrary modifications to the contents of a page being displayed to a user.",
        recommendation: "Apply context-dependent encoding and/or validation to user input rendered on a page",
        references: &[
            (
                "Cross-site Scripting (XSS) Attack - Acunetix",
                "https://www.acunetix.com/websitesecurity/cross-site-scripting/",
            ),
            (
                "Types of XSS - Acunetix",
                "https://www.acunetix.com/websitesecurity/xss/",
            ),
            (
                "XSS Filter Evasion Cheat Sheet",
                "https://owasp.org/www-community/xss-filter-evasion-cheatsheet",
            ),
        ],
        parameter: true,
    },
    Check {
        name: "SQL injection",
        type_360: "SqlInjection",
        module: "/Scripts/PerScheme/Sql_Injection.script",
        category: "sqlinjection",
        severity: "high",
        cwe: 89,
        cvss2: ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "7.5"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "9.8"),
        description: "SQL injection (SQLi) refers to an injection attack wherein an attacker can execute malicious SQL statements that control a web application's database server.<br/><br/>The application builds the query by concatenating the <code>%PARAM%</code> parameter.",
        impact: "An attacker can use SQL injection to bypass a web application's authentication and authorization mechanisms and retrieve the contents of an entire database. SQLi can also be used to add, modify and delete records in a database.",
        recommendation: "Use parameterized queries when dealing with SQL queries that contain user input. Parameterized queries allow the database to understand which parts of the SQL query should be considered as user input.",
        references: &[
            (
                "SQL Injection (SQLi) - Acunetix",
                "https://www.acunetix.com/websitesecurity/sql-injection/",
            ),
            (
                "SQL Injection Prevention Cheat Sheet",
                "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
            ),
        ],
        parameter: true,
    },
    Check {
        name: "HTML form without CSRF protection",
        type_360: "CsrfDetected",
        module: "Crawler",
        category: "csrf",
        severity: "medium",
        cwe: 352,
        cvss2: ("AV:N/AC:H/Au:N/C:N/I:P/A:N", "2.6"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N", "4.3"),
        description: "This alert requires manual confirmation.<br/><br/>Cross-Site Request Forgery (CSRF, or XSRF) is a vulnerability wherein an attacker tricks a victim into making a request the victim did not intend to make.",
        impact: "An attacker could use CSRF to trick a victim into accessing a website hosted by the attacker, or clicking a URL containing malicious or unauthorized requests.",
        recommendation: "Check if this form requires anti-CSRF protection and implement CSRF countermeasures if necessary.",
        references: &[
            (
                "What is Cross Site Reference Forgery (CSRF)?",
                "https://www.acunetix.com/websitesecurity/csrf-attacks/",
            ),
            (
                "Cross-Site Request Forgery (CSRF) Prevention Cheatsheet",
                "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
            ),
        ],
        parameter: true,
    },
    Check {
        name: "Cookie(s) without HttpOnly flag set",
        type_360: "CookieNotMarkedAsHttpOnly",
        module: "Crawler",
        category: "configuration",
        severity: "low",
        cwe: 16,
        cvss2: ("AV:N/AC:L/Au:N/C:N/I:N/A:N", "0.0"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "0.0"),
        description: "This cookie does not have the HTTPOnly flag set. When a cookie is set with the HTTPOnly flag, it instructs the browser that the cookie can only be accessed by the server and not by client-side scripts.",
        impact: "Cookies can be accessed by client-side scripts.",
        recommendation: "If possible, you should set the HTTPOnly flag for this cookie.",
        references: &[(
            "Security Cookies - HTTPOnly Flag",
            "https://www.acunetix.com/security-cookies-whitepaper/#httpOnlyFlag",
        )],
        parameter: false,
    },
    Check {
        name: "Slow HTTP Denial of Service Attack",
        type_360: "SlowHttpDos",
        module: "slow-loris",
        category: "denialofservice",
        severity: "medium",
        cwe: 400,
        cvss2: ("AV:N/AC:L/Au:N/C:N/I:N/A:P", "5.0"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "7.5"),
        description: "Your web server is vulnerable to Slow HTTP DoS (Denial of Service) attacks. <br/><br/>Slowloris and Slow HTTP POST DoS attacks rely on the fact that the HTTP protocol, by design, requires requests to be completely received by the server before they are processed.",
        impact: "A single machine can take down another machine's web server with minimal bandwidth and side effects on unrelated services and ports.",
        recommendation: "Consult Web references for information about protecting your web server against this type of attack.",
        references: &[(
            "Protect Apache Against Slowloris Attack",
            "https://www.acunetix.com/blog/articles/slow-http-dos-attacks-mitigate-apache-http-server/",
        )],
        parameter: false,
    },
    Check {
        name: "Content Security Policy (CSP) not implemented",
        type_360: "ContentSecurityPolicyNotImplemented",
        module: "Content_Security_Policy",
        category: "configuration",
        severity: "info",
        cwe: 1021,
        cvss2: ("AV:N/AC:L/Au:N/C:N/I:N/A:N", "0.0"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "0.0"),
        description: "<p>Content Security Policy (CSP) adds a layer of security which helps to detect and mitigate certain types of attacks, including Cross Site Scripting (XSS) and data injection attacks.</p><p>It was detected that your web application doesn't implement Content Security Policy (CSP) as the CSP header is missing from the response.</p>",
        impact: "CSP can be used to prevent and/or mitigate attacks that involve content/code injection, such as cross-site scripting/XSS attacks.",
        recommendation: "It's recommended to implement Content Security Policy (CSP) into your web application. Configuring Content Security Policy involves adding the <code>Content-Security-Policy</code> HTTP header to a web page.",
        references: &[
            (
                "Content Security Policy (CSP)",
                "https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP",
            ),
            (
                "Implementing Content Security Policy",
                "https://hacks.mozilla.org/2016/02/implementing-content-security-policy/",
            ),
        ],
        parameter: false,
    },
    Check {
        name: "Directory traversal",
        type_360: "LocalFileInclusion",
        module: "/Scripts/PerScheme/Directory_Traversal.script",
        category: "directorytraversal",
        severity: "critical",
        cwe: 22,
        cvss2: ("AV:N/AC:L/Au:N/C:C/I:N/A:N", "7.8"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "7.5"),
        description: "This script is possibly vulnerable to directory traversal attacks.<br/><br/>Directory Traversal is a vulnerability which allows attackers to access restricted directories and read files outside of the web server's root directory.",
        impact: "By exploiting directory traversal vulnerabilities, attackers step out of the root directory and access files in other directories. As a result, attackers might view restricted files or execute commands.",
        recommendation: "Your script should filter metacharacters from user input.",
        references: &[(
            "Directory Traversal Attacks",
            "https://www.acunetix.com/websitesecurity/directory-traversal/",
        )],
        parameter: true,
    },
    Check {
        name: "Vulnerable JavaScript libraries",
        type_360: "OutOfDateJavaScriptLibrary",
        module: "Vulnerable_JavaScript_Libraries",
        category: "configuration",
        severity: "medium",
        cwe: 1104,
        cvss2: ("AV:N/AC:L/Au:N/C:P/I:P/A:N", "6.4"),
        cvss3: ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", "5.4"),
        description: "You are using one or more vulnerable JavaScript libraries. One or more vulnerabilities were reported for this version of the library. Consult Attack details and Web References for more information about the affected library and the vulnerabilities that were reported.",
        impact: "Consult Web References for more information.",
        recommendation: "Upgrade to the latest version.",
        references: &[(
            "Snyk vulnerability database",
            "https://security.snyk.io/package/npm/jquery",
        )],
        parameter: false,
    },
];

const SECTIONS: &[&str] = &[
    "account",
    "cart",
    "catalog",
    "search",
    "checkout",
    "admin",
    "api/v2/orders",
    "api/v2/users",
    "blog",
    "support",
    "profile",
    "reports",
];
const PAGES: &[&str] = &[
    "index", "view", "edit", "list", "details", "export", "login", "settings", "upload", "print",
];
const PARAMS: &[&str] = &[
    "id", "q", "page", "sort", "redirect", "file", "user", "token", "lang", "category", "email",
];
const COOKIES: &[&str] = &[
    "JSESSIONID",
    "PHPSESSID",
    "session",
    "csrftoken",
    "lang",
    "cart_id",
];
const PAYLOADS: &[&str] = &[
    "1<ScRiPt>PHDK(9430)</ScRiPt>",
    "-1 OR 17-7=10",
    "../../../../../../../../etc/passwd",
    "'\"()&%<zzz><ScRiPt >alert(1)</ScRiPt>",
    "1'\"",
];

/// One generated item: what all three formats share.
struct Item {
    check: &'static Check,
    path: String,
    parameter: String,
    payload: &'static str,
    details: String,
    request: String,
    response: String,
    severity: &'static str,
}

fn host(seed: u64) -> String {
    format!("shop-{}.example.com", seed % 1000)
}

fn item(seed: u64, stream: u64, i: usize) -> (Item, Rng) {
    let mut rng = rng(seed, stream, i);
    let check = &CHECKS[index(&mut rng, CHECKS.len())];
    // The index in the path: one finding per item, never merged.
    let path = format!(
        "/{}/{}-{}.php",
        pick(&mut rng, SECTIONS),
        pick(&mut rng, PAGES),
        i
    );
    let parameter = if check.parameter {
        pick(&mut rng, PARAMS).to_string()
    } else {
        String::new()
    };
    let payload = pick(&mut rng, PAYLOADS);
    let cookie = pick(&mut rng, COOKIES);
    let details = if check.parameter {
        format!(
            "URL encoded GET input <strong><span class=\"bb-dark\">{parameter}</span></strong> was set to <strong><span class=\"bb-dark\">{}</span></strong><br/><br/>{}",
            payload.replace('<', "&lt;").replace('>', "&gt;"),
            prose(&mut rng, 1)
        )
    } else {
        format!(
            "Cookie name: <strong><span class=\"bb-dark\">{cookie}</span></strong><br/>Cookie domain: <strong><span class=\"bb-dark\">{}</span></strong><br/>{}",
            host(seed),
            prose(&mut rng, 1)
        )
    };
    // Acunetix escapes only the blanks of a payload in its URLs (`../../etc/passwd` stays as
    // it is): one `replace` imitates it. Not a percent-encoder, so not the `percent-encoding`
    // crate: a set shared with FOSSA's `+` and `/` would change these bytes.
    let query = if check.parameter {
        format!("?{parameter}={}", payload.replace(' ', "%20"))
    } else {
        String::new()
    };
    let request = format!(
        "GET {path}{query} HTTP/1.1\r\nReferer: https://{host}/\r\nCookie: {cookie}={}\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Encoding: gzip,deflate\r\nHost: {host}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36\r\nConnection: Keep-alive\r\n\r\n",
        hex(&mut rng, 26),
        host = host(seed)
    );
    let response = format!(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html; charset=UTF-8\r\nSet-Cookie: {cookie}={}; path=/\r\nX-Powered-By: PHP/8.1.2\r\nContent-Length: {}\r\n\r\n<!DOCTYPE html>\n<html><head><title>{}</title></head>\n<body><div id=\"content\"><h2>Results for {}</h2><p>{}</p></div></body></html>\n",
        hex(&mut rng, 26),
        rng.random_range(800..9000),
        pick(&mut rng, PAGES),
        payload,
        prose(&mut rng, 2)
    );
    let severity = check.severity;
    (
        Item {
            check,
            path,
            parameter,
            payload,
            details,
            request,
            response,
            severity,
        },
        rng,
    )
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The WVS XML export, with its scan header and site files.
pub(super) fn write_xml(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let host = host(options.seed);
    write!(
        out,
        "<?xml version=\"1.0\"?>\n<ScanGroup ExportedOn=\"16/06/2026, 12:05:44\">\n<Scan>\n        <Name>{}</Name>\n        <ShortName>{}</ShortName>\n        <StartURL>{}</StartURL>\n        <StartTime>{}</StartTime>\n        <FinishTime>{}</FinishTime>\n        <ScanTime>{}</ScanTime>\n        <Aborted>{}</Aborted>\n        <Responsive>{}</Responsive>\n        <Banner>{}</Banner>\n        <Os>{}</Os>\n        <WebServer>{}</WebServer>\n        <Technologies>\n            {}\n        </Technologies>\n        <Crawler StartUrl=\"https://{host}/\">\n            <Cookies>\n            </Cookies>\n            <SiteFiles>\n",
        cdata(&format!("Full scan of {host}")),
        cdata("full_scan"),
        cdata(&format!("https://{host}")),
        cdata("15/06/2026, 22:56:09"),
        cdata("16/06/2026, 01:52:19"),
        cdata("176 minutes, 10 seconds"),
        cdata("False"),
        cdata("True"),
        cdata(""),
        cdata("Linux"),
        cdata("nginx/1.24.0"),
        cdata("PHP, jQuery 3.4.1"),
    )?;
    for (k, section) in SECTIONS.iter().enumerate() {
        write!(
            out,
            "<SiteFile id=\"{}\">\n                    <Name>{}</Name>\n                    <URL>{}</URL>\n                    <FullURL>{}</FullURL>\n                </SiteFile>\n",
            k + 1,
            cdata(section),
            cdata(&format!("/{section}/")),
            cdata(&format!("https://{host}/{section}/"))
        )?;
    }
    out.write_all(b"            </SiteFiles>\n        </Crawler>\n        <ReportItems>\n")?;
    for i in 0..options.findings {
        let (item, mut rng) = item(options.seed, 1, i);
        let c = item.check;
        let detailed = if rng.random_bool(0.3) {
            format!("<p>{}</p>", prose(&mut rng, 2))
        } else {
            String::new()
        };
        let cves = if c.category == "configuration" && c.cwe == 1104 {
            format!(
                "<CVE id=\"CVE-2020-{}\">{}</CVE>",
                11000 + i % 1000,
                cdata(&format!("CVE-2020-{}", 11000 + i % 1000))
            )
        } else {
            String::new()
        };
        let mut refs = String::new();
        for (db, url) in c.references {
            refs.push_str(&format!(
                "                    <Reference>\n                      <Database>{}</Database>\n                      <URL>{}</URL>\n                    </Reference>\n",
                cdata(db),
                cdata(url)
            ));
        }
        let cvss2: Vec<&str> = c.cvss2.0.split('/').collect();
        let mut cvss2_parts = String::new();
        for part in &cvss2 {
            if let Some((k, v)) = part.split_once(':') {
                cvss2_parts.push_str(&format!("                  <{k}>{}</{k}>\n", cdata(v)));
            }
        }
        let mut cvss3_parts = String::new();
        for part in c.cvss3.0.split('/').skip(1) {
            if let Some((k, v)) = part.split_once(':') {
                cvss3_parts.push_str(&format!("                  <{k}>{}</{k}>\n", cdata(v)));
            }
        }
        write!(
            out,
            "<ReportItem id=\"{}\" color=\"{}\">\n                <Name>{}</Name>\n                <ModuleName>{}</ModuleName>\n                <Details>{}</Details>\n                <Affects>{}</Affects>\n                <Parameter>{}</Parameter>\n                <AOP_SourceFile>{}</AOP_SourceFile>\n                <AOP_SourceLine></AOP_SourceLine>\n                <AOP_Additional>{}</AOP_Additional>\n                <IsFalsePositive>{}</IsFalsePositive>\n                <Severity>{}</Severity>\n                <Type>{}</Type>\n                <Impact>{}</Impact>\n                <Description>{}</Description>\n                <DetailedInformation>{}</DetailedInformation>\n                <Recommendation>{}</Recommendation>\n                <TechnicalDetails>\n                    <Request>{}</Request>\n                    <Response>{}</Response>\n                </TechnicalDetails>\n                <CWEList>\n                    <CWE id=\"{}\">{}</CWE>\n                </CWEList>\n                <CVEList>\n                    {}\n                </CVEList>\n                <CVSS>\n                  <Descriptor>{}</Descriptor>\n                  <Score>{}</Score>\n{}                  <E>{}</E>\n                  <RL>{}</RL>\n                  <RC>{}</RC>\n                </CVSS>\n                <CVSS3>\n                  <Descriptor>{}</Descriptor>\n                  <Score>{}</Score>\n                  <TempScore>{}</TempScore>\n                  <EnvScore>{}</EnvScore>\n{}                </CVSS3>\n                <References>\n{}                </References>\n            </ReportItem>\n",
            i + 1,
            match c.severity {
                "critical" | "high" => "red",
                "medium" => "orange",
                "low" => "blue",
                _ => "green",
            },
            cdata(&if rng.random_bool(0.2) && c.parameter {
                format!("{} (verified)", c.name)
            } else {
                c.name.to_string()
            }),
            cdata(c.module),
            cdata(&item.details),
            cdata(&item.path),
            cdata(&item.parameter),
            cdata(""),
            cdata(""),
            cdata(if rng.random_bool(0.02) { "True" } else { "" }),
            cdata(item.severity),
            cdata(c.category),
            cdata(c.impact),
            cdata(&c.description.replace("%PARAM%", &item.parameter)),
            cdata(&detailed),
            cdata(c.recommendation),
            cdata(&item.request),
            cdata(&item.response),
            c.cwe,
            cdata(&format!("CWE-{}", c.cwe)),
            cves,
            cdata(c.cvss2.0),
            cdata(c.cvss2.1),
            cvss2_parts,
            cdata(""),
            cdata(""),
            cdata(""),
            cdata(c.cvss3.0),
            cdata(c.cvss3.1),
            cdata(""),
            cdata(""),
            cvss3_parts,
            refs,
        )?;
    }
    out.write_all(b"        </ReportItems>\n    </Scan>\n</ScanGroup>\n")
}

/// The Acunetix 360 / Invicti JSON report.
pub(super) fn write_360(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let host = host(options.seed);
    let mut head_rng = rng(options.seed, 20, 0);
    write!(
        out,
        "{{\n  \"Generated\": \"25/06/2026 09:59 AM\",\n  \"Target\": {{\"Duration\": \"02:41:13.3968969\", \"Initiated\": \"25/06/2026 07:18 AM\", \"ScanId\": \"{}\", \"Url\": \"https://{host}/\"}},\n  \"Vulnerabilities\": [",
        hex(&mut head_rng, 32)
    )?;
    write_records(out, options.findings, "    ", |i| {
        let (item, mut rng) = item(options.seed, 2, i);
        let c = item.check;
        let parameters = if item.parameter.is_empty() {
            "[]".to_string()
        } else {
            raw_list([Obj::new()
                .s("Name", &item.parameter)
                .s("Type", "Querystring")
                .s("Value", item.payload)
                .raw("Vulnerable", true)
                .done()])
        };
        let score: f64 = c.cvss3.1.parse().unwrap_or(0.0);
        let cvss_score = |kind: &str, value: f64| {
            Obj::new()
                .raw("Severity", (value / 2.5) as u32)
                .s("Type", kind)
                .s("Value", &format!("{value:.1}"))
                .done()
        };
        let cvss = Obj::new()
            .raw("BaseScore", cvss_score("Base", score))
            .raw(
                "EnvironmentalScore",
                cvss_score("Environmental", score * 0.95),
            )
            .raw("TemporalScore", cvss_score("Temporal", score * 0.95))
            .s(
                "Vector",
                &format!("{}/E:H/RL:O/RC:C", c.cvss3.0.replace("3.0", "3.1")),
            )
            .done();
        let links: String = c
            .references
            .iter()
            .map(|(name, url)| {
                format!("<li><a target='_blank' href='{url}'><i class='icon-external-link'></i>{name}</a></li>")
            })
            .collect();
        let url = format!(
            "https://{host}{}{}",
            item.path,
            if item.parameter.is_empty() {
                String::new()
            } else {
                format!("?{}={}", item.parameter, item.payload.replace(' ', "%20"))
            }
        );
        let states = [
            "Present",
            "Present",
            "Present",
            "Revived",
            "Present, AcceptedRisk",
        ];
        Obj::new()
            .raw("Certainty", [90, 95, 100][index(&mut rng, 3)])
            .raw(
                "Classification",
                Obj::new()
                    .s("Iso27001", "A.14.2.5")
                    .s("Capec", &format!("{}", 60 + c.cwe % 100))
                    .raw("Cvss", "null")
                    .raw("Cvss31", cvss)
                    .s("Cwe", &c.cwe.to_string())
                    .s("Hipaa", "164.308(a)")
                    .s("Owasp", "A3")
                    .s("OwaspProactiveControls", "C5")
                    .s("Pci32", "6.5.7")
                    .s("Wasc", "8")
                    .done(),
            )
            .raw("Confirmed", rng.random_bool(0.6))
            .s(
                "Description",
                &format!(
                    "<p>{}</p>",
                    c.description.replace("%PARAM%", &item.parameter)
                ),
            )
            .s(
                "ExploitationSkills",
                "<div>This is dependent on the attacker's skills.</div>",
            )
            .s(
                "ExternalReferences",
                &format!("<div><ul>{links}</ul></div>"),
            )
            .raw(
                "ExtraInformation",
                raw_list([
                    Obj::new()
                        .s("Name", "Identified Parameter")
                        .s("Value", &item.parameter)
                        .done(),
                    Obj::new()
                        .s("Name", "Page Type")
                        .s("Value", pick(&mut rng, PAGES))
                        .done(),
                ]),
            )
            .s("FirstSeenDate", "16/06/2026 12:30 PM")
            .raw(
                "HttpRequest",
                Obj::new()
                    .s("Content", &item.request)
                    .s("Method", "GET")
                    .raw("Parameters", parameters)
                    .done(),
            )
            .raw(
                "HttpResponse",
                Obj::new()
                    .s("Content", &item.response)
                    .raw(
                        "Duration",
                        format!("{:.4}", rng.random_range(20.0..900.0f64)),
                    )
                    .raw("StatusCode", 200)
                    .done(),
            )
            .s("LookupId", &super::uuid(&mut rng))
            .s("Impact", &format!("<div>{}</div>", c.impact))
            .raw("KnownVulnerabilities", "[]")
            .s("LastSeenDate", "25/06/2026 01:52 AM")
            .s("Name", c.name)
            .s("ProofOfConcept", &item.details)
            .s(
                "RemedialActions",
                &format!("<div>\n<ol>\n<li>{}</li>\n</ol>\n</div>", c.recommendation),
            )
            .s(
                "RemedialProcedure",
                &format!(
                    "<div>{}. {}</div>",
                    c.recommendation.trim_end_matches('.'),
                    prose(&mut rng, 1)
                ),
            )
            .s("RemedyReferences", "")
            .s("Severity", &capitalised(item.severity))
            .s("State", states[index(&mut rng, states.len())])
            .s("Type", c.type_360)
            .s("Url", &url)
            .strs("Tags", ["web", c.category])
            .done()
    })?;
    out.write_all(b"\n  ]\n}\n")
}

/// A page of the on-premises API's vulnerability list, with the details of each vulnerability.
pub(super) fn write_api(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let host = host(options.seed);
    let target_id = uuid(&mut rng(options.seed, 30, 0));
    out.write_all(b"{\n  \"vulnerabilities\": [")?;
    write_records(out, options.findings, "    ", |i| {
        let (item, mut rng) = item(options.seed, 3, i);
        let c = item.check;
        let severity = match item.severity {
            "critical" => 4,
            "high" => 3,
            "medium" => 2,
            "low" => 1,
            _ => 0,
        };
        // vt_id: one id per check, stable across reports.
        let vt = CHECKS.iter().position(|k| k.name == c.name).unwrap_or(0);
        let statuses = ["open", "open", "open", "fixed", "ignored", "false_positive"];
        Obj::new()
            .s(
                "vuln_id",
                &format!("{}", 2_700_000_000_000_000_000u64 + (i as u64) * 7919),
            )
            .raw("severity", severity)
            .raw("criticality", 10)
            .s("status", statuses[index(&mut rng, statuses.len())])
            .raw("confidence", [80, 95, 100][index(&mut rng, 3)])
            .s(
                "vt_id",
                &format!(
                    "{:08x}-{:04x}-4bd2-ab3e-{:012x}",
                    0x5a7c_0000u32 + vt as u32,
                    vt * 17,
                    vt * 104_729
                ),
            )
            .s("vt_name", c.name)
            .s("vt_created", "2025-10-02T11:04:51+00:00")
            .s("target_id", &target_id)
            .s("target_description", "Production shop")
            .s("affects_url", &format!("https://{host}{}", item.path))
            .s("affects_detail", &item.parameter)
            .s("last_seen", &format!("{}.000Z", iso_date(&mut rng)))
            .strs(
                "tags",
                [
                    format!("CWE-{}", c.cwe),
                    c.category.to_string(),
                    "verified".to_string(),
                ],
            )
            .s("loc_id", &format!("{}", 10 + i % 500))
            .s(
                "description",
                &c.description.replace("%PARAM%", &item.parameter),
            )
            .s("impact", c.impact)
            .s("recommendation", c.recommendation)
            .s("long_description", &prose(&mut rng, 2))
            .s("details", &item.details)
            .raw(
                "references",
                raw_list(
                    c.references
                        .iter()
                        .map(|(rel, href)| Obj::new().s("rel", rel).s("href", href).done()),
                ),
            )
            .s("cvss2", c.cvss2.0)
            .s("cvss3", c.cvss3.0)
            .raw("cvss_score", c.cvss3.1)
            .s("request", &item.request)
            .raw(
                "response_info",
                Obj::new()
                    .raw("status_code", 200)
                    .raw("size", rng.random_range(800..9000))
                    .raw("response_time", rng.random_range(20..900))
                    .done(),
            )
            .strs("highlights", Vec::<String>::new())
            .s("source", "Scanner")
            .done()
    })?;
    let cursor = hex(&mut rng(options.seed, 31, 0), 32);
    write!(
        out,
        "\n  ],\n  \"pagination\": {}\n}}\n",
        Obj::new()
            .raw("count", options.findings)
            .raw("cursors", str_list([cursor.as_str()]))
            .s("cursor_hash", &cursor)
            .raw("sort", "null")
            .done()
    )
}
