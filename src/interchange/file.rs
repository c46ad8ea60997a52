//! A file to import, read from disk. CSV is read as it streams by, so that a file of any size
//! costs a buffer and a row; a workbook or a JSON file is read whole, as its format requires,
//! and refused in words above `WHOLE_FILE_LIMIT` rather than exhausting memory. What cannot be
//! opened is said in words, not as an OS error.
//!
//! The write side: where an export or a backup goes (`check_output`, `write_output`). A
//! regular file is replaced whole through a temporary file and a rename; a device, a FIFO or a
//! socket is written as a stream and never renamed over; a folder, a link to nothing and
//! anything inside the store folder are refused in words.

use super::stream::{Digest, Hashed};
use super::table::{read_csv, Sheet};
use super::Problems;
use crate::domain::Problem;
use crate::i18n::Lang;
use crate::words::{say, F, P};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The largest workbook or JSON file read. Both are read whole and then held as a table of
/// strings: a JSON export of a million budget entries (170 MB) peaks at 1.45 GB, so this limit
/// keeps a JSON import near 2 GB. A workbook holds at most 1,048,576 rows, about 45 MB zipped
/// (1.2 GB at peak), far below it. A larger file of records is to be given as CSV.
pub const WHOLE_FILE_LIMIT: u64 = 256 << 20;

/// What the start of a file says it is.
pub(super) enum Opened {
    /// A workbook or JSON (or what is not a plain file, such as a pipe, which cannot be read
    /// twice): its bytes.
    Whole(Vec<u8>),
    /// CSV, `size` bytes: to be read with `csv_sheet`, once per pass.
    Csv { size: u64 },
}

/// Enough of a file to tell a workbook (its magic number) or JSON (`[` first) from CSV.
const HEAD_BYTES: u64 = 64 << 10;

/// Opens a file and tells what it holds; a workbook or JSON file over `whole_limit` bytes
/// (`WHOLE_FILE_LIMIT` but in tests) is refused.
pub(super) fn open(path: &Path, whole_limit: u64) -> Result<Opened, Problem> {
    let (file, meta) = open_file(path)?;
    let mut head = Vec::new();
    (&file).take(HEAD_BYTES).read_to_end(&mut head).map_err(read_failed)?;
    let whole = super::xlsx::is_workbook(&head) || super::json::is_json(&head);
    if !whole && meta.is_file() {
        return Ok(Opened::Csv { size: meta.len() });
    }
    if meta.is_file() && meta.len() > whole_limit {
        return Err(too_big(meta.len(), whole_limit));
    }
    let mut bytes = head;
    (&file)
        .take((whole_limit + 1).saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes)
        .map_err(read_failed)?;
    if bytes.len() as u64 > whole_limit {
        return Err(too_big(bytes.len() as u64, whole_limit));
    }
    Ok(Opened::Whole(bytes))
}

/// A CSV file as a sheet read from disk, hashed as it is read (see `Sheet::digest`).
pub(super) fn csv_sheet(path: &Path) -> Result<Sheet<'static>, Problems> {
    let (file, _) = open_file(path).map_err(|p| Problems::one(super::FileProblem::new(0, "", p)))?;
    let digest = Digest::default();
    Ok(read_csv(Hashed::new(file, digest.clone()))?.hashed_by(digest))
}

fn open_file(path: &Path) -> Result<(File, std::fs::Metadata), Problem> {
    let file = File::open(path).map_err(|e| cannot_open(&e))?;
    let meta = file.metadata().map_err(|e| cannot_open(&e))?;
    if meta.is_dir() {
        return Err(Problem::said("", P::OpenFolder, &[]));
    }
    Ok((file, meta))
}

fn cannot_open(e: &io::Error) -> Problem {
    match e.kind() {
        io::ErrorKind::NotFound => Problem::said("", P::OpenNoSuchFile, &[]),
        io::ErrorKind::PermissionDenied => Problem::said("", P::OpenNotAllowed, &[]),
        _ => Problem::said("", P::OpenFailed, &[&e]),
    }
}

fn read_failed(e: io::Error) -> Problem {
    Problem::said("", P::ReadFailed, &[&e])
}

fn too_big(size: u64, limit: u64) -> Problem {
    let (mb, limit) = (size.div_ceil(1 << 20), limit.div_ceil(1 << 20));
    Problem::said("", P::FileTooLargeForMemory, &[&mb, &limit])
}

/// Why an output path is refused before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputRefusal {
    /// The path (after its links) is the store folder or inside it, where a file would replace
    /// or corrupt the store's own files. `DIR/backups` is allowed: automatic backups live there.
    InStore { path: PathBuf, store: PathBuf },
    /// The path is a folder.
    Folder(PathBuf),
    /// The path is a symbolic link to nothing: writing through it would create a file somewhere
    /// the user did not name.
    DanglingLink(PathBuf),
}

impl OutputRefusal {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            OutputRefusal::InStore { path, store } => say(lang, F::OutputInStore, &[&path.display(), &store.display()]),
            OutputRefusal::Folder(path) => say(lang, F::OutputFolder, &[&path.display()]),
            OutputRefusal::DanglingLink(path) => say(lang, F::OutputDanglingLink, &[&path.display()]),
        }
    }
}

/// The path as the system resolves it: links followed, `..` gone. A path that does not exist
/// yet is its (resolved) folder joined with its name; `None` when the folder does not exist
/// either (the write then fails on its own).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// Refuses, before anything is written or the store is opened, an output that is a folder, a
/// link to nothing, or inside the store folder `store` (its `backups` folder excepted).
pub fn check_output(path: &Path, store: &Path) -> Result<(), OutputRefusal> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() && std::fs::metadata(path).is_err() {
            return Err(OutputRefusal::DanglingLink(path.to_path_buf()));
        }
    }
    if let (Some(real), Ok(store_real)) = (resolved(path), std::fs::canonicalize(store)) {
        if real.starts_with(&store_real) && !real.starts_with(store_real.join("backups")) {
            return Err(OutputRefusal::InStore {
                path: path.to_path_buf(),
                store: store.to_path_buf(),
            });
        }
    }
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(OutputRefusal::Folder(path.to_path_buf()));
    }
    Ok(())
}

/// How an output is written, from what is at its path now.
enum Sink {
    /// Nothing yet, or a regular file (perhaps behind links): a temporary file in the real
    /// file's folder, renamed over it, so that a crash never leaves half a file under the name
    /// and a link stays a link.
    Replace(PathBuf),
    /// A device, a FIFO or a socket: written in place as a stream. Renaming over it would
    /// replace the device itself (as root, `/dev/null`).
    Stream,
}

fn sink(path: &Path) -> io::Result<Sink> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                // A link to nothing (created after `check_output` looked): do not follow it.
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a symbolic link to a file that does not exist",
                ));
            }
            return Ok(Sink::Replace(path.to_path_buf()));
        }
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        Ok(Sink::Replace(std::fs::canonicalize(path)?))
    } else if meta.is_dir() {
        Err(io::Error::new(io::ErrorKind::IsADirectory, "a folder, not a file"))
    } else {
        Ok(Sink::Stream)
    }
}

/// The temporary file an output is written to before it gets its name: in the same folder, so
/// that the rename is atomic.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Writes what `fill` produces to `path`: a regular file (new, or replaced through its links)
/// whole or not at all, through a temporary file and a rename; a device, FIFO or socket as a
/// stream, never renamed over or removed.
pub fn write_output<T, E>(
    path: &Path,
    fill: impl FnOnce(BufWriter<File>) -> Result<(BufWriter<File>, T), E>,
    io_error: impl Fn(io::Error) -> E,
) -> Result<T, E> {
    let target = match sink(path).map_err(&io_error)? {
        Sink::Stream => {
            let file = File::options().write(true).open(path).map_err(&io_error)?;
            let (mut writer, value) = fill(BufWriter::with_capacity(1 << 16, file))?;
            writer.flush().map_err(&io_error)?;
            return Ok(value);
        }
        Sink::Replace(target) => target,
    };
    let tmp = temp_path(&target);
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(&io_error)?;
    let result = fill(BufWriter::with_capacity(1 << 16, file)).and_then(|(writer, value)| {
        let file = writer.into_inner().map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(&io_error)?;
        drop(file);
        std::fs::rename(&tmp, &target).map_err(&io_error)?;
        Ok(value)
    });
    match result {
        Ok(value) => {
            sync_parent(&target).map_err(&io_error)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(gone) = std::fs::remove_file(&tmp) {
                if gone.kind() != io::ErrorKind::NotFound {
                    // The error that stopped the write is returned; this one is said beside it
                    // (in both languages: the caller's language is not at hand here).
                    let (zh, en) = crate::words::both(F::UnfinishedFileNotRemoved, &[&tmp.display(), &gone]);
                    eprintln!("{zh}{en}");
                }
            }
            Err(e)
        }
    }
}

/// Makes the rename durable. A file system that cannot sync a folder says so with
/// `InvalidInput` or `Unsupported`: there the rename is as durable as it can be made.
fn sync_parent(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        return match File::open(parent).and_then(|dir| dir.sync_all()) {
            Err(e) if matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported) => Ok(()),
            other => other,
        };
    }
    #[cfg(not(unix))]
    let _unused = path;
    Ok(())
}
