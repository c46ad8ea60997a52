//! The change journal: who changed what, when, before and after. Each entry is written in the
//! same all-or-nothing write as the change it describes, under the next number (1, 2, 3, … with
//! no gaps, across restarts: the number the UI and `shegong history` show as `#N`). A bulk
//! import of many records is one entry (its counts, and a token naming the keys it added in the
//! `batches` tree, so that undo can take back exactly those); single changes carry the record
//! before and after. `undo_last` (decided in `registry::undo`) takes back the newest change not undone yet.

use super::codec::Stored;
use super::keys::TreeId;
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
pub use crate::registry::journal::{
    import_counts, import_summary, is_reversal, json, renumbered, row_of, row_summary, JournalEntry, Reversal,
    IMPORT_PREFIX, REVERSES, ROW_BY_ROW_LIMIT,
};

impl Stored for JournalEntry {
    const VERSION: u8 = 1;
    const NAME: &'static str = "journal entry";
    fn encode(&self) -> std::result::Result<Vec<u8>, super::codec::EncodeError> {
        super::codec::encode_versioned(Self::NAME, Self::VERSION, self)
    }
    fn decode(bytes: &[u8]) -> std::result::Result<Self, super::codec::DecodeError> {
        super::codec::decode_versioned(Self::NAME, Self::VERSION, bytes)
    }
}

/// The number of a journal key (8 bytes, big-endian).
fn entry_number(key: &[u8]) -> Option<u64> {
    key.try_into().ok().map(u64::from_be_bytes)
}

impl Store {
    /// Who the journal records as making the changes of this session.
    pub fn set_operator(&mut self, operator: &str) {
        self.operator = operator.to_string();
    }

    pub(crate) fn entry(&self, action: &str, kind: &str, unit: Option<&str>, summary: String) -> JournalEntry {
        // While undoing, the writes that undo are journaled as the undo of that entry.
        let undoes = self.undoing.lock().ok().and_then(|u| *u);
        JournalEntry::new(&self.operator, undoes, action, kind, unit, summary)
    }

    /// Adds a journal entry to a write, under the number after the newest one stored or
    /// already in this write; returns that number. (sled's `generate_id` jumps by a million
    /// after a reopen: numbers people read must not.) The write is all or nothing, so a write
    /// that fails leaves no gap either.
    pub(crate) fn journal(&self, set: &mut WriteSet, entry: JournalEntry) -> Result<u64> {
        let in_set = set
            .ops
            .iter()
            .filter(|op| op.tree == TreeId::Journal && op.value.is_some())
            .filter_map(|op| entry_number(&op.key))
            .max()
            .unwrap_or(0);
        let id = self
            .journal_mark()?
            .max(in_set)
            .checked_add(1)
            .ok_or(StoreError::Overflow)?;
        set.put(
            TreeId::Journal,
            id.to_be_bytes().to_vec(),
            entry.encode()?,
            Undo::Remove,
        );
        Ok(id)
    }

    /// Renumbers the journal 1, 2, 3, … in its order, in one batch (all or nothing): the step
    /// of the upgrade to schema 3, for journals numbered by sled's `generate_id`.
    pub(crate) fn renumber_journal(&self) -> Result<()> {
        let tree = self.tree(TreeId::Journal);
        let mut entries = self.history_with_ids(None, 0)?;
        entries.reverse();
        let mut batch = sled::Batch::default();
        for item in tree.iter() {
            batch.remove(item?.0);
        }
        for (id, entry) in renumbered(entries) {
            batch.insert(&id.to_be_bytes(), entry.encode()?);
        }
        tree.apply_batch(batch)?;
        Ok(())
    }

    /// The id of the newest journal entry (0 when there is none): compare two marks to know
    /// whether anything changed in between.
    pub fn journal_mark(&self) -> Result<u64> {
        match self.tree(TreeId::Journal).last()? {
            Some((k, _)) => entry_number(&k).ok_or_else(|| StoreError::Corrupt("bad journal key".into())),
            None => Ok(0),
        }
    }

    /// Every journal entry with its id, newest first, read as needed.
    fn journal_newest_first(&self) -> impl Iterator<Item = Result<(u64, JournalEntry)>> + '_ {
        self.tree(TreeId::Journal).iter().rev().map(|item| {
            let (k, v) = item?;
            let id = k
                .as_ref()
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt("bad journal key".into()))?;
            Ok((id, JournalEntry::decode(&v)?))
        })
    }

    /// The journal with each entry's id, newest first.
    pub fn history_with_ids(&self, unit: Option<&str>, limit: usize) -> Result<Vec<(u64, JournalEntry)>> {
        self.history_where(limit, |e| unit.is_none_or(|u| e.unit.as_deref() == Some(u)))
    }

    /// The entries `keep` accepts, with their ids, newest first, at most `limit`: the history
    /// of one record (by `key`), or of a unit and the units below it. A `limit` of 0 never
    /// stops early: every entry `keep` accepts.
    pub fn history_where(
        &self,
        limit: usize,
        mut keep: impl FnMut(&JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        self.history_numbered(limit, &mut |_, e| keep(e))
    }

    /// `history_where` with `keep` given each entry's number too.
    pub fn history_numbered(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        let mut out = Vec::new();
        for item in self.journal_newest_first() {
            let entry = item?;
            if keep(entry.0, &entry.1) {
                out.push(entry);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Every reversal in force, oldest first: read from the journal (reversals not undone).
    pub fn reversals(&self) -> Result<Vec<Reversal>> {
        let mut undone = std::collections::HashSet::new();
        let mut out = Vec::new();
        for item in self.journal_newest_first() {
            let (id, entry) = item?;
            if let Some(u) = entry.undoes {
                undone.insert(u);
                continue;
            }
            if undone.contains(&id) || entry.action != "add" {
                continue;
            }
            if let (Some(of), Some(by)) = (entry.summary.strip_prefix(REVERSES), &entry.key) {
                out.push(Reversal {
                    of: of.to_string(),
                    by: by.clone(),
                    number: id,
                    record: entry.after.clone(),
                });
            }
        }
        out.reverse();
        Ok(out)
    }

    /// While `Some(n)`, the writes this store makes are journaled as the undo of entry `n`.
    pub(crate) fn set_undoing(&self, id: Option<u64>) {
        if let Ok(mut slot) = self.undoing.lock() {
            *slot = id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_summaries_read_back() {
        assert_eq!(import_counts(&import_summary("unit", 3, 4)), Some((3, 4)));
        assert_eq!(import_counts(&import_summary("budget", 150, 0)), Some((150, 0)));
        assert_eq!(import_counts("restored from backup"), None);
    }

    #[test]
    fn rows_of_one_import_say_which_row_they_are() {
        assert_eq!(row_of(&row_summary("training added".into(), 2, 5)), Some((2, 5)));
        assert_eq!(row_summary("training added".into(), 1, 1), "training added");
        assert_eq!(row_of("training added"), None);
        assert_eq!(row_of("unit 530112008000 update · 0/3"), None);
        assert_eq!(row_of("unit 530112008000 update · 4/3"), None);
    }

    #[test]
    fn numbers_follow_the_order_and_undo_references_follow_their_entries() {
        let entry = |undoes: Option<u64>| JournalEntry {
            at: 0,
            operator: String::new(),
            action: "add".into(),
            kind: "training".into(),
            unit: None,
            key: None,
            before: None,
            after: None,
            summary: String::new(),
            undoes,
        };
        let old = vec![(0, entry(None)), (7, entry(None)), (2_000_000, entry(Some(7)))];
        let new = renumbered(old);
        let ids: Vec<u64> = new.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(new[2].1.undoes, Some(2));
    }
}
