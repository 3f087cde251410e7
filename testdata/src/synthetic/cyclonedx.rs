//! Synthetic CycloneDX BOMs with vulnerabilities (`cyclonedx-json`, `cyclonedx-xml`).
//!
//! Reports look like `trivy image --format cyclonedx --scanners vuln` of a Debian-based service
//! image with Python and Node dependencies (spec 1.6): the image as `metadata.component`, one
//! component per vulnerable package (a UUID as `bom-ref`), then the vulnerabilities, each with
//! its source, an NVD rating with its CVSS vector, CWE, description, recommendation,
//! advisories, a VEX `analysis` on a few, and the component it affects. Every vulnerability has
//! its own id and component, so none merges.

use std::io::{self, Write};

use super::advisory::{DEBIAN, NODE, PYTHON, Package, advisory, versions};
use super::{Obj, SyntheticOptions, raw_list, rng, weighted, write_records, xml};

const SEVERITIES: &[(&str, f64)] = &[
    ("critical", 9.8),
    ("high", 7.5),
    ("medium", 5.3),
    ("low", 3.1),
];
const SEVERITY_WEIGHTS: &[u32] = &[5, 25, 45, 25];
const STATES: &[&str] = &["", "in_triage", "not_affected", "exploitable"];
const STATE_WEIGHTS: &[u32] = &[85, 5, 5, 5];

/// One vulnerable package and its vulnerability, for record `i`.
struct Entry {
    name: &'static str,
    version: String,
    purl: String,
    /// The component's `bom-ref`, a UUID as Trivy writes.
    bom_ref: String,
    id: String,
    severity: &'static str,
    score: f64,
    cwe: u32,
    description: String,
    recommendation: String,
    state: &'static str,
}

fn entry(seed: u64, i: usize) -> Entry {
    let mut rng = rng(seed, 0x6364_7800, i);
    let class = weighted(&mut rng, &[50, 30, 20]);
    let (packages, purl_type, debian): (&[Package], &str, bool) = match class {
        0 => (DEBIAN, "deb/debian", true),
        1 => (PYTHON, "pypi", false),
        _ => (NODE, "npm", false),
    };
    let package = &packages[super::index(&mut rng, packages.len())];
    let (version, fixed_in) = versions(&mut rng, package, debian);
    let text = advisory(&mut rng, package, &fixed_in);
    let (severity, score) = SEVERITIES[weighted(&mut rng, SEVERITY_WEIGHTS)];
    let state = STATES[weighted(&mut rng, STATE_WEIGHTS)];
    Entry {
        name: package.name,
        purl: format!("pkg:{purl_type}/{}@{version}", package.name),
        bom_ref: format!("{seed:08x}-0000-4000-8000-{i:012x}"),
        version,
        id: format!("CVE-{}-{}", 2015 + i % 11, 20_000 + i),
        severity,
        score,
        cwe: text.cwe,
        description: text.description,
        recommendation: format!("Upgrade {} to {fixed_in} or later.", package.name),
        state,
    }
}

const VECTOR: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

fn component_json(e: &Entry) -> String {
    Obj::new()
        .s("bom-ref", &e.bom_ref)
        .s("type", "library")
        .s("name", e.name)
        .s("version", &e.version)
        .s("purl", &e.purl)
        .done()
}

fn vulnerability_json(e: &Entry) -> String {
    let nvd = format!("https://nvd.nist.gov/vuln/detail/{}", e.id);
    let mut v = Obj::new()
        .s("bom-ref", &format!("{}@{}", e.id, e.bom_ref))
        .s("id", &e.id)
        .raw("source", Obj::new().s("name", "nvd").s("url", &nvd).done())
        .raw(
            "ratings",
            raw_list([Obj::new()
                .raw("source", Obj::new().s("name", "nvd").done())
                .raw("score", e.score)
                .s("severity", e.severity)
                .s("method", "CVSSv31")
                .s("vector", VECTOR)
                .done()]),
        )
        .raw("cwes", format!("[{}]", e.cwe))
        .s("description", &e.description)
        .s("recommendation", &e.recommendation)
        .raw("advisories", raw_list([Obj::new().s("url", &nvd).done()]))
        .s("published", "2026-03-14T10:15:00+00:00");
    if !e.state.is_empty() {
        v = v.raw("analysis", Obj::new().s("state", e.state).done());
    }
    v.raw(
        "affects",
        raw_list([Obj::new().s("ref", &e.bom_ref).done()]),
    )
    .done()
}

/// Writes a CycloneDX 1.6 JSON BOM with `findings` vulnerabilities.
pub fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let image = options.artifact.as_str();
    let metadata = Obj::new()
        .s("timestamp", "2026-06-19T11:43:35+00:00")
        .raw(
            "tools",
            Obj::new()
                .raw(
                    "components",
                    raw_list([Obj::new()
                        .s("type", "application")
                        .s("group", "aquasecurity")
                        .s("name", "trivy")
                        .s("version", "0.63.0")
                        .done()]),
                )
                .done(),
        )
        .raw(
            "component",
            Obj::new()
                .s("bom-ref", "image")
                .s("type", "container")
                .s("name", image)
                .done(),
        )
        .done();
    write!(
        out,
        "{{\n  \"$schema\": \"http://cyclonedx.org/schema/bom-1.6.schema.json\",\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"serialNumber\": \"urn:uuid:00000000-0000-4000-8000-{:012x}\",\n  \"version\": 1,\n  \"metadata\": {metadata},\n  \"components\": [",
        options.seed & 0xffff_ffff_ffff
    )?;
    write_records(out, options.findings, "    ", |i| {
        component_json(&entry(options.seed, i))
    })?;
    out.write_all(b"\n  ],\n  \"vulnerabilities\": [")?;
    write_records(out, options.findings, "    ", |i| {
        vulnerability_json(&entry(options.seed, i))
    })?;
    out.write_all(b"\n  ]\n}\n")
}

/// Writes a CycloneDX 1.6 XML BOM with `findings` vulnerabilities.
pub fn write_xml(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" serialNumber=\"urn:uuid:00000000-0000-4000-8000-{:012x}\" version=\"1\">\n  <metadata>\n    <timestamp>2026-06-19T11:43:35+00:00</timestamp>\n    <component type=\"container\" bom-ref=\"image\"><name>{}</name></component>\n  </metadata>\n  <components>\n",
        options.seed & 0xffff_ffff_ffff,
        xml(&options.artifact)
    )?;
    for i in 0..options.findings {
        let e = entry(options.seed, i);
        let purl = xml(&e.purl);
        writeln!(
            out,
            "    <component type=\"library\" bom-ref=\"{}\"><name>{}</name><version>{}</version><purl>{purl}</purl></component>",
            e.bom_ref,
            xml(e.name),
            xml(&e.version)
        )?;
    }
    out.write_all(b"  </components>\n  <vulnerabilities>\n")?;
    for i in 0..options.findings {
        let e = entry(options.seed, i);
        let nvd = format!("https://nvd.nist.gov/vuln/detail/{}", e.id);
        let analysis = if e.state.is_empty() {
            String::new()
        } else {
            format!("<analysis><state>{}</state></analysis>", e.state)
        };
        writeln!(
            out,
            "    <vulnerability bom-ref=\"{id}@{bom_ref}\"><id>{id}</id><source><name>nvd</name><url>{nvd}</url></source><ratings><rating><source><name>nvd</name></source><score>{score}</score><severity>{severity}</severity><method>CVSSv31</method><vector>{VECTOR}</vector></rating></ratings><cwes><cwe>{cwe}</cwe></cwes><description>{description}</description><recommendation>{recommendation}</recommendation><advisories><advisory><url>{nvd}</url></advisory></advisories><published>2026-03-14T10:15:00+00:00</published>{analysis}<affects><target><ref>{bom_ref}</ref></target></affects></vulnerability>",
            id = e.id,
            bom_ref = e.bom_ref,
            score = e.score,
            severity = e.severity,
            cwe = e.cwe,
            description = xml(&e.description),
            recommendation = xml(&e.recommendation),
        )?;
    }
    out.write_all(b"  </vulnerabilities>\n</bom>\n")
}
