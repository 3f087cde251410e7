//! Times each renderer on a snapshot of N findings (the sample's, repeated: `large_snapshot`):
//! `cargo run --release -p reports --example render_timing -- 100000`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let snap = testdata::sample::large_snapshot(n);
    let t = Instant::now();
    let json = reports::findings::findings_json(&snap).unwrap();
    println!(
        "json   {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        json.len() / 1024
    );
    let t = Instant::now();
    let csv = reports::findings::findings_csv(&snap).unwrap();
    println!(
        "csv    {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        csv.len() / 1024
    );
    let t = Instant::now();
    let sarif = reports::sarif::findings_sarif(&snap).unwrap();
    println!(
        "sarif  {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        sarif.len() / 1024
    );
    let t = Instant::now();
    let html = reports::html::report_html(&snap, None).unwrap();
    println!(
        "html   {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        html.len() / 1024
    );
    let t = Instant::now();
    let md = reports::markdown::forum_post(&snap, None).unwrap();
    println!(
        "md     {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        md.len() / 1024
    );
    let t = Instant::now();
    let pdf = reports::pdf::report_pdf(&snap, None).unwrap();
    println!(
        "pdf    {:>6} ms {:>6} KB",
        t.elapsed().as_millis(),
        pdf.len() / 1024
    );
}
