//! A release's report, as `scanledger report` and the API's report route give it: for a sealed
//! release the member of its stored bundle, exactly as signed; for an open one a draft rendered
//! from its snapshot now. Reading it from the store ([`Store::release_report`]) and writing it
//! ([`ReleaseReport::write`]) are two steps, so a caller can let go of the database before the
//! possibly slow writing starts (the server does: a slow client never holds a database turn).

use crate::error::StoreError;
use crate::{GateOptions, Store};
use reports::{ReleaseSnapshot, ReportError, ReportFormat};
use std::io::{Seek, SeekFrom, Write};

/// What a release's report is written from.
#[derive(Debug)]
pub enum ReleaseReport {
    /// A sealed release: its stored bundle, copied to an anonymous temporary file.
    Sealed(std::fs::File),
    /// An open release: its snapshot, to render a draft from.
    Draft(Box<ReleaseSnapshot>),
}

impl ReleaseReport {
    /// Writes the report in `format` into `out`: the bundle's member as signed, or the draft.
    pub fn write(self, format: ReportFormat, out: &mut dyn Write) -> Result<(), ReportError> {
        match self {
            ReleaseReport::Sealed(file) => reports::write_bundle_member(file, format, out),
            ReleaseReport::Draft(snap) => reports::write_report(&snap, format, out),
        }
    }
}

impl Store {
    /// What the release's report is written from: its sealed bundle (spooled to a temporary
    /// file, never held in memory), or the snapshot of the open release under `gate` (which
    /// records no evaluation).
    pub fn release_report(
        &self,
        project: &str,
        release: &str,
        gate: &GateOptions,
        generator: &str,
    ) -> Result<ReleaseReport, StoreError> {
        if self.bundle_record(project, release)?.is_some() {
            let mut file = tempfile::tempfile()?;
            self.write_bundle(project, release, &mut file)?;
            file.seek(SeekFrom::Start(0))?;
            return Ok(ReleaseReport::Sealed(file));
        }
        let snap = self.release_snapshot(project, release, gate, generator)?;
        Ok(ReleaseReport::Draft(Box::new(snap)))
    }
}
