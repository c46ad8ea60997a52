//! The report's JSON (SPEC.md's shape) written straight from the `ReportNode`s, without a
//! `serde_json::Value` tree: at the national size's root (2,850 children, 8.4 MB of JSON) that
//! tree cost ~0.5 s of allocation and map inserts (issue 14, docs/PERFORMANCE.md).
//!
//! **The same bytes as `report::to_json`.** `to_json` builds a `Value`, whose objects are
//! `BTreeMap`s (serde_json without `preserve_order`): their keys come out sorted. So every
//! object here is a struct whose fields are declared in sorted order (serde_json writes a
//! struct as an object, key by key, exactly as it writes a map), and the objects whose keys
//! are names (levels, categories, sources, grades, modes, kinds) are sorted before they are
//! written (`Sorted`). Numbers go through the same expressions as in `to_json` (the decimals of
//! scores, ratios and points too, where `to_json` divides a whole number), so they print
//! alike; money stays whole fen. `report::to_json` stays for the tests and callers that want a
//! `Value`; `tests/report_json.rs` holds the two to the same bytes.

use crate::domain::*;
use crate::indicators::{GroupLowest, IndicatorFigure, SchemeRollup, StationShare};
use crate::report::ReportNode;
use crate::rollup::Measures;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

/// Writes the node and its children as `serde_json::to_writer_pretty(out, &to_json(node))`
/// would, with a newline after it (as the CLI prints it).
pub fn write<W: std::io::Write>(node: &ReportNode, mut out: W) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &Node(node)).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// An object whose keys are names: written in the keys' order, as a `BTreeMap` is.
struct Sorted<T>(Vec<(&'static str, T)>);

impl<T: Serialize> Serialize for Sorted<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<&(&'static str, T)> = self.0.iter().collect();
        entries.sort_by_key(|(k, _)| *k);
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `report`'s `counts`: the items whose count is not zero, by name.
fn counts<T: Copy>(items: &[T], name: impl Fn(T) -> &'static str, count: impl Fn(T) -> i64) -> Sorted<i64> {
    Sorted(
        items
            .iter()
            .map(|i| (name(*i), count(*i)))
            .filter(|(_, n)| *n != 0)
            .collect(),
    )
}

#[derive(Serialize)]
struct Money {
    allocated_fen: i64,
    spent_fen: i64,
}

fn money((allocated, spent): (Fen, Fen)) -> Money {
    Money {
        allocated_fen: allocated.0,
        spent_fen: spent.0,
    }
}

/// One node; its children follow it, each a `Node` again.
struct Node<'a>(&'a ReportNode);

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        object(self.0).serialize(serializer)
    }
}

struct Children<'a>(&'a [ReportNode]);

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for child in self.0 {
            seq.serialize_element(&Node(child))?;
        }
        seq.end()
    }
}

// Every struct below: fields in the sorted order of their names (see the module header).

#[derive(Serialize)]
struct Object<'a> {
    as_of: String,
    children: Children<'a>,
    code: &'a str,
    coverage: Sorted<Coverage>,
    evaluations: Evaluations<'a>,
    funding: Funding,
    #[serde(skip_serializing_if = "Option::is_none")]
    indicators: Option<Indicators<'a>>,
    level: &'static str,
    name: &'a str,
    station: Station,
    trainings: Trainings,
}

#[derive(Serialize)]
struct Coverage {
    covered: i64,
    units: i64,
}

#[derive(Serialize)]
struct Evaluations<'a> {
    by_grade: Sorted<i64>,
    by_kind: Sorted<i64>,
    count: i64,
    evaluated_stations: i64,
    latest: Option<Latest<'a>>,
    stations_without_evaluation: i64,
    ungraded: i64,
}

#[derive(Serialize)]
struct Latest<'a> {
    date: String,
    evaluator: &'a str,
    grade: Option<&'static str>,
    kind: &'static str,
    score: Option<f64>,
}

#[derive(Serialize)]
struct Funding {
    allocated_fen: i64,
    by_category: Sorted<Money>,
    by_source: Sorted<Money>,
    category_unspecified: Money,
    source_unspecified: Money,
    spent_fen: i64,
    spent_ratio: Option<f64>,
}

#[derive(Serialize)]
struct Station {
    closed_on: Option<String>,
    covered: bool,
    on_date: &'static str,
    opened_on: Option<String>,
    status: &'static str,
}

#[derive(Serialize)]
struct Trainings {
    attendees: Option<i64>,
    attendees_given: i64,
    by_kind: Sorted<i64>,
    by_mode: Sorted<i64>,
    count: i64,
    hours: Option<f64>,
    hours_given: i64,
    mode_unspecified: i64,
}

fn object(node: &ReportNode) -> Object<'_> {
    let m: &Measures = &node.measures;
    Object {
        as_of: node.as_of.to_string(),
        children: Children(&node.children),
        code: &node.code,
        coverage: Sorted(
            node.levels_below()
                .into_iter()
                .map(|level| {
                    let figures = Coverage {
                        covered: m.covered(level),
                        units: m.units(level),
                    };
                    (level.en(), figures)
                })
                .collect(),
        ),
        evaluations: Evaluations {
            by_grade: counts(Grade::ALL, |g| g.en(), |g| m.evaluations_of_grade(Some(g))),
            by_kind: counts(EvalKind::ALL, |k| k.en(), |k| m.evaluations_of_kind(k)),
            count: m.evaluations(),
            evaluated_stations: m.evaluated_stations(),
            latest: node.latest_evaluation.as_ref().map(|e| Latest {
                date: e.date.to_string(),
                evaluator: &e.evaluator,
                grade: e.effective_grade().map(|g| g.en()),
                kind: e.kind.en(),
                score: e.score.map(|s| s as f64 / 10.0),
            }),
            stations_without_evaluation: m.stations_without_evaluation(),
            ungraded: m.evaluations_of_grade(None),
        },
        funding: Funding {
            allocated_fen: m.allocated().0,
            by_category: Sorted(
                Category::ALL
                    .iter()
                    .map(|c| (c.en(), money(m.by_category(Some(*c)))))
                    .collect(),
            ),
            by_source: Sorted(
                Source::ALL
                    .iter()
                    .map(|s| (s.en(), money(m.by_source(Some(*s)))))
                    .collect(),
            ),
            category_unspecified: money(m.by_category(None)),
            source_unspecified: money(m.by_source(None)),
            spent_fen: m.spent().0,
            spent_ratio: node.spent_basis_points().map(|bp| bp as f64 / 10_000.0),
        },
        indicators: (!node.indicators.is_empty()).then_some(Indicators(&node.indicators)),
        level: node.level.en(),
        name: &node.name,
        station: Station {
            closed_on: node.closed_on.map(|d| d.to_string()),
            covered: node.covered,
            on_date: node.on_date.en(),
            opened_on: node.opened_on.map(|d| d.to_string()),
            status: node.station.en(),
        },
        trainings: Trainings {
            attendees: m.stated_attendees(),
            attendees_given: m.trainings_with_attendees(),
            by_kind: counts(TrainingKind::ALL, |k| k.en(), |k| m.trainings_of_kind(k)),
            by_mode: counts(TrainingMode::ALL, |x| x.en(), |x| m.trainings_of_mode(Some(x))),
            count: m.trainings(),
            hours: m.stated_hours_tenths().map(|h| h as f64 / 10.0),
            hours_given: m.trainings_with_hours(),
            mode_unspecified: m.trainings_of_mode(None),
        },
    }
}

/// Per scheme, the per-indicator rollup (issue 15), as `report`'s `indicators_json`.
struct Indicators<'a>(&'a [SchemeRollup]);

impl Serialize for Indicators<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for s in self.0 {
            seq.serialize_element(&Scheme {
                indicators: s.indicators.iter().map(indicator).collect(),
                lowest_by_group: s.groups.iter().map(group).collect(),
                scheme: &s.scheme,
                stations: s.stations,
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Scheme<'a> {
    indicators: Vec<Indicator<'a>>,
    lowest_by_group: Vec<Group<'a>>,
    scheme: &'a str,
    stations: u64,
}

#[derive(Serialize)]
struct Indicator<'a> {
    code: &'a str,
    given: u64,
    group: &'a str,
    max_points: f64,
    mean_points: Option<f64>,
    mean_share: Option<f64>,
    name: &'a str,
    points_sum: f64,
}

fn indicator(i: &IndicatorFigure) -> Indicator<'_> {
    Indicator {
        code: &i.code,
        given: i.given,
        group: &i.group,
        max_points: i.max_points as f64 / 10.0,
        mean_points: i.mean_hundredths().map(|h| h as f64 / 100.0),
        mean_share: i.mean_share_bp().map(|bp| bp as f64 / 10_000.0),
        name: &i.name,
        points_sum: i.sum_tenths as f64 / 10.0,
    }
}

#[derive(Serialize)]
struct Group<'a> {
    group: &'a str,
    lowest: Vec<Lowest<'a>>,
    stations: u64,
}

fn group(g: &GroupLowest) -> Group<'_> {
    Group {
        group: &g.group,
        lowest: g.lowest.iter().map(lowest).collect(),
        stations: g.stations,
    }
}

#[derive(Serialize)]
struct Lowest<'a> {
    code: &'a str,
    max_points: f64,
    name: &'a str,
    points: f64,
    share: f64,
}

fn lowest(l: &StationShare) -> Lowest<'_> {
    Lowest {
        code: &l.code,
        max_points: l.max_tenths as f64 / 10.0,
        name: &l.name,
        points: l.points_tenths as f64 / 10.0,
        share: l.share_bp() as f64 / 10_000.0,
    }
}
