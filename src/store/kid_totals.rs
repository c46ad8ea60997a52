//! Each parent's children's totals packed in one value (schema 7, issue 14): tree `kid_totals`,
//! one value per parent (`codec::KidTotals`) holding the `child_totals` values under it. The
//! root's funding chart and a report's children then read one value for their totals, where a
//! range read of `child_totals` cost a read per child (2,850 at the national size's root, ~9 ms
//! warm and more from cold nodes).
//!
//! **`child_totals` stays the truth; this is its packed copy.** Every write already changes
//! `child_totals` through ops (`aggregate::Deltas::write_into`), so the packed values follow
//! those ops, like `store::kids`:
//! - a write in one transaction (`Store::apply`) gets the changed packed values in the same
//!   transaction: each parent's old value with the ops' new bytes put over it;
//! - a large, undo-logged write (an import, a batch) notes the parents its parts touch
//!   (`PendingKidTotals`) and, at its end, while its undo log can still take the rows back,
//!   packs each noted parent's `child_totals` again under the mark `kid_totals_stale`
//!   (`write::logged_finish`); a process killed there leaves both marks, and the next open
//!   rolls the rows back and rebuilds every value (`roll_back_kid_totals`). A write rolled back
//!   before its end never touched them.
//! - a rebuild of every total (`rebuild_totals`: a change of the hierarchy's shape, a crashed
//!   write's recovery, an upgrade) packs every value again.
//!
//! Writing the root's value (~100 KB at the national size) for each single save is the price;
//! an import pays it once per parent at its end. `check` compares each value with the
//! `child_totals` under it (which it compares with the recomputation) and names the parent
//! whose value differs, is missing, is damaged or should not be there.

use super::codec::{KidTotals, Stored};
use super::keys::{self, TreeId};
use super::write::{each_parents_run, Op, PerParentWords, Undo};
use super::{Result, Store, StoreError};
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;

/// A parent's children's totals: each child's index and its `child_totals` bytes, by index.
type Packed = Vec<(u32, Vec<u8>)>;

/// Set while a large write changes the values at its end (see the module header).
pub(crate) const META_KID_TOTALS_STALE: &[u8] = b"kid_totals_stale";

/// The parents whose values a large write's parts change, packed again at its end.
#[derive(Default)]
pub(crate) struct PendingKidTotals {
    parents: FxHashSet<u32>,
}

fn bad_key() -> StoreError {
    StoreError::Corrupt("bad child totals key".into())
}

/// The parent and child of a `child_totals` key.
fn parse_child_key(key: &[u8]) -> Result<(u32, u32)> {
    if key.len() != 8 {
        return Err(bad_key());
    }
    let parent = keys::read_u32(key).ok_or_else(bad_key)?;
    let child = keys::read_u32(key.get(4..).unwrap_or_default()).ok_or_else(bad_key)?;
    Ok((parent, child))
}

/// The op that stores `totals` as `parent`'s value (removes it when there are none).
fn value_op(parent: u32, totals: Packed) -> Result<Op> {
    let value = if totals.is_empty() {
        None
    } else {
        Some(KidTotals { totals }.encode()?)
    };
    Ok(Op {
        tree: TreeId::KidTotals,
        key: keys::u32_key(parent).to_vec(),
        value,
        undo: Undo::Rebuild,
    })
}

impl Store {
    /// Notes the parents whose values the ops change.
    pub(crate) fn note_kid_totals(&self, pending: &mut PendingKidTotals, ops: &[Op]) -> Result<()> {
        for op in ops.iter().filter(|op| op.tree == TreeId::ChildTotals) {
            pending.parents.insert(parse_child_key(&op.key)?.0);
        }
        Ok(())
    }

    /// The ops that keep the values in step with a write made in one transaction: each touched
    /// parent's value as stored, with the ops' `child_totals` bytes put over it.
    pub(crate) fn kid_totals_ops(&self, ops: &[Op]) -> Result<Vec<Op>> {
        let mut by_parent: BTreeMap<u32, BTreeMap<u32, Option<&[u8]>>> = BTreeMap::new();
        for op in ops.iter().filter(|op| op.tree == TreeId::ChildTotals) {
            let (parent, child) = parse_child_key(&op.key)?;
            // The last op of a key is what it holds after the write.
            by_parent.entry(parent).or_default().insert(child, op.value.as_deref());
        }
        let mut out = Vec::with_capacity(by_parent.len());
        for (parent, changes) in by_parent {
            let mut totals = self.kid_totals_of(parent)?;
            for (child, value) in changes {
                match (totals.binary_search_by_key(&child, |(c, _)| *c), value) {
                    (Ok(at), Some(v)) => totals[at].1 = v.to_vec(),
                    (Ok(at), None) => {
                        totals.remove(at);
                    }
                    (Err(at), Some(v)) => totals.insert(at, (child, v.to_vec())),
                    (Err(_), None) => {}
                }
            }
            out.push(value_op(parent, totals)?);
        }
        Ok(out)
    }

    /// Packs again the values of a large write's noted parents, once its rows are written; the
    /// pending mark is still on disk, and `kid_totals_stale` goes with it
    /// (`write::logged_finish`).
    pub(crate) fn finish_kid_totals(&self, pending: PendingKidTotals) -> Result<()> {
        if pending.parents.is_empty() {
            return Ok(());
        }
        self.mark_stale(META_KID_TOTALS_STALE)?;
        let mut parents: Vec<u32> = pending.parents.into_iter().collect();
        parents.sort_unstable();
        // Each value written as it is packed: gathered first, they were every parent's totals
        // at once (issue 14, import memory).
        for parent in parents {
            let op = value_op(parent, self.packed_child_totals(parent)?)?;
            self.apply_untransacted(TreeId::KidTotals, [op])?;
        }
        Ok(())
    }

    /// After a large write's rows were rolled back: values it had started to change are
    /// packed again from `child_totals` as it is now.
    pub(crate) fn roll_back_kid_totals(&self) -> Result<()> {
        self.roll_back_stale(META_KID_TOTALS_STALE, || self.rebuild_kid_totals())
    }

    /// One parent's `child_totals` values, by child (one range read).
    fn packed_child_totals(&self, parent: u32) -> Result<Packed> {
        let mut totals = Vec::new();
        for item in self.tree(TreeId::ChildTotals).scan_prefix(keys::u32_key(parent)) {
            let (k, v) = item?;
            totals.push((parse_child_key(&k)?.1, v.to_vec()));
        }
        Ok(totals)
    }

    /// Every parent's value as `child_totals` says it should be, parent by parent in key order
    /// (one parent's children in memory at a time).
    fn each_expected_kid_totals(&self, f: impl FnMut(u32, Packed) -> Result<()>) -> Result<()> {
        let entries = self.tree(TreeId::ChildTotals).iter().map(|item| {
            let (k, v) = item?;
            let (parent, child) = parse_child_key(&k)?;
            Ok((parent, (child, v.to_vec())))
        });
        each_parents_run(entries, f)
    }

    /// Replaces every value with one packed from `child_totals` (the schema 7 upgrade; after
    /// every total was rebuilt; after a large write killed while it changed them).
    pub(crate) fn rebuild_kid_totals(&self) -> Result<()> {
        let tree = self.tree(TreeId::KidTotals);
        tree.clear()?;
        self.each_expected_kid_totals(|parent, totals| {
            tree.insert(keys::u32_key(parent), KidTotals { totals }.encode()?)?;
            Ok(())
        })
    }

    /// The parents whose value differs from `child_totals`, with what is wrong: missing,
    /// damaged (it does not decode), different, or kept for a parent with no child totals.
    pub(crate) fn check_kid_totals(&self) -> Result<Vec<(Option<u32>, &'static str)>> {
        let words = PerParentWords {
            missing: "children's totals kept with the unit are missing",
            damaged: "children's totals kept with the unit are damaged",
            differ: "children's totals kept with the unit differ",
            extra: "children's totals kept with a unit that has none",
        };
        let decode = |v: &[u8]| KidTotals::decode(v).ok().map(|k| k.totals);
        self.check_per_parent(TreeId::KidTotals, &words, decode, |f| self.each_expected_kid_totals(f))
    }

    /// A parent's children's totals as kept with it: each child's index and its `child_totals`
    /// bytes, by index (one read).
    /// The stored value of `parent`'s children's totals, undecoded (`codec::kid_totals_borrowed`
    /// reads it without copying).
    pub(crate) fn kid_totals_bytes(&self, parent: u32) -> Result<Option<sled::IVec>> {
        Ok(self.tree(TreeId::KidTotals).get(keys::u32_key(parent))?)
    }

    pub(crate) fn kid_totals_of(&self, parent: u32) -> Result<Packed> {
        match self.tree(TreeId::KidTotals).get(keys::u32_key(parent))? {
            Some(v) => Ok(KidTotals::decode(&v)?.totals),
            None => Ok(Vec::new()),
        }
    }
}
