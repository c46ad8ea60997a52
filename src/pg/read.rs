//! Reads: units (by code, roots, children, the path up, all of them parents first), counts, and
//! records (a unit's or a subtree's, by date range, newest first, through the `(unit, day)`
//! indexes; every record of a kind in pages by `seq`).

use super::backend::PgStorage;
use super::rows::{self, UNIT_COLUMNS};
use crate::domain::{Day, RecordId, RecordKind, Unit};
use crate::record::AnyRecord;
use crate::store::{Result, StoreError};
use chrono::{Datelike, NaiveDate};
use std::ops::{ControlFlow, RangeInclusive};

/// Records read per query while walking a whole kind.
const PAGE: i64 = 2_000;

/// A day as a bound of a SQL date range: `None` when no stored date lies beyond it on that side
/// (the ends of `Day`, which no calendar date has, and days outside the years a date is written
/// with).
pub(super) fn bound(day: Day) -> Option<NaiveDate> {
    let date = NaiveDate::from_num_days_from_ce_opt(day)?;
    (1..=9999).contains(&date.year()).then_some(date)
}

impl PgStorage {
    fn units_where(&self, condition: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<Unit>> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM shegong.units WHERE {condition}");
        let found = self.client()?.query(&sql, params).map_err(|e| self.err(&e))?;
        found.iter().map(|row| rows::unit(row, 0)).collect()
    }

    pub(super) fn read_unit(&self, code: &str) -> Result<Option<Unit>> {
        Ok(self.units_where("code = $1", &[&code])?.into_iter().next())
    }

    /// `UnknownUnit` unless the unit exists.
    pub(super) fn must_exist(&self, code: &str) -> Result<()> {
        let found = self
            .client()?
            .query_opt("SELECT 1 FROM shegong.units WHERE code = $1", &[&code])
            .map_err(|e| self.err(&e))?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownUnit(code.to_string())),
        }
    }

    pub(super) fn read_roots(&self) -> Result<Vec<Unit>> {
        self.units_where("parent IS NULL ORDER BY code COLLATE \"C\"", &[])
    }

    // One round trip where the unit has children (the UI reads a screen of rows this way); the
    // unit's existence is asked only when none came back.
    pub(super) fn read_children(&self, code: &str) -> Result<Vec<Unit>> {
        let children = self.units_where("parent = $1 ORDER BY code COLLATE \"C\"", &[&code])?;
        if children.is_empty() {
            self.must_exist(code)?;
        }
        Ok(children)
    }

    // One round trip: the UI asks it of every tree row on screen.
    pub(super) fn read_has_children(&self, code: &str) -> Result<bool> {
        let row = self
            .client()?
            .query_opt(
                "SELECT EXISTS (SELECT FROM shegong.units c WHERE c.parent = u.code) FROM shegong.units u WHERE u.code = $1",
                &[&code],
            )
            .map_err(|e| self.err(&e))?;
        match row {
            Some(row) => row.try_get(0).map_err(|e| self.err(&e)),
            None => Err(StoreError::UnknownUnit(code.to_string())),
        }
    }

    /// The unit and its ancestors, root first: the units whose path is a prefix of its own.
    pub(super) fn read_path_to(&self, code: &str) -> Result<Vec<Unit>> {
        let path = self.units_where(
            "path @> (SELECT path FROM shegong.units WHERE code = $1) ORDER BY nlevel(path)",
            &[&code],
        )?;
        if path.is_empty() {
            return Err(StoreError::UnknownUnit(code.to_string()));
        }
        Ok(path)
    }

    /// Every unit, parents first (by depth, then code).
    pub(super) fn read_all_units(&self) -> Result<Vec<Unit>> {
        self.units_where("true ORDER BY nlevel(path), code COLLATE \"C\"", &[])
    }

    pub(super) fn read_counts(&self) -> Result<[usize; 4]> {
        let row = self
            .client()?
            .query_one(
                "SELECT (SELECT count(*) FROM shegong.units), (SELECT count(*) FROM shegong.evaluations),
                        (SELECT count(*) FROM shegong.trainings), (SELECT count(*) FROM shegong.budget)",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        let mut out = [0usize; 4];
        for (i, slot) in out.iter_mut().enumerate() {
            let n: i64 = row.try_get(i).map_err(|e| self.err(&e))?;
            *slot = usize::try_from(n).map_err(|_| StoreError::Overflow)?;
        }
        Ok(out)
    }

    pub(super) fn read_records_in(
        &self,
        kind: RecordKind,
        code: &str,
        days: RangeInclusive<Day>,
        subtree: bool,
        limit: usize,
    ) -> Result<Vec<(RecordId, AnyRecord)>> {
        self.must_exist(code)?;
        if limit == 0 || days.start() > days.end() {
            return Ok(Vec::new());
        }
        // A range wholly outside the dates a record can have holds nothing.
        let (from, to) = (*days.start(), *days.end());
        let (start, end) = (bound(from), bound(to));
        if (start.is_none() && from > 0) || (end.is_none() && to < 1) {
            return Ok(Vec::new());
        }
        let t = rows::table(kind);
        let units = if subtree {
            format!(
                "{} IN (SELECT code FROM shegong.units WHERE path <@ (SELECT path FROM shegong.units WHERE code = $1))",
                t.owner
            )
        } else {
            format!("{} = $1", t.owner)
        };
        let sql = format!(
            "SELECT seq, {} FROM {} WHERE {units} AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3)
             ORDER BY day DESC, seq LIMIT $4",
            t.columns, t.name
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let found = self
            .client()?
            .query(&sql, &[&code, &start, &end, &limit])
            .map_err(|e| self.err(&e))?;
        found
            .iter()
            .map(|row| {
                let seq: i64 = row.try_get(0).map_err(|e| self.err(&e))?;
                Ok((rows::record_id(kind, seq), rows::record(kind, row, 1)?))
            })
            .collect()
    }

    /// Every record of a kind by `seq`, read a page at a time: `f` runs with the connection
    /// free, so it may read through this backend too.
    pub(super) fn read_each_record(
        &self,
        kind: RecordKind,
        f: &mut dyn FnMut(AnyRecord) -> ControlFlow<()>,
    ) -> Result<()> {
        let t = rows::table(kind);
        let sql = format!(
            "SELECT seq, {} FROM {} WHERE seq > $1 ORDER BY seq LIMIT $2",
            t.columns, t.name
        );
        let mut after = 0i64;
        loop {
            let page = self.client()?.query(&sql, &[&after, &PAGE]).map_err(|e| self.err(&e))?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.try_get(0).map_err(|e| self.err(&e))?;
            let full = page.len() as i64 == PAGE;
            for row in &page {
                if f(rows::record(kind, row, 1)?).is_break() {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}
