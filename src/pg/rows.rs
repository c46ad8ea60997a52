//! Rows of the server's tables as domain values and back: the columns each kind is read with,
//! a row read into a `Unit` or a record (every text checked against the domain's words, every
//! number converted checked: a row the program did not write is `Corrupt`, never a panic),
//! and a record's `RecordId` (the kind's letter and the row's `seq`: `b12345`).

use crate::domain::{
    BudgetEntry, BudgetKind, Category, EvalKind, Evaluation, Fen, Grade, Level, PartialDate, Points, RecordId,
    RecordKind, Source, StationStatus, Training, TrainingKind, TrainingMode, Unit,
};
use crate::record::AnyRecord;
use crate::store::{Result, StoreError};
use postgres::Row;

/// A kind's table, the column naming its unit, and the letter of its ids.
pub struct Table {
    pub name: &'static str,
    pub owner: &'static str,
    pub letter: char,
    /// The record's columns, in the order `record` reads them (after `seq`).
    pub columns: &'static str,
}

pub fn table(kind: RecordKind) -> Table {
    match kind {
        RecordKind::Evaluation => Table {
            name: "shegong.evaluations",
            owner: "unit",
            letter: 'e',
            columns: "id, unit, date, kind, evaluator, score, grade, note, scheme, point_codes, point_tenths",
        },
        RecordKind::Training => Table {
            name: "shegong.trainings",
            owner: "host",
            letter: 't',
            columns: "id, date, host, kind, mode, topic, hours, attendees, units, note",
        },
        RecordKind::Budget => Table {
            name: "shegong.budget",
            owner: "unit",
            letter: 'b',
            columns: "id, date, unit, kind, category, source, amount, voucher, note",
        },
    }
}

/// The unit columns, in the order `unit` reads them.
pub const UNIT_COLUMNS: &str = "code, parent, level, name, station, opened_on, closed_on, operator, address, \
     contact, phone, note, social_workers, certified_workers";

/// The id of the row `seq` of a kind.
pub fn record_id(kind: RecordKind, seq: i64) -> RecordId {
    RecordId::new(format!("{}{seq}", table(kind).letter))
}

/// The `seq` an id names, when it is an id of this kind.
pub fn seq_of(kind: RecordKind, id: &RecordId) -> Option<i64> {
    let rest = id.as_str().strip_prefix(table(kind).letter)?;
    rest.parse()
        .ok()
        .filter(|seq: &i64| *seq > 0 && rest.bytes().all(|b| b.is_ascii_digit()))
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "the server holds {what} {value:?}, which this program does not write"
    ))
}

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn word<T>(row: &Row, i: usize, what: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let text: String = get(row, i)?;
    parse(&text).ok_or_else(|| bad(what, &text))
}

fn maybe_word<T>(row: &Row, i: usize, what: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let text: Option<String> = get(row, i)?;
    text.map(|t| parse(&t).ok_or_else(|| bad(what, &t))).transpose()
}

fn date(row: &Row, i: usize) -> Result<PartialDate> {
    let text: String = get(row, i)?;
    PartialDate::parse(&text).map_err(|_| bad("the date", &text))
}

fn maybe_date(row: &Row, i: usize) -> Result<Option<PartialDate>> {
    let text: Option<String> = get(row, i)?;
    text.map(|t| PartialDate::parse(&t).map_err(|_| bad("the date", &t)))
        .transpose()
}

fn count<T: TryFrom<i32>>(row: &Row, i: usize, what: &str) -> Result<Option<T>> {
    let n: Option<i32> = get(row, i)?;
    n.map(|n| T::try_from(n).map_err(|_| bad(what, &n.to_string())))
        .transpose()
}

/// A unit from a row of `UNIT_COLUMNS` starting at column `at`.
pub fn unit(row: &Row, at: usize) -> Result<Unit> {
    Ok(Unit {
        code: get(row, at)?,
        parent: get(row, at + 1)?,
        level: word(row, at + 2, "the level", Level::parse)?,
        name: get(row, at + 3)?,
        station: word(row, at + 4, "the station", StationStatus::parse)?,
        opened_on: maybe_date(row, at + 5)?,
        closed_on: maybe_date(row, at + 6)?,
        operator: get(row, at + 7)?,
        address: get(row, at + 8)?,
        contact: get(row, at + 9)?,
        phone: get(row, at + 10)?,
        note: get(row, at + 11)?,
        social_workers: count(row, at + 12, "social workers")?,
        certified_workers: count(row, at + 13, "certified workers")?,
    })
}

/// A record of `kind` from a row of its `columns` starting at column `at`.
pub fn record(kind: RecordKind, row: &Row, at: usize) -> Result<AnyRecord> {
    Ok(match kind {
        RecordKind::Evaluation => AnyRecord::Evaluation(Evaluation {
            id: get(row, at)?,
            unit: get(row, at + 1)?,
            date: date(row, at + 2)?,
            kind: word(row, at + 3, "the evaluation kind", EvalKind::parse)?,
            evaluator: get(row, at + 4)?,
            score: {
                let score: Option<i16> = get(row, at + 5)?;
                score
                    .map(|s| u16::try_from(s).map_err(|_| bad("the score", &s.to_string())))
                    .transpose()?
            },
            grade: maybe_word(row, at + 6, "the grade", Grade::parse)?,
            note: get(row, at + 7)?,
            points: points(row, at + 8)?,
        }),
        RecordKind::Training => AnyRecord::Training(Training {
            id: get(row, at)?,
            date: date(row, at + 1)?,
            host: get(row, at + 2)?,
            kind: word(row, at + 3, "the training kind", TrainingKind::parse)?,
            mode: maybe_word(row, at + 4, "the training mode", TrainingMode::parse)?,
            topic: get(row, at + 5)?,
            hours: count(row, at + 6, "the hours")?,
            attendees: count(row, at + 7, "the attendees")?,
            units: get(row, at + 8)?,
            note: get(row, at + 9)?,
        }),
        RecordKind::Budget => AnyRecord::Budget(BudgetEntry {
            id: get(row, at)?,
            date: date(row, at + 1)?,
            unit: get(row, at + 2)?,
            kind: word(row, at + 3, "the budget kind", BudgetKind::parse)?,
            category: maybe_word(row, at + 4, "the category", Category::parse)?,
            source: maybe_word(row, at + 5, "the source", Source::parse)?,
            amount: Fen(get(row, at + 6)?),
            voucher: get(row, at + 7)?,
            note: get(row, at + 8)?,
        }),
    })
}

/// An evaluation's points from its `scheme, point_codes, point_tenths` columns from `at`.
fn points(row: &Row, at: usize) -> Result<Option<Points>> {
    let scheme: Option<String> = get(row, at)?;
    let codes: Option<Vec<String>> = get(row, at + 1)?;
    let tenths: Option<Vec<i16>> = get(row, at + 2)?;
    let (Some(scheme), Some(codes), Some(tenths)) = (scheme, codes, tenths) else {
        return Ok(None);
    };
    if codes.len() != tenths.len() {
        return Err(bad("points of", &scheme));
    }
    let given = codes
        .into_iter()
        .zip(tenths)
        .map(|(code, t)| {
            u16::try_from(t)
                .map(|t| (code, t))
                .map_err(|_| bad("the points", &t.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Points { scheme, given }))
}

/// The `scheme, point_codes, point_tenths` values of an evaluation.
pub type PointColumns<'a> = (Option<&'a str>, Option<Vec<&'a str>>, Option<Vec<i16>>);

/// An evaluation's points as its three columns' values (all null without points).
pub fn point_columns(points: &Option<Points>) -> Result<PointColumns<'_>> {
    let Some(p) = points else {
        return Ok((None, None, None));
    };
    let tenths = p
        .given
        .iter()
        .map(|(_, t)| i16::try_from(*t).map_err(|_| StoreError::Overflow))
        .collect::<Result<Vec<_>>>()?;
    Ok((
        Some(p.scheme.as_str()),
        Some(p.given.iter().map(|(c, _)| c.as_str()).collect()),
        Some(tenths),
    ))
}

/// A count as an `i32` column value (`None` stays `None`); too large is `Overflow`.
pub fn int(n: Option<u32>) -> Result<Option<i32>> {
    n.map(|n| i32::try_from(n).map_err(|_| StoreError::Overflow))
        .transpose()
}

/// The content identity of a record: the hash the sled store keys it by, widened to 128 bits
/// (the server's unique key is `(content_hash, occurrence)` over all of a kind's rows).
pub fn content_hash<R: crate::record::Record>(record: &R) -> Result<Vec<u8>> {
    let bytes = crate::store::codec::encode_record(record).map_err(|e| StoreError::TooLarge {
        what: e.name,
        bytes: e.bytes,
        detail: e.detail,
    })?;
    Ok(xxhash_rust::xxh3::xxh3_128(&bytes).to_be_bytes().to_vec())
}
