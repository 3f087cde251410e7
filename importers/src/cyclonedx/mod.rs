//! CycloneDX BOMs with vulnerabilities (`json.rs`: 1.4–1.6 JSON; `xml.rs`: 1.4–1.6 XML and the
//! legacy vulnerability extension of 1.0–1.3 XML BOMs, which Grype and DefectDojo's samples
//! write): one finding per vulnerability and affected component (`normalize.rs`).
//!
//! Not read: a BOM without vulnerabilities (an SBOM is not a scan report; the import is refused
//! with `unsupported.rs`'s name for it), services, dependencies and licenses. The VEX `analysis` of a
//! vulnerability is kept as the tool's status, a decision of the tool that wrote the BOM; it is
//! never made ScanLedger's triage (that is `scanledger vex import`).

mod json;
mod model;
mod normalize;
mod xml;

pub use json::CycloneDxJson;
pub use xml::CycloneDxXml;

use crate::Sink;
use crate::copies::Copies;
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::Emitter;
use model::{Parts, Vulnerability};
use std::io::Read;

const TOOL: &str = "cyclonedx";

/// The first bytes of a BOM, kept to quote them when it has no vulnerabilities and is refused
/// as an SBOM ([`crate::unsupported::CYCLONEDX`]).
struct Start {
    bytes: Vec<u8>,
}

impl Start {
    const LEN: usize = 128;

    /// Reads the first bytes of `input`.
    fn read(input: &mut dyn Read) -> Result<Start, ImportError> {
        let mut buf = [0u8; Self::LEN];
        let mut read = 0;
        while read < buf.len() {
            match input.read(&mut buf[read..]) {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ImportError::Io(e)),
            }
        }
        Ok(Start {
            bytes: buf[..read].to_vec(),
        })
    }

    /// The whole input again: these bytes, then the rest of `input`.
    fn and_rest<'r>(&'r self, input: &'r mut dyn Read) -> impl Read + 'r {
        std::io::Cursor::new(&self.bytes[..]).chain(input)
    }

    /// The refusal of a BOM without vulnerabilities.
    fn refusal(&self) -> ImportError {
        ImportError::unsupported(
            crate::unsupported::CYCLONEDX,
            &String::from_utf8_lossy(&self.bytes),
        )
    }
}

/// The state of one BOM's walk, for both syntaxes.
pub(crate) struct Walk<'a, 'b> {
    emitter: Emitter<'a, 'b>,
    copies: Copies,
    parts: Parts,
    /// Whether the BOM had vulnerabilities (a list, or a legacy vulnerability).
    listed: bool,
    info: ScanInfo,
}

impl<'a, 'b> Walk<'a, 'b> {
    fn new(sink: &'a mut Sink<'b>) -> Self {
        Walk {
            emitter: Emitter::new(sink),
            copies: Copies::default(),
            parts: Parts::default(),
            listed: false,
            info: ScanInfo {
                tool: TOOL.into(),
                ..ScanInfo::default()
            },
        }
    }

    /// Converts a vulnerability and hands its findings on, inside a serde walk.
    fn emit<E: serde::de::Error>(&mut self, v: &Vulnerability) -> Result<(), E> {
        match normalize::findings(v, &self.parts, &mut self.copies) {
            Ok(findings) => {
                for f in findings {
                    self.emitter.emit(f)?;
                }
                Ok(())
            }
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }

    /// Converts a vulnerability and hands its findings on, outside a serde walk.
    fn convert(&mut self, v: &Vulnerability) -> Result<(), ImportError> {
        self.emit::<serde_json::Error>(v)
            .map_err(|e| match self.emitter.take_error() {
                Some(sink) => ImportError::Sink(sink),
                None => ImportError::Sink(crate::error::SinkError::from(e.to_string())),
            })
    }
}
