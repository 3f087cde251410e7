//! Memory for imports: how many bytes of reports may be importing at once.
//!
//! Most importers hold a record at a time, but SARIF and sonar-report hold every record of a
//! report until its end (what a record needs may come after it), about 2.2 to 2.6 times the
//! file (docs/BENCHMARKS.md). Uploads up to the size limit with several at once would then add
//! up to gigabytes. An upload reserves its spooled size from [`ImportBudget`] before its import
//! starts and keeps it until the import ends: at most twice the upload limit of reports import
//! at once (two of the largest, or many small ones); the others wait their turn, in arrival
//! order. The server never parses reports, so every import counts by its size, whatever its
//! format.

use tokio::sync::{Semaphore, SemaphorePermit};

/// The budget, in MiB of report.
#[derive(Debug)]
pub struct ImportBudget {
    mib: Semaphore,
    total: u32,
}

const MIB: u64 = 1024 * 1024;

impl ImportBudget {
    /// Room for twice `max_upload_bytes` of reports importing at once.
    pub fn new(max_upload_bytes: u64) -> ImportBudget {
        // 2^24 MiB (16 TiB) is "no limit" and well within a semaphore's permits.
        let total = u32::try_from(max_upload_bytes.saturating_mul(2).div_ceil(MIB))
            .unwrap_or(1 << 24)
            .clamp(1, 1 << 24);
        ImportBudget {
            mib: Semaphore::new(total as usize),
            total,
        }
    }

    /// Waits until `bytes` of report may import; the reservation ends when the permit drops.
    /// A report larger than the whole budget waits until it has it all.
    pub async fn reserve(&self, bytes: u64) -> Option<SemaphorePermit<'_>> {
        let mib = u32::try_from(bytes.div_ceil(MIB))
            .unwrap_or(u32::MAX)
            .clamp(1, self.total);
        // Acquiring fails only on a closed semaphore, and this one is never closed.
        self.mib.acquire_many(mib).await.ok()
    }

    /// MiB not reserved now.
    pub fn available_mib(&self) -> usize {
        self.mib.available_permits()
    }
}
