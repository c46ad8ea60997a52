//! The find index (issue 14; tree `find`, schema 5): what `/` searches, kept in the store and
//! changed with every write of a unit, so that a search reads the matches it returns (and a
//! few candidates it rejects), not every unit. `search` owns the matching rule; this module
//! only finds candidates in the order matches are listed, and ranks each by `search::rank`, so
//! it answers exactly what `search::scan` answers.
//!
//! # Layout: packed postings
//!
//! The index is a sorted set of *records*, `family, term, 0xFF, level, code` (0xFF never occurs
//! in UTF-8, so it ends a term: one term's records are a contiguous run, its units in the
//! order matches are listed, `search::order_key`). The records are packed into pages of about
//! `PAGE_BYTES`, each record stored as the length it shares with the one before and the rest
//! (a term's run shares the term, the level and most of the code: 4–6 bytes a posting). A
//! page's key is a lower bound of its records (the first page's is empty), so the page that
//! holds or would hold a record is the last key at or before it. A national store's ~80
//! postings per unit are then tens of thousands of values (352 MB), not ~44 million keys (the
//! key per posting of branch `find`, commits c2e225f–22fecb3, could not finish a national
//! units import). What it costs an import is in docs/PERFORMANCE.md ("Find index kept in the
//! store").
//!
//! The families, one per rank of `search::rank`:
//!
//! - `e`: the lower-case name, whole (rank 0; a code itself is the `codes` tree's key);
//! - `c`: the level's digit as the term: every code of each level, in order, so that a code's
//!   prefix is a seek per level (rank 1);
//! - `p`: the name's and the initials' first 1..=`PREFIX_CHARS` characters (rank 1);
//! - `s`: the spelling's first 1..=`SPELLED_CHARS` letters (rank 2);
//! - `n`: every substring of 1..=`NAME_GRAM` characters of the name and the initials (rank 3);
//! - `d`: every substring of 1..=`REST_GRAM` characters of the code, and each of exactly
//!   `CODE_GRAMS` (4 and 6; schema 8; rank 4);
//! - `g`: every substring of 1..=`REST_GRAM` characters of the spelling (rank 4).
//!
//! A query longer than a family's terms is looked up by its first term (prefixes) or by the
//! units that hold all its terms (substrings: the postings intersected, each sought to the
//! largest entry the others are at); every candidate is then ranked by `search::rank`. A code
//! query of 4 characters or more is looked up by its substrings of 4 or 6 (`CODE_GRAMS`), and a
//! candidate from the code's substrings whose code (in the posting itself) does not hold the
//! query is dropped before its unit is read.
//!
//! # Writes
//!
//! Records are a pure function of a unit's name, code and level, so the index follows the
//! `units` tree: a write's changes to it are derived from the write's own ops on `units` (the
//! old row in each op's undo entry, the new one in its value).
//!
//! - A small write (one transaction) adds the pages it changes, each read once and re-split
//!   when it outgrows `PAGE_BYTES`, to the same transaction, with their old bytes as undo.
//! - A large, undo-logged write (an import, a batch) notes its units' changes as it writes its
//!   parts and changes the index once, at its end (`logged_finish`): the pages its changes
//!   touch, or, past `REBUILD_OVER` units, the whole index rebuilt from a sorted stream of
//!   every unit's records (`rebuild_find_index`: each page written once). The mark
//!   `find_stale` is on disk from before the index is touched until the write's pending mark
//!   goes, in one sled batch: a store killed in between rolls the rows back from the undo log
//!   and rebuilds the index (`write::roll_back_log`); killed before it, the index was never
//!   touched and still matches the rows put back.
//!
//! `check` compares every record with a recomputation (`check_find_index`).

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
const INSIDE_CODE: u8 = b'd';
const INSIDE_REST: u8 = b'g';
/// The families in byte order: the order a rebuild writes them in.
const FAMILIES: [u8; 7] = [CODE, INSIDE_CODE, EXACT, INSIDE_REST, INSIDE_NAME, PREFIX, SPELLED];
/// Ends a term in a record (never a byte of UTF-8 text).
const END: u8 = 0xFF;

/// Prefixes of the name and initials are kept up to this many characters; a longer query is
/// looked up by its first ones.
const PREFIX_CHARS: usize = 3;
/// Prefixes of the spelling, in letters.
const SPELLED_CHARS: usize = 4;
/// Substrings of the name and initials.
const NAME_GRAM: usize = 2;
/// Substrings of the code and the spelling.
const REST_GRAM: usize = 3;
/// The code's substrings of exactly these many characters are kept too (schema 8): a code query
/// of 4 or 5 characters is looked up by its substrings of 4, a longer one by those of 6. With
/// trigrams alone, a long code's last key ("990001002") had every unit whose code holds its
/// seven trigrams anywhere as a candidate (synthetic codes are mostly 9s, 0s and 1s: most of
/// the country), 127 ms at national size. (Not 5: a query of 5 is two substrings of 4, whose
/// terms are few and their postings long, so they cost less room than those of 5.)
const CODE_GRAMS: [usize; 2] = [4, 6];

/// A page is closed when the next record would take it past this many bytes. Small enough
/// that a unit's write rewrites little (its ~80 records fall in up to ~80 pages), large enough
/// that a national index is tens of thousands of values.
const PAGE_BYTES: usize = 4096;
/// A large write that changes more units than this rebuilds the index from every unit instead
/// of editing the pages of each.
const REBUILD_OVER: usize = 2_000;

/// The mark of an index being changed by a large write (see the header).
pub(crate) const META_FIND_STALE: &[u8] = b"find_stale";

fn term_prefix(family: u8, term: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(term.len() + 2);
    k.push(family);
    k.extend_from_slice(term.as_bytes());
    k.push(END);
    k
}

fn level_byte(level: Level) -> u8 {
    // At most a handful of levels: the index always fits a byte.
    u8::try_from(level.index()).unwrap_or(u8::MAX)
}

/// A unit as a posting: `level, code`, in the order matches are listed.
fn entry(level: Level, code: &str) -> Vec<u8> {
    let mut e = Vec::with_capacity(code.len() + 1);
    e.push(level_byte(level));
    e.extend_from_slice(code.as_bytes());
    e
}

fn code_term(level: Level) -> Vec<u8> {
    vec![CODE, b'0' + level_byte(level), END]
}

/// The first `n` characters of `s` (all of it when shorter).
fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
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

/// Every substring of `s` of 1..=`longest` characters, without white space (a query has none),
/// as slices of `s`.
fn substrings<'s>(s: &'s str, longest: usize, into: &mut Vec<&'s str>) {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let chars = bounds.len() - 1;
    for start in 0..chars {
        for len in 1..=longest.min(chars - start) {
            let part = &s[bounds[start]..bounds[start + len]];
            // Each longer part adds one character: only that one is new.
            if part.chars().next_back().is_some_and(char::is_whitespace) {
                break;
            }
            into.push(part);
        }
    }
}

/// The code's terms in the family `INSIDE_CODE`: its substrings of 1..=`REST_GRAM` characters
/// and of each of `CODE_GRAMS`, without white space, as slices of it; only those that begin
/// with the byte `first` when it is given.
fn code_terms<'s>(code: &'s str, first: Option<u8>, into: &mut Vec<&'s str>) {
    if code.is_ascii() {
        // Every code a file holds in practice: a character is a byte, so the substrings are
        // cut without first listing where each character begins (a rebuild calls this once
        // per unit and first byte: a tenth of a units import's instructions, issue 14).
        let bytes = code.as_bytes();
        for (start, b) in bytes.iter().enumerate() {
            if first.is_some_and(|f| f != *b) {
                continue;
            }
            for len in (1..=REST_GRAM).chain(CODE_GRAMS) {
                let Some(part) = code.get(start..start + len) else {
                    break;
                };
                if part.bytes().any(|b| char::from(b).is_whitespace()) {
                    break;
                }
                into.push(part);
            }
        }
        return;
    }
    let bounds: Vec<usize> = code.char_indices().map(|(i, _)| i).chain([code.len()]).collect();
    let chars = bounds.len() - 1;
    for start in 0..chars {
        if first.is_some_and(|b| code.as_bytes().get(bounds[start]) != Some(&b)) {
            continue;
        }
        for len in (1..=REST_GRAM).chain(CODE_GRAMS) {
            if start + len > chars {
                break;
            }
            let part = &code[bounds[start]..bounds[start + len]];
            if part.chars().any(char::is_whitespace) {
                break;
            }
            into.push(part);
        }
    }
}

/// The terms a query is looked up by among the code's substrings: its substrings of the
/// longest of `CODE_GRAMS` it reaches, else its trigrams (or itself).
fn code_grams_of(q: &str) -> Vec<String> {
    let chars = q.chars().count();
    let longest = CODE_GRAMS.iter().rev().find(|len| chars >= **len).copied();
    grams_of(q, longest.unwrap_or(REST_GRAM))
}

/// A term's units while a rebuild gathers them: the last one's number, and the gaps between
/// their numbers as varints.
type Gaps = (u32, Vec<u8>);

/// A unit's `search::Forms`, borrowed (from a `Forms`, or from a `Packed` unit).
#[derive(Clone, Copy)]
struct FormsOf<'f> {
    name: &'f str,
    initials: &'f str,
    spelled: &'f str,
}

impl<'f> FormsOf<'f> {
    fn of(forms: &'f Forms) -> FormsOf<'f> {
        FormsOf {
            name: &forms.name,
            initials: &forms.initials,
            spelled: &forms.spelled,
        }
    }
}

/// What a rebuild keeps of each unit while it makes every family: the code and the forms in
/// one allocation (~50 bytes where a `Unit`'s code and a `Forms` took five, ~290 bytes in all:
/// 160 MB of a national units import's rebuild).
struct Packed {
    level: Level,
    /// The code, the name lower-case, the initials, the spelling, one after the other.
    text: Box<str>,
    /// Where the code, the name and the initials end in `text`.
    ends: [u32; 3],
}

impl Packed {
    fn new(unit: &Unit) -> Result<Packed> {
        let forms = Forms::of(&unit.name);
        let mut text =
            String::with_capacity(unit.code.len() + forms.name.len() + forms.initials.len() + forms.spelled.len());
        let mut ends = [0u32; 3];
        for (end, part) in ends.iter_mut().zip([&unit.code, &forms.name, &forms.initials]) {
            text.push_str(part);
            *end = u32::try_from(text.len()).map_err(|_| StoreError::Overflow)?;
        }
        text.push_str(&forms.spelled);
        Ok(Packed {
            level: unit.level,
            text: text.into_boxed_str(),
            ends,
        })
    }

    fn part(&self, from: usize, to: usize) -> &str {
        self.text.get(from..to).unwrap_or_default()
    }

    fn code(&self) -> &str {
        self.part(0, self.ends[0] as usize)
    }

    fn forms(&self) -> FormsOf<'_> {
        let [a, b, c] = self.ends.map(|e| e as usize);
        FormsOf {
            name: self.part(a, b),
            initials: self.part(b, c),
            spelled: self.part(c, self.text.len()),
        }
    }

    /// `entry(level, code)`, without making it.
    fn entry_into(&self, out: &mut Vec<u8>) {
        out.push(level_byte(self.level));
        out.extend_from_slice(self.code().as_bytes());
    }
}

/// The term prefixes of one family for a unit, to `each` (in no set order, and a term the unit
/// holds twice, twice: the callers drop repeats where they sort or gather anyway). `first`:
/// only the code's substrings that begin with this byte (a rebuild gathers them a first byte at
/// a time); `None` for every term.
fn each_term(
    family: u8,
    level: Level,
    code: &str,
    forms: FormsOf,
    first: Option<u8>,
    mut each: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    if family == CODE {
        return each(&code_term(level));
    }
    // Room for a long spelling's substrings at once: grown a step at a time, it was
    // reallocated several times per unit and family in a rebuild.
    let mut terms: Vec<&str> = Vec::with_capacity(64);
    match family {
        EXACT => {
            if !forms.name.is_empty() {
                terms.push(forms.name);
            }
        }
        PREFIX => {
            for s in [forms.name, forms.initials] {
                for n in 1..=PREFIX_CHARS {
                    let p = first_chars(s, n);
                    if !p.is_empty() {
                        terms.push(p);
                    }
                }
            }
        }
        SPELLED => {
            for n in 1..=SPELLED_CHARS {
                let p = first_chars(forms.spelled, n);
                if !p.is_empty() {
                    terms.push(p);
                }
            }
        }
        INSIDE_NAME => {
            substrings(forms.name, NAME_GRAM, &mut terms);
            substrings(forms.initials, NAME_GRAM, &mut terms);
        }
        INSIDE_CODE => code_terms(code, first, &mut terms),
        _ => substrings(forms.spelled, REST_GRAM, &mut terms),
    }
    let mut prefix = Vec::with_capacity(32);
    for t in terms {
        prefix.clear();
        prefix.push(family);
        prefix.extend_from_slice(t.as_bytes());
        prefix.push(END);
        each(&prefix)?;
    }
    Ok(())
}

/// Every record of a unit, sorted.
pub(crate) fn records_of(unit: &Unit) -> Result<Vec<Vec<u8>>> {
    let forms = Forms::of(&unit.name);
    let at = entry(unit.level, &unit.code);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for family in FAMILIES {
        each_term(family, unit.level, &unit.code, FormsOf::of(&forms), None, |term| {
            let mut record = term.to_vec();
            record.extend_from_slice(&at);
            out.push(record);
            Ok(())
        })?;
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

// ---- pages ----

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Result<usize> {
    let mut n = 0usize;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at).ok_or_else(damaged)?;
        *at += 1;
        n |= usize::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(damaged())
}

fn damaged() -> StoreError {
    StoreError::Corrupt("a page of the find index cannot be read".into())
}

/// How many first bytes `a` and `b` share; eight at a time (a rebuild asks it of every record).
fn shared_len(a: &[u8], b: &[u8]) -> usize {
    let mut at = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (Ok(x), Ok(y)) = (<[u8; 8]>::try_from(x), <[u8; 8]>::try_from(y)) else {
            break;
        };
        // Little-endian: the first byte that differs is the lowest bit set in the difference.
        let diff = u64::from_le_bytes(x) ^ u64::from_le_bytes(y);
        if diff != 0 {
            return at + (diff.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let (a, b) = (a.get(at..).unwrap_or_default(), b.get(at..).unwrap_or_default());
    at + a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// A page being filled: each record as the length it shares with the one before and the rest.
#[derive(Default)]
struct PageBuilder {
    bytes: Vec<u8>,
    last: Vec<u8>,
}

impl PageBuilder {
    /// Adds `record`, which shares `shared` first bytes with the one before
    /// (`shared_len(&self.last, record)`, worked out once by the caller).
    fn push(&mut self, record: &[u8], shared: usize) {
        push_varint(&mut self.bytes, shared);
        push_varint(&mut self.bytes, record.len() - shared);
        self.bytes.extend_from_slice(&record[shared..]);
        self.last.clear();
        self.last.extend_from_slice(record);
    }
}

fn decode_page(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let shared = read_varint(bytes, &mut at)?;
        let rest = read_varint(bytes, &mut at)?;
        let end = at.checked_add(rest).filter(|e| *e <= bytes.len()).ok_or_else(damaged)?;
        let mut record = match out.last() {
            Some(prev) if shared <= prev.len() => prev[..shared].to_vec(),
            None if shared == 0 => Vec::new(),
            _ => return Err(damaged()),
        };
        record.extend_from_slice(&bytes[at..end]);
        at = end;
        out.push(record);
    }
    Ok(out)
}

/// Sorted records cut into pages: `emit(key, bytes)` for each, the first keyed `first_key`,
/// each next one by its first record.
struct Pager<F: FnMut(Vec<u8>, Vec<u8>) -> Result<()>> {
    key: Vec<u8>,
    page: PageBuilder,
    emit: F,
}

impl<F: FnMut(Vec<u8>, Vec<u8>) -> Result<()>> Pager<F> {
    fn new(first_key: Vec<u8>, emit: F) -> Self {
        Pager {
            key: first_key,
            page: PageBuilder::default(),
            emit,
        }
    }

    fn push(&mut self, record: &[u8]) -> Result<()> {
        let mut shared = shared_len(&self.page.last, record);
        // What the record costs the page: its own bytes and up to 4 for the two lengths.
        if !self.page.bytes.is_empty() && self.page.bytes.len() + record.len() - shared + 4 > PAGE_BYTES {
            let full = std::mem::replace(
                &mut self.page,
                PageBuilder {
                    bytes: Vec::with_capacity(PAGE_BYTES + 64),
                    last: Vec::new(),
                },
            );
            let key = std::mem::replace(&mut self.key, record.to_vec());
            (self.emit)(key, full.bytes)?;
            shared = 0;
        }
        self.page.push(record, shared);
        Ok(())
    }

    /// Emits the last page; `Ok(false)` when no record was pushed at all (nothing emitted).
    fn finish(mut self) -> Result<bool> {
        if self.page.bytes.is_empty() {
            return Ok(false);
        }
        (self.emit)(self.key, self.page.bytes)?;
        Ok(true)
    }
}

/// A position in the index's records, page by page.
struct Cursor<'t> {
    tree: &'t sled::Tree,
    page_key: Option<sled::IVec>,
    records: Vec<Vec<u8>>,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn new(tree: &'t sled::Tree) -> Self {
        Cursor {
            tree,
            page_key: None,
            records: Vec::new(),
            pos: 0,
        }
    }

    fn load(&mut self, item: Option<sled::Result<(sled::IVec, sled::IVec)>>) -> Result<bool> {
        self.pos = 0;
        match item {
            None => {
                self.page_key = None;
                self.records.clear();
                Ok(false)
            }
            Some(item) => {
                let (k, v) = item?;
                self.records = decode_page(&v)?;
                self.page_key = Some(k);
                Ok(true)
            }
        }
    }

    /// Moves to the next page; false past the last.
    fn next_page(&mut self) -> Result<bool> {
        let item = match &self.page_key {
            Some(k) => self
                .tree
                .range::<&[u8], _>((std::ops::Bound::Excluded(k.as_ref()), std::ops::Bound::Unbounded))
                .next(),
            None => None,
        };
        self.load(item)
    }

    /// Skips to the first record at or after the position; `None` past the last.
    fn settle(&mut self) -> Result<Option<&[u8]>> {
        while self.pos >= self.records.len() {
            if !self.next_page()? {
                return Ok(None);
            }
        }
        Ok(Some(self.records[self.pos].as_slice()))
    }

    /// The first record at or after `target`. Targets of one cursor only grow, or start over.
    fn seek(&mut self, target: &[u8]) -> Result<Option<&[u8]>> {
        let loaded_holds = self.page_key.as_ref().is_some_and(|k| k.as_ref() <= target)
            && self.records.last().is_some_and(|last| last.as_slice() >= target);
        if !loaded_holds {
            let item = match self.tree.range(..=target).next_back() {
                Some(item) => Some(item),
                None => self.tree.iter().next(),
            };
            if !self.load(item)? {
                return Ok(None);
            }
        }
        self.pos = self.records.partition_point(|r| r.as_slice() < target);
        self.settle()
    }

    fn advance(&mut self) -> Result<Option<&[u8]>> {
        self.pos += 1;
        self.settle()
    }
}

/// One term's postings: its entries (`level, code`), in order.
struct Posting<'t> {
    cursor: Cursor<'t>,
    prefix: Vec<u8>,
    started: bool,
}

impl<'t> Posting<'t> {
    fn new(tree: &'t sled::Tree, prefix: Vec<u8>) -> Self {
        Posting {
            cursor: Cursor::new(tree),
            prefix,
            started: false,
        }
    }

    /// The first entry at or after `from`.
    fn seek(&mut self, from: &[u8]) -> Result<Option<Vec<u8>>> {
        self.started = true;
        let mut target = self.prefix.clone();
        target.extend_from_slice(from);
        let record = self.cursor.seek(&target)?;
        let found = record.and_then(|r| r.strip_prefix(self.prefix.as_slice()).map(<[u8]>::to_vec));
        Ok(found)
    }

    fn next_entry(&mut self) -> Result<Option<Vec<u8>>> {
        if !self.started {
            return self.seek(&[]);
        }
        let record = self.cursor.advance()?;
        let found = record.and_then(|r| r.strip_prefix(self.prefix.as_slice()).map(<[u8]>::to_vec));
        Ok(found)
    }

    fn into_iter(mut self) -> impl Iterator<Item = Result<Vec<u8>>> + 't {
        until_end(move || self.next_entry())
    }
}

fn unit_of(bytes: &[u8]) -> Result<Unit> {
    Ok(UnitRow::decode(bytes)?.unit)
}

/// What the index holds of a unit: a change that keeps it changes no record.
fn seen(unit: Option<&Unit>) -> Option<(&str, &str, Level)> {
    unit.map(|u| (u.name.as_str(), u.code.as_str(), u.level))
}

/// What a change removes, and what it adds.
type Removed<T> = (T, T);

/// The records a change of units from old to new removes and adds, each list sorted.
fn record_changes(changes: &[(Option<Unit>, Option<Unit>)]) -> Result<Removed<Vec<Vec<u8>>>> {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for (old, new) in changes {
        if seen(old.as_ref()) == seen(new.as_ref()) {
            continue;
        }
        let before: BTreeSet<Vec<u8>> = old
            .as_ref()
            .map(records_of)
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .collect();
        let after: BTreeSet<Vec<u8>> = new
            .as_ref()
            .map(records_of)
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .collect();
        removed.extend(before.difference(&after).cloned());
        added.extend(after.difference(&before).cloned());
    }
    removed.sort_unstable();
    added.sort_unstable();
    Ok((removed, added))
}

/// A unit row's key, the unit before a write and after it.
type RowChange = (Vec<u8>, Option<Unit>, Option<Unit>);

/// The unit changes of a large write, noted part by part and made at its end.
#[derive(Default)]
pub(crate) struct PendingFind {
    /// Each unit row's key → its row before the write and after it.
    changes: FxHashMap<Vec<u8>, (Option<Unit>, Option<Unit>)>,
    /// More units changed than `REBUILD_OVER`: the whole index is rebuilt.
    rebuild: bool,
}

impl PendingFind {
    fn is_empty(&self) -> bool {
        !self.rebuild
            && self
                .changes
                .values()
                .all(|(old, new)| seen(old.as_ref()) == seen(new.as_ref()))
    }
}

impl Store {
    /// Each unit row the ops change: its key, the row before (from the first op's undo entry,
    /// or read when it has none) and after (the last op's value), in the order of the ops.
    fn unit_changes(&self, ops: &[Op]) -> Result<Vec<RowChange>> {
        let mut out = Vec::new();
        self.each_unit_change(ops, |key, old, new| {
            out.push((key.to_vec(), old, new));
            Ok(true)
        })?;
        Ok(out)
    }

    /// `unit_changes` handed to `f` one at a time, each decoded as it comes: a part of an
    /// evaluations import moves ~100,000 units' first evaluations, and their rows before and
    /// after, gathered whole, were ~77 MB of its peak (issue 14) for changes the index does
    /// not see. `f` says whether to go on.
    fn each_unit_change(
        &self,
        ops: &[Op],
        mut f: impl FnMut(&[u8], Option<Unit>, Option<Unit>) -> Result<bool>,
    ) -> Result<()> {
        let mut at: FxHashMap<&[u8], usize> = FxHashMap::default();
        type Change<'o> = (&'o [u8], Option<std::borrow::Cow<'o, [u8]>>, Option<&'o [u8]>);
        let mut raw: Vec<Change> = Vec::new();
        for op in ops.iter().filter(|op| op.tree == TreeId::Units) {
            let slot = match at.get(op.key.as_slice()) {
                Some(slot) => *slot,
                None => {
                    let old = match &op.undo {
                        Undo::Remove => None,
                        Undo::Restore(old) => Some(std::borrow::Cow::Borrowed(old.as_slice())),
                        Undo::Rebuild => self
                            .tree(TreeId::Units)
                            .get(&op.key)?
                            .map(|v| std::borrow::Cow::Owned(v.to_vec())),
                    };
                    raw.push((op.key.as_slice(), old, None));
                    at.insert(op.key.as_slice(), raw.len() - 1);
                    raw.len() - 1
                }
            };
            raw[slot].2 = op.value.as_deref();
        }
        drop(at);
        for (key, old, new) in raw {
            // The same unit (only its first evaluation or its parent moved): nothing the index
            // holds changed, told without decoding either row (issue 14, fastrec).
            if let (Some(old), Some(new)) = (old.as_deref(), new) {
                if super::codec::same_unit(old, new)? {
                    continue;
                }
            }
            let old = old.as_deref().map(unit_of).transpose()?;
            let new = new.map(unit_of).transpose()?;
            if !f(key, old, new)? {
                break;
            }
        }
        Ok(())
    }

    /// The index's ops for a small write, each with its undo: added to its transaction.
    pub(crate) fn find_ops(&self, ops: &[Op]) -> Result<Vec<Op>> {
        let changes: Vec<(Option<Unit>, Option<Unit>)> =
            self.unit_changes(ops)?.into_iter().map(|(_, o, n)| (o, n)).collect();
        let (removed, added) = record_changes(&changes)?;
        self.page_ops(removed, added)
    }

    /// Notes a part of a large write's unit changes (before the part is written).
    pub(crate) fn note_find_changes(&self, pending: &mut PendingFind, ops: &[Op]) -> Result<()> {
        if pending.rebuild || !ops.iter().any(|op| op.tree == TreeId::Units) {
            return Ok(());
        }
        self.each_unit_change(ops, |key, old, new| {
            match pending.changes.get_mut(key) {
                // Changed by an earlier part: the row before the whole write stays.
                Some(change) => change.1 = new,
                // A change the index does not see (an evaluations import moves each unit's
                // first evaluation) is not noted: tens of thousands of them made every
                // evaluations import rebuild the whole index (a fifth of its CPU). A later
                // part that does change what it sees starts from the same name, code and level.
                None if seen(old.as_ref()) == seen(new.as_ref()) => return Ok(true),
                None => {
                    pending.changes.insert(key.to_vec(), (old, new));
                }
            }
            if pending.changes.len() > REBUILD_OVER {
                pending.rebuild = true;
                pending.changes = FxHashMap::default();
                return Ok(false);
            }
            Ok(true)
        })
    }

    /// Makes a large write's noted changes, once its rows are written; the pending mark is
    /// still on disk, and `find_stale` goes with it (`write::logged_finish`). Returns whether
    /// the mark was set.
    pub(crate) fn finish_find_changes(&self, pending: PendingFind) -> Result<bool> {
        if pending.is_empty() {
            return Ok(false);
        }
        self.mark_stale(META_FIND_STALE)?;
        if pending.rebuild {
            self.rebuild_find_index()?;
        } else {
            let changes: Vec<(Option<Unit>, Option<Unit>)> = pending.changes.into_values().collect();
            let (removed, added) = record_changes(&changes)?;
            self.apply_untransacted(TreeId::Find, self.page_ops(removed, added)?)?;
        }
        Ok(true)
    }

    /// After a large write's rows were rolled back: an index it had started to change is
    /// rebuilt from the rows as they are now.
    pub(crate) fn roll_back_find(&self) -> Result<()> {
        self.roll_back_stale(META_FIND_STALE, || self.rebuild_find_index())
    }

    /// The page ops that remove and add records (each list sorted): each page they fall in is
    /// read once, changed, and cut again where it outgrows `PAGE_BYTES`.
    fn page_ops(&self, removed: Vec<Vec<u8>>, added: Vec<Vec<u8>>) -> Result<Vec<Op>> {
        let tree = self.tree(TreeId::Find);
        let mut changes: Vec<(Vec<u8>, bool)> = removed
            .into_iter()
            .map(|r| (r, false))
            .chain(added.into_iter().map(|r| (r, true)))
            .collect();
        changes.sort();
        let mut ops = Vec::new();
        let mut at = 0;
        while at < changes.len() {
            // The page this change falls in, and where the next page begins.
            let (key, old) = match tree.range(..=changes[at].0.as_slice()).next_back() {
                Some(item) => {
                    let (k, v) = item?;
                    (k.to_vec(), Some(v.to_vec()))
                }
                None => (Vec::new(), None),
            };
            let next = tree
                .range::<&[u8], _>((std::ops::Bound::Excluded(key.as_slice()), std::ops::Bound::Unbounded))
                .next()
                .transpose()?
                .map(|(k, _)| k.to_vec());
            let mut stored = match &old {
                Some(bytes) => decode_page(bytes)?,
                None => Vec::new(),
            };
            // The page's records and this page's changes, both sorted, merged in one pass (an
            // import into an empty index puts every record in one page first).
            let mut records = Vec::with_capacity(stored.len());
            let mut i = 0;
            while at < changes.len() && next.as_ref().is_none_or(|n| changes[at].0 < *n) {
                let (record, add) = &mut changes[at];
                while i < stored.len() && stored[i] < *record {
                    records.push(std::mem::take(&mut stored[i]));
                    i += 1;
                }
                let present = i < stored.len() && stored[i] == *record;
                if present {
                    // Kept if added again, gone if removed.
                    i += 1;
                }
                if *add {
                    records.push(std::mem::take(record));
                }
                at += 1;
            }
            records.extend(stored.drain(i..));
            records.dedup();
            let mut pages: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            let mut pager = Pager::new(key.clone(), |k, v| {
                pages.push((k, v));
                Ok(())
            });
            for r in &records {
                pager.push(r)?;
            }
            pager.finish()?;
            let undo_of_first = match &old {
                Some(bytes) => Undo::Restore(bytes.clone()),
                None => Undo::Remove,
            };
            if pages.is_empty() {
                if old.is_some() {
                    ops.push(Op {
                        tree: TreeId::Find,
                        key,
                        value: None,
                        undo: undo_of_first,
                    });
                }
                continue;
            }
            for (i, (k, v)) in pages.into_iter().enumerate() {
                if i == 0 && old.as_deref() == Some(v.as_slice()) {
                    continue;
                }
                let undo = if i == 0 { undo_of_first.clone() } else { Undo::Remove };
                ops.push(Op {
                    tree: TreeId::Find,
                    key: k,
                    value: Some(v),
                    undo,
                });
            }
        }
        Ok(ops)
    }

    /// Every record the index should hold, in order, to `each`: every unit's pinyin worked out
    /// once, then one family at a time (families are in byte order, terms sorted within one,
    /// units in entry order within a term), so that memory holds one family's postings as
    /// unit numbers (4 bytes each), never every record.
    fn each_expected_record(&self, mut each: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut units: Vec<Packed> = Vec::new();
        for item in self.tree(TreeId::Units).iter() {
            let (_, v) = item?;
            units.push(Packed::new(&unit_of(&v)?)?);
        }
        // The order of `entry`: the level's byte, then the code.
        units.sort_unstable_by(|a, b| (level_byte(a.level), a.code()).cmp(&(level_byte(b.level), b.code())));
        // Every unit's posting (`entry`) one after the other, in unit order: a term's records
        // read each of its units' postings from here, where reading it from the unit's
        // `Packed` was two cache misses a record (the struct, then its text), 14% of a
        // national units import's time (perf, issue 14). ~7 MB at national size.
        let mut entries: Vec<u8> = Vec::new();
        let mut entry_starts: Vec<u32> = Vec::with_capacity(units.len() + 1);
        for unit in &units {
            entry_starts.push(u32::try_from(entries.len()).map_err(|_| StoreError::Overflow)?);
            unit.entry_into(&mut entries);
        }
        entry_starts.push(u32::try_from(entries.len()).map_err(|_| StoreError::Overflow)?);
        let entry_of = |n: usize| -> Result<&[u8]> {
            let (from, to) = (
                entry_starts.get(n).ok_or_else(damaged)?,
                entry_starts.get(n + 1).ok_or_else(damaged)?,
            );
            entries.get(*from as usize..*to as usize).ok_or_else(damaged)
        };
        // The code's substrings are gathered a first byte at a time (terms that begin with one
        // byte sort together): those of 4 and 6 characters are ~1.2 million terms at national
        // size, which held at once took the units import's peak from 562 to 707 MB.
        let mut code_firsts: BTreeSet<u8> = BTreeSet::new();
        for unit in &units {
            let code = unit.code();
            code_firsts.extend(code.char_indices().filter_map(|(i, _)| code.as_bytes().get(i).copied()));
        }
        let mut record = Vec::new();
        let passes = FAMILIES.iter().flat_map(|family| -> Vec<(u8, Option<u8>)> {
            match *family {
                INSIDE_CODE => code_firsts.iter().map(|b| (INSIDE_CODE, Some(*b))).collect(),
                other => vec![(other, None)],
            }
        });
        for (family, first) in passes {
            // Each term's units as the gaps between their numbers, in varints (a term's units
            // come in order): about a byte a posting where a `u32` took four (the family of
            // substrings is ~30 million postings at national size).
            let mut postings: FxHashMap<Vec<u8>, Gaps> = FxHashMap::default();
            for (n, unit) in units.iter().enumerate() {
                let n = u32::try_from(n).map_err(|_| StoreError::Overflow)?;
                each_term(family, unit.level, unit.code(), unit.forms(), first, |term| {
                    match postings.get_mut(term) {
                        // The same term twice in one unit (`each_term` does not drop repeats).
                        Some((last, _)) if *last == n => {}
                        Some((last, gaps)) => {
                            push_varint(gaps, (n - *last) as usize);
                            *last = n;
                        }
                        None => {
                            let mut gaps = Vec::new();
                            push_varint(&mut gaps, n as usize);
                            postings.insert(term.to_vec(), (n, gaps));
                        }
                    }
                    Ok(())
                })?;
            }
            let mut terms: Vec<(Vec<u8>, Gaps)> = postings.into_iter().collect();
            terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (term, (_, gaps)) in terms {
                let (mut at, mut n) = (0usize, 0usize);
                while at < gaps.len() {
                    n += read_varint(&gaps, &mut at)?;
                    record.clear();
                    record.extend_from_slice(&term);
                    record.extend_from_slice(entry_of(n)?);
                    each(&record)?;
                }
            }
        }
        Ok(())
    }

    /// Builds the index afresh from every unit (the schema 4 → 5 upgrade, a large write, a
    /// rollback of one): each page written once, in order.
    pub(crate) fn rebuild_find_index(&self) -> Result<()> {
        let tree = self.tree(TreeId::Find);
        tree.clear()?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0usize;
        let mut pager = Pager::new(Vec::new(), |k, v| {
            batch.insert(k, v);
            in_batch += 1;
            if in_batch >= 256 {
                tree.apply_batch(std::mem::take(&mut batch))?;
                in_batch = 0;
            }
            Ok(())
        });
        self.each_expected_record(|r| pager.push(r))?;
        pager.finish()?;
        tree.apply_batch(batch)?;
        Ok(())
    }

    /// Compares the index with a recomputation from every unit: the first record that differs
    /// (a unit's code, and what), or `None`.
    pub(crate) fn check_find_index(&self) -> Result<Option<(String, String)>> {
        let tree = self.tree(TreeId::Find);
        let mut stored = Cursor::new(tree);
        let mut first = true;
        let mut difference: Option<(String, String)> = None;
        let code_of = |record: &[u8]| -> String {
            let end = record.iter().position(|b| *b == END).map_or(record.len(), |e| e + 2);
            String::from_utf8_lossy(record.get(end..).unwrap_or_default()).into_owned()
        };
        self.each_expected_record(|expected| {
            if difference.is_some() {
                return Ok(());
            }
            let got = if first {
                first = false;
                stored.seek(&[])?
            } else {
                stored.advance()?
            };
            match got {
                Some(r) if r == expected => {}
                Some(r) if r < expected => {
                    difference = Some((code_of(r), "find index has a unit it should not".into()))
                }
                _ => difference = Some((code_of(expected), "find index misses a unit".into())),
            }
            Ok(())
        })?;
        if difference.is_none() {
            let extra = if first { stored.seek(&[])? } else { stored.advance()? };
            if let Some(r) = extra {
                difference = Some((code_of(r), "find index has a unit it should not".into()));
            }
        }
        Ok(difference)
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
        for e in Posting::new(tree, term_prefix(EXACT, &q)).into_iter() {
            exact.push(e?);
        }
        exact.sort();
        exact.dedup();
        if found.each(exact.into_iter().map(Ok))?.is_break() {
            return Ok(found.units);
        }
        // Rank 1: the start of the name or the initials, merged with the start of the code.
        found.rank = 1;
        let names = Posting::new(tree, term_prefix(PREFIX, first_chars(&q, PREFIX_CHARS))).into_iter();
        let mut codes: Box<dyn Iterator<Item = Result<Vec<u8>>>> = Box::new(std::iter::empty());
        for level in Level::ALL.iter().rev() {
            codes = Box::new(merged(codes_starting(tree, *level, &q), codes));
        }
        if found.each(merged(names, codes))?.is_break() {
            return Ok(found.units);
        }
        // Rank 2: the start of the spelling.
        found.rank = 2;
        let spelled = Posting::new(tree, term_prefix(SPELLED, first_chars(&q, SPELLED_CHARS))).into_iter();
        if found.each(spelled)?.is_break() {
            return Ok(found.units);
        }
        // Rank 3: inside the name or initials.
        found.rank = 3;
        let postings = |family: u8, grams: Vec<String>| -> Vec<Posting> {
            grams
                .iter()
                .map(|g| Posting::new(tree, term_prefix(family, g)))
                .collect()
        };
        let inside_name = Intersection::new(postings(INSIDE_NAME, grams_of(&q, NAME_GRAM)));
        if found.each(inside_name)?.is_break() {
            return Ok(found.units);
        }
        // Rank 4: inside the code or the spelling. A candidate of the code's substrings holds
        // its code in the entry: one whose code does not hold the query is dropped there,
        // without reading its unit (most candidates of a long code's grams are such).
        found.rank = 4;
        let codes = Intersection::new(postings(INSIDE_CODE, code_grams_of(&q))).filter(|e| match e {
            Ok(e) => std::str::from_utf8(e.get(1..).unwrap_or_default()).map_or(true, |code| code.contains(q.as_str())),
            Err(_) => true,
        });
        let spelled = Intersection::new(postings(INSIDE_REST, grams_of(&q, REST_GRAM)));
        // The last rank: reaching the limit or not, the units found are the answer.
        let _reached_the_limit = found.each(merged(codes, spelled))?.is_break();
        Ok(found.units)
    }
}

/// The entries of the units of `level` whose code starts with `q`, in order.
fn codes_starting<'t>(tree: &'t sled::Tree, level: Level, q: &str) -> impl Iterator<Item = Result<Vec<u8>>> + 't {
    let mut posting = Posting::new(tree, code_term(level));
    let from = entry(level, q);
    let mut started = false;
    until_end(move || {
        let next = if started {
            posting.next_entry()
        } else {
            started = true;
            posting.seek(&from)
        };
        next.map(|e| e.filter(|e| e.starts_with(&from)))
    })
}

/// The entries `next` gives, ending at the first `None` or after the first error.
fn until_end<T>(mut next: impl FnMut() -> Result<Option<T>>) -> impl Iterator<Item = Result<T>> {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let item = next().transpose();
        // An error is given once, and nothing after it; so is the end.
        done = !matches!(item, Some(Ok(_)));
        item
    })
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
                .map_err(|_| StoreError::Corrupt("a find index entry that is not text".into()))?;
            if self.taken.contains(code) {
                continue;
            }
            // An entry whose unit is gone would be a damaged index (`check` names it): it is
            // skipped, not shown.
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
fn merged<'a>(
    a: impl Iterator<Item = Result<Vec<u8>>> + 'a,
    b: impl Iterator<Item = Result<Vec<u8>>> + 'a,
) -> impl Iterator<Item = Result<Vec<u8>>> + 'a {
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
    postings: Vec<Posting<'t>>,
    /// Where the next search starts (an entry, or empty for the first).
    from: Vec<u8>,
    done: bool,
}

impl<'t> Intersection<'t> {
    fn new(postings: Vec<Posting<'t>>) -> Intersection<'t> {
        let done = postings.is_empty();
        Intersection {
            postings,
            from: Vec::new(),
            done,
        }
    }

    fn next_entry(&mut self) -> Result<Option<Vec<u8>>> {
        let n = self.postings.len();
        let mut target = self.from.clone();
        let mut agreed = 0;
        let mut i = 0;
        loop {
            let Some(at) = self.postings[i].seek(&target)? else {
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

    /// `shared_len`, eight bytes at a time, says what a byte at a time says.
    #[test]
    fn shared_len_counts_the_first_bytes_in_common() {
        let byte_by_byte = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let base: Vec<u8> = (0..40u8).collect();
        for len in 0..base.len() {
            for differ in 0..=len {
                let a = &base[..len];
                let mut b = base[..len].to_vec();
                if differ < len {
                    b[differ] ^= 0x40;
                }
                for b in [&b[..], &b[..differ], &base[..]] {
                    assert_eq!(shared_len(a, b), byte_by_byte(a, b), "{len} {differ}");
                    assert_eq!(shared_len(b, a), byte_by_byte(b, a), "{len} {differ}");
                }
            }
        }
    }

    #[test]
    fn a_unit_has_records_in_each_family() {
        let unit = Unit::new("530112001000", None, Level::Street, "西苑街道");
        let records = records_of(&unit).unwrap();
        let has = |family: u8, term: &str| {
            let p = term_prefix(family, term);
            records.iter().any(|k| k.starts_with(&p))
        };
        assert!(has(EXACT, "西苑街道"));
        assert!(has(PREFIX, "西苑街") && has(PREFIX, "xyj") && !has(PREFIX, "西苑街道"));
        assert!(has(SPELLED, "xiyu") && !has(SPELLED, "xiyua"));
        assert!(has(INSIDE_NAME, "街道") && has(INSIDE_NAME, "jd") && !has(INSIDE_NAME, "苑街道"));
        assert!(has(INSIDE_CODE, "112") && has(INSIDE_CODE, "301120") && has(INSIDE_CODE, "001000"));
        assert!(has(INSIDE_CODE, "1120") && !has(INSIDE_CODE, "11200") && !has(INSIDE_CODE, "3011200"));
        assert!(!has(INSIDE_CODE, "jie"));
        assert!(has(INSIDE_REST, "jie") && !has(INSIDE_REST, "jied") && !has(INSIDE_REST, "112"));
        assert!(records.iter().any(|r| r.starts_with(&code_term(Level::Street))));
    }

    #[test]
    fn a_long_query_is_looked_up_by_its_grams() {
        assert_eq!(grams_of("ab", 3), ["ab"]);
        assert_eq!(grams_of("abcab", 3), ["abc", "bca", "cab"]);
        assert_eq!(code_grams_of("990"), ["990"]);
        assert_eq!(code_grams_of("99000"), ["9000", "9900"]);
        assert_eq!(code_grams_of("990001002"), ["000100", "001002", "900010", "990001"]);
    }

    #[test]
    fn pages_keep_their_records_and_stay_small() {
        let records: Vec<Vec<u8>> = (0..5000u32)
            .map(|i| {
                let mut r = term_prefix(INSIDE_REST, "12");
                r.extend_from_slice(&entry(Level::Community, &format!("53011{i:07}")));
                r
            })
            .collect();
        let mut pages = Vec::new();
        let mut pager = Pager::new(Vec::new(), |k, v| {
            pages.push((k, v));
            Ok(())
        });
        for r in &records {
            pager.push(r).unwrap();
        }
        assert!(pager.finish().unwrap());
        assert!(pages.len() > 1 && pages.iter().all(|(_, v)| v.len() <= PAGE_BYTES));
        assert!(pages[0].0.is_empty());
        let mut back = Vec::new();
        for (k, v) in &pages[1..] {
            let decoded = decode_page(v).unwrap();
            assert_eq!(&decoded[0], k);
        }
        for (_, v) in &pages {
            back.extend(decode_page(v).unwrap());
        }
        assert_eq!(back, records);
    }

    /// Issue 14 (import speed): a large write that changes only what the index does not hold
    /// (each unit's first evaluation, as an evaluations import does) notes nothing, so its end
    /// rebuilds nothing; a change of a name among them is still noted.
    #[test]
    fn changes_the_index_does_not_see_are_not_noted() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("s")).unwrap();
        let mut units = vec![Unit::new("D", None, Level::District, "西苑街道")];
        units.extend((0..REBUILD_OVER + 10).map(|i| Unit::new(&format!("S{i}"), Some("D"), Level::Street, "碧鸡")));
        store.apply_units(&units).unwrap();
        let ops_for = |rename: bool| -> Vec<Op> {
            store
                .tree(TreeId::Units)
                .iter()
                .map(|item| {
                    let (k, v) = item.unwrap();
                    let mut row = UnitRow::decode(&v).unwrap();
                    row.first_evaluation = Some(700_000);
                    if rename && row.unit.code == "S7" {
                        row.unit.name = "海口街道".into();
                    }
                    Op {
                        tree: TreeId::Units,
                        key: k.to_vec(),
                        value: Some(row.encode().unwrap()),
                        undo: Undo::Restore(v.to_vec()),
                    }
                })
                .collect()
        };
        let mut pending = PendingFind::default();
        store.note_find_changes(&mut pending, &ops_for(false)).unwrap();
        assert!(pending.is_empty() && !pending.rebuild && pending.changes.is_empty());
        store.note_find_changes(&mut pending, &ops_for(true)).unwrap();
        assert_eq!(pending.changes.len(), 1);
        assert!(!pending.is_empty() && !pending.rebuild);
    }

    #[test]
    fn a_damaged_page_is_an_error_not_a_panic() {
        assert!(decode_page(&[5, 1, b'a']).is_err());
        assert!(decode_page(&[0, 9, b'a']).is_err());
        assert!(decode_page(&[0x80]).is_err());
    }
}
