//! Adding records, in one go or streamed in parts, and taking a bulk import back; deleting a
//! unit that nothing refers to (and so undoing an added unit). `check` validates rows against the store
//! without writing (every problem of the whole input, before anything is stored); `write`
//! stores rows: their pages, ids, totals and first evaluations; `finish` journals the import and
//! makes it final. A bulk import keeps the keys it added in the `batches` tree, written with
//! its parts, so that `undo` removes exactly those. A streamed import holds the store's pending flag from its first part to
//! `finish`, so a crash in between rolls the whole import back.

use super::aggregate::{Ancestry, Deltas};
use super::codec::{self, PageEntry};
use super::error::RowProblem;
use super::import::PageEdit;
use super::journal::{json, ROW_BY_ROW_LIMIT};
use super::keys::{self, RecordKey, TreeId};
use super::write::{LoggedWrite, Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::RecordId;
use crate::domain::RecordKind;
use crate::domain::{Day, Problem, StationStatus};
use crate::record::Record;
use crate::registry::rules;
use crate::words::D;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Keys of added records are kept for the caller up to this many (a form wants its key; a
/// million-row import does not).
const KEYS_KEPT: usize = 10_000;
/// Keys of a bulk import per value of the `batches` tree (20 bytes each).
const BATCH_CHUNK: usize = 10_000;

/// What an import of records did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddOutcome {
    pub added: usize,
    /// Rows that were stored already (the same file imported again).
    pub already_present: usize,
    /// Ids of the added records, in input order (only the first ten thousand).
    pub keys: Vec<crate::domain::RecordId>,
}

/// Facts about a unit that validation of records needs.
#[derive(Clone, Copy)]
struct UnitFacts {
    idx: u32,
    has_station: bool,
    /// The unit whose place in the store its rows are written near: its street for a
    /// community (written with its street's, so that a street's yearly totals are written by
    /// one pass), else itself (`ImportSession::share_of`).
    group: u32,
}

/// An import of records of one kind, in one or more parts.
pub struct ImportSession<'s, R: Record> {
    store: &'s Store,
    facts: HashMap<String, Option<UnitFacts>>,
    /// Explicit ids seen so far in the input (a repeated id is a problem).
    ids_seen: HashSet<String>,
    /// Contents seen so far (the hash covers unit and date), and how often the ones seen more
    /// than once occurred: identical rows are distinct records. Two maps, because repeats are
    /// rare and a national import has millions of rows.
    seen: HashSet<u64>,
    repeats: HashMap<u64, u32>,
    logged: Option<LoggedWrite>,
    /// The size of the rows checked so far in each page they go to, so that a page past
    /// `codec::PAGE_LIMIT` is refused before anything is stored. Reported once per page.
    page_bytes: HashMap<[u8; 6], u64>,
    pages_refused: HashSet<[u8; 6]>,
    /// Which of each record's own rules `check` applies: all, all but the text cap for a
    /// restore (`Record::validate_restored`), or none for a file's rows the parser validated
    /// (`fields_checked`).
    fields: rules::Fields,
    /// Set by the first `plan`: checking is over, so ids are counted afresh while writing.
    writing: bool,
    outcome: AddOutcome,
    /// The added records while there are few enough to journal one by one.
    journal_rows: Vec<(RecordKey, R)>,
    /// The keys added since the last chunk was written to the `batches` tree, the number of
    /// chunks written, and the token they are written under (taken at the first chunk).
    batch: Vec<u8>,
    batch_chunks: u32,
    token: Option<u64>,
    /// The kind's tree held no page when the import began: a page of a unit no earlier part
    /// wrote is known to be absent and is not read (issue 14, import speed: at national size
    /// a page looked up was mostly a read from disk, for nothing in a fresh import).
    fresh: bool,
    /// The units whose pages an earlier part of this import wrote (with `fresh`: the only
    /// pages that may be there).
    units_written: HashSet<u32>,
    /// The last part planned wrote pages of no unit an earlier part wrote: each of its page
    /// keys is touched for the first time (`LoggedWrite::first_touch`).
    pages_first_touched: bool,
    /// The number of units the store has ever numbered (`share_of`), read once.
    unit_count: Option<u32>,
    /// The caller said each part holds every row of each of its units
    /// (`parts_hold_whole_units`): identical rows are counted within a part only.
    whole_units: bool,
}

impl Store {
    /// Starts adding records of one kind.
    pub fn import_session<R: Record>(&self) -> Result<ImportSession<'_, R>> {
        self.check_writable()?;
        Ok(ImportSession {
            store: self,
            facts: HashMap::default(),
            ids_seen: HashSet::default(),
            seen: HashSet::default(),
            repeats: HashMap::default(),
            logged: None,
            page_bytes: HashMap::default(),
            pages_refused: HashSet::default(),
            fields: rules::Fields::Check,
            writing: false,
            outcome: AddOutcome::default(),
            journal_rows: Vec::new(),
            batch: Vec::new(),
            batch_chunks: 0,
            token: None,
            fresh: self.tree(super::import::tree_of(R::KIND)).is_empty(),
            units_written: HashSet::default(),
            pages_first_touched: false,
            unit_count: None,
            whole_units: false,
        })
    }

    /// Adds records, all or nothing. Rows already stored (same content, or same id and content)
    /// are counted and skipped; an id stored with other content is refused.
    pub fn add_records<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.add_records_with(rows, rules::Fields::Check)
    }

    /// `add_records` for a restore: the text cap is not applied to values a backup holds.
    pub fn add_records_restored<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.add_records_with(rows, rules::Fields::Restored)
    }

    /// `add_records` of a file's rows, each of which the parser validated without a problem
    /// (`rules::Fields::Checked`): everything else is checked as for any rows.
    pub fn add_parsed_records<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.add_records_with(rows, rules::Fields::Checked)
    }

    fn add_records_with<R: Record>(&self, rows: &[R], fields: rules::Fields) -> Result<AddOutcome> {
        let mut session = self.import_session::<R>()?;
        session.fields = fields;
        let problems = session.check(rows, 0)?;
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        let mut set = session.plan(rows)?;
        session.journal_into(&mut set)?;
        self.apply(set)?;
        Ok(std::mem::take(&mut session.outcome))
    }
}

impl<R: Record> ImportSession<'_, R> {
    fn facts(&mut self, code: &str) -> Result<Option<UnitFacts>> {
        if let Some(f) = self.facts.get(code) {
            return Ok(*f);
        }
        // Only the front of the row is decoded (`codec::UnitFront`).
        let front = self.store.unit_front(code)?;
        let facts = front.map(|row| UnitFacts {
            idx: row.idx,
            has_station: row.station != StationStatus::None,
            group: match (row.level, row.parent_idx) {
                (crate::domain::Level::Community, Some(street)) => street,
                _ => row.idx,
            },
        });
        self.facts.insert(code.to_string(), facts);
        Ok(facts)
    }

    /// Which of `shares` runs of the store's units a unit's rows are spilled to
    /// (`interchange::spill`), by its place in the store: a pass then writes the pages and
    /// totals of neighbouring units, a run of each tree's keys, rather than units spread over
    /// every tree (issue 14, import speed: at national size the trees outgrow sled's cache, so
    /// each pass read back every part of them). A community goes with its street. `None` for a
    /// unit the store lacks (its rows are refused anyway).
    pub fn share_of(&mut self, code: &str, shares: usize) -> Result<Option<usize>> {
        let Some(facts) = self.facts(code)? else {
            return Ok(None);
        };
        let count = match self.unit_count {
            Some(n) => n,
            None => *self
                .unit_count
                .insert(self.store.meta_u32(keys::META_NEXT_UNIT)?.unwrap_or(0)),
        };
        let share = u64::from(facts.group) * shares as u64 / u64::from(count.max(facts.group + 1));
        Ok(Some((share as usize).min(shares.saturating_sub(1))))
    }

    /// From now on each part written holds every row of each of its units (a streamed file's
    /// passes: `interchange::spill`): identical rows, which are of one unit, are then counted
    /// within a part, and what was counted is forgotten after it (issue 14, import memory: a
    /// hash per row, ~110 MB for 5 million rows). A unit whose rows come back in a later part
    /// is refused, never numbered twice.
    pub fn parts_hold_whole_units(&mut self) {
        self.whole_units = true;
    }

    /// The caller validated each row it will check (`Record::validate`, as the parser does)
    /// and found no problem: `check` does not validate them again (`rules::Fields::Checked`).
    pub fn fields_checked(&mut self) {
        self.fields = rules::Fields::Checked;
    }

    /// The problems of these rows (numbered from `first_row`), checked against the store and
    /// against the rows checked before them in this session. Writes nothing.
    pub fn check(&mut self, rows: &[R], first_row: usize) -> Result<Vec<RowProblem>> {
        let ids = self.store.tree(TreeId::Ids);
        let mut problems = Vec::new();
        for (i, record) in rows.iter().enumerate() {
            let row = first_row + i;
            let owner = self.facts(record.owner())?;
            let fields = self.fields;
            let mut found = Vec::new();
            rules::record_problems(
                record,
                fields,
                owner.map(|f| rules::Owner {
                    has_station: f.has_station,
                }),
                |code| Ok(self.facts(code)?.is_some()),
                |problem| found.push(problem),
            )?;
            problems.extend(found.into_iter().map(|problem| RowProblem { row, problem }));
            let mut bad = |problem: Problem| problems.push(RowProblem { row, problem });
            // An unknown owner is the row's problem; nothing else of it can be checked.
            let Some(owner) = owner else { continue };
            if let Some(problem) = self.grow_page(record, owner.idx)? {
                bad(problem);
            }
            if let Some(id) = record.id() {
                if !self.ids_seen.insert(id.to_string()) {
                    bad(rules::twice_in_file("id", id));
                    continue;
                }
                if let Some(stored) = ids.get(keys::id_key(R::KIND as u8, id))? {
                    // Same id and same content is the same record (stored already); same id
                    // and other content is a conflict, never an overwrite.
                    let stored = RecordKey::parse(&stored).ok_or_else(|| StoreError::Corrupt("bad id entry".into()))?;
                    let hash = xxhash_rust::xxh3::xxh3_64(&super::codec::encode_record(record)?);
                    let same = stored.unit == owner.idx && stored.day == record.delta().0 && stored.hash == hash;
                    if !same {
                        bad(rules::id_conflict(id));
                    }
                }
            }
        }
        Ok(problems)
    }

    /// Counts a checked row into the size of its page; the problem, once per page, when the
    /// rows of this input alone pass `codec::PAGE_LIMIT`. Every row ends up in its page (added,
    /// or stored already), so this never refuses a page that would fit. What is stored already
    /// is not counted here, or importing a large file again (which adds nothing) would be
    /// refused; a page that passes the limit only with it is refused when it is encoded
    /// (`Store::write_pages`), and the write rolled back whole.
    fn grow_page(&mut self, record: &R, unit: u32) -> Result<Option<Problem>> {
        let (day, _) = record.delta();
        let year = crate::rollup::bucket_year(day);
        let key = keys::page_key(unit, year);
        // Its length alone: the bytes are encoded once, when the row is written.
        let size = super::codec::encoded_record_len(record)? + codec::PAGE_ENTRY_OVERHEAD;
        let total = self.page_bytes.entry(key).or_insert(0);
        *total += size;
        if *total <= codec::PAGE_LIMIT || !self.pages_refused.insert(key) {
            return Ok(None);
        }
        let limit = codec::PAGE_LIMIT / (1024 * 1024);
        let owner = record.owner().to_string();
        Ok(Some(Problem::said_in(R::owner_field(), D::PageFullAtRow, |lang| {
            vec![
                Box::new(owner.clone()),
                Box::new(year),
                Box::new(R::KIND.label(lang)),
                Box::new(limit),
            ]
        })))
    }

    /// Stores rows that `check` passed, as one part of a streamed import.
    pub fn write(&mut self, rows: &[R]) -> Result<()> {
        let set = self.plan(rows)?;
        if self.whole_units {
            self.seen.clear();
            self.repeats.clear();
        }
        let logged = match &mut self.logged {
            Some(l) => l,
            None => self.logged.insert(self.store.logged_begin(true)?),
        };
        logged.first_touch = self.pages_first_touched.then(|| super::import::tree_of(R::KIND));
        self.store.logged_part(logged, set)
    }

    /// Journals the import and makes it final.
    pub fn finish(mut self) -> Result<AddOutcome> {
        let mut set = WriteSet::default();
        self.journal_into(&mut set)?;
        match self.logged.take() {
            Some(mut logged) => {
                self.store.logged_part(&mut logged, set)?;
                self.store.logged_finish(logged)?;
            }
            None => self.store.apply(set)?,
        }
        Ok(std::mem::take(&mut self.outcome))
    }

    fn journal_into(&mut self, set: &mut WriteSet) -> Result<()> {
        let kind = R::KIND.name();
        if self.outcome.added > ROW_BY_ROW_LIMIT {
            self.write_batch_chunk(set)?;
            let summary = super::journal::import_summary(kind, self.outcome.added, 0);
            let mut entry = self.store.entry("import", kind, None, summary);
            entry.key = self.token.map(|t| format!("{}{t}", super::journal::IMPORT_PREFIX));
            self.store.journal(set, entry)?;
        } else {
            let n = self.journal_rows.len();
            for (k, (key, record)) in self.journal_rows.iter().enumerate() {
                let summary = super::journal::row_summary(format!("{kind} added"), k + 1, n);
                let mut entry = self.store.entry("add", kind, Some(record.owner()), summary);
                entry.key = Some(key.to_text());
                entry.after = json(record)?;
                self.store.journal(set, entry)?;
            }
        }
        Ok(())
    }

    /// Writes the keys gathered since the last chunk as the next chunk of this import's batch,
    /// in the same write as the records (so a rolled-back part takes its chunk with it).
    fn write_batch_chunk(&mut self, set: &mut WriteSet) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let token = match self.token {
            Some(t) => t,
            None => *self.token.insert(self.store.db.generate_id()?),
        };
        set.put(
            TreeId::Batches,
            batch_key(token, self.batch_chunks),
            std::mem::take(&mut self.batch),
            Undo::Remove,
        );
        self.batch_chunks = self.batch_chunks.checked_add(1).ok_or(StoreError::Overflow)?;
        Ok(())
    }

    /// The writes that store these rows: new pages, ids, totals, first evaluations.
    fn plan(&mut self, rows: &[R]) -> Result<WriteSet> {
        if !self.writing {
            self.writing = true;
            // Freed, not cleared: checking's page sizes are one entry per page of the file
            // (~3 million at national size) and are not needed while writing.
            self.ids_seen = HashSet::default();
            self.page_bytes = HashMap::default();
            self.pages_refused = HashSet::default();
        }
        let ids = self.store.tree(TreeId::Ids);
        let mut pages: HashMap<[u8; 6], PageEdit> = HashMap::default();
        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self.store);
        let mut first_eval: HashMap<u32, Day> = HashMap::default();
        for record in rows {
            let owner = self
                .facts(record.owner())?
                .ok_or_else(|| StoreError::UnknownUnit(record.owner().into()))?;
            if self.whole_units && self.units_written.contains(&owner.idx) {
                return Err(StoreError::Corrupt(format!(
                    "the rows of {} came in two parts of an import whose parts hold whole units",
                    record.owner()
                )));
            }
            let bytes = super::codec::encode_record(record)?;
            let (day, delta) = record.delta();
            let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
            let occurrence = if self.seen.insert(hash) {
                0
            } else {
                let n = self.repeats.entry(hash).or_insert(0);
                *n += 1;
                *n
            };
            let key = RecordKey {
                unit: owner.idx,
                day,
                hash,
                occurrence,
            };
            if let Some(id) = record.id() {
                if ids.contains_key(keys::id_key(R::KIND as u8, id))? || !self.ids_seen.insert(id.to_string()) {
                    self.outcome.already_present += 1;
                    continue;
                }
            }
            let absent = self.fresh && !self.units_written.contains(&key.unit);
            let edit = self.store.page_edit_known(R::KIND, &mut pages, &key, absent)?;
            if edit.find(&key).is_ok() {
                self.outcome.already_present += 1;
                continue;
            }
            edit.append(PageEntry {
                day,
                hash,
                occurrence: key.occurrence,
                record: bytes,
            });
            deltas.add_measures(&mut ancestry, key.unit, day, &delta)?;
            if let Some(id) = record.id() {
                set.put(
                    TreeId::Ids,
                    keys::id_key(R::KIND as u8, id),
                    key.bytes().to_vec(),
                    Undo::Remove,
                );
            }
            if R::KIND == RecordKind::Evaluation {
                let slot = first_eval.entry(key.unit).or_insert(day);
                *slot = (*slot).min(day);
            }
            self.outcome.added += 1;
            if self.outcome.keys.len() < KEYS_KEPT {
                self.outcome.keys.push(key.id());
            }
            self.batch.extend_from_slice(&key.bytes());
            if self.batch.len() >= BATCH_CHUNK * keys::RECORD_KEY_LEN {
                self.write_batch_chunk(&mut set)?;
            }
            if self.outcome.added <= ROW_BY_ROW_LIMIT {
                self.journal_rows.push((key, record.clone()));
            } else {
                self.journal_rows.clear();
            }
        }
        let units: Vec<u32> = pages
            .iter()
            .filter(|(_, edit)| edit.changed)
            .filter_map(|(k, _)| keys::parse_bucket_key(k).map(|(unit, _)| unit))
            .collect();
        self.pages_first_touched = !units.iter().any(|u| self.units_written.contains(u));
        self.units_written.extend(units);
        self.store.write_pages(R::KIND, pages, &mut set)?;
        for (idx, day) in first_eval {
            self.store.move_first_evaluation(
                idx,
                |old| Some(old.map_or(day, |o: Day| o.min(day))),
                &mut deltas,
                &mut ancestry,
                &mut set,
            )?;
        }
        deltas.write_into(self.store, &mut set)?;
        Ok(set)
    }
}

/// A key of the `batches` tree: the import's token, the chunk's number.
/// Removes a unit's own keys (its row, its code, its place under its parent) in a write,
/// each restorable: for deleting a unit, and for undoing its adding.
pub(crate) fn remove_unit_keys(set: &mut WriteSet, row: &codec::UnitRow) -> Result<()> {
    use super::codec::Stored;
    set.remove(
        TreeId::Units,
        keys::u32_key(row.idx).to_vec(),
        Undo::Restore(row.encode()?),
    );
    set.remove(
        TreeId::Codes,
        row.unit.code.as_bytes().to_vec(),
        Undo::Restore(keys::u32_key(row.idx).to_vec()),
    );
    set.remove(
        TreeId::Children,
        keys::child_key(row.parent_idx, row.idx).to_vec(),
        Undo::Restore(Vec::new()),
    );
    Ok(())
}

pub(crate) fn batch_key(token: u64, chunk: u32) -> Vec<u8> {
    let mut k = token.to_be_bytes().to_vec();
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

impl Store {
    /// Adds `reversal`, the budget entry that cancels the one stored under `of` (冲销), and
    /// journals the link. Refused in words, nothing stored, when `of` was reversed already
    /// (naming the first reversal) or is itself a reversal (undo that instead).
    pub fn reverse_budget(&self, of: &RecordId, reversal: &crate::domain::BudgetEntry) -> Result<RecordId> {
        use crate::domain::BudgetEntry;
        self.check_reversible(of)?;
        let of_text = of.to_string();
        let mut session = self.import_session::<BudgetEntry>()?;
        let rows = std::slice::from_ref(reversal);
        let problems = session.check(rows, 0)?;
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        let mut set = session.plan(rows)?;
        let Some(key) = session.outcome.keys.first().cloned() else {
            return Err(StoreError::refused(D::ReversalStoredAlready, &[]));
        };
        let mut entry = self.entry(
            "add",
            "budget",
            Some(&reversal.unit),
            format!("{}{of_text}", super::journal::REVERSES),
        );
        entry.key = Some(key.to_string());
        entry.after = json(reversal)?;
        self.journal(&mut set, entry)?;
        self.apply(set)?;
        Ok(key)
    }

    /// Whether the budget entry stored under `of` may be reversed: it exists, was not
    /// reversed already (else the first reversal is named) and is not a reversal itself.
    pub fn check_reversible(&self, of: &RecordId) -> Result<()> {
        use crate::domain::BudgetEntry;
        self.check_writable()?;
        let of_text = of.to_string();
        let of = RecordKey::of_id(of)?;
        let named = |r: &super::journal::Reversal| {
            r.record
                .as_deref()
                .and_then(|j| serde_json::from_str::<BudgetEntry>(j).ok())
                .map(|b| format!("{} {}", b.date, b.amount.yuan()))
                .unwrap_or_default()
        };
        for r in self.reversals()? {
            if r.of == of_text {
                let what = named(&r);
                return Err(StoreError::refused(D::ReversedAlready, &[&r.number, &what]));
            }
            if r.by == of_text {
                return Err(StoreError::refused(D::ReversalNotReversible, &[&r.number]));
            }
        }
        let mut pages: HashMap<[u8; 6], PageEdit> = HashMap::default();
        if self.page_edit(RecordKind::Budget, &mut pages, &of)?.find(&of).is_err() {
            return Err(StoreError::UnknownRecord(of_text));
        }
        Ok(())
    }

    /// Deletes a unit that nothing refers to: no units below it, no records of its own, no
    /// training that served it. (A unit added by mistake must not stay forever; one with data
    /// is refused in words, nothing written.) Journaled with the unit as it was, so undo
    /// brings it back.
    pub fn delete_unit(&self, code: &str) -> Result<crate::domain::Unit> {
        let row = self.check_deletable(code)?;
        let mut set = WriteSet::default();
        remove_unit_keys(&mut set, &row)?;
        // Its station counted in the coverage of every unit above it: recomputed.
        set.rebuild_totals = true;
        let mut entry = self.entry("delete", "unit", Some(code), format!("unit {code} delete"));
        entry.before = json(&row.unit)?;
        self.journal(&mut set, entry)?;
        self.apply(set)?;
        Ok(row.unit)
    }

    /// Whether the unit of `code` may be deleted (`delete_unit`): it exists, has no units
    /// below it, no records and serves no training; else why not, in words.
    pub fn check_deletable(&self, code: &str) -> Result<super::codec::UnitRow> {
        use crate::domain::Training;
        self.check_writable()?;
        let row = self
            .unit_row_by_code(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        let refuse = |key: D| Err(StoreError::refused(key, &[&code]));
        if self.has_children(code)? {
            return refuse(D::DeleteHasChildren);
        }
        for kind in [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget] {
            if self
                .tree(super::import::tree_of(kind))
                .scan_prefix(row.idx.to_be_bytes())
                .next()
                .transpose()?
                .is_some()
            {
                return refuse(D::DeleteHasRecords);
            }
        }
        let mut served = false;
        self.for_each_record::<Training, StoreError>(|t| {
            served |= t.units.iter().any(|u| u == code);
            Ok(())
        })?;
        if served {
            return refuse(D::DeleteServed);
        }
        Ok(row)
    }
}

impl<R: Record> Drop for ImportSession<'_, R> {
    /// A streamed import given up before `finish` (an error while reading the file) is rolled
    /// back at once, as a crash would be on the next open.
    fn drop(&mut self) {
        // If the rollback itself fails (a full disk), the undo log stays on disk and the next
        // open rolls back; the error that ended the import is the one being reported.
        if self.logged.take().is_some() && self.store.recover().is_err() {
            super::mark_write_failed();
        }
    }
}
