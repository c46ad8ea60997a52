//! One write's transaction: `BEGIN` … `COMMIT` on its own, or a savepoint while a restore holds
//! the connection in one transaction of its own (`PgStorage::hold`), so that the restore's
//! writes become visible together when it commits, or not at all. Dropped without `commit`,
//! the write is rolled back (to its savepoint inside a restore).

use super::backend::PgStorage;
use crate::store::Result;
use postgres::Client;
use std::cell::RefMut;
use std::ops::{Deref, DerefMut};

pub(super) struct Tx<'a> {
    client: RefMut<'a, Client>,
    store: &'a PgStorage,
    nested: bool,
    done: bool,
}

/// The statements that open, commit and roll back a write, by whether it is nested.
pub(super) fn statements(nested: bool) -> (&'static str, &'static str, &'static str) {
    if nested {
        (
            "SAVEPOINT shegong_write",
            "RELEASE SAVEPOINT shegong_write",
            "ROLLBACK TO SAVEPOINT shegong_write",
        )
    } else {
        ("BEGIN", "COMMIT", "ROLLBACK")
    }
}

impl PgStorage {
    /// Opens a write's transaction.
    pub(super) fn begin(&self) -> Result<Tx<'_>> {
        let nested = self.held();
        let mut client = self.client()?;
        client.batch_execute(statements(nested).0).map_err(|e| self.err(&e))?;
        Ok(Tx {
            client,
            store: self,
            nested,
            done: false,
        })
    }
}

impl Tx<'_> {
    pub(super) fn commit(mut self) -> Result<()> {
        self.done = true;
        let commit = statements(self.nested).1;
        self.client.batch_execute(commit).map_err(|e| self.store.err(&e))
    }
}

impl Deref for Tx<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // A failed write: nothing of it stays. A failure here means the connection is gone,
        // which ends the transaction anyway; it is said, not swallowed.
        let rollback = statements(self.nested).2;
        if let Err(e) = self.client.batch_execute(rollback) {
            eprintln!("{}", self.store.err(&e).message(crate::i18n::Lang::En));
        }
    }
}
