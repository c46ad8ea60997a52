//! Restoring into a sled store folder, as a `storage::RestoreTarget`: the folder is made when
//! missing and locked; a store already there must be empty (of any schema: an empty store of
//! an older one is replaced, not upgraded); the new store is built in
//! `dir/restore-in-progress` and put in place with one rename (`install_store`), so a restore
//! that fails or is killed leaves `dir` as it was and can simply be run again. What is
//! restored, and how it is checked, is `backup`'s business, the same for every backend.

use super::{create_private_dir, exists, install_store, lock_dir, DirLock, Result, Store, StoreError};
use crate::storage::{RestoreTarget, Storage};
use std::path::{Path, PathBuf};

/// The folder, inside the store's, where a restore builds the new store before it takes the
/// place of the old (empty) one. One left by a killed restore is removed by the next.
pub const RESTORE_FOLDER: &str = "restore-in-progress";

/// A restore into the sled store in `dir`.
pub struct SledRestore {
    dir: PathBuf,
    /// Whether `dir` was there before: a folder this restore made is taken away if it fails.
    dir_existed: bool,
    lock: Option<DirLock>,
}

impl SledRestore {
    pub fn new(dir: &Path) -> SledRestore {
        SledRestore {
            dir: dir.to_path_buf(),
            dir_existed: dir.exists(),
            lock: None,
        }
    }

    fn work(&self) -> PathBuf {
        self.dir.join(RESTORE_FOLDER)
    }

    fn remove(path: &Path) -> Result<()> {
        match std::fs::remove_dir_all(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io(format!("{}: {e}", path.display()))),
        }
    }
}

impl RestoreTarget for SledRestore {
    fn place(&self) -> String {
        self.dir.display().to_string()
    }

    fn open(&mut self) -> Result<Option<[usize; 4]>> {
        create_private_dir(&self.dir)?;
        let lock = if exists(&self.dir) {
            // Only emptiness matters: an empty store of an older schema is replaced.
            let (existing, _) = Store::open_any_schema(&self.dir, false)?;
            if !existing.is_empty()? {
                return Ok(Some(existing.counts()?));
            }
            existing.into_lock()?
        } else {
            lock_dir(&self.dir)?
        };
        self.lock = Some(lock);
        Ok(None)
    }

    fn build(&mut self, operator: &str) -> Result<Box<dyn Storage>> {
        if self.lock.is_none() {
            return Err(StoreError::Io(
                "a restore built a store before taking its folder".into(),
            ));
        }
        let work = self.work();
        Self::remove(&work)?;
        let mut store = Store::create(&work)?;
        store.set_operator(operator);
        Ok(Box::new(store))
    }

    fn install(&mut self, filled: Box<dyn Storage>) -> Result<()> {
        filled.flush()?;
        // Closed before its files move.
        drop(filled);
        install_store(&self.dir, &self.work())?;
        // The replaced empty store.
        Self::remove(&self.work())
    }

    fn abandon(&mut self) -> Result<()> {
        // The half-built store, then the lock, then a folder this restore made.
        let cleaned = Self::remove(&self.work());
        self.lock = None;
        if !self.dir_existed {
            Self::remove(&self.dir)?;
        }
        cleaned
    }
}
