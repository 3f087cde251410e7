//! The one CSV writer of ScanLedger: the `csv` crate quotes, and every cell that a spreadsheet
//! would take for a formula gets a leading `'` (OWASP's rule for CSV injection). The bundle's
//! `findings.csv`, `scanledger report --format csv` and every `--format csv` of the CLI write
//! through it.

use std::borrow::Cow;
use std::io::Write;

/// `value` as a cell: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` in front,
/// so the spreadsheet shows the text instead of evaluating it.
pub fn cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// A CSV writer whose every cell goes through [`cell`].
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            inner: csv::Writer::from_writer(out),
        }
    }

    /// One row.
    pub fn write_record<I, S>(&mut self, record: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for value in record {
            self.inner.write_field(cell(value.as_ref()).as_bytes())?;
        }
        // After fields, an empty record only ends the row.
        self.inner.write_record(std::iter::empty::<&[u8]>())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
