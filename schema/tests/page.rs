//! Findings pages in SQL agree with the release view.

use crate::harness::{corpus, on_each_backend, request};
use importers::Severity;
use importers::synthetic::{SyntheticOptions, trivy_report};
use schema::{FindingFilter, FindingSort, PageRequest};

fn all_pages(
    t: &crate::harness::TestStore,
    filter: &FindingFilter,
    sort: FindingSort,
    limit: u32,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = t
            .store
            .findings_page(
                "shop",
                "1.0",
                &PageRequest {
                    filter: filter.clone(),
                    sort,
                    cursor: cursor.clone(),
                    limit,
                },
            )
            .expect("page");
        assert!(page.findings.len() <= limit as usize);
        out.extend(page.findings.iter().map(|f| f.fingerprint.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out
}

#[test]
fn pages_cover_the_release_view_once_in_every_order() {
    on_each_backend(|t| {
        let report = trivy_report(&SyntheticOptions {
            findings: 300,
            seed: 9,
            artifact: "shop:1.0".into(),
            generation: 0,
        });
        t.store
            .import_scan(&request("shop", "1.0"), &report)
            .expect("import");
        let filters = [
            FindingFilter::default(),
            FindingFilter {
                severities: vec![Severity::Critical, Severity::High],
                ..Default::default()
            },
            FindingFilter {
                text: Some("lib".into()),
                tools: vec!["TRIVY".into()],
                statuses: vec!["open".into()],
                ..Default::default()
            },
        ];
        for filter in &filters {
            let mut expected: Vec<String> = t
                .store
                .release_view("shop", "1.0", filter)
                .expect("view")
                .findings
                .into_iter()
                .map(|f| f.fingerprint)
                .collect();
            expected.sort();
            for sort in [
                FindingSort::Severity,
                FindingSort::RuleId,
                FindingSort::FirstSeen,
            ] {
                let mut got = all_pages(t, filter, sort, 17);
                got.sort();
                assert_eq!(got, expected, "{} {sort:?} {filter:?}", t.name);
            }
        }
        // Two slots: a finding in both shows once.
        t.store
            .import_scan(
                &request("shop", "1.0"),
                &corpus("trivy/misconfigurations_and_secrets.json"),
            )
            .expect("second slot");
        let view = t
            .store
            .release_view("shop", "1.0", &FindingFilter::default())
            .expect("view");
        let got = all_pages(t, &FindingFilter::default(), FindingSort::Severity, 50);
        assert_eq!(got.len(), view.findings.len());
        // Most severe first.
        let page = t
            .store
            .findings_page(
                "shop",
                "1.0",
                &PageRequest {
                    limit: 1000,
                    ..Default::default()
                },
            )
            .expect("page");
        assert!(
            page.findings
                .windows(2)
                .all(|w| w[0].severity >= w[1].severity)
        );
        // A forged cursor is a clear error.
        let err = t
            .store
            .findings_page(
                "shop",
                "1.0",
                &PageRequest {
                    cursor: Some("zz".into()),
                    limit: 5,
                    ..Default::default()
                },
            )
            .expect_err("bad cursor");
        assert!(matches!(err, schema::StoreError::Invalid(_)));
    });
}
