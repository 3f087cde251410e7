//! The generators' text reads like the tools' own: the demo's advisory titles follow the phrase
//! bank's templates, and no title, description or message of any format is word salad.

use importers::Finding;
use std::collections::HashSet;
use testdata::synthetic::{FORMATS, SyntheticOptions, is_advisory_title, report};

fn findings(bytes: &[u8]) -> Vec<Finding> {
    importers::import_to_vec(bytes, None).unwrap().1
}

const ARTICLES: &[&str] = &["a", "an", "the"];
const LINKS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "with", "via", "or", "and", "when", "is", "does", "not",
    "which", "so", "that", "may", "from", "by", "for", "on", "at",
];
const PREPOSITIONS: &[&str] = &[
    "of", "to", "in", "with", "via", "from", "by", "for", "on", "at",
];

/// The first pair of words in `text` that no editor would let through: a word twice, an
/// article before a function word, two prepositions in a row, `a` before a vowel or `an`
/// before a lower-case consonant.
fn salad(text: &str) -> Option<String> {
    // Pairs within one sentence or line only: "user input. Input from ..." is fine.
    text.split(['\n', '.', ':', ';', '?', '!'])
        .find_map(salad_in_sentence)
}

fn salad_in_sentence(sentence: &str) -> Option<String> {
    let words: Vec<&str> = sentence
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>' || c == '<')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '_'))
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        let (a, b) = (pair[0].to_lowercase(), pair[1]);
        let b_low = b.to_lowercase();
        let bad = a == b_low
            || (ARTICLES.contains(&a.as_str()) && LINKS.contains(&b_low.as_str()))
            || (PREPOSITIONS.contains(&a.as_str()) && PREPOSITIONS.contains(&b_low.as_str()))
            || (pair[0] == "a" && b.starts_with(['a', 'e', 'i', 'o']))
            || (pair[0] == "an"
                && b.starts_with(|c: char| c.is_lowercase() && !"aeiouh".contains(c)));
        if bad {
            return Some(format!("{} {}", pair[0], pair[1]));
        }
    }
    None
}

#[test]
fn the_salad_check_catches_word_salad() {
    assert!(
        salad("pillow: with out-of-bounds remote buffer a input certificates function").is_some()
    );
    assert!(salad("the request handler the of a query which allows").is_some());
    assert!(salad("openssl: denial of service via crafted X.509 certificate").is_none());
    assert!(salad("An attacker can send an HTTP request to a service.").is_none());
}

#[test]
fn every_advisory_title_of_the_demo_follows_a_template() {
    for generation in 0..testdata::demo::RELEASES.len() {
        let reports = testdata::demo::reports("demo-shop", generation).unwrap();
        let (_, trivy) = &reports[0];
        let titles: Vec<String> = findings(trivy).into_iter().map(|f| f.title).collect();
        assert!(!titles.is_empty());
        let odd: Vec<&String> = titles.iter().filter(|t| !is_advisory_title(t)).collect();
        assert!(odd.is_empty(), "titles outside the phrase bank: {odd:?}");
    }
}

#[test]
fn no_text_of_the_demo_or_of_any_format_is_word_salad() {
    let mut reports: Vec<(String, Vec<u8>)> = Vec::new();
    for generation in 0..testdata::demo::RELEASES.len() {
        for (file, bytes) in testdata::demo::reports("demo-shop", generation).unwrap() {
            reports.push((format!("demo {generation} {file}"), bytes));
        }
    }
    for &format in FORMATS {
        reports.push((
            format.to_string(),
            report(format, &SyntheticOptions::new(300, 5)).unwrap(),
        ));
    }
    let mut failures = Vec::new();
    for (name, bytes) in &reports {
        for f in findings(bytes) {
            let texts = [
                Some(&f.title),
                f.description.as_ref(),
                f.remediation.as_ref(),
            ];
            for text in texts.into_iter().flatten() {
                if let Some(pair) = salad(text) {
                    failures.push(format!("{name}: {pair:?} in {text:?}"));
                }
            }
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn ten_thousand_trivy_findings_stay_distinct_by_fingerprint() {
    let bytes = report("trivy-json", &SyntheticOptions::new(10_000, 1)).unwrap();
    let fingerprints: HashSet<String> = findings(&bytes)
        .into_iter()
        .map(|f| f.fingerprint)
        .collect();
    assert_eq!(fingerprints.len(), 10_000);
}
