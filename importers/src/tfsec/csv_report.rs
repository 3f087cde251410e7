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
use crate::input::read_to_string;
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
        let text = read_to_string(input, FORMAT)?;
        let mut info = ScanInfo {
            tool: super::TOOL.into(),
            ..ScanInfo::default()
        };
        let malformed = |line: u64, msg: String| {
            ImportError::malformed(FORMAT, Position::line_column(line, 1), msg)
        };
        let body = text.trim_start_matches(|c: char| c.is_whitespace());
        if !body.ends_with('\n') {
            let line = body.lines().count() as u64;
            return Err(malformed(
                line,
                "the last row has no line end (truncated file?)".into(),
            ));
        }
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(body.as_bytes());
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
            ));
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
                Err(e) => return Err(csv_error(&e)),
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
                    ));
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
                Ok(finding) => sink(finding).map_err(ImportError::Sink)?,
                Err(reason) => info.warn(format!("skipped {reason} (line {line})")),
            }
        }
        Ok(info)
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
