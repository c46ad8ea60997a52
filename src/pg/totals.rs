//! Totals, computed on read (migration 1's header says why: no row every writer updates). A
//! subtree's measures as of a date are one query per record table over the subtree's units
//! (GiST on `path`, btree on `(unit, day)`), grouped by the fields the measures count by (kind,
//! grade and score, mode, category and source), plus the subtree's units with the day of each
//! one's first evaluation for coverage; each group becomes `Measures` through the domain's own
//! rules (`rollup::*_delta`, `rollup::unit_events`), so the server and the sled store count
//! alike. Money stays `bigint` fen: a group's sum is cast back to `bigint` in the server (an
//! overflow is an error there, never a rounding), and sums in Rust are checked.
//!
//! `check` recomputes from the records in Rust (each record's own delta, by unit and year) and
//! compares with the same figures grouped in SQL; it also checks each unit's path against its
//! parent's. Any difference is a `Difference`.

use super::backend::PgStorage;
use super::rows::{self, UNIT_COLUMNS};
use crate::domain::date::day_of;
use crate::domain::{
    BudgetEntry, BudgetKind, Category, EvalKind, Evaluation, Fen, Grade, PartialDate, RecordKind, Source, Training,
    TrainingKind, TrainingMode,
};
use crate::record::AnyRecord;
use crate::rollup::{self, at, Measures};
use crate::store::{Difference, Result, StoreError};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// Which units, by unit and year, or a subtree as of a day.
enum Scope<'a> {
    Subtree { code: &'a str, as_of: NaiveDate },
    EveryUnitByYear,
}

type Key = (String, i32);

fn overflow(_: rollup::Overflow) -> StoreError {
    StoreError::Overflow
}

/// `m` added `n` times into `into`, checked.
fn add_times(into: &mut Measures, m: &Measures, n: i64) -> Result<()> {
    for (slot, v) in into.0.iter_mut().zip(m.0.iter()) {
        let more = v.checked_mul(n).ok_or(StoreError::Overflow)?;
        *slot = slot.checked_add(more).ok_or(StoreError::Overflow)?;
    }
    Ok(())
}

fn bump(into: &mut Measures, index: usize, by: i64) -> Result<()> {
    let slot = into.0.get_mut(index).ok_or(StoreError::Overflow)?;
    *slot = slot.checked_add(by).ok_or(StoreError::Overflow)?;
    Ok(())
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "the server holds {what} {value:?}, which this program does not write"
    ))
}

fn word<T>(text: &str, what: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| bad(what, text))
}

fn maybe_word<T>(text: Option<&str>, what: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    text.map(|t| word(t, what, parse)).transpose()
}

/// A placeholder date for the synthetic records whose deltas give a group's measures (the day
/// is not used: the group was filtered by day already).
fn any_date() -> Result<PartialDate> {
    PartialDate::parse("2000").map_err(|_| StoreError::Corrupt("a date".into()))
}

impl PgStorage {
    /// The SQL condition on a table's owner column for a scope.
    fn scoped(owner: &str, scope: &Scope<'_>) -> String {
        match scope {
            Scope::Subtree { .. } => format!(
                "{owner} IN (SELECT code FROM shegong.units WHERE path <@ (SELECT path FROM shegong.units WHERE code = $1))
                 AND day <= $2"
            ),
            Scope::EveryUnitByYear => "true".into(),
        }
    }

    /// One query per record table: each group's measures, by (unit, year) or for the whole
    /// subtree (key ("", 0)).
    fn grouped(&self, scope: &Scope<'_>) -> Result<BTreeMap<Key, Measures>> {
        let mut out: BTreeMap<Key, Measures> = BTreeMap::new();
        let by_year = matches!(scope, Scope::EveryUnitByYear);
        let date = any_date()?;
        for kind in [RecordKind::Budget, RecordKind::Evaluation, RecordKind::Training] {
            let t = rows::table(kind);
            let condition = Self::scoped(t.owner, scope);
            let key = if by_year {
                format!("{}, extract(year FROM day)::int", t.owner)
            } else {
                "''::text, 0".to_string()
            };
            let (fields, sums) = match kind {
                RecordKind::Budget => ("kind, category, source", "sum(amount)::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint"),
                RecordKind::Evaluation => ("kind, grade, score", "count(*), 0::bigint, 0::bigint, 0::bigint, 0::bigint"),
                RecordKind::Training => (
                    "kind, mode, NULL::smallint",
                    "count(*), coalesce(sum(hours), 0)::bigint, count(hours), coalesce(sum(attendees), 0)::bigint, count(attendees)",
                ),
            };
            let group = if kind == RecordKind::Training {
                "1, 2, 3, 4"
            } else {
                "1, 2, 3, 4, 5"
            };
            let sql = format!(
                "SELECT {key}, {fields}, {sums} FROM {} WHERE {condition} GROUP BY {group}",
                t.name
            );
            let found = match scope {
                Scope::Subtree { code, as_of } => self.client()?.query(&sql, &[code, as_of]),
                Scope::EveryUnitByYear => self.client()?.query(&sql, &[]),
            }
            .map_err(|e| self.err(&e))?;
            for row in &found {
                let get_text = |i: usize| -> Result<Option<String>> { row.try_get(i).map_err(|e| self.err(&e)) };
                let get_int = |i: usize| -> Result<i64> { row.try_get(i).map_err(|e| self.err(&e)) };
                let unit: String = row.try_get(0).map_err(|e| self.err(&e))?;
                let year: i32 = row.try_get(1).map_err(|e| self.err(&e))?;
                let kind_text = get_text(2)?.unwrap_or_default();
                let second = get_text(3)?;
                let m = out.entry((unit.clone(), year)).or_default();
                let (first_sum, hours, with_hours, attendees, with_attendees) =
                    (get_int(5)?, get_int(6)?, get_int(7)?, get_int(8)?, get_int(9)?);
                match kind {
                    RecordKind::Budget => {
                        let third = get_text(4)?;
                        let entry = BudgetEntry {
                            id: None,
                            date,
                            unit: unit.clone(),
                            kind: word(&kind_text, "the budget kind", BudgetKind::parse)?,
                            category: maybe_word(second.as_deref(), "the category", Category::parse)?,
                            source: maybe_word(third.as_deref(), "the source", Source::parse)?,
                            amount: Fen(first_sum),
                            voucher: String::new(),
                            note: String::new(),
                        };
                        add_times(m, &rollup::budget_delta(&entry).1, 1)?;
                    }
                    RecordKind::Evaluation => {
                        let score: Option<i16> = row.try_get(4).map_err(|e| self.err(&e))?;
                        let score = score
                            .map(|s| u16::try_from(s).map_err(|_| bad("the score", &s.to_string())))
                            .transpose()?;
                        let e = Evaluation {
                            id: None,
                            unit: unit.clone(),
                            date,
                            kind: word(&kind_text, "the evaluation kind", EvalKind::parse)?,
                            evaluator: String::new(),
                            score,
                            grade: maybe_word(second.as_deref(), "the grade", Grade::parse)?,
                            note: String::new(),
                        };
                        add_times(m, &rollup::evaluation_delta(&e).1, first_sum)?;
                    }
                    RecordKind::Training => {
                        let t = Training {
                            id: None,
                            date,
                            host: unit.clone(),
                            kind: word(&kind_text, "the training kind", TrainingKind::parse)?,
                            mode: maybe_word(second.as_deref(), "the training mode", TrainingMode::parse)?,
                            topic: String::new(),
                            hours: None,
                            attendees: None,
                            units: Vec::new(),
                            note: String::new(),
                        };
                        add_times(m, &rollup::training_delta(&t).1, first_sum)?;
                        bump(m, at::TRAIN_HOURS, hours)?;
                        bump(m, at::TRAIN_HOURS_GIVEN, with_hours)?;
                        bump(m, at::TRAIN_ATTENDEES, attendees)?;
                        bump(m, at::TRAIN_ATTENDEES_GIVEN, with_attendees)?;
                    }
                }
            }
        }
        Ok(out)
    }

    /// What the units of a subtree contribute as of `as_of`: each one's events (it exists, its
    /// station's coverage, its first evaluation) dated on or before it.
    fn unit_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS}, (SELECT min(e.day) FROM shegong.evaluations e WHERE e.unit = u.code)
             FROM shegong.units u WHERE path <@ (SELECT path FROM shegong.units WHERE code = $1)"
        );
        let found = self.client()?.query(&sql, &[&code]).map_err(|e| self.err(&e))?;
        if found.is_empty() {
            return Err(StoreError::UnknownUnit(code.to_string()));
        }
        let until = day_of(as_of);
        let mut m = Measures::default();
        for row in &found {
            let unit = rows::unit(row, 0)?;
            let first: Option<NaiveDate> = row.try_get(14).map_err(|e| self.err(&e))?;
            for (day, events) in rollup::unit_events(&unit, first.map(day_of)) {
                if day <= until {
                    m.add(&events).map_err(overflow)?;
                }
            }
        }
        Ok(m)
    }

    pub(super) fn read_subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        let mut m = self.unit_measures(code, as_of)?;
        for records in self.grouped(&Scope::Subtree { code, as_of })?.values() {
            m.add(records).map_err(overflow)?;
        }
        Ok(m)
    }

    pub(super) fn run_check(&self) -> Result<Vec<Difference>> {
        let mut differences = Vec::new();
        // Each unit's path is its parent's and its own label.
        let moved = self
            .client()?
            .query(
                "SELECT c.code FROM shegong.units c LEFT JOIN shegong.units p ON p.code = c.parent
                 WHERE c.path <> CASE WHEN c.parent IS NULL THEN text2ltree(shegong.label(c.code))
                                      ELSE p.path || text2ltree(shegong.label(c.code)) END
                 ORDER BY c.code",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        for row in &moved {
            differences.push(Difference {
                unit: row.try_get(0).map_err(|e| self.err(&e))?,
                year: 0,
                what: "path".into(),
            });
        }
        // Every record's unit exists (migration 6 keeps this with statement triggers, not
        // foreign keys: a record without its unit is said, not skipped).
        let orphans = self
            .client()?
            .query(
                "SELECT r.owner, count(*)::text FROM (
                   SELECT unit AS owner FROM shegong.evaluations
                   UNION ALL SELECT host FROM shegong.trainings
                   UNION ALL SELECT unit FROM shegong.budget) r
                 WHERE NOT EXISTS (SELECT FROM shegong.units u WHERE u.code = r.owner)
                 GROUP BY r.owner ORDER BY r.owner",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        for row in &orphans {
            let count: String = row.try_get(1).map_err(|e| self.err(&e))?;
            differences.push(Difference {
                unit: row.try_get(0).map_err(|e| self.err(&e))?,
                year: 0,
                what: format!("{count} records of a unit that does not exist"),
            });
        }
        // Every record's delta, by its unit and the year of its day, from the records.
        let mut recomputed: BTreeMap<Key, Measures> = BTreeMap::new();
        let mut failed = None;
        for kind in [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget] {
            self.read_each_record(kind, &mut |record| {
                let (owner, (day, delta)) = match &record {
                    AnyRecord::Evaluation(e) => (e.unit.clone(), rollup::evaluation_delta(e)),
                    AnyRecord::Training(t) => (t.host.clone(), rollup::training_delta(t)),
                    AnyRecord::Budget(b) => (b.unit.clone(), rollup::budget_delta(b)),
                };
                let year = i32::from(rollup::bucket_year(day));
                match recomputed.entry((owner, year)).or_default().add(&delta) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(e) => {
                        failed = Some(overflow(e));
                        ControlFlow::Break(())
                    }
                }
            })?;
        }
        if let Some(e) = failed {
            return Err(e);
        }
        let summed = self.grouped(&Scope::EveryUnitByYear)?;
        let empty = Measures::default();
        let keys: std::collections::BTreeSet<&Key> = recomputed.keys().chain(summed.keys()).collect();
        for key in keys {
            let want = recomputed.get(key).unwrap_or(&empty);
            let got = summed.get(key).unwrap_or(&empty);
            if want != got {
                let what = want
                    .0
                    .iter()
                    .zip(got.0.iter())
                    .enumerate()
                    .filter(|(_, (w, g))| w != g)
                    .map(|(i, (w, g))| format!("measure {i}: records {w}, server {g}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                differences.push(Difference {
                    unit: key.0.clone(),
                    year: u16::try_from(key.1).unwrap_or(0),
                    what,
                });
            }
        }
        Ok(differences)
    }
}
