//! The change journal for people: when a change was made (local time), what it did to which
//! record in a line of words, and each field before and after. `shegong history` and
//! `shegong undo` and the UI's history view and undo all say it the same way, from here, with
//! the same entry numbers (`#N`); `shegong history --format json` is the machine form.
//!
//! Journal entries keep their records as JSON of the domain types; fields are read back
//! through those types and written as the interchange files write them (`ToRow`), under the
//! files' column names (Chinese aliases in Chinese), so a field reads the same in an export, in
//! an import error and here.

use crate::domain::records::tenths;
use crate::domain::{BudgetEntry, Evaluation, Training, Unit};
use crate::i18n::Lang;
use crate::interchange::{columns_of, Cell, Kind, ToRow};
use crate::store::JournalEntry;
use crate::words::{say, tr, J, S};
use serde::de::DeserializeOwned;

/// The local time of an entry, to the minute (`2026-11-27 09:35`); `—` for a time that cannot
/// be (a damaged entry).
pub fn when(at: i64) -> String {
    local(at, "%Y-%m-%d %H:%M")
}

/// The local time of an entry, to the second, for the command line's full listing.
pub fn when_precise(at: i64) -> String {
    local(at, "%Y-%m-%d %H:%M:%S")
}

fn local(at: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.with_timezone(&chrono::Local).format(format).to_string())
        .unwrap_or_else(|| "—".into())
}

/// The journal's kind in words (`training` → 培训); an unknown one as it is.
pub fn kind_word(kind: &str, lang: Lang) -> String {
    let word = match kind {
        "unit" => J::KindUnit,
        "evaluation" => J::KindEvaluation,
        "training" => J::KindTraining,
        "budget" => J::KindBudget,
        "store" => J::KindStore,
        other => return other.to_string(),
    };
    tr(lang, word).to_string()
}

/// The journal's action in words (`add` → 新增); an unknown one as it is.
pub fn action_word(action: &str, lang: Lang) -> String {
    let word = match action {
        "add" => J::ActionAdd,
        "update" => J::ActionUpdate,
        "delete" => J::ActionDelete,
        "import" => J::ActionImport,
        "undo" => J::ActionUndo,
        "restore" => J::ActionRestore,
        other => return other.to_string(),
    };
    tr(lang, word).to_string()
}

/// What an entry did to its record, read from which sides it keeps: an undo is journaled
/// under the action `undo`, and this says whether it added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Added,
    Removed,
    Changed,
    /// No record kept (an import, a restore): the summary says what happened.
    Other,
}

pub fn effect(entry: &JournalEntry) -> Effect {
    match (&entry.before, &entry.after) {
        (None, Some(_)) => Effect::Added,
        (Some(_), None) => Effect::Removed,
        (Some(_), Some(_)) => Effect::Changed,
        (None, None) => Effect::Other,
    }
}

fn effect_word(effect: Effect, lang: Lang) -> String {
    match effect {
        Effect::Added => action_word("add", lang),
        Effect::Removed => action_word("delete", lang),
        Effect::Changed => action_word("update", lang),
        Effect::Other => String::new(),
    }
}

/// `新增培训` / `added training`: Chinese writes the two words together.
fn join(action: &str, kind: &str, lang: Lang) -> String {
    say(lang, J::ActionOnKind, &[&action, &kind])
}

fn parse<T: DeserializeOwned>(json: &str) -> Option<T> {
    serde_json::from_str(json).ok()
}

/// A record in a few words: its date, kind and what tells it apart (a training's topic, a
/// budget entry's amount); a unit by name and code. The UI titles a record's history with it.
pub trait Brief {
    fn brief(&self, lang: Lang) -> String;
}

impl Brief for Unit {
    fn brief(&self, lang: Lang) -> String {
        say(lang, J::UnitBrief, &[&self.name, &self.code])
    }
}

impl Brief for Evaluation {
    fn brief(&self, lang: Lang) -> String {
        let mut parts = vec![self.date.to_string(), self.kind.label(lang).to_string()];
        if let Some(s) = self.score {
            parts.push(tenths(u32::from(s)));
        }
        if let Some(g) = self.grade {
            parts.push(g.label(lang).to_string());
        }
        parts.join(" ")
    }
}

impl Brief for Training {
    fn brief(&self, lang: Lang) -> String {
        format!("{} {} {}", self.date, self.kind.label(lang), self.topic)
            .trim()
            .to_string()
    }
}

impl Brief for BudgetEntry {
    fn brief(&self, lang: Lang) -> String {
        format!("{} {} {}", self.date, self.kind.label(lang), self.amount.yuan())
    }
}

/// The brief of a journaled record (JSON of the kind's type).
fn record_text(kind: &str, json: &str, lang: Lang) -> Option<String> {
    Some(match kind {
        "unit" => parse::<Unit>(json)?.brief(lang),
        "evaluation" => parse::<Evaluation>(json)?.brief(lang),
        "training" => parse::<Training>(json)?.brief(lang),
        "budget" => parse::<BudgetEntry>(json)?.brief(lang),
        _ => return None,
    })
}

/// A bulk import's counts in the user's language (`新增 150 条`), from its stored summary.
fn import_text(entry: &JournalEntry, lang: Lang) -> Option<String> {
    // An import, or the undo of one (journaled with the import's summary).
    if entry.action != "import" && !(entry.undoes.is_some() && effect(entry) == Effect::Other) {
        return None;
    }
    let (added, updated) = crate::store::import_counts(&entry.summary)?;
    Some(match updated {
        0 => say(lang, J::ImportAdded, &[&added]),
        _ => say(lang, J::ImportAddedUpdated, &[&added, &updated]),
    })
}

/// One line for people: what the change did to which record, and whose record it is
/// (`新增培训：2021-11-30 一对一辅导 台账规范 · 碧鸡街道`). An undo names the entry it undid
/// (`撤销 #21 · 删除培训：…`). `name` gives a unit's name for its code, when known.
pub fn describe(entry: &JournalEntry, lang: Lang, name: &dyn Fn(&str) -> Option<String>) -> String {
    let kind = kind_word(&entry.kind, lang);
    let head = match entry.undoes {
        Some(id) => {
            let undo = format!("{} #{id}", action_word("undo", lang));
            match effect(entry) {
                Effect::Other => format!("{undo} · {kind}"),
                e => format!("{undo} · {}", join(&effect_word(e, lang), &kind, lang)),
            }
        }
        // A reversal (冲销) says so: its amount is the negated one of the entry it reverses.
        None if crate::store::is_reversal(entry) => tr(lang, J::AddedReversal).to_string(),
        None => join(&action_word(&entry.action, lang), &kind, lang),
    };
    let record = entry
        .after
        .as_deref()
        .or(entry.before.as_deref())
        .and_then(|json| record_text(&entry.kind, json, lang));
    let what = record
        .or_else(|| import_text(entry, lang))
        .unwrap_or_else(|| entry.summary.clone());
    let colon = tr(lang, J::Colon);
    let mut line = if what.is_empty() {
        head
    } else {
        format!("{head}{colon}{what}")
    };
    // A record's owner by name; a unit names itself.
    if entry.kind != "unit" {
        if let Some(code) = &entry.unit {
            line.push_str(" · ");
            line.push_str(&name(code).unwrap_or_else(|| code.clone()));
        }
    }
    line
}

/// What undoing `entry` takes back besides it, in words: the other rows of the same import
/// (`（连同同一次导入的共 5 条）`); empty for a change of its own.
pub fn undo_scope(entry: &JournalEntry, lang: Lang) -> String {
    match crate::store::row_of(&entry.summary) {
        Some((_, n)) => say(lang, J::UndoScope, &[&n]),
        None => String::new(),
    }
}

/// What the UI appends to an entry that was undone (`（已撤销）` / ` (undone)`).
pub fn undone_mark(lang: Lang) -> &'static str {
    tr(lang, S::HistoryUndone)
}

/// The ids of the entries that some entry of `entries` undid.
fn undone_ids(entries: &[(u64, JournalEntry)]) -> std::collections::HashSet<u64> {
    entries.iter().filter_map(|(_, e)| e.undoes).collect()
}

/// The journal for the command line, newest first: per entry a line `#N  when  who  what`
/// (the UI's words, amounts in yuan), then the fields it touched, indented, as the UI's
/// details show them: `field: before → after` for a change, the one side for a record added
/// or removed. `name` gives a unit's name for its code.
pub fn listing(entries: &[(u64, JournalEntry)], lang: Lang, name: &dyn Fn(&str) -> Option<String>) -> String {
    if entries.is_empty() {
        return format!("{}\n", tr(lang, S::HistoryEmpty));
    }
    let undone = undone_ids(entries);
    // A unit's code (a record's host or unit, a unit's parent) with its name, as the UI does.
    let named = |v: &str| match name(v) {
        Some(n) if !v.is_empty() && n != v => format!("{v} {n}"),
        _ => v.to_string(),
    };
    let mut out = String::new();
    for (id, e) in entries {
        let mut what = describe(e, lang, name);
        if undone.contains(id) {
            what.push_str(undone_mark(lang));
        }
        out.push_str(&format!(
            "#{id}  {}  {}  {}\n",
            when_precise(e.at),
            printable(&e.operator),
            printable(&what)
        ));
        match changes_shown(e, lang) {
            Some(changes) => {
                let effect = effect(e);
                for c in changes {
                    let value = match effect {
                        Effect::Changed => format!("{} → {}", or_dash(&named(&c.before)), or_dash(&named(&c.after))),
                        _ if c.after.is_empty() => named(&c.before),
                        _ => named(&c.after),
                    };
                    out.push_str(&format!("    {}{}{}\n", c.field, tr(lang, J::Colon), printable(&value)));
                }
            }
            // A record this version cannot read back: its JSON as it is.
            None => {
                for (label, json) in [
                    (tr(lang, S::HistoryBefore), &e.before),
                    (tr(lang, S::HistoryAfter), &e.after),
                ] {
                    if let Some(json) = json {
                        out.push_str(&format!("    {label}{}\n", printable(json)));
                    }
                }
            }
        }
    }
    out
}

/// Text for a terminal: control characters (a note's line break, an escape sequence) shown
/// escaped, so that one entry stays one block and cannot drive the terminal.
fn printable(s: &str) -> String {
    crate::text::for_terminal(s).into_owned()
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "—"
    } else {
        s
    }
}

/// The journal for programs: one object per entry, newest first, with its number, the time
/// (seconds since 1970 UTC, and local time as text), who, the stored action and kind, the
/// line of words in `lang`, whether it was undone, the entry it undid, and the record before
/// and after by the import file's English column names, valued as an export writes them
/// (amounts in yuan, words as the files spell them); a record this version cannot read, as
/// its stored JSON text.
pub fn to_json(
    entries: &[(u64, JournalEntry)],
    lang: Lang,
    name: &dyn Fn(&str) -> Option<String>,
) -> serde_json::Value {
    let undone = undone_ids(entries);
    let record = |kind: &str, json: &Option<String>| {
        json.as_deref().map(|j| match fields(kind, j, Lang::En) {
            Some(fields) => serde_json::Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                    .collect(),
            ),
            None => serde_json::Value::String(j.into()),
        })
    };
    serde_json::Value::Array(
        entries
            .iter()
            .map(|(id, e)| {
                let fields: Vec<serde_json::Value> = changes(e, lang)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
                    .collect();
                serde_json::json!({
                    "number": id,
                    "at": e.at,
                    "when": when_precise(e.at),
                    "operator": e.operator,
                    "action": e.action,
                    "kind": e.kind,
                    "unit": e.unit,
                    "record": e.key.as_deref().filter(|k| !k.starts_with("import:")),
                    "text": describe(e, lang, name),
                    "undone": undone.contains(id),
                    "undoes": e.undoes,
                    "before": record(&e.kind, &e.before),
                    "after": record(&e.kind, &e.after),
                    "changes": fields,
                })
            })
            .collect(),
    )
}

fn cells_of<R: ToRow + DeserializeOwned>(json: &str) -> Option<Vec<Cell>> {
    parse::<R>(json).map(|r| r.cells())
}

/// A journaled record's fields in the order of its import file: (column name, value as the
/// file writes it), the column named in the user's language. `None` when the JSON is not a
/// record of that kind (a damaged entry, or one of a later version).
pub fn fields(kind: &str, json: &str, lang: Lang) -> Option<Vec<(&'static str, String)>> {
    fields_as(kind, json, lang, false)
}

/// As `fields`; with `shown`, amounts as the screens write them (`-1,000.50`), not as the
/// files do (`-1000.50`).
fn fields_as(kind: &str, json: &str, lang: Lang, shown: bool) -> Option<Vec<(&'static str, String)>> {
    let (k, cells) = match kind {
        "unit" => (Kind::Units, cells_of::<Unit>(json)?),
        "evaluation" => (Kind::Evaluations, cells_of::<Evaluation>(json)?),
        "training" => (Kind::Trainings, cells_of::<Training>(json)?),
        "budget" => (Kind::Budget, cells_of::<BudgetEntry>(json)?),
        _ => return None,
    };
    Some(
        columns_of(k)
            .iter()
            .zip(cells)
            .map(|(c, cell)| {
                let value = match cell {
                    Cell::Money(f) if shown => f.yuan(),
                    _ => cell.plain(lang),
                };
                (lang.pick(c.alias, c.name), value)
            })
            .collect(),
    )
}

/// One field of a change: its value before and after (empty where the record did not exist).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// What an entry changed, field by field: for an update the fields that differ; for a record
/// added or removed its fields that are not empty; nothing for an import. `None` when a
/// record cannot be read back (then show the JSON as it is).
pub fn changes(entry: &JournalEntry, lang: Lang) -> Option<Vec<FieldChange>> {
    changes_as(entry, lang, false)
}

/// As `changes`, amounts as the screens write them (`-1,000.50`): for the history on screen
/// and in `shegong history`, not for JSON.
pub fn changes_shown(entry: &JournalEntry, lang: Lang) -> Option<Vec<FieldChange>> {
    changes_as(entry, lang, true)
}

fn changes_as(entry: &JournalEntry, lang: Lang, shown: bool) -> Option<Vec<FieldChange>> {
    let side = |json: &Option<String>| match json {
        None => Some(None),
        Some(j) => fields_as(&entry.kind, j, lang, shown).map(Some),
    };
    let before = side(&entry.before)?;
    let after = side(&entry.after)?;
    let change = |field, before: String, after: String| FieldChange { field, before, after };
    Some(match (before, after) {
        (Some(b), Some(a)) => b
            .into_iter()
            .zip(a)
            .filter(|(x, y)| x.1 != y.1)
            .map(|((field, before), (_, after))| change(field, before, after))
            .collect(),
        (Some(b), None) => b
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(field, before)| change(field, before, String::new()))
            .collect(),
        (None, Some(a)) => a
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(field, after)| change(field, String::new(), after))
            .collect(),
        (None, None) => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PartialDate, TrainingKind};

    fn training_entry() -> JournalEntry {
        let t = Training {
            id: None,
            date: PartialDate::parse("2021-11-30").expect("a date"),
            host: "530112008000".into(),
            kind: TrainingKind::Coaching,
            mode: None,
            topic: "台账规范".into(),
            hours: Some(15),
            attendees: None,
            units: vec![],
            note: String::new(),
        };
        JournalEntry {
            at: 0,
            operator: "李淳".into(),
            action: "add".into(),
            kind: "training".into(),
            unit: Some("530112008000".into()),
            key: None,
            before: None,
            after: serde_json::to_string(&t).ok(),
            summary: "training added".into(),
            undoes: None,
        }
    }

    #[test]
    fn a_change_is_one_line_in_either_language() {
        let e = training_entry();
        let name = |c: &str| (c == "530112008000").then(|| "碧鸡街道".to_string());
        let zh = describe(&e, Lang::Zh, &name);
        assert!(zh.starts_with("新增培训：2021-11-30 "), "{zh}");
        assert!(zh.ends_with("台账规范 · 碧鸡街道"), "{zh}");
        let en = describe(&e, Lang::En, &|_| None);
        assert!(en.starts_with("added training: 2021-11-30 "), "{en}");
        assert!(en.ends_with(" · 530112008000"), "{en}");
    }

    #[test]
    fn a_bulk_import_is_counted_in_either_language() {
        let mut e = training_entry();
        e.action = "import".into();
        e.unit = None;
        e.after = None;
        e.summary = "150 training records added".into();
        assert_eq!(describe(&e, Lang::Zh, &|_| None), "导入培训：新增 150 条");
        assert_eq!(describe(&e, Lang::En, &|_| None), "imported training: 150 added");
    }

    #[test]
    fn an_undo_names_the_entry_it_undid_and_what_it_did() {
        let mut e = training_entry();
        e.action = "undo".into();
        e.undoes = Some(21);
        e.before = e.after.take();
        assert_eq!(effect(&e), Effect::Removed);
        let zh = describe(&e, Lang::Zh, &|_| None);
        assert!(zh.starts_with("撤销 #21 · 删除培训："), "{zh}");
        let en = describe(&e, Lang::En, &|_| None);
        assert!(en.starts_with("undo #21 · deleted training: "), "{en}");
    }

    #[test]
    fn fields_read_as_the_import_file_writes_them() {
        let e = training_entry();
        let added = changes(&e, Lang::Zh).expect("readable");
        let hours = added.iter().find(|c| c.field == "课时").expect("hours");
        assert_eq!((hours.before.as_str(), hours.after.as_str()), ("", "1.5"));
        assert!(added.iter().all(|c| !c.after.is_empty()), "empty fields are left out");
        // An update: only what differs.
        let mut u = e.clone();
        let mut t: Training = serde_json::from_str(e.after.as_deref().unwrap_or("")).expect("JSON");
        u.before = e.after.clone();
        t.topic = "台账规范（二）".into();
        u.after = serde_json::to_string(&t).ok();
        let changed = changes(&u, Lang::En).expect("readable");
        assert_eq!(
            changed,
            vec![FieldChange {
                field: "topic",
                before: "台账规范".into(),
                after: "台账规范（二）".into()
            }]
        );
        // Not a record of its kind: said, not guessed.
        u.after = Some("{\"nope\":1}".into());
        assert_eq!(changes(&u, Lang::En), None);
        assert_eq!(when(i64::MAX), "—");
    }
}
