//! The upload spool: where request bodies wait on disk before their import.
//!
//! Each server process spools into a directory of its own, `scanledger-spool-*` in the upload
//! directory (`upload_dir`, or the system temp folder), and holds an exclusive lock on the
//! `.lock` file inside it for as long as it runs. A spooled file normally goes when its
//! request ends; a process killed outright (`kill -9`, a crash) leaves its directory behind,
//! but its lock goes with it. So at start a process removes every spool directory whose lock
//! it can take, its crashed predecessors', and never one whose owner still runs: replicas may
//! share the upload directory. (Locks are `flock`s: replicas on different hosts sharing the
//! directory over a network file system need one that honours them, or each its own.)

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

const PREFIX: &str = "scanledger-spool-";
/// Where a directory is prepared (locked) before it gets its name, so that no other process
/// ever sees a spool directory that is not locked yet.
const NEW_PREFIX: &str = "scanledger-spool.new-";
const LOCK: &str = ".lock";

/// This process's spool directory; removed when the last handle on it goes.
#[derive(Debug)]
pub struct SpoolDir {
    dir: PathBuf,
    /// Held open, and locked, for the life of the process.
    _lock: File,
}

impl SpoolDir {
    /// Cleans what crashed processes left in `base` (default: the system temp folder), then
    /// makes this process's own locked directory there.
    pub fn open(base: Option<&Path>) -> io::Result<SpoolDir> {
        let base = base.map_or_else(std::env::temp_dir, Path::to_path_buf);
        std::fs::create_dir_all(&base)?;
        remove_stale(&base);
        let fresh = tempfile::Builder::new()
            .prefix(NEW_PREFIX)
            .tempdir_in(&base)?
            .keep();
        let lock = File::create(fresh.join(LOCK))?;
        lock.try_lock().map_err(io::Error::other)?;
        let name = fresh
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(NEW_PREFIX))
            .map(|rest| format!("{PREFIX}{rest}"))
            .ok_or_else(|| io::Error::other("spool directory without a name"))?;
        let dir = base.join(name);
        std::fs::rename(&fresh, &dir)?;
        Ok(SpoolDir { dir, _lock: lock })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A new spool file, deleted when dropped.
    pub fn file(&self) -> io::Result<tempfile::NamedTempFile> {
        tempfile::NamedTempFile::new_in(&self.dir)
    }
}

impl Drop for SpoolDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!(error = %e, dir = %self.dir.display(), "removing the spool directory");
        }
    }
}

/// Removes the spool directories in `base` whose owner is gone (their lock is free).
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(PREFIX));
        if !ours || !path.is_dir() {
            continue;
        }
        // A directory without its lock file is not one of ours to judge; leave it.
        let Ok(lock) = File::open(path.join(LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            match std::fs::remove_dir_all(&path) {
                Ok(()) => {
                    tracing::info!(dir = %path.display(), "removed a crashed process's upload spool")
                }
                Err(e) => {
                    tracing::warn!(error = %e, dir = %path.display(), "removing a stale upload spool")
                }
            }
        }
    }
}
