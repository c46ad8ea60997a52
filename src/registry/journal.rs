//! The journal's entries in domain terms, written once for every backend: what an entry says
//! (who, when, what, which unit and record, before and after as JSON, one line for people),
//! how a bulk import and the rows of a small import are summarised and read back, how a
//! reversal (冲销) names the entry it reverses, and which entries `undo` can take back. A
//! backend stores the entries in its write's all-or-nothing batch and numbers them 1, 2, 3, ….

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
    /// The record's id (a `RecordId`, as the storage gave it), for records; for a bulk import of records,
    /// `import:TOKEN`, the token under which the `batches` tree keeps the keys it added.
    pub key: Option<String>,
    /// JSON of the record before and after the change.
    pub before: Option<String>,
    pub after: Option<String>,
    /// One line for people: what happened.
    pub summary: String,
    /// For an undo: the id of the entry it undid.
    pub undoes: Option<u64>,
}

/// JSON of a record for the journal (its before and after, which `undo` puts back). An error
/// is returned, never an entry without them.
pub fn json<T: Serialize>(value: &T) -> crate::store::Result<Option<String>> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(|e| crate::store::StoreError::TooLarge {
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

/// The summary of one row of an import of `n` rows journaled row by row (`training added ·
/// 2/5`): undo takes the rows of one import back together, and finds them by it.
pub fn row_summary(summary: String, k: usize, n: usize) -> String {
    if n > 1 {
        format!("{summary} · {k}/{n}")
    } else {
        summary
    }
}

/// (k, n) from a summary `row_summary` wrote for an import of more than one row.
pub fn row_of(summary: &str) -> Option<(u64, u64)> {
    let (_, tail) = summary.rsplit_once(" · ")?;
    let (k, n) = tail.split_once('/')?;
    let (k, n): (u64, u64) = (k.parse().ok()?, n.parse().ok()?);
    (n > 1 && (1..=n).contains(&k)).then_some((k, n))
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

/// `entries` (oldest first, with the numbers they had) numbered 1, 2, 3, …; an undo's
/// reference to the entry it undid follows its entry.
pub fn renumbered(entries: Vec<(u64, JournalEntry)>) -> Vec<(u64, JournalEntry)> {
    let mut new_of = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for (n, (old, mut entry)) in (1u64..).zip(entries) {
        new_of.insert(old, n);
        if let Some(undone) = entry.undoes {
            entry.undoes = Some(new_of.get(&undone).copied().unwrap_or(undone));
        }
        out.push((n, entry));
    }
    out
}

/// How the entry of a reversal (冲销) names the budget entry it reverses: its summary is
/// `budget reverses ID`, ID the reversed entry's `RecordId`. The journal is backed up whole, so the
/// link survives a restore.
pub const REVERSES: &str = "budget reverses ";

/// Whether an entry added a reversal (冲销) of another budget entry.
pub fn is_reversal(entry: &JournalEntry) -> bool {
    entry.action == "add" && entry.summary.starts_with(REVERSES)
}

/// A reversal in force (not undone): the entry reversed, the reversing entry, and the number
/// of the journal entry that added the reversal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversal {
    pub of: String,
    pub by: String,
    pub number: u64,
    /// The reversing budget entry as added (its JSON), to name it in words.
    pub record: Option<String>,
}

/// How a bulk import's entry names the keys it added: `import:TOKEN`.
pub const IMPORT_PREFIX: &str = "import:";

impl JournalEntry {
    /// A new entry by `operator`, now. While an undo writes (`undoes` is the entry undone),
    /// every write is journaled as the undo of that entry.
    pub fn new(
        operator: &str,
        undoes: Option<u64>,
        action: &str,
        kind: &str,
        unit: Option<&str>,
        summary: String,
    ) -> JournalEntry {
        JournalEntry {
            undoes,
            at: chrono::Utc::now().timestamp(),
            operator: operator.to_string(),
            action: if undoes.is_some() { "undo".into() } else { action.into() },
            kind: kind.into(),
            unit: unit.map(str::to_string),
            key: None,
            before: None,
            after: None,
            summary,
        }
    }
}

impl JournalEntry {
    /// The token under which the `batches` tree keeps the keys this bulk import added.
    pub fn import_token(&self) -> Option<u64> {
        self.key.as_deref()?.strip_prefix(IMPORT_PREFIX)?.parse().ok()
    }

    /// Whether `undo_last` can take this change back: a record added or deleted, a unit
    /// added, changed or deleted, a bulk import that names what it changed. Not a bulk import
    /// journaled before schema 3, which kept only its counts.
    pub fn undoable(&self) -> bool {
        match (self.action.as_str(), self.kind.as_str()) {
            ("add" | "delete", "evaluation" | "training" | "budget") => true,
            ("add" | "update" | "delete", "unit") => true,
            ("import", "evaluation" | "training" | "budget" | "unit") => self.import_token().is_some(),
            _ => false,
        }
    }
}
