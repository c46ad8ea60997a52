//! Reading the whole store out one record at a time (export and backup), so that a million
//! records are never held twice in memory; and putting a backed-up journal back.

use super::codec::{Page, Stored, UnitRow};
use super::import::tree_of;
use super::journal::JournalEntry;
use super::keys::TreeId;
use super::{Result, Store, StoreError};
use crate::domain::Unit;
use crate::record::Record;

impl Store {
    /// Calls `f` with every record of a kind, in key order (unit, day, identity): the same
    /// records, in the same order, as `all_records`. Stops at the first error `f` returns.
    pub fn for_each_record<R: Record, E: From<StoreError>>(
        &self,
        mut f: impl FnMut(R) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for item in self.tree(tree_of(R::KIND)).iter() {
            let (_, v) = item.map_err(StoreError::from)?;
            for e in Page::decode(&v).map_err(StoreError::from)?.entries {
                f(super::codec::decode_record::<R>(&e.record).map_err(StoreError::from)?)?;
            }
        }
        Ok(())
    }

    /// Every unit in the order of its internal number, which is the order units were first
    /// added. Added in this order, in one batch, to an empty store, every unit gets the same
    /// number again, so every record gets the same key (and the journal's keys stay right).
    pub fn units_in_added_order(&self) -> Result<Vec<Unit>> {
        let mut units = Vec::new();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            units.push(UnitRow::decode(&v)?.unit);
        }
        Ok(units)
    }

    /// The whole journal, oldest first, with each entry's id.
    pub fn journal_entries(&self) -> Result<Vec<(u64, JournalEntry)>> {
        let mut entries = self.history_with_ids(None, usize::MAX)?;
        entries.reverse();
        Ok(entries)
    }

    /// Replaces the journal with `entries` (oldest first, with their ids in the store they come
    /// from), then adds an entry of `action` on `kind` with `summary` by this session's
    /// operator. Entries are numbered 1, 2, 3, … again (`journal::renumbered`), the note after
    /// them; an undo's reference to the entry it undid is renumbered to match.
    pub fn replace_journal(
        &self,
        entries: Vec<(u64, JournalEntry)>,
        action: &str,
        kind: &str,
        summary: String,
    ) -> Result<()> {
        self.check_writable()?;
        let tree = self.tree(TreeId::Journal);
        let mut batch = sled::Batch::default();
        for item in tree.iter() {
            batch.remove(item?.0);
        }
        let entries = super::journal::renumbered(entries);
        let next = entries.last().map_or(1, |(id, _)| id + 1);
        for (id, mut entry) in entries {
            // The keys a bulk import added stay in the store it was made in (the `batches`
            // tree is not backed up): here its token would name nothing, or another import's.
            if entry
                .key
                .as_deref()
                .is_some_and(|k| k.starts_with(super::journal::IMPORT_PREFIX))
            {
                entry.key = None;
            }
            batch.insert(&id.to_be_bytes(), entry.encode()?);
        }
        let note = self.entry(action, kind, None, summary);
        batch.insert(&next.to_be_bytes(), note.encode()?);
        tree.apply_batch(batch)?;
        self.tree(TreeId::Batches).clear()?;
        Ok(())
    }
}
