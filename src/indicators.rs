//! The per-indicator rollup of a subtree (SPEC.md "Evaluation schemes", issue 15): of each
//! station's latest evaluation as of a date that gives points of a scheme, per indicator how
//! many gave it, their mean points and mean share of the maximum; and per group of indicators
//! the stations lowest on it. Written once for the report's JSON, its workbook and the UI.
//!
//! Exact integer arithmetic, as the report's other ratios: sums in tenths of a point; a mean
//! of points in hundredths of a point and a share in basis points (1/100 of a percent), each
//! the quotient truncated, as `ReportNode::spent_basis_points` is; the JSON writes them as
//! decimals (`mean_points` 8.25, `mean_share` 0.8125) beside the exact sums they come from.

use crate::domain::{Day, Evaluation, Scheme};
use crate::record::Record;
use crate::registry::Registry;
use crate::store::Result;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// How many of the lowest stations each group lists.
pub const LOWEST_PER_GROUP: usize = 3;

/// One indicator's figures over the latest evaluations that give points of its scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorFigure {
    pub code: String,
    pub name: String,
    pub group: String,
    pub max_points: u16,
    /// How many of the latest evaluations gave it.
    pub given: u64,
    /// Their points, in tenths.
    pub sum_tenths: u64,
}

impl IndicatorFigure {
    /// The mean points, in hundredths of a point (truncated); `None` when nobody gave it.
    pub fn mean_hundredths(&self) -> Option<u64> {
        (self.given > 0).then(|| self.sum_tenths * 10 / self.given)
    }

    /// The mean share of the maximum, in basis points (truncated); `None` when nobody gave it.
    pub fn mean_share_bp(&self) -> Option<u64> {
        let whole = self.given * u64::from(self.max_points);
        (whole > 0).then(|| self.sum_tenths * 10_000 / whole)
    }
}

/// A station's points on one group of indicators (those of the group its evaluation gave).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationShare {
    pub code: String,
    pub name: String,
    pub points_tenths: u64,
    pub max_tenths: u64,
}

impl StationShare {
    /// Points ÷ maximum, in basis points (truncated).
    pub fn share_bp(&self) -> u64 {
        self.points_tenths * 10_000 / self.max_tenths.max(1)
    }

    /// Lower share first (compared exactly, by cross-multiplying), then by code.
    fn order(&self, other: &StationShare) -> Ordering {
        let a = u128::from(self.points_tenths) * u128::from(other.max_tenths);
        let b = u128::from(other.points_tenths) * u128::from(self.max_tenths);
        a.cmp(&b).then_with(|| self.code.cmp(&other.code))
    }
}

/// A group of a scheme, with its lowest stations, lowest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLowest {
    pub group: String,
    /// How many stations gave points in this group.
    pub stations: u64,
    pub lowest: Vec<StationShare>,
}

/// A scheme's rollup over a subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeRollup {
    pub scheme: String,
    /// Stations whose latest evaluation gives points of this scheme.
    pub stations: u64,
    pub indicators: Vec<IndicatorFigure>,
    pub groups: Vec<GroupLowest>,
}

/// The latest evaluation of each unit of `code`'s subtree dated on or before `until`, by unit
/// code: of one day's, the one `Registry::latest_evaluation` names.
pub fn latest_in_subtree(store: &Registry, code: &str, until: Day) -> Result<BTreeMap<String, Evaluation>> {
    let mut latest: BTreeMap<String, Evaluation> = BTreeMap::new();
    for (_, e) in store.records_in::<Evaluation>(code, Day::MIN..=until, true, usize::MAX)? {
        match latest.get(&e.unit) {
            Some(old) if (old.delta().0, latest_key(old)) >= (e.delta().0, latest_key(&e)) => {}
            _ => {
                latest.insert(e.unit.clone(), e);
            }
        }
    }
    Ok(latest)
}

/// The order among one day's evaluations of a unit (`Registry::latest_evaluation`'s).
pub fn latest_key(e: &Evaluation) -> impl Ord + '_ {
    (&e.id, e.kind, &e.evaluator, e.score, e.grade, &e.note, &e.points)
}

/// The rollup of these latest evaluations (one per station) over the schemes they give points
/// of, schemes by name; `name_of` names a station for the lowest lists.
pub fn rollup<'e>(
    schemes: &[Scheme],
    latest: impl IntoIterator<Item = &'e Evaluation>,
    name_of: &mut dyn FnMut(&str) -> String,
) -> Vec<SchemeRollup> {
    let mut by_scheme: BTreeMap<&str, Vec<&Evaluation>> = BTreeMap::new();
    for e in latest {
        if let Some(p) = &e.points {
            by_scheme.entry(p.scheme.as_str()).or_default().push(e);
        }
    }
    let mut out = Vec::new();
    for (name, evaluations) in by_scheme {
        let Some(scheme) = schemes.iter().find(|s| s.name == name) else {
            continue;
        };
        let mut indicators: Vec<IndicatorFigure> = scheme
            .indicators
            .iter()
            .map(|i| IndicatorFigure {
                code: i.code.clone(),
                name: i.name.clone(),
                group: i.group.clone(),
                max_points: i.max_points,
                given: 0,
                sum_tenths: 0,
            })
            .collect();
        let mut groups: Vec<GroupLowest> = scheme
            .groups()
            .into_iter()
            .map(|g| GroupLowest {
                group: g.to_string(),
                stations: 0,
                lowest: Vec::new(),
            })
            .collect();
        for e in &evaluations {
            let Some(points) = &e.points else { continue };
            let mut per_group: Vec<(u64, u64, bool)> = vec![(0, 0, false); groups.len()];
            for figure in &mut indicators {
                let Some(p) = points.of(&figure.code) else { continue };
                figure.given += 1;
                figure.sum_tenths += u64::from(p);
                if let Some(g) = groups.iter().position(|g| g.group == figure.group) {
                    per_group[g].0 += u64::from(p);
                    per_group[g].1 += u64::from(figure.max_points);
                    per_group[g].2 = true;
                }
            }
            for (g, (points_tenths, max_tenths, any)) in per_group.into_iter().enumerate() {
                if any {
                    groups[g].stations += 1;
                    groups[g].lowest.push(StationShare {
                        code: e.unit.clone(),
                        name: String::new(),
                        points_tenths,
                        max_tenths,
                    });
                }
            }
        }
        for g in &mut groups {
            g.lowest.sort_by(StationShare::order);
            g.lowest.truncate(LOWEST_PER_GROUP);
            for s in &mut g.lowest {
                s.name = name_of(&s.code);
            }
        }
        out.push(SchemeRollup {
            scheme: name.to_string(),
            stations: evaluations.len() as u64,
            indicators,
            groups,
        });
    }
    out
}

/// The rollup of `code`'s subtree as of `until`, read from the store.
pub fn of_subtree(store: &Registry, code: &str, until: Day) -> Result<Vec<SchemeRollup>> {
    let latest = latest_in_subtree(store, code, until)?;
    if latest.values().all(|e| e.points.is_none()) {
        return Ok(Vec::new());
    }
    let schemes = store.schemes()?;
    let mut failure = None;
    let out = rollup(&schemes, latest.values(), &mut |code| match store.unit(code) {
        Ok(Some(u)) => u.name,
        Ok(None) => String::new(),
        Err(e) => {
            failure.get_or_insert(e);
            String::new()
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EvalKind, Indicator, PartialDate, Points};

    fn scheme() -> Scheme {
        let i = |code: &str, group: &str, max: u16| Indicator {
            code: code.into(),
            name: code.into(),
            group: group.into(),
            max_points: max,
        };
        Scheme {
            name: "s".into(),
            indicators: vec![i("A1", "场所", 100), i("A2", "场所", 50), i("B1", "人员", 30)],
        }
    }

    fn evaluated(unit: &str, given: &[(&str, u16)]) -> Evaluation {
        Evaluation {
            id: None,
            unit: unit.into(),
            date: PartialDate::parse("2022-01-01").unwrap(),
            kind: EvalKind::Annual,
            evaluator: String::new(),
            score: None,
            grade: None,
            note: String::new(),
            points: Some(Points {
                scheme: "s".into(),
                given: given.iter().map(|(c, p)| (c.to_string(), *p)).collect(),
            }),
        }
    }

    #[test]
    fn means_shares_and_the_lowest_are_exact() {
        let latest = [
            evaluated("u1", &[("A1", 100), ("A2", 25), ("B1", 30)]),
            evaluated("u2", &[("A1", 50), ("B1", 10)]),
            evaluated("u3", &[("A1", 33), ("A2", 50)]),
        ];
        let r = rollup(&[scheme()], &latest, &mut |c| format!("站{c}"));
        assert_eq!(r.len(), 1);
        let s = &r[0];
        assert_eq!(s.stations, 3);
        let a1 = &s.indicators[0];
        assert_eq!((a1.given, a1.sum_tenths), (3, 183));
        // 18.3 / 3 = 6.1 points; 183 / 300 = 0.61.
        assert_eq!((a1.mean_hundredths(), a1.mean_share_bp()), (Some(610), Some(6100)));
        let b1 = &s.indicators[2];
        // 40 / 2 = 20 tenths = 2 points; 40 / 60 = 0.6666… → 6666 bp.
        assert_eq!(
            (b1.given, b1.mean_hundredths(), b1.mean_share_bp()),
            (2, Some(200), Some(6666))
        );
        // 场所: u1 125/150, u2 50/100, u3 83/150 → u2 (0.5), u3 (0.553), u1 (0.833).
        let place = &s.groups[0];
        assert_eq!(place.group, "场所");
        let order: Vec<&str> = place.lowest.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(order, ["u2", "u3", "u1"]);
        assert_eq!(place.lowest[0].name, "站u2");
        assert_eq!(place.lowest[1].share_bp(), 5533);
        assert_eq!(s.groups[1].stations, 2);
    }
}
