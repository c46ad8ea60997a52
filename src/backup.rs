//! `shegong backup FILE` and `shegong restore FILE`: the whole store as one file and back.
//!
//! The file holds the records themselves (units, evaluations, trainings, budget entries) and
//! the change journal, not the store's pages and totals: a restore adds the records through the
//! ordinary write path, which recomputes every total, and puts the journal back as it was (plus
//! one entry saying that the store was restored). Units are written in the order they were
//! first added, so that they get the same internal numbers again and every record the same key
//! (keys are content hashes): the journal's record keys, and `undo`, stay right. A backup
//! survives changes of the store's internal layout, and `shegong check` passes after a restore.
//!
//! Format version 3 (version 2 differs only in the evaluation, which had no points per
//! indicator (`legacy::EvaluationV1`) and in having no schemes; version 1 also in the unit: its
//! staff counts were plain numbers, read back by `records::count_from_schema2`), all integers
//! little-endian:
//!
//! ```text
//! MAGIC (16 bytes: "shegong-backup\n\x1a")  version: u32
//! info: BackupInfo                     (as `binary` encodes an item)
//! { tag: u8, item }*                   tag 1 Unit, 2 Evaluation, 3 Training, 4 BudgetEntry,
//!                                      5 (id: u64, JournalEntry), 6 Scheme (version 3),
//!                                      in that order; item =
//!                                      the type as `binary` encodes it (the journal oldest first)
//! tag 0, trailer: Trailer              (the count of each kind and of journal entries)
//! checksum: u64                        xxh3-64 of every byte before it
//! ```
//!
//! A file with a larger version is refused with a message naming both versions; a file with a
//! wrong checksum or a truncated one is refused before the store is touched. Changing any
//! domain type that is written here requires a new version number (a test restores a version 1
//! fixture to catch that).

use crate::binary;
use crate::domain::{BudgetEntry, Evaluation, Scheme, Training, Unit};
use crate::i18n::Lang;
use crate::record::Record;
use crate::storage::{RestoreTarget, Storage};
use crate::store::{self, JournalEntry, StoreError};
use crate::words::{say, F};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub const MAGIC: &[u8; 16] = b"shegong-backup\n\x1a";
/// The format this version writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 3;

const TAG_END: u8 = 0;
const TAG_UNIT: u8 = 1;
const TAG_EVALUATION: u8 = 2;
const TAG_TRAINING: u8 = 3;
const TAG_BUDGET: u8 = 4;
const TAG_JOURNAL: u8 = 5;
/// Evaluation schemes, after the journal (format 3): nothing before them refers to them.
const TAG_SCHEME: u8 = 6;

/// What the file says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupInfo {
    /// The shegong version that wrote it.
    pub app_version: String,
    /// When, in the writer's local time (RFC 3339).
    pub created_at: String,
    /// The store layout version of the store it came from (for information only).
    pub store_schema: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Trailer {
    /// Units, evaluations, trainings, budget entries, journal entries.
    counts: [u64; 5],
}

/// How many units, evaluations, trainings and budget entries a backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    pub info: BackupInfo,
    pub counts: [u64; 4],
    /// Entries of the change journal.
    pub journal: u64,
}

#[derive(Debug)]
pub enum BackupError {
    Store(StoreError),
    /// Reading or writing a file failed.
    Io {
        path: PathBuf,
        error: String,
    },
    /// The file is not a shegong backup.
    NotABackup(PathBuf),
    /// Written by a newer shegong.
    NewerFormat {
        path: PathBuf,
        found: u32,
    },
    /// Damaged or cut short.
    Damaged {
        path: PathBuf,
        what: String,
    },
    /// A value an import would refuse (a date no calendar has, text past the cap).
    BadValue {
        path: PathBuf,
        /// Which item of the file, counting from 1.
        item: u64,
        problem: crate::domain::Problem,
    },
    /// `restore` into a store that already holds data.
    NotEmpty {
        dir: PathBuf,
        counts: [usize; 4],
    },
    /// The store took fewer records than the backup holds (a bug, or a damaged backup).
    Incomplete {
        kind: &'static str,
        expected: u64,
        added: usize,
    },
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Store(e)
    }
}

impl BackupError {
    pub fn exit_code(&self) -> i32 {
        match self {
            BackupError::Store(e) => e.exit_code(),
            _ => 1,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            BackupError::Store(e) => e.message(lang),
            BackupError::Io { path, error } => say(lang, F::BackupIo, &[&path.display(), error]),
            BackupError::NotABackup(path) => say(lang, F::NotABackup, &[&path.display()]),
            BackupError::NewerFormat { path, found } => {
                say(lang, F::BackupNewerFormat, &[&path.display(), found, &FORMAT_VERSION])
            }
            BackupError::Damaged { path, what } => say(lang, F::BackupDamaged, &[&path.display(), what]),
            BackupError::BadValue { path, item, problem } => {
                say(lang, F::BackupBadValue, &[&path.display(), item, &problem.render(lang)])
            }
            BackupError::NotEmpty { dir, counts } => {
                let [u, e, t, b] = counts;
                say(lang, F::RestoreNotEmpty, &[&dir.display(), u, e, t, b])
            }
            BackupError::Incomplete { kind, expected, added } => {
                say(lang, F::RestoreIncomplete, &[expected, kind, added])
            }
        }
    }
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for BackupError {}

/// Feeds every byte written or read through the checksum.
struct Hashing<T> {
    inner: T,
    hash: xxhash_rust::xxh3::Xxh3,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Hashing {
            inner,
            hash: xxhash_rust::xxh3::Xxh3::new(),
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Everything that can go wrong while writing the stream.
enum WriteFail {
    Store(StoreError),
    Io(io::Error),
}

impl From<StoreError> for WriteFail {
    fn from(e: StoreError) -> Self {
        WriteFail::Store(e)
    }
}

impl From<io::Error> for WriteFail {
    fn from(e: io::Error) -> Self {
        WriteFail::Io(e)
    }
}

fn write_item<W: Write, T: Serialize>(out: &mut W, tag: u8, item: &T) -> Result<(), WriteFail> {
    out.write_all(&[tag])?;
    binary::write_item(&mut *out, item)?;
    Ok(())
}

fn write_records<W: Write, R: Record + Serialize>(
    storage: &dyn Storage,
    out: &mut W,
    tag: u8,
) -> Result<u64, WriteFail> {
    let mut n = 0u64;
    crate::registry::for_each_record(storage, |r: R| -> Result<(), WriteFail> {
        n += 1;
        write_item(out, tag, &r)
    })?;
    Ok(n)
}

fn write_stream<W: Write>(store: &dyn Storage, out: W) -> Result<(W, BackupSummary), WriteFail> {
    let mut out = Hashing::new(out);
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    let info = BackupInfo {
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        store_schema: store::SCHEMA_VERSION,
    };
    binary::write_item(&mut out, &info)?;
    let units = store.units_for_backup()?;
    for u in &units {
        write_item(&mut out, TAG_UNIT, u)?;
    }
    let mut trailer = Trailer::default();
    trailer.counts[0] = units.len() as u64;
    drop(units);
    trailer.counts[1] = write_records::<_, Evaluation>(store, &mut out, TAG_EVALUATION)?;
    trailer.counts[2] = write_records::<_, Training>(store, &mut out, TAG_TRAINING)?;
    trailer.counts[3] = write_records::<_, BudgetEntry>(store, &mut out, TAG_BUDGET)?;
    for entry in store.journal_entries()? {
        write_item(&mut out, TAG_JOURNAL, &entry)?;
        trailer.counts[4] += 1;
    }
    for scheme in store.schemes()? {
        write_item(&mut out, TAG_SCHEME, &scheme)?;
    }
    out.write_all(&[TAG_END])?;
    binary::write_item(&mut out, &trailer)?;
    let checksum = out.hash.digest();
    let mut inner = out.inner;
    inner.write_all(&checksum.to_le_bytes())?;
    Ok((inner, summary(info, trailer.counts)))
}

/// Writes what `fill` produces to `path`: a regular file whole or not at all (a temporary file
/// and a rename), a device or FIFO as a stream (see `interchange::write_output`).
pub fn write_atomically<T, E>(
    path: &Path,
    fill: impl FnOnce(BufWriter<File>) -> Result<(BufWriter<File>, T), E>,
    io_error: impl Fn(io::Error) -> E,
) -> Result<T, E> {
    crate::interchange::write_output(path, fill, io_error)
}

/// Writes the whole store to `path`.
pub fn backup(store: &dyn Storage, path: &Path) -> Result<BackupSummary, BackupError> {
    let io_err = |e: io::Error| WriteFail::Io(e);
    write_atomically(path, |w| write_stream(store, w), io_err).map_err(|e| match e {
        WriteFail::Store(e) => BackupError::Store(e),
        WriteFail::Io(e) => BackupError::Io {
            path: path.to_path_buf(),
            error: e.to_string(),
        },
    })
}

/// Reads a backup item by item. `check` mode reads it all to the end and verifies it.
struct BackupReader {
    path: PathBuf,
    input: Hashing<BufReader<File>>,
    info: BackupInfo,
    last_tag: u8,
    /// The file's format version: version 1 wrote units in their schema-2 layout.
    version: u32,
}

/// One item of a backup.
enum Item {
    Unit(Unit),
    Evaluation(Evaluation),
    Training(Training),
    Budget(BudgetEntry),
    Journal((u64, JournalEntry)),
    Scheme(Scheme),
    End(Trailer),
}

impl BackupReader {
    fn open(path: &Path) -> Result<BackupReader, BackupError> {
        let io_err = |e: io::Error| BackupError::Io {
            path: path.to_path_buf(),
            error: e.to_string(),
        };
        let file = File::open(path).map_err(io_err)?;
        let mut input = Hashing::new(BufReader::with_capacity(1 << 16, file));
        let mut magic = [0u8; 16];
        if input.read_exact(&mut magic).is_err() || &magic != MAGIC {
            return Err(BackupError::NotABackup(path.to_path_buf()));
        }
        let mut version = [0u8; 4];
        input.read_exact(&mut version).map_err(|_| BackupError::Damaged {
            path: path.to_path_buf(),
            what: "no format version".into(),
        })?;
        let version = u32::from_le_bytes(version);
        if version > FORMAT_VERSION {
            return Err(BackupError::NewerFormat {
                path: path.to_path_buf(),
                found: version,
            });
        }
        if version == 0 {
            return Err(BackupError::Damaged {
                path: path.to_path_buf(),
                what: "format version 0".into(),
            });
        }
        let mut reader = BackupReader {
            path: path.to_path_buf(),
            input,
            info: BackupInfo {
                app_version: String::new(),
                created_at: String::new(),
                store_schema: 0,
            },
            last_tag: TAG_UNIT,
            version,
        };
        reader.info = reader.decode("the header")?;
        Ok(reader)
    }

    fn damaged(&self, what: impl Into<String>) -> BackupError {
        BackupError::Damaged {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn decode<T: DeserializeOwned>(&mut self, what: &str) -> Result<T, BackupError> {
        binary::read_item(&mut self.input).map_err(|e| self.damaged(format!("{what}: {e}")))
    }

    fn next(&mut self) -> Result<Item, BackupError> {
        let mut tag = [0u8; 1];
        self.input
            .read_exact(&mut tag)
            .map_err(|_| self.damaged("the file ends too early"))?;
        let tag = tag[0];
        if tag != TAG_END && tag < self.last_tag {
            return Err(self.damaged("records out of order"));
        }
        self.last_tag = tag;
        Ok(match tag {
            TAG_UNIT if self.version == 1 => Item::Unit(self.decode::<crate::domain::legacy::UnitV1>("a unit")?.into()),
            TAG_UNIT => Item::Unit(self.decode("a unit")?),
            TAG_EVALUATION if self.version < 3 => Item::Evaluation(
                self.decode::<crate::domain::legacy::EvaluationV1>("an evaluation")?
                    .into(),
            ),
            TAG_EVALUATION => Item::Evaluation(self.decode("an evaluation")?),
            TAG_TRAINING => Item::Training(self.decode("a training")?),
            TAG_BUDGET => Item::Budget(self.decode("a budget entry")?),
            TAG_JOURNAL => Item::Journal(self.decode("a journal entry")?),
            TAG_SCHEME if self.version >= 3 => Item::Scheme(self.decode("a scheme")?),
            TAG_END => Item::End(self.decode("the trailer")?),
            other => return Err(self.damaged(format!("unknown item type {other}"))),
        })
    }

    /// After the trailer: the checksum must match and nothing may follow.
    fn finish(mut self) -> Result<(), BackupError> {
        let expected = self.input.hash.digest();
        let mut stored = [0u8; 8];
        self.input
            .inner
            .read_exact(&mut stored)
            .map_err(|_| self.damaged("no checksum"))?;
        if u64::from_le_bytes(stored) != expected {
            return Err(self.damaged("the checksum does not match"));
        }
        let mut rest = [0u8; 1];
        match self.input.inner.read(&mut rest) {
            Ok(0) => Ok(()),
            _ => Err(self.damaged("extra bytes after the end")),
        }
    }
}

/// Reads a whole backup and checks it (format, every item, counts, checksum) without touching
/// any store.
pub fn verify(path: &Path) -> Result<BackupSummary, BackupError> {
    let mut reader = BackupReader::open(path)?;
    let mut counts = [0u64; 5];
    let trailer = loop {
        let item = reader.next()?;
        // Every value as an import checks it: a crafted or damaged backup with a date no
        // calendar has (65535-02-30) is refused here, before any store is touched.
        let problems = match &item {
            // The text cap is not applied: a backup may hold text stored before it existed.
            Item::Unit(u) => u.validate_restored(),
            Item::Evaluation(r) => r.validate_restored(),
            Item::Training(r) => r.validate_restored(),
            Item::Budget(r) => r.validate_restored(),
            Item::Scheme(s) => s.validate(),
            Item::Journal(_) | Item::End(_) => Vec::new(),
        };
        if let Some(problem) = problems.into_iter().next() {
            return Err(BackupError::BadValue {
                path: path.to_path_buf(),
                item: counts.iter().sum::<u64>() + 1,
                problem,
            });
        }
        match item {
            Item::Unit(_) => counts[0] += 1,
            Item::Evaluation(_) => counts[1] += 1,
            Item::Training(_) => counts[2] += 1,
            Item::Budget(_) => counts[3] += 1,
            Item::Journal(_) => counts[4] += 1,
            // Not in the trailer's counts, which format 2 fixed; the checksum covers them.
            Item::Scheme(_) => {}
            Item::End(t) => break t,
        }
    };
    if trailer.counts != counts {
        return Err(reader.damaged("the counts do not match the records"));
    }
    let info = reader.info.clone();
    reader.finish()?;
    Ok(summary(info, counts))
}

fn summary(info: BackupInfo, counts: [u64; 5]) -> BackupSummary {
    BackupSummary {
        info,
        counts: [counts[0], counts[1], counts[2], counts[3]],
        journal: counts[4],
    }
}

/// A batch of one kind, stored when the kind changes.
enum Batch {
    None,
    Units(Vec<Unit>),
    Evaluations(Vec<Evaluation>),
    Trainings(Vec<Training>),
    Budget(Vec<BudgetEntry>),
    Schemes(Vec<Scheme>),
}

fn add_all<R: Record>(store: &dyn Storage, records: Vec<R>, kind: &'static str) -> Result<(), BackupError> {
    let outcome = store.add_records(R::rows(&records), true)?;
    if outcome.added != records.len() {
        return Err(BackupError::Incomplete {
            kind,
            expected: records.len() as u64,
            added: outcome.added,
        });
    }
    Ok(())
}

impl Batch {
    fn store(self, store: &dyn Storage) -> Result<(), BackupError> {
        match self {
            Batch::None => Ok(()),
            Batch::Units(units) => {
                let outcome = store.apply_units(&units, true)?;
                if outcome.added != units.len() {
                    return Err(BackupError::Incomplete {
                        kind: "units",
                        expected: units.len() as u64,
                        added: outcome.added,
                    });
                }
                Ok(())
            }
            Batch::Evaluations(r) => add_all(store, r, "evaluations"),
            Batch::Trainings(r) => add_all(store, r, "trainings"),
            Batch::Budget(r) => add_all(store, r, "budget entries"),
            Batch::Schemes(s) => Ok(store.add_schemes(&s)?),
        }
    }
}

/// Adds every item of a (verified) backup to an empty store, one batch per kind, so that
/// identical records keep their occurrence numbers and so their keys; then puts the journal
/// back.
fn fill(store: &dyn Storage, path: &Path) -> Result<(), BackupError> {
    let mut reader = BackupReader::open(path)?;
    let mut batch = Batch::None;
    let mut journal = Vec::new();
    loop {
        let item = reader.next()?;
        batch = match (batch, item) {
            (Batch::Units(mut v), Item::Unit(u)) => {
                v.push(u);
                Batch::Units(v)
            }
            (Batch::Evaluations(mut v), Item::Evaluation(r)) => {
                v.push(r);
                Batch::Evaluations(v)
            }
            (Batch::Trainings(mut v), Item::Training(r)) => {
                v.push(r);
                Batch::Trainings(v)
            }
            (Batch::Budget(mut v), Item::Budget(r)) => {
                v.push(r);
                Batch::Budget(v)
            }
            (Batch::Schemes(mut v), Item::Scheme(s)) => {
                v.push(s);
                Batch::Schemes(v)
            }
            (batch, Item::Journal(entry)) => {
                journal.push(entry);
                batch
            }
            (done, item) => {
                done.store(store)?;
                match item {
                    Item::Unit(u) => Batch::Units(vec![u]),
                    Item::Evaluation(r) => Batch::Evaluations(vec![r]),
                    Item::Training(r) => Batch::Trainings(vec![r]),
                    Item::Budget(r) => Batch::Budget(vec![r]),
                    Item::Scheme(s) => Batch::Schemes(vec![s]),
                    Item::Journal(_) | Item::End(_) => break,
                }
            }
        };
    }
    let info = reader.info.clone();
    reader.finish()?;
    // The journal goes back last, over the entries the adding above wrote.
    let summary = format!(
        "store restored from the backup {} made by shegong {} at {}",
        path.display(),
        info.app_version,
        info.created_at
    );
    store.replace_journal(journal, "restore", "store", summary)?;
    Ok(())
}

/// The folder, inside a sled store's, where a restore builds the new store.
pub use crate::store::RESTORE_FOLDER;

/// Restores a backup into the store in `dir` (sled's `store::SledRestore`): creates it when
/// missing, fills it when empty, refuses it when it holds data.
pub fn restore(dir: &Path, path: &Path, operator: &str) -> Result<BackupSummary, BackupError> {
    restore_into(&mut store::SledRestore::new(dir), path, operator)
}

/// Restores a backup into any backend the caller gives. All or nothing: the backup is verified
/// in full (its values as strictly as an import's) before the target is touched, and the new
/// store is built apart and put in place at once by the target (sled: a folder beside the old
/// one, then one rename), so a restore that fails or is killed leaves the place as it was and
/// can simply be run again.
pub fn restore_into(target: &mut dyn RestoreTarget, path: &Path, operator: &str) -> Result<BackupSummary, BackupError> {
    let summary = verify(path)?;
    let restored = (|| -> Result<(), BackupError> {
        if let Some(counts) = target.open()? {
            return Err(BackupError::NotEmpty {
                dir: PathBuf::from(target.place()),
                counts,
            });
        }
        let filled = target.build(operator)?;
        fill(filled.as_ref(), path)?;
        target.install(filled)?;
        Ok(())
    })();
    match restored {
        Ok(()) => Ok(summary),
        Err(e) => {
            // The target takes back what it did (a half-built store, a folder made for this
            // restore); a place that held data is left as it was found.
            target.abandon()?;
            Err(e)
        }
    }
}
