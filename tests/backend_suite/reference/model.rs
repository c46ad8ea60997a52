//! The reference model: what the registry should hold and report, kept the plain, slow way.
//! It shares only the record types with the program (its input): its calendar, its "as of"
//! rule, its sums, its words for the JSON and its journal bookkeeping are its own, so that a
//! bug in the program's date logic or rollups cannot hide in both.

use serde_json::{json, Map, Value};
use shegong::domain::*;
use std::collections::BTreeSet;

// ---------------------------------------------------------------- calendar

/// A calendar day as (year, month, day); tuples order as days do.
pub type Ymd = (i32, u32, u32);

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn last_day(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// The last day of the period a date names: a year ends on Dec 31, a month on its last day.
pub fn end(d: &PartialDate) -> Ymd {
    let y = d.year as i32;
    match (d.month, d.day) {
        (0, _) => (y, 12, 31),
        (m, 0) => (y, m as u32, last_day(y, m as u32)),
        (m, day) => (y, m as u32, day as u32),
    }
}

/// A dated thing counts as of a day once its whole period has ended.
pub fn counts(d: &PartialDate, as_of: Ymd) -> bool {
    end(d) <= as_of
}

fn date_text(d: &PartialDate) -> String {
    match (d.month, d.day) {
        (0, _) => format!("{:04}", d.year),
        (m, 0) => format!("{:04}-{:02}", d.year, m),
        (m, day) => format!("{:04}-{:02}-{:02}", d.year, m, day),
    }
}

// ---------------------------------------------------------------- words

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::City => "city",
        Level::District => "district",
        Level::Street => "street",
        Level::Community => "community",
    }
}

fn level_depth(l: Level) -> u8 {
    match l {
        Level::Province => 0,
        Level::City => 1,
        Level::District => 2,
        Level::Street => 3,
        Level::Community => 4,
    }
}

const LEVELS: [Level; 5] = [
    Level::Province,
    Level::City,
    Level::District,
    Level::Street,
    Level::Community,
];

fn status_name(s: StationStatus) -> &'static str {
    match s {
        StationStatus::None => "none",
        StationStatus::Planned => "planned",
        StationStatus::Building => "building",
        StationStatus::Operating => "operating",
        StationStatus::Closed => "closed",
    }
}

pub const CATEGORIES: [(Category, &str); 6] = [
    (Category::Construction, "construction"),
    (Category::Operation, "operation"),
    (Category::ServicePurchase, "service_purchase"),
    (Category::Training, "training"),
    (Category::Equipment, "equipment"),
    (Category::Other, "other"),
];

pub const SOURCES: [(Source, &str); 3] = [
    (Source::Fiscal, "fiscal"),
    (Source::WelfareLottery, "welfare_lottery"),
    (Source::Other, "other"),
];

const EVAL_KINDS: [(EvalKind, &str); 5] = [
    (EvalKind::Midterm, "midterm"),
    (EvalKind::Annual, "annual"),
    (EvalKind::Final, "final"),
    (EvalKind::SelfAssessment, "self"),
    (EvalKind::Spot, "spot"),
];

const GRADES: [(Grade, &str); 4] = [
    (Grade::Excellent, "excellent"),
    (Grade::Good, "good"),
    (Grade::Pass, "pass"),
    (Grade::Fail, "fail"),
];

const TRAINING_KINDS: [(TrainingKind, &str); 4] = [
    (TrainingKind::Class, "class"),
    (TrainingKind::Coaching, "coaching"),
    (TrainingKind::Supervision, "supervision"),
    (TrainingKind::Meeting, "meeting"),
];

const MODES: [(TrainingMode, &str); 3] = [
    (TrainingMode::Online, "online"),
    (TrainingMode::Offline, "offline"),
    (TrainingMode::Mixed, "mixed"),
];

/// The grade a score (in tenths) earns: 90 and up excellent, 80 good, 60 pass, below fail.
pub fn grade_of_score(tenths: u16) -> Grade {
    if tenths >= 900 {
        Grade::Excellent
    } else if tenths >= 800 {
        Grade::Good
    } else if tenths >= 600 {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

fn grade(e: &Evaluation) -> Option<Grade> {
    e.grade.or(e.score.map(grade_of_score))
}

// ---------------------------------------------------------------- state

/// A record of any kind, as the model keeps it.
#[derive(Clone, Debug, PartialEq)]
pub enum Rec {
    Evaluation(Evaluation),
    Training(Training),
    Budget(BudgetEntry),
}

impl Rec {
    pub fn kind(&self) -> &'static str {
        match self {
            Rec::Evaluation(_) => "evaluation",
            Rec::Training(_) => "training",
            Rec::Budget(_) => "budget",
        }
    }

    pub fn owner(&self) -> &str {
        match self {
            Rec::Evaluation(e) => &e.unit,
            Rec::Training(t) => &t.host,
            Rec::Budget(b) => &b.unit,
        }
    }
}

/// One journal entry as the model expects it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub action: String,
    pub kind: String,
    pub unit: Option<String>,
    pub undoes: Option<u64>,
}

/// What undoing a change does.
#[derive(Clone, Debug)]
enum Inverse {
    /// Remove the records (by serial) the change added.
    Remove(Vec<u64>),
    /// Put back a deleted record.
    Restore(u64, Rec),
    /// Units changed: (code, the unit before; `None` when the change added it).
    Units(Vec<(String, Option<Unit>)>),
}

/// A change as undo sees it: the journal entries it wrote (numbers `first..first+n`).
#[derive(Clone, Debug)]
struct Change {
    first: u64,
    n: u64,
    inverse: Inverse,
    undone: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Units in the order they were added.
    pub units: Vec<Unit>,
    /// Records with a serial number of the model's own.
    pub records: Vec<(u64, Rec)>,
    /// Reversals in force: (serial of the reversing entry, serial of the entry reversed).
    reversals: Vec<(u64, u64)>,
    pub journal: Vec<Line>,
    changes: Vec<Change>,
    next_serial: u64,
}

/// Whether the model expects a write to be refused.
pub type Expect = Result<(), ()>;

impl Model {
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    fn line(&mut self, action: &str, kind: &str, unit: Option<&str>, undoes: Option<u64>) {
        self.journal.push(Line {
            action: action.into(),
            kind: kind.into(),
            unit: unit.map(str::to_string),
            undoes,
        });
    }

    fn next_number(&self) -> u64 {
        self.journal.len() as u64 + 1
    }

    /// A serial for a record about to be stored.
    fn serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    fn has_station(&self, code: &str) -> bool {
        self.unit(code).is_some_and(|u| u.station != StationStatus::None)
    }

    /// Whether a record would be accepted: not with an unknown owner or served unit, nor as an
    /// evaluation of a unit without a station.
    pub fn acceptable(&self, rec: &Rec) -> bool {
        if self.unit(rec.owner()).is_none() {
            return false;
        }
        match rec {
            Rec::Evaluation(e) => self.has_station(&e.unit),
            Rec::Training(t) => t.units.iter().all(|u| self.unit(u).is_some()),
            Rec::Budget(_) => true,
        }
    }

    /// Adds records, all or nothing, journaled one entry per row.
    pub fn add(&mut self, rows: &[Rec]) -> Expect {
        if !rows.iter().all(|r| self.acceptable(r)) {
            return Err(());
        }
        let first = self.next_number();
        let mut serials = Vec::new();
        for rec in rows {
            let s = self.serial();
            self.records.push((s, rec.clone()));
            serials.push(s);
            self.line("add", rec.kind(), Some(rec.owner()), None);
        }
        self.changes.push(Change {
            first,
            n: rows.len() as u64,
            inverse: Inverse::Remove(serials),
            undone: false,
        });
        Ok(())
    }

    /// Deletes a stored evaluation or training.
    pub fn delete(&mut self, serial: u64) -> Expect {
        let at = self.records.iter().position(|(s, _)| *s == serial).ok_or(())?;
        let (_, rec) = self.records.remove(at);
        let first = self.next_number();
        self.line("delete", rec.kind(), Some(rec.owner()), None);
        self.changes.push(Change {
            first,
            n: 1,
            inverse: Inverse::Restore(serial, rec),
            undone: false,
        });
        Ok(())
    }

    /// Reverses budget entry `of` with `by`: refused when `of` was reversed already or is a
    /// reversal itself.
    pub fn reverse(&mut self, of: u64, by: &BudgetEntry) -> Expect {
        if self.reversals.iter().any(|(r, o)| *o == of || *r == of) {
            return Err(());
        }
        if !self.acceptable(&Rec::Budget(by.clone())) {
            return Err(());
        }
        let first = self.next_number();
        let s = self.serial();
        self.records.push((s, Rec::Budget(by.clone())));
        self.reversals.push((s, of));
        self.line("add", "budget", Some(&by.unit), None);
        self.changes.push(Change {
            first,
            n: 1,
            inverse: Inverse::Remove(vec![s]),
            undone: false,
        });
        Ok(())
    }

    /// Adds and updates units (only valid ones are given): one entry per unit that changed.
    pub fn put_units(&mut self, units: &[Unit]) -> Expect {
        let mut changed = Vec::new();
        for u in units {
            match self.units.iter().position(|x| x.code == u.code) {
                Some(i) if self.units[i] == *u => {}
                Some(i) => {
                    changed.push((u.code.clone(), Some(self.units[i].clone())));
                    self.units[i] = u.clone();
                    self.line("update", "unit", Some(&u.code), None);
                }
                None => {
                    changed.push((u.code.clone(), None));
                    self.units.push(u.clone());
                    self.line("add", "unit", Some(&u.code), None);
                }
            }
        }
        if !changed.is_empty() {
            let n = changed.len() as u64;
            self.changes.push(Change {
                first: self.next_number() - n,
                n,
                inverse: Inverse::Units(changed),
                undone: false,
            });
        }
        Ok(())
    }

    fn has_records(&self, code: &str) -> bool {
        self.records.iter().any(|(_, r)| r.owner() == code)
    }

    fn serves(&self, code: &str) -> bool {
        self.records
            .iter()
            .any(|(_, r)| matches!(r, Rec::Training(t) if t.units.iter().any(|u| u == code)))
    }

    /// Whether units may go, given the set of units going together: no other unit below them,
    /// no records, no training serving them.
    fn removable(&self, codes: &[&str]) -> bool {
        codes.iter().all(|code| {
            let children_stay = self
                .units
                .iter()
                .any(|u| u.parent.as_deref() == Some(code) && !codes.contains(&u.code.as_str()));
            self.unit(code).is_some() && !children_stay && !self.has_records(code) && !self.serves(code)
        })
    }

    pub fn delete_unit(&mut self, code: &str) -> Expect {
        if !self.removable(&[code]) {
            return Err(());
        }
        let at = self.units.iter().position(|u| u.code == code).ok_or(())?;
        let before = self.units.remove(at);
        let first = self.next_number();
        self.line("delete", "unit", Some(code), None);
        self.changes.push(Change {
            first,
            n: 1,
            inverse: Inverse::Units(vec![(code.to_string(), Some(before))]),
            undone: false,
        });
        Ok(())
    }

    /// Takes back the newest change not taken back yet, all of it or nothing.
    pub fn undo(&mut self) -> Expect {
        let Some(at) = self.changes.iter().rposition(|c| !c.undone) else {
            return Err(());
        };
        let change = self.changes[at].clone();
        match &change.inverse {
            Inverse::Remove(serials) => {
                self.records.retain(|(s, _)| !serials.contains(s));
                self.reversals.retain(|(r, _)| !serials.contains(r));
            }
            Inverse::Restore(serial, rec) => {
                if !self.acceptable(rec) {
                    return Err(());
                }
                self.records.push((*serial, rec.clone()));
            }
            Inverse::Units(units) => {
                let added: Vec<&str> = units
                    .iter()
                    .filter(|(code, before)| before.is_none() && self.unit(code).is_some())
                    .map(|(c, _)| c.as_str())
                    .collect();
                if !self.removable(&added) {
                    return Err(());
                }
                let added: Vec<String> = added.into_iter().map(str::to_string).collect();
                self.units.retain(|u| !added.contains(&u.code));
                for (code, before) in units {
                    if let Some(before) = before {
                        match self.units.iter().position(|u| u.code == *code) {
                            Some(i) => self.units[i] = before.clone(),
                            None => self.units.push(before.clone()),
                        }
                    }
                }
            }
        }
        for k in 0..change.n {
            let number = change.first + k;
            let done = self.journal[(number - 1) as usize].clone();
            self.line("undo", &done.kind, done.unit.as_deref(), Some(number));
        }
        self.changes[at].undone = true;
        Ok(())
    }

    // ------------------------------------------------------------ reports

    fn in_subtree(&self, code: &str, root: &str) -> bool {
        let mut current = Some(code.to_string());
        let mut steps = 0;
        while let Some(c) = current {
            if c == root {
                return true;
            }
            steps += 1;
            assert!(steps < 100, "the model's hierarchy loops");
            current = self.unit(&c).and_then(|u| u.parent.clone());
        }
        false
    }

    fn opened(u: &Unit) -> Option<Ymd> {
        match u.station {
            StationStatus::Operating | StationStatus::Closed => u.opened_on.as_ref().map(end),
            _ => None,
        }
    }

    fn closed(u: &Unit) -> Option<Ymd> {
        match u.station {
            StationStatus::Closed => u.closed_on.as_ref().map(end),
            _ => None,
        }
    }

    /// The station as it stood on the day (SPEC.md "Rollups").
    fn on_date(u: &Unit, as_of: Ymd) -> &'static str {
        match Self::opened(u) {
            None => match u.station {
                StationStatus::Planned => "planned",
                StationStatus::Building => "building",
                _ => "none",
            },
            Some(_) if Self::closed(u).is_some_and(|c| c <= as_of) => "closed",
            Some(o) if o <= as_of => "covered",
            Some(_) => "not_yet",
        }
    }

    fn covered(u: &Unit, as_of: Ymd) -> bool {
        Self::on_date(u, as_of) == "covered"
    }

    fn evaluated(&self, code: &str, as_of: Ymd) -> bool {
        self.records
            .iter()
            .any(|(_, r)| matches!(r, Rec::Evaluation(e) if e.unit == code && counts(&e.date, as_of)))
    }

    /// The report of `code` as SPEC.md's JSON, `depth` levels of children, without
    /// `evaluations.latest` (several evaluations of one day may each be the latest; see
    /// `latest_candidates`).
    pub fn report(&self, code: &str, as_of: Ymd, depth: usize) -> Value {
        let unit = self.unit(code).expect("the model knows the unit");
        let subtree: Vec<&Unit> = self.units.iter().filter(|u| self.in_subtree(&u.code, code)).collect();
        let in_sub = |owner: &str| subtree.iter().any(|u| u.code == owner);
        let recs: Vec<&Rec> = self
            .records
            .iter()
            .map(|(_, r)| r)
            .filter(|r| in_sub(r.owner()))
            .filter(|r| match r {
                Rec::Evaluation(e) => counts(&e.date, as_of),
                Rec::Training(t) => counts(&t.date, as_of),
                Rec::Budget(b) => counts(&b.date, as_of),
            })
            .collect();

        let mut coverage = Map::new();
        for level in LEVELS.iter().filter(|l| level_depth(**l) > level_depth(unit.level)) {
            let at_level: Vec<&&Unit> = subtree.iter().filter(|u| u.level == *level).collect();
            let covered = at_level.iter().filter(|u| Self::covered(u, as_of)).count();
            coverage.insert(
                level_name(*level).into(),
                json!({ "units": at_level.len(), "covered": covered }),
            );
        }

        let budget: Vec<&BudgetEntry> = recs
            .iter()
            .filter_map(|r| match r {
                Rec::Budget(b) => Some(b),
                _ => None,
            })
            .collect();
        let sum = |pick: &dyn Fn(&BudgetEntry) -> bool, kind: BudgetKind| -> i64 {
            budget
                .iter()
                .filter(|b| b.kind == kind && pick(b))
                .map(|b| b.amount.0)
                .sum()
        };
        let pair = |pick: &dyn Fn(&BudgetEntry) -> bool| {
            json!({
                "allocated_fen": sum(pick, BudgetKind::Allocation),
                "spent_fen": sum(pick, BudgetKind::Expenditure),
            })
        };
        let mut by_category = Map::new();
        for (c, name) in CATEGORIES {
            by_category.insert(name.into(), pair(&|b| b.category == Some(c)));
        }
        let mut by_source = Map::new();
        for (s, name) in SOURCES {
            by_source.insert(name.into(), pair(&|b| b.source == Some(s)));
        }
        let allocated = sum(&|_| true, BudgetKind::Allocation);
        let spent = sum(&|_| true, BudgetKind::Expenditure);
        let ratio = (allocated != 0).then(|| ((spent as i128 * 10_000) / allocated as i128) as i64 as f64 / 10_000.0);

        let evals: Vec<&Evaluation> = recs
            .iter()
            .filter_map(|r| match r {
                Rec::Evaluation(e) => Some(e),
                _ => None,
            })
            .collect();
        let nonzero = |pairs: Vec<(&str, usize)>| -> Value {
            let mut map = Map::new();
            for (name, n) in pairs {
                if n != 0 {
                    map.insert(name.into(), json!(n));
                }
            }
            Value::Object(map)
        };
        let eval_kinds = nonzero(
            EVAL_KINDS
                .iter()
                .map(|(k, name)| (*name, evals.iter().filter(|e| e.kind == *k).count()))
                .collect(),
        );
        let grades = nonzero(
            GRADES
                .iter()
                .map(|(g, name)| (*name, evals.iter().filter(|e| grade(e) == Some(*g)).count()))
                .collect(),
        );
        let ungraded = evals.iter().filter(|e| grade(e).is_none()).count();
        let evaluated = subtree.iter().filter(|u| self.evaluated(&u.code, as_of)).count();
        let without = subtree
            .iter()
            .filter(|u| Self::covered(u, as_of) && !self.evaluated(&u.code, as_of))
            .count();

        let trainings: Vec<&Training> = recs
            .iter()
            .filter_map(|r| match r {
                Rec::Training(t) => Some(t),
                _ => None,
            })
            .collect();
        let training_kinds = nonzero(
            TRAINING_KINDS
                .iter()
                .map(|(k, name)| (*name, trainings.iter().filter(|t| t.kind == *k).count()))
                .collect(),
        );
        let modes = nonzero(
            MODES
                .iter()
                .map(|(m, name)| (*name, trainings.iter().filter(|t| t.mode == Some(*m)).count()))
                .collect(),
        );
        let hours_given = trainings.iter().filter(|t| t.hours.is_some()).count();
        let attendees_given = trainings.iter().filter(|t| t.attendees.is_some()).count();
        let hours: i64 = trainings.iter().filter_map(|t| t.hours).map(i64::from).sum();
        let attendees: i64 = trainings.iter().filter_map(|t| t.attendees).map(i64::from).sum();

        let mut children: Vec<&Unit> = if depth == 0 {
            Vec::new()
        } else {
            self.units
                .iter()
                .filter(|u| u.parent.as_deref() == Some(code))
                .collect()
        };
        children.sort_by(|a, b| a.code.cmp(&b.code));

        json!({
            "code": unit.code,
            "name": unit.name,
            "level": level_name(unit.level),
            "as_of": format!("{:04}-{:02}-{:02}", as_of.0, as_of.1, as_of.2),
            "station": {
                "status": status_name(unit.station),
                "opened_on": unit.opened_on.as_ref().map(date_text),
                "closed_on": unit.closed_on.as_ref().map(date_text),
                "on_date": Self::on_date(unit, as_of),
                "covered": Self::covered(unit, as_of),
            },
            "coverage": coverage,
            "funding": {
                "allocated_fen": allocated,
                "spent_fen": spent,
                "spent_ratio": ratio,
                "by_category": by_category,
                "by_source": by_source,
                "category_unspecified": pair(&|b| b.category.is_none()),
                "source_unspecified": pair(&|b| b.source.is_none()),
            },
            "evaluations": {
                "count": evals.len(),
                "by_kind": eval_kinds,
                "by_grade": grades,
                "ungraded": ungraded,
                "evaluated_stations": evaluated,
                "stations_without_evaluation": without,
            },
            "trainings": {
                "count": trainings.len(),
                "by_kind": training_kinds,
                "by_mode": modes,
                "mode_unspecified": trainings.iter().filter(|t| t.mode.is_none()).count(),
                "hours": (hours_given > 0).then(|| hours as f64 / 10.0),
                "attendees": (attendees_given > 0).then_some(attendees),
                "hours_given": hours_given,
                "attendees_given": attendees_given,
            },
            "children": children.iter().map(|c| self.report(&c.code, as_of, depth - 1)).collect::<Vec<_>>(),
        })
    }

    /// `evaluations.latest` as the report may give it: the unit's own evaluations of the
    /// latest day that counts (any of them when there are several), or only `null` when none.
    pub fn latest_candidates(&self, code: &str, as_of: Ymd) -> Vec<Value> {
        let own: Vec<&Evaluation> = self
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Rec::Evaluation(e) if e.unit == code && counts(&e.date, as_of) => Some(e),
                _ => None,
            })
            .collect();
        let Some(newest) = own.iter().map(|e| end(&e.date)).max() else {
            return vec![Value::Null];
        };
        own.iter()
            .filter(|e| end(&e.date) == newest)
            .map(|e| {
                let kind = EVAL_KINDS.iter().find(|(k, _)| *k == e.kind).map(|(_, n)| *n);
                let grade = grade(e).and_then(|g| GRADES.iter().find(|(x, _)| *x == g).map(|(_, n)| *n));
                json!({
                    "date": date_text(&e.date), "kind": kind, "evaluator": e.evaluator,
                    "score": e.score.map(|s| s as f64 / 10.0), "grade": grade,
                })
            })
            .collect()
    }

    /// The money rows of the table for people: each category then "category not stated", each
    /// source then "source not stated", those with any money, as (label, allocated, spent).
    pub fn money_rows(&self, code: &str, as_of: Ymd) -> Vec<(String, i64, i64)> {
        let report = self.report(code, as_of, 0);
        let funding = &report["funding"];
        let mut rows = Vec::new();
        let mut push = |label: &str, v: &Value| {
            let (a, s) = (
                v["allocated_fen"].as_i64().unwrap_or(0),
                v["spent_fen"].as_i64().unwrap_or(0),
            );
            if a != 0 || s != 0 {
                rows.push((label.to_string(), a, s));
            }
        };
        for (_, name) in CATEGORIES {
            push(name, &funding["by_category"][name]);
        }
        push("category not stated", &funding["category_unspecified"]);
        for (_, name) in SOURCES {
            push(name, &funding["by_source"][name]);
        }
        push("source not stated", &funding["source_unspecified"]);
        rows
    }

    /// Units of a level, by code.
    pub fn codes_at(&self, level: Level) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .units
            .iter()
            .filter(|u| u.level == level)
            .map(|u| u.code.as_str())
            .collect();
        set.into_iter().map(str::to_string).collect()
    }
}
