//! Writing units and records: validation against what is stored, identity and re-import
//! (the same file twice adds nothing), the totals each write changes, and deletion. Every
//! write goes through one `WriteSet`, so it happens entirely or not at all.

use super::aggregate::{Ancestry, Deltas};
use super::codec::{Stored, UnitRow};
use super::error::RowProblem;
use super::keys::{self, RecordKey, TreeId};
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::*;
use crate::rollup::{self, unit_events, Measures};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Evaluation = 1,
    Training = 2,
    Budget = 3,
}

/// A dated record that belongs to one unit and adds to the totals.
pub trait Record: Stored + Clone + PartialEq + std::fmt::Debug {
    const KIND: RecordKind;
    fn id(&self) -> Option<&str>;
    /// The unit whose totals it adds to.
    fn owner(&self) -> &str;
    fn delta(&self) -> (Day, Measures);
    fn validate(&self) -> Vec<Problem>;
    /// Other units it names (field, code), which must exist.
    fn references(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
    /// Whether the owner must have a station (evaluations evaluate stations).
    fn needs_station() -> bool {
        false
    }
    fn owner_field() -> &'static str;
}

pub(crate) fn tree_of(kind: RecordKind) -> TreeId {
    match kind {
        RecordKind::Evaluation => TreeId::Evaluations,
        RecordKind::Training => TreeId::Trainings,
        RecordKind::Budget => TreeId::Budget,
    }
}

impl Record for Evaluation {
    const KIND: RecordKind = RecordKind::Evaluation;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.unit
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::evaluation_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        Evaluation::validate(self)
    }
    fn needs_station() -> bool {
        true
    }
    fn owner_field() -> &'static str {
        "unit"
    }
}

impl Record for Training {
    const KIND: RecordKind = RecordKind::Training;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.host
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::training_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        Training::validate(self)
    }
    fn references(&self) -> Vec<(&'static str, &str)> {
        self.units.iter().map(|c| ("units", c.as_str())).collect()
    }
    fn owner_field() -> &'static str {
        "host"
    }
}

impl Record for BudgetEntry {
    const KIND: RecordKind = RecordKind::Budget;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn owner(&self) -> &str {
        &self.unit
    }
    fn delta(&self) -> (Day, Measures) {
        rollup::budget_delta(self)
    }
    fn validate(&self) -> Vec<Problem> {
        BudgetEntry::validate(self)
    }
    fn owner_field() -> &'static str {
        "unit"
    }
}

/// What an import of records did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddOutcome {
    pub added: usize,
    /// Rows that were stored already (the same file imported again).
    pub already_present: usize,
    /// Keys of the added records, in input order.
    pub keys: Vec<RecordKey>,
}

/// What an import of units did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitOutcome {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Facts about a unit that validation of records needs.
#[derive(Clone, Copy)]
struct UnitFacts {
    idx: u32,
    has_station: bool,
}

fn content_hash<R: Record>(record: &R) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&record.encode())
}

impl Store {
    fn facts(&self, cache: &mut HashMap<String, Option<UnitFacts>>, code: &str) -> Result<Option<UnitFacts>> {
        if let Some(f) = cache.get(code) {
            return Ok(*f);
        }
        let facts = self.unit_row_by_code(code)?.map(|row| UnitFacts {
            idx: row.idx,
            has_station: row.unit.station != StationStatus::None,
        });
        cache.insert(code.to_string(), facts);
        Ok(facts)
    }

    /// Adds records, all or nothing. Rows already stored (same content, or same id and content)
    /// are counted and skipped; an id stored with other content is refused.
    pub fn add_records<R: Record>(&self, rows: &[R]) -> Result<AddOutcome> {
        self.check_writable()?;
        let tree = self.tree(tree_of(R::KIND));
        let ids = self.tree(TreeId::Ids);
        let mut problems: Vec<RowProblem> = Vec::new();
        let mut cache: HashMap<String, Option<UnitFacts>> = HashMap::new();
        let mut occurrences: HashMap<(u32, Day, u64), u32> = HashMap::new();
        let mut ids_in_batch: HashSet<&str> = HashSet::new();
        let mut new_records: Vec<(RecordKey, &R)> = Vec::new();
        let mut outcome = AddOutcome::default();

        for (row, record) in rows.iter().enumerate() {
            let mut bad = |problem: Problem| problems.push(RowProblem { row, problem });
            for p in record.validate() {
                bad(p);
            }
            let owner = match self.facts(&mut cache, record.owner())? {
                None => {
                    bad(unknown_unit(R::owner_field(), record.owner()));
                    continue;
                }
                Some(f) => f,
            };
            if R::needs_station() && !owner.has_station {
                bad(Problem::new(
                    R::owner_field(),
                    format!("单位 {} 没有社工站（站点状态为“无”），不能评估", record.owner()),
                    format!("unit {} has no station (status none) to evaluate", record.owner()),
                ));
            }
            for (field, code) in record.references() {
                if self.facts(&mut cache, code)?.is_none() {
                    bad(unknown_unit(field, code));
                }
            }
            let (day, _) = record.delta();
            let hash = content_hash(record);
            let occurrence = occurrences.entry((owner.idx, day, hash)).or_insert(0);
            let key = RecordKey {
                unit: owner.idx,
                day,
                hash,
                occurrence: *occurrence,
            };
            *occurrence += 1;
            if let Some(id) = record.id() {
                if !ids_in_batch.insert(id) {
                    bad(Problem::new(
                        "id",
                        format!("编号 {id} 在本文件中重复"),
                        format!("{id} appears twice in this file"),
                    ));
                    continue;
                }
                if let Some(stored_key) = ids.get(keys::id_key(R::KIND as u8, id))? {
                    if stored_key.as_ref() == key.bytes() {
                        outcome.already_present += 1;
                    } else {
                        bad(Problem::new(
                            "id",
                            format!("编号 {id} 已存有内容不同的记录；不会覆盖"),
                            format!("{id} is already stored with different content; it is not overwritten"),
                        ));
                    }
                    continue;
                }
            }
            if tree.contains_key(key.bytes())? {
                outcome.already_present += 1;
                continue;
            }
            new_records.push((key, record));
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }

        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let mut first_eval: HashMap<u32, Day> = HashMap::new();
        for (key, record) in &new_records {
            let (day, delta) = record.delta();
            deltas.add(&mut ancestry, key.unit, day, &delta)?;
            set.put(tree_of(R::KIND), key.bytes().to_vec(), record.encode(), Undo::Remove);
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
            outcome.keys.push(*key);
        }
        for (idx, day) in first_eval {
            self.move_first_evaluation(
                idx,
                |old| Some(old.map_or(day, |o: Day| o.min(day))),
                &mut deltas,
                &mut ancestry,
                &mut set,
            )?;
        }
        deltas.write_into(self, &mut set)?;
        outcome.added = new_records.len();
        self.apply(set)?;
        Ok(outcome)
    }

    /// Changes a unit's first-evaluation day and the totals that depend on it.
    fn move_first_evaluation(
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
        let mut row = UnitRow::decode(&old_bytes)?;
        let new_first = next(row.first_evaluation);
        if new_first == row.first_evaluation {
            return Ok(());
        }
        for (day, m) in unit_events(&row.unit, row.first_evaluation) {
            deltas.subtract(ancestry, idx, day, &m)?;
        }
        for (day, m) in unit_events(&row.unit, new_first) {
            deltas.add(ancestry, idx, day, &m)?;
        }
        row.first_evaluation = new_first;
        set.put(
            TreeId::Units,
            keys::u32_key(idx).to_vec(),
            row.encode(),
            Undo::Restore(old_bytes.to_vec()),
        );
        Ok(())
    }

    /// Deletes one evaluation or training (budget entries are corrected, not deleted).
    pub fn delete_record<R: Record>(&self, key: RecordKey) -> Result<R> {
        self.check_writable()?;
        let tree = self.tree(tree_of(R::KIND));
        let bytes = tree
            .get(key.bytes())?
            .ok_or_else(|| StoreError::UnknownRecord(key.to_text()))?;
        let record = R::decode(&bytes)?;
        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let (day, delta) = record.delta();
        deltas.subtract(&mut ancestry, key.unit, day, &delta)?;
        set.remove(tree_of(R::KIND), key.bytes().to_vec(), Undo::Restore(bytes.to_vec()));
        if let Some(id) = record.id() {
            set.remove(
                TreeId::Ids,
                keys::id_key(R::KIND as u8, id),
                Undo::Restore(key.bytes().to_vec()),
            );
        }
        if R::KIND == RecordKind::Evaluation {
            // The next first evaluation: the earliest one left for this unit.
            let mut remaining = None;
            for item in tree.scan_prefix(key.unit.to_be_bytes()) {
                let (k, _) = item?;
                if k.as_ref() != key.bytes() {
                    remaining = RecordKey::parse(&k).map(|k| k.day);
                    break;
                }
            }
            self.move_first_evaluation(key.unit, |_| remaining, &mut deltas, &mut ancestry, &mut set)?;
        }
        deltas.write_into(self, &mut set)?;
        self.apply(set)?;
        Ok(record)
    }

    /// A unit's records, newest first, at most `limit`; with `subtree`, those of every unit
    /// below it too.
    pub fn records_of<R: Record>(&self, code: &str, subtree: bool, limit: usize) -> Result<Vec<(RecordKey, R)>> {
        let idx = self
            .unit_idx(code)?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        let mut units = vec![idx];
        if subtree {
            let mut i = 0;
            while i < units.len() {
                units.extend(self.child_indices(Some(units[i]))?);
                i += 1;
            }
        }
        let tree = self.tree(tree_of(R::KIND));
        let mut out: Vec<(RecordKey, R)> = Vec::new();
        for unit in units {
            for item in tree.scan_prefix(unit.to_be_bytes()).rev().take(limit) {
                let (k, v) = item?;
                let key = RecordKey::parse(&k).ok_or_else(|| StoreError::Corrupt("bad record key".into()))?;
                out.push((key, R::decode(&v)?));
            }
        }
        out.sort_by(|a, b| b.0.day.cmp(&a.0.day).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        Ok(out)
    }

    /// Every record of a kind, in key order (for export and backup).
    pub fn all_records<R: Record>(&self) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for item in self.tree(tree_of(R::KIND)).iter() {
            let (_, v) = item?;
            out.push(R::decode(&v)?);
        }
        Ok(out)
    }

    /// Adds new units and updates changed ones, all or nothing. Parents may be in the store or
    /// in the same batch; levels must deepen; the hierarchy may not loop.
    pub fn apply_units(&self, units: &[Unit]) -> Result<UnitOutcome> {
        self.check_writable()?;
        let mut problems: Vec<RowProblem> = Vec::new();
        let mut in_batch: HashMap<&str, usize> = HashMap::new();
        for (row, unit) in units.iter().enumerate() {
            for problem in unit.validate() {
                problems.push(RowProblem { row, problem });
            }
            if in_batch.insert(unit.code.as_str(), row).is_some() {
                problems.push(RowProblem {
                    row,
                    problem: Problem::new(
                        "code",
                        format!("编码 {} 在本文件中重复", unit.code),
                        format!("{} appears twice in this file", unit.code),
                    ),
                });
            }
        }
        // The hierarchy as it will be: the batch over the store.
        let mut stored: HashMap<String, Option<UnitRow>> = HashMap::new();
        let mut lookup = |code: &str| -> Result<Option<UnitRow>> {
            if let Some(r) = stored.get(code) {
                return Ok(r.clone());
            }
            let r = self.unit_row_by_code(code)?;
            stored.insert(code.to_string(), r.clone());
            Ok(r)
        };
        let mut merged_parent: HashMap<String, (Option<String>, Level)> = HashMap::new();
        for unit in units {
            merged_parent.insert(unit.code.clone(), (unit.parent.clone(), unit.level));
        }
        for (row, unit) in units.iter().enumerate() {
            let Some(parent) = &unit.parent else { continue };
            let parent_level = match merged_parent.get(parent.as_str()) {
                Some((_, level)) => Some(*level),
                None => lookup(parent)?.map(|r| r.unit.level),
            };
            match parent_level {
                None => problems.push(RowProblem {
                    row,
                    problem: unknown_unit("parent", parent),
                }),
                Some(level) if level >= unit.level => problems.push(RowProblem {
                    row,
                    problem: Problem::new(
                        "level",
                        format!("层级“{}”须低于上级 {} 的层级“{}”", unit.level.zh(), parent, level.zh()),
                        format!(
                            "{} must be deeper than its parent {} ({})",
                            unit.level.en(),
                            parent,
                            level.en()
                        ),
                    ),
                }),
                Some(_) => {}
            }
            // Walk up; with levels strictly deepening a loop is impossible, but a store
            // edited elsewhere is not trusted.
            let mut seen = HashSet::new();
            let mut current = Some(parent.clone());
            while let Some(code) = current {
                if code == unit.code || !seen.insert(code.clone()) {
                    problems.push(RowProblem {
                        row,
                        problem: Problem::new("parent", "上级关系形成循环", "the parents form a cycle"),
                    });
                    break;
                }
                current = match merged_parent.get(code.as_str()) {
                    Some((p, _)) => p.clone(),
                    None => lookup(&code)?.and_then(|r| r.unit.parent),
                };
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.row);
            return Err(StoreError::Rejected(problems));
        }

        let mut outcome = UnitOutcome::default();
        let mut set = WriteSet::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let mut next_idx = self.meta_u32(keys::META_NEXT_UNIT)?.unwrap_or(0);
        let next_before = next_idx;
        // Indices first, so that parents in the same batch can be referred to.
        let mut idx_of: HashMap<&str, (u32, Option<UnitRow>)> = HashMap::new();
        for unit in units {
            let existing = lookup(&unit.code)?;
            let idx = match &existing {
                Some(r) => r.idx,
                None => {
                    let i = next_idx;
                    next_idx = next_idx.checked_add(1).ok_or(StoreError::Overflow)?;
                    i
                }
            };
            idx_of.insert(unit.code.as_str(), (idx, existing));
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
        for unit in units {
            let parent_idx = parent_idx_of(&unit.parent)?;
            resolved.push(parent_idx);
        }
        for (unit, parent_idx) in units.iter().zip(resolved) {
            let (idx, existing) = &idx_of[unit.code.as_str()];
            ancestry.set(*idx, parent_idx);
            let row = UnitRow {
                idx: *idx,
                parent_idx,
                first_evaluation: existing.as_ref().and_then(|r| r.first_evaluation),
                unit: unit.clone(),
            };
            match existing {
                None => {
                    outcome.added += 1;
                    set.put(TreeId::Units, keys::u32_key(*idx).to_vec(), row.encode(), Undo::Remove);
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
                        deltas.add(&mut ancestry, *idx, day, &m)?;
                    }
                }
                Some(old) if old.unit == *unit => outcome.unchanged += 1,
                Some(old) => {
                    outcome.updated += 1;
                    set.put(
                        TreeId::Units,
                        keys::u32_key(*idx).to_vec(),
                        row.encode(),
                        Undo::Restore(old.encode()),
                    );
                    if old.parent_idx != parent_idx || old.unit.level != unit.level {
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
                        set.rebuild_totals = true;
                    } else {
                        for (day, m) in unit_events(&old.unit, old.first_evaluation) {
                            deltas.subtract(&mut ancestry, *idx, day, &m)?;
                        }
                        for (day, m) in unit_events(unit, old.first_evaluation) {
                            deltas.add(&mut ancestry, *idx, day, &m)?;
                        }
                    }
                }
            }
        }
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
        self.apply(set)?;
        Ok(outcome)
    }
}

fn unknown_unit(field: &'static str, code: &str) -> Problem {
    Problem::new(
        field,
        format!("没有编码为 {code} 的单位"),
        format!("no unit has the code {code}"),
    )
}
