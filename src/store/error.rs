//! What can go wrong with the store, each in words in both languages, with the exit code the
//! command line returns for it.

use crate::domain::Problem;
use crate::i18n::Lang;
use crate::words::{say, tr, Word, D};
use std::path::PathBuf;

/// A problem with one row of a batch of writes; `row` counts from 0 in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub problem: Problem,
}

#[derive(Debug)]
pub enum StoreError {
    /// No store in this folder.
    Missing(PathBuf),
    /// `init` or `restore` into a store that already holds data.
    AlreadyExists(PathBuf),
    /// Another process has the store open.
    InUse(PathBuf),
    /// The data folder (or a folder above it) is a file.
    NotAFolder(PathBuf),
    /// The store was written by a newer version of shegong.
    NewerSchema {
        found: u32,
        supported: u32,
    },
    /// The store was written by an older version of shegong and must be upgraded first (which
    /// `--readonly` forbids).
    OlderSchema {
        found: u32,
        supported: u32,
    },
    /// The store's files are damaged.
    Corrupt(String),
    /// Writing was refused because of `--readonly`.
    ReadOnly,
    /// The batch was refused; nothing was written.
    Rejected(Vec<RowProblem>),
    /// A unit code that does not exist.
    UnknownUnit(String),
    /// A record key that does not exist.
    UnknownRecord(String),
    /// `undo` found nothing to undo.
    NothingToUndo,
    /// The newest change cannot be undone: its entry lacks what undoing needs (a bulk import
    /// journaled by a shegong before schema 3, which did not keep the keys it added).
    CannotUndo(String),
    /// A total left the range of a 64-bit integer.
    Overflow,
    /// A value would be larger than the store writes (`codec::MAX_VALUE_BYTES`), or could not
    /// be encoded at all; nothing was stored.
    TooLarge {
        what: &'static str,
        bytes: Option<u64>,
        detail: String,
    },
    Io(String),
    /// A change refused for a reason said in words (a unit that still has records, an entry
    /// reversed already); nothing was written.
    Refused {
        zh: String,
        en: String,
    },
    /// One unit's records of one kind in one year would pass `codec::PAGE_LIMIT` together with
    /// those stored already; nothing was stored.
    PageFull {
        unit: String,
        year: u16,
        kind: &'static str,
    },
    /// sled could not write (the disk is full, or failing): the write was not kept. With the
    /// OS's words when this is the error itself; `None` for a later attempt in the same process.
    WriteFailed(Option<String>),
    /// A write outside the units this login may write (a shared server's clerk or auditor); the
    /// server refused it (row-level security or grants) and nothing was written.
    NotAllowed {
        login: String,
        unit: String,
    },
    /// Every write refused: a shared server's login that only reads (an auditor, or a login
    /// without a staff role).
    ReadsOnly {
        login: String,
    },
    /// The shared server cannot be reached or refused the login: `server` names it (never with
    /// a password), `reason` says why in the server's or the OS's words.
    Unreachable {
        server: String,
        reason: String,
    },
    /// A unit saved from a form that someone else saved after the form read it (`by`, at
    /// `at`); nothing was written.
    Conflict {
        unit: String,
        by: String,
        at: String,
    },
}

impl StoreError {
    pub fn exit_code(&self) -> i32 {
        match self {
            StoreError::InUse(_) => 3,
            // SPEC.md: 4, the write is not allowed.
            StoreError::ReadOnly | StoreError::NotAllowed { .. } | StoreError::ReadsOnly { .. } => 4,
            // SPEC.md: 5, the shared server cannot be reached or refused the login.
            StoreError::Unreachable { .. } => 5,
            _ => 1,
        }
    }

    /// A refusal worded by the catalogue: the key's text in both languages, with `args`.
    pub fn refused<W: Word>(key: W, args: &[&dyn std::fmt::Display]) -> StoreError {
        let (zh, en) = crate::words::both(key, args);
        StoreError::Refused { zh, en }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::Missing(p) => say(lang, D::StoreMissing, &[&p.display()]),
            StoreError::AlreadyExists(p) => say(lang, D::StoreAlreadyExists, &[&p.display()]),
            StoreError::InUse(p) => say(lang, D::StoreInUse, &[&p.display()]),
            StoreError::NotAFolder(p) => say(lang, D::StoreNotAFolder, &[&p.display()]),
            StoreError::NewerSchema { found, supported } => say(lang, D::StoreNewerSchema, &[found, supported]),
            StoreError::OlderSchema { found, supported } => say(lang, D::StoreOlderSchema, &[found, supported]),
            // The detail comes from deep inside (sled, the decoder) and is for whoever helps
            // the user: the sentence before it says what happened and what to do.
            StoreError::Corrupt(what) => say(lang, D::StoreCorrupt, &[what]),
            StoreError::ReadOnly => tr(lang, D::StoreReadOnly).into(),
            StoreError::NotAllowed { login, unit } => say(lang, D::StoreNotAllowed, &[login, unit]),
            StoreError::Unreachable { server, reason } => say(lang, D::StoreUnreachable, &[server, reason]),
            StoreError::Conflict { unit, by, at } => say(lang, D::StoreConflict, &[unit, by, at]),
            StoreError::ReadsOnly { login } => say(lang, crate::words::N::LoginReadsOnly, &[login]),
            StoreError::Rejected(problems) => {
                let mut out = say(lang, D::StoreRejected, &[&problems.len()]);
                for p in problems.iter().take(50) {
                    out.push_str(&format!("\n  {}: {}", p.row + 1, p.problem.render(lang)));
                }
                out
            }
            StoreError::UnknownUnit(code) => say(lang, D::StoreUnknownUnit, &[code]),
            StoreError::UnknownRecord(key) => say(lang, D::StoreUnknownRecord, &[key]),
            StoreError::NothingToUndo => tr(lang, D::StoreNothingToUndo).into(),
            StoreError::CannotUndo(what) => say(lang, D::StoreCannotUndo, &[what]),
            StoreError::Overflow => tr(lang, D::StoreOverflow).into(),
            StoreError::TooLarge { what, bytes, detail } => {
                let limit = super::codec::MAX_VALUE_BYTES / (1024 * 1024);
                match bytes {
                    Some(b) => {
                        let mb = b.div_ceil(1024 * 1024);
                        say(lang, D::StoreValueTooLarge, &[what, &mb, &limit])
                    }
                    None => say(lang, D::StoreCannotEncode, &[what, detail]),
                }
            }
            StoreError::PageFull { unit, year, kind } => {
                let limit = super::codec::PAGE_LIMIT / (1024 * 1024);
                let kind = match *kind {
                    "evaluation" => D::PageKindEvaluation,
                    "training" => D::PageKindTraining,
                    _ => D::PageKindBudget,
                };
                say(lang, D::StorePageFull, &[unit, year, &tr(lang, kind), &limit])
            }
            StoreError::WriteFailed(detail) => {
                let detail = detail.as_deref().unwrap_or("");
                say(lang, D::StoreWriteFailed, &[&detail])
            }
            StoreError::Io(e) => say(lang, D::StoreIo, &[e]),
            // A refusal carries both languages already (worded from the catalogue).
            StoreError::Refused { zh: z, en } => lang.pick(z, en).to_string(),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            // sled's own words name internal pointers ("at Inline(1329) backtrace ()").
            sled::Error::Corruption { .. } => {
                StoreError::Corrupt("data in sled/db is missing or fails its checksum".into())
            }
            sled::Error::Io(io) => {
                // Any I/O error of sled ends this process's writing (see `mark_write_failed`).
                super::mark_write_failed();
                StoreError::WriteFailed(Some(io.to_string()))
            }
            other => StoreError::Corrupt(format!("sled: {other}")),
        }
    }
}

impl From<super::codec::DecodeError> for StoreError {
    fn from(e: super::codec::DecodeError) -> Self {
        StoreError::Corrupt(e.0)
    }
}

impl From<super::codec::EncodeError> for StoreError {
    fn from(e: super::codec::EncodeError) -> Self {
        StoreError::TooLarge {
            what: e.name,
            bytes: e.bytes,
            detail: e.detail,
        }
    }
}

impl From<crate::rollup::Overflow> for StoreError {
    fn from(_: crate::rollup::Overflow) -> Self {
        StoreError::Overflow
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
