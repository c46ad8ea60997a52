//! What a dated record is to the registry and to every storage backend: its kind, its id, the
//! unit it belongs to, what it adds to the totals and the rules it must pass. No encoding: how a
//! backend keeps a record's bytes is that backend's business (sled's is in `store::codec`).

use crate::domain::*;
use crate::rollup::{self, Measures};

/// A dated record that belongs to one unit and adds to the totals.
pub trait Record: Clone + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned {
    const KIND: RecordKind;
    fn id(&self) -> Option<&str>;
    /// The unit whose totals it adds to.
    fn owner(&self) -> &str;
    fn delta(&self) -> (Day, Measures);
    fn validate(&self) -> Vec<Problem>;
    /// Every rule but the text cap, for a restore (values stored before the cap existed).
    fn validate_restored(&self) -> Vec<Problem>;
    /// Other units it names (field, code), which must exist.
    fn references(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
    /// Whether the owner must have a station (evaluations evaluate stations).
    fn needs_station() -> bool {
        false
    }
    fn owner_field() -> &'static str;
    /// Which layout of its kind's fields the record needs: 1 for every record as it was before
    /// evaluation schemes, 2 for an evaluation with points per indicator (a field added after
    /// the others). A backend that keeps records as bytes writes the layout it says.
    fn layout(&self) -> u8 {
        1
    }

    /// Rows of this kind as the storage trait takes them (borrowed: no copy on the import path).
    fn rows(rows: &[Self]) -> Rows<'_>;
    /// The rows, when `rows` are of this kind.
    fn of_rows(rows: Rows<'_>) -> Option<&[Self]>;
    /// A record of this kind as the storage trait hands it back.
    fn into_any(self) -> AnyRecord;
    /// The record, when `any` is of this kind.
    fn from_any(any: AnyRecord) -> Option<Self>;
}

/// Rows of one kind, borrowed: what the object-safe `storage::Storage` takes where generic code
/// has a `&[R]`.
#[derive(Clone, Copy, Debug)]
pub enum Rows<'a> {
    Evaluations(&'a [Evaluation]),
    Trainings(&'a [Training]),
    Budget(&'a [BudgetEntry]),
}

impl Rows<'_> {
    pub fn kind(&self) -> RecordKind {
        match self {
            Rows::Evaluations(_) => RecordKind::Evaluation,
            Rows::Trainings(_) => RecordKind::Training,
            Rows::Budget(_) => RecordKind::Budget,
        }
    }
}

/// One record of any kind: what `storage::Storage` hands back where generic code has an `R`.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyRecord {
    Evaluation(Evaluation),
    Training(Training),
    Budget(BudgetEntry),
}

impl Record for Evaluation {
    const KIND: RecordKind = RecordKind::Evaluation;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.unit
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::evaluation_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        Evaluation::validate(self)
    }
    fn validate_restored(&self) -> Vec<Problem> {
        Evaluation::validate_restored(self)
    }
    fn needs_station() -> bool {
        true
    }
    fn owner_field() -> &'static str {
        "unit"
    }
    fn layout(&self) -> u8 {
        if self.points.is_some() {
            2
        } else {
            1
        }
    }
    fn rows(rows: &[Self]) -> Rows<'_> {
        Rows::Evaluations(rows)
    }
    fn of_rows(rows: Rows<'_>) -> Option<&[Self]> {
        match rows {
            Rows::Evaluations(rows) => Some(rows),
            _ => None,
        }
    }
    fn into_any(self) -> AnyRecord {
        AnyRecord::Evaluation(self)
    }
    fn from_any(any: AnyRecord) -> Option<Self> {
        match any {
            AnyRecord::Evaluation(r) => Some(r),
            _ => None,
        }
    }
}

impl Record for Training {
    const KIND: RecordKind = RecordKind::Training;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.host
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::training_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        Training::validate(self)
    }
    fn validate_restored(&self) -> Vec<Problem> {
        Training::validate_restored(self)
    }
    fn references(&self) -> Vec<(&'static str, &str)> {
        self.units.iter().map(|c| ("units", c.as_str())).collect()
    }
    fn owner_field() -> &'static str {
        "host"
    }
    fn rows(rows: &[Self]) -> Rows<'_> {
        Rows::Trainings(rows)
    }
    fn of_rows(rows: Rows<'_>) -> Option<&[Self]> {
        match rows {
            Rows::Trainings(rows) => Some(rows),
            _ => None,
        }
    }
    fn into_any(self) -> AnyRecord {
        AnyRecord::Training(self)
    }
    fn from_any(any: AnyRecord) -> Option<Self> {
        match any {
            AnyRecord::Training(r) => Some(r),
            _ => None,
        }
    }
}

impl Record for BudgetEntry {
    const KIND: RecordKind = RecordKind::Budget;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.unit
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::budget_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        BudgetEntry::validate(self)
    }
    fn validate_restored(&self) -> Vec<Problem> {
        BudgetEntry::validate_restored(self)
    }
    fn owner_field() -> &'static str {
        "unit"
    }
    fn rows(rows: &[Self]) -> Rows<'_> {
        Rows::Budget(rows)
    }
    fn of_rows(rows: Rows<'_>) -> Option<&[Self]> {
        match rows {
            Rows::Budget(rows) => Some(rows),
            _ => None,
        }
    }
    fn into_any(self) -> AnyRecord {
        AnyRecord::Budget(self)
    }
    fn from_any(any: AnyRecord) -> Option<Self> {
        match any {
            AnyRecord::Budget(r) => Some(r),
            _ => None,
        }
    }
}
