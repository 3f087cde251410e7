//! Every output handed to the tool that reads it (issue 23): each module writes real outputs
//! with the `scanledger` binary and runs the validator or consumer its users' tools use on
//! them, failing on any error. The tools are installed by `scripts/install-consumers` (which
//! `scripts/test` runs) into the folder it prints, passed here as `SCANLEDGER_CONSUMERS`.

mod attest;
mod forum;
mod junit;
mod metrics;
mod openapi;
mod oscal;
mod pdf;
mod sarif;
mod vex;

use crate::serve::scanledger;
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// `scanledger demo --no-serve` loaded into a scratch folder: release 1.0.0 sealed, 1.1.0 open.
pub struct Demo {
    dir: tempfile::TempDir,
    db: String,
}

impl Demo {
    pub const PROJECT: &str = "demo-shop";
    pub const SEALED: &str = "1.0.0";
    pub const OPEN: &str = "1.1.0";

    pub fn load() -> Demo {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", dir.path().join("demo.db").display());
        let demo = Demo { dir, db };
        demo.cli(&["demo", "--no-serve"]);
        demo
    }

    /// The scratch folder, for the outputs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `scanledger ARGS` on the demo's database, whatever its exit code.
    pub fn output(&self, args: &[&str]) -> std::process::Output {
        scanledger()
            .args(args)
            .env("DATABASE_URL", &self.db)
            .env_remove("SCANLEDGER_URL")
            .env_remove("SCANLEDGER_KEY_DIR")
            .env_remove("SCANLEDGER_SIGNING_KEY")
            .current_dir(self.dir())
            .output()
            .expect("scanledger ran")
    }

    /// Runs `scanledger ARGS` on the demo's database, failing the test when it fails.
    pub fn cli(&self, args: &[&str]) {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "scanledger {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `scanledger report` of the open release in `format`.
    pub fn draft_report(&self, format: &str) -> Vec<u8> {
        let path = self.dir().join(format!("draft.{format}"));
        self.cli(&[
            "report",
            "--project",
            Demo::PROJECT,
            "--release",
            Demo::OPEN,
            "--format",
            format,
            "-o",
            path.to_str().expect("UTF-8 path"),
        ]);
        std::fs::read(path).expect("the report")
    }

    /// A member of the sealed release's bundle (`scanledger bundle`).
    pub fn bundle_member(&self, name: &str) -> Vec<u8> {
        let path = self.dir().join("bundle.zip");
        self.cli(&[
            "bundle",
            "--project",
            Demo::PROJECT,
            "--release",
            Demo::SEALED,
            "-o",
            path.to_str().expect("UTF-8 path"),
        ]);
        let mut bytes = Vec::new();
        zip::ZipArchive::new(std::fs::File::open(&path).expect("the bundle"))
            .expect("the bundle is a zip")
            .by_name(name)
            .unwrap_or_else(|e| panic!("the bundle has no {name}: {e}"))
            .read_to_end(&mut bytes)
            .expect("read the member");
        bytes
    }
}
