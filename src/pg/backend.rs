//! `PgStorage`: the `storage::Storage` trait over a shegong database on a PostgreSQL server.
//! It owns the connection (in a `RefCell`: the trait's methods take `&self`, and one connection
//! runs one statement at a time) and what it learnt on connecting (the login, its role); the
//! reads, writes, totals and the bulk import each live in a file beside this one.

use super::error::store_error;
use super::migrate;
use crate::domain::{BudgetEntry, Day, RecordId, RecordKind, Unit};
use crate::i18n::Lang;
use crate::record::{AnyRecord, Rows};
use crate::rollup::Measures;
use crate::storage::{BulkImport, Storage};
use crate::store::{AddOutcome, Difference, JournalEntry, Result, Reversal, StoreError, UnitOutcome};
use crate::words::{say, D};
use chrono::NaiveDate;
use postgres::Client;
use std::cell::{Cell, RefCell};
use std::ops::{ControlFlow, RangeInclusive};

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
    /// While set, writes are journaled as the undo of this entry.
    pub(super) undoing: Cell<Option<u64>>,
}

/// A refusal in the catalogue's words.
pub(super) fn refused(key: D, args: &[&dyn std::fmt::Display]) -> StoreError {
    StoreError::Refused {
        zh: say(Lang::Zh, key, args),
        en: say(Lang::En, key, args),
    }
}

fn not_yet() -> StoreError {
    refused(D::PgNotYet, &[])
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
        let row = client
            .query_one("SELECT current_user::text, shegong.role_of(current_user)", &[])
            .map_err(|e| store_error(&e, &place, ""))?;
        let login: String = row.try_get(0).map_err(|e| store_error(&e, &place, ""))?;
        let role: Option<String> = row.try_get(1).map_err(|e| store_error(&e, &place, &login))?;
        Ok(PgStorage {
            client: RefCell::new(client),
            place,
            login,
            role,
            undoing: Cell::new(None),
        })
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
}

impl Storage for PgStorage {
    fn place(&self) -> String {
        self.place.clone()
    }
    fn is_readonly(&self) -> bool {
        !matches!(self.role.as_deref(), Some("district" | "clerk"))
    }
    // The journal's login is the server's `current_user`; a name given here is not used (the
    // CLI refuses `--operator` with `--db`).
    fn set_operator(&mut self, _operator: &str) {}
    // Every write commits its own transaction: nothing is left to flush.
    fn flush(&self) -> Result<()> {
        Ok(())
    }
    fn is_empty(&self) -> Result<bool> {
        let row = self
            .client
            .borrow_mut()
            .query_one("SELECT NOT EXISTS (SELECT FROM shegong.units)", &[])
            .map_err(|e| self.err(&e))?;
        row.try_get(0).map_err(|e| self.err(&e))
    }
    fn unit(&self, _code: &str) -> Result<Option<Unit>> {
        Err(not_yet())
    }
    fn roots(&self) -> Result<Vec<Unit>> {
        Err(not_yet())
    }
    fn children(&self, _code: &str) -> Result<Vec<Unit>> {
        Err(not_yet())
    }
    fn has_children(&self, _code: &str) -> Result<bool> {
        Err(not_yet())
    }
    fn path_to(&self, _code: &str) -> Result<Vec<Unit>> {
        Err(not_yet())
    }
    fn all_units(&self) -> Result<Vec<Unit>> {
        Err(not_yet())
    }
    fn units_for_backup(&self) -> Result<Vec<Unit>> {
        Err(not_yet())
    }
    fn counts(&self) -> Result<[usize; 4]> {
        Err(not_yet())
    }
    fn records_in(
        &self,
        _kind: RecordKind,
        _code: &str,
        _days: RangeInclusive<Day>,
        _subtree: bool,
        _limit: usize,
    ) -> Result<Vec<(RecordId, AnyRecord)>> {
        Err(not_yet())
    }
    fn each_record(&self, _kind: RecordKind, _f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>) -> Result<()> {
        Err(not_yet())
    }
    fn subtree_measures(&self, _code: &str, _as_of: NaiveDate) -> Result<Measures> {
        Err(not_yet())
    }
    fn check(&self) -> Result<Vec<Difference>> {
        Err(not_yet())
    }
    fn history_where(
        &self,
        _limit: usize,
        _keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        Err(not_yet())
    }
    fn journal_entries(&self) -> Result<Vec<(u64, JournalEntry)>> {
        Err(not_yet())
    }
    fn journal_mark(&self) -> Result<u64> {
        Err(not_yet())
    }
    fn replace_journal(
        &self,
        _entries: Vec<(u64, JournalEntry)>,
        _action: &str,
        _kind: &str,
        _summary: String,
    ) -> Result<()> {
        Err(not_yet())
    }
    fn reversals(&self) -> Result<Vec<Reversal>> {
        Err(not_yet())
    }
    fn undoing(&self, entry: Option<u64>) {
        self.undoing.set(entry)
    }
    fn undo_rows(&self, _kind: Option<RecordKind>, _rows: &[(u64, JournalEntry)]) -> Result<()> {
        Err(not_yet())
    }
    fn undo_import(&self, _kind: Option<RecordKind>, _token: u64, _undone: (u64, &JournalEntry)) -> Result<()> {
        Err(not_yet())
    }
    fn apply_units(&self, _units: &[Unit], _restored: bool) -> Result<UnitOutcome> {
        Err(not_yet())
    }
    fn add_records(&self, _rows: Rows<'_>, _restored: bool) -> Result<AddOutcome> {
        Err(not_yet())
    }
    fn delete_record(&self, _kind: RecordKind, _id: &RecordId) -> Result<AnyRecord> {
        Err(not_yet())
    }
    fn check_reversible(&self, _of: &RecordId) -> Result<()> {
        Err(not_yet())
    }
    fn reverse_budget(&self, _of: &RecordId, _reversal: &BudgetEntry) -> Result<RecordId> {
        Err(not_yet())
    }
    fn check_deletable(&self, _code: &str) -> Result<()> {
        Err(not_yet())
    }
    fn delete_unit(&self, _code: &str) -> Result<Unit> {
        Err(not_yet())
    }
    fn import(&self, _kind: RecordKind) -> Result<Box<dyn BulkImport + '_>> {
        Err(not_yet())
    }
}
