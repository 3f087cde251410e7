//! Every output handed to the tool that reads it (issue 23): each module writes real outputs
//! with the `scanledger` binary and runs the validator or consumer its users' tools use on
//! them, failing on any error. The tools are installed by `scripts/install-consumers` (which
//! `scripts/test` runs) into the folder it prints, passed here as `SCANLEDGER_CONSUMERS`.

mod sarif;

use std::path::PathBuf;

/// The folder `scripts/install-consumers` installed into. A test that needs a tool fails
/// (never skips) when it is missing, saying how to install it.
pub fn folder() -> PathBuf {
    match std::env::var_os("SCANLEDGER_CONSUMERS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/consumers"),
    }
}

/// A program installed by `scripts/install-consumers`: `venv/bin/NAME`, `node/node_modules/.bin/NAME`,
/// else NAME on the PATH.
pub fn tool(name: &str) -> PathBuf {
    let dir = folder();
    for candidate in [
        dir.join("venv/bin").join(name),
        dir.join("node/node_modules/.bin").join(name),
    ] {
        if candidate.exists() {
            return candidate;
        }
    }
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(name))
                .find(|p| p.exists())
        })
        .unwrap_or_default();
    on_path.unwrap_or_else(|| {
        panic!("{name} is not installed: run scripts/install-consumers (scripts/test does)")
    })
}
