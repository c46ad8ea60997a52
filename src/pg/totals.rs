//! Totals, computed on read (migration 1's header says why: no row every writer updates). A
//! subtree's measures as of a date are one query per record table over the subtree's units
//! (GiST on `path`, btree on `(unit, day)`), grouped by the fields the measures count by (kind,
//! grade and score, mode, category and source), plus the subtree's units with the day of each
//! one's first evaluation for coverage; each group becomes `Measures` through the domain's own
//! rules (`rollup::*_delta`, `rollup::unit_events`), so the server and the sled store count
//! alike. A unit's children's totals (`children_measures`, what the report and the funding
//! chart read) take the same path once for all children: each record's unit joined to `units`
//! and grouped under the child it lies beneath (`subpath` of its path one level below the
//! parent's; the parent's own under its own path), so a parent of 300 children costs the
//! queries of one subtree, not 300 times them, and the same pass gives the parent's subtree
//! total (`read_measures_with_children`: the root report reads the records once). Money stays `bigint` fen: a group's sum is cast back to `bigint` in the server (an
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
    TrainingKind, TrainingMode, Unit,
};
use crate::record::AnyRecord;
use crate::rollup::{self, at, Measures};
use crate::store::{Difference, Result, StoreError};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// Which units: by unit and year, a subtree as of a day, or each child's subtree of a unit as
/// of a day (keyed by the child's path, so that all children are one query per table). The
/// subtree's root is given by its path (read first, `Top`), sent as a parameter: the server
/// plans each query knowing it, so a street's few units are found by index and their records
/// by `(unit, day)`, and the root's by one pass over each table (a path looked up inside the
/// query left the planner guessing, and it scanned the whole budget table for a street).
enum Scope<'a> {
    Subtree { top: &'a Top, as_of: NaiveDate },
    Children { top: &'a Top, as_of: NaiveDate },
    EveryUnitByYear,
}

/// A unit's path (as text) and its number of labels.
struct Top {
    path: String,
    depth: i32,
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
    /// The SQL source and condition for a record table (aliased `r`) in a scope, and the
    /// group key it is summed by (a text and an int).
    fn scoped(table: &str, owner: &str, scope: &Scope<'_>) -> (String, String, String) {
        match scope {
            Scope::Subtree { .. } => (
                format!("{table} r JOIN shegong.units u ON u.code = r.{owner}"),
                "u.path <@ $1::shegong.ltree AND r.day <= $2".into(),
                "''::text, 0".into(),
            ),
            // Each record's unit found in `units` and summed under the child it lies beneath
            // (the parent's own records under the parent's path): one pass over the parent's
            // subtree, however many children it has, that also gives the subtree's total.
            Scope::Children { top, .. } => (
                format!("{table} r JOIN shegong.units u ON u.code = r.{owner}"),
                "u.path <@ $1::shegong.ltree AND r.day <= $2".into(),
                format!("{}, 0", Self::child_key(top)),
            ),
            Scope::EveryUnitByYear => (
                format!("{table} r"),
                "true".into(),
                format!("r.{owner}, extract(year FROM r.day)::int"),
            ),
        }
    }

    /// The path of the child of `top` that a unit (`u`) lies beneath, as text; `top`'s own
    /// path for `top` itself.
    fn child_key(top: &Top) -> String {
        format!("subpath(u.path, 0, least(nlevel(u.path), {}))::text", top.depth + 1)
    }

    /// One query per record table: each group's measures, by (unit, year), for the whole
    /// subtree (key ("", 0)) or by child (key (the child's path, 0)).
    fn grouped(&self, scope: &Scope<'_>) -> Result<BTreeMap<Key, Measures>> {
        let mut out: BTreeMap<Key, Measures> = BTreeMap::new();
        let date = any_date()?;
        for kind in [RecordKind::Budget, RecordKind::Evaluation, RecordKind::Training] {
            let t = rows::table(kind);
            let (source, condition, key) = Self::scoped(t.name, t.owner, scope);
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
            let sql = format!("SELECT {key}, {fields}, {sums} FROM {source} WHERE {condition} GROUP BY {group}");
            let found = match scope {
                Scope::Subtree { top, as_of } | Scope::Children { top, as_of } => {
                    self.client()?.query(&sql, &[&top.path, as_of])
                }
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
                            points: None,
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
    /// station's coverage, its first evaluation) dated on or before it; the whole subtree's
    /// under the key "", or each child's subtree's under the child's path (`Scope::Children`:
    /// the parent itself under its own path, in no child's).
    fn unit_measures(&self, top: &Top, as_of: NaiveDate, by_child: bool) -> Result<BTreeMap<String, Measures>> {
        let first = "(SELECT min(e.day) FROM shegong.evaluations e WHERE e.unit = u.code)";
        let sql = if by_child {
            format!(
                "SELECT {UNIT_COLUMNS}, {first}, {} FROM shegong.units u WHERE u.path <@ $1::shegong.ltree",
                Self::child_key(top)
            )
        } else {
            format!("SELECT {UNIT_COLUMNS}, {first}, ''::text FROM shegong.units u WHERE u.path <@ $1::shegong.ltree")
        };
        let found = self.client()?.query(&sql, &[&top.path]).map_err(|e| self.err(&e))?;
        let until = day_of(as_of);
        let mut out: BTreeMap<String, Measures> = BTreeMap::new();
        for row in &found {
            let unit = rows::unit(row, 0)?;
            let first: Option<NaiveDate> = row.try_get(14).map_err(|e| self.err(&e))?;
            let key: String = row.try_get(15).map_err(|e| self.err(&e))?;
            let m = out.entry(key).or_default();
            for (day, events) in rollup::unit_events(&unit, first.map(day_of)) {
                if day <= until {
                    m.add(&events).map_err(overflow)?;
                }
            }
        }
        Ok(out)
    }

    /// The units' part and the records' part of a subtree as of a day (key "") or of each
    /// child's subtree (key: the child's path; the unit's own under its path), added under each key: the one path both the
    /// subtree's totals and the children's take.
    fn scope_measures(&self, code: &str, as_of: NaiveDate, by_child: bool) -> Result<BTreeMap<String, Measures>> {
        let found = self
            .client()?
            .query_opt(
                "SELECT path::text, nlevel(path) FROM shegong.units WHERE code = $1",
                &[&code],
            )
            .map_err(|e| self.err(&e))?;
        let Some(row) = found else {
            return Err(StoreError::UnknownUnit(code.to_string()));
        };
        let top = Top {
            path: row.try_get(0).map_err(|e| self.err(&e))?,
            depth: row.try_get(1).map_err(|e| self.err(&e))?,
        };
        let mut out = self.unit_measures(&top, as_of, by_child)?;
        let scope = if by_child {
            Scope::Children { top: &top, as_of }
        } else {
            Scope::Subtree { top: &top, as_of }
        };
        for ((key, _), records) in self.grouped(&scope)? {
            out.entry(key).or_default().add(&records).map_err(overflow)?;
        }
        Ok(out)
    }

    pub(super) fn read_subtree_measures(&self, code: &str, as_of: NaiveDate) -> Result<Measures> {
        let mut all = self.scope_measures(code, as_of, false)?;
        Ok(all.remove("").unwrap_or_default())
    }

    /// Each child of `code` (in `children`'s order) with its subtree's measures as of `as_of`:
    /// one query for the units' part and one per record table for all children together,
    /// instead of that many per child.
    pub(super) fn read_children_measures(&self, code: &str, as_of: NaiveDate) -> Result<Vec<(Unit, Measures)>> {
        self.must_exist(code)?;
        // The children and their paths in one read (in `read_children`'s order), so that each
        // child listed has the path its totals are keyed by.
        let sql = format!(
            "SELECT {UNIT_COLUMNS}, path::text FROM shegong.units WHERE parent = $1 ORDER BY code COLLATE \"C\""
        );
        let children = self.client()?.query(&sql, &[&code]).map_err(|e| self.err(&e))?;
        if children.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_path = self.scope_measures(code, as_of, true)?;
        children
            .iter()
            .map(|row| {
                let child = rows::unit(row, 0)?;
                let path: String = row.try_get(14).map_err(|e| self.err(&e))?;
                Ok((child, by_path.remove(&path).unwrap_or_default()))
            })
            .collect()
    }

    /// The subtree's measures of `code` and its children's (as `read_children_measures`) from
    /// one pass over the records: the subtree is the sum of every key of the children's scope,
    /// which holds each child's subtree and the unit's own units and records (issue 13: the
    /// root report read the records twice, once for each).
    pub(super) fn read_measures_with_children(
        &self,
        code: &str,
        as_of: NaiveDate,
    ) -> Result<(Measures, Vec<(Unit, Measures)>)> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS}, path::text FROM shegong.units WHERE parent = $1 ORDER BY code COLLATE \"C\""
        );
        let children = self.client()?.query(&sql, &[&code]).map_err(|e| self.err(&e))?;
        // `scope_measures` says when the unit does not exist.
        let mut by_path = self.scope_measures(code, as_of, true)?;
        let mut subtree = Measures::default();
        for m in by_path.values() {
            subtree.add(m).map_err(overflow)?;
        }
        let children = children
            .iter()
            .map(|row| {
                let child = rows::unit(row, 0)?;
                let path: String = row.try_get(14).map_err(|e| self.err(&e))?;
                Ok((child, by_path.remove(&path).unwrap_or_default()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((subtree, children))
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
