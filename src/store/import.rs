//! Writing units and records: validation against what is stored, identity and re-import
//! (the same file twice adds nothing), the totals each write changes, and deletion. Every
//! write goes through one `WriteSet`, so it happens entirely or not at all.

use super::aggregate::{Ancestry, Deltas};
use super::codec::{Page, Stored, UnitRow};
use super::journal::{json, ROW_BY_ROW_LIMIT};
use super::keys::{self, RecordKey, TreeId};
use super::write::{LoggedWrite, Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::*;
use crate::record::Record;
use crate::registry::rules;
use crate::rollup::{unit_events, Sparse};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// Writes per part of a large units import (three a unit added: ~33,000 units, ~35 MB).
const UNIT_PART_OPS: usize = 100_000;
/// A large units import's undo batch is written in parts of about this many bytes (small in
/// tests, so that their imports of ~34,000 units write it in more than one part).
#[cfg(not(test))]
const UNIT_BATCH_PART_BYTES: usize = 4 * 1024 * 1024;
#[cfg(test)]
const UNIT_BATCH_PART_BYTES: usize = 64 * 1024;

pub(crate) fn tree_of(kind: RecordKind) -> TreeId {
    match kind {
        RecordKind::Evaluation => TreeId::Evaluations,
        RecordKind::Training => TreeId::Trainings,
        RecordKind::Budget => TreeId::Budget,
    }
}

/// How a unit's events move when its first evaluation moves from `old` to `new`: the new
/// events less the old, by day, leaving out each day where they are the same (issue 14,
/// fastrec: the unit's count and its opening, subtracted and added back unchanged, made each
/// evaluated unit's and its ancestors' buckets of those years be read, encoded and written
/// again as they were).
///
/// The events are compared as single counters (`rollup::unit_event_cells`), a handful per
/// unit, rather than as a `Measures` (every counter) per event (session 12: ~2.5% of an
/// evaluations import).
fn moved_events(unit: &Unit, old: Option<Day>, new: Option<Day>) -> Result<Vec<(Day, Sparse)>> {
    let mut cells: Vec<(Day, usize, i64)> = crate::rollup::unit_event_cells(unit, old)
        .into_iter()
        .map(|(day, i, by)| (day, i, -by))
        .collect();
    cells.extend(crate::rollup::unit_event_cells(unit, new));
    cells.sort_unstable_by_key(|(day, i, _)| (*day, *i));
    let mut by_day: Vec<(Day, Sparse)> = Vec::new();
    let mut at = 0;
    while at < cells.len() {
        let (day, i, mut sum) = cells[at];
        at += 1;
        while at < cells.len() && cells[at].0 == day && cells[at].1 == i {
            sum = sum.checked_add(cells[at].2).ok_or(crate::rollup::Overflow)?;
            at += 1;
        }
        if sum == 0 {
            continue;
        }
        let counter = u8::try_from(i).map_err(|_| StoreError::Overflow)?;
        match by_day.last_mut() {
            Some((d, sparse)) if *d == day => sparse.0.push((counter, sum)),
            _ => by_day.push((day, Sparse(vec![(counter, sum)]))),
        }
    }
    Ok(by_day)
}

/// What an import of units did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitOutcome {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A page being changed by a write: its stored bytes (for undo) and its new content.
pub(crate) struct PageEdit {
    pub old: Option<Vec<u8>>,
    pub page: Page,
    pub changed: bool,
    /// The entries as read are sorted; new ones are appended after them and the whole page is
    /// sorted once before it is written (inserting each in place would make a page of N new
    /// records cost N²).
    pub sorted_len: usize,
}

impl PageEdit {
    /// Where a key is among the entries as read (new ones in this write never collide: their
    /// occurrence numbers differ).
    pub fn find(&self, key: &RecordKey) -> std::result::Result<usize, usize> {
        self.page.entries[..self.sorted_len]
            .binary_search_by(|e| (e.day, e.hash, e.occurrence).cmp(&(key.day, key.hash, key.occurrence)))
    }

    pub fn append(&mut self, entry: super::codec::PageEntry) {
        self.page.entries.push(entry);
        self.changed = true;
    }

    pub fn remove(&mut self, at: usize) -> super::codec::PageEntry {
        self.changed = true;
        self.sorted_len -= 1;
        self.page.entries.remove(at)
    }
}

impl Store {
    /// The page a record key lives in, read once per write.
    pub(crate) fn page_edit<'p>(
        &self,
        kind: RecordKind,
        pages: &'p mut HashMap<[u8; 6], PageEdit>,
        key: &RecordKey,
    ) -> Result<&'p mut PageEdit> {
        self.page_edit_known(kind, pages, key, false)
    }

    /// `page_edit`, told whether the page is known to be absent from the store (then it is not
    /// read: a fresh import's pages, `ImportSession`).
    pub(crate) fn page_edit_known<'p>(
        &self,
        kind: RecordKind,
        pages: &'p mut HashMap<[u8; 6], PageEdit>,
        key: &RecordKey,
        absent: bool,
    ) -> Result<&'p mut PageEdit> {
        use std::collections::hash_map::Entry;
        match pages.entry(key.page()) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => {
                let old = match absent {
                    true => None,
                    false => self.tree(tree_of(kind)).get(e.key())?.map(|v| v.to_vec()),
                };
                let page = match &old {
                    Some(bytes) => Page::decode(bytes)?,
                    None => Page::default(),
                };
                let sorted_len = page.entries.len();
                Ok(e.insert(PageEdit {
                    old,
                    page,
                    changed: false,
                    sorted_len,
                }))
            }
        }
    }

    pub(crate) fn write_pages(
        &self,
        kind: RecordKind,
        pages: HashMap<[u8; 6], PageEdit>,
        set: &mut WriteSet,
    ) -> Result<()> {
        for (key, mut edit) in pages {
            if !edit.changed {
                continue;
            }
            if edit.page.entries.len() > edit.sorted_len {
                edit.page
                    .entries
                    .sort_unstable_by_key(|e| (e.day, e.hash, e.occurrence));
            }
            let undo = match edit.old {
                Some(old) => Undo::Restore(old),
                None => Undo::Remove,
            };
            if edit.page.entries.is_empty() {
                set.remove(tree_of(kind), key.to_vec(), undo);
            } else {
                let bytes = edit.page.encode()?;
                if bytes.len() as u64 > super::codec::PAGE_LIMIT {
                    let (idx, year) = keys::parse_bucket_key(&key)
                        .ok_or_else(|| StoreError::Corrupt("a page key of the wrong length".into()))?;
                    let unit = self.unit_row(idx)?.map_or_else(|| format!("#{idx}"), |r| r.unit.code);
                    return Err(StoreError::PageFull {
                        unit,
                        year,
                        kind: kind.name(),
                    });
                }
                set.put(tree_of(kind), key.to_vec(), bytes, undo);
            }
        }
        Ok(())
    }

    /// Changes a unit's first-evaluation day and the totals that depend on it.
    pub(crate) fn move_first_evaluation(
        &self,
        idx: u32,
        next: impl Fn(Option<Day>) -> Option<Day>,
        deltas: &mut Deltas,
        ancestry: &mut Ancestry,
        set: &mut WriteSet,
    ) -> Result<()> {
        let old_bytes = self
            .tree(TreeId::Units)
            .get(keys::u32_key(idx))?
            .ok_or_else(|| StoreError::Corrupt(format!("unit #{idx} is missing")))?;
        // The row's head is read first and its unit's bytes kept as they are (issue 14,
        // fastrec): a day that does not move decodes no unit, and one that does encodes none.
        let (head, unit, unit_bytes) = match super::codec::UnitRowHead::split(&old_bytes)? {
            Some((head, bytes)) => {
                if next(head.first_evaluation) == head.first_evaluation {
                    return Ok(());
                }
                (head, super::codec::UnitRowHead::unit(bytes)?, Some(bytes))
            }
            None => {
                let row = UnitRow::decode(&old_bytes)?;
                let head = super::codec::UnitRowHead {
                    idx: row.idx,
                    parent_idx: row.parent_idx,
                    first_evaluation: row.first_evaluation,
                };
                (head, row.unit, None)
            }
        };
        let new_first = next(head.first_evaluation);
        if new_first == head.first_evaluation {
            return Ok(());
        }
        for (day, sparse) in moved_events(&unit, head.first_evaluation, new_first)? {
            deltas.add(ancestry, idx, day, &sparse)?;
        }
        let moved = super::codec::UnitRowHead {
            first_evaluation: new_first,
            ..head
        };
        let bytes = match unit_bytes {
            Some(unit_bytes) => moved.join(unit_bytes)?,
            None => UnitRow {
                idx: moved.idx,
                parent_idx: moved.parent_idx,
                first_evaluation: new_first,
                unit,
            }
            .encode()?,
        };
        set.put(
            TreeId::Units,
            keys::u32_key(idx).to_vec(),
            bytes,
            Undo::Restore(old_bytes.to_vec()),
        );
        Ok(())
    }

    /// Takes one record out of its page (being edited in `pages`): its contribution leaves the
    /// totals and its id is freed, each part of the write `set`. For a delete and for an undo.
    pub(super) fn take_record<R: Record>(
        &self,
        key: &RecordKey,
        pages: &mut HashMap<[u8; 6], PageEdit>,
        deltas: &mut Deltas,
        ancestry: &mut Ancestry,
        set: &mut WriteSet,
    ) -> Result<R> {
        let edit = self.page_edit(R::KIND, pages, key)?;
        let at = edit.find(key).map_err(|_| StoreError::UnknownRecord(key.to_text()))?;
        let record = super::codec::decode_record::<R>(&edit.remove(at).record)?;
        let (day, delta) = record.delta();
        deltas.subtract(ancestry, key.unit, day, &delta.sparse())?;
        if let Some(id) = record.id() {
            set.remove(
                TreeId::Ids,
                keys::id_key(R::KIND as u8, id),
                Undo::Restore(key.bytes().to_vec()),
            );
        }
        Ok(record)
    }

    /// The day of a unit's earliest record of a kind, with the pages being edited read as
    /// edited.
    pub(super) fn earliest_left(
        &self,
        kind: RecordKind,
        unit: u32,
        pages: &HashMap<[u8; 6], PageEdit>,
    ) -> Result<Option<Day>> {
        for item in self.tree(tree_of(kind)).scan_prefix(unit.to_be_bytes()) {
            let (k, v) = item?;
            let first = match pages.get(k.as_ref()) {
                Some(edit) => edit.page.entries.first().map(|e| e.day),
                None => Page::decode(&v)?.entries.first().map(|e| e.day),
            };
            if first.is_some() {
                return Ok(first);
            }
        }
        Ok(None)
    }

    /// Deletes one evaluation or training (budget entries are corrected, not deleted).
    pub fn delete_record<R: Record>(&self, id: &RecordId) -> Result<R> {
        self.check_writable()?;
        let key = RecordKey::of_id(id)?;
        let mut pages: HashMap<[u8; 6], PageEdit> = HashMap::default();
        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let record: R = self.take_record(&key, &mut pages, &mut deltas, &mut ancestry, &mut set)?;
        let kind = R::KIND.name();
        let mut journal = self.entry("delete", kind, Some(record.owner()), format!("{kind} deleted"));
        journal.key = Some(key.to_text());
        journal.before = json(&record)?;
        self.journal(&mut set, journal)?;
        if R::KIND == RecordKind::Evaluation {
            // The next first evaluation: the earliest one left for this unit.
            let remaining = self.earliest_left(R::KIND, key.unit, &pages)?;
            self.move_first_evaluation(key.unit, |_| remaining, &mut deltas, &mut ancestry, &mut set)?;
        }
        self.write_pages(R::KIND, pages, &mut set)?;
        deltas.write_into(self, &mut set)?;
        self.apply(set)?;
        Ok(record)
    }

    /// A unit's records, newest first, at most `limit`; with `subtree`, those of every unit
    /// below it too.
    pub fn records_of<R: Record>(&self, code: &str, subtree: bool, limit: usize) -> Result<Vec<(RecordId, R)>> {
        self.records_in(code, Day::MIN..=Day::MAX, subtree, limit)
    }

    /// A unit's records dated within `days`, newest first (ties in key order), at most
    /// `limit`; with `subtree`, those of every unit below it too. Only the pages of the years
    /// `days` touches are read.
    pub fn records_in<R: Record>(
        &self,
        code: &str,
        days: std::ops::RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, R)>> {
        let idx = self.unit_index(code)?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut units = vec![idx];
        if subtree {
            let mut i = 0;
            while i < units.len() {
                units.extend(self.child_indices(Some(units[i]))?);
                i += 1;
            }
        }
        // A day no calendar date has (the ends of `Day`) reaches past every page's year.
        let year = |day: Day, beyond: u16| match chrono::NaiveDate::from_num_days_from_ce_opt(day) {
            Some(_) => crate::rollup::bucket_year(day),
            None => beyond,
        };
        let (first_year, last_year) = (year(*days.start(), 0), year(*days.end(), u16::MAX));
        let tree = self.tree(tree_of(R::KIND));
        let mut out: Vec<(RecordKey, R)> = Vec::new();
        for unit in units {
            let mut taken = 0;
            'pages: for item in tree
                .range(keys::page_key(unit, first_year)..=keys::page_key(unit, last_year))
                .rev()
            {
                let (_, v) = item?;
                for e in Page::decode(&v)?.entries.into_iter().rev() {
                    if !days.contains(&e.day) {
                        continue;
                    }
                    let key = RecordKey {
                        unit,
                        day: e.day,
                        hash: e.hash,
                        occurrence: e.occurrence,
                    };
                    out.push((key, super::codec::decode_record::<R>(&e.record)?));
                    taken += 1;
                    // Stop here, not at the next entry: that may be on a page not read yet.
                    if taken == limit {
                        break 'pages;
                    }
                }
            }
        }
        out.sort_by(|a, b| b.0.day.cmp(&a.0.day).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        Ok(out.into_iter().map(|(key, record)| (key.id(), record)).collect())
    }

    /// Every record of a kind, in key order (for export and backup).
    pub fn all_records<R: Record>(&self) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for item in self.tree(tree_of(R::KIND)).iter() {
            let (_, v) = item?;
            for e in Page::decode(&v)?.entries {
                out.push(super::codec::decode_record::<R>(&e.record)?);
            }
        }
        Ok(out)
    }

    /// Adds new units and updates changed ones, all or nothing. Parents may be in the store or
    /// in the same batch; levels must deepen; the hierarchy may not loop.
    pub fn apply_units(&self, units: &[Unit]) -> Result<UnitOutcome> {
        self.apply_units_with(Cow::Borrowed(units), true)
    }

    /// `apply_units` for a units file: the parsed file is freed once it is planned, before
    /// the find index and the children kept with each unit are rebuilt (a national file is
    /// ~275 MB of `Unit`s).
    pub fn import_units(&self, units: Vec<Unit>) -> Result<UnitOutcome> {
        self.apply_units_with(Cow::Owned(units), true)
    }

    /// `apply_units` for a restore: the text cap is not applied to values a backup holds
    /// (they may have been stored before it existed).
    pub fn apply_units_restored(&self, units: &[Unit]) -> Result<UnitOutcome> {
        self.apply_units_with(Cow::Borrowed(units), false)
    }

    fn apply_units_with(&self, units: Cow<[Unit]>, cap_text: bool) -> Result<UnitOutcome> {
        let mut logged: Option<LoggedWrite> = None;
        let result = self
            .plan_and_write_units(units, cap_text, &mut logged)
            .and_then(|(outcome, last)| {
                self.write_last_units_part(last, &mut logged)?;
                Ok(outcome)
            });
        // A large import written in parts and stopped half way is rolled back at once, as a
        // crash would be on the next open (if even that fails, the next open does it).
        if result.is_err() && logged.is_some() && self.recover().is_err() {
            super::mark_write_failed();
        }
        result
    }

    /// Writes one part of a large units import: as a part of the batch being committed, or
    /// of this import's own undo-logged write (started by the first part). No key is written
    /// by two parts (a unit's ops stay in one part; the totals and the journal come last), so
    /// the log need not remember which keys it holds.
    fn write_units_part(&self, logged: &mut Option<LoggedWrite>, set: WriteSet) -> Result<()> {
        let Some(set) = self.batch_part(set)? else {
            return Ok(());
        };
        let write = match logged {
            Some(w) => w,
            None => logged.insert(self.logged_begin(false)?),
        };
        self.logged_part(write, set)
    }

    /// Checks and plans `units`, writing every part but the last, which it returns with the
    /// outcome (`write_last_units_part` writes it).
    fn plan_and_write_units(
        &self,
        units: Cow<[Unit]>,
        cap_text: bool,
        logged: &mut Option<LoggedWrite>,
    ) -> Result<(UnitOutcome, WriteSet)> {
        self.check_writable()?;
        let mut facts = SledUnits {
            store: self,
            stored: HashMap::default(),
        };
        let problems = rules::unit_problems(&units, cap_text, &mut facts)?;
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        // What validation read is read once. Rows are boxed: a unit row is ~300 bytes inline,
        // and a hash map of 550k codes holds a million slots (two such maps were 0.7 GB of a
        // national units import's 1.55 GB).
        let mut stored = facts.stored;
        let mut lookup = |code: &str| -> Result<Option<Box<UnitRow>>> {
            if let Some(r) = stored.get(code) {
                return Ok(r.clone());
            }
            let r = self.unit_row_by_code(code)?.map(Box::new);
            stored.insert(code.to_string(), r.clone());
            Ok(r)
        };

        let mut outcome = UnitOutcome::default();
        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let mut next_idx = self.meta_u32(keys::META_NEXT_UNIT)?.unwrap_or(0);
        let next_before = next_idx;
        // Indices first, so that parents in the same batch can be referred to. The codes are
        // kept apart from the units, which are consumed as they are planned (issue 14: a
        // national file is ~275 MB of units).
        let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        let mut idx_of: HashMap<&str, (u32, Option<Box<UnitRow>>)> = HashMap::default();
        for code in &codes {
            let existing = lookup(code)?;
            let idx = match &existing {
                Some(r) => r.idx,
                None => {
                    let i = next_idx;
                    next_idx = next_idx.checked_add(1).ok_or(StoreError::Overflow)?;
                    i
                }
            };
            idx_of.insert(code.as_str(), (idx, existing));
        }
        let mut parent_idx_of = |code: &Option<String>| -> Result<Option<u32>> {
            match code {
                None => Ok(None),
                Some(c) => match idx_of.get(c.as_str()) {
                    Some((i, _)) => Ok(Some(*i)),
                    None => Ok(lookup(c)?.map(|r| r.idx)),
                },
            }
        };
        let mut resolved = Vec::with_capacity(units.len());
        for unit in units.iter() {
            let parent_idx = parent_idx_of(&unit.parent)?;
            resolved.push(parent_idx);
            // Every unit of the file is known before the first is walked up: a parent may
            // come after its child (the walk would otherwise look for it in the store).
            ancestry.know(idx_of[unit.code.as_str()].0, parent_idx, unit.level);
        }
        // Every stored unit needed is in `idx_of` now (a fresh store's 550,000 misses were
        // ~40 MB held to the end).
        drop(stored);
        // Whether each unit is added or changed, and, while there are few enough to journal
        // one by one, their entries' parts (row, action, before, after).
        let mut changed = vec![false; codes.len()];
        let mut by_row: Vec<(usize, &'static str, Option<String>, Option<String>)> = Vec::new();
        let mut units = units;
        // Last to first, so that a file handed over gives its memory back as it goes (the
        // order of the writes does not matter: they are one write).
        for i in (0..codes.len()).rev() {
            // A large import is written in parts as it is planned, so that its writes are
            // never all in memory at once (a national file: 1.65 million of them).
            if set.ops.len() >= UNIT_PART_OPS {
                // Totals are rebuilt (when the hierarchy changed shape) once, after the last part.
                let part = WriteSet {
                    ops: std::mem::take(&mut set.ops),
                    rebuild_totals: false,
                };
                self.write_units_part(logged, part)?;
            }
            let unit = match &mut units {
                Cow::Borrowed(all) => all.get(i).cloned(),
                Cow::Owned(all) => {
                    let unit = all.pop();
                    if all.capacity() > 4096 && all.len() < all.capacity() / 2 {
                        all.shrink_to_fit();
                    }
                    unit
                }
            }
            .ok_or_else(|| StoreError::Corrupt("a units file ended early".into()))?;
            let parent_idx = resolved.get(i).copied().flatten();
            let (idx, existing) = &idx_of[codes[i].as_str()];
            ancestry.set(*idx, parent_idx, unit.level);
            let row = UnitRow {
                idx: *idx,
                parent_idx,
                first_evaluation: existing.as_ref().and_then(|r| r.first_evaluation),
                unit,
            };
            let unit = &row.unit;
            let action = match existing {
                None => "add",
                Some(old) if old.unit == *unit => "",
                Some(_) => "update",
            };
            if !action.is_empty() {
                changed[i] = true;
                if by_row.len() <= ROW_BY_ROW_LIMIT {
                    let before = match existing.as_ref() {
                        Some(old) => json(&old.unit)?,
                        None => None,
                    };
                    by_row.push((i, action, before, json(unit)?));
                }
            }
            match existing {
                None => {
                    outcome.added += 1;
                    set.put(TreeId::Units, keys::u32_key(*idx).to_vec(), row.encode()?, Undo::Remove);
                    set.put(
                        TreeId::Codes,
                        unit.code.as_bytes().to_vec(),
                        keys::u32_key(*idx).to_vec(),
                        Undo::Remove,
                    );
                    set.put(
                        TreeId::Children,
                        keys::child_key(parent_idx, *idx).to_vec(),
                        Vec::new(),
                        Undo::Remove,
                    );
                    for (day, m) in unit_events(unit, None) {
                        deltas.add(&mut ancestry, *idx, day, &m.sparse())?;
                    }
                }
                Some(old) if old.unit == *unit => outcome.unchanged += 1,
                Some(old) => {
                    outcome.updated += 1;
                    set.put(
                        TreeId::Units,
                        keys::u32_key(*idx).to_vec(),
                        row.encode()?,
                        Undo::Restore(old.encode()?),
                    );
                    if old.parent_idx != parent_idx {
                        // Only when the key changes: a remove and a put of one key in one
                        // undo log would roll back to "removed".
                        set.remove(
                            TreeId::Children,
                            keys::child_key(old.parent_idx, *idx).to_vec(),
                            Undo::Restore(Vec::new()),
                        );
                        set.put(
                            TreeId::Children,
                            keys::child_key(parent_idx, *idx).to_vec(),
                            Vec::new(),
                            Undo::Remove,
                        );
                    }
                    if old.parent_idx != parent_idx || old.unit.level != unit.level {
                        set.rebuild_totals = true;
                    } else {
                        for (day, m) in unit_events(&old.unit, old.first_evaluation) {
                            deltas.subtract(&mut ancestry, *idx, day, &m.sparse())?;
                        }
                        for (day, m) in unit_events(unit, old.first_evaluation) {
                            deltas.add(&mut ancestry, *idx, day, &m.sparse())?;
                        }
                    }
                }
            }
        }
        drop(units);
        let changes = outcome.added + outcome.updated;
        if changes > ROW_BY_ROW_LIMIT {
            // The last units' writes go first, before the journal's and the totals' (each key
            // is in one part): a national file's batch and totals are ~130 MB of writes.
            if logged.is_some() {
                let part = WriteSet {
                    ops: std::mem::take(&mut set.ops),
                    rebuild_totals: false,
                };
                self.write_units_part(logged, part)?;
            }
            let summary = super::journal::import_summary("unit", outcome.added, outcome.updated);
            let mut entry = self.entry("import", "unit", None, summary);
            // What undo needs: each unit changed, and its fields before an update; encoded a
            // chunk at a time and written in parts as it grows (issue 14: a national file's
            // batch was ~30 MB built whole while the plan's maps and the totals' deltas were
            // still alive, the units import's peak).
            let token = self.db.generate_id()?;
            let mut chunk_no = 0u32;
            let mut pending_bytes = 0usize;
            let mut each_changed = codes
                .iter()
                .zip(&changed)
                .filter(|(_, changed)| **changed)
                .map(|(code, _)| super::undo::UnitChangeRef {
                    code,
                    before: idx_of[code.as_str()].1.as_ref().map(|old| &old.unit),
                })
                .peekable();
            while each_changed.peek().is_some() {
                let part: Vec<super::undo::UnitChangeRef> =
                    each_changed.by_ref().take(super::undo::UNIT_CHUNK).collect();
                for value in super::undo::unit_batch(&part)? {
                    pending_bytes += value.len();
                    set.put(
                        TreeId::Batches,
                        super::session::batch_key(token, chunk_no),
                        value,
                        Undo::Remove,
                    );
                    chunk_no = chunk_no.checked_add(1).ok_or(StoreError::Overflow)?;
                }
                if logged.is_some() && pending_bytes >= UNIT_BATCH_PART_BYTES {
                    pending_bytes = 0;
                    let part = WriteSet {
                        ops: std::mem::take(&mut set.ops),
                        rebuild_totals: false,
                    };
                    self.write_units_part(logged, part)?;
                }
            }
            entry.key = Some(format!("{}{token}", super::journal::IMPORT_PREFIX));
            self.journal(&mut set, entry)?;
            if logged.is_some() {
                let part = WriteSet {
                    ops: std::mem::take(&mut set.ops),
                    rebuild_totals: false,
                };
                self.write_units_part(logged, part)?;
            }
        } else if changes > 0 {
            by_row.sort_by_key(|r| r.0);
            for (k, (i, action, before, after)) in (1..).zip(by_row) {
                let code = &codes[i];
                let summary = super::journal::row_summary(format!("unit {code} {action}"), k, changes);
                let mut entry = self.entry(action, "unit", Some(code), summary);
                entry.before = before;
                entry.after = after;
                self.journal(&mut set, entry)?;
            }
        }
        // The plan's maps (~100 MB at national size) go before the totals' writes are built.
        drop(idx_of);
        drop(resolved);
        drop(changed);
        drop(codes);
        drop(ancestry);
        if next_idx != next_before {
            set.put(
                TreeId::Meta,
                keys::META_NEXT_UNIT.to_vec(),
                keys::u32_key(next_idx).to_vec(),
                Undo::Restore(keys::u32_key(next_before).to_vec()),
            );
        }
        if !set.rebuild_totals {
            deltas.write_into(self, &mut set)?;
        }
        Ok((outcome, set))
    }

    /// Writes a units import's last part (all of it when small) and ends its logged write:
    /// the find index and the children kept with each unit follow the rows there.
    fn write_last_units_part(&self, set: WriteSet, logged: &mut Option<LoggedWrite>) -> Result<()> {
        match logged {
            None => self.apply(set)?,
            Some(write) => {
                self.logged_part(write, set)?;
                // `logged` stays set until the end: an error on the way still rolls back.
                self.logged_finish(std::mem::take(write))?;
                *logged = None;
            }
        }
        Ok(())
    }
}

/// The stored units as `rules::unit_problems` asks for them, each read once.
struct SledUnits<'s> {
    store: &'s Store,
    stored: HashMap<String, Option<Box<UnitRow>>>,
}

impl SledUnits<'_> {
    fn row(&mut self, code: &str) -> Result<Option<&UnitRow>> {
        if !self.stored.contains_key(code) {
            let row = self.store.unit_row_by_code(code)?.map(Box::new);
            self.stored.insert(code.to_string(), row);
        }
        Ok(self.stored.get(code).and_then(|r| r.as_deref()))
    }
}

impl rules::StoredUnits for SledUnits<'_> {
    fn parent_and_level(&mut self, code: &str) -> Result<Option<(Option<String>, Level)>> {
        Ok(self.row(code)?.map(|r| (r.unit.parent.clone(), r.unit.level)))
    }

    fn children_of(&mut self, code: &str) -> Result<Vec<(String, Level)>> {
        let Some(idx) = self.row(code)?.map(|r| r.idx) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for child in self.store.child_indices(Some(idx))? {
            if let Some(child) = self.store.unit_row(child)? {
                out.push((child.unit.code, child.unit.level));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>, level: Level) -> Unit {
        Unit::new(code, parent, level, code)
    }

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        let units = [
            unit("D", None, Level::District),
            unit("B", Some("D"), Level::Street),
            unit("C", Some("B"), Level::Community),
        ];
        store.apply_units(&units).unwrap();
        (tmp, store)
    }

    /// Issue 14 (fastrec): a first evaluation that moves changes only the days whose events
    /// differ; the unit's count and its opening, the same before and after, are left out, and
    /// what is left is the new events less the old.
    #[test]
    fn a_moved_first_evaluation_touches_only_the_days_that_change() {
        use crate::rollup::Measures;
        let mut u = unit("C", Some("B"), Level::Community);
        u.station = StationStatus::Operating;
        u.opened_on = PartialDate::parse("2021-05").ok();
        let day = |s: &str| PartialDate::parse(s).unwrap().end_day();
        let by_day = |events: Vec<(Day, Measures)>| {
            let mut sum: std::collections::BTreeMap<Day, Measures> = Default::default();
            for (d, m) in events {
                sum.entry(d).or_default().add(&m).unwrap();
            }
            sum.retain(|_, m| !m.is_zero());
            sum
        };
        for (old, new) in [
            (None, Some(day("2022-03-01"))),
            (Some(day("2022-03-01")), Some(day("2020-01-01"))),
            (Some(day("2022-03-01")), None),
        ] {
            let moved: Vec<(Day, Measures)> = moved_events(&u, old, new)
                .unwrap()
                .into_iter()
                .map(|(d, s)| (d, Measures::from_sparse(&s.0)))
                .collect();
            // The unit's count (at the epoch) is the same before and after.
            assert!(moved.iter().all(|(d, _)| *d != crate::rollup::EPOCH), "{moved:?}");
            let mut expected = unit_events(&u, new);
            for (d, mut m) in unit_events(&u, old) {
                m.0.iter_mut().for_each(|v| *v = -*v);
                expected.push((d, m));
            }
            assert_eq!(by_day(moved.clone()), by_day(expected), "{old:?} -> {new:?}");
            assert!(moved.iter().all(|(_, m)| !m.is_zero()));
        }
    }

    /// Issue 11 item 4: a street with a community under it cannot become a community.
    #[test]
    fn a_level_change_that_strands_a_child_is_refused() {
        let (_tmp, store) = store();
        match store.apply_units(&[unit("B", Some("D"), Level::Community)]) {
            Err(StoreError::Rejected(p)) => {
                assert_eq!(p[0].problem.field, "level");
                assert!(
                    p[0].problem.en.contains("its child C (community) must stay deeper"),
                    "{p:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        // Moving the child in the same batch makes it valid.
        store
            .apply_units(&[
                unit("B", Some("D"), Level::Community),
                unit("C", Some("D"), Level::Community),
            ])
            .unwrap();
        assert!(store.check().unwrap().is_empty());
    }

    /// `check` recomputes from the hierarchy itself: a unit stored as deep as its parent (which
    /// the stored totals hide) is a difference.
    #[test]
    fn check_sees_a_hierarchy_that_does_not_deepen() {
        let (_tmp, store) = store();
        assert!(store.check().unwrap().is_empty());
        let mut row = store.unit_row_by_code("B").unwrap().unwrap();
        row.unit.level = Level::Community;
        store
            .tree(TreeId::Units)
            .insert(keys::u32_key(row.idx), row.encode().unwrap())
            .unwrap();
        let differences = store.check().unwrap();
        assert!(
            differences
                .iter()
                .any(|d| d.unit == "C" && d.what.contains("not deeper than its parent")),
            "{differences:?}"
        );
    }

    /// Issue 14: a units import larger than one part (`UNIT_PART_OPS`) is written in parts,
    /// one undo-logged write: every unit, its totals and its find records are there after it.
    #[test]
    fn a_large_units_import_is_written_in_parts_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        let n = UNIT_PART_OPS / 3 + 500;
        let mut units = vec![unit("D", None, Level::District)];
        units.extend((0..n).map(|i| {
            let mut u = unit(&format!("S{i}"), Some("D"), Level::Street);
            u.station = StationStatus::Operating;
            u.opened_on = PartialDate::parse("2021-05").ok();
            u
        }));
        let outcome = store.apply_units(&units).unwrap();
        assert_eq!(outcome.added, n + 1);
        assert_eq!(
            store
                .child_indices(store.unit_row_by_code("D").unwrap().map(|r| r.idx))
                .unwrap()
                .len(),
            n
        );
        assert!(store.check().unwrap().is_empty());
        assert!(!store.tree(TreeId::Meta).contains_key(keys::META_PENDING).unwrap());
        // Its undo batch, written in parts, holds every unit once, a chunk per 10,000.
        let chunks: Vec<Vec<serde_json::Value>> = store
            .tree(TreeId::Batches)
            .iter()
            .map(|item| serde_json::from_slice(&item.unwrap().1).unwrap())
            .collect();
        assert_eq!(chunks.len(), (n + 1).div_ceil(super::super::undo::UNIT_CHUNK));
        assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), n + 1);
    }

    /// Issue 14 (memory): a units file is handed over (`import_units`) and freed once planned;
    /// it is checked as a whole all the same: a parent after its child imports, a loop is
    /// refused at its row with nothing stored.
    #[test]
    fn a_handed_over_units_file_is_checked_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        let later_parent = vec![
            unit("S", Some("D"), Level::Street),
            unit("C", Some("S"), Level::Community),
            unit("D", None, Level::District),
        ];
        assert_eq!(store.import_units(later_parent).unwrap().added, 3);
        assert_eq!(store.unit_row_by_code("C").unwrap().unwrap().parent_idx, Some(0));
        assert!(store.check().unwrap().is_empty());
        let looped = vec![
            unit("E", Some("D"), Level::Street),
            unit("A", Some("B"), Level::Street),
            unit("B", Some("A"), Level::Community),
        ];
        match store.import_units(looped) {
            Err(StoreError::Rejected(p)) => {
                assert!(p.iter().any(|p| p.row == 2 && p.problem.field == "parent"), "{p:?}");
            }
            other => panic!("{other:?}"),
        }
        for code in ["E", "A", "B"] {
            assert!(store.unit_row_by_code(code).unwrap().is_none(), "{code}");
        }
    }

    /// Issue 11 item 14: validation is linear in a chain of parents (50,000 rows took over two
    /// minutes when each walked to the root).
    #[test]
    fn a_long_chain_of_parents_is_checked_in_linear_time() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        let n = 50_000;
        let units: Vec<Unit> = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| format!("U{}", i - 1));
                unit(
                    &format!("U{i}"),
                    parent.as_deref(),
                    if i == 0 { Level::District } else { Level::Street },
                )
            })
            .collect();
        let started = std::time::Instant::now();
        match store.apply_units(&units) {
            // Every street under a street is refused for its level.
            Err(StoreError::Rejected(p)) => assert_eq!(p.len(), n - 2),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
    }
}
