//! Writes a deterministic synthetic report of any format to standard output (or `-o FILE`).
//!
//! `cargo run --release -p testdata --bin gen-report -- --format sarif --findings 100000 --seed 1 -o big.sarif`
//!
//! Formats: every importer's, and the other documents some importers read (`mend-policy-json`,
//! a Mend policy rejection summary); `--format list` prints them all. The same options always give the
//! same bytes. `--generation` and `--artifact` apply to `trivy-json` only.

use clap::Parser;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use testdata::synthetic::{FORMATS, SHAPES, SyntheticOptions, write_report};

/// Writes a deterministic synthetic scanner report.
#[derive(Parser)]
#[command(name = "gen-report")]
struct Args {
    /// The report format (`list` prints every one).
    #[arg(short, long, value_parser = format_name)]
    format: String,
    /// How many findings (dependencies for the FOSSA inventories).
    #[arg(short = 'n', long, default_value_t = 1000)]
    findings: usize,
    /// Another seed gives other bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Trivy only: a later generation fixes some findings and adds new ones.
    #[arg(long, default_value_t = 0)]
    generation: u32,
    /// Trivy only: the image name with its tag.
    #[arg(long, value_name = "IMAGE:TAG")]
    artifact: Option<String>,
    /// Where to write (standard output when absent).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn format_name(name: &str) -> Result<String, String> {
    if name == "list" || names().any(|known| known == name) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "unknown format; known: {}",
            names().collect::<Vec<_>>().join(" ")
        ))
    }
}

/// Every name `--format` takes: the formats, then the shapes.
fn names() -> impl Iterator<Item = &'static str> {
    FORMATS
        .iter()
        .copied()
        .chain(SHAPES.iter().map(|&(name, _)| name))
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.format == "list" {
        for name in names() {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    }
    let mut options = SyntheticOptions::new(args.findings, args.seed);
    options.generation = args.generation;
    if let Some(artifact) = args.artifact {
        options.artifact = artifact;
    }
    let result = match &args.output {
        Some(path) => std::fs::File::create(path).and_then(|f| {
            let mut w = BufWriter::with_capacity(1 << 20, f);
            write_report(&args.format, &mut w, &options)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
            write_report(&args.format, &mut w, &options).and_then(|()| w.flush())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &args.output {
                Some(path) => eprintln!("gen-report: {}: {e}", path.display()),
                None => eprintln!("gen-report: {e}"),
            }
            ExitCode::from(2)
        }
    }
}
