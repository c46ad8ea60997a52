//! The find index (tree `find`, schema 4): what `/` and the unit pickers search, kept in the
//! store and changed with every write of a unit, so that a search reads the matches it
//! returns (and a few candidates it rejects), not every unit.
//!
//! # Layout
//!
//! Keys only (the values are empty). A posting is a term's run of keys, `family, term, 0,
//! level, code`, so that scanning one term's prefix yields its units in the order matches are
//! listed in (`search::order_key`: shallower levels first, then by code), and a search stops
//! as soon as it has what it was asked for. The families, one per rank of `search::rank`:
//!
//! - `e`: the lower-case name, whole (rank 0; a code itself is the `codes` tree's key);
//! - `c`: `c, level, code` without a term: the codes of each level, in order, so that a code's
//!   prefix is a prefix scan per level (rank 1);
//! - `p`: the name's and the initials' first 1..=`PREFIX_CHARS` characters (rank 1);
//! - `s`: the spelling's first 1..=`SPELLED_CHARS` letters (rank 2);
//! - `n`: every substring of 1..=`NAME_GRAM` characters of the name and the initials (rank 3);
//! - `g`: every substring of 1..=`REST_GRAM` characters of the code and the spelling (rank 4).
//!
//! A query longer than a family's terms is looked up by its first term (prefixes) or by the
//! units that hold all its terms (substrings: the postings intersected, each one sought to
//! the largest unit the others are at); every candidate is then ranked by `search::rank`, so
//! the index only has to hold a superset, in order, and answers exactly what a scan answers.
//!
//! # Writes
//!
//! Terms are a pure function of a unit (`keys_of`), so the index follows the `units` tree: a
//! write's changes to it are derived from the write's own ops on `units` (the old row is in
//! each op's undo entry, the new one in its value). A small write puts them in its sled
//! transaction; a large (logged) write adds them after its part is written, in chunks, without
//! undo entries of their own: rolling back a unit's row (`write::recover`) also takes its keys
//! back (`undo_unit`). A store of schema 3 gets its index from `build` (`migrate`).

use super::codec::{Stored, UnitRow};
use super::keys::TreeId;
use super::write::{Op, Undo};
use super::{Result, Store, StoreError};
use crate::domain::{Level, Unit};
use crate::search::{self, Forms};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

const EXACT: u8 = b'e';
const CODE: u8 = b'c';
const PREFIX: u8 = b'p';
const SPELLED: u8 = b's';
const INSIDE_NAME: u8 = b'n';
const INSIDE_REST: u8 = b'g';

/// Prefixes of the name and initials are kept up to this many characters; a longer query is
/// looked up by its first ones.
const PREFIX_CHARS: usize = 3;
/// Prefixes of the spelling, in letters.
const SPELLED_CHARS: usize = 4;
/// Substrings of the name and initials.
const NAME_GRAM: usize = 2;
/// Substrings of the code and the spelling.
const REST_GRAM: usize = 3;

/// Keys written at a time when a large write indexes its units, or the upgrade builds the index.
const CHUNK_KEYS: usize = 200_000;

fn term_prefix(family: u8, term: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(term.len() + 2);
    k.push(family);
    k.extend_from_slice(term.as_bytes());
    k.push(0);
    k
}

fn entry(level: Level, code: &str) -> Vec<u8> {
    let mut e = Vec::with_capacity(code.len() + 1);
    e.push(level.index() as u8);
    e.extend_from_slice(code.as_bytes());
    e
}

fn code_key(level: Level, code: &str) -> Vec<u8> {
    let mut k = vec![CODE];
    k.extend_from_slice(&entry(level, code));
    k
}

/// The first `n` characters of `s` (all of it when shorter).
fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Every substring of `s` of 1..=`longest` characters, without white space (a query has none).
fn substrings(s: &str, longest: usize, into: &mut BTreeSet<String>) {
    let chars: Vec<char> = s.chars().collect();
    for start in 0..chars.len() {
        for len in 1..=longest.min(chars.len() - start) {
            let part = &chars[start..start + len];
            if part.iter().any(|c| c.is_whitespace()) {
                break;
            }
            into.insert(part.iter().collect());
        }
    }
}

/// The substrings a query is looked up by in a family of substrings up to `longest`: itself
/// when it is that short, else each of its substrings of that length.
fn grams_of(q: &str, longest: usize) -> Vec<String> {
    let chars: Vec<char> = q.chars().collect();
    if chars.len() <= longest {
        return vec![q.to_string()];
    }
    let set: BTreeSet<String> = chars.windows(longest).map(|w| w.iter().collect()).collect();
    set.into_iter().collect()
}

/// The index keys of a unit, sorted.
pub(crate) fn keys_of(unit: &Unit) -> Vec<Vec<u8>> {
    let forms = Forms::of(&unit.name);
    let at = entry(unit.level, &unit.code);
    let mut out: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut add = |family: u8, terms: &BTreeSet<String>| {
        for t in terms {
            let mut k = term_prefix(family, t);
            k.extend_from_slice(&at);
            out.insert(k);
        }
    };
    let mut terms = BTreeSet::new();
    if !forms.name.is_empty() {
        terms.insert(forms.name.clone());
    }
    add(EXACT, &terms);

    let mut terms = BTreeSet::new();
    for s in [&forms.name, &forms.initials] {
        for n in 1..=PREFIX_CHARS {
            let p = first_chars(s, n);
            if !p.is_empty() {
                terms.insert(p.to_string());
            }
        }
    }
    add(PREFIX, &terms);

    let mut terms = BTreeSet::new();
    for n in 1..=SPELLED_CHARS {
        let p = first_chars(&forms.spelled, n);
        if !p.is_empty() {
            terms.insert(p.to_string());
        }
    }
    add(SPELLED, &terms);

    let mut terms = BTreeSet::new();
    substrings(&forms.name, NAME_GRAM, &mut terms);
    substrings(&forms.initials, NAME_GRAM, &mut terms);
    add(INSIDE_NAME, &terms);

    let mut terms = BTreeSet::new();
    substrings(&unit.code, REST_GRAM, &mut terms);
    substrings(&forms.spelled, REST_GRAM, &mut terms);
    add(INSIDE_REST, &terms);

    out.insert(code_key(unit.level, &unit.code));
    out.into_iter().collect()
}

fn unit_of(bytes: &[u8]) -> Result<Unit> {
    Ok(UnitRow::decode(bytes)?.unit)
}

/// The keys a change of a unit's row from `old` to `new` removes and adds.
fn changes(old: Option<&Unit>, new: Option<&Unit>) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let before: BTreeSet<Vec<u8>> = old.map(keys_of).unwrap_or_default().into_iter().collect();
    let after: BTreeSet<Vec<u8>> = new.map(keys_of).unwrap_or_default().into_iter().collect();
    let removed = before.difference(&after).cloned().collect();
    let added = after.difference(&before).cloned().collect();
    (removed, added)
}

impl Store {
    /// Each unit row the ops change: the row before (from the first op's undo entry, or read
    /// when it has none) and after (the last op's value), in the order of the ops.
    fn unit_changes(&self, ops: &[Op]) -> Result<Vec<(Option<Unit>, Option<Unit>)>> {
        let mut at: FxHashMap<&[u8], usize> = FxHashMap::default();
        // Each row's bytes before (owned: read from an undo entry or the tree) and after.
        type Change<'o> = (Option<Vec<u8>>, Option<&'o [u8]>);
        let mut raw: Vec<Change> = Vec::new();
        for op in ops.iter().filter(|op| op.tree == TreeId::Units) {
            let slot = match at.get(op.key.as_slice()) {
                Some(slot) => *slot,
                None => {
                    let old = match &op.undo {
                        Undo::Remove => None,
                        Undo::Restore(old) => Some(old.clone()),
                        Undo::Rebuild => self.tree(TreeId::Units).get(&op.key)?.map(|v| v.to_vec()),
                    };
                    raw.push((old, None));
                    at.insert(op.key.as_slice(), raw.len() - 1);
                    raw.len() - 1
                }
            };
            raw[slot].1 = op.value.as_deref();
        }
        raw.into_iter()
            .map(|(old, new)| {
                let old = old.as_deref().map(unit_of).transpose()?;
                let new = new.map(unit_of).transpose()?;
                Ok((old, new))
            })
            .collect()
    }

    /// The index ops of a small write, each with its undo: added to its transaction.
    pub(crate) fn find_ops(&self, ops: &[Op]) -> Result<Vec<Op>> {
        let mut out = Vec::new();
        for (old, new) in self.unit_changes(ops)? {
            if old.as_ref().map(|u| (&u.name, &u.code, u.level)) == new.as_ref().map(|u| (&u.name, &u.code, u.level)) {
                continue;
            }
            let (removed, added) = changes(old.as_ref(), new.as_ref());
            out.extend(removed.into_iter().map(|key| Op {
                tree: TreeId::Find,
                key,
                value: None,
                undo: Undo::Restore(Vec::new()),
            }));
            out.extend(added.into_iter().map(|key| Op {
                tree: TreeId::Find,
                key,
                value: Some(Vec::new()),
                undo: Undo::Remove,
            }));
        }
        Ok(out)
    }

    /// The index changes of a part of a large write, once its ops are written: in chunks, so a
    /// national import of units never holds every key at once. Not logged: `recover` takes
    /// them back with the rows (`undo_unit`).
    pub(crate) fn index_written(&self, ops: &[Op]) -> Result<()> {
        let units: Vec<&Op> = ops.iter().filter(|op| op.tree == TreeId::Units).collect();
        let per_chunk = (CHUNK_KEYS / 64).max(1);
        for part in units.chunks(per_chunk) {
            let owned: Vec<Op> = part.iter().map(|op| (*op).clone()).collect();
            let mut removed = Vec::new();
            let mut added = Vec::new();
            for (old, new) in self.unit_changes(&owned)? {
                let (r, a) = changes(old.as_ref(), new.as_ref());
                removed.extend(r);
                added.extend(a);
            }
            self.write_keys(removed, added)?;
        }
        Ok(())
    }

    /// Removes, then adds, index keys: sorted (sled splits fewer nodes), on two threads when
    /// there are many, as `write::write_plain` does.
    fn write_keys(&self, mut removed: Vec<Vec<u8>>, mut added: Vec<Vec<u8>>) -> Result<()> {
        let tree = self.tree(TreeId::Find);
        removed.sort_unstable();
        added.sort_unstable();
        for k in removed {
            tree.remove(k)?;
        }
        let insert = |part: &[Vec<u8>]| -> Result<()> {
            for k in part {
                tree.insert(k.as_slice(), &[])?;
            }
            Ok(())
        };
        if added.len() < 10_000 {
            return insert(&added);
        }
        let (first, second) = added.split_at(added.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| insert(second));
            let mine = insert(first);
            let theirs = other
                .join()
                .unwrap_or_else(|_| Err(StoreError::Io("a writer thread failed".into())));
            mine.and(theirs)
        })
    }

    /// Rolling back a unit's row from what it holds now to `old`: its keys follow.
    pub(crate) fn undo_unit(&self, key: &[u8], old: Option<&[u8]>) -> Result<()> {
        let now = self.tree(TreeId::Units).get(key)?;
        let now = now.as_deref().map(unit_of).transpose()?;
        let old = old.map(unit_of).transpose()?;
        let (removed, added) = changes(now.as_ref(), old.as_ref());
        self.write_keys(removed, added)
    }

    /// Builds the index from every unit (the schema 3 → 4 upgrade); idempotent.
    pub(crate) fn build_find_index(&self) -> Result<()> {
        let tree = self.tree(TreeId::Find);
        tree.clear()?;
        let mut keys: Vec<Vec<u8>> = Vec::with_capacity(CHUNK_KEYS);
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            keys.extend(keys_of(&unit_of(&v)?));
            if keys.len() >= CHUNK_KEYS {
                self.write_keys(Vec::new(), std::mem::take(&mut keys))?;
            }
        }
        self.write_keys(Vec::new(), keys)
    }

    /// The units that match `query`, best first, at most `limit`: the same as
    /// `search::scan` over every unit, reading only candidates from the index.
    pub fn find_units(&self, query: &str, limit: usize) -> Result<Vec<Unit>> {
        let q = search::normalize(query);
        let mut found = Found {
            store: self,
            q: &q,
            rank: 0,
            limit,
            units: Vec::new(),
            taken: Default::default(),
        };
        if q.is_empty() || limit == 0 {
            return Ok(found.units);
        }
        let tree = self.tree(TreeId::Find);
        // Rank 0: the name itself, or the code.
        let mut exact: Vec<Vec<u8>> = Vec::new();
        if let Some(unit) = self.unit(&q)? {
            exact.push(entry(unit.level, &unit.code));
        }
        let prefix = term_prefix(EXACT, &q);
        for item in tree.scan_prefix(&prefix) {
            exact.push(item?.0[prefix.len()..].to_vec());
        }
        exact.sort();
        exact.dedup();
        if found.each(exact.into_iter().map(Ok))?.is_break() {
            return Ok(found.units);
        }
        // Rank 1: the start of the name or the initials, merged with the start of the code.
        found.rank = 1;
        let prefix = term_prefix(PREFIX, first_chars(&q, PREFIX_CHARS));
        let names = tree
            .scan_prefix(&prefix)
            .map(|item| Ok(item?.0[prefix.len()..].to_vec()));
        let codes = Level::ALL.iter().flat_map(|level| {
            let mut p = vec![CODE, level.index() as u8];
            p.extend_from_slice(q.as_bytes());
            tree.scan_prefix(p).map(|item| Ok(item?.0[1..].to_vec()))
        });
        if found.each(merged(names, codes))?.is_break() {
            return Ok(found.units);
        }
        // Rank 2: the start of the spelling.
        found.rank = 2;
        let prefix = term_prefix(SPELLED, first_chars(&q, SPELLED_CHARS));
        let spelled = tree
            .scan_prefix(&prefix)
            .map(|item| Ok(item?.0[prefix.len()..].to_vec()));
        if found.each(spelled)?.is_break() {
            return Ok(found.units);
        }
        // Ranks 3 and 4: inside the name or initials; inside the code or spelling.
        for (rank, family, longest) in [(3, INSIDE_NAME, NAME_GRAM), (4, INSIDE_REST, REST_GRAM)] {
            found.rank = rank;
            let postings: Vec<Vec<u8>> = grams_of(&q, longest).iter().map(|g| term_prefix(family, g)).collect();
            if found.each(Intersection::new(tree, postings))?.is_break() {
                break;
            }
        }
        Ok(found.units)
    }
}

/// A search in progress: the units taken so far, and the rank being gathered.
struct Found<'a> {
    store: &'a Store,
    q: &'a str,
    rank: u8,
    limit: usize,
    units: Vec<Unit>,
    taken: rustc_hash::FxHashSet<String>,
}

impl Found<'_> {
    /// Takes the candidates (`level, code` entries, in order) that match at this rank, until
    /// the limit.
    fn each(&mut self, candidates: impl Iterator<Item = Result<Vec<u8>>>) -> Result<ControlFlow<()>> {
        for candidate in candidates {
            let candidate = candidate?;
            let code = std::str::from_utf8(candidate.get(1..).unwrap_or_default())
                .map_err(|_| StoreError::Corrupt("a find index key that is not text".into()))?;
            if self.taken.contains(code) {
                continue;
            }
            // A key whose unit is gone would be a damaged index: it is skipped, not shown.
            let Some(unit) = self.store.unit(code)? else { continue };
            if search::rank(&Forms::of(&unit.name), &unit.code, self.q) == Some(self.rank) {
                self.taken.insert(unit.code.clone());
                self.units.push(unit);
                if self.units.len() >= self.limit {
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// Two ordered streams of entries as one, in order, each entry once.
fn merged(
    a: impl Iterator<Item = Result<Vec<u8>>>,
    b: impl Iterator<Item = Result<Vec<u8>>>,
) -> impl Iterator<Item = Result<Vec<u8>>> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || {
        // Which side comes first; on a tie, both are the same entry and `b`'s is dropped.
        let order = match (a.peek(), b.peek()) {
            (None, None) => return None,
            (Some(_), None) | (Some(Err(_)), _) => std::cmp::Ordering::Less,
            (None, Some(_)) | (_, Some(Err(_))) => std::cmp::Ordering::Greater,
            (Some(Ok(x)), Some(Ok(y))) => x.cmp(y),
        };
        match order {
            std::cmp::Ordering::Less => a.next(),
            std::cmp::Ordering::Greater => b.next(),
            std::cmp::Ordering::Equal => {
                b.next();
                a.next()
            }
        }
    })
}

/// The entries every one of several postings holds, in order: each posting is sought to the
/// largest entry seen so far until all agree (a leapfrog join), so the cost follows the
/// shortest posting, not the longest.
struct Intersection<'t> {
    tree: &'t sled::Tree,
    postings: Vec<Vec<u8>>,
    /// Where the next search starts (an entry, or empty for the first).
    from: Vec<u8>,
    done: bool,
}

impl<'t> Intersection<'t> {
    fn new(tree: &'t sled::Tree, postings: Vec<Vec<u8>>) -> Intersection<'t> {
        let done = postings.is_empty();
        Intersection {
            tree,
            postings,
            from: Vec::new(),
            done,
        }
    }

    /// The first entry of posting `i` at or after `from`.
    fn seek(&self, i: usize, from: &[u8]) -> Result<Option<Vec<u8>>> {
        let prefix = &self.postings[i];
        let mut start = prefix.clone();
        start.extend_from_slice(from);
        match self.tree.range(start..).next() {
            Some(item) => {
                let (k, _) = item?;
                Ok(k.starts_with(prefix).then(|| k[prefix.len()..].to_vec()))
            }
            None => Ok(None),
        }
    }

    fn next_entry(&mut self) -> Result<Option<Vec<u8>>> {
        let n = self.postings.len();
        let mut target = self.from.clone();
        let mut agreed = 0;
        let mut i = 0;
        loop {
            let Some(at) = self.seek(i, &target)? else {
                return Ok(None);
            };
            if at == target {
                agreed += 1;
            } else {
                target = at;
                agreed = 1;
            }
            if agreed == n {
                // The next search starts just after this entry.
                self.from = target.clone();
                self.from.push(0);
                return Ok(Some(target));
            }
            i = (i + 1) % n;
        }
    }
}

impl Iterator for Intersection<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_entry() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_has_keys_for_each_family() {
        let unit = Unit::new("530112001000", None, Level::Street, "西苑街道");
        let keys = keys_of(&unit);
        let has = |family: u8, term: &str| {
            let p = term_prefix(family, term);
            keys.iter().any(|k| k.starts_with(&p))
        };
        assert!(has(EXACT, "西苑街道"));
        assert!(has(PREFIX, "西苑街") && has(PREFIX, "xyj") && !has(PREFIX, "西苑街道"));
        assert!(has(SPELLED, "xiyu") && !has(SPELLED, "xiyua"));
        assert!(has(INSIDE_NAME, "街道") && has(INSIDE_NAME, "jd") && !has(INSIDE_NAME, "苑街道"));
        assert!(has(INSIDE_REST, "112") && has(INSIDE_REST, "jie") && !has(INSIDE_REST, "jied"));
        assert!(keys.contains(&code_key(Level::Street, "530112001000")));
    }

    #[test]
    fn a_long_query_is_looked_up_by_its_grams() {
        assert_eq!(grams_of("ab", 3), ["ab"]);
        assert_eq!(grams_of("abcab", 3), ["abc", "bca", "cab"]);
    }
}
