//! The synthetic generator: every format is detected as itself, yields exactly the findings
//! asked for (none for inventories), and is deterministic per seed.

use testdata::synthetic::{FORMATS, SHAPES, SyntheticOptions, is_inventory, report};

fn generate(format: &str, findings: usize, seed: u64) -> Vec<u8> {
    report(format, &SyntheticOptions::new(findings, seed)).unwrap()
}

#[test]
fn every_importer_has_a_generator() {
    let formats: Vec<&str> = importers::all().iter().map(|i| i.format()).collect();
    assert_eq!(formats, FORMATS);
}

#[test]
fn every_format_is_detected_and_yields_exactly_n_findings() {
    let mut failures = Vec::new();
    for &format in FORMATS {
        for n in [0, 1, 57] {
            let bytes = generate(format, n, 7);
            let expected = if is_inventory(format) { 0 } else { n };
            // An empty checkstyle file could be any linter's, an empty list of Dependabot alerts
            // any list, a GraphQL scan without issues any API's: none is detected (FORMATS.md).
            let forced = (n == 0
                && matches!(
                    format,
                    "tfsec-checkstyle" | "dependabot-json" | "burp-dast-json"
                ))
            .then_some(format);
            match importers::import_to_vec(&bytes[..], forced) {
                Err(e) => failures.push(format!("{format} with {n} records: {e}")),
                Ok((imported, _)) if imported.format != format => failures.push(format!(
                    "{format} with {n} records detected as {}",
                    imported.format
                )),
                Ok((_, findings)) if findings.len() != expected => failures.push(format!(
                    "{format} with {n} records: {} findings",
                    findings.len()
                )),
                Ok(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_shape_is_detected_as_its_format_and_yields_exactly_n_findings() {
    // 2,500 rejected libraries: three policies, the last one not full.
    for &(shape, format) in SHAPES {
        for n in [1, 57, 2_500] {
            let bytes = generate(shape, n, 7);
            let (imported, findings) = importers::import_to_vec(&bytes[..], None)
                .unwrap_or_else(|e| panic!("{shape} with {n} records: {e}"));
            assert_eq!(imported.format, format, "{shape} with {n} records");
            assert_eq!(findings.len(), n, "{shape} with {n} records");
        }
        let a = generate(shape, 40, 1);
        assert_eq!(a, generate(shape, 40, 1), "{shape}: same seed");
        assert_ne!(a, generate(shape, 40, 2), "{shape}: other seed");
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    for &format in FORMATS {
        let a = generate(format, 40, 1);
        assert_eq!(a, generate(format, 40, 1), "{format}: same seed");
        assert_ne!(a, generate(format, 40, 2), "{format}: other seed");
    }
}

#[test]
fn a_large_dependency_graph_is_detected_by_its_first_keys() {
    // 20,000 dependencies: the graph's `assocs` fill the first 64 KiB, `deps` come after.
    let bytes = generate("fossa-analyze-json", 20_000, 1);
    let head = String::from_utf8_lossy(&bytes[..64 * 1024]);
    assert!(!head.contains("\"deps\""));
    let (imported, findings) = importers::import_to_vec(&bytes[..], None).unwrap();
    assert_eq!(imported.format, "fossa-analyze-json");
    assert!(findings.is_empty());
}

#[test]
fn an_unknown_format_is_an_error() {
    assert!(report("no-such-format", &SyntheticOptions::new(1, 1)).is_err());
}
