//! Findings pages in SQL agree with the release view.

use crate::harness::{corpus, on_each_backend, request};
use importers::Severity;
use schema::TriageStatus;
use schema::{FindingFilter, FindingSort, PageRequest};
use testdata::synthetic::{SyntheticOptions, trivy_report};

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
                statuses: vec![TriageStatus::Open],
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
        // Most severe first.
        assert!(
            page.findings
                .windows(2)
                .all(|w| w[0].severity >= w[1].severity)
        );
        // Every field as the release view has it (the page reads its rows by position).
        let mut paged = page.findings;
        let mut viewed = view.findings.clone();
        paged.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        viewed.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        assert_eq!(paged, viewed, "{}", t.name);
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
        assert!(matches!(
            err,
            schema::StoreError::Invalid {
                field: "cursor",
                ..
            }
        ));
    });
}

/// The first page of `release` with no filter, as fingerprints.
fn first_page(store: &schema::Store, release: &str) -> Vec<String> {
    store
        .findings_page(
            "shop",
            release,
            &PageRequest {
                limit: 1000,
                ..Default::default()
            },
        )
        .expect("page")
        .findings
        .into_iter()
        .map(|f| f.fingerprint)
        .collect()
}

fn view_of(store: &schema::Store, release: &str) -> Vec<String> {
    let mut fingerprints: Vec<String> = store
        .release_view("shop", release, &FindingFilter::default())
        .expect("view")
        .findings
        .into_iter()
        .map(|f| f.fingerprint)
        .collect();
    fingerprints.sort();
    fingerprints
}

#[test]
fn pages_see_scans_that_another_replica_added() {
    // A store remembers the scans of the releases it paged; scans added through another store
    // on the same database (another server replica) must show on its very next page.
    on_each_backend(|t| {
        let replica = schema::Store::open(&t.url).expect("second store");
        let generation = |g: u32| {
            trivy_report(&SyntheticOptions {
                findings: 40,
                seed: 3,
                artifact: "shop:1.0".into(),
                generation: g,
            })
        };
        t.store
            .import_scan(&request("shop", "1.0"), &generation(1))
            .expect("import");
        let before = first_page(&t.store, "1.0");
        assert_eq!(sorted(before.clone()), view_of(&t.store, "1.0"));

        // The same slot scanned again: the new scan replaces the old one in the view.
        replica
            .import_scan(&request("shop", "1.0"), &generation(2))
            .expect("re-scan");
        let after = first_page(&t.store, "1.0");
        assert_ne!(sorted(after.clone()), sorted(before), "{}", t.name);
        assert_eq!(sorted(after), view_of(&t.store, "1.0"), "{}", t.name);

        // A second slot adds its findings.
        replica
            .import_scan(
                &request("shop", "1.0"),
                &corpus("trivy/misconfigurations_and_secrets.json"),
            )
            .expect("second slot");
        assert_eq!(
            sorted(first_page(&t.store, "1.0")),
            view_of(&t.store, "1.0"),
            "{}",
            t.name
        );

        // A release without scans yet pages empty, then fills.
        t.raw_sql(
            "INSERT INTO releases (project_id, name, created_at) \
             SELECT id, '2.0', created_at FROM projects WHERE name = 'shop'",
        )
        .expect("empty release");
        assert!(first_page(&t.store, "2.0").is_empty());
        replica
            .import_scan(&request("shop", "2.0"), &generation(1))
            .expect("import 2.0");
        assert_eq!(
            sorted(first_page(&t.store, "2.0")),
            view_of(&t.store, "2.0")
        );
    });
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}
