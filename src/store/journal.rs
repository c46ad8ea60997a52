//! The change journal: who changed what, when, before and after. Each entry is written in the
//! same all-or-nothing write as the change it describes. A bulk import of many records is one
//! entry (its counts), not one per row; single changes carry the record before and after.

use super::codec::Stored;
use super::keys::TreeId;
use super::write::{Undo, WriteSet};
use super::{Result, Store};
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
}

impl Stored for JournalEntry {
    const VERSION: u8 = 1;
    const NAME: &'static str = "journal entry";
    fn encode(&self) -> Vec<u8> {
        super::codec::encode_versioned(Self::VERSION, self)
    }
    fn decode(bytes: &[u8]) -> std::result::Result<Self, super::codec::DecodeError> {
        super::codec::decode_versioned(Self::NAME, Self::VERSION, bytes)
    }
}

/// JSON of a record for the journal.
pub fn json<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

impl Store {
    /// Who the journal records as making the changes of this session.
    pub fn set_operator(&mut self, operator: &str) {
        self.operator = operator.to_string();
    }

    pub(crate) fn entry(&self, action: &str, kind: &str, unit: Option<&str>, summary: String) -> JournalEntry {
        JournalEntry {
            at: chrono::Utc::now().timestamp(),
            operator: self.operator.clone(),
            action: action.into(),
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
        set.put(TreeId::Journal, id.to_be_bytes().to_vec(), entry.encode(), Undo::Remove);
        Ok(())
    }

    /// The journal, newest first, optionally of one unit only, at most `limit` entries.
    pub fn history(&self, unit: Option<&str>, limit: usize) -> Result<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.tree(TreeId::Journal).iter().rev() {
            let (_, v) = item?;
            let entry = JournalEntry::decode(&v)?;
            if unit.is_none_or(|u| entry.unit.as_deref() == Some(u)) {
                out.push(entry);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}
