//! A batch (`storage::Storage::commit`) on sled: every change of it goes into one undo-logged
//! write (`write::LoggedWrite`), each change as one part, so that the next change reads what
//! the ones before it wrote (a second reversal of one entry is refused, totals add up). The
//! pending mark is on disk from the first part to the end: a process killed in between leaves
//! the undo log, and the next open rolls the whole batch back (`Store::recover`). A change
//! refused in the middle is taken back at once from the same log; the totals' old values are
//! logged too inside a batch (outside one they are rebuilt on recovery instead), so that this
//! needs no rebuild of every total unless a change of the batch rebuilt them.
//!
//! The single writes are unchanged: `Store::apply` asks `batch_part` first, which hands the
//! set back at once when no batch is being committed (one uncontended lock).

use super::write::{LoggedWrite, Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::registry::batch::{carry_out, Batch, Committed};

/// The write a batch's changes go into while it is committed.
pub(crate) struct BatchWrite {
    write: LoggedWrite,
    /// A change rebuilt every total (a unit deleted): a rollback rebuilds them again.
    rebuilt: bool,
}

fn poisoned() -> StoreError {
    StoreError::Io("a batch's write failed earlier in this process".into())
}

impl Store {
    /// Makes every change of `batch`, in order, or none of them.
    pub fn commit(&self, batch: &Batch) -> Result<Committed> {
        self.check_writable()?;
        if batch.is_empty() {
            return Ok(Committed::default());
        }
        let write = self.logged_begin(true)?;
        {
            let mut slot = self.batch.lock().map_err(|_| poisoned())?;
            if slot.is_some() {
                return Err(StoreError::Io("a batch is being committed already".into()));
            }
            *slot = Some(BatchWrite { write, rebuilt: false });
        }
        let result = carry_out(self, batch, &mut || Ok(()));
        let taken = self.batch.lock().map_err(|_| poisoned())?.take().ok_or_else(poisoned)?;
        match result {
            Ok(committed) => {
                self.logged_finish(taken.write)?;
                Ok(committed)
            }
            Err(refused) => {
                // Nothing of the batch stays. If even the rollback fails (a full disk), the
                // undo log stays on disk, the next open rolls back, and this process writes no
                // more; the refusal is what is reported.
                if self.roll_back_log(taken.rebuilt).is_err() {
                    super::mark_write_failed();
                }
                Err(refused)
            }
        }
    }

    /// `set` handed back when no batch is being committed; else written as the next part of
    /// the batch's write (`None`).
    pub(crate) fn batch_part(&self, mut set: WriteSet) -> Result<Option<WriteSet>> {
        let mut slot = self.batch.lock().map_err(|_| poisoned())?;
        let Some(batch) = slot.as_mut() else {
            return Ok(Some(set));
        };
        for op in &mut set.ops {
            if matches!(op.undo, Undo::Rebuild) {
                op.undo = match self.tree(op.tree).get(&op.key)? {
                    Some(old) => Undo::Restore(old.to_vec()),
                    None => Undo::Remove,
                };
            }
        }
        batch.rebuilt |= set.rebuild_totals;
        self.logged_part(&mut batch.write, set)?;
        Ok(None)
    }
}
