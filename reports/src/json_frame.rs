//! A JSON document too large to hold, written around its one long part: the document is
//! serialized with a placeholder string where that part goes, cut there, and the part is
//! written between the two halves as it streams (an array an element at a time, a payload
//! as base64).

use crate::ReportError;
use serde_json::Value;
use std::io::Write;

/// How the frame is serialized.
#[derive(Clone, Copy)]
pub(crate) enum Layout {
    /// `serde_json::to_vec`: no whitespace.
    Compact,
    /// [`crate::canonical_json`]: two-space indentation and a final newline.
    Canonical,
}

/// The document `frame` builds around the placeholder it is given, serialized in `layout`,
/// cut at the placeholder (its quotes included): the bytes before it and after it.
///
/// The placeholder is a string no document text holds by chance; should a report's text hold
/// it anyway, another is tried, so the cut is always at the one place `frame` put it.
pub(crate) fn cut(
    layout: Layout,
    frame: impl Fn(&str) -> Value,
) -> Result<(Vec<u8>, Vec<u8>), ReportError> {
    for attempt in 0..64u32 {
        let mark = format!("\u{0}scanledger-frame-{attempt}\u{0}");
        let bytes = match layout {
            Layout::Compact => serde_json::to_vec(&frame(&mark))?,
            Layout::Canonical => crate::canonical_json(&frame(&mark))?,
        };
        let needle = serde_json::to_vec(&mark)?;
        let mut hits = bytes
            .windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle.as_slice())
            .map(|(at, _)| at);
        if let (Some(at), None) = (hits.next(), hits.next()) {
            return Ok((bytes[..at].to_vec(), bytes[at + needle.len()..].to_vec()));
        }
    }
    Err(ReportError::Invalid(
        "no placeholder left to cut a JSON document at".into(),
    ))
}

/// A non-empty array of a canonical JSON document at a depth, written one element at a time
/// as [`canonical_json`] writes it there (two spaces per level).
pub(crate) struct ArrayWriter<'a> {
    out: &'a mut dyn Write,
    depth: usize,
    first: bool,
    /// The element as it is written, indented.
    text: Vec<u8>,
    /// The element as serde_json writes it, at depth 0.
    pretty: Vec<u8>,
}

impl<'a> ArrayWriter<'a> {
    pub(crate) fn new(out: &'a mut dyn Write, depth: usize) -> Result<Self, ReportError> {
        out.write_all(b"[")?;
        Ok(ArrayWriter {
            out,
            depth,
            first: true,
            text: Vec::new(),
            pretty: Vec::new(),
        })
    }

    pub(crate) fn push(&mut self, element: &Value) -> Result<(), ReportError> {
        self.text.clear();
        self.text
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        write_indented(element, self.depth, &mut self.pretty, &mut self.text)?;
        // One write per element: the writer below hashes what it is given, call by call.
        self.out.write_all(&self.text)?;
        Ok(())
    }

    /// Pushes an element written before by [`write_indented`] at this array's depth.
    pub(crate) fn push_indented(&mut self, indented: &[u8]) -> Result<(), ReportError> {
        self.text.clear();
        self.text
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        self.text.extend_from_slice(indented);
        self.out.write_all(&self.text)?;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<(), ReportError> {
        self.out.write_all(b"\n")?;
        self.out.write_all(" ".repeat(2 * self.depth).as_bytes())?;
        self.out.write_all(b"]")?;
        Ok(())
    }
}

/// Appends `element` to `text` as [`ArrayWriter`] writes an element of an array at `depth`,
/// without the separator before it: for elements made in one order and written in another
/// ([`ArrayWriter::push_indented`]). `pretty` is scratch.
pub(crate) fn write_indented(
    element: &impl serde::Serialize,
    depth: usize,
    pretty: &mut Vec<u8>,
    text: &mut Vec<u8>,
) -> Result<(), ReportError> {
    pretty.clear();
    serde_json::to_writer_pretty(&mut *pretty, element)?;
    let indent = 2 * (depth + 1);
    for (j, line) in pretty.split(|b| *b == b'\n').enumerate() {
        if j > 0 {
            text.push(b'\n');
        }
        text.resize(text.len() + indent, b' ');
        text.extend_from_slice(line);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_halves_around_the_part_give_the_whole_document() {
        let document = |part: Value| json!({"b": [1, 2], "a": part, "c": "x"});
        for layout in [Layout::Compact, Layout::Canonical] {
            let (head, tail) = cut(layout, |mark| document(json!(mark))).unwrap();
            let whole = match layout {
                Layout::Compact => serde_json::to_vec(&document(json!([1, 2, 3]))).unwrap(),
                Layout::Canonical => crate::canonical_json(&document(json!([1, 2, 3]))).unwrap(),
            };
            let compact_part = b"[1,2,3]".to_vec();
            let part = match layout {
                Layout::Compact => compact_part,
                Layout::Canonical => b"[\n    1,\n    2,\n    3\n  ]".to_vec(),
            };
            assert_eq!([head, part, tail].concat(), whole);
        }
    }

    #[test]
    fn a_text_holding_the_placeholder_does_not_move_the_cut() {
        let taken = "\u{0}scanledger-frame-0\u{0}";
        let (head, tail) = cut(Layout::Compact, |mark| json!({"a": taken, "b": mark})).unwrap();
        assert_eq!(
            [head, b"7".to_vec(), tail].concat(),
            serde_json::to_vec(&json!({"a": taken, "b": 7})).unwrap()
        );
    }
}
