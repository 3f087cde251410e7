//! A CycloneDX vulnerability and the components it names, as both syntaxes read them (JSON and
//! XML, the 1.4–1.6 `vulnerabilities` and the legacy vulnerability extension of 1.0–1.3 BOMs):
//! the values the normalize step needs, nothing of the document's layout.
//!
//! Not where the syntaxes are read (`json.rs`, `xml.rs`) nor where a finding is made
//! (`normalize.rs`).

use std::collections::HashMap;

/// What a `bom-ref` names: a component of the BOM (or its subject, `metadata.component`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    pub name: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
}

/// The components of a BOM by `bom-ref`, nested ones too.
#[derive(Debug, Default)]
pub struct Parts(HashMap<String, Part>);

impl Parts {
    pub fn insert(&mut self, bom_ref: Option<String>, part: Part) {
        if let Some(r) = bom_ref.filter(|r| !r.trim().is_empty()) {
            self.0.entry(r).or_insert(part);
        }
    }

    pub fn get(&self, bom_ref: &str) -> Option<&Part> {
        self.0.get(bom_ref)
    }
}

/// One `ratings[]` entry.
#[derive(Debug, Clone, Default)]
pub struct Rating {
    pub source: Option<String>,
    pub score: Option<f64>,
    pub severity: Option<String>,
    /// `CVSSv2`, `CVSSv3`, `CVSSv31`, `CVSSv4`, `OWASP`, `SSVC`, `other`.
    pub method: Option<String>,
    pub vector: Option<String>,
}

/// One `affects[]` target: the `bom-ref` it names and the versions it says are not affected.
#[derive(Debug, Clone, Default)]
pub struct Affected {
    pub bom_ref: String,
    pub unaffected: Vec<String>,
    /// Legacy extension: the component the vulnerability is written inside.
    pub enclosing: Option<Part>,
}

/// One vulnerability of the BOM.
#[derive(Debug, Clone, Default)]
pub struct Vulnerability {
    pub id: Option<String>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    /// `references[].id`: the same vulnerability under other ids.
    pub aliases: Vec<String>,
    pub ratings: Vec<Rating>,
    pub cwes: Vec<String>,
    pub description: Option<String>,
    pub detail: Option<String>,
    pub recommendation: Option<String>,
    pub workaround: Option<String>,
    pub advisories: Vec<String>,
    pub published: Option<String>,
    /// VEX `analysis`: `state`, `justification`, `response`s, `detail`.
    pub state: Option<String>,
    pub justification: Option<String>,
    pub responses: Vec<String>,
    pub analysis_detail: Option<String>,
    pub affects: Vec<Affected>,
}
