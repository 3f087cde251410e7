//! Rendering for people (tables, lines) and machines (JSON, CSV).
//!
//! Everything people read goes through [`visible`]: report text may carry terminal escape
//! sequences (clear the screen, set the window title, recolour), other control characters and
//! bidirectional overrides, which would let a report hide or fake lines of our output. They are
//! shown instead (`\e`, `\x07`, `\u{202e}`). Tables do it cell by cell; lines go through
//! [`say!`] (standard output) and [`tell!`] (standard error), which replace `println!` and
//! `eprintln!` in this crate (clippy refuses those). JSON and CSV stay exact: JSON escapes
//! control characters itself, and CSV cells go through the spreadsheet formula guard.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and DEL (line breaks and
/// tabs too: a line of ours is one line), and the bidirectional marks and overrides.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character a terminal would act on shown instead: ESC as `\e`, the
/// common C0 controls as `\n`, `\r`, `\t`, other C0 and C1 controls as `\xNN`, and bidi
/// marks and overrides as `\u{NNNN}`. Text without any comes back borrowed.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line for people on standard output, through [`visible`]. Output errors (a closed
/// pipe) end nothing: the command's own result decides the exit code.
pub fn line(args: std::fmt::Arguments<'_>) {
    let text = args.to_string();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", visible(&text));
}

/// One line for people on standard error (warnings, errors), through [`visible`].
pub fn error_line(args: std::fmt::Arguments<'_>) {
    let text = args.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", visible(&text));
}

/// `println!` for people: the line goes through [`visible`].
macro_rules! say {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// `eprintln!` for people: the line goes through [`visible`].
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}

/// Text for machines (JUnit XML, a stored policy's TOML), written as it is.
pub fn verbatim(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// A table for people, its long cells wrapped to [`width`].
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width())
        .set_header(headers.to_vec());
    for row in rows {
        t.add_row(row.iter().map(|cell| visible(cell).into_owned()));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{t}")?;
    Ok(())
}

/// The width tables for people get: the terminal's, else `COLUMNS`, else 100.
pub fn width() -> u16 {
    const DEFAULT: u16 = 100;
    if std::io::stdout().is_terminal() {
        // comfy-table asks the terminal (crossterm) when it knows none set.
        if let Some(width) = Table::new().width() {
            return width;
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|c| *c > 0)
        .unwrap_or(DEFAULT)
}

/// A table sized to [`width`]: all columns when they fit, or with `wide`; otherwise only the
/// `narrow` ones (indices into `headers`, in that order), the `cut` one (an index too)
/// shortened at a word boundary to the room the others leave.
pub fn fitted_table(
    headers: &[&str],
    rows: Vec<Vec<String>>,
    narrow: &[usize],
    cut: usize,
    wide: bool,
) -> anyhow::Result<()> {
    // Cells shown, never sent, before anything is measured or cut.
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| row.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    if wide {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(headers.to_vec());
        for row in rows {
            t.add_row(row);
        }
        writeln!(std::io::stdout().lock(), "{t}")?;
        return Ok(());
    }
    let width = usize::from(width());
    let column_width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .chain(headers.get(i).map(|h| h.chars().count()))
            .max()
            .unwrap_or(0)
    };
    // `│ a │ b │`: three characters per column and one more.
    let natural: usize = (0..headers.len())
        .map(|i| column_width(i) + 3)
        .sum::<usize>()
        + 1;
    let (headers, rows): (Vec<&str>, Vec<Vec<String>>) = if natural <= width {
        (headers.to_vec(), rows)
    } else {
        let others: usize = narrow
            .iter()
            .filter(|i| **i != cut)
            .map(|i| column_width(*i) + 3)
            .sum::<usize>()
            + 4;
        let room = width.saturating_sub(others).max(12);
        let headers = narrow
            .iter()
            .filter_map(|i| headers.get(*i).copied())
            .collect();
        let rows = rows
            .into_iter()
            .map(|row| {
                narrow
                    .iter()
                    .map(|i| {
                        let cell = row.get(*i).cloned().unwrap_or_default();
                        if *i == cut {
                            shorten(&cell, room)
                        } else {
                            cell
                        }
                    })
                    .collect()
            })
            .collect();
        (headers, rows)
    };
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX))
        .set_header(headers);
    for row in rows {
        t.add_row(row);
    }
    writeln!(std::io::stdout().lock(), "{t}")?;
    Ok(())
}

/// `text` in at most `max` characters: cut at the last word boundary that fits, with an
/// ellipsis; a first word longer than that is cut inside.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    let head = match keep.rfind(char::is_whitespace) {
        Some(at) if at > 0 => keep[..at].trim_end(),
        _ => keep.as_str(),
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', '-']))
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// One compact JSON object on its own line.
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// CSV through the one writer of `reports` (quoting and the spreadsheet formula guard).
pub fn csv(headers: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut w = reports::csv_writer::CsvWriter::new(std::io::stdout().lock());
    w.write_record(headers)?;
    for row in rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

pub fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// `critical 2, high 5, medium 1` (zero counts left out), or `none`.
pub fn severity_counts(counts: &std::collections::BTreeMap<importers::Severity, u64>) -> String {
    let parts: Vec<String> = importers::Severity::DESCENDING
        .iter()
        .filter_map(|s| {
            counts
                .get(s)
                .filter(|n| **n > 0)
                .map(|n| format!("{s} {n}"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}
