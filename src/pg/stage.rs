//! The bulk import's staging tables: one per kind, session-private (`pg_temp`), with the
//! file's columns, the row's place in the input (`ord`), its content hash and occurrence; and
//! how a chunk of rows is sent into one by binary COPY (`copy_into`, which units added in bulk,
//! `pg/unit_stage.rs`, send theirs through too).

use super::backend::PgStorage;
use super::rows::{self, int};
use crate::domain::RecordKind;
use crate::record::Rows;
use crate::store::{Result, StoreError};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::GenericClient;
use rustc_hash::FxHashMap as HashMap;

/// The staging table of a kind: its name, columns and their types for binary COPY.
pub(super) fn stage(kind: RecordKind) -> (&'static str, &'static str, &'static [Type]) {
    match kind {
        RecordKind::Evaluation => (
            "stage_evaluations",
            "ord bigint, id text, unit text, date text, kind text, evaluator text, score smallint, grade text, \
             note text, scheme text, point_codes text[], point_tenths smallint[], content_hash bytea, \
             occurrence integer",
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT2,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT_ARRAY,
                Type::INT2_ARRAY,
                Type::BYTEA,
                Type::INT4,
            ],
        ),
        RecordKind::Training => (
            "stage_trainings",
            "ord bigint, id text, date text, host text, kind text, mode text, topic text, hours integer, \
             attendees integer, units text[], note text, content_hash bytea, occurrence integer",
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT4,
                Type::INT4,
                Type::TEXT_ARRAY,
                Type::TEXT,
                Type::BYTEA,
                Type::INT4,
            ],
        ),
        RecordKind::Budget => (
            "stage_budget",
            "ord bigint, id text, date text, unit text, kind text, category text, source text, amount bigint, \
             voucher text, note text, content_hash bytea, occurrence integer",
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::BYTEA,
                Type::INT4,
            ],
        ),
    }
}

/// One binary COPY into the session's staging table `table` (columns of `types`): `each` writes
/// the rows through the writer, then the COPY is finished (a failure anywhere ends it, and the
/// transaction it is in fails with it).
pub(super) fn copy_into(
    client: &mut impl GenericClient,
    store: &PgStorage,
    table: &str,
    types: &[Type],
    each: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> Result<()>,
) -> Result<()> {
    copy_with(
        client,
        store,
        &format!("COPY pg_temp.{table} FROM STDIN (FORMAT binary)"),
        types,
        each,
    )
}

/// One binary COPY `statement` (`COPY … FROM STDIN (FORMAT binary …)`, columns of `types`), as
/// `copy_into`.
pub(super) fn copy_with(
    client: &mut impl GenericClient,
    store: &PgStorage,
    statement: &str,
    types: &[Type],
    each: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> Result<()>,
) -> Result<()> {
    let sink = client.copy_in(statement).map_err(|e| store.err(&e))?;
    let mut writer = BinaryCopyInWriter::new(sink, types);
    each(&mut writer)?;
    writer.finish().map_err(|e| store.err(&e))?;
    Ok(())
}

/// Sends `rows` through `writer`, numbering them on from `sent` and counting each content's
/// occurrences in `seen` (the n-th identical row of the input is occurrence n). The first
/// column is the row's number plus `base` (0 into a staging table's `ord`; the block of `seq`
/// reserved for an import COPYed straight into its partition, `pg/partition.rs`).
pub(super) fn send(
    writer: &mut BinaryCopyInWriter<'_>,
    rows: Rows<'_>,
    seen: &mut HashMap<Vec<u8>, i32>,
    (sent, base): (&mut i64, i64),
    store: &PgStorage,
) -> Result<()> {
    let mut send = |values: &[&(dyn ToSql + Sync)]| writer.write(values).map_err(|e| store.err(&e));
    match rows {
        Rows::Evaluations(list) => {
            for r in list {
                let (hash, occurrence) = next_occurrence(seen, rows::content_hash(r)?)?;
                *sent += 1;
                let number = base.checked_add(*sent).ok_or(StoreError::Overflow)?;
                let score = r
                    .score
                    .map(|s| i16::try_from(s).map_err(|_| StoreError::Overflow))
                    .transpose()?;
                let grade = r.grade.map(|g| g.en());
                let (scheme, codes, tenths) = rows::point_columns(&r.points)?;
                send(&[
                    &number,
                    &r.id,
                    &r.unit,
                    &r.date.to_string(),
                    &r.kind.en(),
                    &r.evaluator,
                    &score,
                    &grade,
                    &r.note,
                    &scheme,
                    &codes,
                    &tenths,
                    &hash,
                    &occurrence,
                ])?;
            }
        }
        Rows::Trainings(list) => {
            for r in list {
                let (hash, occurrence) = next_occurrence(seen, rows::content_hash(r)?)?;
                *sent += 1;
                let number = base.checked_add(*sent).ok_or(StoreError::Overflow)?;
                let mode = r.mode.map(|m| m.en());
                send(&[
                    &number,
                    &r.id,
                    &r.date.to_string(),
                    &r.host,
                    &r.kind.en(),
                    &mode,
                    &r.topic,
                    &int(r.hours)?,
                    &int(r.attendees)?,
                    &r.units,
                    &r.note,
                    &hash,
                    &occurrence,
                ])?;
            }
        }
        Rows::Budget(list) => {
            for r in list {
                let (hash, occurrence) = next_occurrence(seen, rows::content_hash(r)?)?;
                *sent += 1;
                let number = base.checked_add(*sent).ok_or(StoreError::Overflow)?;
                let category = r.category.map(|c| c.en());
                let source = r.source.map(|s| s.en());
                send(&[
                    &number,
                    &r.id,
                    &r.date.to_string(),
                    &r.unit,
                    &r.kind.en(),
                    &category,
                    &source,
                    &r.amount.0,
                    &r.voucher,
                    &r.note,
                    &hash,
                    &occurrence,
                ])?;
            }
        }
    }
    Ok(())
}

/// The hash and this row's occurrence of it in the input.
fn next_occurrence(seen: &mut HashMap<Vec<u8>, i32>, hash: Vec<u8>) -> Result<(Vec<u8>, i32)> {
    let slot = seen.entry(hash.clone()).or_insert(0);
    let occurrence = *slot;
    *slot = slot.checked_add(1).ok_or(StoreError::Overflow)?;
    Ok((hash, occurrence))
}
