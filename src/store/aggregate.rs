//! The stored totals: per unit and year, the measures of the unit's whole subtree. Writes add
//! their deltas here (`Deltas`); reports read them (`measures_as_of`); `check` recomputes them
//! from the records the slow way and compares; `rebuild_totals` replaces them.

use super::codec::{bucket_total, Stored, UnitRow};
use super::keys::{self, TreeId};
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::{BudgetEntry, Day, Evaluation, Training};
use crate::rollup::{self, bucket_year, unit_events, year_complete, Measures, YearBucket};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// Changes to the totals, per unit and year, before they are written.
#[derive(Default)]
pub struct Deltas {
    buckets: HashMap<(u32, u16), YearBucket>,
}

/// Finds a unit's parent; remembers what it read.
pub struct Ancestry<'a> {
    store: &'a Store,
    parents: HashMap<u32, Option<u32>>,
}

impl<'a> Ancestry<'a> {
    pub fn new(store: &'a Store) -> Self {
        Ancestry {
            store,
            parents: HashMap::new(),
        }
    }

    /// Tells it about a unit that is being written and is not in the store yet.
    pub fn set(&mut self, idx: u32, parent: Option<u32>) {
        self.parents.insert(idx, parent);
    }

    /// The unit and all its ancestors, the unit first.
    pub fn chain(&mut self, idx: u32) -> Result<Vec<u32>> {
        let mut chain = vec![idx];
        let mut current = idx;
        loop {
            let parent = match self.parents.get(&current) {
                Some(p) => *p,
                None => {
                    let row = self
                        .store
                        .unit_row(current)?
                        .ok_or_else(|| StoreError::Corrupt(format!("unit #{current} is missing")))?;
                    self.parents.insert(current, row.parent_idx);
                    row.parent_idx
                }
            };
            match parent {
                Some(p) if chain.len() < 64 => {
                    chain.push(p);
                    current = p;
                }
                Some(_) => return Err(StoreError::Corrupt("the hierarchy has a cycle".into())),
                None => return Ok(chain),
            }
        }
    }
}

impl Deltas {
    /// Adds `delta` on `day` to the unit and every unit above it.
    pub fn add(&mut self, ancestry: &mut Ancestry, unit: u32, day: Day, delta: &Measures) -> Result<()> {
        let year = bucket_year(day);
        for idx in ancestry.chain(unit)? {
            self.buckets.entry((idx, year)).or_default().add(day, delta)?;
        }
        Ok(())
    }

    pub fn subtract(&mut self, ancestry: &mut Ancestry, unit: u32, day: Day, delta: &Measures) -> Result<()> {
        let mut negative = Measures::default();
        negative.sub(delta)?;
        self.add(ancestry, unit, day, &negative)
    }

    /// Adds the writes that merge these deltas into the stored buckets.
    pub fn write_into(self, store: &Store, set: &mut WriteSet) -> Result<()> {
        let tree = store.tree(TreeId::Buckets);
        let mut entries: Vec<_> = self.buckets.into_iter().collect();
        entries.sort_by_key(|(k, _)| *k);
        for ((unit, year), delta) in entries {
            let key = keys::bucket_key(unit, year);
            let mut bucket = match tree.get(key)? {
                Some(bytes) => YearBucket::decode(&bytes)?,
                None => YearBucket::default(),
            };
            for (day, m) in &delta.days {
                bucket.add(*day, m)?;
            }
            if bucket.is_empty() {
                set.remove(TreeId::Buckets, key.to_vec(), Undo::Rebuild);
            } else {
                set.put(TreeId::Buckets, key.to_vec(), bucket.encode(), Undo::Rebuild);
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

impl Store {
    /// The measures of a unit's subtree dated on or before `as_of`.
    pub(crate) fn measures_as_of(&self, idx: u32, as_of: NaiveDate) -> Result<Measures> {
        let tree = self.tree(TreeId::Buckets);
        let last_year = as_of.year().clamp(0, u16::MAX as i32) as u16;
        let mut sum = Measures::default();
        for item in tree.range(keys::bucket_key(idx, 0)..=keys::bucket_key(idx, last_year)) {
            let (k, v) = item?;
            let (_, year) = keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad bucket key".into()))?;
            if year_complete(year, as_of) {
                sum.add(&bucket_total(&v)?)?;
            } else {
                sum.add(&YearBucket::decode(&v)?.until(rollup::as_of_day(as_of))?)?;
            }
        }
        Ok(sum)
    }

    /// Recomputes every bucket from the units and records, the slow way.
    fn recompute(&self) -> Result<BTreeMap<(u32, u16), YearBucket>> {
        let mut parents: HashMap<u32, Option<u32>> = HashMap::new();
        let mut rows: Vec<UnitRow> = Vec::new();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            let row = UnitRow::decode(&v)?;
            parents.insert(row.idx, row.parent_idx);
            rows.push(row);
        }
        let mut out: BTreeMap<(u32, u16), YearBucket> = BTreeMap::new();
        let mut add = |unit: u32, day: Day, delta: &Measures| -> Result<()> {
            let year = bucket_year(day);
            let mut current = Some(unit);
            let mut steps = 0;
            while let Some(idx) = current {
                out.entry((idx, year)).or_default().add(day, delta)?;
                current = parents.get(&idx).copied().flatten();
                steps += 1;
                if steps > 64 {
                    return Err(StoreError::Corrupt("the hierarchy has a cycle".into()));
                }
            }
            Ok(())
        };
        // First evaluations are recomputed too, not taken from the unit rows.
        let mut first_eval: HashMap<u32, Day> = HashMap::new();
        for item in self.tree(TreeId::Evaluations).iter() {
            let (k, v) = item?;
            let key = keys::RecordKey::parse(&k).ok_or_else(|| StoreError::Corrupt("bad record key".into()))?;
            let e = Evaluation::decode(&v)?;
            let (day, delta) = rollup::evaluation_delta(&e);
            add(key.unit, day, &delta)?;
            let slot = first_eval.entry(key.unit).or_insert(day);
            *slot = (*slot).min(day);
        }
        for item in self.tree(TreeId::Trainings).iter() {
            let (k, v) = item?;
            let key = keys::RecordKey::parse(&k).ok_or_else(|| StoreError::Corrupt("bad record key".into()))?;
            let (day, delta) = rollup::training_delta(&Training::decode(&v)?);
            add(key.unit, day, &delta)?;
        }
        for item in self.tree(TreeId::Budget).iter() {
            let (k, v) = item?;
            let key = keys::RecordKey::parse(&k).ok_or_else(|| StoreError::Corrupt("bad record key".into()))?;
            let (day, delta) = rollup::budget_delta(&BudgetEntry::decode(&v)?);
            add(key.unit, day, &delta)?;
        }
        for row in &rows {
            for (day, delta) in unit_events(&row.unit, first_eval.get(&row.idx).copied()) {
                add(row.idx, day, &delta)?;
            }
        }
        out.retain(|_, b| !b.is_empty());
        Ok(out)
    }

    /// Compares every stored total (and every unit's first evaluation) with a recomputation.
    pub fn check(&self) -> Result<Vec<Difference>> {
        let expected = self.recompute()?;
        let mut differences = Vec::new();
        let code_of = |idx: u32| -> String {
            self.unit_row(idx)
                .ok()
                .flatten()
                .map(|r| r.unit.code)
                .unwrap_or_else(|| format!("#{idx}"))
        };
        let mut stored: BTreeMap<(u32, u16), YearBucket> = BTreeMap::new();
        for item in self.tree(TreeId::Buckets).iter() {
            let (k, v) = item?;
            let key = keys::parse_bucket_key(&k).ok_or_else(|| StoreError::Corrupt("bad bucket key".into()))?;
            stored.insert(key, YearBucket::decode(&v)?);
        }
        for (key, bucket) in &expected {
            match stored.get(key) {
                Some(s) if s == bucket => {}
                Some(_) => differences.push(Difference {
                    unit: code_of(key.0),
                    year: key.1,
                    what: "totals differ".into(),
                }),
                None => differences.push(Difference {
                    unit: code_of(key.0),
                    year: key.1,
                    what: "totals missing".into(),
                }),
            }
        }
        for key in stored.keys() {
            if !expected.contains_key(key) {
                differences.push(Difference {
                    unit: code_of(key.0),
                    year: key.1,
                    what: "totals without records".into(),
                });
            }
        }
        Ok(differences)
    }

    /// Replaces every stored total with a recomputation (after a change of the hierarchy's
    /// shape, and when rolling back an unfinished write).
    pub(crate) fn rebuild_totals(&self) -> Result<()> {
        let expected = self.recompute()?;
        let tree = self.tree(TreeId::Buckets);
        tree.clear()?;
        for ((unit, year), bucket) in expected {
            tree.insert(keys::bucket_key(unit, year), bucket.encode())?;
        }
        // First evaluations stored on the unit rows follow the records too.
        let mut first_eval: HashMap<u32, Day> = HashMap::new();
        for item in self.tree(TreeId::Evaluations).iter() {
            let (k, _) = item?;
            if let Some(key) = keys::RecordKey::parse(&k) {
                let slot = first_eval.entry(key.unit).or_insert(key.day);
                *slot = (*slot).min(key.day);
            }
        }
        let units = self.tree(TreeId::Units);
        for item in units.iter() {
            let (k, v) = item?;
            let mut row = UnitRow::decode(&v)?;
            let want = first_eval.get(&row.idx).copied();
            if row.first_evaluation != want {
                row.first_evaluation = want;
                units.insert(k, row.encode())?;
            }
        }
        Ok(())
    }
}
