//! Writes a deterministic synthetic report of any format to standard output (or `-o FILE`).
//!
//! `cargo run --release -p importers --bin gen-report -- --format sarif --findings 100000 --seed 1 -o big.sarif`
//!
//! Formats: every importer's (`--format list` prints them). The same options always give the
//! same bytes. `--generation` and `--artifact` apply to `trivy-json` only.

use importers::synthetic::{FORMATS, SyntheticOptions, write_report};
use std::io::{BufWriter, Write};

const USAGE: &str = "usage: gen-report --format FORMAT [--findings N] [--seed S] [--generation G] [--artifact IMAGE:TAG] [-o FILE]\n       gen-report --format list";

fn main() {
    let mut options = SyntheticOptions::new(1000, 1);
    let mut format: Option<String> = None;
    let mut output: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value.as_deref()) {
            ("--format" | "-f", Some(v)) => {
                format = Some(v.to_string());
                true
            }
            ("--findings" | "-n", Some(v)) => v.parse().map(|n| options.findings = n).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| options.seed = n).is_ok(),
            ("--generation", Some(v)) => v.parse().map(|n| options.generation = n).is_ok(),
            ("--artifact", Some(v)) => {
                options.artifact = v.to_string();
                true
            }
            ("-o" | "--output", Some(v)) => {
                output = Some(v.to_string());
                true
            }
            _ => false,
        };
        if !parsed {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    let Some(format) = format else {
        eprintln!("{USAGE}\nformats: {}", FORMATS.join(" "));
        std::process::exit(2);
    };
    if format == "list" {
        for f in FORMATS {
            println!("{f}");
        }
        return;
    }
    if !FORMATS.contains(&format.as_str()) {
        eprintln!(
            "gen-report: unknown format {format:?}; known: {}",
            FORMATS.join(" ")
        );
        std::process::exit(2);
    }
    let result = match output {
        Some(path) => std::fs::File::create(&path).and_then(|f| {
            let mut w = BufWriter::with_capacity(1 << 20, f);
            write_report(&format, &mut w, &options)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
            write_report(&format, &mut w, &options).and_then(|()| w.flush())
        }
    };
    if let Err(e) = result {
        eprintln!("gen-report: {e}");
        std::process::exit(2);
    }
}
