//! Reading raw report bytes: encoding by byte-order mark, and a peek at the head for detection.
//!
//! Real reports arrive as UTF-8, UTF-8 with a BOM and UTF-16LE with a BOM (PowerShell `>`),
//! whatever an XML declaration claims. Everything is turned into UTF-8 here, streaming, before an
//! importer sees it.

use crate::error::ImportError;
use std::io::{Cursor, Read};

/// How much of the decoded input detection looks at.
pub const HEAD_LEN: usize = 64 * 1024;

/// Decoded input with its head already read for detection.
pub struct PeekedInput<R: Read> {
    head: Vec<u8>,
    rest: R,
}

/// Decodes `raw` by BOM and reads up to [`HEAD_LEN`] bytes. Fails with [`ImportError::Empty`]
/// when the input holds nothing but white space.
pub fn peek<R: Read>(raw: R) -> Result<PeekedInput<impl Read>, ImportError> {
    {
        let mut decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .bom_sniffing(true)
            .strip_bom(true)
            .build(raw);
        let mut head = Vec::with_capacity(HEAD_LEN);
        (&mut decoded)
            .take(HEAD_LEN as u64)
            .read_to_end(&mut head)?;
        if head.iter().all(u8::is_ascii_whitespace) {
            // The head is all blank; anything after it decides.
            let mut probe = [0u8; 4096];
            loop {
                let n = decoded.read(&mut probe)?;
                if n == 0 {
                    return Err(ImportError::Empty);
                }
                if let Some(start) = probe[..n].iter().position(|b| !b.is_ascii_whitespace()) {
                    head.clear();
                    head.extend_from_slice(&probe[start..n]);
                    break;
                }
            }
        }
        Ok(PeekedInput {
            head,
            rest: decoded,
        })
    }
}

impl<R: Read> PeekedInput<R> {
    /// The head as text for detection (lossy: a split multi-byte character at the end is fine).
    pub fn head_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.head)
    }

    /// The whole decoded input again, head first.
    pub fn into_reader(self) -> impl Read {
        Cursor::new(self.head).chain(self.rest)
    }
}

/// Reads a whole (decoded) input into a string, for importers of formats that are small.
pub fn read_to_string(input: &mut dyn Read, format: &'static str) -> Result<String, ImportError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        ImportError::malformed(
            format,
            crate::error::Position::byte(e.utf8_error().valid_up_to() as u64),
            "invalid UTF-8",
        )
    })
}
