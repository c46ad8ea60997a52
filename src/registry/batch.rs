//! An all-or-nothing batch (`storage::Storage::commit`): an ordered list of domain-level
//! changes, each one of the registry's single writes (units put, records of one kind added, a
//! record deleted by id, a budget entry reversed, a unit deleted), with no bytes, keys or SQL
//! in it. `carry_out` makes the changes in order through the backend's single writes, each
//! journaled as it would be alone; a backend's `commit` wraps it in its own all-or-nothing
//! write (sled: one undo-logged write across every change; PostgreSQL: one transaction), so
//! that a change refused anywhere leaves nothing of the batch. The registry builds the
//! batches its callers need (`Registry::correct_budget`: a reversal and the corrected entry).

use crate::domain::{BudgetEntry, Evaluation, RecordId, RecordKind, Training, Unit};
use crate::record::{AnyRecord, Rows};
use crate::storage::Storage;
use crate::store::{AddOutcome, Result, StoreError, UnitOutcome};
use crate::words::D;

/// Records of one kind to add, owned (a batch outlives the form that built it).
#[derive(Clone, Debug, PartialEq)]
pub enum RecordRows {
    Evaluations(Vec<Evaluation>),
    Trainings(Vec<Training>),
    Budget(Vec<BudgetEntry>),
}

impl RecordRows {
    /// The rows as the storage trait takes them.
    pub fn rows(&self) -> Rows<'_> {
        match self {
            RecordRows::Evaluations(r) => Rows::Evaluations(r),
            RecordRows::Trainings(r) => Rows::Trainings(r),
            RecordRows::Budget(r) => Rows::Budget(r),
        }
    }
}

/// One change of a batch: one of the registry's single writes.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Units added or updated (`Storage::apply_units`).
    PutUnits(Vec<Unit>),
    /// Records of one kind added; rows stored already add nothing (`Storage::add_records`).
    AddRecords(RecordRows),
    /// Records of one kind added, each new: one stored already refuses the batch (a
    /// correction's entry, which must not silently be the old one).
    AddNewRecords(RecordRows),
    /// One record deleted by id (`Storage::delete_record`).
    DeleteRecord { kind: RecordKind, id: RecordId },
    /// The budget entry `of` reversed by `reversal` (冲销, `Storage::reverse_budget`).
    ReverseBudget { of: RecordId, reversal: BudgetEntry },
    /// A unit nothing refers to deleted (`Storage::delete_unit`).
    DeleteUnit(String),
}

/// An ordered list of changes, made all or nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub changes: Vec<Change>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// The batch with `change` after the others.
    pub fn with(mut self, change: Change) -> Batch {
        self.changes.push(change);
        self
    }

    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }
}

/// What one change did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Units(UnitOutcome),
    Added(AddOutcome),
    Deleted(AnyRecord),
    Reversed(RecordId),
    UnitDeleted(Unit),
}

/// What a committed batch did: each change's outcome, in the batch's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Committed {
    pub outcomes: Vec<Outcome>,
}

impl Committed {
    /// The ids of the records the batch added (its reversals included), in order.
    pub fn ids(&self) -> Vec<RecordId> {
        let mut out = Vec::new();
        for outcome in &self.outcomes {
            match outcome {
                Outcome::Added(added) => out.extend(added.keys.iter().cloned()),
                Outcome::Reversed(id) => out.push(id.clone()),
                _ => {}
            }
        }
        out
    }

    /// Records added (reversals included), and rows that were stored already.
    pub fn added(&self) -> (usize, usize) {
        self.outcomes.iter().fold((0, 0), |(added, present), o| match o {
            Outcome::Added(a) => (added + a.added, present + a.already_present),
            Outcome::Reversed(_) => (added + 1, present),
            _ => (added, present),
        })
    }

    /// Units added, updated and deleted.
    pub fn units(&self) -> (usize, usize, usize) {
        self.outcomes.iter().fold((0, 0, 0), |(a, u, d), o| match o {
            Outcome::Units(n) => (a + n.added, u + n.updated, d),
            Outcome::UnitDeleted(_) => (a, u, d + 1),
            _ => (a, u, d),
        })
    }

    /// Records deleted.
    pub fn deleted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Deleted(_)))
            .count()
    }
}

/// Makes the changes of `batch` in order through `storage`'s single writes, stopping at the
/// first refused one (its error returned as it is: it names the unit or record refused), and
/// calls `between` after each change made. Not all or nothing by itself: a backend's `commit`
/// calls it inside its own all-or-nothing write, and takes back what the changes before a
/// refused one made.
pub fn carry_out(storage: &dyn Storage, batch: &Batch, between: &mut dyn FnMut() -> Result<()>) -> Result<Committed> {
    let mut committed = Committed {
        outcomes: Vec::with_capacity(batch.len()),
    };
    for change in &batch.changes {
        let outcome = match change {
            Change::PutUnits(units) => Outcome::Units(storage.apply_units(units, false)?),
            Change::AddRecords(rows) => Outcome::Added(storage.add_records(rows.rows(), false)?),
            Change::AddNewRecords(rows) => {
                let added = storage.add_records(rows.rows(), false)?;
                if added.already_present > 0 {
                    return Err(StoreError::refused(D::BatchStoredAlready, &[]));
                }
                Outcome::Added(added)
            }
            Change::DeleteRecord { kind, id } => Outcome::Deleted(storage.delete_record(*kind, id)?),
            Change::ReverseBudget { of, reversal } => Outcome::Reversed(storage.reverse_budget(of, reversal)?),
            Change::DeleteUnit(code) => Outcome::UnitDeleted(storage.delete_unit(code)?),
        };
        committed.outcomes.push(outcome);
        between()?;
    }
    Ok(committed)
}

/// The batch that corrects the evaluation stored under `of` (issue 15: its points mistyped):
/// it deleted, then the corrected one added (which must be new: not an evaluation stored).
pub fn evaluation_correction(of: &RecordId, corrected: &Evaluation) -> Batch {
    Batch::new()
        .with(Change::DeleteRecord {
            kind: RecordKind::Evaluation,
            id: of.clone(),
        })
        .with(Change::AddNewRecords(RecordRows::Evaluations(vec![corrected.clone()])))
}

/// The batch that corrects the budget entry `of`: its reversal, then the corrected entry.
pub fn correction(of: &RecordId, reversal: &BudgetEntry, corrected: &BudgetEntry) -> Batch {
    Batch::new()
        .with(Change::ReverseBudget {
            of: of.clone(),
            reversal: reversal.clone(),
        })
        .with(Change::AddNewRecords(RecordRows::Budget(vec![corrected.clone()])))
}
