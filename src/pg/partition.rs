//! Budget rows imported in bulk into a partition of their own (migration 8,
//! `0008_budget_partitions.sql`): from `PARTITION_FROM` staged rows on, the import's `finish`
//! calls `shegong.import_budget`, which fills a new partition of `shegong.budget` from the
//! staging table, indexes it after the load and attaches it, all in the import's transaction
//! (so it stays all or nothing, and invisible until the commit). Fewer rows go through
//! `shegong.budget` into its main partition as before, under the lock a bulk import takes
//! exclusively (`share_budget_lock`), and leaving out what any partition stores.
//!
//! Why: a budget row added through the table grows its four btrees one probe and one insert at
//! a time, most of an import's time; a partition's indexes are built by sorting, once.
//!
//! Since migration 9 (`0009_budget_copy.sql`) an import that knows its number of rows before
//! it writes (every streamed import checks the whole input first) skips the staging table:
//! `shegong.begin_budget_import` reserves the rows' `seq` and makes the partition-to-be, the
//! rows are binary-COPYed straight into it (`DIRECT_COLUMNS`), and
//! `shegong.finish_budget_import` takes the login's right to write it away, checks it
//! set-wise, indexes and attaches it. Each row is written once instead of twice.

use super::backend::PgStorage;
use crate::store::{Result, StoreError};

/// From this many staged budget rows on, an import gets a partition of its own. Below it the
/// main partition's indexes cost less than a partition's making (and many small partitions
/// would slow every read's planning).
pub(super) const PARTITION_FROM: i64 = 10_000;

/// At most this many rows go straight into a partition (`begin_budget_import` refuses more: the
/// block of `seq` it reserves is never given back); more go through the staging table.
pub(super) const DIRECT_UP_TO: i64 = 100_000_000;

/// The advisory lock between writers of budget rows: "budget" in ASCII, as in migration 8.
const BUDGET_LOCK: i64 = 0x0000_6275_6467_6574;

/// What `import_budget` did: the partition made (none when every row was stored already) and
/// the rows added.
pub(super) struct Partitioned {
    pub part: Option<i64>,
    pub added: usize,
}

/// Lets `import_budget` (running as the schema's owner) read this session's staging table of
/// budget rows; run once, with the table's making.
pub(super) const STAGE_READABLE: &str = "DO $$ BEGIN
       EXECUTE pg_catalog.format('GRANT SELECT ON pg_temp.stage_budget TO %I',
         (SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = 'shegong'));
     END $$";

/// The columns an import COPYs into its partition (`stage::send`'s budget row, with `seq` first:
/// the reserved block's start plus the row's place in the input).
const DIRECT_COLUMNS: &str =
    "seq, id, date, unit, kind, category, source, amount, voucher, note, content_hash, occurrence";

/// A partition begun by `begin_budget_import`, to COPY into: its number and the block of `seq`
/// (the rows are `base + 1 ..= base + rows`).
#[derive(Clone, Copy)]
pub(super) struct Direct {
    pub part: i64,
    pub base: i64,
}

impl Direct {
    /// The COPY of the import's rows into the partition. FREEZE: the table was made by this
    /// transaction, so its rows are written frozen (no hint bits set by the first reader).
    pub(super) fn copy_statement(self) -> String {
        format!(
            "COPY shegong.budget_p{} ({DIRECT_COLUMNS}) FROM STDIN (FORMAT binary, FREEZE)",
            self.part
        )
    }
}

impl PgStorage {
    /// Begins an import of `rows` budget rows into a partition of its own (`token`: the
    /// transaction's id).
    pub(super) fn begin_partition(&self, token: i64, rows: i64) -> Result<Direct> {
        let row = self
            .client()?
            .query_one(
                "SELECT part, base FROM shegong.begin_budget_import($1, $2)",
                &[&token, &rows],
            )
            .map_err(|e| self.err(&e))?;
        Ok(Direct {
            part: row.try_get(0).map_err(|e| self.err(&e))?,
            base: row.try_get(1).map_err(|e| self.err(&e))?,
        })
    }

    /// Checks and attaches the partition begun by `begin_partition`.
    pub(super) fn finish_partition(&self, token: i64) -> Result<Partitioned> {
        self.partitioned("SELECT part, added FROM shegong.finish_budget_import($1)", token)
    }

    /// Takes the budget rows' lock shared (a bulk import takes it exclusively), before the
    /// statement whose snapshot must see every committed import.
    pub(super) fn share_budget_lock(&self) -> Result<()> {
        self.client()?
            .execute("SELECT pg_advisory_xact_lock_shared($1)", &[&BUDGET_LOCK])
            .map_err(|e| self.err(&e))?;
        Ok(())
    }

    /// Moves the staged budget rows into a partition of their own (`token`: the transaction's id).
    pub(super) fn import_partition(&self, token: i64) -> Result<Partitioned> {
        self.partitioned("SELECT part, added FROM shegong.import_budget($1)", token)
    }

    fn partitioned(&self, statement: &str, token: i64) -> Result<Partitioned> {
        let row = self
            .client()?
            .query_one(statement, &[&token])
            .map_err(|e| self.err(&e))?;
        let part: Option<i64> = row.try_get(0).map_err(|e| self.err(&e))?;
        let added: i64 = row.try_get(1).map_err(|e| self.err(&e))?;
        Ok(Partitioned {
            part,
            added: usize::try_from(added).map_err(|_| StoreError::Overflow)?,
        })
    }

    /// The first `limit` seqs of partition `part`, in order (the import's input order).
    pub(super) fn partition_seqs(&self, part: i64, limit: usize) -> Result<Vec<i64>> {
        let limit = i64::try_from(limit).map_err(|_| StoreError::Overflow)?;
        // The partition named in the statement (a number the server gave), so that it is the
        // only one planned and its index gives the order.
        let found = self
            .client()?
            .query(
                &format!("SELECT seq FROM shegong.budget WHERE part = {part} ORDER BY seq LIMIT $1"),
                &[&limit],
            )
            .map_err(|e| self.err(&e))?;
        found
            .iter()
            .map(|row| row.try_get::<_, i64>(0).map_err(|e| self.err(&e)))
            .collect()
    }
}
