//! The change journal: who changed what, when, before and after. Each entry is written in the
//! same all-or-nothing write as the change it describes, under the next number (1, 2, 3, … with
//! no gaps, across restarts: the number the UI and `shegong history` show as `#N`). A bulk
//! import of many records is one entry (its counts, and a token naming the keys it added in the
//! `batches` tree, so that undo can take back exactly those); single changes carry the record
//! before and after. `undo_last` takes back the newest change not undone yet, whatever it was.

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

    /// The journal, newest first, optionally of one unit only, at most `limit` entries.
    pub fn history(&self, unit: Option<&str>, limit: usize) -> Result<Vec<JournalEntry>> {
        Ok(self
            .history_with_ids(unit, limit)?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
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
        let mut out = Vec::new();
        for item in self.journal_newest_first() {
            let entry = item?;
            if keep(&entry.1) {
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
    /// Undoes the newest change not undone yet, whatever it was: an added record is deleted, a
    /// deleted one comes back, an added unit is deleted, a deleted one comes back, an updated
    /// unit gets its old fields, a bulk import's records are removed (all or nothing). The undo
    /// is journaled too (action `undo`).
    pub fn undo_last(&self) -> Result<JournalEntry> {
        use super::keys::RecordKey;
        use crate::domain::{BudgetEntry, Evaluation, Training, Unit};
        self.check_writable()?;
        let (id, entry) = self.undo_target()?.ok_or(StoreError::NothingToUndo)?;
        let cannot = || StoreError::CannotUndo(entry.summary.clone());
        if !entry.undoable() {
            return Err(cannot());
        }
        let key = || {
            entry
                .key
                .as_deref()
                .filter(|text| RecordKey::from_text(text).is_some())
                .map(crate::domain::RecordId::new)
                .ok_or_else(cannot)
        };
        let before = || entry.before.as_deref().ok_or_else(cannot);
        let after = || entry.after.as_deref().ok_or_else(cannot);
        let token = || entry.import_token().ok_or_else(cannot);
        fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
            serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("journal entry: {e}")))
        }
        // The rows of one import journaled row by row go back together, in one write.
        if let Some((k, n)) = row_of(&entry.summary) {
            if matches!(entry.action.as_str(), "add" | "update") {
                return self.undo_rows(id, &entry, k, n).map(|_| entry);
            }
        }
        let undo = || self.entry(&entry.action, &entry.kind, entry.unit.as_deref(), entry.summary.clone());
        self.set_undoing(Some(id));
        let result = (|| -> Result<()> {
            match (entry.action.as_str(), entry.kind.as_str()) {
                ("add", "evaluation") => self.delete_record::<Evaluation>(&key()?).map(|_| ()),
                ("add", "training") => self.delete_record::<Training>(&key()?).map(|_| ()),
                ("add", "budget") => self.delete_record::<BudgetEntry>(&key()?).map(|_| ()),
                ("delete", "evaluation") => self.add_records(&[parse::<Evaluation>(before()?)?]).map(|_| ()),
                ("delete", "training") => self.add_records(&[parse::<Training>(before()?)?]).map(|_| ()),
                ("delete", "budget") => self.add_records(&[parse::<BudgetEntry>(before()?)?]).map(|_| ()),
                ("update" | "delete", "unit") => self.apply_units(&[parse::<Unit>(before()?)?]).map(|_| ()),
                ("add", "unit") => self.delete_unit(&parse::<Unit>(after()?)?.code).map(|_| ()),
                ("import", "evaluation") => self.undo_import::<Evaluation>(token()?, undo()),
                ("import", "training") => self.undo_import::<Training>(token()?, undo()),
                ("import", "budget") => self.undo_import::<BudgetEntry>(token()?, undo()),
                ("import", "unit") => self.undo_unit_import(token()?, undo()),
                _ => Err(cannot()),
            }
        })();
        self.set_undoing(None);
        result.map(|_| entry)
    }

    /// The change `undo_last` would take back, with its id: the newest entry that is not an
    /// undo and was not undone. A restore's entry (kind `store`) is passed over: it marks
    /// where a backup's journal resumed, and the records it put back keep their keys, so the
    /// changes before it can still be taken back. `None` when there is none. It may not be
    /// `undoable`: the UI asks this first, to say exactly what will be undone, or why it cannot.
    pub fn undo_target(&self) -> Result<Option<(u64, JournalEntry)>> {
        let mut undone = std::collections::HashSet::new();
        for item in self.journal_newest_first() {
            let (id, entry) = item?;
            if let Some(u) = entry.undoes {
                undone.insert(u);
            } else if !undone.contains(&id) && entry.kind != "store" {
                return Ok(Some((id, entry)));
            }
        }
        Ok(None)
    }

    /// Takes back the `n` rows of one import journaled row by row, `k`-th of which is entry
    /// `id`: the rows are the entries numbered around it, in one write.
    fn undo_rows(&self, id: u64, entry: &JournalEntry, k: u64, n: u64) -> Result<()> {
        use crate::domain::{BudgetEntry, Evaluation, Training};
        let first = id
            .checked_sub(k - 1)
            .ok_or_else(|| StoreError::CannotUndo(entry.summary.clone()))?;
        let mut rows = Vec::new();
        for row in first..first + n {
            let bytes = self
                .tree(TreeId::Journal)
                .get(row.to_be_bytes())?
                .ok_or_else(|| StoreError::CannotUndo(entry.summary.clone()))?;
            let e = JournalEntry::decode(&bytes)?;
            // Journaled in one write, the rows are of one kind and say which row they are.
            let in_group = e.kind == entry.kind
                && e.undoes.is_none()
                && matches!(e.action.as_str(), "add" | "update")
                && row_of(&e.summary) == Some((row - first + 1, n));
            if !in_group {
                return Err(StoreError::CannotUndo(entry.summary.clone()));
            }
            rows.push((row, e));
        }
        match entry.kind.as_str() {
            "evaluation" => self.undo_record_rows::<Evaluation>(&rows),
            "training" => self.undo_record_rows::<Training>(&rows),
            "budget" => self.undo_record_rows::<BudgetEntry>(&rows),
            "unit" => self.undo_unit_rows(&rows),
            _ => Err(StoreError::CannotUndo(entry.summary.clone())),
        }
    }

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

    fn set_undoing(&self, id: Option<u64>) {
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
