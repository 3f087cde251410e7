//! The state of a dependency scanner's report walk (Grype, OSV-Scanner, Mend): where findings go, the
//! copies of packages seen so far, whether the report had its one required list, and what the
//! report says about the scan.
//!
//! Not the identity rule itself (`copies.rs`), nor the reading of the document (`stream.rs`).

use crate::Sink;
use crate::copies::Copies;
use crate::error::{ImportError, Position, SinkError};
use crate::finding::ScanInfo;
use crate::stream::{Emitter, HasEmitter};

pub(crate) struct Walk<'a, 'b> {
    pub(crate) emitter: Emitter<'a, 'b>,
    pub(crate) copies: Copies,
    /// Whether the report had its list of records (Grype's `matches`, OSV-Scanner's `results`).
    pub(crate) listed: bool,
    pub(crate) info: ScanInfo,
}

impl<'a, 'b> Walk<'a, 'b> {
    pub(crate) fn new(sink: &'a mut Sink<'b>, tool: &str) -> Self {
        Walk {
            emitter: Emitter::new(sink),
            copies: Copies::default(),
            listed: false,
            info: ScanInfo {
                tool: tool.into(),
                ..ScanInfo::default()
            },
        }
    }

    /// What the report said about the scan, or an error when it lacked its `list` (then it is
    /// not `report`).
    pub(crate) fn finish(
        self,
        format: &'static str,
        list: &str,
        report: &str,
    ) -> Result<ScanInfo, ImportError> {
        if self.listed {
            Ok(self.info)
        } else {
            Err(ImportError::malformed(
                format,
                Position::default(),
                format!("no `{list}` list: not {report}"),
            ))
        }
    }
}

impl HasEmitter for Walk<'_, '_> {
    fn sink_error(&mut self) -> Option<SinkError> {
        self.emitter.take_error()
    }
}
