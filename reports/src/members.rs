//! The names of an evidence bundle's fixed members and the identifiers of its format: what
//! the bundle writer (`bundle.rs`), the verifier (`verify.rs`) and the members that point at
//! others (the OSCAL back-matter) share.

pub const SUMS: &str = "SHA256SUMS";
pub const SUMS_SIG: &str = "SHA256SUMS.sig";
pub const SUMS_SSHSIG: &str = "SHA256SUMS.sshsig";
pub const DSSE: &str = "attestation.dsse.json";
pub const MANIFEST: &str = "manifest.json";
/// Members that `SHA256SUMS` does not list: itself and the signatures over it.
pub const UNSUMMED: [&str; 4] = [SUMS, SUMS_SIG, SUMS_SSHSIG, DSSE];
/// The manifest's `format`.
pub const FORMAT: &str = "scanledger-evidence-bundle/1";
/// The in-toto predicate type.
pub const PREDICATE_TYPE: &str = "https://scanledger.dev/attestations/evidence-bundle/v1";
