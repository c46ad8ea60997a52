//! The records the bureau keeps: units with their station, evaluations, training sessions and
//! budget entries; their field rules (SPEC.md "Interchange files") that need no store to check.

use super::date::PartialDate;
use super::money::Fen;
use super::problem::Problem;
use super::words::*;
use crate::words::P;
use serde::{Deserialize, Serialize};

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_CODE_LEN: usize = 32;
/// The most characters one free-text field (note, address, evaluator, topic, voucher, ...) may
/// hold, from a file or a form alike. A note of megabytes is a mistake (a pasted document), and
/// a unit's records of a year are stored together (`store::codec::PAGE_LIMIT`): this keeps any
/// one record small. docs/RELIABILITY.md lists it with the other limits.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// A unit of the hierarchy (district, street, community, ...) with the station on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub parent: Option<String>,
    pub level: Level,
    pub name: String,
    pub station: StationStatus,
    pub opened_on: Option<PartialDate>,
    pub closed_on: Option<PartialDate>,
    pub operator: String,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub note: String,
    /// Staff counts; `None` when the source does not state them (never stored as 0).
    pub social_workers: Option<u32>,
    pub certified_workers: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: Option<String>,
    pub unit: String,
    pub date: PartialDate,
    pub kind: EvalKind,
    pub evaluator: String,
    /// Score in tenths of a point, 0..=1000.
    pub score: Option<u16>,
    /// The grade as given; `effective_grade` derives it from the score when empty.
    pub grade: Option<Grade>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Training {
    pub id: Option<String>,
    pub date: PartialDate,
    pub host: String,
    pub kind: TrainingKind,
    pub mode: Option<TrainingMode>,
    pub topic: String,
    /// Hours in tenths.
    pub hours: Option<u32>,
    pub attendees: Option<u32>,
    /// Codes of the stations served; empty means the host.
    pub units: Vec<String>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BudgetEntry {
    pub id: Option<String>,
    pub date: PartialDate,
    pub unit: String,
    pub kind: BudgetKind,
    /// Empty when the source document does not say.
    pub category: Option<Category>,
    pub source: Option<Source>,
    pub amount: Fen,
    pub voucher: String,
    pub note: String,
}

impl Unit {
    /// A unit with only what is required, as a form starts.
    pub fn new(code: &str, parent: Option<&str>, level: Level, name: &str) -> Unit {
        Unit {
            code: code.to_string(),
            parent: parent.map(str::to_string),
            level,
            name: name.to_string(),
            station: StationStatus::None,
            opened_on: None,
            closed_on: None,
            operator: String::new(),
            address: String::new(),
            contact: String::new(),
            phone: String::new(),
            note: String::new(),
            social_workers: None,
            certified_workers: None,
        }
    }

    /// Rules within the record (parent existence, level order and cycles need the store); the
    /// text cap (`MAX_TEXT_CHARS`) included: for files and forms.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(true)
    }

    /// Every rule but the text cap: for values stored before the cap existed, which a backup
    /// may hold and a restore must put back (a date no calendar has is still refused).
    pub fn validate_restored(&self) -> Vec<Problem> {
        self.validate_with(false)
    }

    fn validate_with(&self, cap_text: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(p) = check_code("code", &self.code) {
            problems.push(p);
        }
        if let Some(parent) = &self.parent {
            if let Some(p) = check_code("parent", parent) {
                problems.push(p);
            } else if parent == &self.code {
                problems.push(Problem::said("parent", P::ParentIsItself, &[]));
            }
        }
        if let Err(e) = super::fields::name(&self.name) {
            problems.push(e.problem("name"));
        }
        if self.station.has_opened() && self.opened_on.is_none() {
            problems.push(Problem::said_in("opened_on", P::OpenedOnRequired, |lang| {
                vec![Box::new(self.station.label(lang))]
            }));
        }
        match (self.station, self.closed_on) {
            (StationStatus::Closed, None) => problems.push(Problem::said("closed_on", P::ClosedOnRequired, &[])),
            (StationStatus::Closed, Some(closed)) => {
                if let Some(opened) = self.opened_on {
                    if closed.end() < opened.end() {
                        problems.push(Problem::said("closed_on", P::ClosedBeforeOpened, &[&closed, &opened]));
                    }
                }
            }
            (_, Some(_)) => problems.push(Problem::said("closed_on", P::ClosedOnWithoutClosing, &[])),
            _ => {}
        }
        // Only two stated counts can disagree: an unstated one says nothing.
        if let (Some(certified), Some(social)) = (self.certified_workers, self.social_workers) {
            if certified > social {
                problems.push(Problem::said(
                    "certified_workers",
                    P::CertifiedOverWorkers,
                    &[&certified, &social],
                ));
            }
        }
        check_date("opened_on", self.opened_on.as_ref(), &mut problems);
        check_date("closed_on", self.closed_on.as_ref(), &mut problems);
        if cap_text {
            check_text_lengths(
                &[
                    ("operator", &self.operator),
                    ("address", &self.address),
                    ("contact", &self.contact),
                    ("phone", &self.phone),
                    ("note", &self.note),
                ],
                &mut problems,
            );
        }
        if let Some(p) = check_phone(&self.phone) {
            problems.push(p);
        }
        problems.extend(super::privacy::id_number_problems(&[
            ("name", &self.name),
            ("operator", &self.operator),
            ("address", &self.address),
            ("contact", &self.contact),
            ("phone", &self.phone),
            ("note", &self.note),
        ]));
        problems
    }

    /// Whether the station counts as covering this unit on `as_of`.
    pub fn covered_on(&self, as_of: chrono::NaiveDate) -> bool {
        self.station_on(as_of) == StationOnDate::Covered
    }

    /// The station as it stood on `as_of` (SPEC.md "Rollups"): covered, not yet opened, closed,
    /// or the stored status when the station has no dates to place it in time.
    pub fn station_on(&self, as_of: chrono::NaiveDate) -> StationOnDate {
        let dated = match (self.station.has_opened(), self.opened_on) {
            (true, Some(opened)) => Some(opened),
            _ => None,
        };
        let Some(opened) = dated else {
            return match self.station {
                StationStatus::Planned => StationOnDate::Planned,
                StationStatus::Building => StationOnDate::Building,
                _ => StationOnDate::None,
            };
        };
        let closed = if self.station == StationStatus::Closed {
            self.closed_on
        } else {
            None
        };
        if closed.is_some_and(|c| c.end() <= as_of) {
            StationOnDate::Closed
        } else if opened.end() <= as_of {
            StationOnDate::Covered
        } else {
            StationOnDate::NotYet
        }
    }
}

impl Evaluation {
    pub fn effective_grade(&self) -> Option<Grade> {
        self.grade.or(self.score.map(Grade::from_score_tenths))
    }

    /// Every rule, the text cap (`MAX_TEXT_CHARS`) included: for files and forms.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(true)
    }

    /// Every rule but the text cap: for values stored before the cap existed, which a backup
    /// may hold and a restore must put back (a date no calendar has is still refused).
    pub fn validate_restored(&self) -> Vec<Problem> {
        self.validate_with(false)
    }

    fn validate_with(&self, cap_text: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if let Some(score) = self.score {
            if score > 1000 {
                problems.push(Problem::said("score", P::ScoreOutOfRange, &[]));
            } else if let Some(grade) = self.grade {
                let derived = Grade::from_score_tenths(score);
                if derived != grade {
                    problems.push(Problem::said_in("grade", P::GradeDisagreesWithScore, |lang| {
                        vec![
                            Box::new(grade.label(lang)),
                            Box::new(tenths(score as u32)),
                            Box::new(derived.label(lang)),
                        ]
                    }));
                }
            }
        }
        check_date("date", Some(&self.date), &mut problems);
        if cap_text {
            check_text_lengths(&[("evaluator", &self.evaluator), ("note", &self.note)], &mut problems);
        }
        problems.extend(super::privacy::id_number_problems(&[
            ("id", self.id.as_deref().unwrap_or("")),
            ("evaluator", &self.evaluator),
            ("note", &self.note),
        ]));
        problems
    }
}

impl Training {
    /// Every rule, the text cap (`MAX_TEXT_CHARS`) included: for files and forms.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(true)
    }

    /// Every rule but the text cap: for values stored before the cap existed, which a backup
    /// may hold and a restore must put back (a date no calendar has is still refused).
    pub fn validate_restored(&self) -> Vec<Problem> {
        self.validate_with(false)
    }

    fn validate_with(&self, cap_text: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if self.hours == Some(0) {
            problems.push(Problem::said("hours", P::MustBePositive, &[]));
        }
        for code in &self.units {
            if let Some(p) = check_code("units", code) {
                problems.push(p);
            }
        }
        check_date("date", Some(&self.date), &mut problems);
        if cap_text {
            check_text_lengths(&[("topic", &self.topic), ("note", &self.note)], &mut problems);
        }
        problems.extend(super::privacy::id_number_problems(&[
            ("id", self.id.as_deref().unwrap_or("")),
            ("topic", &self.topic),
            ("note", &self.note),
        ]));
        problems
    }

    /// The stations served: the listed ones, or the host when none are listed.
    pub fn served(&self) -> Vec<&str> {
        if self.units.is_empty() {
            vec![self.host.as_str()]
        } else {
            self.units.iter().map(String::as_str).collect()
        }
    }
}

impl BudgetEntry {
    /// Every rule, the text cap (`MAX_TEXT_CHARS`) included: for files and forms.
    pub fn validate(&self) -> Vec<Problem> {
        self.validate_with(true)
    }

    /// Every rule but the text cap: for values stored before the cap existed, which a backup
    /// may hold and a restore must put back (a date no calendar has is still refused).
    pub fn validate_restored(&self) -> Vec<Problem> {
        self.validate_with(false)
    }

    fn validate_with(&self, cap_text: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if self.amount == Fen::ZERO {
            problems.push(Problem::said("amount", P::MustNotBeZero, &[]));
        }
        check_date("date", Some(&self.date), &mut problems);
        if cap_text {
            check_text_lengths(&[("voucher", &self.voucher), ("note", &self.note)], &mut problems);
        }
        problems.extend(super::privacy::id_number_problems(&[
            ("id", self.id.as_deref().unwrap_or("")),
            ("voucher", &self.voucher),
            ("note", &self.note),
        ]));
        problems
    }
}

/// A staff count as schema 2 stores (and format-1 backups) hold it, read into schema 3. Those
/// wrote an empty cell as 0, so a stored 0 cannot be told from "not stated"; the shipped Xishan
/// units state no staff at all. A 0 therefore becomes "not stated" (claiming less than the old
/// value, never more); any other number was stated and is kept. README "Upgrading" says so.
pub fn count_from_schema2(n: u32) -> Option<u32> {
    (n != 0).then_some(n)
}

/// `12.5` from 125 tenths.
pub fn tenths(value: u32) -> String {
    if value.is_multiple_of(10) {
        format!("{}", value / 10)
    } else {
        format!("{}.{}", value / 10, value % 10)
    }
}

pub fn check_code(field: &'static str, code: &str) -> Option<Problem> {
    super::fields::code(code).err().map(|e| e.problem(field))
}

/// Free-text fields longer than `MAX_TEXT_CHARS`.
fn check_text_lengths(fields: &[(&'static str, &str)], problems: &mut Vec<Problem>) {
    for (field, text) in fields {
        if let Err(e) = super::fields::text(text) {
            problems.push(e.problem(field));
        }
    }
}

/// A date that no calendar has (a backup holds the numbers themselves, not text that was
/// parsed): `65535-02-30`.
fn check_date(field: &'static str, date: Option<&PartialDate>, problems: &mut Vec<Problem>) {
    if let Some(date) = date {
        if !date.is_valid() {
            problems.push(Problem::said(
                field,
                P::DateOutOfYears,
                &[&date, &(super::date::MIN_YEAR), &(super::date::MAX_YEAR)],
            ));
        }
    }
}

/// A phone number (`fields::phone`); empty is allowed (the field is optional).
pub fn check_phone(phone: &str) -> Option<Problem> {
    super::fields::phone(phone).err().map(|e| e.problem("phone"))
}

fn check_id(id: &Option<String>, problems: &mut Vec<Problem>) {
    if let Some(Err(e)) = id.as_deref().map(super::fields::record_id) {
        problems.push(e.problem("id"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_rules_name_the_field() {
        let mut u = Unit::new("530112001000", Some("530112000000"), Level::Street, "西苑街道");
        assert!(u.validate().is_empty());
        u.station = StationStatus::Operating;
        assert_eq!(u.validate()[0].field, "opened_on");
        u.opened_on = PartialDate::parse("2021-05").ok();
        u.certified_workers = Some(3);
        u.social_workers = Some(2);
        assert_eq!(u.validate()[0].field, "certified_workers");
        u.code = "bad code".into();
        assert_eq!(u.validate()[0].field, "code");
    }

    #[test]
    fn text_over_the_cap_and_impossible_dates_are_refused() {
        let mut u = Unit::new("530112001000", None, Level::District, "西山区");
        u.note = "备".repeat(MAX_TEXT_CHARS);
        assert!(u.validate().is_empty());
        u.note.push('注');
        assert_eq!(u.validate()[0].field, "note");
        u.note.clear();
        u.opened_on = Some(PartialDate {
            year: 65535,
            month: 2,
            day: 30,
        });
        assert_eq!(u.validate()[0].field, "opened_on");
    }

    #[test]
    fn grade_must_agree_with_score() {
        let e = Evaluation {
            id: None,
            unit: "x".into(),
            date: PartialDate::parse("2021-11-08").unwrap(),
            kind: EvalKind::Midterm,
            evaluator: String::new(),
            score: Some(855),
            grade: Some(Grade::Excellent),
            note: String::new(),
        };
        assert_eq!(e.validate()[0].field, "grade");
        assert_eq!(e.effective_grade(), Some(Grade::Excellent));
        let derived = Evaluation { grade: None, ..e };
        assert_eq!(derived.effective_grade(), Some(Grade::Good));
    }
}
