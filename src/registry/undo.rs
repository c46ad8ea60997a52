//! Undo, decided once for every backend: which change `undo_last` takes back (the newest entry
//! that is not an undo and was not undone, passing over a restore's note), whether it can be
//! taken back, and by what inverse write: an added record is deleted, a deleted one comes back,
//! an added unit is deleted, a deleted or updated one gets its old fields, the rows of one
//! import journaled row by row go back together, a bulk import's records are removed. The
//! backend carries the write out all or nothing and journals it as the undo of that entry
//! (`Storage::undoing`, `undo_rows`, `undo_import`).

use super::journal::{row_of, JournalEntry, IMPORT_PREFIX};
use super::Registry;
use crate::domain::{BudgetEntry, Evaluation, RecordId, RecordKind, Training, Unit};
use crate::record::Record;
use crate::store::{Result, StoreError};

/// The kind of record an entry's `kind` names; `None` for a unit.
fn record_kind(entry: &JournalEntry) -> Result<Option<RecordKind>> {
    match entry.kind.as_str() {
        "unit" => Ok(None),
        name => RecordKind::from_name(name)
            .map(Some)
            .ok_or_else(|| StoreError::CannotUndo(entry.summary.clone())),
    }
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("journal entry: {e}")))
}

impl Registry {
    /// The change `undo_last` would take back, with its number: the newest entry that is not
    /// an undo and was not undone. A restore's entry (kind `store`) is passed over: it marks
    /// where a backup's journal resumed, and the records it put back keep their ids, so the
    /// changes before it can still be taken back. `None` when there is none. It may not be
    /// `undoable`: the UI asks this first, to say exactly what will be undone, or why it cannot.
    pub fn undo_target(&self) -> Result<Option<(u64, JournalEntry)>> {
        let mut undone = std::collections::HashSet::new();
        let found = self.storage.history_where(1, &mut |id, entry| {
            if let Some(u) = entry.undoes {
                undone.insert(u);
                false
            } else {
                !undone.contains(&id) && entry.kind != "store"
            }
        })?;
        Ok(found.into_iter().next())
    }

    /// Undoes the newest change not undone yet, whatever it was, all or nothing; the undo is
    /// journaled too (action `undo`). Returns the entry undone.
    pub fn undo_last(&self) -> Result<JournalEntry> {
        if self.is_readonly() {
            return Err(self.readonly_error());
        }
        let (id, entry) = self.undo_target()?.ok_or(StoreError::NothingToUndo)?;
        let cannot = || StoreError::CannotUndo(entry.summary.clone());
        if !entry.undoable() {
            return Err(cannot());
        }
        let kind = record_kind(&entry)?;
        // The rows of one import journaled row by row go back together, in one write.
        if let Some((k, n)) = row_of(&entry.summary) {
            if matches!(entry.action.as_str(), "add" | "update") {
                let rows = self.rows_of_one_import(id, &entry, k, n)?;
                self.storage.undo_rows(kind, &rows)?;
                return Ok(entry);
            }
        }
        let id_of = || {
            entry
                .key
                .as_deref()
                .filter(|text| !text.is_empty() && !text.starts_with(IMPORT_PREFIX))
                .map(RecordId::new)
                .ok_or_else(cannot)
        };
        let before = || entry.before.as_deref().ok_or_else(cannot);
        let after = || entry.after.as_deref().ok_or_else(cannot);
        let token = || entry.import_token().ok_or_else(cannot);
        fn restore<R: Record + serde::de::DeserializeOwned>(r: &Registry, json: &str) -> Result<()> {
            r.storage.add_records(R::rows(&[parse::<R>(json)?]), false).map(|_| ())
        }
        // Every write made now is journaled as the undo of entry `id`.
        self.storage.undoing(Some(id));
        let result = (|| -> Result<()> {
            match (entry.action.as_str(), kind) {
                ("add", Some(kind)) => self.storage.delete_record(kind, &id_of()?).map(|_| ()),
                ("delete", Some(RecordKind::Evaluation)) => restore::<Evaluation>(self, before()?),
                ("delete", Some(RecordKind::Training)) => restore::<Training>(self, before()?),
                ("delete", Some(RecordKind::Budget)) => restore::<BudgetEntry>(self, before()?),
                ("update" | "delete", None) => self
                    .storage
                    .apply_units(&[parse::<Unit>(before()?)?], false)
                    .map(|_| ()),
                ("add", None) => self.storage.delete_unit(&parse::<Unit>(after()?)?.code).map(|_| ()),
                ("import", kind) => self.storage.undo_import(kind, token()?, (id, &entry)),
                _ => Err(cannot()),
            }
        })();
        self.storage.undoing(None);
        result.map(|()| entry)
    }

    /// The `n` rows of one import journaled row by row, `k`-th of which is entry `id`: the
    /// entries numbered around it, each of the same kind, saying which row it is.
    fn rows_of_one_import(&self, id: u64, entry: &JournalEntry, k: u64, n: u64) -> Result<Vec<(u64, JournalEntry)>> {
        let cannot = || StoreError::CannotUndo(entry.summary.clone());
        let first = id.checked_sub(k - 1).ok_or_else(cannot)?;
        let last = first.checked_add(n - 1).ok_or_else(cannot)?;
        // Limited to `n`, the read stops at the oldest row: the rows are near the journal's end.
        let mut rows = self
            .storage
            .history_where(n as usize, &mut |number, _| (first..=last).contains(&number))?;
        rows.reverse();
        if rows.len() as u64 != n {
            return Err(cannot());
        }
        for (row, e) in &rows {
            // Journaled in one write, the rows are of one kind and say which row they are.
            let in_group = e.kind == entry.kind
                && e.undoes.is_none()
                && matches!(e.action.as_str(), "add" | "update")
                && row_of(&e.summary) == Some((row - first + 1, n));
            if !in_group {
                return Err(cannot());
            }
        }
        Ok(rows)
    }
}
