//! The records the bureau keeps: units with their station, evaluations, training sessions and
//! budget entries; their field rules (SPEC.md "Interchange files") that need no store to check.

use super::date::PartialDate;
use super::money::Fen;
use super::problem::Problem;
use super::words::*;
use serde::{Deserialize, Serialize};

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_CODE_LEN: usize = 32;

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
    pub social_workers: u32,
    pub certified_workers: u32,
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
            social_workers: 0,
            certified_workers: 0,
        }
    }

    /// Rules within the record; parent existence, level order and cycles need the store.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(p) = check_code("code", &self.code) {
            problems.push(p);
        }
        if let Some(parent) = &self.parent {
            if let Some(p) = check_code("parent", parent) {
                problems.push(p);
            } else if parent == &self.code {
                problems.push(Problem::new("parent", "不能是自身", "cannot be the unit itself"));
            }
        }
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 {
            problems.push(Problem::required("name"));
        } else if self.name.chars().count() > MAX_NAME_CHARS {
            problems.push(Problem::new(
                "name",
                format!("最多 {MAX_NAME_CHARS} 个字，现有 {}", self.name.chars().count()),
                format!("at most {MAX_NAME_CHARS} characters, has {}", self.name.chars().count()),
            ));
        }
        if self.station.has_opened() && self.opened_on.is_none() {
            problems.push(Problem::new(
                "opened_on",
                format!("站点状态为“{}”时必须填写建站日期", self.station.zh()),
                format!("is required when the station is {}", self.station.en()),
            ));
        }
        match (self.station, self.closed_on) {
            (StationStatus::Closed, None) => problems.push(Problem::new(
                "closed_on",
                "站点已撤销时必须填写撤站日期",
                "is required when the station is closed",
            )),
            (StationStatus::Closed, Some(closed)) => {
                if let Some(opened) = self.opened_on {
                    if closed.end() < opened.end() {
                        problems.push(Problem::new(
                            "closed_on",
                            format!("撤站日期 {closed} 早于建站日期 {opened}"),
                            format!("{closed} is before opened_on {opened}"),
                        ));
                    }
                }
            }
            (_, Some(_)) => problems.push(Problem::new(
                "closed_on",
                "只有已撤销（closed/撤销）的站点才有撤站日期",
                "only a closed station has a closing date",
            )),
            _ => {}
        }
        if self.certified_workers > self.social_workers {
            problems.push(Problem::new(
                "certified_workers",
                format!(
                    "持证社工 {} 人多于专职社工 {} 人",
                    self.certified_workers, self.social_workers
                ),
                format!(
                    "{} is more than social_workers {}",
                    self.certified_workers, self.social_workers
                ),
            ));
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
        if !self.station.has_opened() {
            return false;
        }
        let Some(opened) = self.opened_on else { return false };
        opened.end() <= as_of && self.closed_on.is_none_or(|closed| closed.end() > as_of)
    }
}

impl Evaluation {
    pub fn effective_grade(&self) -> Option<Grade> {
        self.grade.or(self.score.map(Grade::from_score_tenths))
    }

    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if let Some(score) = self.score {
            if score > 1000 {
                problems.push(Problem::new(
                    "score",
                    "得分须在 0 到 100 之间",
                    "must be between 0 and 100",
                ));
            } else if let Some(grade) = self.grade {
                let derived = Grade::from_score_tenths(score);
                if derived != grade {
                    problems.push(Problem::new(
                        "grade",
                        format!(
                            "等级“{}”与得分 {} 不符（应为“{}”）",
                            grade.zh(),
                            tenths(score as u32),
                            derived.zh()
                        ),
                        format!(
                            "{} does not agree with score {} (that is {})",
                            grade.en(),
                            tenths(score as u32),
                            derived.en()
                        ),
                    ));
                }
            }
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
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if self.hours == Some(0) {
            problems.push(Problem::new("hours", "课时须大于 0", "must be more than 0"));
        }
        for code in &self.units {
            if let Some(p) = check_code("units", code) {
                problems.push(p);
            }
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
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        check_id(&self.id, &mut problems);
        if self.amount == Fen::ZERO {
            problems.push(Problem::new("amount", "金额不能为 0", "must not be zero"));
        }
        problems.extend(super::privacy::id_number_problems(&[
            ("id", self.id.as_deref().unwrap_or("")),
            ("voucher", &self.voucher),
            ("note", &self.note),
        ]));
        problems
    }
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
    if code.is_empty() {
        return Some(Problem::required(field));
    }
    let ok_chars = code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok_chars || code.len() > MAX_CODE_LEN {
        // Never echo an ID number typed where a code goes.
        let code = super::privacy::mask_id_numbers(code);
        return Some(Problem::new(
            field,
            format!("编码“{code}”无效：须为 1–32 位数字、字母、_ 或 -"),
            format!("“{code}” is not a valid code: 1–32 of 0-9 A-Z a-z _ -"),
        ));
    }
    None
}

/// A phone number (or several, separated by `、` `,` `;` `/`): digits, spaces, `+`, `-`,
/// parentheses, and an extension (`转 801`, `分机 801`, `ext. 801`, `x801`); full-width forms
/// read as ASCII. Empty is allowed (the field is optional).
pub fn check_phone(phone: &str) -> Option<Problem> {
    let half = super::money::to_halfwidth(phone);
    let mut rest = half.to_lowercase();
    for word in ["分机", "转", "ext.", "ext", "x"] {
        rest = rest.replace(word, " ");
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-()、,;/；，".contains(c);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if phone.trim().is_empty() || (rest.chars().all(allowed) && digits >= 3) {
        return None;
    }
    let shown = super::privacy::mask_id_numbers(phone);
    Some(Problem::new(
        "phone",
        format!("电话“{shown}”无效：只能含数字、空格、+、-、括号和分机号（如 0871-6818 1234 转 801）"),
        format!("“{shown}” is not a phone number: digits, spaces, +, -, parentheses and an extension only (e.g. 0871-6818 1234 ext. 801)"),
    ))
}

fn check_id(id: &Option<String>, problems: &mut Vec<Problem>) {
    if let Some(id) = id {
        if id.chars().count() > 64 {
            problems.push(Problem::new("id", "编号最多 64 个字", "at most 64 characters"));
        }
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
        u.certified_workers = 3;
        u.social_workers = 2;
        assert_eq!(u.validate()[0].field, "certified_workers");
        u.code = "bad code".into();
        assert_eq!(u.validate()[0].field, "code");
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
