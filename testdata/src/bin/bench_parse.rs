//! Parse throughput of the importers, storage excluded.
//!
//! `cargo run --release -p testdata --bin bench-parse -- FILE...` parses each file (format
//! detected) a few times and prints findings and MB/s for the best run.

use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: bench-parse FILE...");
        std::process::exit(2);
    }
    println!(
        "{:<60} {:>22} {:>10} {:>10} {:>9}",
        "file", "format", "MB", "findings", "MB/s"
    );
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{file}: {e}");
                std::process::exit(2);
            }
        };
        let mb = bytes.len() as f64 / 1e6;
        let mut best = f64::MAX;
        let mut summary = None;
        for _ in 0..3 {
            let started = Instant::now();
            let mut count = 0usize;
            let result = importers::import(&bytes[..], None, &mut |_finding| {
                count += 1;
                Ok(())
            });
            let elapsed = started.elapsed().as_secs_f64();
            match result {
                Ok(imported) => summary = Some((imported.format, count)),
                Err(e) => {
                    eprintln!("{file}: {e}");
                    std::process::exit(2);
                }
            }
            best = best.min(elapsed);
        }
        if let Some((format, count)) = summary {
            println!(
                "{:<60} {:>22} {:>10.1} {:>10} {:>9.0}",
                file,
                format,
                mb,
                count,
                mb / best
            );
        }
    }
}
