//! SHA-256 of what streams by: a reader hashed to its end, a writer that hashes what passes
//! through it. What the bundle writer, the blob store and the verifier share.

use sha2::{Digest, Sha256};
use std::io::{Read, Write};

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 (hex) and length of everything `reader` yields.
pub fn sha256_of_reader(reader: &mut dyn Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Passes bytes on to `inner` while counting them and hashing them with SHA-256.
pub struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
    size: u64,
}

impl<'a> HashingWriter<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// SHA-256 (hex) and length of everything written.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.size)
    }
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
