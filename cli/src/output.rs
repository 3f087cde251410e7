//! Rendering for people (tables) and machines (JSON, CSV).

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// A table for people, its long cells wrapped to [`width`].
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width())
        .set_header(headers.to_vec());
    for row in rows {
        t.add_row(row);
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

pub fn csv(headers: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
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
