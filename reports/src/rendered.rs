//! A generated bundle member: held in memory while small, else spooled to an unnamed
//! temporary file as it is rendered, hashed on the way.

use crate::ReportError;
use crate::digest::HashingWriter;
use std::io::{Seek, SeekFrom, Write};

/// A generated member: small ones in memory; the ones that grow with the number of findings
/// spooled to an unnamed temporary file as they are rendered (hashed on the way), so that a
/// bundle of any size needs memory for the snapshot only.
pub(crate) enum Rendered {
    Bytes(Vec<u8>),
    Spooled {
        file: std::fs::File,
        sha256: String,
        size: u64,
    },
}

impl Rendered {
    pub(crate) fn sha256_and_size(&self) -> (String, u64) {
        match self {
            Rendered::Bytes(b) => (crate::digest::sha256_hex(b), b.len() as u64),
            Rendered::Spooled { sha256, size, .. } => (sha256.clone(), *size),
        }
    }
}

/// The largest member kept in memory until the zip is written; a larger one is spooled.
pub(crate) const HELD_MEMBER: usize = 1 << 20;

/// Renders a member straight into a temporary file.
pub(crate) fn spool(
    render: impl FnOnce(&mut dyn Write) -> Result<(), ReportError>,
) -> Result<Rendered, ReportError> {
    let mut file = std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?);
    let mut hashing = HashingWriter::new(&mut file);
    render(&mut hashing)?;
    let (sha256, size) = hashing.finish();
    let mut file = file.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    Ok(Rendered::Spooled { file, sha256, size })
}

/// A member rendered in memory: kept there while small, spooled once large, so the members
/// already rendered do not add up in memory while the others are.
pub(crate) fn held(bytes: Vec<u8>) -> Result<Rendered, ReportError> {
    if bytes.len() > HELD_MEMBER {
        spool(|out| Ok(out.write_all(&bytes)?))
    } else {
        Ok(Rendered::Bytes(bytes))
    }
}
