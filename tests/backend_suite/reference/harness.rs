//! The one place the reference-model test touches the program: take a fresh registry from the
//! backend suite's maker, apply an operation, read a report and the journal. Everything else in
//! `reference/` speaks in domain records and plain values; the registry is over whichever
//! storage the maker gives, so every backend runs the same test.

use chrono::NaiveDate;
use serde_json::Value;
use shegong::domain::RecordId;
use shegong::domain::{BudgetEntry, Evaluation, Training, Unit};
use shegong::record::Record;
use shegong::registry::Registry;

/// A fresh, empty registry, and what keeps its backend alive (removed when dropped).
pub struct Db {
    store: Registry,
    _keep: Box<dyn std::any::Any>,
}

/// One journal entry as the model predicts it: what was done, to which kind, of which unit,
/// and (for an undo) the number of the entry it undid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalLine {
    pub number: u64,
    pub action: String,
    pub kind: String,
    pub unit: Option<String>,
    pub undoes: Option<u64>,
}

/// A write was refused or failed; the test only needs to know that it did.
pub type Refused = String;

pub fn open(maker: &dyn Fn() -> super::super::Fixture) -> Db {
    let fixture = maker();
    Db {
        store: fixture.registry,
        _keep: fixture._keep,
    }
}

fn refused(e: impl std::fmt::Debug) -> Refused {
    format!("{e:?}")
}

/// Adds or updates units, all or nothing.
pub fn put_units(db: &Db, units: &[Unit]) -> Result<(), Refused> {
    db.store.apply_units(units).map(|_| ()).map_err(refused)
}

/// Adds records of one kind, all or nothing; returns (added, already stored).
pub fn add<R: Record>(db: &Db, rows: &[R]) -> Result<(usize, usize), Refused> {
    db.store
        .add_records(rows)
        .map(|o| (o.added, o.already_present))
        .map_err(refused)
}

/// The store's handle of a stored record, found by its content.
fn find<R: Record>(db: &Db, record: &R) -> Result<RecordId, Refused> {
    let stored = db
        .store
        .records_of::<R>(record.owner(), false, usize::MAX)
        .map_err(refused)?;
    stored
        .into_iter()
        .find(|(_, r)| r == record)
        .map(|(key, _)| key)
        .ok_or_else(|| format!("not stored: {record:?}"))
}

pub fn delete_evaluation(db: &Db, e: &Evaluation) -> Result<(), Refused> {
    let key = find(db, e)?;
    db.store.delete_record::<Evaluation>(&key).map(|_| ()).map_err(refused)
}

pub fn delete_training(db: &Db, t: &Training) -> Result<(), Refused> {
    let key = find(db, t)?;
    db.store.delete_record::<Training>(&key).map(|_| ()).map_err(refused)
}

/// Reverses (冲销) the stored budget entry `of` with `by`.
pub fn reverse(db: &Db, of: &BudgetEntry, by: &BudgetEntry) -> Result<(), Refused> {
    let key = find(db, of)?;
    db.store.reverse_budget(&key, by).map(|_| ()).map_err(refused)
}

pub fn delete_unit(db: &Db, code: &str) -> Result<(), Refused> {
    db.store.delete_unit(code).map(|_| ()).map_err(refused)
}

pub fn undo(db: &Db) -> Result<(), Refused> {
    db.store.undo_last().map(|_| ()).map_err(refused)
}

/// The report of `code` as of `date`, `depth` levels of children, as SPEC.md's JSON.
pub fn report_json(db: &Db, code: &str, date: NaiveDate, depth: usize) -> Value {
    let node = shegong::report::build(&db.store, Some(code), date, depth).expect("report");
    shegong::report::to_json(&node)
}

/// The report as CSV, `depth` levels of children.
pub fn report_csv(db: &Db, code: &str, date: NaiveDate, depth: usize) -> String {
    let node = shegong::report::build(&db.store, Some(code), date, depth).expect("report");
    shegong::report::to_csv(&node)
}

/// The report as a person reads it (English).
pub fn report_table(db: &Db, code: &str, date: NaiveDate) -> String {
    let node = shegong::report::build(&db.store, Some(code), date, 0).expect("report");
    shegong::report::to_table(&node, shegong::i18n::Lang::En)
}

/// The whole journal, oldest first.
pub fn journal(db: &Db) -> Vec<JournalLine> {
    let mut entries = db.store.history_with_ids(None, 0).expect("journal");
    entries.reverse();
    entries
        .into_iter()
        .map(|(number, e)| JournalLine {
            number,
            action: e.action,
            kind: e.kind,
            unit: e.unit,
            undoes: e.undoes,
        })
        .collect()
}

/// The store's own check of its stored totals against a recomputation: empty when they agree.
pub fn self_check(db: &Db) -> Vec<String> {
    db.store
        .check()
        .expect("check")
        .into_iter()
        .map(|d| format!("{d:?}"))
        .collect()
}
