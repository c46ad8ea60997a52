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

use super::codec::{Kid, Kids, Page, Stored, UnitRow, UnitRowHead};
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

    /// A unit's parent (`None` for a root), or `None` when there is no such unit; from the
    /// row's head where it can be.
    fn parent_of(&self, idx: u32) -> Result<Option<Option<u32>>> {
        match self.get(TreeId::Units, &keys::u32_key(idx))? {
            Some(bytes) => Ok(Some(parent_of_row(&bytes)?)),
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

/// A stored row's parent, read from its head where it can be (`codec::UnitRowHead`).
fn parent_of_row(bytes: &[u8]) -> Result<Option<u32>> {
    Ok(match UnitRowHead::split(bytes)? {
        Some((head, _)) => head.parent_idx,
        None => UnitRow::decode(bytes)?.parent_idx,
    })
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
                    if let (super::write::Undo::Restore(old), Some(new)) = (&op.undo, &op.value) {
                        // Only its first evaluation moved (an evaluations import): its entry
                        // changes with its pages, noted below, not with its row.
                        if super::codec::same_unit_and_parent(old, new)? {
                            continue;
                        }
                    }
                    let before = match &op.undo {
                        super::write::Undo::Remove => None,
                        super::write::Undo::Restore(old) => Some(parent_of_row(old)?),
                        super::write::Undo::Rebuild => self.unit_row(child)?.map(|r| r.parent_idx),
                    };
                    if let Some(parent) = before {
                        pending.pairs.insert((parent_key(parent), child));
                    }
                    if let Some(v) = &op.value {
                        pending.pairs.insert((parent_key(parent_of_row(v)?), child));
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
        // (parent, child, whether its row may have changed) sorted: a dozen bytes each where a
        // map of sets took several times that. A child whose row the write left alone (its
        // evaluations changed, or only its first evaluation moved) keeps its unit in the value:
        // only its newest evaluations are read again (issue 14, fastrec: each of them was
        // decoded whole twice more here).
        let mut pairs: Vec<(u32, u32, bool)> = pending.pairs.into_iter().map(|(p, c)| (p, c, true)).collect();
        pairs.reserve(pending.evaluated.len());
        for unit in pending.evaluated {
            if let Some(parent) = view.parent_of(unit)? {
                pairs.push((parent_key(parent), unit, false));
            }
        }
        // A pair noted both ways keeps `true` (sorted after `false`, the last of its run).
        pairs.sort_unstable();
        pairs.dedup_by(|later, earlier| {
            let same = (later.0, later.1) == (earlier.0, earlier.1);
            if same {
                earlier.2 |= later.2;
            }
            same
        });
        let tree = self.tree(TreeId::Kids);
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            let parent = run[0].0;
            let key = keys::u32_key(parent);
            let old = tree.get(key)?;
            if let Some(value) = self.newest_only(old.as_deref(), run, view)? {
                if old.as_deref() != Some(value.as_slice()) {
                    out(Op {
                        tree: TreeId::Kids,
                        key: key.to_vec(),
                        value: Some(value),
                        undo: super::write::Undo::Rebuild,
                    })?;
                }
                continue;
            }
            let mut kids = match &old {
                Some(v) => Kids::decode(v)?.kids,
                None => Vec::new(),
            };
            for &(_, child, row_changed) in run {
                let at = kids.binary_search_by_key(&child, |k| k.idx);
                if let (false, Ok(at)) = (row_changed, at) {
                    kids[at].newest = view.newest(child)?;
                    continue;
                }
                let entry = match view.unit_row(child)? {
                    Some(row) if parent_key(row.parent_idx) == parent => Some(view.kid(row)?),
                    _ => None,
                };
                match (at, entry) {
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

    /// A parent's value with only its children's newest evaluations read again, when that is
    /// all the run changes: each child's row left alone and each already in the value
    /// (`codec::KidsNewest`: no child's unit decoded); else `None`, and the value is rebuilt
    /// child by child.
    fn newest_only(&self, old: Option<&[u8]>, run: &[(u32, u32, bool)], view: &View) -> Result<Option<Vec<u8>>> {
        let Some(old) = old else { return Ok(None) };
        if run.iter().any(|&(_, _, row_changed)| row_changed) {
            return Ok(None);
        }
        let mut kids = super::codec::KidsNewest::decode(old)?;
        let mut found = Vec::with_capacity(run.len());
        for &(_, child, _) in run {
            match kids.position(child) {
                Some(at) => found.push((at, child)),
                None => return Ok(None),
            }
        }
        for (at, child) in found {
            kids.set_newest(at, view.newest(child)?);
        }
        Ok(Some(kids.encode()?))
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

    /// The children's units of `parent` with their indices, in the stored order (by index),
    /// their newest evaluations left undecoded (`codec::kid_units`).
    pub(crate) fn kid_units_of(&self, parent: Option<u32>) -> Result<Vec<(u32, Unit)>> {
        match self.tree(TreeId::Kids).get(keys::u32_key(parent_key(parent)))? {
            Some(v) => Ok(super::codec::kid_units(&v)?),
            None => Ok(Vec::new()),
        }
    }

    /// The children's units of `parent`, by code.
    pub(crate) fn kid_units(&self, parent: Option<u32>) -> Result<Vec<Unit>> {
        let mut units: Vec<Unit> = self.kid_units_of(parent)?.into_iter().map(|(_, u)| u).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn unit(code: &str, parent: Option<&str>, level: Level) -> Unit {
        let mut u = Unit::new(code, parent, level, code);
        u.station = StationStatus::Operating;
        u.opened_on = PartialDate::parse("2019-01").ok();
        u
    }

    fn evaluation(unit: &str, date: &str, score: u16) -> Evaluation {
        Evaluation {
            id: None,
            unit: unit.into(),
            date: PartialDate::parse(date).unwrap(),
            kind: EvalKind::Annual,
            evaluator: "三方".into(),
            score: Some(score),
            grade: None,
            note: String::new(),
            points: None,
        }
    }

    fn newest_scores(store: &Store, parent: &str, child: &str) -> (String, Vec<u16>) {
        let idx = store.unit_index(parent).unwrap();
        let kid = store
            .kids_of(Some(idx))
            .unwrap()
            .into_iter()
            .find(|k| k.unit.code == child)
            .unwrap();
        let scores = kid
            .newest
            .map(|(_, records)| {
                records
                    .iter()
                    .map(|r| Evaluation::decode(r).unwrap().score.unwrap())
                    .collect()
            })
            .unwrap_or_default();
        (kid.unit.name, scores)
    }

    /// Issue 14 (fastrec): a child whose row only had its first evaluation moved keeps its
    /// unit in its parent's value and has its newest evaluations read again, in one
    /// transaction and in a streamed import's parts; a child whose unit changed in the same
    /// write as its evaluations gets both.
    #[test]
    fn newest_evaluations_follow_every_kind_of_write() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        store
            .apply_units(&[
                unit("D", None, Level::District),
                unit("S1", Some("D"), Level::Street),
                unit("S2", Some("D"), Level::Street),
                unit("C1", Some("S1"), Level::Community),
                unit("C2", Some("S1"), Level::Community),
            ])
            .unwrap();
        // One transaction.
        store
            .add_records(&[evaluation("C1", "2021-03-01", 500), evaluation("S1", "2021-04-01", 600)])
            .unwrap();
        assert_eq!(newest_scores(&store, "S1", "C1"), ("C1".into(), vec![500]));
        assert!(store.check().unwrap().is_empty());
        // A streamed import in two parts: a newer day, then an older one that moves the first
        // evaluation only.
        let mut session = store.import_session::<Evaluation>().unwrap();
        let part1 = [evaluation("C1", "2022-05-01", 700), evaluation("C1", "2022-05-01", 710)];
        let part2 = [evaluation("C2", "2020-01-01", 300), evaluation("S2", "2020-02-01", 400)];
        assert!(session.check(&part1, 0).unwrap().is_empty());
        assert!(session.check(&part2, 2).unwrap().is_empty());
        session.parts_hold_whole_units();
        session.write(&part1).unwrap();
        session.write(&part2).unwrap();
        session.finish().unwrap();
        let (name, mut scores) = newest_scores(&store, "S1", "C1");
        scores.sort_unstable();
        assert_eq!((name, scores), ("C1".into(), vec![700, 710]));
        assert_eq!(newest_scores(&store, "S1", "C2"), ("C2".into(), vec![300]));
        assert_eq!(newest_scores(&store, "D", "S2"), ("S2".into(), vec![400]));
        assert!(store.check().unwrap().is_empty());
        // A renamed child keeps its newest evaluations; a moved one leaves its old parent.
        let mut renamed = unit("C2", Some("S1"), Level::Community);
        renamed.name = "二号社区".into();
        store
            .apply_units(&[renamed, unit("C1", Some("S2"), Level::Community)])
            .unwrap();
        assert_eq!(newest_scores(&store, "S1", "C2"), ("二号社区".into(), vec![300]));
        let (_, mut scores) = newest_scores(&store, "S2", "C1");
        scores.sort_unstable();
        assert_eq!(scores, vec![700, 710]);
        assert!(store.check().unwrap().is_empty());
        // Deleting the newest day brings the one before it back.
        let (id, _) = store.records_of::<Evaluation>("S2", false, 1).unwrap().remove(0);
        store.delete_record::<Evaluation>(&id).unwrap();
        assert_eq!(newest_scores(&store, "D", "S2").1, Vec::<u16>::new());
        assert!(store.check().unwrap().is_empty());
    }
}
