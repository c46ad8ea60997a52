//! The storage trait: what the registry (`crate::registry`) needs from any place that keeps
//! units, records, totals and the journal. Object-safe, so the registry holds a
//! `Box<dyn Storage>` chosen at run time: the sled store (`crate::store`) today, a PostgreSQL
//! backend (`--db URL`, issue 13) next.
//!
//! # Decisions
//!
//! - **Kinds, not generics, at the trait.** A generic method (`records_of<R>`) would make the
//!   trait not object-safe, so records cross it as `record::Rows` (a borrowed slice of one
//!   kind: no copy on the import path) and `record::AnyRecord`; the registry gives callers the
//!   typed methods (`records_of::<Evaluation>`) they had on `Store`.
//! - **A record's identity is a `domain::RecordId`,** opaque text the backend gives. sled's is
//!   its key as text (`RecordKey::to_text`), which is what the journal already stored, so no
//!   stored journal changes.
//! - **Operations, and batches of them.** The trait is at the level of the writes the program
//!   makes (apply units, add records, delete, reverse, the inverse writes of undo, a streamed
//!   import), each all-or-nothing inside the backend; sled keeps its pages, year buckets, id
//!   index, write set with undo log, recovery and lock, so nothing is lost in speed or safety.
//!   The rules those writes follow are written once outside the storage folder, in
//!   `registry::rules` (validation and its words, the parent walk with its limit),
//!   `registry::journal` (the journal's entries, what undo can take back) and `registry::undo`
//!   (which entry undo takes back, whether it can, the rows of one import found and checked
//!   together, and the inverse write chosen: a record deleted or put back, a unit deleted or
//!   given its old fields, `undo_rows`, `undo_import`); a backend carries the write out and,
//!   while `undoing(Some(n))` is set, journals it as the undo of entry `n`. sled's write paths
//!   read the facts they need from its own trees in the same pass that writes, which is where
//!   its speed comes from, and what a write changes in the totals is computed from the domain
//!   (`Record::delta`, `rollup::unit_events`) but applied inside sled.
//! - **An all-or-nothing batch: `commit(&Batch)`.** A `registry::batch::Batch` is an ordered
//!   list of domain-level changes, each one of the single writes above (units put, records of
//!   one kind added, a record deleted by id, a budget entry reversed, a unit deleted), with no
//!   bytes, keys or SQL in it; the registry builds it (`Registry::correct_budget`: a reversal
//!   and the corrected entry). `commit` makes the changes in order through those same single
//!   writes (`registry::batch::carry_out`), so each reads what the ones before it wrote (a
//!   second reversal of one entry is refused, totals add up) and follows the same rules, inside
//!   one all-or-nothing write of the backend's: sled's undo-logged write (`store::batch`: each
//!   change one part of one `LoggedWrite`, the pending mark on disk from the first part to the
//!   end, so a SIGKILL in between is rolled back whole on the next open; a refused change takes
//!   the parts before it back at once from the same log, the totals' old values logged too so
//!   that no rebuild is needed), PostgreSQL's one transaction (`pg::tx::commit_batch`: each
//!   change's write a savepoint in it, so a rule, a policy's refusal or a conflict anywhere
//!   rolls all back). The refused change's own error is returned: it names the unit or record.
//!   **Journaled change by change,** each as its single write would be, not as one entry: undo
//!   then takes a batch back one change at a time, newest first, through the inverse writes it
//!   already has, the journal's readers (reversals in force, history, a backup) need nothing
//!   new, and history shows a correction as what it is, a reversal and a new entry. The single
//!   writes stay trait methods and their path is unchanged (sled's `apply` asks one
//!   uncontended lock whether a batch is open), so nothing is lost in their speed.
//! - **Records by date range** (`records_in`: a unit's or a subtree's records of a kind dated
//!   within a range, newest first, at most a limit). `Registry::records_of` is its whole range,
//!   and `Registry::latest_evaluation` (the report's "newest evaluation as of") its range up
//!   to a day with a limit of one; sled reads only the year pages the range touches. A
//!   report's children's are `Registry::latest_evaluations`, which a backend may answer for
//!   them all in one read (`newest_evaluation_days`, with a default: the server's one query);
//!   asked with the parent (`children_newest_evaluation_days`, defaulting to it), sled answers
//!   from the children it keeps with each unit (`store::kids`).
//! - **Connecting again without waiting** (`reconnect_in_background`, with a default): the UI
//!   asks it, so that a lost server is tried again on a thread of the backend's own.
//! - **Restore through the trait.** `backup::restore_into` verifies a backup, then asks a
//!   `RestoreTarget` to take its place (refused when it holds data), for an empty backend to
//!   fill through `Storage` (`apply_units`, `add_records`, `replace_journal`), and to put it in
//!   place at once; after a failure, to leave the place as it was. sled's target
//!   (`store::SledRestore`) builds the new store in `restore-in-progress` and renames it in.
//! - **Where PostgreSQL plugs in:** a `postgres` module implementing `Storage` over the
//!   schema in `src/pg/migrations/` (docs/SERVER.md: units with an `ltree` path, records keyed
//!   by kind and id with a content hash, totals computed on read over the subtree, the journal
//!   as an append-only table, all under FORCE'd row-level security); one SQL transaction per write; `records_in` as an indexed
//!   range query; `import` as a COPY into a staging table checked, then moved, in one
//!   transaction) and `RestoreTarget` (a new schema filled, then swapped in one transaction),
//!   chosen by `Registry::connect` from `--db URL`. It calls the same `registry` rules, and
//!   `tests/backend_suite` runs on it as on sled.
//! - **Find with a default** (`find_units`, issue 14): the default ranks every unit by
//!   `search::rank` (a scan, which is all a backend without an index needs); sled answers from
//!   a find index kept in the store with every write (`store::find`: packed postings).
//! - **Left for later: a code-based sled id.** sled's record id holds a unit's insertion
//!   number, so a backup replays units in their first-added order (`units_for_backup`); an id
//!   from the unit's code (a schema-4 upgrade in `store/migrate.rs`) would end that.
//!
//! Errors are `store::StoreError` for now: its cases (unknown unit, rejected rows, refused,
//! damaged, in use) are the ones any backend reports, worded in both languages.

use crate::domain::{Day, Evaluation, RecordId, RecordKind, Unit};
use crate::record::{AnyRecord, Rows};
use crate::registry::batch::{Batch, Committed};
use crate::rollup::Measures;
use crate::store::{AddOutcome, Difference, JournalEntry, Result, Reversal, RowProblem, UnitOutcome};
use chrono::NaiveDate;
use std::ops::{ControlFlow, RangeInclusive};

/// Everything the registry asks of a backend.
pub trait Storage {
    /// Where the data is, in words for messages (a folder, a database URL).
    fn place(&self) -> String;
    fn is_readonly(&self) -> bool;
    /// Whether this session may write the records of unit `code` (a shared server's clerk: its
    /// unit and the units below it), asked before a form is typed into; the server itself
    /// holds the same line. Every unit alike unless read-only, by default.
    fn may_write(&self, _code: &str) -> Result<bool> {
        Ok(!self.is_readonly())
    }
    /// Who the journal records from now on.
    fn set_operator(&mut self, operator: &str);
    /// Makes everything written so far durable.
    fn flush(&self) -> Result<()>;
    /// True when no unit is stored.
    fn is_empty(&self) -> Result<bool>;

    // ---- units ----
    fn unit(&self, code: &str) -> Result<Option<Unit>>;
    /// Whether the unit with this code has a station, and when it opened: what a file's parse
    /// asks of each unit its rows name. A backend may read it without the rest of the unit
    /// (sled: `codec::UnitFront`; issue 14, session 12: each unit a file named was decoded
    /// whole, ten strings, ~5% of an evaluations import).
    fn unit_station(&self, code: &str) -> Result<Option<UnitStation>> {
        Ok(self.unit(code)?.map(|u| UnitStation {
            has_station: u.station != crate::domain::StationStatus::None,
            opened_on: u.opened_on,
        }))
    }
    /// The units without a parent, by code.
    fn roots(&self) -> Result<Vec<Unit>>;
    /// The children of a unit, by code.
    fn children(&self, code: &str) -> Result<Vec<Unit>>;
    fn has_children(&self, code: &str) -> Result<bool>;
    /// The unit and its ancestors, root first.
    fn path_to(&self, code: &str) -> Result<Vec<Unit>>;
    /// Every unit, parents before children.
    fn all_units(&self) -> Result<Vec<Unit>>;
    /// Every unit in the order a backup lists them: the order that, replayed into an empty
    /// backend of the same kind, gives every record the same id again (sled: the order units
    /// were first added, since its ids hold a unit's number).
    fn units_for_backup(&self) -> Result<Vec<Unit>>;
    /// Units, evaluations, trainings, budget entries.
    fn counts(&self) -> Result<[usize; 4]>;
    /// The units a find query matches (`search::rank`), best first (`search::order_key`), at
    /// most `limit`. The default scans every unit; a backend with an index answers the same
    /// from it (sled: `store::find`), at the cost of the matches rather than of every unit.
    fn find_units(&self, query: &str, limit: usize) -> Result<Vec<Unit>> {
        Ok(crate::search::scan(self.all_units()?, query, limit))
    }

    // ---- records ----
    /// A unit's records of a kind (and its subtree's) dated within `days`, newest first (records
    /// of one day in the backend's stable order), at most `limit`.
    fn records_in(
        &self,
        kind: RecordKind,
        code: &str,
        days: RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, AnyRecord)>>;
    /// Every record of a kind, in the backend's stable order, until `f` breaks.
    fn each_record(&self, kind: RecordKind, f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>) -> Result<()>;

    // ---- totals ----
    /// The totals of a unit's subtree as of a date.
    fn subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures>;
    /// The children of a unit (as `children`), each with its subtree's totals as of a date.
    /// The default reads each child's; sled keeps its children's current totals with the
    /// parent, one range read whatever their number (`store::aggregate`).
    fn children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(Unit, Measures)>> {
        self.children(code)?
            .into_iter()
            .map(|child| {
                let m = self.subtree_measures(&child.code, as_of)?;
                Ok((child, m))
            })
            .collect()
    }
    /// A unit's subtree totals and its children's (as `children_measures`) as of a date, for a
    /// report that shows both. The default reads each (sled: a few reads); the server reads the
    /// records once and sums the children's with the unit's own (`pg::totals`).
    fn measures_with_children(&self, code: &str, as_of: NaiveDate) -> Result<(Measures, Vec<(Unit, Measures)>)> {
        Ok((
            self.subtree_measures(code, as_of)?,
            self.children_measures(code, as_of)?,
        ))
    }
    /// Whether `children_measures` of a parent costs about what one child's `subtree_measures`
    /// does (the server: one query per table for all children), so that the UI reads a screen
    /// of sibling rows with it; `false` (sled) keeps reading only the rows on screen.
    fn children_measures_at_once(&self) -> bool {
        false
    }
    /// For each of `codes` (a report's children), its own evaluations dated on its newest day
    /// on or before `until`, in one read for them all, for `Registry::latest_evaluations` to
    /// pick one from by its tie rule; `None` (the default: sled, whose reads of one unit's are
    /// a page or two) to read each unit's as `Registry::latest_evaluation` does.
    fn newest_evaluation_days(&self, _codes: &[String], _until: Day) -> Result<Option<Vec<Vec<Evaluation>>>> {
        Ok(None)
    }
    /// `newest_evaluation_days` of `codes`, the children of `parent` (as `children_measures`
    /// gave them). The default asks `newest_evaluation_days`; sled keeps each child's newest
    /// evaluations with the parent (`store::kids`): one read for them all.
    fn children_newest_evaluation_days(
        &self,
        _parent: &str,
        codes: &[String],
        until: Day,
    ) -> Result<Option<Vec<Vec<Evaluation>>>> {
        self.newest_evaluation_days(codes, until)
    }
    /// Stored totals that differ from a recomputation from the records.
    fn check(&self) -> Result<Vec<Difference>>;

    // ---- the journal ----
    /// Entries newest first that `keep` keeps (given each entry's number), at most `limit` (0:
    /// no limit), with their numbers.
    fn history_where(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>>;
    /// The whole journal, oldest first, with the entries' numbers (for a backup).
    fn journal_entries(&self) -> Result<Vec<(u64, JournalEntry)>>;
    /// The number of the newest journal entry (0 when there is none).
    fn journal_mark(&self) -> Result<u64>;
    /// Replaces the journal with `entries` (a backup's, oldest first, renumbered 1, 2, 3, …
    /// by `registry::journal::renumbered`; an import's token dropped, since what it named is
    /// not backed up), then adds a note of `action` on `kind` with `summary`.
    fn replace_journal(
        &self,
        entries: Vec<(u64, JournalEntry)>,
        action: &str,
        kind: &str,
        summary: String,
    ) -> Result<()>;
    /// Every budget reversal the journal links.
    fn reversals(&self) -> Result<Vec<Reversal>>;
    /// While `Some(n)`, every write is journaled as the undo of entry `n` (action `undo`):
    /// `registry::undo` takes a single change back through the ordinary writes.
    fn undoing(&self, entry: Option<u64>);
    /// Takes back the rows of one import journaled row by row (`registry::undo` found and
    /// checked them; `kind` is `None` for units), in one write that journals the undo of each.
    fn undo_rows(&self, kind: Option<RecordKind>, rows: &[(u64, JournalEntry)]) -> Result<()>;
    /// Takes back the bulk import whose entry is `undone` (its number and entry), which names
    /// what it changed by `token`, in one write that journals its undo.
    fn undo_import(&self, kind: Option<RecordKind>, token: u64, undone: (u64, &JournalEntry)) -> Result<()>;

    // ---- writes, each all or nothing ----
    /// Adds and updates units (`restored`: a backup's values, without the text cap).
    fn apply_units(&self, units: &[Unit], restored: bool) -> Result<UnitOutcome>;
    /// `apply_units` for a units file, which the backend may free as soon as it has planned
    /// the write (sled: before the find index is rebuilt).
    fn import_units(&self, units: Vec<Unit>) -> Result<UnitOutcome> {
        self.apply_units(&units, false)
    }
    /// The version of unit `code` as stored, for a form that edits it to hand back to
    /// `update_unit`. `None` where one process holds the store (sled): nobody else can have
    /// saved in between.
    fn unit_stamp(&self, _code: &str) -> Result<Option<UnitStamp>> {
        Ok(None)
    }
    /// Saves one unit a form edited, refused with `StoreError::Conflict` (naming who saved it
    /// and when) when `expected` is given and the stored version is no longer it.
    fn update_unit(&self, unit: &Unit, _expected: Option<&UnitStamp>) -> Result<UnitOutcome> {
        self.apply_units(std::slice::from_ref(unit), false)
    }
    /// Adds records of one kind; rows stored already add nothing.
    fn add_records(&self, rows: Rows<'_>, restored: bool) -> Result<AddOutcome>;
    /// `add_records` of a file's rows, each of which the parser validated without a problem
    /// (`Record::validate`): a backend may skip that rule, checking all else as for any rows
    /// (`rules::Fields::Checked`). A server validates them again (its rows' costs are elsewhere).
    fn add_parsed_records(&self, rows: Rows<'_>) -> Result<AddOutcome> {
        self.add_records(rows, false)
    }
    /// Deletes one record; returns it.
    fn delete_record(&self, kind: RecordKind, id: &RecordId) -> Result<AnyRecord>;
    fn check_reversible(&self, of: &RecordId) -> Result<()>;
    /// Adds the budget entry that cancels `of`; returns its id.
    fn reverse_budget(&self, of: &RecordId, reversal: &crate::domain::BudgetEntry) -> Result<RecordId>;
    fn check_deletable(&self, code: &str) -> Result<()>;
    fn delete_unit(&self, code: &str) -> Result<Unit>;
    /// A streamed bulk import of one kind.
    fn import(&self, kind: RecordKind) -> Result<Box<dyn BulkImport + '_>>;

    // ---- an all-or-nothing batch ----
    /// Makes every change of `batch`, in order, each journaled as its single write would be,
    /// or none of them: a change refused (its error returned as it is, naming the unit or
    /// record) leaves units, records, totals and the journal as before the batch.
    fn commit(&self, batch: &Batch) -> Result<Committed>;

    // ---- evaluation schemes (issue 15) ----
    /// Every stored evaluation scheme, by name.
    fn schemes(&self) -> Result<Vec<crate::domain::Scheme>>;
    /// Stores schemes none of which is stored yet (`Registry::add_schemes` checks that), all or
    /// nothing. Schemes are master data read by every evaluation: not journaled, not undone.
    fn add_schemes(&self, schemes: &[crate::domain::Scheme]) -> Result<()>;

    // ---- other people's changes ----
    /// A feed of the changes other sessions commit (`crate::live`), for the UI to show without
    /// a key press; `None` where nobody else writes (sled: one process holds the store).
    fn watch(&self) -> Result<Option<crate::live::ChangeFeed>> {
        Ok(None)
    }
    /// From now on, a lost connection is made again on a thread of its own, and each read or
    /// write until it answers says the server cannot be reached rather than waiting (the UI,
    /// whose keys and frames must never wait on a try: `pg::again`). Nothing where there is no
    /// connection to lose (sled).
    fn reconnect_in_background(&self) {}
}

/// Of a unit: whether it has a station (any status but none) and when the station opened
/// (`Storage::unit_station`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitStation {
    pub has_station: bool,
    pub opened_on: Option<crate::domain::PartialDate>,
}

/// A unit's version as the backend stores it (a shared server: bumped by every save), with
/// who saved it last and when (the server's time, in words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitStamp {
    pub version: i64,
    pub by: String,
    pub at: String,
}

/// A streamed bulk import: rows are checked in chunks (nothing stored), then written in
/// chunks, then `finish` makes them final and journals them, all or nothing: dropped before
/// `finish`, nothing of it stays.
pub trait BulkImport {
    /// Problems of these rows against the store and the rows checked before; `first_row` is
    /// the index of `rows[0]` in the whole input.
    fn check(&mut self, rows: Rows<'_>, first_row: usize) -> Result<Vec<RowProblem>>;
    /// Stores rows `check` passed, as one part.
    fn write(&mut self, rows: Rows<'_>) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<AddOutcome>;
    /// Whether a community's rows are best written in the same part as its street's rows (the
    /// sled store writes each street's yearly totals once per part: `interchange::load::Groups`);
    /// a server takes rows as they come.
    fn groups_by_street(&self) -> bool {
        false
    }
    /// Which of `shares` runs of the units a unit's rows are best written in, by their place
    /// in the store (the sled store: neighbouring units' values are neighbouring keys, written
    /// together); `None`: any (a server, or a unit the store lacks).
    fn share_of(&mut self, _owner: &str, _shares: usize) -> Result<Option<usize>> {
        Ok(None)
    }
    /// The caller says that from now on each part holds every row of each of its units (what
    /// a part alone needs to number identical rows); nothing on a server.
    fn parts_hold_whole_units(&mut self) {}
    /// The caller says each row it will check was validated (`Record::validate`, by the
    /// parser) without a problem: a backend may skip that rule (`rules::Fields::Checked`).
    fn fields_checked(&mut self) {}
}

/// Where a backup is restored to, chosen by the caller (`store::SledRestore` for a folder):
/// `backup::restore_into` checks the backup, then asks the target, in this order, to take its
/// place, for an empty backend to fill, and to put the filled one in place all at once; after
/// a failure, to leave its place as it was.
pub trait RestoreTarget {
    /// Where, in words for messages.
    fn place(&self) -> String;
    /// Takes the place for this restore (making and locking it as needed); the counts of what
    /// it holds (units, evaluations, trainings, budget) when it is not empty, which refuses the
    /// restore.
    fn open(&mut self) -> Result<Option<[usize; 4]>>;
    /// A new, empty backend that the journal records `operator` in, not seen at the place
    /// until `install`.
    fn build(&mut self, operator: &str) -> Result<Box<dyn Storage>>;
    /// Makes the filled backend the place's, all at once.
    fn install(&mut self, filled: Box<dyn Storage>) -> Result<()>;
    /// Takes back what `open` and `build` did, after a failure.
    fn abandon(&mut self) -> Result<()>;
}
