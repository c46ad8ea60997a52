//! Rollups, pure: every record and every unit becomes dated `Measures` (additive counters);
//! a unit's figures as of a date are the sum of the measures of its subtree dated on or
//! before it. The store keeps these sums per unit and year; this module never opens the store.

use crate::domain::date::{date_of, day_of};
use crate::domain::*;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// Day of the events that hold at every date (a unit exists): before any real date.
pub const EPOCH: Day = i32::MIN;

const LEVELS: usize = 5;
const CATS: usize = 7; // six categories and "not stated"
const SRCS: usize = 4; // three sources and "not stated"
const MODES: usize = 4; // three modes and "not stated"
const GRADES: usize = 5; // four grades and "no grade"

/// Where each counter lives in a `Measures` array.
pub mod at {
    use super::*;
    pub const UNITS: usize = 0;
    pub const COVERED: usize = UNITS + LEVELS;
    pub const FUND: usize = COVERED + LEVELS;
    pub const EVAL_COUNT: usize = FUND + 2 * CATS * SRCS;
    pub const EVAL_KIND: usize = EVAL_COUNT + 1;
    pub const EVAL_GRADE: usize = EVAL_KIND + 5;
    pub const EVALUATED: usize = EVAL_GRADE + GRADES;
    pub const COVERED_EVALUATED: usize = EVALUATED + 1;
    pub const TRAIN_COUNT: usize = COVERED_EVALUATED + 1;
    pub const TRAIN_KIND: usize = TRAIN_COUNT + 1;
    pub const TRAIN_MODE: usize = TRAIN_KIND + 4;
    pub const TRAIN_HOURS: usize = TRAIN_MODE + MODES;
    pub const TRAIN_ATTENDEES: usize = TRAIN_HOURS + 1;
    /// Trainings that state their hours / attendees: a sum over none of them is "not stated",
    /// not 0. Added in schema 3 (its upgrade recomputes the totals); new counters go last so
    /// that stored indices keep their meaning.
    pub const TRAIN_HOURS_GIVEN: usize = TRAIN_ATTENDEES + 1;
    pub const TRAIN_ATTENDEES_GIVEN: usize = TRAIN_HOURS_GIVEN + 1;
    pub const LEN: usize = TRAIN_ATTENDEES_GIVEN + 1;

    pub fn fund(kind: BudgetKind, category: Option<Category>, source: Option<Source>) -> usize {
        let c = category.map_or(CATS - 1, |c| c.index());
        let s = source.map_or(SRCS - 1, |s| s.index());
        FUND + (kind.index() * CATS + c) * SRCS + s
    }
}

/// Additive counters: unit counts, coverage, money in fen, evaluation and training counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measures(pub [i64; at::LEN]);

/// A sum left the range of `i64`: only absurd amounts reach it, but money is never wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow;

impl Default for Measures {
    fn default() -> Self {
        Measures([0; at::LEN])
    }
}

impl Measures {
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    pub fn add(&mut self, other: &Measures) -> Result<(), Overflow> {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.checked_add(*b).ok_or(Overflow)?;
        }
        Ok(())
    }

    pub fn sub(&mut self, other: &Measures) -> Result<(), Overflow> {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.checked_sub(*b).ok_or(Overflow)?;
        }
        Ok(())
    }

    fn bump(&mut self, index: usize, by: i64) {
        self.0[index] += by;
    }

    /// Non-zero counters only: what the store writes.
    pub fn to_sparse(&self) -> Vec<(u8, i64)> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0)
            .map(|(i, v)| (i as u8, *v))
            .collect()
    }

    pub fn from_sparse(pairs: &[(u8, i64)]) -> Measures {
        let mut m = Measures::default();
        for (i, v) in pairs {
            if let Some(slot) = m.0.get_mut(*i as usize) {
                *slot = *v;
            }
        }
        m
    }

    // ---- reading the figures back ----

    pub fn units(&self, level: Level) -> i64 {
        self.0[at::UNITS + level.index()]
    }

    pub fn covered(&self, level: Level) -> i64 {
        self.0[at::COVERED + level.index()]
    }

    pub fn covered_total(&self) -> i64 {
        Level::ALL.iter().map(|l| self.covered(*l)).sum()
    }

    fn fund_sum(&self, kind: BudgetKind, pick: impl Fn(usize, usize) -> bool) -> i64 {
        let mut sum = 0i64;
        for c in 0..CATS {
            for s in 0..SRCS {
                if pick(c, s) {
                    sum = sum.saturating_add(self.0[at::FUND + (kind.index() * CATS + c) * SRCS + s]);
                }
            }
        }
        sum
    }

    pub fn allocated(&self) -> Fen {
        Fen(self.fund_sum(BudgetKind::Allocation, |_, _| true))
    }

    pub fn spent(&self) -> Fen {
        Fen(self.fund_sum(BudgetKind::Expenditure, |_, _| true))
    }

    /// (allocated, spent) for a category; `None` is "not stated".
    pub fn by_category(&self, category: Option<Category>) -> (Fen, Fen) {
        let want = category.map_or(CATS - 1, |c| c.index());
        (
            Fen(self.fund_sum(BudgetKind::Allocation, |c, _| c == want)),
            Fen(self.fund_sum(BudgetKind::Expenditure, |c, _| c == want)),
        )
    }

    pub fn by_source(&self, source: Option<Source>) -> (Fen, Fen) {
        let want = source.map_or(SRCS - 1, |s| s.index());
        (
            Fen(self.fund_sum(BudgetKind::Allocation, |_, s| s == want)),
            Fen(self.fund_sum(BudgetKind::Expenditure, |_, s| s == want)),
        )
    }

    pub fn evaluations(&self) -> i64 {
        self.0[at::EVAL_COUNT]
    }

    pub fn evaluations_of_kind(&self, kind: EvalKind) -> i64 {
        self.0[at::EVAL_KIND + kind.index()]
    }

    pub fn evaluations_of_grade(&self, grade: Option<Grade>) -> i64 {
        self.0[at::EVAL_GRADE + grade.map_or(GRADES - 1, |g| g.index())]
    }

    /// Units in the subtree with at least one evaluation.
    pub fn evaluated_stations(&self) -> i64 {
        self.0[at::EVALUATED]
    }

    /// Covered units that have had no evaluation yet.
    pub fn stations_without_evaluation(&self) -> i64 {
        self.covered_total() - self.0[at::COVERED_EVALUATED]
    }

    pub fn trainings(&self) -> i64 {
        self.0[at::TRAIN_COUNT]
    }

    pub fn trainings_of_kind(&self, kind: TrainingKind) -> i64 {
        self.0[at::TRAIN_KIND + kind.index()]
    }

    pub fn trainings_of_mode(&self, mode: Option<TrainingMode>) -> i64 {
        self.0[at::TRAIN_MODE + mode.map_or(MODES - 1, |m| m.index())]
    }

    pub fn training_hours_tenths(&self) -> i64 {
        self.0[at::TRAIN_HOURS]
    }

    pub fn training_attendees(&self) -> i64 {
        self.0[at::TRAIN_ATTENDEES]
    }

    /// How many trainings state their hours.
    pub fn trainings_with_hours(&self) -> i64 {
        self.0[at::TRAIN_HOURS_GIVEN]
    }

    /// How many trainings state their attendees.
    pub fn trainings_with_attendees(&self) -> i64 {
        self.0[at::TRAIN_ATTENDEES_GIVEN]
    }

    /// Total hours in tenths, or `None` when no training states them.
    pub fn stated_hours_tenths(&self) -> Option<i64> {
        (self.trainings_with_hours() > 0).then(|| self.training_hours_tenths())
    }

    /// Total attendees, or `None` when no training states them.
    pub fn stated_attendees(&self) -> Option<i64> {
        (self.trainings_with_attendees() > 0).then(|| self.training_attendees())
    }
}

/// What a budget entry adds, and on which day.
pub fn budget_delta(entry: &BudgetEntry) -> (Day, Measures) {
    let mut m = Measures::default();
    m.bump(at::fund(entry.kind, entry.category, entry.source), entry.amount.0);
    (entry.date.end_day(), m)
}

pub fn evaluation_delta(e: &Evaluation) -> (Day, Measures) {
    let mut m = Measures::default();
    m.bump(at::EVAL_COUNT, 1);
    m.bump(at::EVAL_KIND + e.kind.index(), 1);
    m.bump(
        at::EVAL_GRADE + e.effective_grade().map_or(GRADES - 1, |g| g.index()),
        1,
    );
    (e.date.end_day(), m)
}

pub fn training_delta(t: &Training) -> (Day, Measures) {
    let mut m = Measures::default();
    m.bump(at::TRAIN_COUNT, 1);
    m.bump(at::TRAIN_KIND + t.kind.index(), 1);
    m.bump(at::TRAIN_MODE + t.mode.map_or(MODES - 1, |x| x.index()), 1);
    if let Some(hours) = t.hours {
        m.bump(at::TRAIN_HOURS, hours as i64);
        m.bump(at::TRAIN_HOURS_GIVEN, 1);
    }
    if let Some(attendees) = t.attendees {
        m.bump(at::TRAIN_ATTENDEES, attendees as i64);
        m.bump(at::TRAIN_ATTENDEES_GIVEN, 1);
    }
    (t.date.end_day(), m)
}

/// What a unit itself contributes, given the day of its first evaluation: it exists (always),
/// it is covered from its opening to its closing, it is evaluated from its first evaluation.
pub fn unit_events(unit: &Unit, first_evaluation: Option<Day>) -> Vec<(Day, Measures)> {
    unit_event_cells(unit, first_evaluation)
        .into_iter()
        .map(|(day, index, by)| {
            let mut m = Measures::default();
            m.bump(index, by);
            (day, m)
        })
        .collect()
}

/// `unit_events`, each event as the one counter it moves: (day, counter, by). A moved first
/// evaluation compares two lists of these (`store::import`) without a `Measures` per event.
pub fn unit_event_cells(unit: &Unit, first_evaluation: Option<Day>) -> Vec<(Day, usize, i64)> {
    let mut events = Vec::with_capacity(6);
    let mut single = |day: Day, index: usize, by: i64| events.push((day, index, by));
    single(EPOCH, at::UNITS + unit.level.index(), 1);
    let opened = if unit.station.has_opened() {
        unit.opened_on.map(|d| d.end_day())
    } else {
        None
    };
    let closed = if unit.station == StationStatus::Closed {
        unit.closed_on.map(|d| d.end_day())
    } else {
        None
    };
    if let Some(open) = opened {
        if closed.is_none_or(|c| c > open) {
            single(open, at::COVERED + unit.level.index(), 1);
            if let Some(c) = closed {
                single(c, at::COVERED + unit.level.index(), -1);
            }
        }
    }
    if let Some(first) = first_evaluation {
        single(first, at::EVALUATED, 1);
        if let Some(open) = opened {
            let start = open.max(first);
            if closed.is_none_or(|c| c > start) {
                single(start, at::COVERED_EVALUATED, 1);
                if let Some(c) = closed {
                    single(c, at::COVERED_EVALUATED, -1);
                }
            }
        }
    }
    events
}

/// The year a day's measures are filed under; the epoch has year 0.
pub fn bucket_year(day: Day) -> u16 {
    if day == EPOCH {
        0
    } else {
        date_of(day).year().clamp(1, u16::MAX as i32) as u16
    }
}

/// Measures with only their non-zero counters, sorted by index: a day's entry in a bucket
/// (most days move one or two counters, so this is far smaller than `Measures`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sparse(pub Vec<(u8, i64)>);

impl Sparse {
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, other: &Sparse) -> Result<(), Overflow> {
        for (i, v) in &other.0 {
            match self.0.binary_search_by_key(i, |(j, _)| *j) {
                Ok(pos) => {
                    let slot = &mut self.0[pos].1;
                    *slot = slot.checked_add(*v).ok_or(Overflow)?;
                    if *slot == 0 {
                        self.0.remove(pos);
                    }
                }
                Err(pos) => self.0.insert(pos, (*i, *v)),
            }
        }
        Ok(())
    }

    pub fn add_to(&self, m: &mut Measures) -> Result<(), Overflow> {
        for (i, v) in &self.0 {
            if let Some(slot) = m.0.get_mut(*i as usize) {
                *slot = slot.checked_add(*v).ok_or(Overflow)?;
            }
        }
        Ok(())
    }

    pub fn negated(&self) -> Result<Sparse, Overflow> {
        self.0
            .iter()
            .map(|(i, v)| v.checked_neg().map(|n| (*i, n)).ok_or(Overflow))
            .collect::<Result<_, _>>()
            .map(Sparse)
    }
}

impl Measures {
    pub fn sparse(&self) -> Sparse {
        Sparse(self.to_sparse())
    }
}

/// One unit's subtree measures for one year: the year's total, and the measures of each day,
/// so that "as of" a day inside the year sums only the days up to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearBucket {
    pub total: Measures,
    pub days: BTreeMap<Day, Sparse>,
}

impl YearBucket {
    pub fn add(&mut self, day: Day, delta: &Sparse) -> Result<(), Overflow> {
        delta.add_to(&mut self.total)?;
        let slot = self.days.entry(day).or_default();
        slot.add(delta)?;
        if slot.is_zero() {
            self.days.remove(&day);
        }
        Ok(())
    }

    /// Measures of the days on or before `until`.
    pub fn until(&self, until: Day) -> Result<Measures, Overflow> {
        let mut sum = Measures::default();
        for (_, m) in self.days.range(..=until) {
            m.add_to(&mut sum)?;
        }
        Ok(sum)
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty() && self.total.is_zero()
    }
}

/// Whether the whole of `year` lies on or before `as_of`.
pub fn year_complete(year: u16, as_of: NaiveDate) -> bool {
    year == 0
        || (year as i32) < as_of.year()
        || (as_of.month() == 12 && as_of.day() == 31 && year as i32 == as_of.year())
}

pub fn as_of_day(as_of: NaiveDate) -> Day {
    day_of(as_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_follows_opening_and_closing() {
        let mut u = Unit::new("a", None, Level::Street, "甲街道");
        u.station = StationStatus::Closed;
        u.opened_on = PartialDate::parse("2020").ok();
        u.closed_on = PartialDate::parse("2021-06-30").ok();
        let events = unit_events(&u, None);
        assert_eq!(events.len(), 3);
        let covered_sum: i64 = events.iter().map(|(_, m)| m.covered(Level::Street)).sum();
        assert_eq!(covered_sum, 0);
    }

    #[test]
    fn year_bucket_sums_days_up_to_a_date() {
        let mut b = YearBucket::default();
        let one = Sparse(vec![(at::EVAL_COUNT as u8, 1)]);
        b.add(10, &one).unwrap();
        b.add(20, &one).unwrap();
        assert_eq!(b.until(15).unwrap().evaluations(), 1);
        assert_eq!(b.total.evaluations(), 2);
        b.add(10, &one.negated().unwrap()).unwrap();
        assert_eq!(b.days.len(), 1);
    }

    /// The indices are the stored layout of every year total and day entry (schema 3): a
    /// change that moves one reads old stores wrongly, though a fresh store would not notice.
    #[test]
    fn stored_indices_keep_their_meaning() {
        let layout = [
            at::UNITS,
            at::COVERED,
            at::FUND,
            at::EVAL_COUNT,
            at::EVAL_KIND,
            at::EVAL_GRADE,
            at::EVALUATED,
            at::COVERED_EVALUATED,
            at::TRAIN_COUNT,
            at::TRAIN_KIND,
            at::TRAIN_MODE,
            at::TRAIN_HOURS,
            at::TRAIN_ATTENDEES,
            at::TRAIN_HOURS_GIVEN,
            at::TRAIN_ATTENDEES_GIVEN,
            at::LEN,
        ];
        assert_eq!(layout, [0, 5, 10, 66, 67, 72, 77, 78, 79, 80, 84, 88, 89, 90, 91, 92]);
        // Money: kind, then category (not stated last), then source (not stated last), one
        // slot each, in order and without a gap.
        let mut next = at::FUND;
        for kind in BudgetKind::ALL {
            let categories = Category::ALL.iter().map(|c| Some(*c)).chain([None]);
            for category in categories {
                let sources = Source::ALL.iter().map(|s| Some(*s)).chain([None]);
                for source in sources {
                    assert_eq!(
                        at::fund(*kind, category, source),
                        next,
                        "{kind:?} {category:?} {source:?}"
                    );
                    next += 1;
                }
            }
        }
        assert_eq!(next, at::EVAL_COUNT);
    }

    /// Slot `i` holds `i + 1`, so each reader shows which slots it read.
    fn numbered() -> Measures {
        let mut m = Measures::default();
        for (i, v) in m.0.iter_mut().enumerate() {
            *v = i as i64 + 1;
        }
        m
    }

    #[test]
    fn each_reader_reads_its_own_slots() {
        let m = numbered();
        let slot = |i: usize| i as i64 + 1;
        for (n, level) in Level::ALL.iter().enumerate() {
            assert_eq!(m.units(*level), slot(n));
            assert_eq!(m.covered(*level), slot(5 + n));
        }
        assert_eq!(m.covered_total(), (6..=10).sum::<i64>());
        assert_eq!(m.allocated(), Fen((11..=38).sum()));
        assert_eq!(m.spent(), Fen((39..=66).sum()));
        assert_eq!(m.evaluations(), slot(66));
        for (n, kind) in EvalKind::ALL.iter().enumerate() {
            assert_eq!(m.evaluations_of_kind(*kind), slot(67 + n));
        }
        for (n, grade) in Grade::ALL.iter().enumerate() {
            assert_eq!(m.evaluations_of_grade(Some(*grade)), slot(72 + n));
        }
        assert_eq!(m.evaluations_of_grade(None), slot(76));
        assert_eq!(m.evaluated_stations(), slot(77));
        assert_eq!(m.stations_without_evaluation(), m.covered_total() - slot(78));
        assert_eq!(m.trainings(), slot(79));
        for (n, kind) in TrainingKind::ALL.iter().enumerate() {
            assert_eq!(m.trainings_of_kind(*kind), slot(80 + n));
        }
        for (n, mode) in TrainingMode::ALL.iter().enumerate() {
            assert_eq!(m.trainings_of_mode(Some(*mode)), slot(84 + n));
        }
        assert_eq!(m.trainings_of_mode(None), slot(87));
        assert_eq!(m.training_hours_tenths(), slot(88));
        assert_eq!(m.training_attendees(), slot(89));
        assert_eq!(m.trainings_with_hours(), slot(90));
        assert_eq!(m.trainings_with_attendees(), slot(91));
        assert_eq!(m.stated_hours_tenths(), Some(slot(88)));
        assert_eq!(m.stated_attendees(), Some(slot(89)));
    }

    #[test]
    fn measures_add_subtract_and_refuse_to_wrap() {
        let mut m = Measures::default();
        assert!(m.is_zero());
        m.add(&numbered()).unwrap();
        assert!(!m.is_zero());
        assert_eq!(m, numbered());
        m.add(&numbered()).unwrap();
        assert_eq!(m.units(Level::Province), 2);
        m.sub(&numbered()).unwrap();
        assert_eq!(m, numbered());
        m.sub(&numbered()).unwrap();
        assert!(m.is_zero());

        let mut big = Measures::default();
        big.0[at::TRAIN_ATTENDEES] = i64::MAX;
        assert_eq!(big.clone().add(&numbered()), Err(Overflow));
        let mut small = Measures::default();
        small.0[at::UNITS] = i64::MIN;
        assert_eq!(small.sub(&numbered()), Err(Overflow));
    }

    #[test]
    fn a_delta_adds_what_its_record_says() {
        let entry = BudgetEntry {
            id: None,
            date: PartialDate::parse("2021-06-30").unwrap(),
            unit: "a".into(),
            kind: BudgetKind::Allocation,
            category: None,
            source: None,
            amount: Fen(12_345),
            voucher: String::new(),
            note: String::new(),
        };
        let (_, m) = budget_delta(&entry);
        assert_eq!(m.allocated(), Fen(12_345));
        assert_eq!(m.spent(), Fen(0));
    }

    #[test]
    fn sparse_keeps_only_non_zero_counters_in_order() {
        let mut m = Measures::default();
        m.0[3] = 7;
        m.0[20] = -5;
        m.0[at::LEN - 1] = 1;
        let pairs = vec![(3, 7), (20, -5), ((at::LEN - 1) as u8, 1)];
        assert_eq!(m.to_sparse(), pairs);
        assert_eq!(m.sparse(), Sparse(pairs.clone()));
        assert_eq!(Measures::from_sparse(&pairs), m);
        // An index a newer program wrote is dropped, not a panic.
        assert_eq!(
            Measures::from_sparse(&[(3, 7), (20, -5), (200, 9), ((at::LEN - 1) as u8, 1)]),
            m
        );
    }

    #[test]
    fn sparse_sums_merge_in_order_and_drop_zeros() {
        let mut a = Sparse::default();
        assert!(a.is_zero());
        a.add(&Sparse(vec![(5, 2), (9, 1)])).unwrap();
        assert!(!a.is_zero());
        a.add(&Sparse(vec![(1, 4), (5, 3), (7, -1)])).unwrap();
        assert_eq!(a, Sparse(vec![(1, 4), (5, 5), (7, -1), (9, 1)]));
        a.add(&Sparse(vec![(5, -5), (9, -1)])).unwrap();
        assert_eq!(a, Sparse(vec![(1, 4), (7, -1)]));
        assert_eq!(a.negated().unwrap(), Sparse(vec![(1, -4), (7, 1)]));
        assert_eq!(a.clone().add(&Sparse(vec![(1, i64::MAX)])), Err(Overflow));
        assert_eq!(Sparse(vec![(1, i64::MIN)]).negated(), Err(Overflow));

        let mut m = numbered();
        a.add_to(&mut m).unwrap();
        assert_eq!(m.0[1], 2 + 4);
        assert_eq!(m.0[7], 8 - 1);
        assert_eq!(m.0[2], 3);
        assert_eq!(Sparse(vec![(0, i64::MAX)]).add_to(&mut m), Err(Overflow));
    }

    #[test]
    fn a_year_bucket_is_empty_only_without_days_and_total() {
        let mut b = YearBucket::default();
        assert!(b.is_empty());
        b.add(10, &Sparse(vec![(at::EVAL_COUNT as u8, 1)])).unwrap();
        assert!(!b.is_empty());
        let total_only = YearBucket {
            total: numbered(),
            days: BTreeMap::new(),
        };
        assert!(!total_only.is_empty());
        let days_only = YearBucket {
            total: Measures::default(),
            days: BTreeMap::from([(10, Sparse(vec![(1, 1)]))]),
        };
        assert!(!days_only.is_empty());
        assert_eq!(b.until(9).unwrap(), Measures::default());
        assert_eq!(b.until(10).unwrap().evaluations(), 1);
    }

    #[test]
    fn days_are_filed_under_their_year() {
        assert_eq!(bucket_year(EPOCH), 0);
        let leap_day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default();
        let new_year = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        assert_eq!(bucket_year(day_of(leap_day)), 2024);
        assert_eq!(bucket_year(day_of(new_year)), 2025);
        assert_eq!(as_of_day(leap_day), day_of(leap_day));
        assert_eq!(as_of_day(new_year) - as_of_day(leap_day), 307);
    }
}
