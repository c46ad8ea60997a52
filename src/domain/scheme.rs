//! Evaluation schemes (SPEC.md "Evaluation schemes"): a named list of indicators of a standard,
//! each in a group with its maximum points; and the points one evaluation gives per indicator,
//! whose sum is its score. Points are tenths of a point in integers, as the score is.

use super::problem::Problem;
use super::records::{check_code, tenths};
use crate::words::{K, P};
use serde::{Deserialize, Serialize};

/// One indicator of a scheme.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Indicator {
    /// Unique in its scheme; the column header of an evaluations file (or `name`).
    pub code: String,
    pub name: String,
    /// The dimension it belongs to (场所, 人员, 制度, 服务, 档案 …).
    pub group: String,
    /// In tenths of a point, more than 0.
    pub max_points: u16,
}

/// A named list of indicators, in the order its file gives them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scheme {
    pub name: String,
    pub indicators: Vec<Indicator>,
}

/// What an evaluation gives per indicator of its scheme: (indicator code, tenths), sorted by
/// code so that the same points are the same bytes (and the same content hash) whatever order
/// a file's columns were in. An indicator the evaluation does not give is absent, never 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Points {
    pub scheme: String,
    pub given: Vec<(String, u16)>,
}

/// The most a score holds (100 points): a scheme's maximum points add up to no more.
pub const MAX_SCHEME_TENTHS: u32 = 1000;

impl Scheme {
    /// The indicator a column header names: its code, else its name.
    pub fn indicator(&self, header: &str) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|i| i.code == header)
            .or_else(|| self.indicators.iter().find(|i| i.name == header))
    }

    /// The groups, in the order their first indicator comes.
    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for i in &self.indicators {
            if !groups.contains(&i.group.as_str()) {
                groups.push(&i.group);
            }
        }
        groups
    }

    /// The sum of every indicator's maximum, in tenths.
    pub fn max_total(&self) -> u32 {
        self.indicators.iter().map(|i| u32::from(i.max_points)).sum()
    }

    /// The scheme's own rules: a name, indicators with unique codes, names and groups, each
    /// worth more than 0 and all together at most 100 points (the most a score holds).
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Err(e) = super::fields::name(&self.name) {
            problems.push(e.problem("scheme"));
        }
        for (n, i) in self.indicators.iter().enumerate() {
            if let Some(p) = check_code("indicator", &i.code) {
                problems.push(p);
            } else if self.indicators[..n].iter().any(|o| o.code == i.code) {
                problems.push(Problem::said("indicator", K::IndicatorTwice, &[&i.code]));
            }
            if let Err(e) = super::fields::name(&i.name) {
                problems.push(e.problem("name"));
            }
            if let Err(e) = super::fields::name(&i.group) {
                problems.push(e.problem("group"));
            }
            if i.max_points == 0 {
                problems.push(Problem::said("max_points", P::MustBePositive, &[]));
            }
        }
        let total = self.max_total();
        if total > MAX_SCHEME_TENTHS {
            problems.push(Problem::said("max_points", K::SchemeOverHundred, &[&tenths(total)]));
        }
        problems
    }
}

impl Points {
    /// The sum of the points given, in tenths.
    pub fn sum(&self) -> u32 {
        self.given.iter().map(|(_, p)| u32::from(*p)).sum()
    }

    /// The points given for an indicator, by code.
    pub fn of(&self, code: &str) -> Option<u16> {
        self.given.iter().find(|(c, _)| c == code).map(|(_, p)| *p)
    }

    /// Puts the points in their one order (by code).
    pub fn sorted(mut self) -> Points {
        self.given.sort();
        self
    }

    /// Problems of these points against their scheme: an indicator it does not have, points
    /// over an indicator's maximum. Each names the indicator's code as its field's text.
    pub fn problems_against(&self, scheme: &Scheme) -> Vec<(String, Problem)> {
        let mut problems = Vec::new();
        for (code, points) in &self.given {
            match scheme.indicator(code) {
                None => problems.push((
                    code.clone(),
                    Problem::said("", K::NotAnIndicator, &[code, &scheme.name]),
                )),
                Some(i) if *points > i.max_points => problems.push((
                    code.clone(),
                    Problem::said(
                        "",
                        K::PointsOverMax,
                        &[&tenths(u32::from(*points)), &tenths(u32::from(i.max_points))],
                    ),
                )),
                Some(_) => {}
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn indicator(code: &str, group: &str, max: u16) -> Indicator {
        Indicator {
            code: code.into(),
            name: format!("指标{code}"),
            group: group.into(),
            max_points: max,
        }
    }

    #[test]
    fn a_scheme_has_unique_codes_and_at_most_a_hundred_points() {
        let mut s = Scheme {
            name: "示例方案".into(),
            indicators: vec![indicator("A1", "场所", 500), indicator("B1", "人员", 500)],
        };
        assert!(s.validate().is_empty());
        assert_eq!(s.groups(), ["场所", "人员"]);
        assert_eq!(s.indicator("指标B1").map(|i| i.code.as_str()), Some("B1"));
        s.indicators.push(indicator("A1", "场所", 1));
        let fields: Vec<&str> = s.validate().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["indicator", "max_points"]);
        s.indicators[2].code = "C1".into();
        s.indicators[2].max_points = 0;
        assert_eq!(s.validate()[0].field, "max_points");
    }

    #[test]
    fn points_sum_and_stay_within_their_indicators() {
        let s = Scheme {
            name: "s".into(),
            indicators: vec![indicator("A1", "场所", 50), indicator("B1", "人员", 25)],
        };
        let p = Points {
            scheme: "s".into(),
            given: vec![("B1".into(), 25), ("A1".into(), 51), ("Z9".into(), 1)],
        }
        .sorted();
        assert_eq!(p.given[0].0, "A1");
        assert_eq!(p.sum(), 77);
        assert_eq!(p.of("B1"), Some(25));
        let problems = p.problems_against(&s);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, "A1");
        assert_eq!(problems[0].1.en, "5.1 is more than the indicator's 5 points");
        assert_eq!(problems[1].0, "Z9");
    }
}
