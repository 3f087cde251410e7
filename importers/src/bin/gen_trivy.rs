//! Writes a deterministic synthetic Trivy image report to standard output (or `-o FILE`).
//!
//! `cargo run --release -p importers --bin gen-trivy -- --findings 100000 --seed 1 > big.json`

use importers::synthetic::{SyntheticOptions, write_trivy_report};
use std::io::{BufWriter, Write};

fn main() {
    let mut options = SyntheticOptions {
        findings: 1000,
        seed: 1,
        artifact: "registry.example.com/shop/api:4.2.0".into(),
        generation: 0,
    };
    let mut output: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value.as_deref()) {
            ("--findings", Some(v)) => v.parse().map(|n| options.findings = n).is_ok(),
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
            eprintln!(
                "usage: gen-trivy [--findings N] [--seed S] [--generation G] [--artifact IMAGE:TAG] [-o FILE]"
            );
            std::process::exit(2);
        }
    }
    let result = match output {
        Some(path) => std::fs::File::create(&path).and_then(|f| {
            let mut w = BufWriter::new(f);
            write_trivy_report(&mut w, &options)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            write_trivy_report(&mut w, &options).and_then(|()| w.flush())
        }
    };
    if let Err(e) = result {
        eprintln!("gen-trivy: {e}");
        std::process::exit(2);
    }
}
