//! The change journal: who changed what, when, before and after. Each entry is written in the
//! same all-or-nothing write as the change it describes. A bulk import of many records is one
//! entry (its counts), not one per row; single changes carry the record before and after.

use super::codec::Stored;
use super::keys::TreeId;
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
use serde::{Deserialize, Serialize};

/// Up to this many records in one write are journaled one by one; more are summarised.
pub const ROW_BY_ROW_LIMIT: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Seconds since 1970-01-01 UTC.
    pub at: i64,
    pub operator: String,
    /// `add`, `update`, `delete` or `import`.
    pub action: String,
    /// `unit`, `evaluation`, `training` or `budget`.
    pub kind: String,
    /// The unit the change belongs to, when there is one.
    pub unit: Option<String>,
    /// The record's key (as `RecordKey::to_text`), for records.
    pub key: Option<String>,
    /// JSON of the record before and after the change.
    pub before: Option<String>,
    pub after: Option<String>,
    /// One line for people: what happened.
    pub summary: String,
    /// For an undo: the id of the entry it undid.
    pub undoes: Option<u64>,
}

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

/// JSON of a record for the journal (its before and after, which `undo` puts back). An error
/// is returned, never an entry without them.
pub fn json<T: Serialize>(value: &T) -> super::Result<Option<String>> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(|e| super::StoreError::TooLarge {
            what: "journal entry",
            bytes: None,
            detail: e.to_string(),
        })
}

/// The summary of a bulk import's one journal entry. It is stored text, so its shape is kept
/// here with its reader (`import_counts`), which lets a screen say it in the user's language.
pub fn import_summary(kind: &str, added: usize, updated: usize) -> String {
    if kind == "unit" {
        format!("units: {added} added, {updated} updated")
    } else {
        format!("{added} {kind} records added")
    }
}

/// (added, updated) from a summary `import_summary` wrote.
pub fn import_counts(summary: &str) -> Option<(usize, usize)> {
    if let Some(rest) = summary.strip_prefix("units: ") {
        let (added, updated) = rest.strip_suffix(" updated")?.split_once(" added, ")?;
        return Some((added.parse().ok()?, updated.parse().ok()?));
    }
    let (added, _) = summary.strip_suffix(" records added")?.split_once(' ')?;
    Some((added.parse().ok()?, 0))
}

impl Store {
    /// Who the journal records as making the changes of this session.
    pub fn set_operator(&mut self, operator: &str) {
        self.operator = operator.to_string();
    }

    pub(crate) fn entry(&self, action: &str, kind: &str, unit: Option<&str>, summary: String) -> JournalEntry {
        // While undoing, the writes that undo are journaled as the undo of that entry.
        let undoes = self.undoing.lock().ok().and_then(|u| *u);
        JournalEntry {
            undoes,
            at: chrono::Utc::now().timestamp(),
            operator: self.operator.clone(),
            action: if undoes.is_some() { "undo".into() } else { action.into() },
            kind: kind.into(),
            unit: unit.map(str::to_string),
            key: None,
            before: None,
            after: None,
            summary,
        }
    }

    /// Adds a journal entry to a write.
    pub(crate) fn journal(&self, set: &mut WriteSet, entry: JournalEntry) -> Result<()> {
        // sled's ids increase across restarts: the journal's keys are in the order of changes.
        let id = self.db.generate_id()?;
        set.put(
            TreeId::Journal,
            id.to_be_bytes().to_vec(),
            entry.encode()?,
            Undo::Remove,
        );
        Ok(())
    }

    /// The id of the newest journal entry (0 when there is none): compare two marks to know
    /// whether anything changed in between.
    pub fn journal_mark(&self) -> Result<u64> {
        match self.tree(TreeId::Journal).last()? {
            Some((k, _)) => Ok(k.as_ref().try_into().map(u64::from_be_bytes).unwrap_or(0)),
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

impl JournalEntry {
    /// Whether `undo_last` knows how to take this change back: a record added or deleted, a
    /// unit updated. Bulk imports and added units are not (there is no deleting units).
    pub fn undoable(&self) -> bool {
        matches!(
            (self.action.as_str(), self.kind.as_str()),
            ("add" | "delete", "evaluation" | "training" | "budget") | ("update", "unit")
        )
    }
}

impl Store {
    /// Undoes the newest change not undone yet: an added record is deleted, a deleted one comes
    /// back, an updated unit gets its old fields. The undo is journaled too (action `undo`).
    /// Bulk imports and added units cannot be undone here (there is no deleting units).
    pub fn undo_last(&self) -> Result<JournalEntry> {
        use super::keys::RecordKey;
        use crate::domain::{BudgetEntry, Evaluation, Training, Unit};
        self.check_writable()?;
        let (id, entry) = self.undo_target()?.ok_or(StoreError::NothingToUndo)?;
        let cannot = || StoreError::CannotUndo(entry.summary.clone());
        if !entry.undoable() {
            return Err(cannot());
        }
        let key = || entry.key.as_deref().and_then(RecordKey::from_text).ok_or_else(cannot);
        let before = || entry.before.as_deref().ok_or_else(cannot);
        fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
            serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("journal entry: {e}")))
        }
        self.set_undoing(Some(id));
        let result = (|| -> Result<()> {
            match (entry.action.as_str(), entry.kind.as_str()) {
                ("add", "evaluation") => self.delete_record::<Evaluation>(key()?).map(|_| ()),
                ("add", "training") => self.delete_record::<Training>(key()?).map(|_| ()),
                ("add", "budget") => self.delete_record::<BudgetEntry>(key()?).map(|_| ()),
                ("delete", "evaluation") => self.add_records(&[parse::<Evaluation>(before()?)?]).map(|_| ()),
                ("delete", "training") => self.add_records(&[parse::<Training>(before()?)?]).map(|_| ()),
                ("delete", "budget") => self.add_records(&[parse::<BudgetEntry>(before()?)?]).map(|_| ()),
                ("update", "unit") => self.apply_units(&[parse::<Unit>(before()?)?]).map(|_| ()),
                _ => Err(cannot()),
            }
        })();
        self.set_undoing(None);
        result.map(|_| entry)
    }

    /// The change `undo_last` would take back, with its id: the newest entry that is not an
    /// undo and was not undone. `None` when there is none. It may not be `undoable`: the UI
    /// asks this first, to say exactly what will be undone, or why it cannot be.
    pub fn undo_target(&self) -> Result<Option<(u64, JournalEntry)>> {
        let mut undone = std::collections::HashSet::new();
        for item in self.journal_newest_first() {
            let (id, entry) = item?;
            if let Some(u) = entry.undoes {
                undone.insert(u);
            } else if !undone.contains(&id) {
                return Ok(Some((id, entry)));
            }
        }
        Ok(None)
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
}
