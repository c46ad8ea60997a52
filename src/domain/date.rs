//! Full and partial dates (`2021-11-08`, `2021-11`, `2021`) in the forms clerks write, and the
//! "as of" rule: a partial date counts once its whole period has ended.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Days since 0001-01-01 (chrono's `num_days_from_ce`): the ordering key of every dated record.
pub type Day = i32;

/// A date that may lack its day, or its month and day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: u16,
    /// 0 when only the year is known.
    pub month: u8,
    /// 0 when the day is not known.
    pub day: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    Empty,
    Unreadable(String),
    OutOfRange(String),
}

pub const MIN_YEAR: u16 = 1900;
pub const MAX_YEAR: u16 = 2999;

impl PartialDate {
    pub fn full(date: NaiveDate) -> PartialDate {
        PartialDate {
            year: date.year() as u16,
            month: date.month() as u8,
            day: date.day() as u8,
        }
    }

    /// Reads `2021-11-08`, `2021/11/8`, `2021.11.8`, `2021年11月8日`, `2021-11`, `2021年11月`, `2021`.
    pub fn parse(text: &str) -> Result<PartialDate, DateError> {
        // Full-width digits and separators (２０２１－１１－０８) read as ASCII.
        let half = super::money::to_halfwidth(text);
        let s = half.trim();
        if s.is_empty() {
            return Err(DateError::Empty);
        }
        let unreadable = || DateError::Unreadable(text.to_string());
        let normalized: String = s.replace(['年', '月', '/', '.'], "-").replace('日', "");
        let parts: Vec<&str> = normalized.trim_end_matches('-').split('-').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(unreadable());
        }
        let mut nums = [0u32; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(unreadable());
            }
            nums[i] = p.parse().map_err(|_| unreadable())?;
        }
        if parts[0].len() != 4 {
            return Err(unreadable());
        }
        let date = PartialDate {
            year: nums[0] as u16,
            month: nums[1] as u8,
            day: nums[2] as u8,
        };
        if parts.len() >= 2 && (parts[1].len() > 2 || nums[1] == 0) {
            return Err(unreadable());
        }
        if parts.len() == 3 && (parts[2].len() > 2 || nums[2] == 0) {
            return Err(unreadable());
        }
        date.validate().map_err(|_| DateError::OutOfRange(text.to_string()))?;
        Ok(date)
    }

    fn validate(&self) -> Result<(), ()> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&self.year) || self.month > 12 {
            return Err(());
        }
        if self.month == 0 && self.day != 0 {
            return Err(());
        }
        if self.day != 0 && NaiveDate::from_ymd_opt(self.year as i32, self.month as u32, self.day as u32).is_none() {
            return Err(());
        }
        Ok(())
    }

    /// Whether this is a date `parse` could have returned: a value read from elsewhere (a
    /// backup, which holds the numbers themselves) is checked with this.
    pub fn is_valid(&self) -> bool {
        self.validate().is_ok()
    }

    pub fn is_full(&self) -> bool {
        self.day != 0
    }

    /// The last day of the period this date names: when it starts to count "as of".
    pub fn end(&self) -> NaiveDate {
        let y = self.year as i32;
        let fallback = NaiveDate::MIN;
        match (self.month, self.day) {
            (0, _) => NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(fallback),
            (m, 0) => last_day_of_month(y, m as u32).unwrap_or(fallback),
            (m, d) => NaiveDate::from_ymd_opt(y, m as u32, d as u32).unwrap_or(fallback),
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        let y = self.year as i32;
        let m = if self.month == 0 { 1 } else { self.month as u32 };
        let d = if self.day == 0 { 1 } else { self.day as u32 };
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    pub fn end_day(&self) -> Day {
        self.end().num_days_from_ce()
    }

    /// Whether this date counts as of `as_of`: its whole period has ended by then.
    pub fn counts_on(&self, as_of: NaiveDate) -> bool {
        self.end() <= as_of
    }
}

pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce()
}

pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// Reads a full date for `--as-of`; partial dates mean the end of their period.
pub fn parse_as_of(text: &str) -> Result<NaiveDate, DateError> {
    PartialDate::parse(text).map(|d| d.end())
}

/// The end of the month before the month of `d` (where `[` moves the as-of date).
pub fn month_back(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 1 {
        (d.year() - 1, 12)
    } else {
        (d.year(), d.month() - 1)
    };
    last_day_of_month(y, m).unwrap_or(d)
}

/// The end of `d`'s month, or of the next month when `d` is a month end; never after `today`
/// (and never before `d`: an as-of date already after today stays where it is).
pub fn month_forward(d: NaiveDate, today: NaiveDate) -> NaiveDate {
    let end = last_day_of_month(d.year(), d.month()).unwrap_or(d);
    let next = if end == d {
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        last_day_of_month(y, m).unwrap_or(d)
    } else {
        end
    };
    next.min(today).max(d)
}

/// The last day of the year before `d`'s.
pub fn year_back(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() - 1, 12, 31).unwrap_or(d)
}

/// The end of `d`'s year, or of the next year when `d` is 31 December; never after `today`.
pub fn year_forward(d: NaiveDate, today: NaiveDate) -> NaiveDate {
    let end = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d);
    let next = if end == d {
        NaiveDate::from_ymd_opt(d.year() + 1, 12, 31).unwrap_or(d)
    } else {
        end
    };
    next.min(today).max(d)
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (0, _) => write!(f, "{:04}", self.year),
            (m, 0) => write!(f, "{:04}-{:02}", self.year, m),
            (m, d) => write!(f, "{:04}-{:02}-{:02}", self.year, m, d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reads_every_form_in_the_spec() {
        let full = PartialDate {
            year: 2021,
            month: 11,
            day: 8,
        };
        for s in ["2021-11-08", "2021/11/8", "2021.11.8", "2021年11月8日", " 2021-11-8 "] {
            assert_eq!(PartialDate::parse(s), Ok(full), "{s}");
        }
        assert_eq!(
            PartialDate::parse("2021-11"),
            Ok(PartialDate {
                year: 2021,
                month: 11,
                day: 0
            })
        );
        assert_eq!(
            PartialDate::parse("2021年11月"),
            Ok(PartialDate {
                year: 2021,
                month: 11,
                day: 0
            })
        );
        assert_eq!(
            PartialDate::parse("2021"),
            Ok(PartialDate {
                year: 2021,
                month: 0,
                day: 0
            })
        );
        assert_eq!(
            PartialDate::parse("2021年"),
            Ok(PartialDate {
                year: 2021,
                month: 0,
                day: 0
            })
        );
    }

    #[test]
    fn refuses_impossible_dates() {
        for s in [
            "",
            "2021-02-30",
            "2021-13",
            "21-1-1",
            "2021-1-1-1",
            "abc",
            "2021--1",
            "0000",
        ] {
            assert!(PartialDate::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn partial_dates_count_once_their_period_ends() {
        let y2020 = PartialDate::parse("2020").unwrap();
        assert!(!y2020.counts_on(d(2020, 12, 30)));
        assert!(y2020.counts_on(d(2020, 12, 31)));
        let feb = PartialDate::parse("2024-02").unwrap();
        assert_eq!(feb.end(), d(2024, 2, 29));
    }

    /// The edges cargo-mutants found untested (docs/TESTING.md): one-digit and three-digit
    /// months and days, a zero month or day, a sign (which `u32::from_str` would accept),
    /// and December.
    #[test]
    fn each_part_is_checked_at_its_edges() {
        let ok = |s: &str, y: u16, m: u8, day: u8| {
            assert_eq!(PartialDate::parse(s), Ok(PartialDate { year: y, month: m, day }), "{s}");
        };
        ok("2021-1-8", 2021, 1, 8);
        ok("2021-1", 2021, 1, 0);
        ok("2021-12", 2021, 12, 0);
        ok("2021-12-31", 2021, 12, 31);
        ok("1900-01-01", 1900, 1, 1);
        ok("2999-12-31", 2999, 12, 31);
        for s in [
            "2021-+1",
            "2021-11-+8",
            "+2021",
            "2021-011",
            "2021-11-008",
            "2021-0",
            "2021-00",
        ] {
            assert!(matches!(PartialDate::parse(s), Err(DateError::Unreadable(_))), "{s}");
        }
        for s in ["2021-11-0", "2021-11-00", "20211"] {
            assert!(PartialDate::parse(s).is_err(), "{s}");
        }
        for s in ["1899", "3000-01", "2021-13", "2021-02-29"] {
            assert!(matches!(PartialDate::parse(s), Err(DateError::OutOfRange(_))), "{s}");
        }
    }

    /// A backup holds the numbers themselves: `is_valid` is what checks them.
    #[test]
    fn stored_numbers_are_checked_as_parse_checks_text() {
        let p = |year, month, day| PartialDate { year, month, day };
        assert!(p(2021, 11, 8).is_valid());
        assert!(p(2021, 11, 0).is_valid());
        assert!(p(2021, 0, 0).is_valid());
        assert!(!p(2021, 0, 5).is_valid());
        assert!(!p(2021, 13, 0).is_valid());
        assert!(!p(2021, 2, 29).is_valid());
        assert!(!p(1899, 1, 1).is_valid());
        assert!(p(2021, 11, 8).is_full());
        assert!(!p(2021, 11, 0).is_full());
    }

    #[test]
    fn periods_start_and_end() {
        let p = |s: &str| PartialDate::parse(s).unwrap();
        assert_eq!(p("2021").start(), d(2021, 1, 1));
        assert_eq!(p("2021-11").start(), d(2021, 11, 1));
        assert_eq!(p("2021-11-08").start(), d(2021, 11, 8));
        assert_eq!(p("2021-11").end(), d(2021, 11, 30));
        assert_eq!(p("2021-11-08").end_day(), d(2021, 11, 8).num_days_from_ce());
        assert_eq!(PartialDate::full(d(2024, 2, 29)), p("2024-02-29"));
        assert_eq!(parse_as_of("2024-02"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_as_of("2021"), Ok(d(2021, 12, 31)));
        assert_eq!(parse_as_of(""), Err(DateError::Empty));
        assert_eq!(day_of(d(1, 1, 1)), 1);
        assert_eq!(day_of(d(2024, 3, 1)) - day_of(d(2024, 2, 28)), 2);
        assert_eq!(date_of(day_of(d(2024, 2, 29))), d(2024, 2, 29));
        assert_eq!(date_of(i32::MAX), NaiveDate::MIN);
    }

    #[test]
    fn prints_what_it_reads() {
        for s in ["2021-11-08", "2021-11", "2021"] {
            assert_eq!(PartialDate::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn as_of_moves_by_month_and_year_ends() {
        let today = d(2026, 11, 27);
        assert_eq!(month_back(today), d(2026, 10, 31));
        assert_eq!(month_back(d(2021, 1, 31)), d(2020, 12, 31));
        assert_eq!(month_forward(d(2021, 4, 30), today), d(2021, 5, 31));
        assert_eq!(month_forward(d(2026, 10, 31), today), today);
        assert_eq!(year_back(today), d(2025, 12, 31));
        assert_eq!(year_forward(d(2020, 12, 31), today), d(2021, 12, 31));
        assert_eq!(year_forward(d(2025, 12, 31), today), today);
    }

    #[test]
    fn month_steps_land_on_month_ends_february_included() {
        let today = d(2026, 11, 27);
        // Jan 31 forward: the end of February, 28 or 29 days.
        assert_eq!(month_forward(d(2021, 1, 31), today), d(2021, 2, 28));
        assert_eq!(month_forward(d(2024, 1, 31), today), d(2024, 2, 29));
        assert_eq!(month_forward(d(2000, 1, 31), today), d(2000, 2, 29));
        assert_eq!(month_forward(d(1900, 1, 31), today), d(1900, 2, 28));
        // A day within a month goes to that month's end first.
        assert_eq!(month_forward(d(2024, 2, 10), today), d(2024, 2, 29));
        // Back from March, whatever its day: the end of February.
        assert_eq!(month_back(d(2021, 3, 31)), d(2021, 2, 28));
        assert_eq!(month_back(d(2024, 3, 1)), d(2024, 2, 29));
        // Dec 31 crosses the year both ways.
        assert_eq!(month_forward(d(2020, 12, 31), today), d(2021, 1, 31));
        assert_eq!(month_back(d(2021, 1, 1)), d(2020, 12, 31));
        assert_eq!(year_back(d(2021, 12, 31)), d(2020, 12, 31));
        assert_eq!(year_forward(d(2021, 6, 30), today), d(2021, 12, 31));
    }

    #[test]
    fn forward_steps_never_pass_today() {
        let today = d(2024, 2, 10);
        assert_eq!(month_forward(d(2024, 1, 31), today), today);
        assert_eq!(month_forward(d(2024, 2, 1), today), today);
        assert_eq!(month_forward(today, today), today);
        assert_eq!(year_forward(d(2023, 12, 31), today), today);
        assert_eq!(year_forward(today, today), today);
        // Walking forward from far back stops at today and stays there.
        let mut at = d(2019, 1, 31);
        for _ in 0..100 {
            let next = month_forward(at, today);
            assert!(next >= at && next <= today, "{at} -> {next}");
            assert_eq!(next, last_day_of_month(next.year(), next.month()).unwrap().min(today));
            at = next;
        }
        assert_eq!(at, today);
        // Back steps always land before where they started, on a month or year end.
        let mut at = today;
        for _ in 0..30 {
            let back = month_back(at);
            assert!(back < at);
            assert_eq!(back, last_day_of_month(back.year(), back.month()).unwrap());
            at = back;
        }
        assert_eq!(year_back(today), d(2023, 12, 31));
    }
}
