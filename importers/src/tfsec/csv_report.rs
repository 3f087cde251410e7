//! tfsec CSV (`tfsec --format csv`): the header
//! `file,start_line,end_line,rule_id,severity,description,link,passed`, one row per result,
//! `rule_id` being the long id. Rows with `passed=true` are not findings. Ignored results also
//! show `passed=false` (the format cannot tell them apart), so they are imported.
//!
//! Strict on shape, because a cut CSV file is still CSV: every row must have the header's
//! number of fields, `passed` must be `true` or `false`, line numbers must be integers, and
//! the last row must end with a line end (tfsec, like every CSV writer, ends each row with one).

use super::{Record, version_from_link};
use crate::error::{ImportError, Position};
use crate::finding::ScanInfo;
use crate::{Importer, Sink};
use std::io::Read;

const FORMAT: &str = "tfsec-csv";

const HEADER: [&str; 8] = [
    "file",
    "start_line",
    "end_line",
    "rule_id",
    "severity",
    "description",
    "link",
    "passed",
];

pub struct TfsecCsv;

impl Importer for TfsecCsv {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "tfsec CSV (`tfsec --format csv`)"
    }

    fn example(&self) -> &'static str {
        "tfsec . --format csv --out tfsec.csv"
    }

    fn detect(&self, head: &str) -> bool {
        let first = head.trim_start().lines().next().unwrap_or_default();
        first.trim_end() == HEADER.join(",")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        // Streamed: the csv reader holds one row at a time. Leading white space is not part of
        // the table (line numbers count from its header).
        let body = skip_leading_whitespace(input)?;
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(Tail::new(body));
        match read_rows(&mut reader, sink) {
            Ok(info) => {
                let tail = reader.get_ref();
                if tail.last != Some(b'\n') {
                    return Err(tail.truncated());
                }
                Ok(info)
            }
            Err(RowError::Sink(e)) => Err(ImportError::Sink(e)),
            Err(RowError::Malformed(e)) => {
                // A file cut short explains any error in its last row: read to the end, and
                // say so when it does not end with a line end.
                let mut tail = reader.into_inner();
                std::io::copy(&mut tail, &mut std::io::sink())?;
                Err(if tail.last == Some(b'\n') {
                    e
                } else {
                    tail.truncated()
                })
            }
        }
    }
}

enum RowError {
    Malformed(ImportError),
    Sink(crate::error::SinkError),
}

impl From<ImportError> for RowError {
    fn from(e: ImportError) -> Self {
        RowError::Malformed(e)
    }
}

fn malformed(line: u64, msg: String) -> ImportError {
    ImportError::malformed(FORMAT, Position::line_column(line, 1), msg)
}

fn read_rows<R: Read>(
    reader: &mut ::csv::Reader<R>,
    sink: &mut Sink<'_>,
) -> Result<ScanInfo, RowError> {
    let mut info = ScanInfo {
        tool: super::TOOL.into(),
        ..ScanInfo::default()
    };
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_rule), Some(c_passed)) = (column("rule_id"), column("passed")) else {
        return Err(malformed(
            1,
            format!("the header must name the columns {}", HEADER.join(",")),
        )
        .into());
    };
    let (c_file, c_start, c_end, c_sev, c_desc, c_link) = (
        column("file"),
        column("start_line"),
        column("end_line"),
        column("severity"),
        column("description"),
        column("link"),
    );
    let mut row = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e).into()),
        }
        let line = row.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::to_string);
        let passed = row.get(c_passed).unwrap_or_default().trim();
        match passed.to_ascii_lowercase().as_str() {
            "true" => continue,
            "false" => {}
            _ => {
                return Err(malformed(
                    line,
                    format!("`passed` must be true or false, not {passed:?}"),
                )
                .into());
            }
        }
        let number = |c: Option<usize>, name: &str| -> Result<Option<i64>, ImportError> {
            match c.and_then(|c| row.get(c)).map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| {
                    malformed(line, format!("`{name}` must be a line number, not {v:?}"))
                }),
            }
        };
        let link = get(c_link);
        if info.tool_version.is_none() {
            info.tool_version = link.as_deref().and_then(version_from_link);
        }
        let record = Record {
            rule_id: row.get(c_rule).map(str::to_string),
            message: get(c_desc),
            severity: get(c_sev),
            links: link.into_iter().collect(),
            file: get(c_file),
            line_start: number(c_start, "start_line")?,
            line_end: number(c_end, "end_line")?,
            tool_status: Some("failed".into()),
            ..Record::default()
        };
        match record.into_finding() {
            Ok(finding) => sink(finding).map_err(RowError::Sink)?,
            Err(reason) => info.warn(format!("skipped {reason} (line {line})")),
        }
    }
    Ok(info)
}

/// The input after its leading white space (any Unicode white space, as `str::trim_start`).
fn skip_leading_whitespace(input: &mut dyn Read) -> Result<impl Read + '_, ImportError> {
    let mut pending: Vec<u8> = Vec::with_capacity(4);
    let mut byte = [0u8; 1];
    loop {
        if input.read(&mut byte)? == 0 {
            break;
        }
        pending.push(byte[0]);
        match std::str::from_utf8(&pending) {
            Ok(s) if s.chars().all(char::is_whitespace) => pending.clear(),
            Ok(_) => break,
            // The start of a multi-byte character: read on.
            Err(e) if e.error_len().is_none() => {}
            Err(_) => break,
        }
    }
    Ok(std::io::Cursor::new(pending).chain(input))
}

/// A reader that remembers how many line ends it passed and its last byte: a CSV file that
/// does not end with a line end was cut short.
struct Tail<R> {
    inner: R,
    newlines: u64,
    last: Option<u8>,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Self {
        Tail {
            inner,
            newlines: 0,
            last: None,
        }
    }

    /// The error for a file that does not end with a line end, at its last line.
    fn truncated(&self) -> ImportError {
        malformed(
            self.newlines + 1,
            "the last row has no line end (truncated file?)".into(),
        )
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n)
            && let Some(&last) = read.last()
        {
            self.newlines += read.iter().filter(|&&b| b == b'\n').count() as u64;
            self.last = Some(last);
        }
        Ok(n)
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
