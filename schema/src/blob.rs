//! Raw reports (and sealed bundles) as evidence: byte-exact, content-addressed by SHA-256, in
//! the database in 1 MiB chunks so that an import is one transaction and every replica sees the
//! same bytes.
//!
//! A chunk is stored zstd-compressed (level 1, about 650 MB/s) when that makes it smaller, else
//! as it came; `blob_chunks.encoding` says which. A JSON report shrinks about 8x, which is most of
//! what an import writes. Reading decodes every chunk and checks the SHA-256 of the original
//! bytes, so what leaves the store is exactly what came in, or an error.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::now;
use crate::tables::*;
use diesel::prelude::*;
use reports::bundle::HashingWriter;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// Raw bytes per chunk.
pub(crate) const CHUNK: usize = 1024 * 1024;
/// zstd level: the fastest of the standard levels; higher ones cost more time than they save.
const ZSTD_LEVEL: i32 = 1;

const IDENTITY: &str = "identity";
const ZSTD: &str = "zstd";

/// Whether to try compressing a blob's chunks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// zstd when that makes a chunk smaller (reports: text).
    IfSmaller,
    /// As it comes (a zip bundle: compressed already, trying would only cost time).
    Never,
}

/// One chunk ready for the database.
pub(crate) struct EncodedChunk {
    pub seq: i32,
    pub encoding: &'static str,
    pub data: Vec<u8>,
}

/// Whether the blob is stored already (content-addressed: the same bytes are stored once).
pub(crate) fn blob_exists(conn: &mut DbConn, sha256: &str) -> Result<bool, StoreError> {
    Ok(blobs::table
        .find(sha256)
        .select(blobs::sha256)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// The blob's row; its chunks follow with [`insert_chunk`].
pub(crate) fn insert_blob_row(
    conn: &mut DbConn,
    sha256: &str,
    size: u64,
) -> Result<(), StoreError> {
    diesel::insert_into(blobs::table)
        .values((
            blobs::sha256.eq(sha256),
            blobs::size.eq(size as i64),
            blobs::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn insert_chunk(
    conn: &mut DbConn,
    sha256: &str,
    chunk: &EncodedChunk,
) -> Result<(), StoreError> {
    diesel::insert_into(blob_chunks::table)
        .values((
            blob_chunks::sha256.eq(sha256),
            blob_chunks::seq.eq(chunk.seq),
            blob_chunks::data.eq(&chunk.data),
            blob_chunks::encoding.eq(chunk.encoding),
        ))
        .execute(conn)?;
    Ok(())
}

/// Reads `reader` to the end in chunks, encodes each and hands it to `each`; fails when the
/// bytes do not hash to `expected_sha256` (the file changed since it was hashed). Pure CPU and
/// I/O, no database: the import runs it on a thread of its own.
pub(crate) fn encode_chunks(
    mut reader: impl Read,
    expected_sha256: &str,
    compression: Compression,
    mut each: impl FnMut(EncodedChunk) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
    let mut seq = 0i32;
    loop {
        let filled = fill(&mut reader, &mut buf)?;
        if filled == 0 {
            break;
        }
        let raw = &buf[..filled];
        hasher.update(raw);
        let compressed = match compression {
            Compression::IfSmaller => Some(compressor.compress(raw)?),
            Compression::Never => None,
        };
        let chunk = if let Some(data) = compressed.filter(|c| c.len() < raw.len()) {
            EncodedChunk {
                seq,
                encoding: ZSTD,
                data,
            }
        } else {
            EncodedChunk {
                seq,
                encoding: IDENTITY,
                data: raw.to_vec(),
            }
        };
        each(chunk)?;
        seq += 1;
    }
    if hex::encode(hasher.finalize()) != expected_sha256 {
        return Err(StoreError::Conflict(
            "the report changed while it was being read".into(),
        ));
    }
    Ok(())
}

/// Stores the bytes of `reader` as the blob `sha256`, unless the same content is stored already.
pub(crate) fn store_blob(
    conn: &mut DbConn,
    reader: impl Read,
    sha256: &str,
    size: u64,
    compression: Compression,
) -> Result<(), StoreError> {
    if blob_exists(conn, sha256)? {
        return Ok(());
    }
    insert_blob_row(conn, sha256, size)?;
    encode_chunks(reader, sha256, compression, |chunk| {
        insert_chunk(conn, sha256, &chunk)
    })
}

/// Streams a blob's original bytes into `out`, one chunk at a time (a large report never sits
/// in memory whole), and checks them against the SHA-256 they are stored under. Returns the
/// number of bytes written.
pub(crate) fn write_blob(
    conn: &mut DbConn,
    sha256: &str,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    let count: i64 = blob_chunks::table
        .filter(blob_chunks::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    let mut hashing = HashingWriter::new(out);
    for seq in 0..count {
        let (encoding, data): (String, Vec<u8>) = blob_chunks::table
            .filter(blob_chunks::sha256.eq(sha256))
            .filter(blob_chunks::seq.eq(seq as i32))
            .select((blob_chunks::encoding, blob_chunks::data))
            .first(conn)?;
        match encoding.as_str() {
            IDENTITY => hashing.write_all(&data)?,
            ZSTD => {
                zstd::stream::copy_decode(data.as_slice(), &mut hashing)?;
            }
            other => {
                return Err(StoreError::Corrupt(format!(
                    "blob {sha256} chunk {seq} has an unknown encoding {other:?}"
                )));
            }
        }
    }
    let (got, written) = hashing.finish();
    if got != sha256 {
        return Err(StoreError::Corrupt(format!(
            "blob {sha256} does not hash to its SHA-256: the stored evidence was altered"
        )));
    }
    Ok(written)
}

/// Reads until `buf` is full or the input ends.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> Vec<EncodedChunk> {
        let sha = hex::encode(Sha256::digest(bytes));
        let mut chunks = Vec::new();
        encode_chunks(bytes, &sha, Compression::IfSmaller, |c| {
            chunks.push(c);
            Ok(())
        })
        .expect("encode");
        chunks
    }

    #[test]
    fn text_is_compressed_and_noise_is_not() {
        let text = "{\"VulnerabilityID\": \"CVE-2024-0001\"}\n".repeat(60_000);
        let chunks = encode(text.as_bytes());
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|c| c.encoding == ZSTD));
        // Noise does not compress: kept as it came.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..CHUNK + 10)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let chunks = encode(&noise);
        assert_eq!(chunks.len(), 2);
        assert!(chunks.iter().all(|c| c.encoding == IDENTITY));
        assert_eq!(chunks[1].data, noise[CHUNK..]);
    }

    #[test]
    fn a_changed_file_is_refused() {
        let err = encode_chunks(&b"abc"[..], &"0".repeat(64), Compression::Never, |_| Ok(()))
            .expect_err("a changed file");
        assert!(err.to_string().contains("changed"), "{err}");
    }
}
