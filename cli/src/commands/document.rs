//! The verbs of a versioned project document (`policy`, `controls`): set (check and store the
//! next version), show, versions, check, written once for every kind. Each kind's module says
//! what it is called, which ledger operations read and store it, and how a file is checked
//! ([`Kind`]).

use crate::Outcome;
use crate::args::{OutputFormat, PolicyCheckArgs, PolicyFormat, PolicyShowArgs, ReleasesArgs};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::path::Path;

/// One kind of versioned project document, answered by the ledger as its stored version `V`.
pub struct Kind<V> {
    /// How messages name it ("policy").
    pub noun: &'static str,
    /// A project's version (the active one when none is asked for); an error when there is
    /// none to show.
    pub fetch: fn(&dyn Ledger, &str, Option<i64>) -> anyhow::Result<V>,
    /// Checks and stores a text as a project's next version, set by an actor.
    pub store: fn(&dyn Ledger, &str, &str, &str) -> anyhow::Result<V>,
    /// Every version of a project, oldest first.
    pub list: fn(&dyn Ledger, &str) -> anyhow::Result<Vec<V>>,
    /// What every stored version tells.
    pub about: fn(&V) -> About<'_>,
    /// What a version holds that its listing counts (a column's title), and how many.
    pub counted: Option<(&'static str, Count<V>)>,
    /// Parses a file and says what it holds, in a few words; or why it is not valid.
    pub summarize: fn(&str) -> anyhow::Result<String>,
}

/// How many of what a version holds.
pub type Count<V> = fn(&V) -> usize;

/// What every stored version of a document tells, whatever its kind.
pub struct About<'a> {
    pub project: &'a str,
    pub version: i64,
    /// The text as it was set.
    pub source: &'a str,
    pub sha256: &'a str,
    pub created_by: &'a str,
    /// When it was set; `None` for a built-in document, which nobody set.
    pub set_at: Option<NaiveDateTime>,
    /// The text was the active version's already: nothing was stored.
    pub unchanged: bool,
}

/// The [`About`] of a stored version whose fields are named as every kind's are, set at
/// `set_at`.
macro_rules! about {
    ($v:expr, set_at: $set_at:expr) => {
        $crate::commands::document::About {
            project: &$v.project,
            version: $v.version,
            source: &$v.source,
            sha256: &$v.sha256,
            created_by: &$v.created_by,
            set_at: $set_at,
            unchanged: $v.unchanged,
        }
    };
}
pub(crate) use about;

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn when(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

impl<V: Serialize> Kind<V> {
    /// Reads a file and stores it as a project's next version.
    pub fn set(
        &self,
        ledger: &dyn Ledger,
        project: &str,
        file: &Path,
        actor: &str,
    ) -> anyhow::Result<Outcome> {
        let source = read(file)?;
        let stored = (self.store)(ledger, project, &source, actor).with_context(|| {
            format!(
                "{} not stored; the active {} is unchanged",
                file.display(),
                self.noun
            )
        })?;
        let about = (self.about)(&stored);
        if about.unchanged {
            say!(
                "{} v{} of {} is already this text; nothing stored",
                self.noun,
                about.version,
                about.project
            );
        } else {
            let counted = match self.counted {
                Some((what, count)) => format!(": {} {what}", count(&stored)),
                None => String::new(),
            };
            say!(
                "{} v{} of {} stored and active{counted} (sha256 {})",
                self.noun,
                about.version,
                about.project,
                about.sha256.get(..12).unwrap_or(about.sha256)
            );
        }
        Ok(Outcome::Ok)
    }

    /// Prints a project's version as written, or as JSON.
    pub fn show(&self, ledger: &dyn Ledger, args: &PolicyShowArgs) -> anyhow::Result<Outcome> {
        let stored = (self.fetch)(ledger, &args.project, args.version)?;
        match args.format {
            PolicyFormat::Toml => {
                let about = (self.about)(&stored);
                match about.set_at {
                    Some(at) => say!(
                        "# {} v{} of {}, set by {} at {} UTC",
                        self.noun,
                        about.version,
                        about.project,
                        about.created_by,
                        when(at)
                    ),
                    None => say!(
                        "# {} has set no {}: the built-in one",
                        about.project,
                        self.noun
                    ),
                }
                output::verbatim(about.source)?;
                if !about.source.ends_with('\n') {
                    say!();
                }
            }
            PolicyFormat::Json => output::json(&stored)?,
        }
        Ok(Outcome::Ok)
    }

    /// Lists a project's versions.
    pub fn versions(&self, ledger: &dyn Ledger, args: &ReleasesArgs) -> anyhow::Result<Outcome> {
        let versions = (self.list)(ledger, &args.project)?;
        match args.format {
            OutputFormat::Json => output::json(&versions)?,
            OutputFormat::Csv => output::csv(&headers(self), rows(self, &versions))?,
            OutputFormat::Table => output::table(&headers(self), rows(self, &versions))?,
        }
        Ok(Outcome::Ok)
    }

    /// Checks a file without storing it (no database needed).
    pub fn check(&self, args: &PolicyCheckArgs) -> anyhow::Result<Outcome> {
        let source = read(&args.file)?;
        let summary =
            (self.summarize)(&source).with_context(|| format!("{}", args.file.display()))?;
        say!("{}: valid ({summary})", args.file.display());
        Ok(Outcome::Ok)
    }
}

/// The columns of a kind's list of versions.
fn headers<V>(kind: &Kind<V>) -> Vec<&'static str> {
    let mut headers = vec!["version", "active", "set by", "set at"];
    headers.extend(kind.counted.map(|(what, _)| what));
    headers.push("sha256");
    headers
}

/// A row per version, the last one active.
fn rows<V>(kind: &Kind<V>, versions: &[V]) -> Vec<Vec<String>> {
    let last = versions.last().map(|v| (kind.about)(v).version);
    versions
        .iter()
        .map(|v| {
            let about = (kind.about)(v);
            let mut row = vec![
                about.version.to_string(),
                if Some(about.version) == last {
                    "yes"
                } else {
                    ""
                }
                .to_string(),
                about.created_by.to_string(),
                about.set_at.map(when).unwrap_or_default(),
            ];
            row.extend(kind.counted.map(|(_, count)| count(v).to_string()));
            row.push(about.sha256.to_string());
            row
        })
        .collect()
}
