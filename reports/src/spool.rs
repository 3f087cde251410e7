//! A release's findings as the renderers read them: held in memory (hand-made snapshots, small
//! releases), or spooled to an unnamed temporary file in a compact binary encoding and read
//! again, record by record, by each member that lists them. A sealed release of a million
//! findings then needs memory for one finding at a time per renderer, not for all of them.
//!
//! The spool is written by whoever takes the snapshot (`schema`), in the order every rendering
//! lists the findings (most severe first): [`SpoolWriter::push`] appends records in any order
//! and [`SpoolWriter::finish_in`] rewrites them, once, in the order it is given. Reading it
//! is positional (`read_at`), so two renderers on two threads read it at once without sharing
//! a file offset.

use crate::ReportError;
use crate::severity::SEVERITIES;
use chrono::{DateTime, NaiveDateTime};
use domain::{Decision, FindingId, Kind, ScanId, Severity, TriageStatus, ViewFinding};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Arc;

/// A release's findings, most severe first.
#[derive(Debug, Clone)]
pub enum Findings {
    /// In memory.
    Held(Vec<ViewFinding>),
    /// In a temporary file, read again for each rendering.
    Spooled(Arc<FindingSpool>),
}

impl Default for Findings {
    fn default() -> Self {
        Findings::Held(Vec::new())
    }
}

impl From<Vec<ViewFinding>> for Findings {
    fn from(findings: Vec<ViewFinding>) -> Self {
        Findings::Held(findings)
    }
}

impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Findings::Held(a), Findings::Held(b)) => a == b,
            (Findings::Spooled(a), Findings::Spooled(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Findings {
    pub fn len(&self) -> usize {
        match self {
            Findings::Held(v) => v.len(),
            Findings::Spooled(s) => s.count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finding, in order; a spooled one is read from its file (an error is an I/O error
    /// or a damaged spool).
    pub fn iter(&self) -> FindingIter<'_> {
        match self {
            Findings::Held(v) => FindingIter::Held(v.iter()),
            Findings::Spooled(s) => FindingIter::Spooled {
                reader: ChunkReader::new(&s.file, s.bytes),
                left: s.count,
            },
        }
    }

    /// The finding at `index` in the order (a spooled one read from its file).
    pub fn get(&self, index: usize) -> Result<Cow<'_, ViewFinding>, ReportError> {
        match self {
            Findings::Held(v) => v.get(index).map(Cow::Borrowed).ok_or_else(damaged),
            Findings::Spooled(s) => {
                let offset = *s.offsets.get(index).ok_or_else(damaged)?;
                let mut len = [0u8; 4];
                read_exact_at(&s.file, &mut len, offset)?;
                let mut buf = vec![0u8; u32::from_le_bytes(len) as usize];
                read_exact_at(&s.file, &mut buf, offset + 4)?;
                decode(&buf).map(Cow::Owned)
            }
        }
    }

    /// Calls `visit` with each finding in order, stopping at the first error.
    pub fn try_for_each(
        &self,
        mut visit: impl FnMut(&ViewFinding) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        for f in self.iter() {
            visit(f?.as_ref())?;
        }
        Ok(())
    }

    /// The findings that `keep` keeps, in order, in memory (the few a member lists).
    pub fn filtered(
        &self,
        mut keep: impl FnMut(&ViewFinding) -> bool,
    ) -> Result<Vec<ViewFinding>, ReportError> {
        let mut out = Vec::new();
        for f in self.iter() {
            let f = f?;
            if keep(&f) {
                out.push(f.into_owned());
            }
        }
        Ok(out)
    }

    /// The findings when they are in memory.
    pub fn held(&self) -> Option<&[ViewFinding]> {
        match self {
            Findings::Held(v) => Some(v),
            Findings::Spooled(_) => None,
        }
    }

    /// The findings when they are in memory, to change (tests and samples).
    pub fn held_mut(&mut self) -> Option<&mut Vec<ViewFinding>> {
        match self {
            Findings::Held(v) => Some(v),
            Findings::Spooled(_) => None,
        }
    }

    /// Findings per severity name (every severity present, zero included).
    pub fn counts_by_severity(&self) -> BTreeMap<&'static str, u64> {
        match self {
            Findings::Held(v) => {
                let mut counts = Counts::default();
                v.iter().for_each(|f| counts.add(f));
                counts.by_severity
            }
            Findings::Spooled(s) => s.counts.by_severity.clone(),
        }
    }

    /// Findings per tool, then severity.
    pub fn counts_by_tool(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        match self {
            Findings::Held(v) => {
                let mut counts = Counts::default();
                v.iter().for_each(|f| counts.add(f));
                counts.by_tool
            }
            Findings::Spooled(s) => s.counts.by_tool.clone(),
        }
    }
}

impl serde::Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for f in self.iter() {
            seq.serialize_element(f.map_err(S::Error::custom)?.as_ref())?;
        }
        seq.end()
    }
}

impl<'de> serde::Deserialize<'de> for Findings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<ViewFinding>::deserialize(deserializer).map(Findings::Held)
    }
}

/// What [`Findings::iter`] yields.
pub enum FindingIter<'a> {
    Held(std::slice::Iter<'a, ViewFinding>),
    Spooled {
        reader: ChunkReader<'a>,
        left: usize,
    },
}

impl<'a> Iterator for FindingIter<'a> {
    type Item = Result<Cow<'a, ViewFinding>, ReportError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            FindingIter::Held(it) => it.next().map(|f| Ok(Cow::Borrowed(f))),
            FindingIter::Spooled { reader, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                Some(reader.record().and_then(|r| decode(r).map(Cow::Owned)))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            FindingIter::Held(it) => it.size_hint(),
            FindingIter::Spooled { left, .. } => (*left, Some(*left)),
        }
    }
}

/// Counts that every renderer reads and none should have to count again.
#[derive(Debug, Clone)]
struct Counts {
    by_severity: BTreeMap<&'static str, u64>,
    by_tool: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            by_severity: SEVERITIES.iter().map(|s| (*s, 0)).collect(),
            by_tool: BTreeMap::new(),
        }
    }
}

impl Counts {
    fn add(&mut self, f: &ViewFinding) {
        if let Some(slot) = SEVERITIES.iter().find(|s| **s == f.severity.as_str()) {
            *self.by_severity.entry(slot).or_default() += 1;
        }
        match self.by_tool.get_mut(&f.tool) {
            Some(tool) => *tool.entry(f.severity.as_str().to_string()).or_default() += 1,
            None => {
                let mut tool = BTreeMap::new();
                tool.insert(f.severity.as_str().to_string(), 1);
                self.by_tool.insert(f.tool.clone(), tool);
            }
        }
    }
}

/// Findings written to an unnamed temporary file, in order, with their counts.
#[derive(Debug)]
pub struct FindingSpool {
    file: File,
    /// Where each record starts, in order (8 bytes a finding, for [`Findings::get`]).
    offsets: Vec<u64>,
    /// Bytes of records in the file.
    bytes: u64,
    count: usize,
    counts: Counts,
}

/// Where a record sits in a [`SpoolWriter`]'s file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolSlot {
    offset: u64,
    len: u32,
}

/// Writes findings to a spool, in any order.
pub struct SpoolWriter {
    out: BufWriter<File>,
    offset: u64,
    buf: Vec<u8>,
}

impl SpoolWriter {
    pub fn new() -> Result<SpoolWriter, ReportError> {
        Ok(SpoolWriter {
            out: BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?),
            offset: 0,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Appends a finding; the slot names it for [`SpoolWriter::finish_in`].
    pub fn push(&mut self, f: &ViewFinding) -> Result<SpoolSlot, ReportError> {
        self.buf.clear();
        encode(f, &mut self.buf);
        let len = u32::try_from(self.buf.len())
            .map_err(|_| ReportError::Invalid("a finding too large to spool".into()))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.buf)?;
        let slot = SpoolSlot {
            offset: self.offset,
            len: len + 4,
        };
        self.offset += u64::from(len) + 4;
        Ok(slot)
    }

    /// The findings in the order they were pushed.
    pub fn finish(self) -> Result<FindingSpool, ReportError> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        let mut counts = Counts::default();
        let mut reader = ChunkReader::new(&file, self.offset);
        let mut offsets = Vec::new();
        while reader.pos < self.offset {
            offsets.push(reader.pos);
            counts.add(&decode(reader.record()?)?);
        }
        Ok(FindingSpool {
            file,
            bytes: self.offset,
            count: offsets.len(),
            offsets,
            counts,
        })
    }

    /// The finding at `slot`, read back (to compare what a sort key left equal).
    pub fn read(&mut self, slot: SpoolSlot) -> Result<ViewFinding, ReportError> {
        self.out.flush()?;
        let mut buf = vec![0u8; slot.len as usize];
        read_exact_at(self.out.get_ref(), &mut buf, slot.offset)?;
        decode(buf.get(4..).ok_or_else(damaged)?)
    }

    /// The findings of `order`, in that order, written once more to a file of their own (so
    /// that every later reading is sequential); slots not in `order` are left out. `visit`
    /// sees each finding in that order, for what its caller counts in the same pass.
    pub fn finish_in(
        self,
        order: &[SpoolSlot],
        mut visit: impl FnMut(&ViewFinding),
    ) -> Result<FindingSpool, ReportError> {
        let from = self.out.into_inner().map_err(|e| e.into_error())?;
        let mut out = BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?);
        let mut counts = Counts::default();
        let mut buf = Vec::with_capacity(4096);
        let mut bytes = 0u64;
        let mut offsets = Vec::with_capacity(order.len());
        for slot in order {
            offsets.push(bytes);
            buf.resize(slot.len as usize, 0);
            read_exact_at(&from, &mut buf, slot.offset)?;
            let f = decode(buf.get(4..).ok_or_else(damaged)?)?;
            counts.add(&f);
            visit(&f);
            out.write_all(&buf)?;
            bytes += u64::from(slot.len);
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        Ok(FindingSpool {
            file,
            offsets,
            bytes,
            count: order.len(),
            counts,
        })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Reads a spool's records in file order through a buffer of its own, at its own position.
pub struct ChunkReader<'a> {
    file: &'a File,
    end: u64,
    /// File position of `buf[start]`.
    pos: u64,
    buf: Vec<u8>,
    start: usize,
}

const CHUNK: usize = 256 * 1024;

impl<'a> ChunkReader<'a> {
    fn new(file: &'a File, end: u64) -> ChunkReader<'a> {
        ChunkReader {
            file,
            end,
            pos: 0,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// `n` bytes from the current position, read from the file as needed.
    fn take(&mut self, n: usize) -> Result<&[u8], ReportError> {
        let have = self.buf.len() - self.start;
        if have < n {
            let file_pos = self.pos + have as u64;
            let want = (n - have).max(CHUNK).min((self.end - file_pos) as usize);
            if want < n - have {
                return Err(damaged());
            }
            self.buf.drain(..self.start);
            self.start = 0;
            let old = self.buf.len();
            self.buf.resize(old + want, 0);
            read_exact_at(self.file, &mut self.buf[old..], file_pos)?;
        }
        let out = &self.buf[self.start..self.start + n];
        self.start += n;
        self.pos += n as u64;
        Ok(out)
    }

    /// The next record's bytes (without its length).
    fn record(&mut self) -> Result<&[u8], ReportError> {
        let len = self.take(4)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        self.take(len)
    }
}

fn damaged() -> ReportError {
    ReportError::Invalid("the findings spool is damaged".into())
}

// The encoding: fixed fields as little-endian integers, texts as a u32 length and UTF-8,
// optional values behind a 0/1 byte, floats as their bits (exact), times as seconds and
// nanoseconds since the epoch.

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt<T>(out: &mut Vec<u8>, v: &Option<T>, put: impl FnOnce(&mut Vec<u8>, &T)) {
    match v {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            put(out, v);
        }
    }
}

fn put_opt_str(out: &mut Vec<u8>, v: &Option<String>) {
    put_opt(out, v, |o, s| put_str(o, s));
}

fn put_time(out: &mut Vec<u8>, t: &NaiveDateTime) {
    let t = t.and_utc();
    put_i64(out, t.timestamp());
    put_u32(out, t.timestamp_subsec_nanos());
}

fn encode(f: &ViewFinding, out: &mut Vec<u8>) {
    put_str(out, &f.fingerprint);
    out.extend_from_slice(&f.severity.rank().to_le_bytes());
    put_opt_str(out, &f.severity_original);
    put_str(out, f.kind.as_str());
    put_opt_str(out, &f.category);
    put_str(out, &f.rule_id);
    put_str(out, &f.title);
    put_str(out, &f.tool);
    put_str(out, f.status.as_str());
    put_opt_str(out, &f.tool_status);
    put_opt_str(out, &f.component);
    put_opt_str(out, &f.component_version);
    put_opt_str(out, &f.purl);
    put_opt_str(out, &f.fixed_version);
    for v in [f.cvss_score, f.epss, f.epss_percentile] {
        put_opt(out, &v, |o, x| {
            o.extend_from_slice(&x.to_bits().to_le_bytes())
        });
    }
    put_u32(out, f.cwe.len() as u32);
    for c in &f.cwe {
        put_str(out, c);
    }
    put_opt_str(out, &f.target);
    put_opt_str(out, &f.file);
    put_opt(out, &f.line_start, |o, v| put_i64(o, *v));
    put_opt(out, &f.line_end, |o, v| put_i64(o, *v));
    put_opt_str(out, &f.resource);
    put_opt_str(out, &f.url);
    put_opt_str(out, &f.parameter);
    put_i64(out, f.scan_id.get());
    put_str(out, &f.scan_label);
    put_time(out, &f.first_seen_at);
    put_opt(out, &f.decision, |o, d| {
        put_opt_str(o, &d.justification);
        put_opt_str(o, &d.approver);
        put_opt(o, &d.expires_at, put_time);
        put_str(o, &d.decided_by);
        put_time(o, &d.decided_at);
    });
    put_opt(out, &f.finding_id, |o, id| put_i64(o, id.get()));
}

struct Decoder<'a>(&'a [u8]);

impl Decoder<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8], ReportError> {
        if self.0.len() < n {
            return Err(damaged());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, ReportError> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, ReportError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, ReportError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn i64(&mut self) -> Result<i64, ReportError> {
        Ok(self.u64()? as i64)
    }
    fn string(&mut self) -> Result<String, ReportError> {
        let n = self.u32()? as usize;
        String::from_utf8(self.bytes(n)?.to_vec()).map_err(|_| damaged())
    }
    fn opt<T>(
        &mut self,
        get: impl FnOnce(&mut Self) -> Result<T, ReportError>,
    ) -> Result<Option<T>, ReportError> {
        match self.u8()? {
            0 => Ok(None),
            1 => get(self).map(Some),
            _ => Err(damaged()),
        }
    }
    fn opt_string(&mut self) -> Result<Option<String>, ReportError> {
        self.opt(|d| d.string())
    }
    fn time(&mut self) -> Result<NaiveDateTime, ReportError> {
        let secs = self.i64()?;
        let nanos = self.u32()?;
        DateTime::from_timestamp(secs, nanos)
            .map(|t| t.naive_utc())
            .ok_or_else(damaged)
    }
    fn float(&mut self) -> Result<Option<f64>, ReportError> {
        self.opt(|d| d.u64().map(f64::from_bits))
    }
}

fn decode(bytes: &[u8]) -> Result<ViewFinding, ReportError> {
    let mut d = Decoder(bytes);
    let fingerprint = d.string()?;
    let rank = d.bytes(2)?;
    let severity = Severity::from_rank(i16::from_le_bytes([rank[0], rank[1]]));
    let severity_original = d.opt_string()?;
    let kind = Kind::parse(&d.string()?).ok_or_else(damaged)?;
    let category = d.opt_string()?;
    let rule_id = d.string()?;
    let title = d.string()?;
    let tool = d.string()?;
    let status = TriageStatus::parse(&d.string()?).map_err(|_| damaged())?;
    let tool_status = d.opt_string()?;
    let component = d.opt_string()?;
    let component_version = d.opt_string()?;
    let purl = d.opt_string()?;
    let fixed_version = d.opt_string()?;
    let cvss_score = d.float()?;
    let epss = d.float()?;
    let epss_percentile = d.float()?;
    let cwes = d.u32()? as usize;
    let mut cwe = Vec::with_capacity(cwes.min(64));
    for _ in 0..cwes {
        cwe.push(d.string()?);
    }
    let target = d.opt_string()?;
    let file = d.opt_string()?;
    let line_start = d.opt(|d| d.i64())?;
    let line_end = d.opt(|d| d.i64())?;
    let resource = d.opt_string()?;
    let url = d.opt_string()?;
    let parameter = d.opt_string()?;
    let scan_id = ScanId::new(d.i64()?);
    let scan_label = d.string()?;
    let first_seen_at = d.time()?;
    let decision = d.opt(|d| {
        Ok(Decision {
            justification: d.opt_string()?,
            approver: d.opt_string()?,
            expires_at: d.opt(|d| d.time())?,
            decided_by: d.string()?,
            decided_at: d.time()?,
        })
    })?;
    let finding_id = d.opt(|d| d.i64().map(FindingId::new))?;
    if !d.0.is_empty() {
        return Err(damaged());
    }
    Ok(ViewFinding {
        fingerprint,
        severity,
        severity_original,
        kind,
        category,
        rule_id,
        title,
        tool,
        status,
        tool_status,
        component,
        component_version,
        purl,
        fixed_version,
        cvss_score,
        epss,
        epss_percentile,
        cwe,
        target,
        file,
        line_start,
        line_end,
        resource,
        url,
        parameter,
        scan_id,
        scan_label,
        first_seen_at,
        decision,
        finding_id,
    })
}

/// The same findings, spooled in their order (tests compare renderings of both).
pub fn spooled(findings: &[ViewFinding]) -> Result<Findings, ReportError> {
    let mut w = SpoolWriter::new()?;
    for f in findings {
        w.push(f)?;
    }
    Ok(Findings::Spooled(Arc::new(w.finish()?)))
}
