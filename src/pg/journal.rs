//! The journal on the server: entries appended in a write's own transaction (last, after
//! every check has passed, so that a refused write takes no number), read back newest first,
//! the reversals in force, and a restore's replacement of the whole journal.
//!
//! An entry's number is the server's `journal.id`, from a sequence the trigger draws on. The
//! entries of one write are appended under a transaction-scoped advisory lock, so they get
//! consecutive numbers even with other clerks writing (undo finds the rows of one import by
//! their numbers), and numbers follow commit order. The lock is held only from the append to
//! the commit. The time and login are the server's (`now()`, `current_user`).

use super::backend::PgStorage;
use crate::registry::journal::{renumbered, JournalEntry, Reversal, IMPORT_PREFIX, REVERSES};
use crate::store::{Result, StoreError};
use postgres::GenericClient;

/// The advisory lock that keeps one write's entries consecutive ("journal" in ASCII).
const JOURNAL_LOCK: i64 = 0x006a_6f75_726e_616c;

/// Entries read per query while walking the journal newest first.
const PAGE: i64 = 500;

const COLUMNS: &str = "id, extract(epoch FROM at)::bigint, login::text, kind, action, unit, record, before::text, \
     after::text, summary, undoes";

fn entry_of(row: &postgres::Row) -> std::result::Result<(u64, JournalEntry), postgres::Error> {
    let id: i64 = row.try_get(0)?;
    let undoes: Option<i64> = row.try_get(10)?;
    Ok((
        id as u64,
        JournalEntry {
            at: row.try_get(1)?,
            operator: row.try_get(2)?,
            kind: row.try_get(3)?,
            action: row.try_get(4)?,
            unit: row.try_get(5)?,
            key: row.try_get(6)?,
            before: row.try_get(7)?,
            after: row.try_get(8)?,
            summary: row.try_get(9)?,
            undoes: undoes.map(|u| u as u64),
        },
    ))
}

fn number(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Overflow)
}

impl PgStorage {
    /// A new entry by this login, journaled as an undo while one is being made.
    pub(super) fn entry(&self, action: &str, kind: &str, unit: Option<&str>, summary: String) -> JournalEntry {
        JournalEntry::new(&self.login, self.undoing.get(), action, kind, unit, summary)
    }

    /// Appends `entries` in the transaction `tx`, numbered consecutively. An entry without a
    /// unit (a bulk import) is filed under a clerk's own unit, the one its writes fall under.
    pub(super) fn append(&self, tx: &mut impl GenericClient, entries: &[JournalEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&JOURNAL_LOCK])
            .map_err(|e| self.err(&e))?;
        // One statement for all of them, in order: the trigger numbers them as they come.
        let mut columns: [Vec<Option<String>>; 7] = Default::default();
        let mut undoes = Vec::with_capacity(entries.len());
        for e in entries {
            let unit = e.unit.clone().or_else(|| self.scope_unit.clone());
            let values = [
                Some(e.kind.clone()),
                Some(e.action.clone()),
                unit,
                e.key.clone(),
                e.before.clone(),
                e.after.clone(),
                Some(e.summary.clone()),
            ];
            for (column, value) in columns.iter_mut().zip(values) {
                column.push(value);
            }
            undoes.push(e.undoes.map(number).transpose()?);
        }
        let [kinds, actions, units, keys, befores, afters, summaries] = &columns;
        tx.execute(
            "INSERT INTO shegong.journal (kind, action, unit, record, before, after, summary, undoes)
             SELECT k, a, u, r, b::jsonb, af::jsonb, s, un
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
                  WITH ORDINALITY AS t (k, a, u, r, b, af, s, un, o)
             ORDER BY o",
            &[kinds, actions, units, keys, befores, afters, summaries, &undoes],
        )
        .map_err(|err| self.err_at(&err, units.iter().flatten().next().map(String::as_str)))?;
        Ok(())
    }

    pub(super) fn read_history(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(u64, &JournalEntry) -> bool,
    ) -> Result<Vec<(u64, JournalEntry)>> {
        let sql = format!("SELECT {COLUMNS} FROM shegong.journal WHERE id < $1 ORDER BY id DESC LIMIT $2");
        let mut out = Vec::new();
        let mut before = i64::MAX;
        loop {
            // The connection is free while `keep` runs.
            let page = self
                .client()?
                .query(&sql, &[&before, &PAGE])
                .map_err(|e| self.err(&e))?;
            for row in &page {
                let (id, entry) = entry_of(row).map_err(|e| self.err(&e))?;
                before = id as i64;
                if keep(id, &entry) {
                    out.push((id, entry));
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
            if (page.len() as i64) < PAGE {
                return Ok(out);
            }
        }
    }

    pub(super) fn read_journal_mark(&self) -> Result<u64> {
        let row = self
            .client()?
            .query_one("SELECT coalesce(max(id), 0) FROM shegong.journal", &[])
            .map_err(|e| self.err(&e))?;
        let mark: i64 = row.try_get(0).map_err(|e| self.err(&e))?;
        u64::try_from(mark).map_err(|_| StoreError::Corrupt(format!("journal number {mark}")))
    }

    /// Every reversal in force, oldest first (as the sled store reads them).
    pub(super) fn read_reversals(&self) -> Result<Vec<Reversal>> {
        let mut undone = std::collections::HashSet::new();
        let mut out = Vec::new();
        self.read_history(0, &mut |id, entry| {
            if let Some(u) = entry.undoes {
                undone.insert(u);
            } else if !undone.contains(&id) && entry.action == "add" {
                if let (Some(of), Some(by)) = (entry.summary.strip_prefix(REVERSES), &entry.key) {
                    out.push(Reversal {
                        of: of.to_string(),
                        by: by.clone(),
                        number: id,
                        record: entry.after.clone(),
                    });
                }
            }
            false
        })?;
        out.reverse();
        Ok(out)
    }

    /// Replaces the journal (the owner's restore): the entries numbered 1, 2, 3, … with their
    /// own times and logins, then the note of this login, in one transaction.
    pub(super) fn write_replaced_journal(
        &self,
        entries: Vec<(u64, JournalEntry)>,
        action: &str,
        kind: &str,
        summary: String,
    ) -> Result<()> {
        let mut tx = self.begin()?;
        tx.batch_execute(
            "DELETE FROM shegong.journal;
             SELECT setval('shegong.journal_id_seq', 1, false);",
        )
        .map_err(|e| self.err(&e))?;
        let insert = tx
            .prepare(
                "INSERT INTO shegong.journal (kind, action, unit, record, before, after, summary, undoes, at, login, restored)
                 VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, to_timestamp($9), $10, true)",
            )
            .map_err(|e| self.err(&e))?;
        for (_, e) in renumbered(entries) {
            // A bulk import's token named rows of the store it was made in.
            let key = e.key.filter(|k| !k.starts_with(IMPORT_PREFIX));
            let undoes = e.undoes.map(number).transpose()?;
            let at = e.at as f64;
            tx.execute(
                &insert,
                &[
                    &e.kind,
                    &e.action,
                    &e.unit,
                    &key,
                    &e.before,
                    &e.after,
                    &e.summary,
                    &undoes,
                    &at,
                    &e.operator,
                ],
            )
            .map_err(|err| self.err(&err))?;
        }
        let note = self.entry(action, kind, None, summary);
        self.append(&mut *tx, &[note])?;
        tx.commit()
    }
}
