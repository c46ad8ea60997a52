//! One write's transaction: `BEGIN` … `COMMIT` on its own, or a savepoint while a restore holds
//! the connection in one transaction of its own (`PgStorage::hold`), so that the restore's
//! writes become visible together when it commits, or not at all. Dropped without `commit`,
//! the write is rolled back (to its savepoint inside a restore).
//!
//! A batch (`Storage::commit`, `commit_batch`) holds the connection the same way: one
//! transaction around every change, each change's write a savepoint in it, so that a change
//! refused anywhere (a rule, a policy's refusal, a conflict) rolls the whole batch back.

use super::backend::PgStorage;
use crate::registry::batch::{carry_out, Batch, Committed};
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

impl PgStorage {
    /// Makes every change of `batch` in one transaction (a savepoint inside a restore's), or
    /// none of them.
    pub(super) fn commit_batch(&self, batch: &Batch) -> Result<Committed> {
        if batch.is_empty() {
            return Ok(Committed::default());
        }
        let outer = self.held();
        let (begin, commit, rollback) = if outer {
            (
                "SAVEPOINT shegong_batch",
                "RELEASE SAVEPOINT shegong_batch",
                "ROLLBACK TO SAVEPOINT shegong_batch; RELEASE SAVEPOINT shegong_batch",
            )
        } else {
            statements(false)
        };
        let staged = self.all_staged();
        self.client()?.batch_execute(begin).map_err(|e| self.err(&e))?;
        self.set_held(true);
        // The staging tables empty themselves at a commit, which a batch's records added one
        // change after another do not reach: emptied after each change instead.
        let result = carry_out(self, batch, &mut || self.empty_staging());
        let end = if result.is_ok() { commit } else { rollback };
        let ended = self
            .client()
            .and_then(|mut c| c.batch_execute(end).map_err(|e| self.err(&e)));
        self.set_held(outer);
        match (result, ended) {
            (Ok(committed), Ok(())) => Ok(committed),
            (Ok(_), Err(e)) => Err(e),
            (Err(refused), ended) => {
                // A staging table made inside the batch went with it.
                self.set_all_staged(staged);
                // A rollback that failed: the connection is gone, which ends the transaction
                // anyway; said, not swallowed, and the refusal is what is reported.
                if let Err(e) = ended {
                    eprintln!("{}", e.message(crate::i18n::Lang::En));
                }
                Err(refused)
            }
        }
    }

    /// Empties the staging tables this connection has, inside the batch's transaction.
    fn empty_staging(&self) -> Result<()> {
        use crate::domain::RecordKind;
        for kind in [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget] {
            if self.staged(kind) {
                let (table, _, _) = super::stage::stage(kind);
                self.client()?
                    .batch_execute(&format!("DELETE FROM pg_temp.{table}"))
                    .map_err(|e| self.err(&e))?;
            }
        }
        Ok(())
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
