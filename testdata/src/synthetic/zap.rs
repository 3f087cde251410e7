//! Synthetic OWASP ZAP traditional reports, XML (`zap-xml`) and JSON (`zap-json`): one site,
//! alerts of ZAP's common passive and active rules with HTML description, solution and
//! references, each with up to [`PER_ALERT`] instances (URI, method, parameter, attack,
//! evidence). Every instance has its own path, so the importers keep one finding per instance.

use super::web::{PAGES, PARAMS, SECTIONS};
use rand::RngExt;
use std::io::{self, Write};

use super::{Obj, Rng, SyntheticOptions, index, js, pick, prose, raw_list, rng, xml};

struct Rule {
    plugin: u32,
    alert_ref: &'static str,
    name: &'static str,
    risk: u8,
    confidence: u8,
    cwe: u32,
    wasc: u32,
    description: &'static str,
    solution: &'static str,
    references: &'static [&'static str],
    /// The parameter an instance names: a header, or one of the page's.
    param: Option<&'static str>,
    attack: bool,
    evidence: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        plugin: 10020,
        alert_ref: "10020-1",
        name: "Missing Anti-clickjacking Header",
        risk: 2,
        confidence: 2,
        cwe: 1021,
        wasc: 15,
        description: "The response does not protect against framing by another site. It should send a Content-Security-Policy header with a frame-ancestors directive.",
        solution: "Send a Content-Security-Policy header with a frame-ancestors directive on every page.",
        references: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Frame-Options"],
        param: Some("x-frame-options"),
        attack: false,
        evidence: "",
    },
    Rule {
        plugin: 40012,
        alert_ref: "40012",
        name: "Cross Site Scripting (Reflected)",
        risk: 3,
        confidence: 2,
        cwe: 79,
        wasc: 8,
        description: "Cross-site scripting echoes code supplied by an attacker into the page another user sees.",
        solution: "Encode every value on output for the context it is written into.",
        references: &[
            "https://owasp.org/www-community/attacks/xss/",
            "https://cwe.mitre.org/data/definitions/79.html",
        ],
        param: None,
        attack: true,
        evidence: "<scrIpt>alert(1);</scRipt>",
    },
    Rule {
        plugin: 10038,
        alert_ref: "10038",
        name: "Content Security Policy (CSP) Header Not Set",
        risk: 2,
        confidence: 3,
        cwe: 693,
        wasc: 15,
        description: "Content Security Policy is an added layer of security that helps to detect and mitigate certain types of attacks.",
        solution: "Configure the web server to send the Content-Security-Policy header.",
        references: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP"],
        param: None,
        attack: false,
        evidence: "",
    },
    Rule {
        plugin: 10010,
        alert_ref: "10010",
        name: "Cookie No HttpOnly Flag",
        risk: 1,
        confidence: 2,
        cwe: 1004,
        wasc: 13,
        description: "A cookie has been set without the HttpOnly flag, which means that script in the page can read it.",
        solution: "Set the HttpOnly flag on every cookie that script does not need.",
        references: &["https://owasp.org/www-community/HttpOnly"],
        param: Some("session"),
        attack: false,
        evidence: "Set-Cookie: session",
    },
    Rule {
        plugin: 40018,
        alert_ref: "40018",
        name: "SQL Injection",
        risk: 3,
        confidence: 2,
        cwe: 89,
        wasc: 19,
        description: "SQL injection may be possible: the page answered differently when the parameter held a crafted value.",
        solution: "Use prepared statements with bound parameters for every query.",
        references: &[
            "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
        ],
        param: None,
        attack: true,
        evidence: "",
    },
    Rule {
        plugin: 10027,
        alert_ref: "10027",
        name: "Information Disclosure - Suspicious Comments",
        risk: 0,
        confidence: 1,
        cwe: 615,
        wasc: 13,
        description: "The response appears to contain comments that may help an attacker.",
        solution: "Remove all comments that return information that may help an attacker.",
        references: &[],
        param: None,
        attack: false,
        evidence: "debug",
    },
];

/// At most this many instances per alert, as ZAP lists a rule's findings under one alert.
pub const PER_ALERT: usize = 40;

const ATTACKS: &[&str] = &[
    "<scrIpt>alert(1);</scRipt>",
    "' OR '1'='1",
    "ZAP' AND '1'='1' -- ",
];
const RISKS: [&str; 4] = ["Informational", "Low", "Medium", "High"];
const CONFIDENCES: [&str; 5] = ["False Positive", "Low", "Medium", "High", "Confirmed"];

fn site(seed: u64) -> (String, String) {
    let host = format!("shop-{}.example.com", seed % 1000);
    (format!("https://{host}"), host)
}

/// One instance of alert `a`'s rule: its URI, method, parameter, attack, evidence, other info.
struct Instance {
    uri: String,
    method: &'static str,
    param: String,
    attack: String,
    evidence: String,
    otherinfo: String,
}

fn instance(rule: &Rule, rng: &mut Rng, site: &str, i: usize) -> Instance {
    // The index in the path: one finding per instance, never merged.
    let path = format!("/{}/{}-{i}", pick(rng, SECTIONS), pick(rng, PAGES));
    let param = rule
        .param
        .map_or_else(|| pick(rng, PARAMS).to_string(), str::to_string);
    let attack = if rule.attack {
        pick(rng, ATTACKS).to_string()
    } else {
        String::new()
    };
    let query = if rule.param.is_none() {
        format!("?{param}={}", rng.random_range(1..500))
    } else {
        String::new()
    };
    let evidence = if rule.evidence.is_empty() {
        attack.clone()
    } else {
        rule.evidence.to_string()
    };
    Instance {
        uri: format!("{site}{path}{query}"),
        method: if rule.attack && rng.random_bool(0.3) {
            "POST"
        } else {
            "GET"
        },
        param,
        attack,
        evidence,
        otherinfo: if rng.random_bool(0.3) {
            prose(rng, 1)
        } else {
            String::new()
        },
    }
}

/// The alerts of a report: `(rule, first instance index, instance count)`.
fn alerts(options: &SyntheticOptions) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while start < options.findings {
        let mut rng = rng(options.seed, 50, k);
        let n = rng
            .random_range(1..=PER_ALERT)
            .min(options.findings - start);
        out.push((index(&mut rng, RULES.len()), start, n));
        start += n;
        k += 1;
    }
    out
}

/// The traditional XML report.
pub(super) fn write_xml(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let (site, host) = site(options.seed);
    write!(
        out,
        "<?xml version=\"1.0\"?>\n<OWASPZAPReport programName=\"ZAP\" version=\"2.16.0\" generated=\"Tue, 15 Oct 2026 09:12:44\" created=\"2026-10-15T09:12:44.418204Z\">\n\t<site name=\"{site}\" host=\"{host}\" port=\"443\" ssl=\"true\">\n\t\t<alerts>\n"
    )?;
    for (r, start, n) in alerts(options) {
        let rule = &RULES[r];
        write!(
            out,
            "\t\t\t<alertitem>\n\t\t\t\t<pluginid>{}</pluginid>\n\t\t\t\t<alertRef>{}</alertRef>\n\t\t\t\t<alert>{}</alert>\n\t\t\t\t<name>{}</name>\n\t\t\t\t<riskcode>{}</riskcode>\n\t\t\t\t<confidence>{}</confidence>\n\t\t\t\t<riskdesc>{} ({})</riskdesc>\n\t\t\t\t<confidencedesc>{}</confidencedesc>\n\t\t\t\t<desc>{}</desc>\n\t\t\t\t<instances>\n",
            rule.plugin,
            rule.alert_ref,
            xml(rule.name),
            xml(rule.name),
            rule.risk,
            rule.confidence,
            RISKS[usize::from(rule.risk)],
            CONFIDENCES[usize::from(rule.confidence)],
            CONFIDENCES[usize::from(rule.confidence)],
            xml(&format!("<p>{}</p>", rule.description)),
        )?;
        for i in start..start + n {
            let mut rng = rng(options.seed, 51, i);
            let inst = instance(rule, &mut rng, &site, i);
            write!(
                out,
                "\t\t\t\t\t<instance>\n\t\t\t\t\t\t<uri>{}</uri>\n\t\t\t\t\t\t<nodeName>{}</nodeName>\n\t\t\t\t\t\t<method>{}</method>\n\t\t\t\t\t\t<param>{}</param>\n\t\t\t\t\t\t<attack>{}</attack>\n\t\t\t\t\t\t<evidence>{}</evidence>\n\t\t\t\t\t\t<otherinfo>{}</otherinfo>\n\t\t\t\t\t</instance>\n",
                xml(&inst.uri),
                xml(&inst.uri),
                inst.method,
                xml(&inst.param),
                xml(&inst.attack),
                xml(&inst.evidence),
                xml(&inst.otherinfo),
            )?;
        }
        let references: String = rule
            .references
            .iter()
            .map(|r| format!("<p>{r}</p>"))
            .collect();
        write!(
            out,
            "\t\t\t\t</instances>\n\t\t\t\t<count>{n}</count>\n\t\t\t\t<systemic>false</systemic>\n\t\t\t\t<solution>{}</solution>\n\t\t\t\t<otherinfo></otherinfo>\n\t\t\t\t<reference>{}</reference>\n\t\t\t\t<cweid>{}</cweid>\n\t\t\t\t<wascid>{}</wascid>\n\t\t\t\t<sourceid>{}</sourceid>\n\t\t\t</alertitem>\n",
            xml(&format!("<p>{}</p>", rule.solution)),
            xml(&references),
            rule.cwe,
            rule.wasc,
            start + 1,
        )?;
    }
    out.write_all(b"\t\t</alerts>\n\t</site>\n</OWASPZAPReport>\n")
}

/// The traditional JSON report.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let (site, host) = site(options.seed);
    write!(
        out,
        "{{\n\t\"@programName\": \"ZAP\",\n\t\"@version\": \"2.16.0\",\n\t\"@generated\": \"Tue, 15 Oct 2026 09:12:44\",\n\t\"created\": \"2026-10-15T09:12:44.418204Z\",\n\t\"site\":[ \n\t\t{{\n\t\t\t\"@name\": {},\n\t\t\t\"@host\": {},\n\t\t\t\"@port\": \"443\",\n\t\t\t\"@ssl\": \"true\",\n\t\t\t\"alerts\": [",
        js(&site),
        js(&host)
    )?;
    for (k, (r, start, n)) in alerts(options).into_iter().enumerate() {
        let rule = &RULES[r];
        let instances = raw_list((start..start + n).map(|i| {
            let mut rng = rng(options.seed, 51, i);
            let inst = instance(rule, &mut rng, &site, i);
            Obj::new()
                .s("id", &(i + 1).to_string())
                .s("uri", &inst.uri)
                .s("nodeName", &inst.uri)
                .s("method", inst.method)
                .s("param", &inst.param)
                .s("attack", &inst.attack)
                .s("evidence", &inst.evidence)
                .s("otherinfo", &inst.otherinfo)
                .done()
        }));
        let references: String = rule
            .references
            .iter()
            .map(|r| format!("<p>{r}</p>"))
            .collect();
        let alert = Obj::new()
            .s("pluginid", &rule.plugin.to_string())
            .s("alertRef", rule.alert_ref)
            .s("alert", rule.name)
            .s("name", rule.name)
            .s("riskcode", &rule.risk.to_string())
            .s("confidence", &rule.confidence.to_string())
            .s(
                "riskdesc",
                &format!(
                    "{} ({})",
                    RISKS[usize::from(rule.risk)],
                    CONFIDENCES[usize::from(rule.confidence)]
                ),
            )
            .s("desc", &format!("<p>{}</p>", rule.description))
            .raw("instances", instances)
            .s("count", &n.to_string())
            .raw("systemic", false)
            .s("solution", &format!("<p>{}</p>", rule.solution))
            .s("otherinfo", "")
            .s("reference", &references)
            .s("cweid", &rule.cwe.to_string())
            .s("wascid", &rule.wasc.to_string())
            .s("sourceid", &(start + 1).to_string())
            .done();
        if k > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\n\t\t\t\t{alert}")?;
    }
    out.write_all(b"\n\t\t\t]\n\t\t}\n\t]\n}\n")
}
