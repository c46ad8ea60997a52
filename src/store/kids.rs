//! Each unit's children kept with it (schema 6, issue 14): one value per parent
//! (`TreeId::Kids`, `codec::Kids`) holding each child's unit and the evaluations of its newest
//! day. A parent's children, and what a report shows of each (with the totals kept beside them
//! in `child_totals`), are then one read whatever their number, where reading each child's row
//! and newest evaluation page cost a read each from nodes not in sled's cache (2,850 at the
//! national size's root).
//!
//! **Kept from the writes themselves.** Every write reaches sled as a list of ops
//! (`write::Op`); the units and evaluation pages they change say which parents' values move,
//! so no write path needs to know about this value:
//! - a write in one transaction (`Store::apply`) gets the ops that change those values in the
//!   same transaction, computed from the store as the write leaves it (`View`: its own ops
//!   over the store);
//! - a large, undo-logged write (a bulk import, a batch) notes each part's changes
//!   (`PendingKids`) and changes the values once at its end, while its undo log can still take
//!   the rows back, under the mark `kids_stale` (`write::logged_finish`); a process killed
//!   there leaves both marks, and the next open rolls the rows back and rebuilds every value
//!   (`roll_back_kids`). A write rolled back before its end never touched them.
//!
//! `check` recomputes each value from the units and pages and names the parent whose value
//! differs, is missing or is damaged; the schema 6 upgrade builds them all (`rebuild_kids`).

use super::codec::{Kid, Kids, Page, Stored, UnitRow};
use super::keys::{self, TreeId};
use super::write::{each_parents_run, Op, PerParentWords};
use super::{Result, Store, StoreError};
use crate::domain::{Day, Evaluation, Unit};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;

/// Set while a large write changes the values at its end (see the module header).
pub(crate) const META_KIDS_STALE: &[u8] = b"kids_stale";

/// The key of a parent's value: its index, `ROOT_PARENT` for the roots.
fn parent_key(parent: Option<u32>) -> u32 {
    parent.unwrap_or(keys::ROOT_PARENT)
}

fn bad_key() -> StoreError {
    StoreError::Corrupt("bad unit or page key".into())
}

/// The changes a large write makes, noted part by part, made at its end.
#[derive(Default)]
pub(crate) struct PendingKids {
    /// (parent key, child) pairs whose entry may change: the parent before and after a unit
    /// changes.
    pairs: FxHashSet<(u32, u32)>,
    /// Units whose evaluations change: their parent is read when the values are changed.
    evaluated: FxHashSet<u32>,
}

impl PendingKids {
    fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.evaluated.is_empty()
    }
}

/// What a read sees: the store, with a write's own ops over it.
struct View<'a> {
    store: &'a Store,
    /// The last value each (tree, key) is given, for the units and evaluation pages.
    ops: FxHashMap<(TreeId, &'a [u8]), Option<&'a [u8]>>,
    /// The years of each unit's evaluation pages the ops write.
    page_years: FxHashMap<u32, Vec<u16>>,
    /// Whether the store holds no evaluation page at all, asked once: then a unit the ops
    /// write no page of has none (a units import into a store without evaluations sought
    /// each new unit's pages, ~5% of its instructions, issue 14).
    no_pages: std::cell::OnceCell<bool>,
}

impl<'a> View<'a> {
    fn new(store: &'a Store, ops: &'a [Op]) -> Result<Self> {
        let mut view = View {
            store,
            ops: FxHashMap::default(),
            page_years: FxHashMap::default(),
            no_pages: std::cell::OnceCell::new(),
        };
        for op in ops {
            match op.tree {
                TreeId::Units => {}
                TreeId::Evaluations => {
                    let (unit, year) = keys::parse_bucket_key(&op.key).ok_or_else(bad_key)?;
                    view.page_years.entry(unit).or_default().push(year);
                }
                _ => continue,
            }
            view.ops.insert((op.tree, op.key.as_slice()), op.value.as_deref());
        }
        Ok(view)
    }

    fn get(&self, tree: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.ops.get(&(tree, key)) {
            Some(value) => Ok(value.map(<[u8]>::to_vec)),
            None => Ok(self.store.tree(tree).get(key)?.map(|v| v.to_vec())),
        }
    }

    fn unit_row(&self, idx: u32) -> Result<Option<UnitRow>> {
        match self.get(TreeId::Units, &keys::u32_key(idx))? {
            Some(bytes) => Ok(Some(UnitRow::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The day of the unit's newest evaluation and that day's evaluations.
    fn newest(&self, unit: u32) -> Result<Option<(Day, Vec<Vec<u8>>)>> {
        let pages = self.store.tree(TreeId::Evaluations);
        let range = keys::page_key(unit, 0)..=keys::page_key(unit, u16::MAX);
        let Some(written) = self.page_years.get(&unit) else {
            if *self.no_pages.get_or_init(|| pages.is_empty()) {
                return Ok(None);
            }
            // Nothing of this unit's written: its newest page that is not empty.
            for item in pages.range(range).rev() {
                let (_, v) = item?;
                if let Some(newest) = newest_of(&Page::decode(&v)?) {
                    return Ok(Some(newest));
                }
            }
            return Ok(None);
        };
        let mut years: BTreeSet<u16> = written.iter().copied().collect();
        for item in pages.range(range) {
            let (k, _) = item?;
            years.insert(keys::parse_bucket_key(&k).ok_or_else(bad_key)?.1);
        }
        for year in years.into_iter().rev() {
            if let Some(v) = self.get(TreeId::Evaluations, &keys::page_key(unit, year))? {
                if let Some(newest) = newest_of(&Page::decode(&v)?) {
                    return Ok(Some(newest));
                }
            }
        }
        Ok(None)
    }

    fn kid(&self, row: UnitRow) -> Result<Kid> {
        Ok(Kid {
            idx: row.idx,
            newest: self.newest(row.idx)?,
            unit: row.unit,
        })
    }
}

/// The last day of a page (sorted by day) and its records.
fn newest_of(page: &Page) -> Option<(Day, Vec<Vec<u8>>)> {
    let day = page.entries.last()?.day;
    let records = page
        .entries
        .iter()
        .filter(|e| e.day == day)
        .map(|e| e.record.clone())
        .collect();
    Some((day, records))
}

impl Store {
    /// Notes which values the ops change, before they are written (the parents before come
    /// from the store).
    pub(crate) fn note_kids(&self, pending: &mut PendingKids, ops: &[Op]) -> Result<()> {
        for op in ops {
            match op.tree {
                TreeId::Units => {
                    let child = keys::read_u32(&op.key).ok_or_else(bad_key)?;
                    let before = match &op.undo {
                        super::write::Undo::Remove => None,
                        super::write::Undo::Restore(old) => Some(UnitRow::decode(old)?.parent_idx),
                        super::write::Undo::Rebuild => self.unit_row(child)?.map(|r| r.parent_idx),
                    };
                    if let Some(parent) = before {
                        pending.pairs.insert((parent_key(parent), child));
                    }
                    if let Some(v) = &op.value {
                        pending
                            .pairs
                            .insert((parent_key(UnitRow::decode(v)?.parent_idx), child));
                    }
                }
                TreeId::Evaluations => {
                    let (unit, _) = keys::parse_bucket_key(&op.key).ok_or_else(bad_key)?;
                    pending.evaluated.insert(unit);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The ops that bring the values `pending` names up to date with `view`, handed to `out`
    /// one parent at a time (a large write's end writes each at once: built together, every
    /// parent's value was ~the whole tree in memory at the national size, issue 14).
    fn kids_changes(&self, pending: PendingKids, view: &View, out: &mut dyn FnMut(Op) -> Result<()>) -> Result<()> {
        // (parent, child) pairs sorted: 8 bytes each where a map of sets took several times that.
        let mut pairs: Vec<(u32, u32)> = pending.pairs.into_iter().collect();
        pairs.reserve(pending.evaluated.len());
        for unit in pending.evaluated {
            if let Some(row) = view.unit_row(unit)? {
                pairs.push((parent_key(row.parent_idx), unit));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let tree = self.tree(TreeId::Kids);
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            let parent = run[0].0;
            let key = keys::u32_key(parent);
            let old = tree.get(key)?;
            let mut kids = match &old {
                Some(v) => Kids::decode(v)?.kids,
                None => Vec::new(),
            };
            for &(_, child) in run {
                let entry = match view.unit_row(child)? {
                    Some(row) if parent_key(row.parent_idx) == parent => Some(view.kid(row)?),
                    _ => None,
                };
                match (kids.binary_search_by_key(&child, |k| k.idx), entry) {
                    (Ok(at), Some(kid)) => kids[at] = kid,
                    (Ok(at), None) => {
                        kids.remove(at);
                    }
                    (Err(at), Some(kid)) => kids.insert(at, kid),
                    (Err(_), None) => {}
                }
            }
            let value = if kids.is_empty() {
                None
            } else {
                Some(Kids { kids }.encode()?)
            };
            if value.as_deref() != old.as_deref() {
                out(Op {
                    tree: TreeId::Kids,
                    key: key.to_vec(),
                    value,
                    undo: super::write::Undo::Rebuild,
                })?;
            }
        }
        Ok(())
    }

    /// The ops that keep the values in step with a write made in one transaction.
    pub(crate) fn kids_ops(&self, ops: &[Op]) -> Result<Vec<Op>> {
        let mut pending = PendingKids::default();
        self.note_kids(&mut pending, ops)?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let view = View::new(self, ops)?;
        let mut out = Vec::new();
        self.kids_changes(pending, &view, &mut |op| {
            out.push(op);
            Ok(())
        })?;
        Ok(out)
    }

    /// Makes a large write's noted changes, once its rows are written; the pending mark is
    /// still on disk, and `kids_stale` goes with it (`write::logged_finish`).
    pub(crate) fn finish_kids(&self, pending: PendingKids) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        self.mark_stale(META_KIDS_STALE)?;
        let view = View::new(self, &[])?;
        self.kids_changes(pending, &view, &mut |op| self.apply_untransacted(TreeId::Kids, [op]))
    }

    /// After a large write's rows were rolled back: values it had started to change are
    /// rebuilt from the rows as they are now.
    pub(crate) fn roll_back_kids(&self) -> Result<()> {
        self.roll_back_stale(META_KIDS_STALE, || self.rebuild_kids())
    }

    /// Each parent's value as the units and pages say it should be, parent by parent in key
    /// order (one parent's children in memory at a time).
    fn each_expected_kids(&self, mut f: impl FnMut(u32, Kids) -> Result<()>) -> Result<()> {
        let view = View::new(self, &[])?;
        let kids = self.tree(TreeId::Children).iter().map(|item| {
            let (k, _) = item?;
            let parent = keys::read_u32(&k).ok_or_else(bad_key)?;
            let child = keys::read_u32(k.get(4..).unwrap_or_default()).ok_or_else(bad_key)?;
            let row = self
                .unit_row(child)?
                .ok_or_else(|| StoreError::Corrupt(format!("unit #{child} is missing")))?;
            Ok((parent, view.kid(row)?))
        });
        each_parents_run(kids, |parent, kids| f(parent, Kids { kids }))
    }

    /// Replaces every value with a recomputation (the schema 6 upgrade; after a large write
    /// killed while it changed them).
    pub(crate) fn rebuild_kids(&self) -> Result<()> {
        let tree = self.tree(TreeId::Kids);
        tree.clear()?;
        self.each_expected_kids(|parent, kids| {
            tree.insert(keys::u32_key(parent), kids.encode()?)?;
            Ok(())
        })
    }

    /// The parents whose value differs from a recomputation, with what is wrong: missing,
    /// damaged (it does not decode), different, or kept for a unit without children.
    pub(crate) fn check_kids(&self) -> Result<Vec<(Option<u32>, &'static str)>> {
        let words = PerParentWords {
            missing: "children kept with the unit are missing",
            damaged: "children kept with the unit are damaged",
            differ: "children kept with the unit differ",
            extra: "children kept with a unit that has none",
        };
        self.check_per_parent(
            TreeId::Kids,
            &words,
            |v| Kids::decode(v).ok(),
            |f| self.each_expected_kids(f),
        )
    }

    /// The children of `parent` (`None`: the roots) as kept with it, by index.
    pub(crate) fn kids_of(&self, parent: Option<u32>) -> Result<Vec<Kid>> {
        match self.tree(TreeId::Kids).get(keys::u32_key(parent_key(parent)))? {
            Some(v) => Ok(Kids::decode(&v)?.kids),
            None => Ok(Vec::new()),
        }
    }

    /// The children's units of `parent`, by code.
    pub(crate) fn kid_units(&self, parent: Option<u32>) -> Result<Vec<Unit>> {
        let mut units: Vec<Unit> = self.kids_of(parent)?.into_iter().map(|k| k.unit).collect();
        units.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(units)
    }

    /// For each of `codes` (children of `parent`), its evaluations dated on its newest day on
    /// or before `until`: from the value kept with the parent when that day is its newest of
    /// all, else (a report of a past date) read from its own pages.
    pub fn children_newest_evaluations(
        &self,
        parent: &str,
        codes: &[String],
        until: Day,
    ) -> Result<Vec<Vec<Evaluation>>> {
        let idx = self.unit_index(parent)?;
        let kids = self.kids_of(Some(idx))?;
        let by_code: FxHashMap<&str, &Kid> = kids.iter().map(|k| (k.unit.code.as_str(), k)).collect();
        let mut out = Vec::with_capacity(codes.len());
        for code in codes {
            let evaluations = match by_code.get(code.as_str()) {
                Some(kid) => match &kid.newest {
                    None => Vec::new(),
                    Some((day, records)) if *day <= until => records
                        .iter()
                        .map(|r| Evaluation::decode(r).map_err(StoreError::from))
                        .collect::<Result<_>>()?,
                    Some(_) => self.newest_evaluations_until(kid.idx, until)?,
                },
                None => self.newest_evaluations_until(self.unit_index(code)?, until)?,
            };
            out.push(evaluations);
        }
        Ok(out)
    }

    /// A unit's own evaluations dated on its newest day on or before `until`.
    fn newest_evaluations_until(&self, idx: u32, until: Day) -> Result<Vec<Evaluation>> {
        let last_year = crate::rollup::bucket_year(until);
        let pages = self.tree(TreeId::Evaluations);
        for item in pages
            .range(keys::page_key(idx, 0)..=keys::page_key(idx, last_year))
            .rev()
        {
            let (_, v) = item?;
            let page = Page::decode(&v)?;
            let Some(day) = page.entries.iter().map(|e| e.day).filter(|d| *d <= until).max() else {
                continue;
            };
            return page
                .entries
                .iter()
                .filter(|e| e.day == day)
                .map(|e| Evaluation::decode(&e.record).map_err(StoreError::from))
                .collect();
        }
        Ok(Vec::new())
    }
}
