//! Taking back changes of many records or units at once, each in one all-or-nothing write (a
//! logged one when large, so that a crash rolls it back): a bulk import, whose entry names the
//! keys it added in the `batches` tree, and an import small enough to be journaled row by row,
//! whose rows are taken back together. `registry::undo` decides what to take back; single
//! changes go through the ordinary writes (`delete_record`, `add_records`, `apply_units`,
//! `delete_unit`).

use super::aggregate::{Ancestry, Deltas};
use super::codec::{Stored, UnitRow};
use super::import::{tree_of, PageEdit};
use super::journal::JournalEntry;
use super::keys::{self, RecordKey, TreeId};
use super::write::{Undo, WriteSet};
use super::{Result, Store, StoreError};
use crate::domain::RecordKind;
use crate::domain::{Training, Unit};
use crate::record::Record;
use crate::words::D;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Units of a bulk import per value of the `batches` tree.
pub(crate) const UNIT_CHUNK: usize = 10_000;

/// One unit a bulk import of units changed: its code and, for an update, the unit before.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct UnitChange {
    pub code: String,
    pub before: Option<Unit>,
}

impl Store {
    /// The values of a bulk import's batch, in order, each with its key in the `batches` tree.
    fn batch(&self, token: u64) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self.tree(TreeId::Batches).scan_prefix(token.to_be_bytes()) {
            let (k, v) = item?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Takes back a bulk import of records: removes exactly the records its batch names.
    pub(crate) fn undo_import<R: Record>(&self, token: u64, undo: JournalEntry) -> Result<()> {
        let chunks = self.batch(token)?;
        if chunks.is_empty() {
            return Err(StoreError::CannotUndo(undo.summary));
        }
        let mut set = WriteSet::default();
        let mut keys = Vec::new();
        for (k, v) in chunks {
            for raw in v.chunks(keys::RECORD_KEY_LEN) {
                keys.push(
                    RecordKey::parse(raw).ok_or_else(|| StoreError::Corrupt("bad key in an import's batch".into()))?,
                );
            }
            set.remove(TreeId::Batches, k, Undo::Restore(v));
        }
        self.remove_records::<R>(&keys, set, vec![undo])
    }

    /// Takes back the rows of one import journaled row by row: the records they added.
    pub(crate) fn undo_record_rows<R: Record>(&self, rows: &[(u64, JournalEntry)]) -> Result<()> {
        let mut keys = Vec::with_capacity(rows.len());
        for (_, e) in rows {
            let key = e.key.as_deref().and_then(RecordKey::from_text);
            keys.push(key.ok_or_else(|| StoreError::CannotUndo(e.summary.clone()))?);
        }
        let undos = rows.iter().map(|row| self.undo_entry(row)).collect();
        self.remove_records::<R>(&keys, WriteSet::default(), undos)
    }

    /// Removes the records of `keys` and their ids, totals and first evaluations, journals
    /// `undos`, all in one write with `set`. A record that is gone refuses the whole undo.
    fn remove_records<R: Record>(&self, keys: &[RecordKey], mut set: WriteSet, undos: Vec<JournalEntry>) -> Result<()> {
        self.check_writable()?;
        let mut pages: HashMap<[u8; 6], PageEdit> = HashMap::default();
        let mut deltas = Deltas::default();
        let mut ancestry = Ancestry::new(self);
        let mut evaluated: HashSet<u32> = HashSet::default();
        for key in keys {
            self.take_record::<R>(key, &mut pages, &mut deltas, &mut ancestry, &mut set)?;
            if R::KIND == RecordKind::Evaluation {
                evaluated.insert(key.unit);
            }
        }
        for unit in evaluated {
            let remaining = self.earliest_left(R::KIND, unit, &pages)?;
            self.move_first_evaluation(unit, |_| remaining, &mut deltas, &mut ancestry, &mut set)?;
        }
        for entry in undos {
            self.journal(&mut set, entry)?;
        }
        self.write_pages(R::KIND, pages, &mut set)?;
        deltas.write_into(self, &mut set)?;
        self.apply(set)
    }

    /// Takes back a bulk import of units: the units it added are deleted, the ones it changed
    /// get their fields back.
    pub(crate) fn undo_unit_import(&self, token: u64, undo: JournalEntry) -> Result<()> {
        let chunks = self.batch(token)?;
        if chunks.is_empty() {
            return Err(StoreError::CannotUndo(undo.summary));
        }
        let mut set = WriteSet::default();
        let mut changes = Vec::new();
        for (k, v) in chunks {
            let part: Vec<UnitChange> = serde_json::from_slice(&v)
                .map_err(|e| StoreError::Corrupt(format!("an import's batch of units: {e}")))?;
            changes.extend(part);
            set.remove(TreeId::Batches, k, Undo::Restore(v));
        }
        self.undo_units(changes, set, vec![undo])
    }

    /// Takes back the rows of one import of units journaled row by row.
    pub(crate) fn undo_unit_rows(&self, rows: &[(u64, JournalEntry)]) -> Result<()> {
        let mut changes = Vec::with_capacity(rows.len());
        for (_, e) in rows {
            let read = |json: &Option<String>| -> Result<Option<Unit>> {
                json.as_deref()
                    .map(serde_json::from_str::<Unit>)
                    .transpose()
                    .map_err(|err| StoreError::Corrupt(format!("journal entry: {err}")))
            };
            let after = read(&e.after)?.ok_or_else(|| StoreError::CannotUndo(e.summary.clone()))?;
            changes.push(UnitChange {
                code: after.code,
                before: read(&e.before)?,
            });
        }
        let undos = rows.iter().map(|row| self.undo_entry(row)).collect();
        self.undo_units(changes, WriteSet::default(), undos)
    }

    /// Deletes the units `changes` added and gives the ones it changed their fields back, in
    /// one write with `set`, journaling `undos`; every total is rebuilt (the hierarchy may
    /// change shape). Refused in words, nothing written, when an added unit has records, units
    /// below it that are not being taken back too, or serves a training.
    fn undo_units(&self, changes: Vec<UnitChange>, mut set: WriteSet, undos: Vec<JournalEntry>) -> Result<()> {
        self.check_writable()?;
        let added: HashSet<&str> = changes
            .iter()
            .filter(|c| c.before.is_none())
            .map(|c| c.code.as_str())
            .collect();
        for change in &changes {
            let code = change.code.as_str();
            let row = self
                .unit_row_by_code(code)?
                .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
            match &change.before {
                None => {
                    for child in self.children_read_each(code)? {
                        if !added.contains(child.code.as_str()) {
                            return Err(StoreError::refused(D::UndoAddHasChild, &[&code, &child.code]));
                        }
                    }
                    for kind in [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget] {
                        if self
                            .tree(tree_of(kind))
                            .scan_prefix(row.idx.to_be_bytes())
                            .next()
                            .transpose()?
                            .is_some()
                        {
                            return Err(StoreError::refused(D::UndoAddHasRecords, &[&code]));
                        }
                    }
                    super::session::remove_unit_keys(&mut set, &row)?;
                }
                Some(before) => {
                    let parent_idx = match &before.parent {
                        None => None,
                        Some(p) => Some(self.unit_index(p)?),
                    };
                    let old = UnitRow {
                        idx: row.idx,
                        parent_idx,
                        first_evaluation: row.first_evaluation,
                        unit: before.clone(),
                    };
                    set.put(
                        TreeId::Units,
                        keys::u32_key(row.idx).to_vec(),
                        old.encode()?,
                        Undo::Restore(row.encode()?),
                    );
                    if parent_idx != row.parent_idx {
                        set.remove(
                            TreeId::Children,
                            keys::child_key(row.parent_idx, row.idx).to_vec(),
                            Undo::Restore(Vec::new()),
                        );
                        set.put(
                            TreeId::Children,
                            keys::child_key(parent_idx, row.idx).to_vec(),
                            Vec::new(),
                            Undo::Remove,
                        );
                    }
                }
            }
        }
        if !added.is_empty() {
            let mut served = None;
            self.for_each_record::<Training, StoreError>(|t| {
                if served.is_none() {
                    served = t.units.iter().find(|u| added.contains(u.as_str())).cloned();
                }
                Ok(())
            })?;
            if let Some(code) = served {
                return Err(StoreError::refused(D::UndoAddServed, &[&code]));
            }
        }
        set.rebuild_totals = true;
        for entry in undos {
            self.journal(&mut set, entry)?;
        }
        self.apply(set)
    }

    /// The journal entry of undoing `row`: its record on the other side (an added record
    /// reads as removed), naming the entry it undid.
    fn undo_entry(&self, row: &(u64, JournalEntry)) -> JournalEntry {
        let (id, e) = row;
        let mut undo = self.entry("undo", &e.kind, e.unit.as_deref(), e.summary.clone());
        undo.action = "undo".into();
        undo.undoes = Some(*id);
        undo.key = e.key.clone();
        undo.before = e.after.clone();
        undo.after = e.before.clone();
        undo
    }
}

/// A `UnitChange` as an import writes it: borrowed from the import's units, so that a national
/// file's batch is not a second copy of the file (each `Unit` is ~250 bytes inline; 550,000 of
/// them were ~160 MB of the import's peak). It encodes exactly as `UnitChange`.
#[derive(serde::Serialize)]
pub(crate) struct UnitChangeRef<'u> {
    pub code: &'u str,
    pub before: Option<&'u Unit>,
}

/// The values of a bulk import of units' batch: JSON arrays of `UnitChange`, `UNIT_CHUNK` each.
pub(crate) fn unit_batch(changes: &[UnitChangeRef<'_>]) -> Result<Vec<Vec<u8>>> {
    changes
        .chunks(UNIT_CHUNK)
        .map(|part| {
            serde_json::to_vec(part).map_err(|e| StoreError::Corrupt(format!("an import's batch of units: {e}")))
        })
        .collect()
}
