//! Synthetic Tenable Nessus reports: the `.nessus` export (`nessus-xml`: a policy, then one
//! `<ReportHost>` with its properties per eight results) and Nessus Professional's "all
//! columns" CSV export (`nessus-csv`), with the plugins, synopses, plugin outputs, CVSS
//! vectors and CVEs the corpus files have. Record `i` is on host `i / 8` and the `i % 8`-th
//! port of the list, so no two records share a plugin, host and port (the importer's identity).

use rand::RngExt;
use std::io::{self, Write};

use super::{SyntheticOptions, index, rng, xml};

/// `s` escaped for XML text as Nessus writes it: line ends and quotes stay literal.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Plugin {
    id: u32,
    name: &'static str,
    family: &'static str,
    /// Nessus's 0 to 4.
    severity: u8,
    synopsis: &'static str,
    description: &'static str,
    solution: &'static str,
    see_also: &'static [&'static str],
    cves: &'static [&'static str],
    /// (CVSS v3.0 vector, score), (CVSS v2 vector, score).
    cvss3: Option<(&'static str, f64)>,
    cvss2: Option<(&'static str, f64)>,
    /// The plugin output; `{port}` and `{host}` are filled in.
    output: &'static str,
}

const PLUGINS: &[Plugin] = &[
    Plugin {
        id: 42873,
        name: "SSL Medium Strength Cipher Suites Supported (SWEET32)",
        family: "General",
        severity: 3,
        synopsis: "The remote service supports the use of medium strength SSL ciphers.",
        description: "The remote host supports the use of SSL ciphers that offer medium strength encryption. Nessus regards medium strength as any encryption that uses key lengths at least 64 bits and less than 112 bits, or else that uses the 3DES encryption suite.",
        solution: "Reconfigure the affected application if possible to avoid use of medium strength ciphers.",
        see_also: &[
            "https://www.openssl.org/blog/blog/2016/08/24/sweet32/",
            "https://sweet32.info",
        ],
        cves: &["CVE-2016-2183"],
        cvss3: Some(("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5)),
        cvss2: Some(("CVSS2#AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0)),
        output: "\n  Medium Strength Ciphers (> 64-bit and < 112-bit key, or 3DES)\n\n    Name                          Code             KEX           Auth     Encryption             MAC\n    ----------------------        ----------       ---           ----     ---------------------  ---\n    ECDHE-RSA-DES-CBC3-SHA        0xC0, 0x12       ECDH          RSA      3DES-CBC(168)          SHA1\n",
    },
    Plugin {
        id: 11213,
        name: "HTTP TRACE / TRACK Methods Allowed",
        family: "Web Servers",
        severity: 2,
        synopsis: "Debugging functions are enabled on the remote web server.",
        description: "The remote web server supports the TRACE and/or TRACK methods. TRACE and TRACK are HTTP methods that are used to debug web server connections.",
        solution: "Disable these HTTP methods. Refer to the plugin output for more information.",
        see_also: &[
            "http://www.nessus.org/u?e979b5cb",
            "http://www.apacheweek.com/issues/03-01-24",
        ],
        cves: &["CVE-2003-1567", "CVE-2004-2320", "CVE-2010-0386"],
        cvss3: Some(("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3)),
        cvss2: Some(("CVSS2#AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0)),
        output: "\nTo disable these methods, add the following lines for each virtual\nhost in your configuration file :\n\n    RewriteEngine on\n    RewriteCond %{REQUEST_METHOD} ^(TRACE|TRACK)\n    RewriteRule .* - [F]\n\nNessus sent the following TRACE request to port {port} :\n\n  TRACE /Nessus1234.html HTTP/1.1\n  Host: {host}\n",
    },
    Plugin {
        id: 187315,
        name: "SSH Terrapin Prefix Truncation Weakness (CVE-2023-48795)",
        family: "Misc.",
        severity: 2,
        synopsis: "The remote SSH server is vulnerable to a mitm prefix truncation attack.",
        description: "The remote SSH server is vulnerable to a man-in-the-middle prefix truncation weakness known as Terrapin. This can allow a remote, man-in-the-middle attacker to bypass integrity checks and downgrade the connection's security.",
        solution: "Contact the vendor for an update with the strict key exchange countermeasures or disable the affected algorithms.",
        see_also: &["https://terrapin-attack.com/"],
        cves: &["CVE-2023-48795"],
        cvss3: Some(("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N", 5.9)),
        cvss2: Some(("CVSS2#AV:N/AC:H/Au:N/C:N/I:P/A:N", 2.6)),
        output: "\nSupports following ChaCha20-Poly1305 Client to Server algorithm : chacha20-poly1305@openssh.com\nSupports following Encrypt-then-MAC Client to Server algorithm : umac-64-etm@openssh.com\n",
    },
    Plugin {
        id: 51192,
        name: "SSL Certificate Cannot Be Trusted",
        family: "General",
        severity: 2,
        synopsis: "The SSL certificate for this service cannot be trusted.",
        description: "The server's X.509 certificate cannot be trusted. The certificate chain is not signed by a recognized certificate authority, so anyone can set up a man-in-the-middle attack against the remote host.",
        solution: "Purchase or generate a proper SSL certificate for this service.",
        see_also: &[
            "https://www.itu.int/rec/T-REC-X.509/en",
            "https://en.wikipedia.org/wiki/X.509",
        ],
        cves: &[],
        cvss3: Some(("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5)),
        cvss2: Some(("CVSS2#AV:N/AC:L/Au:N/C:P/I:P/A:N", 6.4)),
        output: "\nThe following certificate was at the top of the certificate\nchain sent by the remote host, but it is signed by an unknown\ncertificate authority :\n\n|-Subject : CN={host}\n|-Issuer  : CN={host}\n",
    },
    Plugin {
        id: 73756,
        name: "Microsoft SQL Server Unsupported Version Detection (remote check)",
        family: "Databases",
        severity: 4,
        synopsis: "An unsupported version of a database server is running on the remote host.",
        description: "According to its self-reported version number, the installation of Microsoft SQL Server on the remote host is no longer supported. Lack of support implies that no new security patches for the product will be released by the vendor.",
        solution: "Upgrade to a version of Microsoft SQL Server that is currently supported.",
        see_also: &["http://www.nessus.org/u?d4418a57"],
        cves: &[],
        cvss3: Some(("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)),
        cvss2: Some(("CVSS2#AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0)),
        output: "\nThe following unsupported installation of Microsoft SQL Server was\ndetected :\n\n  Installed version : 10.50.6560.0\n  Fixed version     : This version is no longer supported.\n",
    },
    Plugin {
        id: 142591,
        name: "PHP < 7.3.24 Multiple Vulnerabilities",
        family: "CGI abuses",
        severity: 2,
        synopsis: "The version of PHP running on the remote web server is affected by multiple vulnerabilities.",
        description: "According to its self-reported version number, the version of PHP running on the remote web server is prior to 7.3.24. It is, therefore affected by multiple vulnerabilities in its handling of cookies and of encrypted data.",
        solution: "Upgrade to PHP version 7.3.24 or later.",
        see_also: &["https://www.php.net/ChangeLog-7.php#7.3.24"],
        cves: &["CVE-2020-7069", "CVE-2020-7070"],
        cvss3: Some(("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 6.5)),
        cvss2: Some(("CVSS2#AV:N/AC:L/Au:N/C:N/I:P/A:N", 5.0)),
        output: "\n  URL               : http://{host}:{port}/\n  Installed version : 7.2.34\n  Fixed version     : 7.3.24\n",
    },
    Plugin {
        id: 10107,
        name: "HTTP Server Type and Version",
        family: "Web Servers",
        severity: 0,
        synopsis: "A web server is running on the remote host.",
        description: "This plugin attempts to determine the type and the version of the remote web server.",
        solution: "n/a",
        see_also: &[],
        cves: &[],
        cvss3: None,
        cvss2: None,
        output: "\nThe remote web server type is :\n\nnginx/1.24.0\n",
    },
    Plugin {
        id: 22964,
        name: "Service Detection",
        family: "Service detection",
        severity: 0,
        synopsis: "The remote service could be identified.",
        description: "Nessus was able to identify the remote service by its banner or by looking at the error message it sends when it receives an HTTP request.",
        solution: "n/a",
        see_also: &[],
        cves: &[],
        cvss3: None,
        cvss2: None,
        output: "\nA web server is running on this port.\n",
    },
];

const PORTS: &[(u16, &str, &str)] = &[
    (443, "tcp", "www"),
    (80, "tcp", "www"),
    (22, "tcp", "ssh"),
    (1433, "tcp", "mssql"),
    (3389, "tcp", "msrdp"),
    (8443, "tcp", "www"),
    (5432, "tcp", "postgresql"),
    (161, "udp", "snmp"),
];

const RISK: [&str; 5] = ["None", "Low", "Medium", "High", "Critical"];

/// What record `i` is: its plugin, host address and port.
struct Record {
    plugin: &'static Plugin,
    host: String,
    port: (u16, &'static str, &'static str),
    vpr: f64,
}

fn record(options: &SyntheticOptions, i: usize) -> Record {
    let mut r = rng(options.seed, 91, i);
    let plugin = &PLUGINS[index(&mut r, PLUGINS.len())];
    let h = i / PORTS.len();
    Record {
        plugin,
        host: format!("10.{}.{}.{}", 20 + h / 62_500, (h / 250) % 250, 1 + h % 250),
        port: PORTS[i % PORTS.len()],
        vpr: f64::from(r.random_range(10..100u32)) / 10.0,
    }
}

impl Record {
    fn output(&self) -> String {
        self.plugin
            .output
            .replace("{port}", &self.port.0.to_string())
            .replace("{host}", &self.host)
    }
}

pub(super) fn write_xml(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(
        b"<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy><policyName>Basic Network Scan</policyName>\n<Preferences><ServerPreferences><preference><name>plugin_set</name>\n<value>10107;11213;22964;42873;51192;73756;142591;187315</value>\n</preference>\n</ServerPreferences></Preferences></Policy>\n<Report name=\"Internal network\" xmlns:cm=\"http://www.nessus.org/cm\">\n",
    )?;
    let per_host = PORTS.len();
    for i in 0..options.findings {
        let rec = record(options, i);
        if i % per_host == 0 {
            if i > 0 {
                out.write_all(b"</ReportHost>\n")?;
            }
            write!(
                out,
                "<ReportHost name=\"{host}\"><HostProperties>\n<tag name=\"HOST_END\">Tue Mar 10 11:02:17 2026</tag>\n<tag name=\"operating-system\">Linux Kernel 5.15 on Ubuntu 22.04</tag>\n<tag name=\"host-ip\">{host}</tag>\n<tag name=\"HOST_START\">Tue Mar 10 10:41:03 2026</tag>\n</HostProperties>\n",
                host = rec.host
            )?;
        }
        let p = rec.plugin;
        let (port, protocol, service) = rec.port;
        let mut item = format!(
            "<ReportItem port=\"{port}\" svc_name=\"{service}\" protocol=\"{protocol}\" severity=\"{}\" pluginID=\"{}\" pluginName=\"{}\" pluginFamily=\"{}\">\n",
            p.severity,
            p.id,
            xml(p.name),
            xml(p.family)
        );
        for cve in p.cves {
            item.push_str(&format!("<cve>{cve}</cve>\n"));
        }
        if let Some((vector, score)) = p.cvss2 {
            item.push_str(&format!(
                "<cvss_base_score>{score:.1}</cvss_base_score>\n<cvss_vector>{vector}</cvss_vector>\n"
            ));
        }
        if let Some((vector, score)) = p.cvss3 {
            item.push_str(&format!(
                "<cvss3_base_score>{score:.1}</cvss3_base_score>\n<cvss3_vector>{vector}</cvss3_vector>\n"
            ));
        }
        item.push_str(&format!(
            "<description>{}</description>\n<fname>plugin_{}.nasl</fname>\n<plugin_name>{}</plugin_name>\n<plugin_type>remote</plugin_type>\n<risk_factor>{}</risk_factor>\n",
            text(p.description),
            p.id,
            text(p.name),
            RISK[usize::from(p.severity)]
        ));
        if !p.see_also.is_empty() {
            item.push_str(&format!("<see_also>{}</see_also>\n", p.see_also.join("\n")));
        }
        item.push_str(&format!(
            "<solution>{}</solution>\n<synopsis>{}</synopsis>\n<vpr_score>{:.1}</vpr_score>\n<plugin_output>{}</plugin_output>\n</ReportItem>\n",
            text(p.solution),
            text(p.synopsis),
            rec.vpr,
            text(&rec.output())
        ));
        out.write_all(item.as_bytes())?;
    }
    if options.findings > 0 {
        out.write_all(b"</ReportHost>\n")?;
    }
    out.write_all(b"</Report>\n</NessusClientData_v2>\n")
}

/// A CSV field, quoted as Nessus quotes every field.
fn field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub(super) fn write_csv(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"Plugin ID,CVE,CVSS v2.0 Base Score,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output,STIG Severity,CVSS v3.0 Base Score,VPR Score,EPSS Score,Risk Factor,XREF,Plugin Publication Date,Plugin Modification Date\n")?;
    for i in 0..options.findings {
        let rec = record(options, i);
        let p = rec.plugin;
        let (port, protocol, _) = rec.port;
        let score = |c: Option<(&str, f64)>| c.map(|(_, s)| format!("{s:.1}")).unwrap_or_default();
        let row = [
            field(&p.id.to_string()),
            field(&p.cves.join(",")),
            field(&score(p.cvss2)),
            field(RISK[usize::from(p.severity)]),
            field(&rec.host),
            field(protocol),
            field(&port.to_string()),
            field(p.name),
            field(p.synopsis),
            field(p.description),
            field(p.solution),
            field(&p.see_also.join("\n")),
            field(rec.output().trim()),
            field(""),
            field(&score(p.cvss3)),
            field(&format!("{:.1}", rec.vpr)),
            field(if p.cves.is_empty() { "" } else { "0.0421" }),
            field(RISK[usize::from(p.severity)]),
            field(""),
            field("2020/11/06"),
            field("2024/06/14"),
        ];
        out.write_all(row.join(",").as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
