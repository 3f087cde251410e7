//! Errors of the importers: every one names the format tried and, where it can, the position.

use std::fmt;

/// Where in the input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// Byte offset in the (decoded) input.
    pub byte: Option<u64>,
}

impl Position {
    pub fn line_column(line: u64, column: u64) -> Position {
        Position {
            line: Some(line),
            column: Some(column),
            byte: None,
        }
    }

    pub fn byte(offset: u64) -> Position {
        Position {
            byte: Some(offset),
            ..Position::default()
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column, self.byte) {
            (Some(l), Some(c), _) => write!(f, "line {l}, column {c}"),
            (Some(l), None, _) => write!(f, "line {l}"),
            (None, _, Some(b)) => write!(f, "byte {b}"),
            _ => f.write_str("unknown position"),
        }
    }
}

/// The error a consumer of findings (the store) may return to stop an import.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is empty or only white space.
    #[error("the file is empty")]
    Empty,
    /// No importer recognizes the content.
    #[error(
        "not a recognized scanner report; it looks like {syntax} and starts with \"{start}\"; \
         the closest formats are {}; force one with --type (see `scanledger formats`)",
        candidates.join(", ")
    )]
    Unrecognized {
        start: String,
        syntax: &'static str,
        candidates: Vec<&'static str>,
    },
    /// The content is something ScanLedger knows by sight but does not read (a zip, a PDF, an
    /// HTML page, another tool's report).
    #[error(
        "this looks like {what}, which ScanLedger does not read; supported formats: \
         `scanledger formats` (the file starts with \"{start}\")"
    )]
    Unsupported { what: &'static str, start: String },
    /// The format was named explicitly but does not exist.
    #[error("unknown format {0:?} (run `scanledger formats` for the list)")]
    UnknownFormat(String),
    /// The content is not valid for the format.
    #[error("{format}: {message} at {position}")]
    Malformed {
        format: &'static str,
        position: Position,
        message: String,
    },
    /// Reading the input failed.
    #[error("reading the input: {0}")]
    Io(#[from] std::io::Error),
    /// The consumer of the findings stopped the import.
    #[error("{0}")]
    Sink(SinkError),
}

impl ImportError {
    /// Nothing recognizes `head`: name the formats of the same syntax.
    pub fn unrecognized(head: &str) -> Self {
        ImportError::Unrecognized {
            start: start_of(head),
            syntax: crate::Syntax::guess(head).name(),
            candidates: crate::candidates(head),
        }
    }

    /// `head` is `what`, which no importer reads.
    pub fn unsupported(what: &'static str, head: &str) -> Self {
        ImportError::Unsupported {
            what,
            start: start_of(head),
        }
    }

    /// A malformed-input error for `format` at `position`.
    pub fn malformed(format: &'static str, position: Position, message: impl Into<String>) -> Self {
        ImportError::Malformed {
            format,
            position,
            message: message.into(),
        }
    }

    /// Converts a serde_json error, keeping its line and column. I/O errors stay I/O errors
    /// and consumer errors raised from inside a streaming visitor come back unchanged.
    pub fn from_json(format: &'static str, err: serde_json::Error) -> Self {
        if err.is_io() {
            return ImportError::Io(std::io::Error::other(err.to_string()));
        }
        let position = Position::line_column(err.line() as u64, err.column() as u64);
        // serde_json appends " at line X column Y" to custom messages; keep ours clean.
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let message = if err.is_eof() {
            format!("unexpected end of input (truncated file?): {message}")
        } else {
            message
        };
        ImportError::Malformed {
            format,
            position,
            message,
        }
    }
}

/// The first characters of a head, readable in an error message: white space runs become one
/// space, and each run of other non-printable characters (control bytes, and bytes that were
/// not text, decoded as U+FFFD) becomes `[N non-printable bytes]`.
pub fn start_of(head: &str) -> String {
    const SHOWN: usize = 60;
    let mut out = String::new();
    let mut shown = 0;
    let mut hidden = 0usize;
    let mut blank = false;
    let flush = |out: &mut String, hidden: &mut usize| {
        if *hidden > 0 {
            let s = if *hidden == 1 { "" } else { "s" };
            out.push_str(&format!("[{hidden} non-printable byte{s}]"));
            *hidden = 0;
        }
    };
    for c in head.trim_start().chars() {
        if c.is_whitespace() {
            flush(&mut out, &mut hidden);
            blank = true;
            continue;
        }
        if blank {
            out.push(' ');
            blank = false;
        }
        if c.is_control() || c == char::REPLACEMENT_CHARACTER {
            hidden += 1;
        } else {
            flush(&mut out, &mut hidden);
            if shown == SHOWN {
                break;
            }
            out.push(c);
            shown += 1;
        }
    }
    flush(&mut out, &mut hidden);
    out.trim_end().to_string()
}
