//! Units added in bulk (an import of many units): sent by binary COPY (`stage::copy_into`, as
//! records are) into a session-private staging table, then moved with one `INSERT … SELECT` per
//! level, parents' level first, so that `units_before` finds each parent's path already stored,
//! and the policies check every row.
//! Until this, each unit was its own statement (57,901 units of the synthetic network took
//! about 140 s: the statement's round trip, its NOTIFY trigger and its policies' sub-selects
//! once per unit); now a level is one statement.
//!
//! Everything before it (the rules, the login's scope, naming a refused unit) is the caller's
//! (`write::write_units_expecting`), unchanged; so are the journal entries.

use super::backend::PgStorage;
use super::rows::int;
use crate::domain::{Level, Unit};
use crate::store::{Result, StoreError};
use postgres::types::Type;
use postgres::GenericClient;

/// From this many added units on, they go through staging; fewer are a statement each.
pub(super) const BULK_FROM: usize = 32;

const COLUMNS: &str = "code, parent, level, name, station, opened_on, closed_on, operator, address, contact, \
     phone, note, social_workers, certified_workers";

const TYPES: &[Type] = &[
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
    Type::INT4,
];

impl PgStorage {
    /// Adds `units` (none of them stored yet, parents before children) in `tx`.
    pub(super) fn insert_units_bulk(&self, tx: &mut impl GenericClient, units: &[&Unit]) -> Result<()> {
        // Made in the write's transaction: a write rolled back takes it along, and the next
        // makes it again. `ord` keeps the input's order within a level.
        tx.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS stage_units (ord bigint, code text, parent text, level text, \
             name text, station text, opened_on text, closed_on text, operator text, address text, \
             contact text, phone text, note text, social_workers integer, certified_workers integer) \
             ON COMMIT DELETE ROWS;
             TRUNCATE pg_temp.stage_units",
        )
        .map_err(|e| self.err(&e))?;
        super::stage::copy_into(tx, self, "stage_units", TYPES, |writer| {
            for (ord, u) in (0_i64..).zip(units) {
                writer
                    .write(&[
                        &ord,
                        &u.code,
                        &u.parent,
                        &u.level.en(),
                        &u.name,
                        &u.station.en(),
                        &u.opened_on.map(|d| d.to_string()),
                        &u.closed_on.map(|d| d.to_string()),
                        &u.operator,
                        &u.address,
                        &u.contact,
                        &u.phone,
                        &u.note,
                        &int(u.social_workers)?,
                        &int(u.certified_workers)?,
                    ])
                    .map_err(|e| self.err(&e))?;
            }
            Ok(())
        })?;
        let mut added = 0_u64;
        for &level in Level::ALL {
            if !units.iter().any(|u| u.level == level) {
                continue;
            }
            added += tx
                .execute(
                    &format!(
                        "INSERT INTO shegong.units ({COLUMNS}) SELECT {COLUMNS} FROM pg_temp.stage_units \
                         WHERE level = $1 ORDER BY ord"
                    ),
                    &[&level.en()],
                )
                .map_err(|e| self.err(&e))?;
        }
        if usize::try_from(added).map_err(|_| StoreError::Overflow)? != units.len() {
            return Err(StoreError::Corrupt(format!(
                "{} units staged, {added} added",
                units.len()
            )));
        }
        Ok(())
    }
}
