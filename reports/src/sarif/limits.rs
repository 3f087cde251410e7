//! GitHub code scanning's upload limits, and the budget that keeps a SARIF file within them.
//!
//! GitHub rejects a whole upload past any hard limit: more than 20 runs in a file, more than
//! 25,000 results or rules in a run, or a file over 10 MB once gzip-compressed. ScanLedger never
//! writes such a file: a run takes its results most severe first until a limit is reached, and
//! says in the file how many it left out and why (see [`LeftOut`]); the complete list stays in
//! `findings.json` and `findings.csv`. Rules are those of the results written, so a run never
//! has more rules than results.

use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::{self, Write};

/// The limits a SARIF file is written within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub runs_per_file: usize,
    pub results_per_run: usize,
    /// The file's size once compressed (gzip's deflate; its 18-byte frame is in the margin).
    pub compressed_bytes: u64,
}

impl Limits {
    /// GitHub code scanning's hard limits (docs.github.com, "SARIF support for code scanning"
    /// and "SARIF results exceed one or more limits").
    pub const GITHUB: Limits = Limits {
        runs_per_file: 20,
        results_per_run: 25_000,
        compressed_bytes: 10_000_000,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::GITHUB
    }
}

/// Room kept under [`Limits::compressed_bytes`] for what follows the last result written: the
/// closing of runs, their rules, the notes on what was left out, and runs of other tools.
const TAIL_ROOM: u64 = 256 * 1024;

/// Uncompressed bytes after which the compressor is flushed, so the compressed size counted is
/// exact up to that many bytes.
const FLUSH_EVERY: u64 = 256 * 1024;

/// Results a run left out, and the limit that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeftOut {
    /// Past [`Limits::results_per_run`].
    pub past_results_per_run: usize,
    /// Past [`Limits::compressed_bytes`].
    pub past_file_size: usize,
}

impl LeftOut {
    pub fn total(&self) -> usize {
        self.past_results_per_run + self.past_file_size
    }

    /// One sentence for people, or `None` when nothing was left out.
    pub fn sentence(&self, limits: &Limits) -> Option<String> {
        let mut why = Vec::new();
        if self.past_results_per_run > 0 {
            why.push(format!(
                "{} past GitHub code scanning's {} results per run",
                self.past_results_per_run, limits.results_per_run
            ));
        }
        if self.past_file_size > 0 {
            why.push(format!(
                "{} past its {} bytes per compressed file",
                self.past_file_size, limits.compressed_bytes
            ));
        }
        (!why.is_empty()).then(|| {
            format!(
                "ScanLedger left out {} of this run's results, the least severe ({}); \
                 findings.json and findings.csv list them all.",
                self.total(),
                why.join("; ")
            )
        })
    }
}

/// Counts the compressed size of everything written through it, beside writing it out.
pub struct Budget<'w> {
    out: &'w mut dyn Write,
    compressed: DeflateEncoder<Counter>,
    since_flush: u64,
    pub limits: Limits,
}

impl<'w> Budget<'w> {
    pub fn new(out: &'w mut dyn Write, limits: Limits) -> Budget<'w> {
        Budget {
            out,
            compressed: DeflateEncoder::new(Counter(0), Compression::fast()),
            since_flush: 0,
            limits,
        }
    }

    /// Whether `more` bytes still fit, with [`TAIL_ROOM`] and `pending` (bytes promised to the
    /// tail, such as the rules of the results written) kept free. Uncompressed bytes not yet
    /// flushed count at full size: the estimate never falls short.
    pub fn fits(&self, more: usize, pending: usize) -> bool {
        let used = self.compressed.get_ref().0 + self.since_flush;
        used + more as u64 + pending as u64 + TAIL_ROOM <= self.limits.compressed_bytes
    }
}

impl Write for Budget<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write_all(buf)?;
        self.compressed.write_all(buf)?;
        self.since_flush += buf.len() as u64;
        if self.since_flush >= FLUSH_EVERY {
            self.compressed.flush()?;
            self.since_flush = 0;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A sink that only counts.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_budget_counts_compressed_bytes_and_never_underestimates() {
        let mut out = Vec::new();
        let limits = Limits {
            compressed_bytes: TAIL_ROOM + 1000,
            ..Limits::GITHUB
        };
        let mut budget = Budget::new(&mut out, limits);
        assert!(budget.fits(1000, 0));
        assert!(!budget.fits(1001, 0));
        assert!(!budget.fits(1000, 1));
        budget.write_all(&[b'a'; 600]).unwrap();
        // Not flushed yet: counted at full size.
        assert!(!budget.fits(401, 0));
        assert!(budget.fits(400, 0));
        assert_eq!(out.len(), 600);
    }

    #[test]
    fn repetitive_text_compresses_within_the_budget() {
        let mut out = Vec::new();
        let mut budget = Budget::new(&mut out, Limits::GITHUB);
        for _ in 0..100 {
            budget.write_all(&[b'x'; 64 * 1024]).unwrap();
        }
        // 6.5 MB written, flushed every 256 KiB: far less counted.
        assert!(budget.compressed.get_ref().0 < 100_000);
        assert!(budget.fits(1_000_000, 0));
    }

    #[test]
    fn left_out_results_are_said_with_the_limit() {
        let none = LeftOut::default();
        assert_eq!(none.sentence(&Limits::GITHUB), None);
        let some = LeftOut {
            past_results_per_run: 75_000,
            past_file_size: 0,
        };
        let text = some.sentence(&Limits::GITHUB).unwrap();
        assert!(text.contains("left out 75000"), "{text}");
        assert!(text.contains("25000 results per run"), "{text}");
    }
}
