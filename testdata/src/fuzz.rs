//! What every fuzz target runs: the importers (through detection, or with the format forced)
//! and the bundle verifier, on bytes the fuzzer makes. A target fails only by panicking (or
//! by the sanitizer's findings); errors are the expected answer to most inputs.

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

/// A reader that hands out the input in small pieces, so parsers that stream meet every
/// boundary (split characters, split tags, split tokens) that a slow upload could give them.
pub struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl<'a> Trickle<'a> {
    /// Reads `data` at most `step` bytes at a time (at least one).
    pub fn new(data: &'a [u8], step: usize) -> Trickle<'a> {
        Trickle {
            data,
            step: step.max(1),
        }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        let (now, rest) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = rest;
        Ok(n)
    }
}

/// Imports `data` (format detected when `format` is `None`) twice: read whole, and read in
/// small pieces. Both must give the same outcome: as many findings, or an error.
pub fn import(format: Option<&str>, data: &[u8]) {
    let whole = count(format, data);
    let step = 1 + data.first().map_or(0, |b| usize::from(b % 61));
    let pieces = count(format, Trickle::new(data, step));
    assert_eq!(
        whole.is_ok(),
        pieces.is_ok(),
        "read whole: {whole:?}; read in pieces of {step}: {pieces:?}"
    );
    if let (Ok(a), Ok(b)) = (&whole, &pieces) {
        assert_eq!(a, b, "findings read whole vs in pieces of {step}");
    }
}

fn count(format: Option<&str>, input: impl Read) -> Result<(usize, Vec<String>), String> {
    let mut fingerprints = Vec::new();
    let imported = importers::import(input, format, &mut |finding| {
        assert!(
            !finding.fingerprint.is_empty(),
            "a finding without fingerprint"
        );
        fingerprints.push(finding.fingerprint);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok((fingerprints.len(), imported.info.warnings))
}

/// Verifies `data` as a bundle. Any verdict is fine; a panic is not.
pub fn verify_zip(data: &[u8]) {
    let _ = reports::verify_bundle(Cursor::new(data), &reports::VerifyOptions::default());
}

/// The sample release's bundle, signed with a fixed key, as (member name, bytes) in zip order.
fn sample_members() -> &'static [(String, Vec<u8>)] {
    static MEMBERS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    MEMBERS.get_or_init(|| {
        let key = reports::EvidenceKey::from_seed(&[42u8; 32]);
        let snapshot = crate::sample::sample_snapshot(true);
        let mut raw = |scan: &reports::ScanSnapshot, out: &mut dyn Write| {
            out.write_all(&crate::sample::sample_raw(scan.id.get()))
        };
        let mut zip = Cursor::new(Vec::new());
        if let Err(e) = reports::write_bundle(&snapshot, &key, &mut raw, &mut zip) {
            panic!("the sample bundle cannot be built: {e}");
        }
        let mut archive = match zip::ZipArchive::new(Cursor::new(zip.into_inner())) {
            Ok(a) => a,
            Err(e) => panic!("the sample bundle is no zip: {e}"),
        };
        let mut members = Vec::new();
        for i in 0..archive.len() {
            let mut file = match archive.by_index(i) {
                Ok(f) => f,
                Err(e) => panic!("sample bundle member {i}: {e}"),
            };
            let mut bytes = Vec::new();
            if let Err(e) = file.read_to_end(&mut bytes) {
                panic!("sample bundle member {i}: {e}");
            }
            members.push((file.name().unwrap_or_default().to_string(), bytes));
        }
        members
    })
}

/// A valid sample bundle with one member changed the way `data` says, zipped again and
/// verified: the first byte picks the member (or a new one named by the rest), the second what
/// to do (replace it, splice into it, drop it), the rest are the bytes.
pub fn verify_member(data: &[u8]) {
    let members = sample_members();
    let [pick, how, rest @ ..] = data else { return };
    let mut edited: Vec<(String, Vec<u8>)> = members.to_vec();
    let index = usize::from(*pick) % (members.len() + 1);
    if index == members.len() {
        let (name, bytes) = split_at_nul(rest);
        edited.push((String::from_utf8_lossy(name).into_owned(), bytes.to_vec()));
    } else if let Some((_, bytes)) = edited.get_mut(index) {
        match how % 3 {
            0 => *bytes = rest.to_vec(),
            1 => {
                // Splice at an offset the first two bytes give.
                let (at, patch) = match rest {
                    [a, b, patch @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), patch),
                    _ => (0, rest),
                };
                let at = at.min(bytes.len());
                let end = (at + patch.len()).min(bytes.len());
                bytes.splice(at..end, patch.iter().copied());
            }
            _ => {
                edited.remove(index);
            }
        }
    }
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in &edited {
            if zip
                .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .is_err()
                || zip.write_all(bytes).is_err()
            {
                return;
            }
        }
        if zip.finish().is_err() {
            return;
        }
    }
    verify_zip(&out.into_inner());
}

fn split_at_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
