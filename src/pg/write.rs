//! The small writes, each one transaction on the server, with the same rules (`registry::rules`)
//! and the same journal entries (`registry::journal`) as the sled store: units added and
//! updated, a record deleted, a budget entry reversed (冲销), a unit deleted, and undo's inverse
//! writes (the rows of one import, a bulk import by its token). Every check runs before the
//! first write, and the journal is appended last (a refused write takes no journal number),
//! except where a unit is deleted: its entry goes first, while the unit is still one the
//! login's policy lets it journal.

use super::backend::{refused, PgStorage};
use super::import::{record_json, record_owner, Journaled};
use super::rows::{self, int, UNIT_COLUMNS};
use crate::domain::{BudgetEntry, Level, RecordId, RecordKind, Unit};
use crate::record::{AnyRecord, Rows};
use crate::registry::journal::{json, row_summary, JournalEntry};
use crate::registry::rules::{self, StoredUnits};
use crate::storage::UnitStamp;
use crate::store::{Result, StoreError, UnitOutcome};
use crate::words::D;
use postgres::GenericClient;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Every stored unit's parent and level, read once for a batch's checks.
struct Known(HashMap<String, (Option<String>, Level)>);

impl StoredUnits for Known {
    fn parent_and_level(&mut self, code: &str) -> Result<Option<(Option<String>, Level)>> {
        Ok(self.0.get(code).cloned())
    }
    fn children_of(&mut self, code: &str) -> Result<Vec<(String, Level)>> {
        Ok(self
            .0
            .iter()
            .filter(|(_, (parent, _))| parent.as_deref() == Some(code))
            .map(|(c, (_, level))| (c.clone(), *level))
            .collect())
    }
}

/// A unit's values as statement parameters, in `UNIT_COLUMNS` order.
fn unit_params(u: &Unit) -> Result<[Box<dyn postgres::types::ToSql + Sync>; 14]> {
    Ok([
        Box::new(u.code.clone()),
        Box::new(u.parent.clone()),
        Box::new(u.level.en()),
        Box::new(u.name.clone()),
        Box::new(u.station.en()),
        Box::new(u.opened_on.map(|d| d.to_string())),
        Box::new(u.closed_on.map(|d| d.to_string())),
        Box::new(u.operator.clone()),
        Box::new(u.address.clone()),
        Box::new(u.contact.clone()),
        Box::new(u.phone.clone()),
        Box::new(u.note.clone()),
        Box::new(int(u.social_workers)?),
        Box::new(int(u.certified_workers)?),
    ])
}

const UNIT_INSERT: &str = "INSERT INTO shegong.units (code, parent, level, name, station, opened_on, closed_on, \
     operator, address, contact, phone, note, social_workers, certified_workers)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
const UNIT_UPDATE: &str = "UPDATE shegong.units SET parent = $2, level = $3, name = $4, station = $5, \
     opened_on = $6, closed_on = $7, operator = $8, address = $9, contact = $10, phone = $11, note = $12, \
     social_workers = $13, certified_workers = $14 WHERE code = $1";

impl PgStorage {
    fn stored_units(&self, tx: &mut impl GenericClient) -> Result<HashMap<String, Unit>> {
        let found = tx
            .query(&format!("SELECT {UNIT_COLUMNS} FROM shegong.units"), &[])
            .map_err(|e| self.err(&e))?;
        let mut out = HashMap::default();
        for row in &found {
            let unit = rows::unit(row, 0)?;
            out.insert(unit.code.clone(), unit);
        }
        Ok(out)
    }

    /// Writes `unit` (added when `old` is `None`), in `tx`; a row the policies hide is refused.
    fn put_unit(&self, tx: &mut impl GenericClient, unit: &Unit, added: bool) -> Result<()> {
        self.put_unit_at(tx, unit, added, None)
    }

    /// `put_unit`, an update only of the stored version `expected` when given (a form's save):
    /// no row then is someone else's save in between, `Conflict`.
    fn put_unit_at(&self, tx: &mut impl GenericClient, unit: &Unit, added: bool, expected: Option<i64>) -> Result<()> {
        let mut params: Vec<_> = Vec::from(unit_params(unit)?);
        let update = match expected {
            Some(version) if !added => {
                params.push(Box::new(version));
                format!("{UNIT_UPDATE} AND version = $15")
            }
            _ => UNIT_UPDATE.to_string(),
        };
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let n = tx
            .execute(if added { UNIT_INSERT } else { update.as_str() }, &refs)
            .map_err(|e| self.err_at(&e, Some(&unit.code)))?;
        if n != 1 {
            if expected.is_some() {
                if let Some(stamp) = self.stamp_in(tx, &unit.code)? {
                    return Err(self.conflict(&unit.code, stamp));
                }
            }
            return Err(self.not_allowed(&unit.code));
        }
        Ok(())
    }

    pub(super) fn write_units(&self, units: &[Unit], restored: bool) -> Result<UnitOutcome> {
        self.write_units_expecting(units, restored, None)
    }

    /// `write_units`, where `expected` (a form's save of one unit) is the version the form
    /// read: a unit stored with another version is someone else's save since, `Conflict`.
    pub(super) fn write_units_expecting(
        &self,
        units: &[Unit],
        restored: bool,
        expected: Option<&UnitStamp>,
    ) -> Result<UnitOutcome> {
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        // Checked first, with the row locked, so that the unit the checks below read is the
        // one this save replaces.
        if let (Some(expected), [unit]) = (expected, units) {
            if let Some(stamp) = self.stamp_in(&mut *tx, &unit.code)? {
                if stamp.version != expected.version {
                    return Err(self.conflict(&unit.code, stamp));
                }
            }
        }
        let version = expected.map(|s| s.version);
        let stored = self.stored_units(&mut *tx)?;
        let mut known = Known(
            stored
                .iter()
                .map(|(code, u)| (code.clone(), (u.parent.clone(), u.level)))
                .collect(),
        );
        let problems = rules::unit_problems(units, !restored, &mut known)?;
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        // A clerk writes its own units and adds below them.
        let mut new_codes: HashSet<&str> = HashSet::default();
        let mut ordered: Vec<&Unit> = units.iter().collect();
        ordered.sort_by_key(|u| u.level);
        for unit in &ordered {
            // A root is the district's to add or move to; anything else goes under a unit
            // this login writes, or one it adds in this batch.
            let parent_ok = match &unit.parent {
                Some(p) => new_codes.contains(p.as_str()) || self.may_write(p)?,
                None => self.role.as_deref() == Some("district"),
            };
            match stored.get(&unit.code) {
                None => {
                    if !parent_ok {
                        return Err(self.not_allowed(&unit.code));
                    }
                    new_codes.insert(&unit.code);
                }
                Some(old) if old != *unit => {
                    let moved_ok = old.parent == unit.parent || parent_ok;
                    if !self.may_write(&unit.code)? || !moved_ok {
                        return Err(self.not_allowed(&unit.code));
                    }
                }
                Some(_) => {}
            }
        }
        let mut outcome = UnitOutcome::default();
        // Many added at once, none updated (an import): staged and moved by level
        // (`unit_stage`). With updates among them, each row in turn, so that an update and an
        // add below it keep the order of levels.
        let added: Vec<&Unit> = ordered
            .iter()
            .copied()
            .filter(|u| !stored.contains_key(&u.code))
            .collect();
        let updates = ordered.iter().any(|u| stored.get(&u.code).is_some_and(|old| old != *u));
        let bulk = !updates && added.len() >= super::unit_stage::BULK_FROM;
        if bulk {
            self.insert_units_bulk(&mut *tx, &added)?;
            outcome.added = added.len();
        }
        // Parents before children: levels deepen down the hierarchy.
        for unit in &ordered {
            match stored.get(&unit.code) {
                None if bulk => {}
                None => {
                    self.put_unit(&mut *tx, unit, true)?;
                    outcome.added += 1;
                }
                Some(old) if old != *unit => {
                    self.put_unit_at(&mut *tx, unit, false, version)?;
                    outcome.updated += 1;
                }
                Some(_) => outcome.unchanged += 1,
            }
        }
        // Journaled in the batch's order, row by row (the server keeps no batch of units: an
        // import of many units is taken back by its rows).
        let changes = outcome.added + outcome.updated;
        let mut entries = Vec::with_capacity(changes);
        let mut k = 0;
        for unit in units {
            let old = stored.get(&unit.code);
            let action = match old {
                None => "add",
                Some(old) if old != unit => "update",
                Some(_) => continue,
            };
            k += 1;
            let summary = row_summary(format!("unit {} {action}", unit.code), k, changes);
            let mut entry = self.entry(action, "unit", Some(&unit.code), summary);
            entry.before = match old {
                Some(old) => json(old)?,
                None => None,
            };
            entry.after = json(unit)?;
            entries.push(entry);
        }
        self.append(&mut *tx, &entries)?;
        tx.commit()?;
        self.forget_scope();
        Ok(outcome)
    }

    /// The record of `kind` under `id`, and its `seq`; `UnknownRecord` when there is none.
    fn stored_record(&self, tx: &mut impl GenericClient, kind: RecordKind, id: &RecordId) -> Result<(i64, AnyRecord)> {
        let unknown = || StoreError::UnknownRecord(id.to_string());
        let seq = rows::seq_of(kind, id).ok_or_else(unknown)?;
        let t = rows::table(kind);
        let row = tx
            .query_opt(&format!("SELECT {} FROM {} WHERE seq = $1", t.columns, t.name), &[&seq])
            .map_err(|e| self.err(&e))?
            .ok_or_else(unknown)?;
        Ok((seq, rows::record(kind, &row, 0)?))
    }

    /// Deletes the records `seqs` of a kind in `tx`; each must be there and writable.
    fn remove_records(&self, tx: &mut impl GenericClient, kind: RecordKind, seqs: &[i64], unit: &str) -> Result<()> {
        let t = rows::table(kind);
        let n = tx
            .execute(&format!("DELETE FROM {} WHERE seq = ANY($1)", t.name), &[&seqs])
            .map_err(|e| self.err_at(&e, Some(unit)))?;
        if n as usize != seqs.len() {
            return Err(self.not_allowed(unit));
        }
        Ok(())
    }

    pub(super) fn remove_record(&self, kind: RecordKind, id: &RecordId) -> Result<AnyRecord> {
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        let (seq, record) = self.stored_record(&mut *tx, kind, id)?;
        let owner = record_owner(&record).to_string();
        self.require_writer(Some(&owner))?;
        self.remove_records(&mut *tx, kind, &[seq], &owner)?;
        let name = kind.name();
        let mut entry = self.entry("delete", name, Some(&owner), format!("{name} deleted"));
        entry.key = Some(id.to_string());
        entry.before = record_json(&record)?;
        self.append(&mut *tx, &[entry])?;
        tx.commit()?;
        Ok(record)
    }

    pub(super) fn reversible(&self, of: &RecordId) -> Result<()> {
        let of_text = of.to_string();
        let named = |r: &crate::registry::journal::Reversal| {
            r.record
                .as_deref()
                .and_then(|j| serde_json::from_str::<BudgetEntry>(j).ok())
                .map(|b| format!("{} {}", b.date, b.amount.yuan()))
                .unwrap_or_default()
        };
        for r in self.read_reversals()? {
            if r.of == of_text {
                let what = named(&r);
                return Err(refused(D::ReversedAlready, &[&r.number, &what]));
            }
            if r.by == of_text {
                return Err(refused(D::ReversalNotReversible, &[&r.number]));
            }
        }
        let mut client = self.client()?;
        let (_, record) = self.stored_record(&mut *client, RecordKind::Budget, of)?;
        drop(client);
        self.require_writer(Some(record_owner(&record)))
    }

    pub(super) fn reverse(&self, of: &RecordId, reversal: &BudgetEntry) -> Result<RecordId> {
        self.reversible(of)?;
        let outcome = self.add_rows(
            Rows::Budget(std::slice::from_ref(reversal)),
            false,
            Journaled::Reversal(of.to_string()),
        )?;
        outcome
            .keys
            .into_iter()
            .next()
            .ok_or_else(|| refused(D::ReversalStoredAlready, &[]))
    }

    /// Why the unit may not be deleted, if it may not: unknown, units below it, records, a
    /// training that serves it.
    pub(super) fn deletable(&self, tx: &mut impl GenericClient, code: &str) -> Result<Unit> {
        let row = tx
            .query_opt(
                &format!("SELECT {UNIT_COLUMNS} FROM shegong.units WHERE code = $1"),
                &[&code],
            )
            .map_err(|e| self.err(&e))?
            .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
        let unit = rows::unit(&row, 0)?;
        let facts = tx
            .query_one(
                "SELECT EXISTS (SELECT FROM shegong.units WHERE parent = $1),
                        EXISTS (SELECT FROM shegong.evaluations WHERE unit = $1)
                     OR EXISTS (SELECT FROM shegong.trainings WHERE host = $1)
                     OR EXISTS (SELECT FROM shegong.budget WHERE unit = $1),
                        EXISTS (SELECT FROM shegong.trainings WHERE $1 = ANY (units))",
                &[&code],
            )
            .map_err(|e| self.err(&e))?;
        let fact = |i: usize| -> Result<bool> { facts.try_get(i).map_err(|e| self.err(&e)) };
        if fact(0)? {
            return Err(refused(D::DeleteHasChildren, &[&code]));
        }
        if fact(1)? {
            return Err(refused(D::DeleteHasRecords, &[&code]));
        }
        if fact(2)? {
            return Err(refused(D::DeleteServed, &[&code]));
        }
        self.require_writer(Some(code))?;
        Ok(unit)
    }

    pub(super) fn remove_unit(&self, code: &str) -> Result<Unit> {
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        let unit = self.deletable(&mut *tx, code)?;
        let mut entry = self.entry("delete", "unit", Some(code), format!("unit {code} delete"));
        entry.before = json(&unit)?;
        self.append(&mut *tx, &[entry])?;
        let n = tx
            .execute("DELETE FROM shegong.units WHERE code = $1", &[&code])
            .map_err(|e| self.err_at(&e, Some(code)))?;
        if n != 1 {
            return Err(self.not_allowed(code));
        }
        tx.commit()?;
        self.forget_scope();
        Ok(unit)
    }

    /// The journal entry of undoing `row` (as the sled store writes it).
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

    pub(super) fn undo_record_rows(&self, kind: RecordKind, rows: &[(u64, JournalEntry)]) -> Result<()> {
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        for (_, e) in rows {
            let id = e
                .key
                .as_deref()
                .map(RecordId::new)
                .ok_or_else(|| StoreError::CannotUndo(e.summary.clone()))?;
            let (seq, record) = self.stored_record(&mut *tx, kind, &id)?;
            let owner = record_owner(&record).to_string();
            self.require_writer(Some(&owner))?;
            self.remove_records(&mut *tx, kind, &[seq], &owner)?;
        }
        let undos: Vec<JournalEntry> = rows.iter().map(|row| self.undo_entry(row)).collect();
        self.append(&mut *tx, &undos)?;
        tx.commit()
    }

    pub(super) fn undo_unit_rows(&self, rows: &[(u64, JournalEntry)]) -> Result<()> {
        let read = |json: &Option<String>| -> Result<Option<Unit>> {
            json.as_deref()
                .map(serde_json::from_str::<Unit>)
                .transpose()
                .map_err(|err| StoreError::Corrupt(format!("journal entry: {err}")))
        };
        let mut changes = Vec::with_capacity(rows.len());
        for (_, e) in rows {
            let after = read(&e.after)?.ok_or_else(|| StoreError::CannotUndo(e.summary.clone()))?;
            changes.push((after.code, read(&e.before)?));
        }
        let added: HashSet<&str> = changes
            .iter()
            .filter(|(_, before)| before.is_none())
            .map(|(code, _)| code.as_str())
            .collect();
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        let stored = self.stored_units(&mut *tx)?;
        // Checks first: an added unit goes only with everything below it, and without records.
        for (code, before) in &changes {
            if !stored.contains_key(code) {
                return Err(StoreError::UnknownUnit(code.clone()));
            }
            self.require_writer(Some(code))?;
            if before.is_some() {
                continue;
            }
            for child in stored.values().filter(|u| u.parent.as_deref() == Some(code.as_str())) {
                if !added.contains(child.code.as_str()) {
                    return Err(refused(D::UndoAddHasChild, &[code, &child.code]));
                }
            }
            let facts = tx
                .query_one(
                    "SELECT EXISTS (SELECT FROM shegong.evaluations WHERE unit = $1)
                         OR EXISTS (SELECT FROM shegong.trainings WHERE host = $1)
                         OR EXISTS (SELECT FROM shegong.budget WHERE unit = $1),
                            EXISTS (SELECT FROM shegong.trainings WHERE $1 = ANY (units))",
                    &[code],
                )
                .map_err(|e| self.err(&e))?;
            let fact = |i: usize| -> Result<bool> { facts.try_get(i).map_err(|e| self.err(&e)) };
            if fact(0)? {
                return Err(refused(D::UndoAddHasRecords, &[code]));
            }
            if fact(1)? {
                return Err(refused(D::UndoAddServed, &[code]));
            }
        }
        // Updates back first (parents before children), then the added units, deepest first.
        let mut updates: Vec<&Unit> = changes.iter().filter_map(|(_, before)| before.as_ref()).collect();
        updates.sort_by_key(|u| u.level);
        for unit in updates {
            self.put_unit(&mut *tx, unit, false)?;
        }
        let mut removed: Vec<&Unit> = added.iter().filter_map(|code| stored.get(*code)).collect();
        removed.sort_by_key(|u| std::cmp::Reverse(u.level));
        let undos: Vec<JournalEntry> = rows.iter().map(|row| self.undo_entry(row)).collect();
        self.append(&mut *tx, &undos)?;
        for unit in removed {
            let n = tx
                .execute("DELETE FROM shegong.units WHERE code = $1", &[&unit.code])
                .map_err(|e| self.err_at(&e, Some(&unit.code)))?;
            if n != 1 {
                return Err(self.not_allowed(&unit.code));
            }
        }
        tx.commit()?;
        self.forget_scope();
        Ok(())
    }

    /// Takes back a bulk import of records: the rows its token marks.
    pub(super) fn undo_batch(&self, kind: Option<RecordKind>, token: u64, undone: (u64, &JournalEntry)) -> Result<()> {
        let (number, e) = undone;
        let cannot = || StoreError::CannotUndo(e.summary.clone());
        let kind = kind.ok_or_else(cannot)?;
        let token = i64::try_from(token).map_err(|_| cannot())?;
        let t = rows::table(kind);
        self.refresh_scope()?;
        let mut tx = self.begin()?;
        let owners = tx
            .query(
                &format!("SELECT DISTINCT {} FROM {} WHERE batch = $1", t.owner, t.name),
                &[&token],
            )
            .map_err(|e| self.err(&e))?;
        if owners.is_empty() {
            return Err(cannot());
        }
        for row in &owners {
            let owner: String = row.try_get(0).map_err(|e| self.err(&e))?;
            self.require_writer(Some(&owner))?;
        }
        tx.execute(&format!("DELETE FROM {} WHERE batch = $1", t.name), &[&token])
            .map_err(|err| self.err(&err))?;
        let undo = JournalEntry::new(
            &self.login,
            Some(number),
            &e.action,
            &e.kind,
            e.unit.as_deref(),
            e.summary.clone(),
        );
        self.append(&mut *tx, &[undo])?;
        tx.commit()
    }
}
