//! Restoring a backup into a shegong database on the server, as a `storage::RestoreTarget`:
//! `open` brings the schema up when the database has none yet (or an older one) and refuses one
//! that holds units or records; `build` gives a backend that holds its connection in one
//! transaction (the record tables locked against other writers, emptiness checked again inside
//! it), in which the restore's writes are savepoints; `install` commits it, so everything
//! appears at once; a restore that fails drops the backend, which rolls the transaction back,
//! and `abandon` has nothing left to take back: the database is as it was.

use super::backend::PgStorage;
use super::error::store_error;
use super::migrate;
use crate::storage::{RestoreTarget, Storage};
use crate::store::{Result, StoreError};
use postgres::Client;
use std::path::PathBuf;

/// A restore into the database `client` is connected to.
pub struct PgRestore {
    client: Option<Client>,
    place: String,
}

impl PgRestore {
    /// `place` names the server and database in words, without a password.
    pub fn new(client: Client, place: String) -> PgRestore {
        PgRestore {
            client: Some(client),
            place,
        }
    }

    fn taken(&self) -> StoreError {
        StoreError::Io(format!("{}: the restore's connection was used already", self.place))
    }
}

/// Units, evaluations, trainings and budget entries the database holds.
fn counts(client: &mut Client, place: &str) -> Result<[usize; 4]> {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM shegong.units), (SELECT count(*) FROM shegong.evaluations),
                    (SELECT count(*) FROM shegong.trainings), (SELECT count(*) FROM shegong.budget)",
            &[],
        )
        .map_err(|e| store_error(&e, place, ""))?;
    let mut out = [0usize; 4];
    for (i, slot) in out.iter_mut().enumerate() {
        let n: i64 = row.try_get(i).map_err(|e| store_error(&e, place, ""))?;
        *slot = usize::try_from(n).map_err(|_| StoreError::Overflow)?;
    }
    Ok(out)
}

impl RestoreTarget for PgRestore {
    fn place(&self) -> String {
        self.place.clone()
    }

    fn open(&mut self) -> Result<Option<[usize; 4]>> {
        let place = self.place.clone();
        let client = self.client.as_mut().ok_or_else(|| StoreError::Io(place.clone()))?;
        let supported = migrate::latest();
        match migrate::version(client)? {
            Some(found) if found > supported => return Err(StoreError::NewerSchema { found, supported }),
            Some(found) if found == supported => {}
            _ => {
                migrate::apply(client)?;
            }
        }
        let held = counts(client, &place)?;
        Ok(held.iter().any(|n| *n > 0).then_some(held))
    }

    // The journal records the server's login; `operator` is not used.
    fn build(&mut self, _operator: &str) -> Result<Box<dyn Storage>> {
        let client = self.client.take().ok_or_else(|| self.taken())?;
        let storage = PgStorage::new(client, self.place.clone())?;
        storage.hold()?;
        // Nobody else writes units or records until the restore commits or rolls back.
        storage.lock_for_restore()?;
        if !storage.is_empty()? {
            return Err(StoreError::AlreadyExists(PathBuf::from(&self.place)));
        }
        Ok(Box::new(storage))
    }

    fn install(&mut self, filled: Box<dyn Storage>) -> Result<()> {
        filled.flush()
    }

    fn abandon(&mut self) -> Result<()> {
        // The backend `build` gave was dropped with the failed restore, rolling back its
        // transaction; a connection not used yet is closed.
        self.client = None;
        Ok(())
    }
}
