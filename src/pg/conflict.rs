//! Two people editing one unit: the stamp a form reads when it opens (the unit's `version`,
//! with `updated_by` and `updated_at`, all set by the server's trigger, never by the client),
//! and the refusal of a save whose stamp is stale, naming who saved in between and when.
//! Records cannot conflict: each is its own row, added or deleted whole.

use super::backend::PgStorage;
use crate::storage::UnitStamp;
use crate::store::{Result, StoreError};
use postgres::GenericClient;

/// The stamp's columns: the time in the session's time zone, to the second, as text (the
/// words a person reads, not a value this program computes with).
const STAMP: &str = "SELECT version, updated_by::text, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') \
     FROM shegong.units WHERE code = $1";

impl PgStorage {
    /// The stamp of unit `code`, `None` when there is no such unit (or the login sees none).
    pub(super) fn stamp_of(&self, client: &mut impl GenericClient, code: &str) -> Result<Option<UnitStamp>> {
        self.read_stamp(client, STAMP, code)
    }

    /// `stamp_of` inside a write's transaction, the row locked until it ends: a save that
    /// checked it is not overtaken before it writes.
    pub(super) fn stamp_in(&self, tx: &mut impl GenericClient, code: &str) -> Result<Option<UnitStamp>> {
        self.read_stamp(tx, &format!("{STAMP} FOR UPDATE"), code)
    }

    fn read_stamp(&self, client: &mut impl GenericClient, sql: &str, code: &str) -> Result<Option<UnitStamp>> {
        let Some(row) = client.query_opt(sql, &[&code]).map_err(|e| self.err(&e))? else {
            return Ok(None);
        };
        Ok(Some(UnitStamp {
            version: row.try_get(0).map_err(|e| self.err(&e))?,
            by: row.try_get(1).map_err(|e| self.err(&e))?,
            at: row.try_get(2).map_err(|e| self.err(&e))?,
        }))
    }

    /// The refusal of a save of `unit` that `stamp`'s save overtook.
    pub(super) fn conflict(&self, unit: &str, stamp: UnitStamp) -> StoreError {
        StoreError::Conflict {
            unit: unit.to_string(),
            by: stamp.by,
            at: stamp.at,
        }
    }
}
