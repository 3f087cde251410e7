//! The fuzz targets' short run (issue 16): every target of `fuzz/` runs here, in the ordinary
//! test build, on its seeds and a fixed number of mutations of each. There is no coverage
//! guidance here (that is `scripts/fuzz`, which needs an instrumented build of its own); what
//! is shared is the targets' bodies (`testdata::fuzz`), the kind of seeds (corpus files of
//! the target's format and two small synthetic reports) and the property: no panic, and a
//! report read whole or in small pieces gives the same findings. The mutations are drawn from
//! a fixed seed, so a failure here fails the same way on every run.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use testdata::synthetic::{FORMATS, SyntheticOptions, report};

/// Corpus files larger than this are left out: large seeds only slow the run down.
const MAX_SEED_BYTES: u64 = 64 * 1024;
/// Mutated inputs per seed of an importer target.
const MUTATIONS_PER_SEED: usize = 24;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if entry.metadata().is_ok_and(|m| m.len() <= MAX_SEED_BYTES) {
            out.push(path);
        }
    }
}

/// Every small corpus file, sorted, with its bytes.
fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths = Vec::new();
    files_under(&testdata::corpus_dir(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The format the importers detect in `bytes`, if any.
fn detected(bytes: &[u8]) -> Option<&'static str> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    importers::detect(&head).map(|i| i.format())
}

/// Bytes a parser treats specially somewhere: quotes, brackets, escapes, separators.
const INTERESTING: &[u8] = b"\"'<>{}[]\\&;,:=\n\r\t\0\xff\x7f#-0";

/// One input changed by one to four edits of the kinds libFuzzer makes: flip a bit, write a
/// special byte, delete, insert or duplicate a range, cut the tail, or splice in part of
/// another seed.
fn mutate(rng: &mut Xoshiro256PlusPlus, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..7u8) {
            0 if len > 0 => out[at] ^= 1 << rng.random_range(0..8u8),
            1 if len > 0 => out[at] = INTERESTING[rng.random_range(0..INTERESTING.len())],
            2 if len > 0 => {
                let end = (at + rng.random_range(1..=16)).min(len);
                out.drain(at..end);
            }
            3 => {
                let n = rng.random_range(1..=8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random_range(0..=255u8)).collect();
                out.splice(at..at, bytes);
            }
            4 if len > 0 => {
                let end = (at + rng.random_range(1..=64)).min(len);
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            5 => out.truncate(at),
            _ if !other.is_empty() => {
                let from = rng.random_range(0..other.len());
                let end = (from + rng.random_range(1..=256)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Runs `target` on every seed and on [`MUTATIONS_PER_SEED`] mutations of each.
fn run(rng: &mut Xoshiro256PlusPlus, seeds: &[Vec<u8>], per_seed: usize, target: impl Fn(&[u8])) {
    assert!(!seeds.is_empty(), "a fuzz target without seeds");
    for (i, seed) in seeds.iter().enumerate() {
        target(seed);
        let other = &seeds[(i + 1) % seeds.len()];
        for _ in 0..per_seed {
            target(&mutate(rng, seed, other));
        }
    }
}

#[test]
fn every_importer_target_survives_a_short_mutation_run() {
    let corpus = corpus();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(16);
    let mut every_format = Vec::new();
    for &format in FORMATS {
        // import_FORMAT: the corpus files of that format, and two small synthetic reports.
        let mut seeds: Vec<Vec<u8>> = corpus
            .iter()
            .filter(|(_, bytes)| detected(bytes) == Some(format))
            .map(|(_, bytes)| bytes.clone())
            .collect();
        for seed in 1..=2 {
            seeds.push(report(format, &SyntheticOptions::new(seed * 3, seed as u64)).unwrap());
        }
        every_format.push(seeds[0].clone());
        run(&mut rng, &seeds, MUTATIONS_PER_SEED, |data| {
            testdata::fuzz::import(Some(format), data)
        });
    }
    // import_detect: one seed per format, and the corpus files no importer reads.
    every_format.extend(
        corpus
            .iter()
            .filter(|(_, bytes)| detected(bytes).is_none())
            .map(|(_, bytes)| bytes.clone()),
    );
    run(&mut rng, &every_format, MUTATIONS_PER_SEED, |data| {
        testdata::fuzz::import(None, data)
    });
}

#[test]
fn the_verifier_targets_survive_a_short_mutation_run() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(16);
    // verify_zip: the corpus' zips (none of them a bundle) and random bytes.
    let mut zips: Vec<Vec<u8>> = corpus()
        .into_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "zip"))
        .map(|(_, bytes)| bytes)
        .collect();
    zips.push(b"PK\x03\x04".to_vec());
    run(&mut rng, &zips, 200, testdata::fuzz::verify_zip);
    // verify_member: a valid bundle with one member replaced, spliced, dropped or added.
    let members: Vec<Vec<u8>> = (0..64u8)
        .map(|i| {
            let mut data = vec![i, i / 16];
            data.extend((0..usize::from(i) * 4).map(|j| (j * 7 % 251) as u8));
            data
        })
        .collect();
    run(&mut rng, &members, 4, testdata::fuzz::verify_member);
}
