//! The stored totals: per unit and year, the measures of the unit's whole subtree (communities
//! excepted: they are the deepest level and their own records are few, so their figures are
//! summed from their pages). Writes add their deltas here (`Deltas`); reports read them
//! (`measures_as_of`); `check` recomputes them from the records and compares;
//! `rebuild_totals` replaces them. Beside them, each unit's total over every year is kept with
//! its parent (`TreeId::ChildTotals`), and the latest day of any event: a unit's children with
//! their current totals are then one read (`children_measures`, packed by `store::kid_totals`).

use super::codec::{self, bucket_total, decode_total, encode_total, Page, Stored, UnitRow};
use super::import::tree_of;
use super::keys::{self, TreeId};
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::RecordKind;
use crate::domain::{BudgetEntry, Day, Evaluation, Level, Training};
use crate::rollup::{self, bucket_year, unit_events, year_complete, Measures, Sparse, YearBucket};
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// The last year bucket read for a date within its year (`Store::bucket_until`): its bytes, and
/// once they were read a second time, the bucket decoded.
#[derive(Default)]
pub(crate) struct LastBucket {
    bytes: Option<sled::IVec>,
    decoded: Option<YearBucket>,
}

/// Communities are the deepest level and keep no buckets: their figures are their own records.
pub fn keeps_bucket(level: Level) -> bool {
    level != Level::Community
}

/// Changes to the totals, per unit and year, before they are written: plain (day, counter,
/// amount) triples, appended cheaply during a bulk import and folded into buckets once. A
/// change is kept once, under its chain (the units whose buckets it moves) and year, and
/// spread to every unit of the chain when written (issue 14, import speed: one map entry per
/// row rather than one per level above it).
#[derive(Default)]
pub struct Deltas {
    /// Cells by chain (its place in `chains`) and year.
    by_chain: HashMap<(u32, u16), Vec<Cell>>,
    /// Each chain changed: its units, nearest first, each with its parent (whose
    /// `TreeId::ChildTotals` keeps the unit's total over every year).
    chains: Vec<Vec<(u32, Option<u32>)>>,
    /// The chain of each unit added so far (a unit's chain is the same for every change of one
    /// write unless the hierarchy changes in it: then a new chain is kept beside the old).
    chain_of: HashMap<u32, u32>,
    /// The latest day of any change.
    latest: Option<Day>,
}

/// A change of one counter on one day.
type Cell = (Day, u8, i64);

/// Cells by unit and year.
type BucketCells = HashMap<(u32, u16), Vec<Cell>>;

/// A bucket's cells are folded in place (one per day and counter) when they would grow past
/// this many: every record adds its cells to each bucket above its unit, so a pass's district
/// and city buckets held a cell per record and counter (~140 MB of a national evaluations
/// import's peak, issue 14), where folded they hold one per day and counter.
const FOLD_FROM: usize = 4096;

/// Sorts cells by day and counter and sums those of the same day and counter. What
/// `Deltas::write_into` makes of them is unchanged: it sums them in the same order, and a day
/// whose cells sum to nothing is kept (as a zero cell) as it was.
///
/// When the folded cells still fill more than half the room, the room is doubled: a bucket
/// whose cells are mostly one per day and counter already (a busy district's or city's year)
/// folded to nearly its size, so the next fold came a few rows later and sorted it all again
/// (issue 14, session 12: 2.5% of an evaluations import, 3.6% of a budget import in these
/// sorts). Doubled, the folds of a bucket are logarithmic in its cells, and the room stays
/// within twice the folded bucket.
fn fold(cells: &mut Vec<Cell>) -> Result<()> {
    fold_in_place(cells)?;
    if cells.len() > cells.capacity() / 2 {
        cells.reserve(cells.len());
    }
    Ok(())
}

fn fold_in_place(cells: &mut Vec<Cell>) -> Result<()> {
    cells.sort_unstable_by_key(|(day, i, _)| (*day, *i));
    let mut out = 0usize;
    for at in 0..cells.len() {
        let (day, i, v) = cells[at];
        match out.checked_sub(1).map(|last| (last, cells[last])) {
            Some((last, (d, c, sum))) if d == day && c == i => {
                cells[last].2 = sum.checked_add(v).ok_or(crate::rollup::Overflow)?;
            }
            _ => {
                cells[out] = (day, i, v);
                out += 1;
            }
        }
    }
    cells.truncate(out);
    Ok(())
}

/// Finds a unit's parent and level; remembers what it read.
pub struct Ancestry<'a> {
    store: &'a Store,
    units: HashMap<u32, (Option<u32>, Level)>,
    /// Bucket chains already walked, by unit, each unit with its parent.
    chains: HashMap<u32, Vec<(u32, Option<u32>)>>,
}

impl<'a> Ancestry<'a> {
    pub fn new(store: &'a Store) -> Self {
        Ancestry {
            store,
            units: HashMap::default(),
            chains: HashMap::default(),
        }
    }

    /// Tells it about every unit of a batch before any is walked: a parent may come after its
    /// child in a units file. Keeps the chains walked so far (there are none yet).
    pub fn know(&mut self, idx: u32, parent: Option<u32>, level: Level) {
        self.units.insert(idx, (parent, level));
    }

    /// Tells it about a unit that is being written and is not in the store yet.
    pub fn set(&mut self, idx: u32, parent: Option<u32>, level: Level) {
        self.units.insert(idx, (parent, level));
        self.chains.clear();
    }

    fn get(&mut self, idx: u32) -> Result<(Option<u32>, Level)> {
        if let Some(u) = self.units.get(&idx) {
            return Ok(*u);
        }
        // Only the front of the row (`codec::UnitFront`): an import walked up from every unit
        // its rows name, decoding each row whole (~2% of an evaluations import, session 12).
        let bytes = self
            .store
            .tree(TreeId::Units)
            .get(keys::u32_key(idx))?
            .ok_or_else(|| StoreError::Corrupt(format!("unit #{idx} is missing")))?;
        let front = super::codec::UnitFront::of(&bytes)?;
        let u = (front.parent_idx, front.level);
        self.units.insert(idx, u);
        Ok(u)
    }

    /// The units whose buckets a change to `idx` touches: it (unless a community) and its
    /// ancestors, nearest first.
    pub fn bucket_chain(&mut self, idx: u32) -> Result<&[(u32, Option<u32>)]> {
        if !self.chains.contains_key(&idx) {
            let chain = self.walk(idx)?;
            self.chains.insert(idx, chain);
        }
        Ok(self.chains.get(&idx).map_or(&[], |c| c.as_slice()))
    }

    fn walk(&mut self, idx: u32) -> Result<Vec<(u32, Option<u32>)>> {
        let mut chain = Vec::with_capacity(6);
        crate::registry::rules::walk_up(idx, |current| {
            let (parent, level) = self.get(*current)?;
            if keeps_bucket(level) {
                chain.push((*current, parent));
            }
            Ok(parent)
        })?;
        Ok(chain)
    }
}

impl Deltas {
    /// Adds `delta` on `day` to the buckets of the unit and every unit above it.
    pub fn add(&mut self, ancestry: &mut Ancestry, unit: u32, day: Day, delta: &Sparse) -> Result<()> {
        if delta.is_zero() {
            return Ok(());
        }
        self.add_cells(ancestry, unit, day, delta.0.iter().copied())
    }

    /// `add` of measures, their non-zero counters read in place (no `Sparse` made per row).
    pub fn add_measures(&mut self, ancestry: &mut Ancestry, unit: u32, day: Day, delta: &Measures) -> Result<()> {
        if delta.is_zero() {
            return Ok(());
        }
        let cells = delta.0.iter().enumerate().filter(|(_, v)| **v != 0);
        self.add_cells(ancestry, unit, day, cells.map(|(i, v)| (i as u8, *v)))
    }

    fn add_cells(
        &mut self,
        ancestry: &mut Ancestry,
        unit: u32,
        day: Day,
        delta: impl Iterator<Item = (u8, i64)> + Clone,
    ) -> Result<()> {
        let chain = ancestry.bucket_chain(unit)?;
        if !chain.is_empty() {
            let at = match self.chain_of.get(&unit) {
                Some(&at) if self.chains.get(at as usize).is_some_and(|c| c.as_slice() == chain) => at,
                _ => {
                    let at = u32::try_from(self.chains.len()).map_err(|_| StoreError::Overflow)?;
                    self.chains.push(chain.to_vec());
                    self.chain_of.insert(unit, at);
                    at
                }
            };
            let cells = self.by_chain.entry((at, bucket_year(day))).or_default();
            if cells.len() >= FOLD_FROM && cells.len() + delta.clone().count() > cells.capacity() {
                fold(cells)?;
            }
            cells.extend(delta.map(|(i, v)| (day, i, v)));
        }
        self.latest = self.latest.max(Some(day));
        Ok(())
    }

    /// Each unit's cells per year, spread from the chains' (handed whole to the chain's first
    /// unit, copied to those above it, folded there as they grow past `FOLD_FROM`), and the
    /// parent of each unit. Each bucket's cells are sorted once, by `write_into`.
    fn spread(self) -> Result<(BucketCells, HashMap<u32, Option<u32>>)> {
        let mut buckets: BucketCells = HashMap::default();
        let mut parents: HashMap<u32, Option<u32>> = HashMap::default();
        for chain in &self.chains {
            parents.extend(chain.iter().copied());
        }
        for ((at, year), cells) in self.by_chain {
            let Some(((first, _), above)) = self.chains.get(at as usize).and_then(|c| c.split_first()) else {
                return Err(StoreError::Corrupt("a change of no chain".into()));
            };
            for (idx, _) in above {
                let into = buckets.entry((*idx, year)).or_default();
                if into.len() >= FOLD_FROM && into.len() + cells.len() > into.capacity() {
                    fold(into)?;
                }
                into.extend_from_slice(&cells);
            }
            // The chain's first unit may be above another chain's (a district's own rows).
            let into = buckets.entry((*first, year)).or_default();
            if into.is_empty() {
                *into = cells;
            } else {
                into.extend(cells);
            }
        }
        Ok((buckets, parents))
    }

    pub fn subtract(&mut self, ancestry: &mut Ancestry, unit: u32, day: Day, delta: &Sparse) -> Result<()> {
        self.add(ancestry, unit, day, &delta.negated()?)
    }

    /// Adds the writes that merge these deltas into the stored buckets.
    pub fn write_into(self, store: &Store, set: &mut WriteSet) -> Result<()> {
        let tree = store.tree(TreeId::Buckets);
        let latest = self.latest;
        let (buckets, parents) = self.spread()?;
        let mut entries: Vec<_> = buckets.into_iter().collect();
        entries.sort_unstable_by_key(|(k, _)| *k);
        // How each unit's total over every year moves: the sum of its buckets' totals' moves.
        let mut moved: BTreeMap<u32, Measures> = BTreeMap::new();
        for ((unit, year), mut cells) in entries {
            let key = keys::bucket_key(unit, year);
            let mut bucket = match tree.get(key)? {
                Some(bytes) => YearBucket::decode(&bytes)?,
                None => YearBucket::default(),
            };
            let before = bucket.total.clone();
            cells.sort_unstable_by_key(|(day, i, _)| (*day, *i));
            // Fold each day's cells into one sparse delta, then add it once.
            let mut at = 0;
            while at < cells.len() {
                let day = cells[at].0;
                let mut delta = Sparse::default();
                while at < cells.len() && cells[at].0 == day {
                    let (_, i, mut v) = cells[at];
                    at += 1;
                    while at < cells.len() && cells[at].0 == day && cells[at].1 == i {
                        v = v.checked_add(cells[at].2).ok_or(crate::rollup::Overflow)?;
                        at += 1;
                    }
                    if v != 0 {
                        delta.0.push((i, v));
                    }
                }
                bucket.add(day, &delta)?;
            }
            let slot = moved.entry(unit).or_default();
            slot.add(&bucket.total)?;
            slot.sub(&before)?;
            // One value per bucket, its year's total at its head (schema 9): reports of whole
            // years decode only the head (`codec::bucket_total`).
            if bucket.is_empty() {
                set.remove(TreeId::Buckets, key.to_vec(), Undo::Rebuild);
            } else {
                set.put(TreeId::Buckets, key.to_vec(), bucket.encode()?, Undo::Rebuild);
            }
        }
        let child_totals = store.tree(TreeId::ChildTotals);
        for (unit, delta) in moved {
            let Some(parent) = parents.get(&unit).copied().flatten() else {
                continue;
            };
            if delta.is_zero() {
                continue;
            }
            let key = keys::child_key(Some(parent), unit);
            let mut total = match child_totals.get(key)? {
                Some(bytes) => decode_total(&bytes)?,
                None => Measures::default(),
            };
            total.add(&delta)?;
            if total.is_zero() {
                set.remove(TreeId::ChildTotals, key.to_vec(), Undo::Rebuild);
            } else {
                set.put(TreeId::ChildTotals, key.to_vec(), encode_total(&total)?, Undo::Rebuild);
            }
        }
        if let Some(latest) = latest {
            if store.latest_day()?.is_none_or(|stored| stored < latest) {
                set.put(
                    TreeId::Meta,
                    keys::META_LATEST_DAY.to_vec(),
                    keys::day_value(latest).to_vec(),
                    Undo::Rebuild,
                );
            }
        }
        Ok(())
    }
}

/// A stored total that differs from the recomputation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub unit: String,
    pub year: u16,
    pub what: String,
}

/// The delta of a record stored in a page, by kind.
fn record_delta(kind: RecordKind, bytes: &[u8]) -> Result<(Day, Sparse)> {
    let (day, m) = match kind {
        RecordKind::Evaluation => rollup::evaluation_delta(&Evaluation::decode(bytes)?),
        RecordKind::Training => rollup::training_delta(&Training::decode(bytes)?),
        RecordKind::Budget => rollup::budget_delta(&BudgetEntry::decode(bytes)?),
    };
    Ok((day, m.sparse()))
}

/// Every bucket of one year, as the records say it should be.
type YearBuckets = BTreeMap<(u32, u16), YearBucket>;

const KINDS: [RecordKind; 3] = [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget];

/// The group of the units above every district (`groups`).
const ABOVE_DISTRICTS: u32 = u32::MAX;

/// Each unit's district for `recompute`: its highest ancestor (or itself) at district level or
/// deeper; units above every district are left out (`ABOVE_DISTRICTS`). Every ancestor of a
/// unit is then in the unit's district or above every district, whatever the levels stored.
fn groups(units: &HashMap<u32, (Option<u32>, Level)>) -> Result<HashMap<u32, u32>> {
    let mut group: HashMap<u32, u32> = HashMap::default();
    for &start in units.keys() {
        let mut highest = None;
        crate::registry::rules::walk_up(start, |idx| {
            let Some(&(parent, level)) = units.get(idx) else {
                return Ok(None);
            };
            if level >= Level::District {
                highest = Some(*idx);
            }
            Ok(parent)
        })?;
        if let Some(district) = highest {
            group.insert(start, district);
        }
    }
    Ok(group)
}

impl Store {
    /// The measures of a unit's subtree dated on or before `as_of`.
    pub(crate) fn measures_as_of(&self, idx: u32, as_of: NaiveDate) -> Result<Measures> {
        let row = self
            .unit_row(idx)?
            .ok_or_else(|| StoreError::Corrupt(format!("unit #{idx} is missing")))?;
        if !keeps_bucket(row.unit.level) {
            return self.own_measures(&row, as_of);
        }
        let last_year = as_of.year().clamp(0, u16::MAX as i32) as u16;
        let mut sum = Measures::default();
        // Whole years from the head of their buckets (the total alone is decoded); the year
        // the date falls in, day by day.
        for item in self
            .tree(TreeId::Buckets)
            .range(keys::bucket_key(idx, 0)..=keys::bucket_key(idx, last_year))
        {
            let (k, v) = item?;
            let (_, year) = keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad bucket key".into()))?;
            if year_complete(year, as_of) {
                sum.add(&bucket_total(&v)?)?;
            } else {
                sum.add(&self.bucket_until(v, rollup::as_of_day(as_of))?)?;
            }
        }
        Ok(sum)
    }

    /// The measures of a stored bucket's days on or before `until`. The first read of a value
    /// sums its days as they are decoded (`codec::bucket_until`: a report of a past date reads
    /// each child's bucket once); a second read of the same bytes decodes it whole and keeps it,
    /// and further reads sum the kept days: a coverage chart reads the same year's bucket for
    /// each of its points (~195 at the national root, each ~1.2 M instructions of varints).
    /// Kept by its bytes, so a bucket changed since is read afresh.
    fn bucket_until(&self, bytes: sled::IVec, until: Day) -> Result<Measures> {
        let mut last = self
            .last_bucket
            .lock()
            .map_err(|_| StoreError::Io("a read of the totals failed earlier in this process".into()))?;
        if last.bytes.as_ref() != Some(&bytes) {
            *last = LastBucket {
                bytes: Some(bytes.clone()),
                decoded: None,
            };
            return Ok(codec::bucket_until(&bytes, until)??);
        }
        let bucket = match &mut last.decoded {
            Some(bucket) => bucket,
            empty @ None => empty.insert(YearBucket::decode(&bytes)?),
        };
        Ok(bucket.until(until)?)
    }

    /// A unit's own measures, summed from its record pages and its station.
    fn own_measures(&self, row: &UnitRow, as_of: NaiveDate) -> Result<Measures> {
        let until = rollup::as_of_day(as_of);
        let mut sum = Measures::default();
        for (day, m) in unit_events(&row.unit, row.first_evaluation) {
            if day <= until {
                sum.add(&m)?;
            }
        }
        let last_year = as_of.year().clamp(0, u16::MAX as i32) as u16;
        for kind in KINDS {
            let tree = self.tree(tree_of(kind));
            for item in tree.range(keys::page_key(row.idx, 0)..=keys::page_key(row.idx, last_year)) {
                let (_, v) = item?;
                for entry in Page::decode(&v)?.entries {
                    if entry.day > until {
                        break;
                    }
                    record_delta(kind, &entry.record)?.1.add_to(&mut sum)?;
                }
            }
        }
        Ok(sum)
    }

    /// Recomputes every bucket from the units and records, one year at a time and, within a
    /// year, one district at a time (issue 14: memory bounded by the largest district, not the
    /// country): in memory are one district's buckets of one year, those of the units above
    /// every district for that year, the page keys, and a few numbers per unit. Hands each
    /// district's buckets, then each year's buckets above the districts, to `each` (every
    /// bucket once), and returns every unit's first evaluation and the latest day of any event.
    fn recompute(&self, mut each: impl FnMut(YearBuckets) -> Result<()>) -> Result<(HashMap<u32, Day>, Option<Day>)> {
        let mut units: HashMap<u32, (Option<u32>, Level)> = HashMap::default();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            let row = UnitRow::decode(&v)?;
            units.insert(row.idx, (row.parent_idx, row.unit.level));
        }
        let group = groups(&units)?;
        let group_of = |idx: u32| group.get(&idx).copied().unwrap_or(ABOVE_DISTRICTS);
        // Which pages hold each year and district, and every unit's first evaluation (the only
        // thing a unit's events need from its records).
        let mut pages: BTreeMap<(u16, u32), Vec<(RecordKind, u32)>> = BTreeMap::new();
        let mut first_eval: HashMap<u32, Day> = HashMap::default();
        for kind in KINDS {
            for item in self.tree(tree_of(kind)).iter() {
                let (k, v) = item?;
                let (unit, year) =
                    keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad page key".into()))?;
                pages.entry((year, group_of(unit))).or_default().push((kind, unit));
                if kind == RecordKind::Evaluation {
                    for entry in Page::decode(&v)?.entries {
                        let slot = first_eval.entry(unit).or_insert(entry.day);
                        *slot = (*slot).min(entry.day);
                    }
                }
            }
        }
        // Units count from the epoch (year 0); stations open and close in their own years.
        let mut years: std::collections::BTreeSet<u16> = pages.keys().map(|(year, _)| *year).collect();
        self.for_each_unit_event(&first_eval, |_, day, _| {
            years.insert(bucket_year(day));
            Ok(())
        })?;

        let mut latest: Option<Day> = None;
        for year in years {
            // The year's unit events by district (a few per unit at most, most of them in year 0).
            let mut events: Vec<(u32, u32, Day, Sparse)> = Vec::new();
            self.for_each_unit_event(&first_eval, |idx, day, delta| {
                if bucket_year(day) == year {
                    events.push((group_of(idx), idx, day, delta.sparse()));
                }
                Ok(())
            })?;
            events.sort_by_key(|e| e.0);
            let mut districts: Vec<u32> = pages
                .range((year, 0)..=(year, u32::MAX))
                .map(|((_, g), _)| *g)
                .collect();
            districts.extend(events.iter().map(|e| e.0));
            districts.sort_unstable();
            districts.dedup();
            // The buckets of the units above every district, summed over the year's districts.
            let mut above = YearBuckets::new();
            let mut events = events.into_iter().peekable();
            for district in districts {
                let mut out = YearBuckets::new();
                let mut add = |unit: u32, day: Day, delta: &Sparse| -> Result<()> {
                    if !delta.is_zero() {
                        latest = latest.max(Some(day));
                    }
                    crate::registry::rules::walk_up(unit, |idx| {
                        let idx = *idx;
                        let (parent, level) = *units
                            .get(&idx)
                            .ok_or_else(|| StoreError::Corrupt(format!("unit #{idx} is missing")))?;
                        if keeps_bucket(level) {
                            // A unit's ancestors are in its district or above every district.
                            let into = if group_of(idx) == district && district != ABOVE_DISTRICTS {
                                &mut out
                            } else {
                                &mut above
                            };
                            into.entry((idx, year)).or_default().add(day, delta)?;
                        }
                        Ok(parent)
                    })
                };
                for (kind, unit) in pages.remove(&(year, district)).unwrap_or_default() {
                    let Some(v) = self.tree(tree_of(kind)).get(keys::page_key(unit, year))? else {
                        continue;
                    };
                    for entry in Page::decode(&v)?.entries {
                        let (day, delta) = record_delta(kind, &entry.record)?;
                        if bucket_year(day) != year {
                            return Err(StoreError::Corrupt(format!(
                                "a record of unit #{unit} is filed under year {year}"
                            )));
                        }
                        add(unit, day, &delta)?;
                    }
                }
                while let Some((_, idx, day, delta)) = events.next_if(|e| e.0 == district) {
                    add(idx, day, &delta)?;
                }
                out.retain(|_, b| !b.is_empty());
                if !out.is_empty() {
                    each(out)?;
                }
            }
            above.retain(|_, b| !b.is_empty());
            each(above)?;
        }
        Ok((first_eval, latest))
    }

    /// Every unit's total over every year, summed from the totals at the head of its stored
    /// buckets, with its parent: what `TreeId::ChildTotals` holds (units without a parent
    /// excepted).
    fn each_child_total(&self, mut f: impl FnMut(u32, u32, Measures) -> Result<()>) -> Result<()> {
        let mut current: Option<(u32, Measures)> = None;
        let mut finish = |done: Option<(u32, Measures)>| -> Result<()> {
            let Some((unit, total)) = done else {
                return Ok(());
            };
            let row = self
                .unit_row(unit)?
                .ok_or_else(|| StoreError::Corrupt(format!("unit #{unit} has totals but is missing")))?;
            match row.parent_idx {
                Some(parent) if !total.is_zero() => f(parent, unit, total),
                _ => Ok(()),
            }
        };
        for item in self.tree(TreeId::Buckets).iter() {
            let (k, v) = item?;
            let (unit, _) = keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad bucket key".into()))?;
            let total = bucket_total(&v)?;
            match &mut current {
                Some((at, sum)) if *at == unit => sum.add(&total)?,
                _ => finish(current.replace((unit, total)))?,
            }
        }
        finish(current)
    }

    /// The latest day of any event stored, as `keys::META_LATEST_DAY` says.
    pub(crate) fn latest_day(&self) -> Result<Option<Day>> {
        match self.tree(TreeId::Meta).get(keys::META_LATEST_DAY)? {
            Some(v) => Ok(Some(
                keys::read_day(&v).ok_or_else(|| StoreError::Corrupt("bad latest day".into()))?,
            )),
            None => Ok(None),
        }
    }

    /// Each child of a unit with its subtree's measures as of `as_of`. The children are one
    /// read of those kept with the parent (`store::kids`). On or after the latest day of any
    /// event, the children that keep buckets are one read of their totals packed with the
    /// parent (`store::kid_totals`); before it (a report of a past date), and for
    /// communities, each child is read on its own.
    pub fn children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(crate::domain::Unit, Measures)>> {
        let idx = self.unit_index(code)?;
        let mut rows = self.kid_units_of(Some(idx))?;
        rows.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        let current = self
            .latest_day()?
            .is_none_or(|latest| rollup::as_of_day(as_of) >= latest);
        // Both values are read borrowed and each child's total decoded once, found by index (the
        // totals are sorted by it): the national root's 2,850 children were a copy of every
        // total's bytes and a map of their decoded totals (issue 14, the funding chart).
        let kept_bytes = match current {
            true => self.kid_totals_bytes(idx)?,
            false => None,
        };
        let kept = match &kept_bytes {
            Some(bytes) => codec::kid_totals_borrowed(bytes)?,
            None => Vec::new(),
        };
        let mut out = Vec::with_capacity(rows.len());
        for (child, unit) in rows {
            let stored = kept.binary_search_by_key(&child, |(c, _)| *c).ok();
            let measures = match stored {
                Some(at) if keeps_bucket(unit.level) => decode_total(kept[at].1)?,
                _ => self.measures_as_of(child, as_of)?,
            };
            out.push((unit, measures));
        }
        Ok(out)
    }

    /// Every unit's own events (it exists; its station opens, closes, is first evaluated),
    /// read afresh from the units tree rather than kept for every unit.
    fn for_each_unit_event(
        &self,
        first_eval: &HashMap<u32, Day>,
        mut f: impl FnMut(u32, Day, &Measures) -> Result<()>,
    ) -> Result<()> {
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            let row = UnitRow::decode(&v)?;
            for (day, delta) in unit_events(&row.unit, first_eval.get(&row.idx).copied()) {
                f(row.idx, day, &delta)?;
            }
        }
        Ok(())
    }

    /// Compares every stored total (and every unit's first evaluation) with a recomputation,
    /// a year and a district at a time.
    pub fn check(&self) -> Result<Vec<Difference>> {
        let mut differences = Vec::new();
        let code_of = |idx: u32| -> String {
            self.unit_row(idx)
                .ok()
                .flatten()
                .map(|r| r.unit.code)
                .unwrap_or_else(|| format!("#{idx}"))
        };
        let mut difference = |key: (u32, u16), what: &str| {
            differences.push(Difference {
                unit: code_of(key.0),
                year: key.1,
                what: what.into(),
            })
        };
        let buckets = self.tree(TreeId::Buckets);
        let mut expected_keys: rustc_hash::FxHashSet<(u32, u16)> = Default::default();
        let (first_eval, latest) = self.recompute(|year| {
            for (key, bucket) in year {
                let stored_key = keys::bucket_key(key.0, key.1);
                match buckets.get(stored_key)? {
                    Some(v) if YearBucket::decode(&v)? == bucket => {}
                    Some(_) => difference(key, "totals differ"),
                    None => difference(key, "totals missing"),
                }
                expected_keys.insert(key);
            }
            Ok(())
        })?;
        for item in buckets.iter() {
            let (k, _) = item?;
            let key = keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad bucket key".into()))?;
            if !expected_keys.contains(&key) {
                difference(key, "totals without records");
            }
        }
        // Each unit's total over every year kept with its parent: the sum of its year totals
        // (compared above with the recomputation).
        let child_totals = self.tree(TreeId::ChildTotals);
        let mut expected_children: rustc_hash::FxHashSet<(u32, u32)> = Default::default();
        let mut child_differences = Vec::new();
        self.each_child_total(|parent, unit, total| {
            match child_totals.get(keys::child_key(Some(parent), unit))? {
                Some(v) if decode_total(&v)? == total => {}
                _ => child_differences.push(unit),
            }
            expected_children.insert((parent, unit));
            Ok(())
        })?;
        for item in child_totals.iter() {
            let (k, _) = item?;
            let pair = (keys::read_u32(&k), keys::read_u32(k.get(4..).unwrap_or_default()));
            match pair {
                (Some(parent), Some(unit)) if expected_children.contains(&(parent, unit)) => {}
                (_, Some(unit)) => child_differences.push(unit),
                _ => return Err(StoreError::Corrupt("bad child totals key".into())),
            }
        }
        for unit in child_differences {
            difference((unit, 0), "total kept with its parent differs");
        }
        // Schema 8 kept each year's total apart as well; the upgrade to 9 empties that tree.
        if !self.tree(TreeId::Totals).is_empty() {
            differences.push(Difference {
                unit: String::new(),
                year: 0,
                what: "year totals of an older schema are left".into(),
            });
        }
        // The latest day may lie after the last event (a delete leaves it), never before.
        if latest.is_some_and(|day| self.latest_day().ok().flatten().is_none_or(|stored| stored < day)) {
            differences.push(Difference {
                unit: String::new(),
                year: 0,
                what: "latest day of the events differs".into(),
            });
        }
        // The hierarchy itself: the totals are recomputed along it, so a unit not deeper than
        // its parent (whose rollups would skip its children) would pass unseen otherwise.
        let mut levels: HashMap<u32, Level> = HashMap::default();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            let row = UnitRow::decode(&v)?;
            levels.insert(row.idx, row.unit.level);
        }
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            let row = UnitRow::decode(&v)?;
            if let Some(parent) = row.parent_idx {
                let what = match levels.get(&parent) {
                    None => Some(format!("its parent #{parent} is missing")),
                    Some(level) if *level >= row.unit.level => Some(format!(
                        "its level ({}) is not deeper than its parent's ({})",
                        row.unit.level.en(),
                        level.en()
                    )),
                    Some(_) => None,
                };
                if let Some(what) = what {
                    differences.push(Difference {
                        unit: row.unit.code.clone(),
                        year: 0,
                        what,
                    });
                }
            }
            if row.first_evaluation != first_eval.get(&row.idx).copied() {
                differences.push(Difference {
                    unit: row.unit.code,
                    year: 0,
                    what: "first evaluation differs".into(),
                });
            }
        }
        // The children kept with each parent (`store::kids`), recomputed from the units.
        for (parent, what) in self.check_kids()? {
            differences.push(Difference {
                unit: parent.map(&code_of).unwrap_or_default(),
                year: 0,
                what: what.into(),
            });
        }
        // Each parent's children's totals packed in one value (`store::kid_totals`), compared
        // with the `child_totals` under it (compared above with the recomputation).
        for (parent, what) in self.check_kid_totals()? {
            differences.push(Difference {
                unit: parent.map(&code_of).unwrap_or_default(),
                year: 0,
                what: what.into(),
            });
        }
        // The find index (`store::find`), recomputed from the units.
        if let Some((unit, what)) = self.check_find_index()? {
            differences.push(Difference { unit, year: 0, what });
        }
        Ok(differences)
    }

    /// Replaces every stored total with a recomputation (after a change of the hierarchy's
    /// shape, when rolling back an unfinished write, and when upgrading a schema 1 store).
    pub(crate) fn rebuild_totals(&self) -> Result<()> {
        let tree = self.tree(TreeId::Buckets);
        tree.clear()?;
        // Left by schema 8 or older (the year's total is at the head of its bucket since 9).
        self.tree(TreeId::Totals).clear()?;
        let (first_eval, latest) = self.recompute(|year| {
            for ((unit, year), bucket) in year {
                tree.insert(keys::bucket_key(unit, year), bucket.encode()?)?;
            }
            Ok(())
        })?;
        let child_totals = self.tree(TreeId::ChildTotals);
        child_totals.clear()?;
        self.each_child_total(|parent, unit, total| {
            child_totals.insert(keys::child_key(Some(parent), unit), encode_total(&total)?)?;
            Ok(())
        })?;
        // Their packed copy, one value per parent (`store::kid_totals`).
        self.rebuild_kid_totals()?;
        let meta = self.tree(TreeId::Meta);
        match latest {
            Some(day) => meta.insert(keys::META_LATEST_DAY, &keys::day_value(day))?,
            None => meta.remove(keys::META_LATEST_DAY)?,
        };
        let units = self.tree(TreeId::Units);
        for item in units.iter() {
            let (k, v) = item?;
            let mut row = UnitRow::decode(&v)?;
            let want = first_eval.get(&row.idx).copied();
            if row.first_evaluation != want {
                row.first_evaluation = want;
                units.insert(k, row.encode()?)?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The measures of a unit's subtree dated on or before `as_of`.
    pub fn subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        let idx = self.unit_index(code)?;
        self.measures_as_of(idx, as_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Communities keep no bucket, every level above them does. Reports read the same figures
    /// either way (a community's are summed from its pages, or would be read from its bucket),
    /// so only this sees the rule: a mutation run (docs/TESTING.md) changed it unseen.
    #[test]
    fn every_level_but_the_community_keeps_a_bucket() {
        let keeping: Vec<Level> = Level::ALL.iter().copied().filter(|l| keeps_bucket(*l)).collect();
        assert_eq!(keeping, [Level::Province, Level::City, Level::District, Level::Street]);
    }

    /// Folding a bucket's cells sums those of one day and counter, keeps a day whose cells sum
    /// to nothing (as a zero cell, as `write_into` would add it), and refuses an overflow.
    #[test]
    fn folded_cells_sum_per_day_and_counter() {
        let day = |d: Day| 18_000 + d;
        let mut cells: Vec<Cell> = vec![
            (day(2), 1, 5),
            (day(1), 0, 7),
            (day(2), 1, -5),
            (day(1), 0, 3),
            (day(1), 2, 1),
        ];
        fold(&mut cells).unwrap();
        assert_eq!(cells, [(day(1), 0, 10), (day(1), 2, 1), (day(2), 1, 0)]);
        let mut big: Vec<Cell> = vec![(day(1), 0, i64::MAX), (day(1), 0, 1)];
        assert!(fold(&mut big).is_err());
    }

    /// Issue 14, session 12: cells that fold to more than half their room get twice the room,
    /// so the next fold is as far off as this one was; cells that fold small keep their room.
    #[test]
    fn a_dense_fold_doubles_the_room() {
        let mut dense: Vec<Cell> = Vec::with_capacity(FOLD_FROM);
        dense.extend((0..FOLD_FROM as i32).map(|d| (18_000 + d, 0, 1)));
        fold(&mut dense).unwrap();
        assert_eq!(dense.len(), FOLD_FROM);
        assert!(dense.capacity() >= 2 * FOLD_FROM, "{}", dense.capacity());
        let mut sparse: Vec<Cell> = Vec::with_capacity(FOLD_FROM);
        sparse.extend((0..FOLD_FROM).map(|_| (18_000, 0, 1)));
        fold(&mut sparse).unwrap();
        assert_eq!(sparse, [(18_000, 0, FOLD_FROM as i64)]);
        assert!(sparse.capacity() < 2 * FOLD_FROM);
    }
}
