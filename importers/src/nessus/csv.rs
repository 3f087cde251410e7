//! Tenable's CSV exports, read by their header's column names (any order, any case):
//!
//! - Nessus Professional, default template: `Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,
//!   Synopsis,Description,Solution,See Also,Plugin Output`; "all columns" and the 2025 template
//!   add CVSS v3.0 and v4.0 scores, `EPSS Score`, `VPR Score`, `XREF` and dates; Nessus WAS
//!   writes `CVSSv3` and `http` as the protocol.
//! - Tenable.sc's vulnerability list: `Plugin,Plugin Name,Family,Severity,IP Address,Protocol,
//!   Port,...,DNS Name,...,CVSS V3 Vector,CVE,Cross References,...`.
//! - Tenable Vulnerability Management (Tenable.io) findings, `;`-separated: `asset.*`,
//!   `definition.*` (`definition.id`, `definition.name`, `definition.cvss3.base_vector`, ...),
//!   `port`, `protocol`, `output`, `severity`, `state`.
//!
//! Rows whose every field is blank (spreadsheets save them) are read past. A file cut inside a
//! quoted field (an odd number of `"`) or inside a row (too few fields) is an error; a file cut
//! between two rows cannot be told from a shorter one.

use super::{Item, TOOL};
use crate::error::{ImportError, Position, SinkError};
use crate::finding::{Kind, ScanInfo};
use crate::{Importer, Sink};
use std::io::{BufRead, BufReader, Read};

const FORMAT: &str = "nessus-csv";

pub struct NessusCsv;

impl Importer for NessusCsv {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Tenable CSV exports: Nessus Professional (default, all columns, 2025 template), Nessus WAS, Tenable.sc vulnerability list, Tenable Vulnerability Management findings"
    }

    fn example(&self) -> &'static str {
        "Nessus: Scans > select the scan > Export > CSV (select the columns); Tenable.sc: Analysis > Vulnerabilities > Export > CSV"
    }

    fn detect(&self, head: &str) -> bool {
        let head = head.trim_start();
        let first = head.lines().next().unwrap_or_default();
        let Some(header) = header_fields(first.as_bytes(), delimiter(first.as_bytes())) else {
            return false;
        };
        Columns::new(&header).is_some()
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut input = BufReader::with_capacity(64 * 1024, input);
        // Leading white space is not part of the table (detection reads past it too).
        loop {
            let buf = input.fill_buf()?;
            let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let done = blank < buf.len() || buf.is_empty();
            input.consume(blank);
            if done {
                break;
            }
        }
        let sniffed = input.fill_buf()?;
        let line_end = sniffed
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(sniffed.len());
        let delimiter = delimiter(sniffed.get(..line_end).unwrap_or_default());
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .from_reader(Quotes::new(input));
        let result = read_rows(&mut reader, sink);
        let quotes = reader.get_ref();
        match result {
            // A cut inside a quoted field explains any error in the last row.
            Ok(_) | Err(RowError::Malformed(_)) if quotes.cut() => Err(ImportError::malformed(
                FORMAT,
                Position::line_column(quotes.lines + 1, 1),
                "a quoted field is not closed (truncated file?)",
            )),
            Ok(info) => Ok(info),
            Err(RowError::Malformed(e)) => Err(e),
            Err(RowError::Sink(e)) => Err(ImportError::Sink(e)),
        }
    }
}

/// `;` when the header line has more of them than commas (Tenable Vulnerability Management's
/// export), else `,`.
fn delimiter(line: &[u8]) -> u8 {
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// The fields of a header line, trimmed and lower-cased.
fn header_fields(line: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(line);
    let mut record = ::csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Some(record.iter().map(normalized).collect()),
        _ => None,
    }
}

fn normalized(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Where each field of an [`Item`] is, by the names the exports give it.
struct Columns {
    plugin_id: usize,
    name: usize,
    /// In order of preference: the fqdn before the address.
    hosts: Vec<usize>,
    family: Option<usize>,
    severity: Option<usize>,
    port: Option<usize>,
    protocol: Option<usize>,
    synopsis: Option<usize>,
    description: Option<usize>,
    solution: Option<usize>,
    see_also: Option<usize>,
    output: Option<usize>,
    cve: Option<usize>,
    cwe: Option<usize>,
    xref: Option<usize>,
    cvss2_score: Option<usize>,
    cvss2_vector: Option<usize>,
    cvss3_score: Option<usize>,
    cvss3_vector: Option<usize>,
    cvss4_score: Option<usize>,
    cvss4_vector: Option<usize>,
    epss: Option<usize>,
    vpr: Option<usize>,
    state: Option<usize>,
}

impl Columns {
    /// The columns of a header; `None` unless it names a plugin id, a plugin name and a host.
    fn new(header: &[String]) -> Option<Columns> {
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| header.iter().position(|h| h == n))
        };
        let hosts: Vec<usize> = [
            "host",
            "dns name",
            "asset.display_fqdn",
            "asset.host_name",
            "ip address",
            "asset.display_ipv4_address",
            "asset.display_ipv6_address",
            "asset.name",
        ]
        .iter()
        .filter_map(|n| header.iter().position(|h| h == n))
        .collect();
        if hosts.is_empty() {
            return None;
        }
        Some(Columns {
            plugin_id: find(&["plugin id", "plugin", "definition.id"])?,
            name: find(&["name", "plugin name", "definition.name"])?,
            hosts,
            family: find(&["family", "definition.family"]),
            severity: find(&["risk", "severity", "definition.severity", "risk factor"]),
            port: find(&["port"]),
            protocol: find(&["protocol"]),
            synopsis: find(&["synopsis", "definition.synopsis"]),
            // Tenable Vulnerability Management's export names every column but its
            // description (`definition.description` comes out blank).
            description: find(&["description", "definition.description", ""]),
            solution: find(&["solution", "steps to remediate", "definition.solution"]),
            see_also: find(&["see also", "definition.see_also"]),
            output: find(&["plugin output", "plugin text", "output"]),
            cve: find(&["cve", "definition.cve"]),
            cwe: find(&["cwe", "definition.cwe"]),
            xref: find(&["xref", "cross references", "definition.references"]),
            cvss2_score: find(&[
                "cvss v2.0 base score",
                "cvss v2 base score",
                "cvss",
                "definition.cvss2.base_score",
            ]),
            cvss2_vector: find(&[
                "cvss v2 vector",
                "cvss v2.0 vector",
                "definition.cvss2.base_vector",
            ]),
            cvss3_score: find(&[
                "cvss v3.0 base score",
                "cvss v3 base score",
                "cvssv3",
                "definition.cvss3.base_score",
            ]),
            cvss3_vector: find(&[
                "cvss v3 vector",
                "cvss v3.0 vector",
                "definition.cvss3.base_vector",
            ]),
            cvss4_score: find(&["cvss v4.0 base score", "cvss v4 base score"]),
            cvss4_vector: find(&["cvss v4.0 vector", "cvss v4 vector"]),
            epss: find(&["epss score", "epss"]),
            vpr: find(&[
                "vpr score",
                "vulnerability priority rating",
                "definition.vpr.score",
            ]),
            state: find(&["state"]),
        })
    }

    /// The item of a row.
    fn item(&self, row: &::csv::StringRecord) -> Item {
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut item = Item {
            plugin_id: get(Some(self.plugin_id)),
            plugin_name: get(Some(self.name)),
            family: get(self.family),
            severity: get(self.severity),
            host: self.hosts.iter().find_map(|&c| get(Some(c))),
            port: get(self.port),
            protocol: get(self.protocol),
            synopsis: get(self.synopsis),
            description: get(self.description),
            solution: get(self.solution),
            plugin_output: get(self.output),
            cvss2_score: get(self.cvss2_score),
            cvss2_vector: get(self.cvss2_vector),
            cvss3_score: get(self.cvss3_score),
            cvss3_vector: get(self.cvss3_vector),
            cvss4_score: get(self.cvss4_score),
            cvss4_vector: get(self.cvss4_vector),
            epss: get(self.epss),
            vpr: get(self.vpr),
            state: get(self.state),
            ..Item::default()
        };
        if let Some(text) = get(self.see_also) {
            item.add_see_also(&text);
        }
        if let Some(text) = get(self.cve) {
            item.add_cves(&text);
        }
        if let Some(text) = get(self.cwe) {
            item.add_cwes(&text);
        }
        if let Some(text) = get(self.xref) {
            item.add_xref_cwes(&text);
        }
        item
    }
}

enum RowError {
    Malformed(ImportError),
    Sink(SinkError),
}

fn read_rows<R: Read>(
    reader: &mut ::csv::Reader<R>,
    sink: &mut Sink<'_>,
) -> Result<ScanInfo, RowError> {
    let mut info = ScanInfo {
        tool: TOOL.into(),
        ..ScanInfo::default()
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| RowError::Malformed(csv_error(&e)))?
        .iter()
        .map(normalized)
        .collect();
    let Some(columns) = Columns::new(&header) else {
        return Err(RowError::Malformed(ImportError::malformed(
            FORMAT,
            Position::line_column(1, 1),
            "the header must name a plugin id (`Plugin ID`, `Plugin`), a plugin name (`Name`, `Plugin Name`) and a host (`Host`, `IP Address`)",
        )));
    };
    let mut row = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => return Ok(info),
            Err(e) => return Err(RowError::Malformed(csv_error(&e))),
        }
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = row.position().map_or(0, |p| p.line());
        let item = columns.item(&row);
        // Nessus WAS writes the web protocol where the other exports write `tcp`.
        let web = item
            .protocol
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("http") || p.eq_ignore_ascii_case("https"));
        let kind = if web { Kind::Web } else { Kind::Vulnerability };
        match item.into_finding(kind) {
            Some(finding) => sink(finding).map_err(RowError::Sink)?,
            None => info.warn(format!("skipped a row without plugin id (line {line})")),
        }
    }
}

fn csv_error(err: &::csv::Error) -> ImportError {
    let position = err
        .position()
        .map_or_else(Position::default, |p| Position::line_column(p.line(), 1));
    let message = match err.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("a row has {len} fields where the header has {expected_len} (truncated file?)")
        }
        _ => err.to_string(),
    };
    ImportError::malformed(FORMAT, position, message)
}

/// A reader that counts the quote characters and line ends it passes: a file with an odd
/// number of `"` was cut inside a quoted field (a doubled `""` inside one counts twice).
struct Quotes<R> {
    inner: R,
    quotes: u64,
    lines: u64,
}

impl<R> Quotes<R> {
    fn new(inner: R) -> Self {
        Quotes {
            inner,
            quotes: 0,
            lines: 0,
        }
    }

    fn cut(&self) -> bool {
        self.quotes % 2 == 1
    }
}

impl<R: Read> Read for Quotes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            for &b in read {
                match b {
                    b'"' => self.quotes += 1,
                    b'\n' => self.lines += 1,
                    _ => {}
                }
            }
        }
        Ok(n)
    }
}
