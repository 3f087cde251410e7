//! The OpenAPI document a real `scanledger serve` serves, checked by `openapi-spec-validator`
//! (the validator OpenAPI tooling in Python builds on): the document is valid OpenAPI of the
//! version it declares, every reference resolves, every schema is a schema. What the routes
//! answer against it is the schemathesis test's (`crate::schemathesis`).

use super::tool;
use crate::serve::start;
use std::process::Command;

#[test]
fn openapi_spec_validator_accepts_the_served_document() {
    let server = start();
    let mut response = ureq::get(&format!("http://{}/api/v1/openapi.json", server.addr))
        .call()
        .expect("GET /api/v1/openapi.json");
    let document = response
        .body_mut()
        .read_to_string()
        .expect("the document as text");
    let doc: serde_json::Value = serde_json::from_str(&document).expect("the document is JSON");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "not an OpenAPI 3 document: {}",
        doc["openapi"]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, &document).expect("write the document");
    let out = Command::new(tool("openapi-spec-validator"))
        .arg(&path)
        .output()
        .expect("openapi-spec-validator ran");
    assert!(
        out.status.success(),
        "openapi-spec-validator refused the served document (exit {}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
