//! Every corpus file through the API: what the server imports and lists agrees with the store
//! used directly.

use crate::harness::{backends, bearer, corpus_dir, state, token};
use actix_web::test;
use schema::{FindingFilter, Role};
use server::ServerConfig;

fn corpus_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![corpus_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".md"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[actix_web::test]
async fn every_corpus_file_uploads_through_the_api_and_reads_back() {
    let files = corpus_files();
    assert!(
        files.len() > 50,
        "corpus not found at {}",
        corpus_dir().display()
    );
    for t in backends() {
        let reference = backends().remove(0);
        let uploader = token(&t.store, Role::Uploader, Some("corpus"));
        let app = test::init_service(server::app(state(&t.store, ServerConfig::default()))).await;
        let (mut imported, mut rejected) = (0, 0);
        for (i, file) in files.iter().enumerate() {
            let release = format!("r{i}");
            let bytes = std::fs::read(file).expect("read");
            let req = test::TestRequest::post()
                .uri(&format!("/api/v1/projects/corpus/releases/{release}/scans"))
                .insert_header(bearer(&uploader))
                .set_payload(bytes)
                .to_request();
            let response = test::call_service(&app, req).await;
            let status = response.status().as_u16();
            let body: serde_json::Value = test::read_body_json(response).await;
            let direct = reference.store.import_scan(
                &schema::ImportRequest {
                    project: "corpus",
                    release: &release,
                    label: None,
                    format: None,
                    file_name: None,
                    uploaded_by: "test",
                    request_id: None,
                    progress: None,
                },
                &file.as_path(),
            );
            match direct {
                Ok(outcome) => {
                    assert_eq!(status, 201, "{}: {body}", file.display());
                    assert_eq!(body["findings"], outcome.findings, "{}", file.display());
                    assert_eq!(body["format"], outcome.format.as_str());
                    imported += 1;
                }
                Err(err) => {
                    assert_eq!(status, 422, "{}: {body} vs {err}", file.display());
                    assert_eq!(body["error"]["code"], "bad_report");
                    rejected += 1;
                    continue;
                }
            }
            // Read every finding back, in small pages.
            let mut fingerprints = Vec::new();
            let mut cursor = String::new();
            loop {
                let uri = format!(
                    "/api/v1/projects/corpus/releases/{release}/findings?limit=7&cursor={cursor}"
                );
                let req = test::TestRequest::get()
                    .uri(&uri)
                    .insert_header(bearer(&uploader))
                    .to_request();
                let page: serde_json::Value = test::call_and_read_body_json(&app, req).await;
                for f in page["findings"].as_array().expect("findings") {
                    fingerprints.push(f["fingerprint"].as_str().expect("fp").to_string());
                }
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_string(),
                    None => break,
                }
            }
            let mut expected: Vec<String> = reference
                .store
                .release_view("corpus", &release, &FindingFilter::default())
                .expect("view")
                .findings
                .into_iter()
                .map(|f| f.fingerprint)
                .collect();
            expected.sort();
            fingerprints.sort();
            assert_eq!(fingerprints, expected, "{} on {}", file.display(), t.name);
        }
        eprintln!("{}: {imported} imported, {rejected} rejected", t.name);
        assert!(imported > 50);
    }
}
