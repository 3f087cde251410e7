//! Canonical JSON documents too large to hold, written a part at a time.

use crate::ReportError;
use serde_json::Value;
use std::io::Write;

/// A non-empty array of a canonical JSON document at a depth, written one element at a time
/// as [`canonical_json`] writes it there (two spaces per level).
pub(crate) struct ArrayWriter<'a> {
    out: &'a mut dyn Write,
    depth: usize,
    first: bool,
    text: Vec<u8>,
}

impl<'a> ArrayWriter<'a> {
    pub(crate) fn new(out: &'a mut dyn Write, depth: usize) -> Result<Self, ReportError> {
        out.write_all(b"[")?;
        Ok(ArrayWriter {
            out,
            depth,
            first: true,
            text: Vec::new(),
        })
    }

    pub(crate) fn push(&mut self, element: &Value) -> Result<(), ReportError> {
        self.out
            .write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        self.text.clear();
        serde_json::to_writer_pretty(&mut self.text, element)?;
        let indent = " ".repeat(2 * (self.depth + 1));
        for (j, line) in self.text.split(|b| *b == b'\n').enumerate() {
            if j > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(indent.as_bytes())?;
            self.out.write_all(line)?;
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<(), ReportError> {
        self.out.write_all(b"\n")?;
        self.out.write_all(" ".repeat(2 * self.depth).as_bytes())?;
        self.out.write_all(b"]")?;
        Ok(())
    }
}
