//! Coverage over time: how many units of each level under a unit are covered, month by month,
//! from just before the first station opened up to a date, plus a point on each day coverage
//! actually changed (a station opened on 2021-05-30 changes the line on the 30th, not at the
//! month end). Built from the stored totals (`Store::subtree_measures`), one cheap read per
//! point; the UI's chart draws it.

use crate::domain::date::last_day_of_month;
use crate::domain::Level;
use crate::registry::Registry;
use crate::store::Result;
use chrono::{Datelike, NaiveDate};

/// The figures of one date: units and covered units per level (indexed by `Level::index`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveragePoint {
    pub date: NaiveDate,
    pub units: [i64; 5],
    pub covered: [i64; 5],
}

impl CoveragePoint {
    pub fn covered_total(&self) -> i64 {
        self.covered.iter().sum()
    }
}

fn point(store: &Registry, code: &str, date: NaiveDate) -> Result<CoveragePoint> {
    let m = store.subtree_measures(code, date)?;
    let mut p = CoveragePoint {
        date,
        units: [0; 5],
        covered: [0; 5],
    };
    for level in Level::ALL {
        p.units[level.index()] = m.units(*level);
        p.covered[level.index()] = m.covered(*level);
    }
    Ok(p)
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    last_day_of_month(year, month)
}

/// The month end `n` months after (or before, when negative) the month of `d`.
fn shift_months(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    let total = d.year() * 12 + d.month0() as i32 + n;
    month_end(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

/// Month-end points from the month before coverage began up to `until` (the last point is
/// `until` itself), at most `max_points` of them: longer spans keep every 2nd, 3rd, 6th or
/// 12th month end (December always among them). Without any coverage: the last twelve months.
pub fn coverage_series(
    store: &Registry,
    code: &str,
    until: NaiveDate,
    max_points: usize,
) -> Result<Vec<CoveragePoint>> {
    // Walk back a year at a time to the last year end without coverage.
    let mut first_year = until.year();
    for year in (until.year() - 40..until.year()).rev() {
        let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
            break;
        };
        if point(store, code, end)?.covered_total() == 0 {
            break;
        }
        first_year = year;
    }
    // Then month by month within the first year that has coverage at some month end.
    let mut start = None;
    for month in 1..=12 {
        let Some(end) = month_end(first_year, month) else {
            continue;
        };
        let end = end.min(until);
        if point(store, code, end)?.covered_total() > 0 {
            start = shift_months(end, -1);
            break;
        }
        if end == until {
            break;
        }
    }
    let start = match start {
        Some(s) => s,
        None => shift_months(until, -12).unwrap_or(until),
    };
    let mut dates = Vec::new();
    let mut d = start;
    while d < until {
        dates.push(d);
        match shift_months(d, 1) {
            Some(next) => d = next,
            None => break,
        }
    }
    let max_points = max_points.max(2);
    if dates.len() + 1 > max_points {
        let step = [2u32, 3, 4, 6, 12]
            .into_iter()
            .find(|k| dates.len() / *k as usize + 2 <= max_points)
            .unwrap_or(12);
        let first = dates.first().copied();
        dates.retain(|d| Some(*d) == first || d.month() % step == 0);
    }
    dates.push(until);
    let points = dates
        .into_iter()
        .map(|d| point(store, code, d))
        .collect::<Result<Vec<_>>>()?;
    with_change_days(store, code, points, max_points)
}

/// Adds, between two points whose coverage differs, a point on each day it changed: found by
/// bisection (coverage is a step function of the day), a few reads per change. At most
/// `max_points` such days are added, so that a store with a change every day stays quick.
fn with_change_days(
    store: &Registry,
    code: &str,
    points: Vec<CoveragePoint>,
    max_points: usize,
) -> Result<Vec<CoveragePoint>> {
    let mut budget = max_points;
    let mut out: Vec<CoveragePoint> = Vec::with_capacity(points.len());
    for p in points {
        while let Some(prev) = out.last() {
            if prev.covered == p.covered || budget == 0 {
                break;
            }
            // The first day after `prev` whose coverage differs from it: in (prev.date, p.date].
            let (mut lo, mut hi) = (prev.date, p.date);
            let mut found = p.clone();
            while (hi - lo).num_days() > 1 {
                let mid = lo + chrono::Duration::days((hi - lo).num_days() / 2);
                let at = point(store, code, mid)?;
                if at.covered == prev.covered {
                    lo = mid;
                } else {
                    hi = mid;
                    found = at;
                }
            }
            if hi == p.date {
                break;
            }
            budget -= 1;
            out.push(found);
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_days_are_the_real_days() {
        use crate::domain::{PartialDate, StationStatus, Unit};
        let dir = tempfile::tempdir().unwrap();
        let store = Registry::create(dir.path()).unwrap();
        let mut d = Unit::new("D", None, Level::District, "区");
        d.station = StationStatus::Operating;
        d.opened_on = PartialDate::parse("2021-05-30").ok();
        let mut s = Unit::new("S", Some("D"), Level::Street, "街");
        s.station = StationStatus::Operating;
        s.opened_on = PartialDate::parse("2021-03-02").ok();
        store.apply_units(&[d, s]).unwrap();
        let until = NaiveDate::from_ymd_opt(2021, 11, 9).unwrap();
        // The days the chart's coverage changes on.
        let change_days = |points: &[CoveragePoint]| -> Vec<String> {
            points
                .windows(2)
                .filter(|w| w[0].covered != w[1].covered)
                .map(|w| w[1].date.to_string())
                .collect()
        };
        let points = coverage_series(&store, "D", until, 120).unwrap();
        assert_eq!(change_days(&points), ["2021-03-02", "2021-05-30"]);

        // The chart read each year's bucket many times (kept decoded after its second read:
        // `store::aggregate`); a station opened since is in the next chart of the same process.
        let mut t = Unit::new("T", Some("D"), Level::Street, "街二");
        t.station = StationStatus::Operating;
        t.opened_on = PartialDate::parse("2021-08-16").ok();
        store.apply_units(&[t]).unwrap();
        let points = coverage_series(&store, "D", until, 120).unwrap();
        assert_eq!(change_days(&points), ["2021-03-02", "2021-05-30", "2021-08-16"]);
        let last = points.last().unwrap();
        assert_eq!(last.covered[Level::Street.index()], 2);
    }

    #[test]
    fn month_arithmetic() {
        let d = NaiveDate::from_ymd_opt(2021, 1, 15).unwrap();
        assert_eq!(shift_months(d, -1), NaiveDate::from_ymd_opt(2020, 12, 31));
        assert_eq!(shift_months(d, 1), NaiveDate::from_ymd_opt(2021, 2, 28));
    }
}
