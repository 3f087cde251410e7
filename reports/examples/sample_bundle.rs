//! Writes the sample release's bundle and reports into a folder, to look at them:
//! `cargo run -p reports --example sample_bundle -- /tmp/sample` (then `pdftoppm -png`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use testdata::sample::{sample_raw, sample_snapshot};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = reports::EvidenceKey::from_seed(&[42u8; 32]);
    for (sealed, name) in [(true, "sealed"), (false, "draft")] {
        let snap = sample_snapshot(sealed);
        let fp = key.public().fingerprint();
        std::fs::write(
            dir.join(format!("{name}.pdf")),
            reports::pdf::report_pdf(&snap, Some(&fp)).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}.html")),
            reports::html::report_html(&snap, Some(&fp)).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}-forum-post.md")),
            reports::markdown::forum_post(&snap, Some(&fp)).unwrap(),
        )
        .unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir.join(format!("{name}.zip")))
            .unwrap();
        let mut raw = |scan: &reports::ScanSnapshot, out: &mut dyn Write| {
            out.write_all(&sample_raw(scan.id.get()))
        };
        let outcome = reports::write_bundle(&snap, &key, &mut raw, file).unwrap();
        println!(
            "{name}: {} ({} bytes, {} members)",
            outcome.sha256, outcome.size, outcome.members
        );
    }
}
