//! Adding records: the streamed bulk import (`storage::BulkImport`), which the small writes
//! (`add_records`, a reversal) go through too, as the sled store's do. Rows are checked in
//! chunks against the server and the rows before them (nothing written); then each chunk is
//! sent by binary COPY into a session-private staging table (COPY is refused on tables under
//! row-level security), inside one transaction opened by the first chunk; `finish` moves them
//! with one `INSERT … SELECT … ON CONFLICT DO NOTHING` that the policies check row by row, marks
//! them with the import's token (the transaction's id) and journals them (row by row up to
//! `ROW_BY_ROW_LIMIT` added, else one entry naming the token), then commits. Dropped before
//! `finish`, the transaction is rolled back: nothing of it stays. Budget rows from
//! `partition::PARTITION_FROM` on are moved by `shegong.import_budget` instead, into a partition
//! of their own indexed after the load (`partition`), in the same transaction; when that many
//! were checked before the first write (a streamed import checks all of its rows first), they
//! are COPYed straight into the partition instead of the staging table (migration 9).
//!
//! A re-import adds nothing: each row carries its content hash and its occurrence (the n-th
//! identical row of this input, as the sled store counts it), unique per kind.

use super::backend::PgStorage;
use super::partition;
use super::rows;
use super::stage::{self, stage};
use super::tx::statements;
use crate::domain::{Problem, RecordId, RecordKind};
use crate::i18n::Lang;
use crate::record::{AnyRecord, Record, Rows};
use crate::registry::journal::{import_summary, json, row_summary, JournalEntry, IMPORT_PREFIX, ROW_BY_ROW_LIMIT};
use crate::registry::rules;
use crate::storage::BulkImport;
use crate::store::{AddOutcome, Result, RowProblem, StoreError};
use crate::words::{say, D};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The ids of added records an outcome keeps, as the sled store does.
const KEYS_KEPT: usize = 10_000;

/// How `finish` journals what it added.
pub(super) enum Journaled {
    /// Row by row up to the limit, else one import entry.
    Rows,
    /// One reversal (冲销) of the budget entry named.
    Reversal(String),
}

/// One streamed import of one kind.
pub struct PgImport<'s> {
    store: &'s PgStorage,
    kind: RecordKind,
    pub(super) restoring: bool,
    /// Whether each unit exists and has a station, as read.
    facts: HashMap<String, Option<bool>>,
    /// Ids met in this input (checking, then again writing).
    ids_seen: HashSet<String>,
    writing: bool,
    /// How many times each content was met while writing: the next row's occurrence.
    seen: HashMap<Vec<u8>, i32>,
    /// Rows sent to the staging table.
    sent: i64,
    /// Rows checked (before the first write: the rows a streamed import will write).
    checked: i64,
    /// Budget rows going straight into a partition of their own (migration 9).
    direct: Option<partition::Direct>,
    /// The transaction is open (the first chunk was written).
    open: bool,
    token: i64,
    /// The `seq` a single row is put back under (undoing its deletion keeps its id).
    seq_back: Option<i64>,
    /// Inside a restore's transaction: a savepoint, not a transaction of its own.
    nested: bool,
}

impl PgStorage {
    pub(super) fn import_of(&self, kind: RecordKind) -> Result<PgImport<'_>> {
        self.require_writer(None)?;
        Ok(PgImport {
            store: self,
            kind,
            restoring: false,
            facts: HashMap::default(),
            ids_seen: HashSet::default(),
            writing: false,
            seen: HashMap::default(),
            sent: 0,
            checked: 0,
            direct: None,
            open: false,
            token: 0,
            seq_back: None,
            nested: false,
        })
    }

    /// Adds records all or nothing: checked, staged and moved in one transaction.
    pub(super) fn add_rows(&self, rows: Rows<'_>, restoring: bool, journaled: Journaled) -> Result<AddOutcome> {
        let mut session = self.import_of(rows.kind())?;
        session.restoring = restoring;
        session.seq_back = self.deleted_seq(rows)?;
        let problems = session.check_rows(rows, 0)?;
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        session.write_rows(rows)?;
        session.finish_with(journaled)
    }
}

impl PgStorage {
    /// While undoing the deletion of one record, the `seq` it had: put back, it keeps its id
    /// (as a sled key, made of the record's content, does), so that the journal's entries
    /// about it still name it.
    fn deleted_seq(&self, rows: Rows<'_>) -> Result<Option<i64>> {
        let Some(undone) = self.undoing.get() else {
            return Ok(None);
        };
        let kind = rows.kind();
        let single = match rows {
            Rows::Evaluations(r) => r.len() == 1,
            Rows::Trainings(r) => r.len() == 1,
            Rows::Budget(r) => r.len() == 1,
        };
        if !single {
            return Ok(None);
        }
        let found = self.read_history(1, &mut |number, _| number == undone)?;
        Ok(found.into_iter().next().and_then(|(_, e)| {
            let deleted = e.action == "delete" && e.kind == kind.name();
            let id = e.key.as_deref().map(crate::domain::RecordId::new)?;
            deleted.then(|| rows::seq_of(kind, &id)).flatten()
        }))
    }
}

/// The owner and the ids of a row, for any kind.
fn row_facts<R: Record>(record: &R) -> (&str, Option<&str>) {
    (record.owner(), record.id())
}

impl PgImport<'_> {
    /// Whether `code` exists, and has a station; read once per unit.
    fn facts(&mut self, code: &str) -> Result<Option<bool>> {
        if let Some(f) = self.facts.get(code) {
            return Ok(*f);
        }
        let row = self
            .store
            .client()?
            .query_opt("SELECT station <> 'none' FROM shegong.units WHERE code = $1", &[&code])
            .map_err(|e| self.store.err(&e))?;
        let facts = row
            .map(|r| r.try_get::<_, bool>(0))
            .transpose()
            .map_err(|e| self.store.err(&e))?;
        self.facts.insert(code.to_string(), facts);
        Ok(facts)
    }

    /// Reads the facts of every unit these rows name that was not read yet, in one query.
    fn read_facts<R: Record>(&mut self, rows: &[R]) -> Result<()> {
        let mut wanted: Vec<&str> = Vec::new();
        let mut asked: HashSet<&str> = HashSet::default();
        for record in rows {
            let named = std::iter::once(record.owner()).chain(record.references().into_iter().map(|(_, c)| c));
            for code in named {
                if !self.facts.contains_key(code) && asked.insert(code) {
                    wanted.push(code);
                }
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let found = self
            .store
            .client()?
            .query(
                "SELECT code, station <> 'none' FROM shegong.units WHERE code = ANY($1)",
                &[&wanted],
            )
            .map_err(|e| self.store.err(&e))?;
        for code in &wanted {
            self.facts.insert(code.to_string(), None);
        }
        for row in &found {
            let code: String = row.try_get(0).map_err(|e| self.store.err(&e))?;
            let station: bool = row.try_get(1).map_err(|e| self.store.err(&e))?;
            self.facts.insert(code, Some(station));
        }
        Ok(())
    }

    fn check_typed<R: Record>(&mut self, rows: &[R], first_row: usize) -> Result<Vec<RowProblem>> {
        self.read_facts(rows)?;
        let mut problems = Vec::new();
        // The stored records of the ids these rows give: same content is the same record.
        let ids: Vec<&str> = rows.iter().filter_map(|r| r.id()).collect();
        let mut stored: HashMap<String, Vec<u8>> = HashMap::default();
        if !ids.is_empty() {
            let t = rows::table(R::KIND);
            let found = self
                .store
                .client()?
                .query(
                    &format!("SELECT id, content_hash FROM {} WHERE id = ANY($1)", t.name),
                    &[&ids],
                )
                .map_err(|e| self.store.err(&e))?;
            for row in &found {
                stored.insert(
                    row.try_get(0).map_err(|e| self.store.err(&e))?,
                    row.try_get(1).map_err(|e| self.store.err(&e))?,
                );
            }
        }
        for (i, record) in rows.iter().enumerate() {
            let row = first_row + i;
            let (owner_code, id) = row_facts(record);
            let owner = self.facts(owner_code)?;
            let mut found = Vec::new();
            let mut references = Vec::new();
            for (_, code) in record.references() {
                references.push((code.to_string(), self.facts(code)?.is_some()));
            }
            rules::record_problems(
                record,
                if self.restoring {
                    rules::Fields::Restored
                } else {
                    rules::Fields::Check
                },
                owner.map(|has_station| rules::Owner { has_station }),
                |code| Ok(references.iter().any(|(c, exists)| c == code && *exists)),
                |problem| found.push(problem),
            )?;
            problems.extend(found.into_iter().map(|problem| RowProblem { row, problem }));
            let mut bad = |problem: Problem| problems.push(RowProblem { row, problem });
            if owner.is_none() {
                continue;
            }
            // A clerk's row outside its units: refused before anything is written.
            self.store.require_writer(Some(owner_code))?;
            if let Some(id) = id {
                if !self.ids_seen.insert(id.to_string()) {
                    bad(rules::twice_in_file("id", id));
                    continue;
                }
                if let Some(hash) = stored.get(id) {
                    if *hash != rows::content_hash(record)? {
                        bad(rules::id_conflict(id));
                    }
                }
            }
        }
        Ok(problems)
    }

    fn check_rows(&mut self, rows: Rows<'_>, first_row: usize) -> Result<Vec<RowProblem>> {
        self.same_kind(rows)?;
        let n = match rows {
            Rows::Evaluations(r) => r.len(),
            Rows::Trainings(r) => r.len(),
            Rows::Budget(r) => r.len(),
        };
        let n = i64::try_from(n).map_err(|_| StoreError::Overflow)?;
        self.checked = self.checked.checked_add(n).ok_or(StoreError::Overflow)?;
        match rows {
            Rows::Evaluations(r) => self.check_typed(r, first_row),
            Rows::Trainings(r) => self.check_typed(r, first_row),
            Rows::Budget(r) => self.check_typed(r, first_row),
        }
    }

    fn same_kind(&self, rows: Rows<'_>) -> Result<()> {
        if rows.kind() == self.kind {
            return Ok(());
        }
        let text = |lang: Lang| {
            say(
                lang,
                D::ImportWrongKind,
                &[&self.kind.label(lang), &rows.kind().label(lang)],
            )
        };
        Err(StoreError::Refused {
            zh: text(Lang::Zh),
            en: text(Lang::En),
        })
    }

    /// Opens the transaction (and makes the staging table once per connection).
    fn begin(&mut self) -> Result<()> {
        if self.open {
            return Ok(());
        }
        let (table, columns, _) = stage(self.kind);
        let mut client = self.store.client()?;
        if !self.store.staged(self.kind) {
            // Outside the transaction, so that a rolled-back import does not take it along.
            client
                .batch_execute(&format!(
                    "CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS"
                ))
                .map_err(|e| self.store.err(&e))?;
            if self.kind == RecordKind::Budget {
                client
                    .batch_execute(partition::STAGE_READABLE)
                    .map_err(|e| self.store.err(&e))?;
            }
            self.store.set_staged(self.kind);
        }
        self.nested = self.store.held();
        client
            .batch_execute(statements(self.nested).0)
            .map_err(|e| self.store.err(&e))?;
        self.open = true;
        // The move into the table sorts the staged rows into input order: in memory, not on disk.
        client
            .batch_execute("SET LOCAL work_mem = '256MB'")
            .map_err(|e| self.store.err(&e))?;
        let row = client
            .query_one("SELECT pg_current_xact_id()::text::bigint", &[])
            .map_err(|e| self.store.err(&e))?;
        self.token = row.try_get(0).map_err(|e| self.store.err(&e))?;
        drop(client);
        if self.kind == RecordKind::Budget
            && self.seq_back.is_none()
            && (partition::PARTITION_FROM..=partition::DIRECT_UP_TO).contains(&self.checked)
        {
            self.direct = Some(self.store.begin_partition(self.token, self.checked)?);
        }
        Ok(())
    }

    fn write_rows(&mut self, rows: Rows<'_>) -> Result<()> {
        self.same_kind(rows)?;
        if !self.writing {
            self.writing = true;
            self.ids_seen.clear();
        }
        self.begin()?;
        let (table, _, types) = stage(self.kind);
        let store = self.store;
        let mut client = store.client()?;
        let (seen, sent) = (&mut self.seen, &mut self.sent);
        match self.direct {
            Some(direct) => stage::copy_with(&mut *client, store, &direct.copy_statement(), types, |writer| {
                stage::send(writer, rows, seen, (sent, direct.base), store)
            }),
            None => stage::copy_into(&mut *client, store, table, types, |writer| {
                stage::send(writer, rows, seen, (sent, 0), store)
            }),
        }
    }

    /// Moves the staged rows into the table, journals them, commits.
    pub(super) fn finish_with(mut self, journaled: Journaled) -> Result<AddOutcome> {
        let mut outcome = AddOutcome::default();
        if !self.open {
            return Ok(outcome);
        }
        let t = rows::table(self.kind);
        let (table, _, _) = stage(self.kind);
        let columns = t.columns;
        let budget = self.kind == RecordKind::Budget;
        let partitioned = match self.direct {
            Some(_) => Some(self.store.finish_partition(self.token)?),
            None if budget && self.seq_back.is_none() && self.sent >= partition::PARTITION_FROM => {
                Some(self.store.import_partition(self.token)?)
            }
            None => None,
        };
        let (seqs, added) = if let Some(done) = partitioned {
            let seqs = match done.part {
                Some(part) => self.store.partition_seqs(part, KEYS_KEPT)?,
                None => Vec::new(),
            };
            (seqs, done.added)
        } else {
            // Budget rows: what a bulk import's partition stores is left out here (the main
            // partition's unique index sees only its own rows), after the lock that keeps bulk
            // imports out until this commits.
            let stored_elsewhere = if budget {
                self.store.share_budget_lock()?;
                "WHERE NOT EXISTS (SELECT FROM shegong.budget b
                                    WHERE b.content_hash = s.content_hash AND b.occurrence = s.occurrence)"
            } else {
                ""
            };
            let added = match self.seq_back.filter(|_| self.sent == 1) {
                None => {
                    let sql = format!(
                        "INSERT INTO {} ({columns}, content_hash, occurrence, batch)
                         SELECT {columns}, content_hash, occurrence, $1 FROM pg_temp.{table} s {stored_elsewhere}
                         ORDER BY ord ON CONFLICT DO NOTHING RETURNING seq",
                        t.name
                    );
                    self.store.client()?.query(&sql, &[&self.token])
                }
                Some(seq) => {
                    let sql = format!(
                        "INSERT INTO {} (seq, {columns}, content_hash, occurrence, batch) OVERRIDING SYSTEM VALUE
                         SELECT $2, {columns}, content_hash, occurrence, $1 FROM pg_temp.{table} s {stored_elsewhere}
                         ON CONFLICT DO NOTHING RETURNING seq",
                        t.name
                    );
                    self.store.client()?.query(&sql, &[&self.token, &seq])
                }
            }
            .map_err(|e| self.store.err(&e))?;
            let mut seqs = added
                .iter()
                .map(|row| row.try_get::<_, i64>(0))
                .collect::<std::result::Result<Vec<i64>, _>>()
                .map_err(|e| self.store.err(&e))?;
            seqs.sort_unstable();
            let added = seqs.len();
            (seqs, added)
        };
        outcome.added = added;
        outcome.already_present = usize::try_from(self.sent)
            .map_err(|_| StoreError::Overflow)?
            .saturating_sub(added);
        outcome.keys = seqs
            .iter()
            .take(KEYS_KEPT)
            .map(|s| rows::record_id(self.kind, *s))
            .collect();
        let entries = self.entries(&seqs, added, journaled)?;
        if let Some(refusal) = entries.refusal {
            return Err(refusal);
        }
        let mut client = self.store.client()?;
        self.store.append(&mut *client, &entries.list)?;
        client
            .batch_execute(statements(self.nested).1)
            .map_err(|e| self.store.err(&e))?;
        self.open = false;
        Ok(outcome)
    }

    /// The journal entries of what was added (`added` rows, the first of them `seqs`, in input
    /// order: all of them when they are few enough to be journaled row by row).
    fn entries(&self, seqs: &[i64], added: usize, journaled: Journaled) -> Result<Entries> {
        let kind = self.kind.name();
        let mut list = Vec::new();
        if let Journaled::Reversal(of) = journaled {
            let Some(seq) = seqs.first() else {
                return Ok(Entries {
                    list,
                    refusal: Some(super::backend::refused(D::ReversalStoredAlready, &[])),
                });
            };
            let (id, record) = self.added_record(*seq)?;
            let mut entry = self.store.entry(
                "add",
                "budget",
                Some(record_owner(&record)),
                format!("{}{of}", crate::registry::journal::REVERSES),
            );
            entry.key = Some(id.to_string());
            entry.after = record_json(&record)?;
            list.push(entry);
            return Ok(Entries { list, refusal: None });
        }
        if added > ROW_BY_ROW_LIMIT {
            let mut entry = self.store.entry("import", kind, None, import_summary(kind, added, 0));
            entry.key = Some(format!("{IMPORT_PREFIX}{}", self.token));
            list.push(entry);
        } else {
            let n = seqs.len();
            for (k, seq) in seqs.iter().enumerate() {
                let (id, record) = self.added_record(*seq)?;
                let summary = row_summary(format!("{kind} added"), k + 1, n);
                let mut entry: JournalEntry = self.store.entry("add", kind, Some(record_owner(&record)), summary);
                entry.key = Some(id.to_string());
                entry.after = record_json(&record)?;
                list.push(entry);
            }
        }
        Ok(Entries { list, refusal: None })
    }

    fn added_record(&self, seq: i64) -> Result<(RecordId, AnyRecord)> {
        let t = rows::table(self.kind);
        let row = self
            .store
            .client()?
            .query_one(&format!("SELECT {} FROM {} WHERE seq = $1", t.columns, t.name), &[&seq])
            .map_err(|e| self.store.err(&e))?;
        Ok((rows::record_id(self.kind, seq), rows::record(self.kind, &row, 0)?))
    }
}

struct Entries {
    list: Vec<JournalEntry>,
    refusal: Option<StoreError>,
}

pub(super) fn record_owner(record: &AnyRecord) -> &str {
    match record {
        AnyRecord::Evaluation(e) => &e.unit,
        AnyRecord::Training(t) => &t.host,
        AnyRecord::Budget(b) => &b.unit,
    }
}

pub(super) fn record_json(record: &AnyRecord) -> Result<Option<String>> {
    match record {
        AnyRecord::Evaluation(e) => json(e),
        AnyRecord::Training(t) => json(t),
        AnyRecord::Budget(b) => json(b),
    }
}

impl BulkImport for PgImport<'_> {
    fn check(&mut self, rows: Rows<'_>, first_row: usize) -> Result<Vec<RowProblem>> {
        self.check_rows(rows, first_row)
    }
    fn write(&mut self, rows: Rows<'_>) -> Result<()> {
        self.write_rows(rows)
    }
    fn finish(self: Box<Self>) -> Result<AddOutcome> {
        (*self).finish_with(Journaled::Rows)
    }
}

impl Drop for PgImport<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Not finished (dropped, or a step failed): nothing of it stays. A failure here means the
        // connection is gone, which ends the transaction anyway; it is said, not swallowed.
        let rolled_back = match self.store.client() {
            Ok(mut client) => client
                .batch_execute(statements(self.nested).2)
                .map_err(|e| self.store.err(&e)),
            Err(e) => Err(e),
        };
        if let Err(e) = rolled_back {
            eprintln!("{}", e.message(crate::i18n::Lang::En));
        }
    }
}
