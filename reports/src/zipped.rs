//! Bundle members compressed before the bundle's zip is written, so that deflating them can
//! run on every core (each generated member on the thread that rendered it) and, for the raw
//! reports, while the store is still taking the snapshot: each member is deflated into a one-entry zip in an unnamed temporary file, which
//! the bundle then copies in as it is ([`Compressed::copy_into`]), not inflated again. The
//! entry is written with the options the bundle gives that member ([`options`]), so the bytes
//! copied are those writing the member into the bundle directly would give.

use crate::ReportError;
use crate::digest::HashingWriter;
use crate::snapshot::ScanSnapshot;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Deflate level: fast, and fixed (a different level gives different bytes).
pub const COMPRESSION_LEVEL: i64 = 1;

/// How the bundle writes the member at `path` of `size` bytes: the seal's time, mode 0644,
/// deflated unless it is compressed already.
pub(crate) fn options(path: &str, size: u64, time: DateTime) -> SimpleFileOptions {
    let already_compressed = path.ends_with(".pdf") || path.ends_with(".sig");
    let base = SimpleFileOptions::default()
        .last_modified_time(time)
        .unix_permissions(0o644)
        .large_file(size >= u32::MAX as u64);
    if already_compressed {
        base.compression_method(CompressionMethod::Stored)
    } else {
        base.compression_method(CompressionMethod::Deflated)
            .compression_level(Some(COMPRESSION_LEVEL))
    }
}

/// A member deflated into a one-entry zip in a temporary file.
pub(crate) struct Compressed {
    zip: ZipArchive<File>,
}

impl Compressed {
    /// Deflates what `fill` writes as the member at `path` (of `size` bytes: it decides
    /// whether the entry needs ZIP64).
    pub(crate) fn write(
        path: &str,
        size: u64,
        time: DateTime,
        fill: impl FnOnce(&mut dyn Write) -> Result<(), ReportError>,
    ) -> Result<Compressed, ReportError> {
        let mut zip = ZipWriter::new(std::io::BufWriter::with_capacity(
            256 * 1024,
            tempfile::tempfile()?,
        ));
        zip.start_file(path, options(path, size, time))?;
        fill(&mut zip)?;
        let mut file = zip.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Compressed {
            zip: ZipArchive::new(file)?,
        })
    }

    /// Copies the entry into `zip` as it was deflated.
    pub(crate) fn copy_into<W: Write + Seek>(
        &mut self,
        zip: &mut ZipWriter<W>,
    ) -> Result<(), ReportError> {
        zip.raw_copy_file(self.zip.by_index_raw(0)?)?;
        Ok(())
    }
}

/// A scan's raw report, checked against its recorded SHA-256 and size as it is deflated;
/// `also` gets a copy of its bytes.
pub(crate) fn compress_raw(
    scan: &ScanSnapshot,
    time: DateTime,
    raw: &mut dyn crate::RawScans,
    also: Option<&mut dyn Write>,
) -> Result<Compressed, ReportError> {
    let path = scan.bundle_path();
    Compressed::write(&path, scan.size, time, |zip| {
        let mut tee = Tee { first: zip, also };
        let mut hashing = HashingWriter::new(&mut tee);
        raw.write_raw(scan, &mut hashing)?;
        let (got, size) = hashing.finish();
        if got != scan.sha256 || size != scan.size {
            return Err(ReportError::Invalid(format!(
                "raw report of scan {} does not match its recorded SHA-256 {} (got {got}, {size} bytes)",
                scan.id, scan.sha256
            )));
        }
        Ok(())
    })
}

/// Writes to one writer and, when there is one, to another.
struct Tee<'a, 'b> {
    first: &'a mut dyn Write,
    also: Option<&'b mut dyn Write>,
}

impl Write for Tee<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.first.write(buf)?;
        if let Some(also) = self.also.as_mut() {
            also.write_all(&buf[..n])?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.first.flush()?;
        if let Some(also) = self.also.as_mut() {
            also.flush()?;
        }
        Ok(())
    }
}
