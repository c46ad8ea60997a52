//! Bringing a database's schema up to this program's: `apply` runs every migration of
//! `pg::MIGRATIONS` newer than the database's `shegong.schema_version`, each in its own
//! transaction (with the version row written in the same one, so a migration is either wholly
//! there and counted, or not at all), in order; `version` reads where a database stands.
//!
//! `schema_version` is made in the transaction of migration 1, since that migration makes the
//! schema it lives in; migration 3's `GRANT SELECT ON ALL TABLES` then lets every login read it
//! (it holds no row-level data, so it has no policy). Two `init`s at once wait for each other
//! on a transaction-scoped advisory lock, and the second finds the work done.

use super::error::store_error;
use super::MIGRATIONS;
use crate::store::StoreError;
use postgres::Client;

/// The version this program's schema has: the newest migration's.
pub fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Serialises migrations of one database (an arbitrary constant, "shegong" in ASCII).
const LOCK: i64 = 0x0073_6865_676f_6e67;

/// The database's schema version; `None` when shegong's schema is not there at all.
pub fn version(client: &mut Client) -> Result<Option<u32>, StoreError> {
    let row = client
        .query_one(
            "SELECT to_regclass('shegong.schema_version') IS NOT NULL,
                    EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'shegong')",
            &[],
        )
        .map_err(|e| store_error(&e, "", ""))?;
    let (table, schema): (bool, bool) = (row.get(0), row.get(1));
    if !table {
        if schema {
            return Err(StoreError::Corrupt(
                "the schema shegong exists without shegong.schema_version".into(),
            ));
        }
        return Ok(None);
    }
    let found: Option<i32> = client
        .query_one("SELECT max(version) FROM shegong.schema_version", &[])
        .map_err(|e| store_error(&e, "", ""))?
        .get(0);
    match found {
        None => Ok(None),
        Some(v) => u32::try_from(v)
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("shegong.schema_version holds {v}"))),
    }
}

/// Applies every migration newer than the database's version; the version reached. A database
/// newer than this program is refused untouched.
pub fn apply(client: &mut Client) -> Result<u32, StoreError> {
    let supported = latest();
    for (number, sql) in MIGRATIONS {
        let mut tx = client.transaction().map_err(|e| store_error(&e, "", ""))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
            .map_err(|e| store_error(&e, "", ""))?;
        let found = version_in(&mut tx)?;
        if found > supported {
            return Err(StoreError::NewerSchema { found, supported });
        }
        if found >= *number {
            continue;
        }
        tx.batch_execute(sql).map_err(|e| store_error(&e, "", ""))?;
        if *number == 1 {
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS shegong.schema_version (
                   version integer PRIMARY KEY,
                   applied_at timestamptz NOT NULL DEFAULT now()
                 )",
            )
            .map_err(|e| store_error(&e, "", ""))?;
        }
        let v = i32::try_from(*number).map_err(|_| StoreError::Overflow)?;
        tx.execute(
            "INSERT INTO shegong.schema_version (version) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&v],
        )
        .map_err(|e| store_error(&e, "", ""))?;
        tx.commit().map_err(|e| store_error(&e, "", ""))?;
    }
    version(client)?.ok_or_else(|| StoreError::Corrupt("no schema version after migrating".into()))
}

/// The version as seen inside a migration's transaction (0: nothing yet).
fn version_in(tx: &mut postgres::Transaction<'_>) -> Result<u32, StoreError> {
    let exists: bool = tx
        .query_one("SELECT to_regclass('shegong.schema_version') IS NOT NULL", &[])
        .map_err(|e| store_error(&e, "", ""))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let found: Option<i32> = tx
        .query_one("SELECT max(version) FROM shegong.schema_version", &[])
        .map_err(|e| store_error(&e, "", ""))?
        .get(0);
    u32::try_from(found.unwrap_or(0))
        .map_err(|_| StoreError::Corrupt(format!("shegong.schema_version holds {found:?}")))
}
