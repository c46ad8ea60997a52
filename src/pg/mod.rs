//! The shared PostgreSQL server's schema, as versioned SQL migrations (issue 13). This module
//! owns the SQL text, and beside it the PostgreSQL backend: `migrate` applies every migration
//! newer than the database's `schema_version`, each in one transaction, in order; `backend`'s
//! `PgStorage` implements `storage::Storage` over the schema; `restore`'s `PgRestore` is the
//! `storage::RestoreTarget` a backup is restored into; `error` maps the server's errors.
//!
//! - `0001_schema.sql`: the schema `shegong` (with ltree in it); `units` with its `ltree` path
//!   kept by a trigger and a version stamp for conflicting saves; `evaluations`, `trainings`,
//!   `budget` (money in `bigint` fen, a content hash so that a re-import adds nothing); the
//!   `journal`, whose id, time and login the server sets; `staff` (login, role, unit); the
//!   staging templates of the bulk import. Its header says why totals are computed on read.
//! - `0002_live.sql`: `NOTIFY shegong_changes` with the units touched, once per statement.
//! - `0003_security.sql`: the group roles `shegong_district`, `shegong_clerk`,
//!   `shegong_auditor`, their grants, the scope functions (keyed by `current_user` through
//!   `staff`) and row-level security, enabled and forced on every table.
//! - `0004_backend.sql`: what the backend needs: `schema_version` (also when 1–3 were applied
//!   by hand), the journal's `undoes` and a restore's own times, each record's import `batch`.
//! - `0005_import_speed.sql`: a faster bulk import: `day_of` inlinable, and `id` unique only
//!   where given (a partial index).
//! - `0006_unit_check.sql`: a record's unit checked once per statement (statement triggers that
//!   lock the units named `FOR KEY SHARE`) instead of by foreign keys row by row; a unit with
//!   records is not deleted nor renamed (a trigger on `units`).
//! - `0007_schemes.sql`: evaluation schemes (only `district` adds them, everyone reads), and an
//!   evaluation's points per indicator.
//! - `0008_budget_partitions.sql`: `budget`
//!   partitioned by `part`; a bulk import of budget rows loads a partition of its own, indexed
//!   after the load and attached in its transaction (`shegong.import_budget`, `partition`).
//! - `0009_budget_copy.sql`: `budget_imports`; such an import's rows are COPYed straight into
//!   its partition (`shegong.begin_budget_import` / `finish_budget_import`, `partition`).
//!
//! `docs/SERVER.md` describes them in words; `tests/pg_security.rs` tries every write a clerk
//! and an auditor could attempt with psql.
//!
//! Connecting: `connect` (from `--db URL` / `$SHEGONG_DB`, the `PG*` variables and the
//! password file), reading the string (`conninfo`), the password file (`pgpass`), TLS (`tls`).
//! Two people saving one unit: `conflict` (its stamp, and the refusal of a stale save).
//! Connecting again after the server went away, at once or on a thread (the UI): `again`. The
//! newest evaluations of many units in one query: `newest`.
//!
//! Logins: `staff` (`staff add|list|remove`). Other people's changes: `listen` (the change
//! feed's own connection, `LISTEN shegong_changes`).

pub mod connect;
pub mod conninfo;
pub mod pgpass;
pub mod staff;
pub mod tls;

mod again;
pub mod backend;
mod conflict;
pub mod error;
mod import;
mod journal;
mod listen;
pub mod migrate;
mod newest;
mod partition;
mod read;
pub mod restore;
mod rows;
mod schemes;
mod stage;
mod totals;
mod tx;
mod unit_stage;
mod write;

/// Every migration, by version, in the order they are applied.
pub const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_schema.sql")),
    (2, include_str!("migrations/0002_live.sql")),
    (3, include_str!("migrations/0003_security.sql")),
    (4, include_str!("migrations/0004_backend.sql")),
    (5, include_str!("migrations/0005_import_speed.sql")),
    (6, include_str!("migrations/0006_unit_check.sql")),
    (7, include_str!("migrations/0007_schemes.sql")),
    (8, include_str!("migrations/0008_budget_partitions.sql")),
    (9, include_str!("migrations/0009_budget_copy.sql")),
];

/// The group roles a login is put in, by the role `staff add` gives it.
pub const GROUPS: &[(&str, &str)] = &[
    ("district", "shegong_district"),
    ("clerk", "shegong_clerk"),
    ("auditor", "shegong_auditor"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (i, (version, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version as usize, i + 1);
            assert!(
                sql.contains("SET LOCAL search_path = pg_catalog, shegong;"),
                "migration {version}"
            );
        }
    }
}
