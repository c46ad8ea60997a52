//! The sled store as a `storage::Storage`: each method is the store's own, with records
//! crossing as `Rows` and `AnyRecord` and dispatched to the typed code by kind.

use super::{
    AddOutcome, Difference, ImportSession, JournalEntry, Result, Reversal, RowProblem, Store, StoreError, UnitOutcome,
};
use crate::domain::{BudgetEntry, Day, Evaluation, RecordId, RecordKind, Training, Unit};
use crate::i18n::Lang;
use crate::record::{AnyRecord, Record, Rows};
use crate::rollup::Measures;
use crate::storage::{BulkImport, Storage};
use crate::words::{say, D};
use chrono::NaiveDate;
use std::ops::{ControlFlow, RangeInclusive};

/// Rows of another kind than the session's: a bug in the caller, said as a refusal.
fn wrong_kind(expected: RecordKind, got: RecordKind) -> StoreError {
    let text = |lang: Lang| say(lang, D::ImportWrongKind, &[&expected.label(lang), &got.label(lang)]);
    StoreError::Refused {
        zh: text(Lang::Zh),
        en: text(Lang::En),
    }
}

fn typed<R: Record>(rows: Rows<'_>) -> Result<&[R]> {
    R::of_rows(rows).ok_or_else(|| wrong_kind(R::KIND, rows.kind()))
}

fn any_list<R: Record>(list: Vec<(RecordId, R)>) -> Vec<(RecordId, AnyRecord)> {
    list.into_iter().map(|(id, r)| (id, r.into_any())).collect()
}

impl Store {
    fn each_typed<R: Record>(&self, f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>) -> Result<()> {
        let walked = self.for_each_record::<R, StoreErrorOrStop>(|r| match f(r.into_any()) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(StoreErrorOrStop::Stop),
        });
        match walked {
            Ok(()) | Err(StoreErrorOrStop::Stop) => Ok(()),
            Err(StoreErrorOrStop::Store(e)) => Err(e),
        }
    }
}

/// A walk's end: stopped by the caller, or a store error.
enum StoreErrorOrStop {
    Store(StoreError),
    Stop,
}

impl From<StoreError> for StoreErrorOrStop {
    fn from(e: StoreError) -> Self {
        StoreErrorOrStop::Store(e)
    }
}

impl Storage for Store {
    fn schemes(&self) -> Result<Vec<crate::domain::Scheme>> {
        Store::schemes(self)
    }
    fn add_schemes(&self, schemes: &[crate::domain::Scheme]) -> Result<()> {
        Store::add_schemes(self, schemes)
    }
    fn place(&self) -> String {
        self.dir().display().to_string()
    }
    fn is_readonly(&self) -> bool {
        Store::is_readonly(self)
    }
    fn set_operator(&mut self, operator: &str) {
        Store::set_operator(self, operator)
    }
    fn flush(&self) -> Result<()> {
        Store::flush(self)
    }
    fn is_empty(&self) -> Result<bool> {
        Store::is_empty(self)
    }
    fn unit(&self, code: &str) -> Result<Option<Unit>> {
        Store::unit(self, code)
    }
    fn unit_station(&self, code: &str) -> Result<Option<crate::storage::UnitStation>> {
        Ok(Store::unit_front(self, code)?.map(|f| crate::storage::UnitStation {
            has_station: f.station != crate::domain::StationStatus::None,
            opened_on: f.opened_on,
        }))
    }
    fn roots(&self) -> Result<Vec<Unit>> {
        Store::roots(self)
    }
    fn children(&self, code: &str) -> Result<Vec<Unit>> {
        Store::children(self, code)
    }
    fn has_children(&self, code: &str) -> Result<bool> {
        Store::has_children(self, code)
    }
    fn path_to(&self, code: &str) -> Result<Vec<Unit>> {
        Store::path_to(self, code)
    }
    fn all_units(&self) -> Result<Vec<Unit>> {
        Store::all_units(self)
    }
    fn units_for_backup(&self) -> Result<Vec<Unit>> {
        Store::units_in_added_order(self)
    }
    fn find_units(&self, query: &str, limit: usize) -> Result<Vec<Unit>> {
        Store::find_units(self, query, limit)
    }
    fn journal_entries(&self) -> Result<Vec<(u64, JournalEntry)>> {
        Store::journal_entries(self)
    }
    fn counts(&self) -> Result<[usize; 4]> {
        Store::counts(self)
    }
    fn records_in(
        &self,
        kind: RecordKind,
        code: &str,
        days: RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, AnyRecord)>> {
        Ok(match kind {
            RecordKind::Evaluation => any_list(Store::records_in::<Evaluation>(self, code, days, subtree, limit)?),
            RecordKind::Training => any_list(Store::records_in::<Training>(self, code, days, subtree, limit)?),
            RecordKind::Budget => any_list(Store::records_in::<BudgetEntry>(self, code, days, subtree, limit)?),
        })
    }
    fn each_record(&self, kind: RecordKind, f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>) -> Result<()> {
        match kind {
            RecordKind::Evaluation => self.each_typed::<Evaluation>(f),
            RecordKind::Training => self.each_typed::<Training>(f),
            RecordKind::Budget => self.each_typed::<BudgetEntry>(f),
        }
    }
    fn subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        Store::subtree_measures(self, code, as_of)
    }
    fn children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(Unit, Measures)>> {
        Store::children_measures(self, code, as_of)
    }
    fn children_newest_evaluation_days(
        &self,
        parent: &str,
        codes: &[String],
        until: Day,
    ) -> Result<Option<Vec<Vec<Evaluation>>>> {
        Store::children_newest_evaluations(self, parent, codes, until).map(Some)
    }
    fn check(&self) -> Result<Vec<Difference>> {
        Store::check(self)
    }
    fn history_where(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        Store::history_numbered(self, limit, keep)
    }
    fn journal_mark(&self) -> Result<u64> {
        Store::journal_mark(self)
    }
    fn replace_journal(
        &self,
        entries: Vec<(u64, JournalEntry)>,
        action: &str,
        kind: &str,
        summary: String,
    ) -> Result<()> {
        Store::replace_journal(self, entries, action, kind, summary)
    }
    fn reversals(&self) -> Result<Vec<Reversal>> {
        Store::reversals(self)
    }
    fn undoing(&self, entry: Option<u64>) {
        Store::set_undoing(self, entry)
    }
    fn undo_rows(&self, kind: Option<RecordKind>, rows: &[(u64, JournalEntry)]) -> Result<()> {
        match kind {
            Some(RecordKind::Evaluation) => self.undo_record_rows::<Evaluation>(rows),
            Some(RecordKind::Training) => self.undo_record_rows::<Training>(rows),
            Some(RecordKind::Budget) => self.undo_record_rows::<BudgetEntry>(rows),
            None => self.undo_unit_rows(rows),
        }
    }
    fn undo_import(&self, kind: Option<RecordKind>, token: u64, undone: (u64, &JournalEntry)) -> Result<()> {
        let (id, e) = undone;
        let undo = JournalEntry::new(
            &self.operator,
            Some(id),
            &e.action,
            &e.kind,
            e.unit.as_deref(),
            e.summary.clone(),
        );
        match kind {
            Some(RecordKind::Evaluation) => self.undo_import::<Evaluation>(token, undo),
            Some(RecordKind::Training) => self.undo_import::<Training>(token, undo),
            Some(RecordKind::Budget) => self.undo_import::<BudgetEntry>(token, undo),
            None => self.undo_unit_import(token, undo),
        }
    }
    fn apply_units(&self, units: &[Unit], restored: bool) -> Result<UnitOutcome> {
        if restored {
            Store::apply_units_restored(self, units)
        } else {
            Store::apply_units(self, units)
        }
    }
    fn import_units(&self, units: Vec<Unit>) -> Result<UnitOutcome> {
        Store::import_units(self, units)
    }
    fn add_records(&self, rows: Rows<'_>, restored: bool) -> Result<AddOutcome> {
        match (rows, restored) {
            (Rows::Evaluations(rows), false) => Store::add_records(self, rows),
            (Rows::Trainings(rows), false) => Store::add_records(self, rows),
            (Rows::Budget(rows), false) => Store::add_records(self, rows),
            (Rows::Evaluations(rows), true) => Store::add_records_restored(self, rows),
            (Rows::Trainings(rows), true) => Store::add_records_restored(self, rows),
            (Rows::Budget(rows), true) => Store::add_records_restored(self, rows),
        }
    }
    fn add_parsed_records(&self, rows: Rows<'_>) -> Result<AddOutcome> {
        match rows {
            Rows::Evaluations(rows) => Store::add_parsed_records(self, rows),
            Rows::Trainings(rows) => Store::add_parsed_records(self, rows),
            Rows::Budget(rows) => Store::add_parsed_records(self, rows),
        }
    }
    fn delete_record(&self, kind: RecordKind, id: &RecordId) -> Result<AnyRecord> {
        Ok(match kind {
            RecordKind::Evaluation => Store::delete_record::<Evaluation>(self, id)?.into_any(),
            RecordKind::Training => Store::delete_record::<Training>(self, id)?.into_any(),
            RecordKind::Budget => Store::delete_record::<BudgetEntry>(self, id)?.into_any(),
        })
    }
    fn check_reversible(&self, of: &RecordId) -> Result<()> {
        Store::check_reversible(self, of)
    }
    fn reverse_budget(&self, of: &RecordId, reversal: &BudgetEntry) -> Result<RecordId> {
        Store::reverse_budget(self, of, reversal)
    }
    fn check_deletable(&self, code: &str) -> Result<()> {
        Store::check_deletable(self, code).map(|_| ())
    }
    fn delete_unit(&self, code: &str) -> Result<Unit> {
        Store::delete_unit(self, code)
    }
    fn commit(&self, batch: &crate::registry::batch::Batch) -> Result<crate::registry::batch::Committed> {
        Store::commit(self, batch)
    }
    fn import(&self, kind: RecordKind) -> Result<Box<dyn BulkImport + '_>> {
        Ok(match kind {
            RecordKind::Evaluation => Box::new(self.import_session::<Evaluation>()?),
            RecordKind::Training => Box::new(self.import_session::<Training>()?),
            RecordKind::Budget => Box::new(self.import_session::<BudgetEntry>()?),
        })
    }
}

impl<R: Record> BulkImport for ImportSession<'_, R> {
    fn check(&mut self, rows: Rows<'_>, first_row: usize) -> Result<Vec<RowProblem>> {
        ImportSession::check(self, typed::<R>(rows)?, first_row)
    }
    fn write(&mut self, rows: Rows<'_>) -> Result<()> {
        ImportSession::write(self, typed::<R>(rows)?)
    }
    fn finish(self: Box<Self>) -> Result<AddOutcome> {
        ImportSession::finish(*self)
    }
    fn groups_by_street(&self) -> bool {
        true
    }
    fn share_of(&mut self, owner: &str, shares: usize) -> Result<Option<usize>> {
        ImportSession::share_of(self, owner, shares)
    }
    fn parts_hold_whole_units(&mut self) {
        ImportSession::parts_hold_whole_units(self)
    }
    fn fields_checked(&mut self) {
        ImportSession::fields_checked(self)
    }
}
