//! `PgStorage`: the `storage::Storage` trait over a shegong database on a PostgreSQL server.
//! It owns the connection (in a `RefCell`: the trait's methods take `&self`, and one connection
//! runs one statement at a time) and what it learnt on connecting (the login, its role); the
//! reads, writes, totals and the bulk import each live in a file beside this one.

use super::error::{store_error, store_error_at};
use super::import::Journaled;
use super::migrate;
use crate::domain::{BudgetEntry, Day, Evaluation, RecordId, RecordKind, Unit};
use crate::i18n::Lang;
use crate::record::{AnyRecord, Rows};
use crate::rollup::Measures;
use crate::storage::{BulkImport, Storage, UnitStamp};
use crate::store::{AddOutcome, Difference, JournalEntry, Result, Reversal, StoreError, UnitOutcome};
use crate::words::{say, D};
use chrono::NaiveDate;
use postgres::Client;
use rustc_hash::FxHashSet as HashSet;
use std::cell::{Cell, RefCell, RefMut};
use std::ops::{ControlFlow, RangeInclusive};
use std::sync::atomic::AtomicI32;
use std::sync::Arc;

/// A shegong database on a server, through one connection.
pub struct PgStorage {
    pub(super) client: RefCell<Client>,
    /// The server and database in words, without a password.
    pub(super) place: String,
    /// The server's `current_user`: who the journal records, and who a refusal names.
    pub(super) login: String,
    /// The role the server gives this login (`district`, `clerk`, `auditor`), `None` for a
    /// login with no row in `shegong.staff`.
    pub(super) role: Option<String>,
    /// A clerk's own unit (its writes fall under it), from `shegong.staff`.
    pub(super) scope_unit: Option<String>,
    /// The codes a clerk may write, as last read (read again on a miss: another login may
    /// have added a unit below it since).
    scope: RefCell<Option<HashSet<String>>>,
    /// While set, writes are journaled as the undo of this entry.
    pub(super) undoing: Cell<Option<u64>>,
    /// The kinds whose staging table this connection has made.
    staged: Cell<[bool; 3]>,
    /// A restore holds the connection in one transaction: each write is a savepoint in it,
    /// and `flush` commits it (`pg::restore`).
    held: Cell<bool>,
    /// How to connect again, for the change feed's own connection (`pg::listen`); `None`
    /// for a backend made over a connection alone, which has no feed.
    pub(super) source: Option<super::listen::Source>,
    /// How to connect again (the same URL, variables and password file; the password is
    /// never put in a message) after the server went away: `None` for a connection a caller
    /// handed in without one.
    reconnect: Option<Reconnect>,
    /// Connect again on a thread, never waiting for it (`pg::again`: the UI).
    pub(super) in_background: Cell<bool>,
    /// The try of connecting again running on its thread, in the background.
    pub(super) pending: RefCell<Option<super::again::Pending>>,
    /// The server process of this backend's connection (0 before the change feed asked):
    /// the feed leaves out its notifications. Set again on connecting again, so that this
    /// session's own saves after the server came back are not told as someone else's.
    pub(super) own_pid: Arc<AtomicI32>,
}

pub use super::again::Reconnect;

/// A refusal in the catalogue's words.
pub(super) fn refused(key: D, args: &[&dyn std::fmt::Display]) -> StoreError {
    StoreError::Refused {
        zh: say(Lang::Zh, key, args),
        en: say(Lang::En, key, args),
    }
}

/// A kind's place in per-kind arrays.
fn slot(kind: RecordKind) -> usize {
    match kind {
        RecordKind::Evaluation => 0,
        RecordKind::Training => 1,
        RecordKind::Budget => 2,
    }
}

impl PgStorage {
    /// The backend over `client`, connected to `place` (in words, without a password). The
    /// database must hold this program's schema version: an uninitialized one says to run
    /// `init`, an older or newer one is refused like a sled store of another version.
    pub fn new(mut client: Client, place: String) -> Result<PgStorage> {
        let supported = migrate::latest();
        match migrate::version(&mut client)? {
            None => return Err(refused(D::PgNotInitialized, &[&place])),
            Some(found) if found > supported => return Err(StoreError::NewerSchema { found, supported }),
            Some(found) if found < supported => return Err(StoreError::OlderSchema { found, supported }),
            Some(_) => {}
        }
        // ltree's operators live in the schema `shegong` (migration 1): the queries name the
        // tables in full, and find the operators through the path.
        client
            .batch_execute("SET search_path = pg_catalog, shegong")
            .map_err(|e| store_error(&e, &place, ""))?;
        let row = client
            .query_one("SELECT current_user::text, shegong.role_of(current_user)", &[])
            .map_err(|e| store_error(&e, &place, ""))?;
        let login: String = row.try_get(0).map_err(|e| store_error(&e, &place, ""))?;
        let role: Option<String> = row.try_get(1).map_err(|e| store_error(&e, &place, &login))?;
        let scope_unit: Option<String> = match role.as_deref() {
            Some("clerk") => client
                .query_opt("SELECT unit FROM shegong.staff WHERE login = current_user", &[])
                .map_err(|e| store_error(&e, &place, &login))?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(|e| store_error(&e, &place, &login))?
                .flatten(),
            _ => None,
        };
        Ok(PgStorage {
            client: RefCell::new(client),
            place,
            login,
            role,
            scope_unit,
            scope: RefCell::new(None),
            undoing: Cell::new(None),
            staged: Cell::new([false; 3]),
            held: Cell::new(false),
            source: None,
            reconnect: None,
            in_background: Cell::new(false),
            pending: RefCell::new(None),
            own_pid: Arc::new(AtomicI32::new(0)),
        })
    }

    /// Remembers how this backend connected (`--db URL` or none, and the language of a failure
    /// to connect), so that `watch` can open the change feed's connection the same way.
    pub fn connected_from(&mut self, url: Option<&str>, lang: Lang) {
        self.source = Some(super::listen::Source {
            url: url.map(str::to_string),
            lang,
        });
    }

    /// The login the server knows this connection as.
    pub fn login(&self) -> &str {
        &self.login
    }

    /// The role the server gives this login, if any.
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    /// `e` as a `StoreError` of this place and login.
    pub(super) fn err(&self, e: &postgres::Error) -> StoreError {
        store_error(e, &self.place, &self.login)
    }

    /// `e`, met while writing `unit`.
    pub(super) fn err_at(&self, e: &postgres::Error, unit: Option<&str>) -> StoreError {
        store_error_at(e, &self.place, &self.login, unit)
    }

    /// The connection, for one statement or transaction. Busy means a caller reads through
    /// this backend while holding it: a bug, said as an error rather than a panic.
    pub(super) fn client(&self) -> Result<RefMut<'_, Client>> {
        let mut client = self
            .client
            .try_borrow_mut()
            .map_err(|_| StoreError::Io(format!("{}: the connection is busy", self.place)))?;
        // The server went away since the last statement: connect again, once per use, so that
        // a session (the UI) goes on when it is back. A restore's transaction died with its
        // connection: not resumed (its caller sees the failure and abandons it).
        if client.is_closed() && !self.held.get() {
            if let Some(again) = &self.reconnect {
                // The feed (if one listens) leaves out this new server process's notifications.
                *client = self.connect_again(again)?;
                // Staging tables were the old session's.
                self.staged.set([false; 3]);
            }
        }
        Ok(client)
    }

    /// Lets this backend connect again with `again` after the server went away.
    pub fn reconnect_with(&mut self, again: Reconnect) {
        self.reconnect = Some(again);
    }

    /// A write of `unit` this login may not make.
    pub(super) fn not_allowed(&self, unit: &str) -> StoreError {
        StoreError::NotAllowed {
            login: self.login.clone(),
            unit: unit.to_string(),
        }
    }

    /// Reads again the codes a clerk writes (nothing to read for anyone else): each write
    /// does this before it opens its transaction, whose checks then ask `may_write`.
    pub(super) fn refresh_scope(&self) -> Result<()> {
        if self.role.as_deref() != Some("clerk") {
            return Ok(());
        }
        let row = self
            .client()?
            .query_one("SELECT shegong.writable_codes(current_user)", &[])
            .map_err(|e| self.err(&e))?;
        let codes: Option<Vec<String>> = row.try_get(0).map_err(|e| self.err(&e))?;
        *self.scope.borrow_mut() = Some(codes.unwrap_or_default().into_iter().collect());
        Ok(())
    }

    /// Whether this login writes `code` (a unit that exists, or is about to under it): a
    /// district login everything, a clerk its unit and below, anyone else nothing. The server
    /// holds the same line with its policies; this says it first, naming the unit. A code the
    /// clerk's codes as last read lack is looked up again when the connection is free (another
    /// login may have added it since); inside a write's transaction, `refresh_scope` read them.
    pub(super) fn may_write(&self, code: &str) -> Result<bool> {
        match self.role.as_deref() {
            Some("district") => Ok(true),
            Some("clerk") => {
                if let Some(codes) = self.scope.borrow().as_ref() {
                    if codes.contains(code) {
                        return Ok(true);
                    }
                }
                if self.client.try_borrow_mut().is_err() {
                    return Ok(false);
                }
                self.refresh_scope()?;
                Ok(self.scope.borrow().as_ref().is_some_and(|codes| codes.contains(code)))
            }
            _ => Ok(false),
        }
    }

    /// `NotAllowed` naming `unit` unless this login writes it; `None` asks nothing yet.
    pub(super) fn require_writer(&self, unit: Option<&str>) -> Result<()> {
        match unit {
            Some(code) if !self.may_write(code)? => Err(self.not_allowed(code)),
            _ => Ok(()),
        }
    }

    /// Units changed: a clerk's writable codes are read again when next asked.
    pub(super) fn forget_scope(&self) {
        *self.scope.borrow_mut() = None;
    }

    /// Opens the one transaction a restore fills the database in; `flush` commits it, and
    /// dropping the backend before then rolls it back.
    pub(super) fn hold(&self) -> Result<()> {
        self.client()?.batch_execute("BEGIN").map_err(|e| self.err(&e))?;
        self.held.set(true);
        Ok(())
    }

    /// Inside a restore's transaction: other writers of units and records wait until it ends.
    pub(super) fn lock_for_restore(&self) -> Result<()> {
        self.client()?
            .batch_execute(
                "LOCK TABLE shegong.units, shegong.evaluations, shegong.trainings, shegong.budget, shegong.journal
                 IN SHARE ROW EXCLUSIVE MODE",
            )
            .map_err(|e| self.err(&e))
    }

    pub(super) fn held(&self) -> bool {
        self.held.get()
    }

    pub(super) fn staged(&self, kind: RecordKind) -> bool {
        self.staged.get()[slot(kind)]
    }

    /// Which kinds' staging tables this connection has made, for a batch to put back after a
    /// rollback took away the ones made inside it (`set_all_staged`).
    pub(super) fn all_staged(&self) -> [bool; 3] {
        self.staged.get()
    }

    pub(super) fn set_all_staged(&self, staged: [bool; 3]) {
        self.staged.set(staged);
    }

    /// Marks the connection as inside a transaction of its own (a batch's), so that each
    /// write in it is a savepoint.
    pub(super) fn set_held(&self, held: bool) {
        self.held.set(held);
    }

    pub(super) fn set_staged(&self, kind: RecordKind) {
        let mut all = self.staged.get();
        all[slot(kind)] = true;
        self.staged.set(all);
    }
}

impl Storage for PgStorage {
    fn schemes(&self) -> Result<Vec<crate::domain::Scheme>> {
        self.read_schemes()
    }
    fn add_schemes(&self, schemes: &[crate::domain::Scheme]) -> Result<()> {
        self.write_schemes(schemes)
    }
    fn place(&self) -> String {
        self.place.clone()
    }
    fn is_readonly(&self) -> bool {
        !matches!(self.role.as_deref(), Some("district" | "clerk"))
    }
    // A clerk's form on another unit is marked before typing: the server's own line, asked.
    fn may_write(&self, code: &str) -> Result<bool> {
        PgStorage::may_write(self, code)
    }
    // The journal's login is the server's `current_user`; a name given here is not used (the
    // CLI refuses `--operator` with `--db`).
    fn set_operator(&mut self, _operator: &str) {}
    // Every write commits its own transaction: nothing is left to flush, except a restore's
    // one transaction, which this makes visible at once.
    fn flush(&self) -> Result<()> {
        if self.held.get() {
            self.client()?.batch_execute("COMMIT").map_err(|e| self.err(&e))?;
            self.held.set(false);
        }
        Ok(())
    }
    fn is_empty(&self) -> Result<bool> {
        let row = self
            .client()?
            .query_one("SELECT NOT EXISTS (SELECT FROM shegong.units)", &[])
            .map_err(|e| self.err(&e))?;
        row.try_get(0).map_err(|e| self.err(&e))
    }
    fn unit(&self, code: &str) -> Result<Option<Unit>> {
        self.read_unit(code)
    }
    fn roots(&self) -> Result<Vec<Unit>> {
        self.read_roots()
    }
    fn children(&self, code: &str) -> Result<Vec<Unit>> {
        self.read_children(code)
    }
    fn has_children(&self, code: &str) -> Result<bool> {
        self.read_has_children(code)
    }
    fn path_to(&self, code: &str) -> Result<Vec<Unit>> {
        self.read_path_to(code)
    }
    fn all_units(&self) -> Result<Vec<Unit>> {
        self.read_all_units()
    }
    // A record's id here does not depend on its unit's: parents first is all a replay needs.
    fn units_for_backup(&self) -> Result<Vec<Unit>> {
        self.read_all_units()
    }
    fn counts(&self) -> Result<[usize; 4]> {
        self.read_counts()
    }
    fn records_in(
        &self,
        kind: RecordKind,
        code: &str,
        days: RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, AnyRecord)>> {
        self.read_records_in(kind, code, days, subtree, limit)
    }
    fn each_record(&self, kind: RecordKind, f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>) -> Result<()> {
        self.read_each_record(kind, f)
    }
    fn subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        self.read_subtree_measures(code, as_of)
    }
    fn children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(Unit, Measures)>> {
        self.read_children_measures(code, as_of)
    }
    // One pass over the records for both: the subtree is its children's plus its own.
    fn measures_with_children(&self, code: &str, as_of: NaiveDate) -> Result<(Measures, Vec<(Unit, Measures)>)> {
        self.read_measures_with_children(code, as_of)
    }
    // Every child's newest evaluations in one query (`pg::newest`), not four round trips each.
    fn newest_evaluation_days(&self, codes: &[String], until: Day) -> Result<Option<Vec<Vec<Evaluation>>>> {
        self.read_newest_evaluation_days(codes, until).map(Some)
    }
    // A subtree's totals are a few queries whatever its size: all children at once cost
    // about one child's.
    fn children_measures_at_once(&self) -> bool {
        true
    }
    fn check(&self) -> Result<Vec<Difference>> {
        self.run_check()
    }
    fn history_where(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        self.read_history(limit, keep)
    }
    fn journal_entries(&self) -> Result<Vec<(u64, JournalEntry)>> {
        let mut all = self.read_history(0, &mut |_, _| true)?;
        all.reverse();
        Ok(all)
    }
    fn journal_mark(&self) -> Result<u64> {
        self.read_journal_mark()
    }
    fn replace_journal(
        &self,
        entries: Vec<(u64, JournalEntry)>,
        action: &str,
        kind: &str,
        summary: String,
    ) -> Result<()> {
        self.write_replaced_journal(entries, action, kind, summary)
    }
    fn reversals(&self) -> Result<Vec<Reversal>> {
        self.read_reversals()
    }
    fn undoing(&self, entry: Option<u64>) {
        self.undoing.set(entry)
    }
    fn undo_rows(&self, kind: Option<RecordKind>, rows: &[(u64, JournalEntry)]) -> Result<()> {
        match kind {
            Some(kind) => self.undo_record_rows(kind, rows),
            None => self.undo_unit_rows(rows),
        }
    }
    fn undo_import(&self, kind: Option<RecordKind>, token: u64, undone: (u64, &JournalEntry)) -> Result<()> {
        self.undo_batch(kind, token, undone)
    }
    fn apply_units(&self, units: &[Unit], restored: bool) -> Result<UnitOutcome> {
        self.write_units(units, restored)
    }
    fn unit_stamp(&self, code: &str) -> Result<Option<UnitStamp>> {
        let mut client = self.client()?;
        self.stamp_of(&mut *client, code)
    }
    fn update_unit(&self, unit: &Unit, expected: Option<&UnitStamp>) -> Result<UnitOutcome> {
        self.write_units_expecting(std::slice::from_ref(unit), false, expected)
    }
    fn add_records(&self, rows: Rows<'_>, restored: bool) -> Result<AddOutcome> {
        self.add_rows(rows, restored, Journaled::Rows)
    }
    fn delete_record(&self, kind: RecordKind, id: &RecordId) -> Result<AnyRecord> {
        self.remove_record(kind, id)
    }
    fn check_reversible(&self, of: &RecordId) -> Result<()> {
        self.reversible(of)
    }
    fn reverse_budget(&self, of: &RecordId, reversal: &BudgetEntry) -> Result<RecordId> {
        self.reverse(of, reversal)
    }
    fn check_deletable(&self, code: &str) -> Result<()> {
        let mut client = self.client()?;
        self.deletable(&mut *client, code).map(|_| ())
    }
    fn delete_unit(&self, code: &str) -> Result<Unit> {
        self.remove_unit(code)
    }
    fn commit(&self, batch: &crate::registry::batch::Batch) -> Result<crate::registry::batch::Committed> {
        self.commit_batch(batch)
    }
    fn import(&self, kind: RecordKind) -> Result<Box<dyn BulkImport + '_>> {
        Ok(Box::new(self.import_of(kind)?))
    }
    fn watch(&self) -> Result<Option<crate::live::ChangeFeed>> {
        self.listen()
    }
    fn reconnect_in_background(&self) {
        self.in_background.set(true);
    }
}

impl Drop for PgStorage {
    fn drop(&mut self) {
        if !self.held.get() {
            return;
        }
        // A restore that did not finish: nothing of it stays (closing the connection would
        // roll it back too; this says so if even that fails).
        if let Err(e) = self.client.get_mut().batch_execute("ROLLBACK") {
            eprintln!("{}", self.err(&e).message(crate::i18n::Lang::En));
        }
    }
}
