//! Applying a set of writes all or nothing. A small set goes in one sled transaction over every
//! tree it touches. A large one (a bulk import) would not fit a transaction, so it first writes
//! an undo log, then plain inserts, then clears the log; a store opened with a log still there
//! rolls the writes back and rebuilds the totals (`recover`).

use super::codec::{decode_list, encode_list};
use super::keys::{self, TreeId};
use super::{Result, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Up to this many writes go in one transaction.
const TRANSACTION_LIMIT: usize = 20_000;
/// Undo entries per value of the pending tree.
const UNDO_CHUNK: usize = 10_000;
/// Old bytes per value of the pending tree: a chunk of restored pages must stay well under
/// `codec::MAX_VALUE_BYTES`, or it could not be written (one page alone is at most
/// `codec::PAGE_LIMIT`).
const UNDO_CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// What to put back if the write does not finish.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Undo {
    /// The key did not exist.
    Remove,
    /// The key held these bytes (a run of bytes, `store::byte_fields`).
    Restore(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Derived data (the totals): rebuilt from the records on recovery.
    Rebuild,
}

#[derive(Clone, Debug)]
pub struct Op {
    pub tree: TreeId,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
    pub undo: Undo,
}

/// A large write in progress: how many undo chunks it has written, and which keys' old values
/// are in the log already.
#[derive(Default)]
pub(crate) struct LoggedWrite {
    next_chunk: u32,
    /// More than one part will be written: keys already logged must be remembered.
    parts_expected: bool,
    /// Each as a 128-bit hash of its tree and key (16 bytes where the key itself took ~70:
    /// a national budget import touches ~3 million pages; two keys sharing a hash is a chance
    /// of about 10⁻²⁶ there).
    logged: rustc_hash::FxHashSet<u128>,
    /// Keys of this tree in the part being written are touched by no earlier part (set by a
    /// streamed import for its pages: each unit's rows are in one pass): logged without being
    /// remembered in `logged` (issue 14, import memory: ~3 million pages at national size).
    /// A key touched again later is then logged twice; the rollback applies the log newest
    /// first, so the oldest value is the one that stays.
    pub(crate) first_touch: Option<TreeId>,
    started: bool,
    /// The units it changes, for the find index at its end (`store::find`).
    find: super::find::PendingFind,
    /// The units and evaluations it changes, for the children kept with each parent at its
    /// end (`store::kids`).
    kids: super::kids::PendingKids,
    /// The parents whose children's totals it changes, packed again at its end
    /// (`store::kid_totals`).
    kid_totals: super::kid_totals::PendingKidTotals,
}

/// What `LoggedWrite::logged` remembers of a key.
fn logged_key(tree: TreeId, key: &[u8]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&[tree as u8]);
    h.update(key);
    h.digest128()
}

/// Writes to make together.
#[derive(Default)]
pub struct WriteSet {
    pub ops: Vec<Op>,
    /// The hierarchy changed shape: recompute every total after writing.
    pub rebuild_totals: bool,
}

impl WriteSet {
    pub fn put(&mut self, tree: TreeId, key: impl Into<Vec<u8>>, value: Vec<u8>, undo: Undo) {
        self.ops.push(Op {
            tree,
            key: key.into(),
            value: Some(value),
            undo,
        });
    }

    pub fn remove(&mut self, tree: TreeId, key: impl Into<Vec<u8>>, undo: Undo) {
        self.ops.push(Op {
            tree,
            key: key.into(),
            value: None,
            undo,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && !self.rebuild_totals
    }
}

impl Store {
    /// Makes every write of the set, or none of them, and flushes.
    pub(crate) fn apply(&self, set: WriteSet) -> Result<()> {
        self.check_writable()?;
        super::failed_earlier()?;
        if set.is_empty() {
            return Ok(());
        }
        // Inside a batch: one part of the batch's one undo-logged write.
        let Some(set) = self.batch_part(set)? else {
            return Ok(());
        };
        if set.ops.len() <= TRANSACTION_LIMIT && !set.rebuild_totals {
            // The find index's pages and the children kept with each parent go in the same
            // transaction, if they still fit.
            let find = self.find_ops(&set.ops)?;
            let kids = self.kids_ops(&set.ops)?;
            let kid_totals = self.kid_totals_ops(&set.ops)?;
            if set.ops.len() + find.len() + kids.len() + kid_totals.len() <= TRANSACTION_LIMIT {
                let mut ops = set.ops;
                ops.extend(find);
                ops.extend(kids);
                ops.extend(kid_totals);
                self.apply_in_transaction(ops)?;
                return self.flush();
            }
        }
        // A logged write changes the find index at its end (`logged_finish`).
        self.apply_logged(set)?;
        self.flush()
    }

    fn apply_in_transaction(&self, ops: Vec<Op>) -> Result<()> {
        let mut batches: BTreeMap<TreeId, sled::Batch> = BTreeMap::new();
        for op in ops {
            let batch = batches.entry(op.tree).or_default();
            match op.value {
                Some(v) => batch.insert(op.key, v),
                None => batch.remove(op.key),
            }
        }
        let ids: Vec<TreeId> = batches.keys().copied().collect();
        let trees: Vec<sled::Tree> = ids.iter().map(|id| self.tree(*id).clone()).collect();
        let batches: Vec<sled::Batch> = batches.into_values().collect();
        use sled::Transactional;
        trees
            .as_slice()
            .transaction(|tx| {
                for (tree, batch) in tx.iter().zip(batches.iter()) {
                    tree.apply_batch(batch)?;
                }
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(s) => StoreError::from(s),
                sled::transaction::TransactionError::Abort(()) => StoreError::Io("transaction aborted".into()),
            })
    }

    fn apply_logged(&self, set: WriteSet) -> Result<()> {
        let mut write = self.logged_begin(false)?;
        self.logged_part(&mut write, set)?;
        self.logged_finish(write)
    }

    /// Starts a large write that may come in several parts (a streamed import).
    pub(crate) fn logged_begin(&self, parts_expected: bool) -> Result<LoggedWrite> {
        self.check_writable()?;
        super::failed_earlier()?;
        self.tree(TreeId::Pending).clear()?;
        Ok(LoggedWrite {
            parts_expected,
            ..LoggedWrite::default()
        })
    }

    /// Writes one part: first the undo entries of the keys this write has not touched yet (so
    /// the log always holds the values from before the whole write), then the part itself.
    pub(crate) fn logged_part(&self, write: &mut LoggedWrite, set: WriteSet) -> Result<()> {
        super::failed_earlier()?;
        // The rows before the part is written: what the find index changes from.
        self.note_find_changes(&mut write.find, &set.ops)?;
        self.note_kids(&mut write.kids, &set.ops)?;
        self.note_kid_totals(&mut write.kid_totals, &set.ops)?;
        let pending = self.tree(TreeId::Pending);
        // Undo entries are encoded chunk by chunk, never all at once: a national import has
        // millions of them.
        let mut chunk: Vec<(TreeId, &serde_bytes::Bytes, &Undo)> = Vec::with_capacity(UNDO_CHUNK);
        let mut chunk_bytes = 0usize;
        for op in &set.ops {
            if matches!(op.undo, Undo::Rebuild) {
                continue;
            }
            // Only the first touch of a key has the value from before the whole write.
            if write.parts_expected
                && write.first_touch != Some(op.tree)
                && !write.logged.insert(logged_key(op.tree, &op.key))
            {
                continue;
            }
            chunk.push((op.tree, serde_bytes::Bytes::new(&op.key), &op.undo));
            chunk_bytes += op.key.len()
                + match &op.undo {
                    Undo::Restore(old) => old.len(),
                    _ => 0,
                };
            if chunk.len() == UNDO_CHUNK || chunk_bytes >= UNDO_CHUNK_BYTES {
                pending.insert(keys::u32_key(write.next_chunk), encode_list(&chunk)?)?;
                write.next_chunk += 1;
                chunk.clear();
                chunk_bytes = 0;
            }
        }
        if !chunk.is_empty() {
            pending.insert(keys::u32_key(write.next_chunk), encode_list(&chunk)?)?;
            write.next_chunk += 1;
        }
        drop(chunk);
        if !write.started {
            self.tree(TreeId::Meta).insert(keys::META_PENDING, &[1u8])?;
            write.started = true;
        }
        self.flush()?;
        self.write_plain(set.ops)?;
        if set.rebuild_totals {
            self.rebuild_totals()?;
        }
        Ok(())
    }

    /// Ends a large write: once this returns, it can no longer be rolled back.
    pub(crate) fn logged_finish(&self, write: LoggedWrite) -> Result<()> {
        self.flush()?;
        // The find index follows the rows, while the undo log can still take them back.
        self.finish_find_changes(write.find)?;
        // So do the children kept with each parent.
        self.finish_kids(write.kids)?;
        // And each parent's children's totals packed in one value.
        self.finish_kid_totals(write.kid_totals)?;
        self.flush()?;
        // The marks go at once: a kill leaves the index stale only with the log there.
        let mut marks = sled::Batch::default();
        marks.remove(keys::META_PENDING);
        marks.remove(super::find::META_FIND_STALE);
        marks.remove(super::kids::META_KIDS_STALE);
        marks.remove(super::kid_totals::META_KID_TOTALS_STALE);
        self.tree(TreeId::Meta).apply_batch(marks)?;
        self.tree(TreeId::Pending).clear()?;
        self.flush()
    }

    /// Plain inserts, sorted by key (sled splits fewer nodes), on two threads: sled is safe
    /// for concurrent writers, and the machine has two cores.
    fn write_plain(&self, mut ops: Vec<Op>) -> Result<()> {
        ops.sort_unstable_by(|a, b| (a.tree, &a.key).cmp(&(b.tree, &b.key)));
        let half = ops.len() / 2;
        let (first, second) = ops.split_at(half);
        let write = |part: &[Op]| -> Result<()> {
            for op in part {
                let tree = self.tree(op.tree);
                match &op.value {
                    Some(v) => tree.insert(op.key.as_slice(), v.as_slice())?,
                    None => tree.remove(op.key.as_slice())?,
                };
            }
            Ok(())
        };
        std::thread::scope(|scope| {
            let other = scope.spawn(|| write(second));
            let mine = write(first);
            let theirs = other
                .join()
                .unwrap_or_else(|_| Err(StoreError::Io("a writer thread failed".into())));
            mine.and(theirs)
        })
    }

    /// Rolls back a write that did not finish, then recomputes the totals from the records.
    pub(crate) fn recover(&self) -> Result<()> {
        self.roll_back_log(true)
    }

    /// Rolls back a write that did not finish from its undo log; with `rebuild`, then
    /// recomputes the totals from the records (after a crash, or a write that rebuilt them;
    /// a batch refused part way logs their old values instead).
    pub(crate) fn roll_back_log(&self, rebuild: bool) -> Result<()> {
        // After a failed write (a full disk) this process cannot write: the rollback happens
        // when the store is next opened, from the undo log already on disk.
        super::failed_earlier()?;
        let pending = self.tree(TreeId::Pending);
        // Newest first: a key logged twice (`LoggedWrite::first_touch`) ends with its oldest
        // value, the one from before the whole write.
        for item in pending.iter().rev() {
            let (_, bytes) = item?;
            let chunk: Vec<(TreeId, serde_bytes::ByteBuf, Undo)> = decode_list(&bytes)?;
            for (tree, key, undo) in chunk.into_iter().rev() {
                let key = key.into_vec();
                match undo {
                    Undo::Remove => {
                        self.tree(tree).remove(key)?;
                    }
                    Undo::Restore(v) => {
                        self.tree(tree).insert(key, v)?;
                    }
                    Undo::Rebuild => {}
                }
            }
        }
        if rebuild {
            self.rebuild_totals()?;
        }
        // A find index the write had begun to change is rebuilt from the rows put back.
        self.roll_back_find()?;
        self.roll_back_kids()?;
        self.roll_back_kid_totals()?;
        self.flush()?;
        self.tree(TreeId::Meta).remove(keys::META_PENDING)?;
        pending.clear()?;
        self.flush()
    }
}

/// The derived trees (the find index, each parent's children and their packed totals) that a
/// large write brings up to date after its rows, outside any transaction. Each has a mark in
/// `meta` that is on disk while it may be half-changed, so that a kill there leaves it to be
/// rebuilt, not trusted.
impl Store {
    /// Sets `mark` and makes it durable before the derived tree is touched.
    pub(crate) fn mark_stale(&self, mark: &[u8]) -> Result<()> {
        self.tree(TreeId::Meta).insert(mark, &[1u8])?;
        self.flush()
    }

    /// Writes `ops` straight into `tree`, one insert or remove each (under `mark_stale`).
    pub(crate) fn apply_untransacted(&self, tree: TreeId, ops: impl IntoIterator<Item = Op>) -> Result<()> {
        let tree = self.tree(tree);
        for op in ops {
            match op.value {
                Some(v) => tree.insert(op.key, v)?,
                None => tree.remove(op.key)?,
            };
        }
        Ok(())
    }

    /// After a large write was rolled back: if `mark` is still set, the tree it guards is
    /// rebuilt from the rows as they are now, made durable, and the mark dropped.
    pub(crate) fn roll_back_stale(&self, mark: &[u8], rebuild: impl FnOnce() -> Result<()>) -> Result<()> {
        if self.tree(TreeId::Meta).contains_key(mark)? {
            rebuild()?;
            self.flush()?;
            self.tree(TreeId::Meta).remove(mark)?;
        }
        Ok(())
    }
}

/// Calls `f` once per run of consecutive items sharing a parent, in order: a tree keyed by
/// parent then child, read in key order, one parent's children in memory at a time.
pub(crate) fn each_parents_run<T>(
    items: impl IntoIterator<Item = Result<(u32, T)>>,
    mut f: impl FnMut(u32, Vec<T>) -> Result<()>,
) -> Result<()> {
    let mut current: Option<(u32, Vec<T>)> = None;
    for item in items {
        let (parent, value) = item?;
        match &mut current {
            Some((at, run)) if *at == parent => run.push(value),
            _ => {
                if let Some((at, run)) = current.replace((parent, vec![value])) {
                    f(at, run)?;
                }
            }
        }
    }
    match current {
        Some((at, run)) => f(at, run),
        None => Ok(()),
    }
}

/// What `check_per_parent` says of a parent's value: missing, damaged (it does not decode),
/// different from what it should be, or kept for a parent that should have none.
pub(crate) struct PerParentWords {
    pub missing: &'static str,
    pub damaged: &'static str,
    pub differ: &'static str,
    pub extra: &'static str,
}

impl Store {
    /// Compares a tree of one value per parent (`kids`, `kid_totals`) with what it should
    /// hold, given parent by parent by `each_expected`; names each parent found wrong (`None`
    /// for the units without a parent).
    pub(crate) fn check_per_parent<T: PartialEq>(
        &self,
        tree: TreeId,
        words: &PerParentWords,
        decode: impl Fn(&[u8]) -> Option<T>,
        each_expected: impl FnOnce(&mut dyn FnMut(u32, T) -> Result<()>) -> Result<()>,
    ) -> Result<Vec<(Option<u32>, &'static str)>> {
        let values = self.tree(tree);
        let mut found = Vec::new();
        let mut parents: rustc_hash::FxHashSet<u32> = Default::default();
        let unit_of = |parent: u32| (parent != keys::ROOT_PARENT).then_some(parent);
        each_expected(&mut |parent, expected| {
            parents.insert(parent);
            match values.get(keys::u32_key(parent))? {
                None => found.push((unit_of(parent), words.missing)),
                Some(v) => match decode(&v) {
                    None => found.push((unit_of(parent), words.damaged)),
                    Some(stored) if stored != expected => found.push((unit_of(parent), words.differ)),
                    Some(_) => {}
                },
            }
            Ok(())
        })?;
        for item in values.iter() {
            let (k, _) = item?;
            let parent = keys::read_u32(&k)
                .ok_or_else(|| StoreError::Corrupt(format!("a bad key in the {} tree", tree.name())))?;
            if k.len() != 4 || !parents.contains(&parent) {
                found.push((unit_of(parent), words.extra));
            }
        }
        Ok(found)
    }
}
