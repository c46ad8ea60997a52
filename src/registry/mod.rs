//! The registry: the one thing the TUI, the CLI, interchange and backup call to read and change
//! the data. It holds a `Box<dyn storage::Storage>` (sled today, PostgreSQL next) and gives
//! callers typed methods with the names they had on `store::Store` (`records_of::<Evaluation>`,
//! `add_records`, `undo_last`, …). The rules every backend follows are written here once:
//! `rules` (validation and its words, the walk up the parent chain with its limit), `journal`
//! (what an entry says: who, when, what, before and after), `undo` (what undo takes back, and
//! by which inverse write), `batch` (an all-or-nothing list of changes, and the correction of
//! a budget entry built as one).

pub mod batch;
pub mod journal;
pub mod rules;
pub mod schemes;
pub mod undo;

use crate::domain::{BudgetEntry, Day, Evaluation, RecordId, Unit};
use crate::record::Record;
use crate::rollup::Measures;
use crate::storage::{BulkImport, Storage, UnitStamp};
use crate::store::{
    AddOutcome, Difference, JournalEntry, Result, Reversal, RowProblem, Store, StoreError, UnitOutcome,
};
use chrono::NaiveDate;
use std::marker::PhantomData;
use std::ops::{ControlFlow, RangeInclusive};
use std::path::Path;

pub struct Registry {
    storage: Box<dyn Storage>,
    /// `--readonly` on a shared server: every write refused here, before the server's
    /// read-only transactions would refuse it in their words (sled's store refuses by itself).
    readonly: bool,
    /// A server's login that only reads (its role says so): named when a write is refused.
    reads_only: Option<String>,
}

/// A record of another kind than asked for came back: the backend broke its contract.
fn wrong_kind() -> StoreError {
    StoreError::Corrupt("the storage returned a record of another kind".into())
}

/// Of one unit's evaluations of one day, the latest: the one whose content is the greatest,
/// field by field in the file's column order (id, kind, evaluator, score, grade, note). Each
/// backend orders one day's records its own way, and every backend must name the same one.
fn latest_of(that_day: impl IntoIterator<Item = Evaluation>) -> Option<Evaluation> {
    that_day.into_iter().max_by(|a, b| {
        let key = |e: &Evaluation| {
            (
                e.id.clone(),
                e.kind,
                e.evaluator.clone(),
                e.score,
                e.grade,
                e.note.clone(),
                // Two of one day alike but for their points (issue 15): still one answer.
                e.points.clone(),
            )
        };
        key(a).cmp(&key(b))
    })
}

impl Registry {
    /// The registry over any backend.
    pub fn over(storage: Box<dyn Storage>) -> Registry {
        Registry {
            storage,
            readonly: false,
            reads_only: None,
        }
    }

    /// Opens the sled store in `dir` (see `Store::open`).
    pub fn open(dir: &Path, readonly: bool) -> Result<Registry> {
        Ok(Registry::over(Box::new(Store::open(dir, readonly)?)))
    }

    /// Creates a new sled store in `dir` (see `Store::create`).
    pub fn create(dir: &Path) -> Result<Registry> {
        Ok(Registry::over(Box::new(Store::create(dir)?)))
    }

    /// Connects to a shegong database on a shared server (`pg::connect::connect`: `url`, else
    /// `$SHEGONG_DB`, with the `PG*` variables and the password file). `readonly` makes the
    /// session's transactions read-only at the server; `lang` words a failure to connect.
    pub fn connect(url: Option<&str>, lang: crate::i18n::Lang, readonly: bool) -> Result<Registry> {
        let (client, place) = connect_session(url, lang, readonly)?;
        let mut storage = crate::pg::backend::PgStorage::new(client, place)?;
        storage.connected_from(url, lang);
        // After the server went away, the same way again (the URL read anew, as now).
        let again_url = url.map(str::to_string);
        storage.reconnect_with(std::sync::Arc::new(move || {
            Ok(connect_session(again_url.as_deref(), lang, readonly)?.0)
        }));
        let reads_only = storage.is_readonly().then(|| storage.login().to_string());
        Ok(Registry {
            storage: Box::new(storage),
            readonly,
            reads_only,
        })
    }

    /// The backend itself, for code that works on any `Storage` (a backup).
    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// From now on, a connection to the server that closed is made again without waiting for
    /// it (`Storage::reconnect_in_background`: the UI's keys never wait on a try).
    pub fn reconnect_in_background(&self) {
        self.storage.reconnect_in_background();
    }

    /// Other sessions' changes as they commit (`Storage::watch`); `None` where nobody else
    /// writes.
    pub fn watch(&self) -> Result<Option<crate::live::ChangeFeed>> {
        self.storage.watch()
    }

    /// Where the data is, in words.
    pub fn place(&self) -> String {
        self.storage.place()
    }

    pub fn is_readonly(&self) -> bool {
        self.readonly || self.storage.is_readonly()
    }

    /// Whether this session may write the records of unit `code` (see `Storage::may_write`).
    pub fn may_write(&self, code: &str) -> Result<bool> {
        if self.readonly {
            return Ok(false);
        }
        self.storage.may_write(code)
    }

    pub fn set_operator(&mut self, operator: &str) {
        self.storage.set_operator(operator)
    }

    pub fn flush(&self) -> Result<()> {
        self.storage.flush()
    }

    pub fn is_empty(&self) -> Result<bool> {
        self.storage.is_empty()
    }

    // ---- units ----

    pub fn unit(&self, code: &str) -> Result<Option<Unit>> {
        self.storage.unit(code)
    }

    /// See `Storage::unit_station`.
    pub fn unit_station(&self, code: &str) -> Result<Option<crate::storage::UnitStation>> {
        self.storage.unit_station(code)
    }

    pub fn roots(&self) -> Result<Vec<Unit>> {
        self.storage.roots()
    }

    pub fn children(&self, code: &str) -> Result<Vec<Unit>> {
        self.storage.children(code)
    }

    pub fn has_children(&self, code: &str) -> Result<bool> {
        self.storage.has_children(code)
    }

    pub fn path_to(&self, code: &str) -> Result<Vec<Unit>> {
        self.storage.path_to(code)
    }

    pub fn all_units(&self) -> Result<Vec<Unit>> {
        self.storage.all_units()
    }

    /// The units a find query matches, best first, at most `limit` (`Storage::find_units`).
    pub fn find_units(&self, query: &str, limit: usize) -> Result<Vec<Unit>> {
        self.storage.find_units(query, limit)
    }

    pub fn counts(&self) -> Result<[usize; 4]> {
        self.storage.counts()
    }

    // ---- records ----

    /// A unit's records of a kind (and its subtree's), newest first, at most `limit`.
    pub fn records_of<R: Record>(&self, code: &str, subtree: bool, limit: usize) -> Result<Vec<(RecordId, R)>> {
        self.records_in(code, Day::MIN..=Day::MAX, subtree, limit)
    }

    /// A unit's records of a kind (and its subtree's) dated within `days`, newest first, at
    /// most `limit`.
    pub fn records_in<R: Record>(
        &self,
        code: &str,
        days: RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, R)>> {
        self.storage
            .records_in(R::KIND, code, days, subtree, limit)?
            .into_iter()
            .map(|(id, any)| R::from_any(any).map(|r| (id, r)).ok_or_else(wrong_kind))
            .collect()
    }

    /// Calls `f` with every record of a kind, in the backend's stable order; stops at the first
    /// error `f` returns.
    pub fn for_each_record<R: Record, E: From<StoreError>>(
        &self,
        f: impl FnMut(R) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for_each_record(self.storage(), f)
    }

    /// Every record of a kind.
    pub fn all_records<R: Record>(&self) -> Result<Vec<R>> {
        let mut out = Vec::new();
        self.for_each_record::<R, StoreError>(|r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The unit's newest evaluation dated on or before `until` (of several on that day, the
    /// one `latest_of` picks).
    pub fn latest_evaluation(&self, code: &str, until: Day) -> Result<Option<Evaluation>> {
        let newest = self.records_in::<Evaluation>(code, Day::MIN..=until, false, 1)?;
        let Some((_, first)) = newest.into_iter().next() else {
            return Ok(None);
        };
        let day = first.delta().0;
        let that_day = self.records_in::<Evaluation>(code, day..=day, false, usize::MAX)?;
        Ok(latest_of(that_day.into_iter().map(|(_, e)| e).chain([first])))
    }

    /// `latest_evaluation` of each of `codes`, in order: in one read for them all where the
    /// backend offers it (`Storage::newest_evaluation_days`: the server, where a read per
    /// unit is a round trip each), with the same tie rule.
    pub fn latest_evaluations(&self, codes: &[String], until: Day) -> Result<Vec<Option<Evaluation>>> {
        let days = self.storage.newest_evaluation_days(codes, until)?;
        self.latest_of_days(codes, days, until)
    }

    /// `latest_evaluations` of `codes`, the children of `parent`: one read where the backend
    /// keeps them with the parent (`Storage::children_newest_evaluation_days`).
    pub fn children_latest_evaluations(
        &self,
        parent: &str,
        codes: &[String],
        until: Day,
    ) -> Result<Vec<Option<Evaluation>>> {
        let days = self.storage.children_newest_evaluation_days(parent, codes, until)?;
        self.latest_of_days(codes, days, until)
    }

    /// Each unit's newest evaluation from its newest day's (`Some`), or read unit by unit.
    fn latest_of_days(
        &self,
        codes: &[String],
        days: Option<Vec<Vec<Evaluation>>>,
        until: Day,
    ) -> Result<Vec<Option<Evaluation>>> {
        match days {
            Some(days) if days.len() == codes.len() => Ok(days.into_iter().map(latest_of).collect()),
            Some(days) => Err(StoreError::Corrupt(format!(
                "the newest evaluations of {} units came back for {}",
                codes.len(),
                days.len()
            ))),
            None => codes.iter().map(|code| self.latest_evaluation(code, until)).collect(),
        }
    }

    // ---- totals ----

    pub fn subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        self.storage.subtree_measures(code, as_of)
    }

    /// The children of a unit, each with its subtree's totals as of a date.
    pub fn children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(Unit, Measures)>> {
        self.storage.children_measures(code, as_of)
    }

    /// A unit's subtree totals and its children's in one go (`Storage::measures_with_children`).
    pub fn measures_with_children(&self, code: &str, as_of: NaiveDate) -> Result<(Measures, Vec<(Unit, Measures)>)> {
        self.storage.measures_with_children(code, as_of)
    }

    /// Whether sibling rows are best read together (`Storage::children_measures_at_once`).
    pub fn children_measures_at_once(&self) -> bool {
        self.storage.children_measures_at_once()
    }

    pub fn check(&self) -> Result<Vec<Difference>> {
        self.storage.check()
    }

    // ---- the journal ----

    /// The newest `limit` entries, of one unit or of all.
    pub fn history(&self, unit: Option<&str>, limit: usize) -> Result<Vec<JournalEntry>> {
        Ok(self
            .history_with_ids(unit, limit)?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    pub fn history_with_ids(&self, unit: Option<&str>, limit: usize) -> Result<Vec<(u64, JournalEntry)>> {
        self.history_where(limit, |e| unit.is_none() || e.unit.as_deref() == unit)
    }

    pub fn history_where(
        &self,
        limit: usize,
        mut keep: impl FnMut(&JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        self.storage.history_where(limit, &mut |_, e| keep(e))
    }

    pub fn journal_mark(&self) -> Result<u64> {
        self.storage.journal_mark()
    }

    pub fn reversals(&self) -> Result<Vec<Reversal>> {
        self.storage.reversals()
    }

    // ---- writes ----

    /// `ReadOnly` under `--readonly` on a server.
    fn writing(&self) -> Result<()> {
        match self.readonly {
            true => Err(StoreError::ReadOnly),
            false => Ok(()),
        }
    }

    /// Why a write is refused while `is_readonly`: `--readonly`, or a server's login that
    /// only reads (named).
    pub fn readonly_error(&self) -> StoreError {
        match (&self.reads_only, self.readonly) {
            (Some(login), false) => StoreError::ReadsOnly { login: login.clone() },
            _ => StoreError::ReadOnly,
        }
    }

    /// Adds new units and updates changed ones, all or nothing.
    pub fn apply_units(&self, units: &[Unit]) -> Result<UnitOutcome> {
        self.writing()?;
        self.storage.apply_units(units, false)
    }

    /// `apply_units` for a units file, handed over so that it can be freed before the write's
    /// end (issue 14: memory at national size).
    pub fn import_units(&self, units: Vec<Unit>) -> Result<UnitOutcome> {
        self.writing()?;
        self.storage.import_units(units)
    }

    /// The stored version of unit `code` (a shared server's; `None` on sled), which a form
    /// editing it keeps for `update_unit`.
    pub fn unit_stamp(&self, code: &str) -> Result<Option<UnitStamp>> {
        self.storage.unit_stamp(code)
    }

    /// Saves one unit a form edited: refused with `StoreError::Conflict` when someone else
    /// saved it since the form read `expected`.
    pub fn update_unit(&self, unit: &Unit, expected: Option<&UnitStamp>) -> Result<UnitOutcome> {
        self.writing()?;
        self.storage.update_unit(unit, expected)
    }

    /// `apply_units` for a restore: the text cap is not applied.
    pub fn apply_units_restored(&self, units: &[Unit]) -> Result<UnitOutcome> {
        self.storage.apply_units(units, true)
    }

    /// Adds records, all or nothing; rows stored already add nothing.
    pub fn add_records<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.writing()?;
        self.storage.add_records(R::rows(rows), false)
    }

    /// `add_records` of a file's rows, each of which the parser validated without a problem
    /// (`Storage::add_parsed_records`): every other rule is checked as for any rows.
    pub fn add_parsed_records<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.writing()?;
        self.storage.add_parsed_records(R::rows(rows))
    }

    /// `add_records` for a restore: the text cap is not applied.
    pub fn add_records_restored<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.storage.add_records(R::rows(rows), true)
    }

    /// Deletes one evaluation or training; returns it.
    pub fn delete_record<R: Record>(&self, id: &RecordId) -> Result<R> {
        self.writing()?;
        R::from_any(self.storage.delete_record(R::KIND, id)?).ok_or_else(wrong_kind)
    }

    pub fn check_reversible(&self, of: &RecordId) -> Result<()> {
        self.storage.check_reversible(of)
    }

    pub fn reverse_budget(&self, of: &RecordId, reversal: &BudgetEntry) -> Result<RecordId> {
        self.writing()?;
        self.storage.reverse_budget(of, reversal)
    }

    pub fn check_deletable(&self, code: &str) -> Result<()> {
        self.storage.check_deletable(code)
    }

    pub fn delete_unit(&self, code: &str) -> Result<Unit> {
        self.writing()?;
        self.storage.delete_unit(code)
    }

    /// Makes every change of `batch`, in order, or none of them (`Storage::commit`).
    pub fn commit(&self, batch: &batch::Batch) -> Result<batch::Committed> {
        self.writing()?;
        self.storage.commit(batch)
    }

    /// Corrects the budget entry `of` (更正): its reversal (冲销) `reversal` and the entry
    /// `corrected` in its place, in one batch, so that the figures are never those of one
    /// without the other. Refused, nothing stored, as a reversal alone is (`of` reversed
    /// already, or a reversal itself). Returns the ids of the reversal and the new entry.
    pub fn correct_budget(
        &self,
        of: &RecordId,
        reversal: &BudgetEntry,
        corrected: &BudgetEntry,
    ) -> Result<(RecordId, RecordId)> {
        let committed = self.commit(&batch::correction(of, reversal, corrected))?;
        match committed.ids().as_slice() {
            [reversed, added] => Ok((reversed.clone(), added.clone())),
            _ => Err(StoreError::Corrupt(
                "the storage committed a correction without its two entries".into(),
            )),
        }
    }

    /// Corrects the evaluation stored under `of`: it is deleted and `corrected` added, all or
    /// nothing (`batch::evaluation_correction`); each half is journaled as it would be alone,
    /// so undo takes back the corrected one, then the deletion. The corrected one's key.
    pub fn correct_evaluation(&self, of: &RecordId, corrected: &Evaluation) -> Result<RecordId> {
        let committed = self.commit(&batch::evaluation_correction(of, corrected))?;
        match committed.ids().as_slice() {
            [added] => Ok(added.clone()),
            _ => Err(StoreError::Corrupt(
                "the storage committed an evaluation's correction without its new evaluation".into(),
            )),
        }
    }

    /// A streamed bulk import of one kind.
    pub fn import_session<R: Record>(&self) -> Result<ImportSession<'_, R>> {
        self.writing()?;
        Ok(ImportSession {
            inner: self.storage.import(R::KIND)?,
            kind: PhantomData,
        })
    }
}

/// `Registry::for_each_record` on any backend (a backup works on a `&dyn Storage`, so that an
/// upgrade can back a store up before the registry is opened over it).
pub fn for_each_record<R: Record, E: From<StoreError>>(
    storage: &dyn Storage,
    mut f: impl FnMut(R) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut failed: Option<E> = None;
    storage.each_record(R::KIND, &mut |any| {
        let outcome = match R::from_any(any) {
            Some(r) => f(r),
            None => Err(E::from(wrong_kind())),
        };
        match outcome {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}

impl From<Store> for Registry {
    fn from(store: Store) -> Registry {
        Registry::over(Box::new(store))
    }
}

/// A streamed bulk import of records of one kind: `check` chunks, `write` them, `finish`. All
/// or nothing: dropped before `finish`, nothing of it stays.
pub struct ImportSession<'s, R: Record> {
    inner: Box<dyn BulkImport + 's>,
    kind: PhantomData<R>,
}

impl<R: Record> ImportSession<'_, R> {
    pub fn check(&mut self, rows: &[R], first_row: usize) -> Result<Vec<RowProblem>> {
        self.inner.check(R::rows(rows), first_row)
    }

    /// See `BulkImport::groups_by_street`.
    pub fn groups_by_street(&self) -> bool {
        self.inner.groups_by_street()
    }

    /// See `BulkImport::parts_hold_whole_units`.
    pub fn parts_hold_whole_units(&mut self) {
        self.inner.parts_hold_whole_units()
    }

    /// See `BulkImport::fields_checked`.
    pub fn fields_checked(&mut self) {
        self.inner.fields_checked()
    }

    /// See `BulkImport::share_of`.
    pub fn share_of(&mut self, owner: &str, shares: usize) -> Result<Option<usize>> {
        self.inner.share_of(owner, shares)
    }

    pub fn write(&mut self, rows: &[R]) -> Result<()> {
        self.inner.write(R::rows(rows))
    }

    pub fn finish(self) -> Result<AddOutcome> {
        self.inner.finish()
    }
}

/// One session on the server: connected (`pg::connect`), and made read-only at the server when
/// `readonly`, as a backstop behind the registry's own refusal.
fn connect_session(url: Option<&str>, lang: crate::i18n::Lang, readonly: bool) -> Result<(postgres::Client, String)> {
    let (mut client, place) = crate::pg::connect::connect(url, lang)?;
    if readonly {
        client
            .batch_execute("SET default_transaction_read_only = on")
            .map_err(|e| crate::pg::error::store_error(&e, &place, ""))?;
    }
    Ok((client, place))
}
