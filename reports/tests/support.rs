//! Building, reading and rewriting sample bundles.

use reports::{EvidenceKey, ReleaseSnapshot, ScanSnapshot};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Command;
use testdata::sample::{sample_raw, sample_snapshot};

pub fn key() -> EvidenceKey {
    EvidenceKey::from_seed(&[42u8; 32])
}

pub fn bundle_of(snap: &ReleaseSnapshot, key: &EvidenceKey) -> (Vec<u8>, reports::BundleOutcome) {
    let mut raw =
        |scan: &ScanSnapshot, out: &mut dyn Write| out.write_all(&sample_raw(scan.id.get()));
    let mut cursor = Cursor::new(Vec::new());
    let outcome = reports::write_bundle(snap, key, &mut raw, &mut cursor).expect("bundle");
    (cursor.into_inner(), outcome)
}

pub fn sample_bundle() -> Vec<u8> {
    bundle_of(&sample_snapshot(true), &key()).0
}

/// Members in zip order.
pub fn members(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

pub fn member(zip: &[u8], name: &str) -> Vec<u8> {
    members(zip)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b)
        .unwrap_or_else(|| panic!("no member {name}"))
}

/// A zip of these members (what an attacker would write).
pub fn rezip(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut cursor = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut cursor);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    cursor.into_inner()
}

pub fn verify(zip: &[u8]) -> reports::VerifyReport {
    reports::verify_bundle(Cursor::new(zip), &reports::VerifyOptions::default()).unwrap()
}

pub fn extract(zip: &[u8], dir: &Path) {
    for (name, bytes) in members(zip) {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs a shell snippet in `dir`; returns (success, stdout + stderr).
pub fn sh(dir: &Path, script: &str) -> (bool, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The fenced `sh` blocks of a Markdown file, by the heading above them.
pub fn shell_blocks(md: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut heading = String::new();
    let mut block: Option<String> = None;
    for line in md.lines() {
        if let Some(b) = block.as_mut() {
            if line.starts_with("```") {
                out.entry(heading.clone())
                    .or_default()
                    .push(block.take().unwrap());
            } else {
                b.push_str(line);
                b.push('\n');
            }
        } else if line.starts_with("```sh") {
            block = Some(String::new());
        } else if let Some(h) = line.strip_prefix("## ") {
            heading = h.to_string();
        }
    }
    out
}
