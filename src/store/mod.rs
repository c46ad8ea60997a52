//! The sled store: opening it (one process at a time, schema check, recovery of an unfinished
//! write), looking units and records up, and the write paths in the submodules. Nothing outside
//! `store/` sees sled or raw bytes.

mod aggregate;
mod backend;
mod batch;
mod byte_fields;
pub mod codec;
mod dump;
mod error;
mod find;
mod import;
mod journal;
pub mod keys;
mod kid_totals;
mod kids;
mod migrate;
mod optional_numbers;
mod restore;
mod schemes;
mod session;
mod undo;
mod write;

pub use aggregate::Difference;
pub use error::{Result, RowProblem, StoreError};
pub use import::UnitOutcome;
pub use journal::{import_counts, is_reversal, row_of, JournalEntry, Reversal};
pub use restore::{SledRestore, RESTORE_FOLDER};
pub use session::{AddOutcome, ImportSession};

use codec::{Stored, UnitRow};
use keys::TreeId;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The version of the store's layout. A store with a larger number is refused; one with a
/// smaller number is upgraded (`upgrade::open` backs it up first; the steps are in `migrate`).
pub const SCHEMA_VERSION: u32 = 9;

/// sled's page cache; its real memory use can be several times this. 16 MB rather than 64: an
/// import writes new pages and reads back few, and at national size the larger cache was
/// ~90-110 MB of each import's peak (units 485 against 593 MB, evaluations 436 against 587) at
/// the same CPU (issue 14, session 11).
pub const CACHE_BYTES: u64 = 16 * 1024 * 1024;

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    trees: HashMap<TreeId, sled::Tree>,
    readonly: bool,
    /// Who the change journal records.
    operator: String,
    /// The journal entry being undone, while an undo writes.
    undoing: std::sync::Mutex<Option<u64>>,
    /// While a batch is committed (`store::batch`), the undo-logged write its changes go into.
    batch: std::sync::Mutex<Option<batch::BatchWrite>>,
    /// The last year bucket read for a date within its year, and once read twice, decoded
    /// (`aggregate::LastBucket`).
    last_bucket: std::sync::Mutex<aggregate::LastBucket>,
    /// Held for the life of the store: the lock that keeps a second process out (a reader's
    /// is shared). `None` after `into_lock` has taken it, and for a reader of a store without a
    /// lock file (which it does not create).
    lock: Option<File>,
    /// Under `--readonly`, the private copy sled opened; removed after sled (fields drop in
    /// order, so this one last).
    _copy: Option<ReadonlyCopy>,
}

/// A private copy of a store's sled files, for `--readonly`: sled opens its files to write
/// and, on a damaged log, rewrites `db` as it recovers; a reader must change nothing, and must
/// work on files it cannot write. The copy is in the system's temporary folder, private to the
/// user, and removed when the store closes.
struct ReadonlyCopy(PathBuf);

impl ReadonlyCopy {
    fn make(sled: &Path) -> Result<ReadonlyCopy> {
        let io = |p: &Path, e: std::io::Error| StoreError::Io(format!("{}: {e}", p.display()));
        let base = std::env::temp_dir();
        let mut n = 0u32;
        let root = loop {
            let candidate = base.join(format!("shegong-readonly-{}-{n}", std::process::id()));
            match std::fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(io(&candidate, e)),
            }
        };
        let copy = ReadonlyCopy(root);
        restrict(&copy.0, 0o700)?;
        copy_tree(sled, &copy.sled()).map_err(|e| io(sled, e))?;
        Ok(copy)
    }

    fn sled(&self) -> PathBuf {
        sled_dir(&self.0)
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

impl Drop for ReadonlyCopy {
    fn drop(&mut self) {
        // A copy that cannot be removed holds nothing that is not in the store itself; the
        // system clears its temporary folder. Nothing else can be done from a drop.
        if std::fs::remove_dir_all(&self.0).is_err() && self.0.exists() {
            let (zh, en) = crate::words::both(crate::words::D::TempCopyNotRemoved, &[]);
            eprintln!("shegong: {zh} / {en} {}", self.0.display());
        }
    }
}

/// The lock of a store's folder, held without the store open (a restore holds it while it
/// builds the new store beside it).
pub struct DirLock {
    _file: File,
}

/// Takes the lock of the store folder `dir` (which must exist), as opening the store would.
pub fn lock_dir(dir: &Path) -> Result<DirLock> {
    Ok(DirLock { _file: lock(dir)? })
}

/// Puts the sled files of the store built in `work` in the place of `dir`'s (an empty store's,
/// or none): one rename, so `dir` holds either the old store or the whole new one. The old
/// files go to `work`, which the caller removes. The caller holds `dir`'s lock, and the store
/// in `work` is closed.
pub fn install_store(dir: &Path, work: &Path) -> Result<()> {
    let io = |p: &Path, e: std::io::Error| StoreError::Io(format!("{}: {e}", p.display()));
    let target = sled_dir(dir);
    if target.exists() {
        let aside = work.join("replaced");
        std::fs::rename(&target, &aside).map_err(|e| io(&target, e))?;
    }
    let built = sled_dir(work);
    std::fs::rename(&built, &target).map_err(|e| io(&built, e))?;
    // The renames are durable once the folder is synced.
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(dir, e))?;
    Ok(())
}

fn sled_dir(dir: &Path) -> PathBuf {
    dir.join("sled")
}

/// The OS user, for the journal when no `--operator` is given.
pub fn default_operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// Whether a store has been created in `dir`. Either of sled's files will do: without `conf`
/// (its settings) sled writes it again from ours, which never change, and `db` holds the data;
/// so a lost `conf` is no reason to say "no store" (or to `init` over the data).
pub fn exists(dir: &Path) -> bool {
    let sled = sled_dir(dir);
    sled.join("conf").exists() || sled.join("db").exists()
}

fn lock(dir: &Path) -> Result<File> {
    use fs2::FileExt;
    let path = dir.join("lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
    restrict(&path, 0o600)?;
    retrying_briefly(|| file.try_lock_exclusive()).map_err(|_| StoreError::InUse(dir.to_path_buf()))?;
    Ok(file)
}

/// Takes a lock, trying again for a moment before giving up. Between `fork` and `exec`, a child
/// process that this process (or another shegong's thread) starts holds a copy of every open
/// descriptor, the lock file's included, until its `exec` closes them (they are close-on-exec):
/// a lock released a moment ago can still look held. Another process that really holds the
/// store holds it for longer than this wait.
fn retrying_briefly<E>(mut take: impl FnMut() -> std::result::Result<(), E>) -> std::result::Result<(), E> {
    const TRIES: u32 = 15;
    let mut tries = 0;
    loop {
        match take() {
            Ok(()) => return Ok(()),
            Err(e) if tries + 1 >= TRIES => return Err(e),
            Err(_) => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

/// A reader's lock: the lock file opened to read (a reader creates and changes nothing) and
/// locked shared, so readers run side by side and a writer keeps them out while it writes.
/// A store without a lock file has had no writer that could be excluded: no lock.
fn read_lock(dir: &Path) -> Result<Option<File>> {
    let path = dir.join("lock");
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::Io(format!("{}: {e}", path.display()))),
    };
    retrying_briefly(|| file.try_lock_shared()).map_err(|_| StoreError::InUse(dir.to_path_buf()))?;
    Ok(Some(file))
}

/// Makes a file or folder private to the user. A file system without Unix permissions (one
/// that refuses or does not support the change) still holds a working store, so only other
/// errors are returned; the files are private anyway where the OS has modes (`main` sets the
/// umask).
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<()> {
    use std::io::ErrorKind;
    use std::os::unix::fs::PermissionsExt;
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::PermissionDenied | ErrorKind::Unsupported) => Ok(()),
        Err(e) => Err(StoreError::Io(format!("{}: {e}", path.display()))),
    }
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// `NotAFolder` when `dir`, or the nearest of its parents that exists, is a file: said in
/// words, not as the OS's "File exists (os error 17)".
fn refuse_a_file(dir: &Path) -> Result<()> {
    let existing = dir.ancestors().find(|p| !p.as_os_str().is_empty() && p.exists());
    match existing {
        Some(p) if !p.is_dir() => Err(StoreError::NotAFolder(p.to_path_buf())),
        _ => Ok(()),
    }
}

/// Creates the folder (and its parents) private to the user.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    refuse_a_file(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
    restrict(dir, 0o700)
}

/// A `snap.*.generating` file is a snapshot sled was still writing when its process died; sled
/// would read it as a snapshot and refuse the store. With our lock held, no sled is writing
/// one now: move such files aside (`torn-snap.…`), and sled opens from the last whole snapshot and
/// its log, which hold everything. Public for the crash tests, which look into a killed store
/// with sled alone before shegong opens it.
pub fn set_aside_torn_snapshots(sled_dir: &Path) -> Result<()> {
    let io = |p: &Path, e: std::io::Error| StoreError::Io(format!("{}: {e}", p.display()));
    let entries = match std::fs::read_dir(sled_dir) {
        Ok(entries) => entries,
        // No folder yet: a new store, which sled creates.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(sled_dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(sled_dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            // sled takes every file named `snap.*` for a snapshot: the new name must not start
            // so. Left in place, it would make sled refuse the store: a failure is an error.
            std::fs::rename(entry.path(), sled_dir.join(format!("torn-{name}"))).map_err(|e| io(&entry.path(), e))?;
        }
    }
    Ok(())
}

/// Opens sled. sled 0.34.7 panics on some damaged files instead of returning an error (for
/// one, `pagecache/iterator.rs` asserts on a duplicated segment header): such a panic becomes
/// a `Corrupt` error in words, and its message is kept off the user's screen. The hook is
/// process-wide: while this thread opens, a panic of any other thread (another test, a worker)
/// still goes to the hook that was there, with its message.
fn open_catching_panics(path: &Path) -> sled::Result<sled::Db> {
    let previous = std::sync::Arc::new(std::panic::take_hook());
    let opening = std::thread::current().id();
    let others = std::sync::Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != opening {
            others(info);
        }
    }));
    let opened = std::panic::catch_unwind(|| sled::Config::new().path(path).cache_capacity(CACHE_BYTES).open());
    // Dropping this thread's hook lets go of its hold on `previous`.
    drop(std::panic::take_hook());
    match std::sync::Arc::try_unwrap(previous) {
        Ok(hook) => std::panic::set_hook(hook),
        // Another thread's panic is in the old hook right now: it stays shared.
        Err(shared) => std::panic::set_hook(Box::new(move |info| shared(info))),
    }
    opened.unwrap_or_else(|_| Err(sled::Error::Corruption { at: None, bt: () }))
}

impl Store {
    /// Opens an existing store of the current schema. An older one is refused with
    /// `OlderSchema`: `upgrade::open` backs it up and upgrades it.
    pub fn open(dir: &Path, readonly: bool) -> Result<Store> {
        let (store, found) = Store::open_any_schema(dir, readonly)?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// Opens a store of this schema or an older one (for `upgrade::open` to upgrade); returns
    /// the schema it was written with. A newer schema is refused.
    pub fn open_any_schema(dir: &Path, readonly: bool) -> Result<(Store, u32)> {
        refuse_a_file(dir)?;
        if !exists(dir) {
            return Err(StoreError::Missing(dir.to_path_buf()));
        }
        let store = Store::open_sled(dir, readonly)?;
        let found = match store.meta_u32(keys::META_SCHEMA)? {
            None => return Err(StoreError::Corrupt("no schema version".into())),
            Some(found) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    found,
                    supported: SCHEMA_VERSION,
                })
            }
            Some(found) => found,
        };
        if store.tree(TreeId::Meta).contains_key(keys::META_PENDING)? {
            if readonly {
                return Err(StoreError::Corrupt(
                    "an earlier write did not finish; open it once without --readonly to roll it back".into(),
                ));
            }
            store.recover()?;
        }
        Ok((store, found))
    }

    /// Creates a new, empty store. Refuses a folder that already holds one with data.
    pub fn create(dir: &Path) -> Result<Store> {
        if exists(dir) {
            let store = Store::open(dir, false)?;
            if !store.is_empty()? {
                return Err(StoreError::AlreadyExists(dir.to_path_buf()));
            }
            return Ok(store);
        }
        create_private_dir(dir)?;
        let store = Store::open_sled(dir, false)?;
        store
            .tree(TreeId::Meta)
            .insert(keys::META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
        store.flush()?;
        Ok(store)
    }

    fn open_sled(dir: &Path, readonly: bool) -> Result<Store> {
        let (lock, copy) = if readonly {
            let lock = read_lock(dir)?;
            (lock, Some(ReadonlyCopy::make(&sled_dir(dir))?))
        } else {
            (Some(lock(dir)?), None)
        };
        let path = copy.as_ref().map_or_else(|| sled_dir(dir), ReadonlyCopy::sled);
        // Our own lock keeps other shegong processes out, so sled's lock can only be held for
        // a moment by a handle that is still closing in this process: wait for it (up to 10 s;
        // a loaded machine has been seen to take more than 2).
        set_aside_torn_snapshots(&path)?;
        let mut attempts = 0;
        let db = loop {
            match open_catching_panics(&path) {
                Ok(db) => break db,
                Err(sled::Error::Io(io)) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    attempts += 1;
                    if attempts > 200 {
                        return Err(StoreError::InUse(dir.to_path_buf()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                // Opening reads; an OS error here (no permission, say) is not a failed write.
                Err(sled::Error::Io(io)) => return Err(StoreError::Io(format!("{}: {io}", path.display()))),
                Err(other) => return Err(StoreError::from(other)),
            }
        };
        if !readonly {
            restrict(&path, 0o700)?;
        }
        let mut trees = HashMap::new();
        for id in TreeId::ALL {
            trees.insert(id, db.open_tree(id.name())?);
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            db,
            trees,
            readonly,
            lock,
            operator: default_operator(),
            undoing: std::sync::Mutex::new(None),
            batch: std::sync::Mutex::new(None),
            last_bucket: std::sync::Mutex::new(aggregate::LastBucket::default()),
            _copy: copy,
        })
    }

    /// Closes the store (flushing it) but keeps its folder locked.
    pub fn into_lock(mut self) -> Result<DirLock> {
        self.flush()?;
        let file = self
            .lock
            .take()
            .ok_or_else(|| StoreError::Io("the store's lock was already taken".into()))?;
        Ok(DirLock { _file: file })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    pub(crate) fn tree(&self, id: TreeId) -> &sled::Tree {
        // Every TreeId is opened in `open_sled`.
        &self.trees[&id]
    }

    fn meta_u32(&self, key: &[u8]) -> Result<Option<u32>> {
        Ok(self.tree(TreeId::Meta).get(key)?.and_then(|v| keys::read_u32(&v)))
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        failed_earlier()?;
        self.db.flush()?;
        Ok(())
    }

    /// True when the store holds no unit (records need units, so no records either).
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.tree(TreeId::Units).is_empty())
    }

    fn check_writable(&self) -> Result<()> {
        if self.readonly {
            Err(StoreError::ReadOnly)
        } else {
            Ok(())
        }
    }

    // ---- units ----

    pub(crate) fn unit_idx(&self, code: &str) -> Result<Option<u32>> {
        Ok(self
            .tree(TreeId::Codes)
            .get(code.as_bytes())?
            .and_then(|v| keys::read_u32(&v)))
    }

    pub(crate) fn unit_row(&self, idx: u32) -> Result<Option<UnitRow>> {
        match self.tree(TreeId::Units).get(keys::u32_key(idx))? {
            Some(bytes) => Ok(Some(UnitRow::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn unit_row_by_code(&self, code: &str) -> Result<Option<UnitRow>> {
        match self.unit_idx(code)? {
            Some(idx) => self.unit_row(idx),
            None => Ok(None),
        }
    }

    /// The numeric index of a unit, or `UnknownUnit`.
    pub(crate) fn unit_index(&self, code: &str) -> Result<u32> {
        self.unit_idx(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))
    }

    /// The numeric index of a unit, if it exists (a stable number: order of first import).
    pub fn unit_index_of(&self, code: &str) -> Result<Option<u32>> {
        self.unit_idx(code)
    }

    /// The unit with this code.
    pub fn unit(&self, code: &str) -> Result<Option<crate::domain::Unit>> {
        Ok(self.unit_row_by_code(code)?.map(|r| r.unit))
    }

    /// The front of the row of the unit with this code (its place, level, station and
    /// opening), without decoding the rest (`codec::UnitFront`).
    pub(crate) fn unit_front(&self, code: &str) -> Result<Option<codec::UnitFront>> {
        let Some(idx) = self.unit_idx(code)? else {
            return Ok(None);
        };
        match self.tree(TreeId::Units).get(keys::u32_key(idx))? {
            Some(bytes) => Ok(Some(codec::UnitFront::of(&bytes)?)),
            None => Ok(None),
        }
    }

    fn child_indices(&self, parent: Option<u32>) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        for item in self.tree(TreeId::Children).scan_prefix(keys::children_prefix(parent)) {
            let (k, _) = item?;
            if let Some(child) = keys::read_u32(&k[4..]) {
                out.push(child);
            }
        }
        Ok(out)
    }

    fn rows_of(&self, indices: Vec<u32>) -> Result<Vec<UnitRow>> {
        let mut rows = Vec::with_capacity(indices.len());
        for idx in indices {
            if let Some(row) = self.unit_row(idx)? {
                rows.push(row);
            }
        }
        rows.sort_by(|a, b| a.unit.code.cmp(&b.unit.code));
        Ok(rows)
    }

    /// The units without a parent, by code (kept together: `store::kids`).
    pub fn roots(&self) -> Result<Vec<crate::domain::Unit>> {
        self.kid_units(None)
    }

    /// The children of a unit, by code (kept with it: `store::kids`).
    pub fn children(&self, code: &str) -> Result<Vec<crate::domain::Unit>> {
        let idx = self
            .unit_idx(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        self.kid_units(Some(idx))
    }

    /// The children of a unit, by code, each read from its own row: what the write paths
    /// ask (inside a batch, the values kept with each parent change only at its end).
    pub(crate) fn children_read_each(&self, code: &str) -> Result<Vec<crate::domain::Unit>> {
        let idx = self
            .unit_idx(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        Ok(self
            .rows_of(self.child_indices(Some(idx))?)?
            .into_iter()
            .map(|r| r.unit)
            .collect())
    }

    /// Whether the unit has children, without reading them.
    pub fn has_children(&self, code: &str) -> Result<bool> {
        let idx = self
            .unit_idx(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        Ok(self
            .tree(TreeId::Children)
            .scan_prefix(keys::children_prefix(Some(idx)))
            .next()
            .is_some())
    }

    /// The unit and its ancestors, root first.
    pub fn path_to(&self, code: &str) -> Result<Vec<crate::domain::Unit>> {
        let row = self
            .unit_row_by_code(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        let mut path = Vec::new();
        crate::registry::rules::walk_up(row, |row| {
            path.push(row.unit.clone());
            match row.parent_idx {
                None => Ok(None),
                Some(parent) => self
                    .unit_row(parent)?
                    .map(Some)
                    .ok_or_else(|| StoreError::Corrupt(format!("missing parent of {}", row.unit.code))),
            }
        })?;
        path.reverse();
        Ok(path)
    }

    /// Every unit, in code order (for export and backup).
    pub fn all_units(&self) -> Result<Vec<crate::domain::Unit>> {
        let mut units = Vec::new();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            units.push(UnitRow::decode(&v)?.unit);
        }
        // Parents before children: sort by depth via level, then code.
        units.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
        Ok(units)
    }

    /// How many units, evaluations, trainings and budget entries the store holds. Reads every
    /// page: for `check` and tests, not for screens.
    pub fn counts(&self) -> Result<[usize; 4]> {
        let mut counts = [self.tree(TreeId::Units).len(), 0, 0, 0];
        for (slot, tree) in [TreeId::Evaluations, TreeId::Trainings, TreeId::Budget]
            .into_iter()
            .enumerate()
        {
            for item in self.tree(tree).iter() {
                counts[slot + 1] += codec::Page::decode(&item?.1)?.entries.len();
            }
        }
        Ok(counts)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if WRITE_FAILED.load(std::sync::atomic::Ordering::SeqCst) {
            // sled after a failed write (a full disk): its flush, and the flush each of its
            // trees makes when dropped, can wait forever. The handle is leaked instead, and the
            // process ends soon after with the error already reported; the unfinished write is
            // rolled back (its undo log is on disk) when the store is next opened.
            std::mem::forget(self.db.clone());
            return;
        }
        // Every command flushes before it returns; this covers early returns on errors, which
        // are already being reported: a failure of this last flush cannot be added to them.
        if self.db.flush().is_err() {
            WRITE_FAILED.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Set when sled reported an I/O error (a full disk, a failing device). From then on this
/// process makes no more writes or flushes: sled 0.34.7, after such an error, can leave a flush
/// waiting forever for a write that will not happen (the "full disk hangs").
static WRITE_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn mark_write_failed() {
    WRITE_FAILED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// `WriteFailed` when an earlier write of this process failed.
pub(crate) fn failed_earlier() -> Result<()> {
    if WRITE_FAILED.load(std::sync::atomic::Ordering::SeqCst) {
        Err(StoreError::WriteFailed(None))
    } else {
        Ok(())
    }
}
