//! The records the bureau keeps: units with their station, evaluations, training sessions and
//! budget entries; their field rules (SPEC.md "Interchange files") that need no store to check.

use super::date::PartialDate;
use super::money::Fen;
use super::problem::Problem;
use super::scheme::Points;
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
    /// The points per indicator of a scheme (`None`: one score only, as before schemes). Last,
    /// so that an evaluation without points is stored in exactly the bytes (and content hash)
    /// it had before this field existed (`store::codec`).
    pub points: Option<Points>,
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

    /// Every rule but the text cap and the points' own checks (`points_problems`): for values
    /// stored before those existed, which a backup may hold and a restore must put back (a
    /// date no calendar has is still refused).
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
        if let Some(points) = self.points.as_ref().filter(|p| !p.given.is_empty()) {
            // Not for a restore: before this check a file naming an indicator by both its code
            // and its name stored it twice, and a backup must put back what was stored.
            if cap_text {
                problems.extend(points_problems(points));
            }
            let sum = points.sum();
            if self.score.map(u32::from) != Some(sum) {
                let given = self.score.map_or_else(String::new, |s| tenths(u32::from(s)));
                problems.push(Problem::said(
                    "score",
                    crate::words::K::ScoreDisagreesWithPoints,
                    &[&given, &tenths(sum)],
                ));
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

/// What can be checked of an evaluation's points without their scheme (against it, the file's
/// reader and the form check each indicator's maximum): a scheme named, each indicator given
/// once, none over the 100 points a whole evaluation has. Each about one indicator names it,
/// in the words and in `Problem::about`, so that a form puts it beside that indicator.
fn points_problems(points: &Points) -> Vec<Problem> {
    use crate::domain::scheme::MAX_SCHEME_TENTHS;
    use crate::words::K;
    let mut problems = Vec::new();
    if points.scheme.trim().is_empty() {
        problems.push(Problem::said("points", K::PointsNameNoScheme, &[]));
    }
    // How many times each code came so far: a repeat is said once, at its second coming.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (code, p) in &points.given {
        let times = seen.entry(code.as_str()).or_insert(0);
        *times += 1;
        if *times == 2 {
            problems.push(Problem::said("points", K::IndicatorGivenTwice, &[code]).about(code.clone()));
        } else if *times == 1 && u32::from(*p) > MAX_SCHEME_TENTHS {
            problems.push(
                Problem::said("points", K::IndicatorOverHundred, &[code, &tenths(u32::from(*p))]).about(code.clone()),
            );
        }
    }
    problems
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
    use crate::domain::FieldError;
    use crate::i18n::Lang;

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
            points: None,
        };
        assert_eq!(e.validate()[0].field, "grade");
        assert_eq!(e.effective_grade(), Some(Grade::Excellent));
        let derived = Evaluation { grade: None, ..e };
        assert_eq!(derived.effective_grade(), Some(Grade::Good));
    }

    /// Points checked without their scheme: each problem about one indicator names it (in
    /// its words and in `about`), one about the whole names none.
    #[test]
    fn points_problems_name_their_indicator() {
        let e = Evaluation {
            id: None,
            unit: "x".into(),
            date: PartialDate::parse("2022-06-01").unwrap(),
            kind: EvalKind::Annual,
            evaluator: String::new(),
            score: Some(1),
            grade: None,
            note: String::new(),
            points: Some(Points {
                scheme: " ".into(),
                given: vec![
                    ("P1".into(), 1),
                    ("S2".into(), 1001),
                    ("P1".into(), 0),
                    ("P1".into(), 0),
                ],
            }),
        };
        let all = e.validate();
        let problems: Vec<(&str, Option<&str>, &str)> = all
            .iter()
            .filter(|p| p.field == "points")
            .map(|p| {
                let whole = p.message(Lang::En).contains("names no scheme");
                (p.field, p.about.as_deref(), if whole { "none" } else { "one" })
            })
            .collect();
        assert_eq!(
            problems,
            [
                ("points", None, "none"),
                ("points", Some("S2"), "one"),
                ("points", Some("P1"), "one")
            ]
        );
        let said: Vec<String> = e.validate().iter().map(|p| p.message(Lang::En).to_string()).collect();
        assert!(
            said.contains(&"indicator S2: 100.1 is more than 100 points".to_string()),
            "{said:?}"
        );
        assert!(
            said.contains(&"the indicator P1 is given points twice".to_string()),
            "{said:?}"
        );
        assert!(
            said.iter().any(|s| s.contains("does not agree")),
            "the score still checked: {said:?}"
        );
    }

    // What the mutation run (docs/TESTING.md) found the tests above left open: each rule's edge,
    // one problem at a time, and the `validate_restored` variants.

    fn day(text: &str) -> PartialDate {
        PartialDate::parse(text).expect("a date")
    }

    fn naive(text: &str) -> chrono::NaiveDate {
        day(text).end()
    }

    /// The fields and English messages of a record's problems, in order.
    fn said(problems: Vec<Problem>) -> Vec<(&'static str, String)> {
        problems.into_iter().map(|p| (p.field, p.en)).collect()
    }

    fn evaluation() -> Evaluation {
        Evaluation {
            id: Some("e1".into()),
            unit: "530112001".into(),
            date: day("2021-11-08"),
            kind: EvalKind::Annual,
            evaluator: "评估组".into(),
            score: Some(855),
            grade: Some(Grade::Good),
            note: String::new(),
            points: None,
        }
    }

    fn training() -> Training {
        Training {
            id: Some("t1".into()),
            date: day("2021-11-08"),
            host: "530112001".into(),
            kind: TrainingKind::Class,
            mode: Some(TrainingMode::Online),
            topic: "个案管理".into(),
            hours: Some(25),
            attendees: Some(12),
            units: vec![],
            note: String::new(),
        }
    }

    fn budget() -> BudgetEntry {
        BudgetEntry {
            id: Some("b1".into()),
            date: day("2021-11-08"),
            unit: "530112001".into(),
            kind: BudgetKind::Allocation,
            category: Some(Category::Operation),
            source: Some(Source::Fiscal),
            amount: Fen(100),
            voucher: String::new(),
            note: String::new(),
        }
    }

    #[test]
    fn a_unit_is_not_its_own_parent_and_its_parent_is_a_code() {
        let mut u = Unit::new("530112001", Some("530112001"), Level::Street, "西苑街道");
        assert_eq!(
            said(u.validate()),
            [("parent", "cannot be the unit itself".to_string())]
        );
        u.parent = Some("no such code".into());
        let problems = said(u.validate());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, "parent");
        u.parent = Some("530112000".into());
        assert!(u.validate().is_empty());
        u.name = " ".into();
        assert_eq!(said(u.validate()), [("name", FieldError::Empty.message(Lang::En))]);
    }

    #[test]
    fn a_station_closes_on_or_after_it_opened_and_only_when_closed() {
        let mut u = Unit::new("530112001", None, Level::District, "西山区");
        u.station = StationStatus::Operating;
        assert_eq!(
            said(u.validate()),
            [("opened_on", "is required when the station is operating".to_string())]
        );
        u.opened_on = Some(day("2021-05-10"));
        assert!(u.validate().is_empty());
        u.closed_on = Some(day("2022-01-01"));
        assert_eq!(
            said(u.validate()),
            [("closed_on", "only a closed station has a closing date".to_string())]
        );
        u.station = StationStatus::Closed;
        assert!(u.validate().is_empty(), "closed after it opened");
        u.closed_on = Some(day("2021-05-10"));
        assert!(u.validate().is_empty(), "closed on the day it opened");
        u.closed_on = Some(day("2021-05-09"));
        assert_eq!(
            said(u.validate()),
            [("closed_on", "2021-05-09 is before opened_on 2021-05-10".to_string())]
        );
        u.closed_on = None;
        assert_eq!(
            said(u.validate()),
            [("closed_on", "is required when the station is closed".to_string())]
        );
        // A closed station without an opening date: only that is missing.
        u.opened_on = None;
        u.closed_on = Some(day("2021-05-09"));
        assert_eq!(said(u.validate())[0].0, "opened_on");
        assert_eq!(u.validate().len(), 1);
    }

    #[test]
    fn certified_workers_may_equal_but_not_exceed_social_workers() {
        let mut u = Unit::new("530112001", None, Level::District, "西山区");
        u.social_workers = Some(3);
        u.certified_workers = Some(3);
        assert!(u.validate().is_empty());
        u.certified_workers = Some(2);
        assert!(u.validate().is_empty());
        u.certified_workers = Some(4);
        assert_eq!(
            said(u.validate()),
            [("certified_workers", "4 is more than social_workers 3".to_string())]
        );
        u.social_workers = None;
        assert!(u.validate().is_empty(), "an unstated count says nothing");
    }

    #[test]
    fn a_unit_checks_its_phone_and_keeps_no_id_number() {
        let mut u = Unit::new("530112001", None, Level::District, "西山区");
        u.phone = "call me".into();
        assert_eq!(said(u.validate())[0].0, "phone");
        assert_eq!(u.validate().len(), 1);
        u.phone = "0871-68181234".into();
        u.contact = "张三 11010519491231002X".into();
        assert_eq!(said(u.validate())[0].0, "contact");
        assert_eq!(check_phone(""), None);
        assert_eq!(check_phone("12").map(|p| p.field), Some("phone"));
    }

    #[test]
    fn a_restored_record_may_exceed_the_text_cap_but_not_the_calendar() {
        let long = "备".repeat(MAX_TEXT_CHARS + 1);
        let impossible = PartialDate {
            year: 2021,
            month: 2,
            day: 30,
        };

        let mut u = Unit::new("530112001", None, Level::District, "西山区");
        u.note = long.clone();
        assert_eq!(said(u.validate())[0].0, "note");
        assert!(u.validate_restored().is_empty());
        u.station = StationStatus::Operating;
        u.opened_on = Some(impossible);
        assert_eq!(said(u.validate_restored())[0].0, "opened_on");

        let mut e = evaluation();
        assert!(e.validate().is_empty());
        e.note = long.clone();
        assert_eq!(said(e.validate())[0].0, "note");
        assert!(e.validate_restored().is_empty());
        e.date = impossible;
        assert_eq!(
            said(e.validate_restored()),
            [(
                "date",
                "2021-02-30 is not a date between the years 1900 and 2999".to_string()
            )]
        );

        let mut t = training();
        assert!(t.validate().is_empty());
        t.topic = long.clone();
        assert_eq!(said(t.validate())[0].0, "topic");
        assert!(t.validate_restored().is_empty());
        t.date = impossible;
        assert_eq!(said(t.validate_restored())[0].0, "date");

        let mut b = budget();
        assert!(b.validate().is_empty());
        b.voucher = long;
        assert_eq!(said(b.validate())[0].0, "voucher");
        assert!(b.validate_restored().is_empty());
        b.date = impossible;
        assert_eq!(said(b.validate_restored())[0].0, "date");
    }

    #[test]
    fn an_evaluation_scores_up_to_100_with_an_agreeing_grade() {
        let mut e = evaluation();
        e.score = Some(1000);
        e.grade = Some(Grade::Excellent);
        assert!(e.validate().is_empty());
        e.score = Some(1001);
        assert_eq!(said(e.validate()), [("score", "must be between 0 and 100".to_string())]);
        e.score = Some(855);
        e.grade = Some(Grade::Pass);
        let problems = said(e.validate());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, "grade");
        assert!(problems[0].1.contains("85.5"), "{problems:?}");
        e.grade = None;
        assert!(e.validate().is_empty());
        e.score = None;
        assert_eq!(e.effective_grade(), None);
        e.id = Some("i".repeat(65));
        assert_eq!(said(e.validate())[0].0, "id");
        e.id = Some("11010519491231002X".into());
        assert_eq!(said(e.validate())[0].0, "id");
        e.id = None;
        e.evaluator = "11010519491231002X".into();
        assert_eq!(said(e.validate())[0].0, "evaluator");
    }

    #[test]
    fn a_training_lasts_and_serves_stations_by_their_codes() {
        let mut t = training();
        t.hours = Some(1);
        assert!(t.validate().is_empty());
        t.hours = None;
        assert!(t.validate().is_empty());
        t.hours = Some(0);
        assert_eq!(said(t.validate()), [("hours", "must be more than 0".to_string())]);
        t.hours = Some(25);
        assert_eq!(t.served(), ["530112001"]);
        t.units = vec!["530112002".into(), "bad code".into()];
        assert_eq!(said(t.validate())[0].0, "units");
        assert_eq!(t.validate().len(), 1);
        assert_eq!(t.served(), ["530112002", "bad code"]);
        t.units.clear();
        t.id = Some("i".repeat(65));
        assert_eq!(said(t.validate())[0].0, "id");
        t.id = None;
        t.note = "11010519491231002X".into();
        assert_eq!(said(t.validate())[0].0, "note");
    }

    #[test]
    fn a_budget_entry_is_never_zero() {
        let mut b = budget();
        b.amount = Fen(-1);
        assert!(b.validate().is_empty());
        b.amount = Fen::ZERO;
        assert_eq!(said(b.validate()), [("amount", "must not be zero".to_string())]);
        b.amount = Fen(1);
        b.id = Some("i".repeat(65));
        assert_eq!(said(b.validate())[0].0, "id");
        b.id = None;
        b.note = "11010519491231002X".into();
        assert_eq!(said(b.validate())[0].0, "note");
    }

    #[test]
    fn a_station_stands_on_a_date_as_its_dates_say() {
        let mut u = Unit::new("530112001", None, Level::District, "西山区");
        let on = naive("2021-06-01");
        assert_eq!(u.station_on(on), StationOnDate::None);
        u.station = StationStatus::Planned;
        u.opened_on = Some(day("2021-01-01"));
        assert_eq!(
            u.station_on(on),
            StationOnDate::Planned,
            "not opened: the date is not read"
        );
        u.station = StationStatus::Building;
        assert_eq!(u.station_on(on), StationOnDate::Building);
        u.station = StationStatus::Operating;
        u.opened_on = None;
        assert_eq!(u.station_on(on), StationOnDate::None, "opened without a date");
        u.opened_on = Some(day("2021-06-01"));
        assert_eq!(u.station_on(on), StationOnDate::Covered, "from the day it opened");
        assert!(u.covered_on(on));
        assert_eq!(u.station_on(naive("2021-05-31")), StationOnDate::NotYet);
        assert!(!u.covered_on(naive("2021-05-31")));
        // A month opens at its end.
        u.opened_on = Some(day("2021-06"));
        assert_eq!(u.station_on(naive("2021-06-29")), StationOnDate::NotYet);
        assert_eq!(u.station_on(naive("2021-06-30")), StationOnDate::Covered);
        u.opened_on = Some(day("2021-06-01"));
        // A closing date counts only for a closed station.
        u.closed_on = Some(day("2021-09-01"));
        assert_eq!(u.station_on(naive("2021-12-01")), StationOnDate::Covered);
        u.station = StationStatus::Closed;
        assert_eq!(u.station_on(naive("2021-08-31")), StationOnDate::Covered);
        assert_eq!(
            u.station_on(naive("2021-09-01")),
            StationOnDate::Closed,
            "from the day it closed"
        );
        assert_eq!(u.station_on(naive("2021-12-01")), StationOnDate::Closed);
        assert!(!u.covered_on(naive("2021-12-01")));
        assert_eq!(u.station_on(naive("2021-05-01")), StationOnDate::NotYet);
    }

    #[test]
    fn old_counts_tenths_and_a_new_unit() {
        assert_eq!(count_from_schema2(0), None);
        assert_eq!(count_from_schema2(3), Some(3));
        assert_eq!(tenths(125), "12.5");
        assert_eq!(tenths(120), "12");
        assert_eq!(tenths(5), "0.5");
        let u = Unit::new("c", Some("p"), Level::Community, "n");
        assert_eq!(
            (u.code.as_str(), u.parent.as_deref(), u.level, u.name.as_str()),
            ("c", Some("p"), Level::Community, "n")
        );
        assert_eq!(u.station, StationStatus::None);
        assert_eq!((u.social_workers, u.certified_workers), (None, None));
    }
}
