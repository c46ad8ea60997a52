//! The rollup report of a unit as of a date: coverage by level, funding by category and
//! source, evaluations and trainings, for the unit and its children down to a depth; and its
//! three formats (table for people, CSV, JSON of SPEC.md's shape). The table shows control
//! characters escaped; the CSV neutralises formula-like text as exports do.

use crate::domain::date::day_of;
use crate::domain::*;
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::rollup::Measures;
use crate::store::{Result, StoreError};
use crate::text;
use crate::words::{say, tr, C, F, R, S};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// One unit's figures as of a date, with its children's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportNode {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub station: StationStatus,
    pub opened_on: Option<PartialDate>,
    pub closed_on: Option<PartialDate>,
    /// The unit's own station counts as covered on the date.
    pub covered: bool,
    /// The unit's own station as it stood on the date (SPEC.md "Rollups").
    pub on_date: StationOnDate,
    pub as_of: NaiveDate,
    pub measures: Measures,
    pub latest_evaluation: Option<Evaluation>,
    /// Per scheme, the per-indicator rollup of the subtree's latest evaluations (issue 15).
    pub indicators: Vec<crate::indicators::SchemeRollup>,
    pub children: Vec<ReportNode>,
    /// True for the node that sums several roots.
    pub virtual_root: bool,
}

impl ReportNode {
    /// Levels strictly below this unit's, down to community.
    pub fn levels_below(&self) -> Vec<Level> {
        Level::ALL.iter().copied().filter(|l| *l > self.level).collect()
    }

    /// spent ÷ allocated in basis points (1/100 of a percent); none when nothing was allocated.
    pub fn spent_basis_points(&self) -> Option<i64> {
        let allocated = self.measures.allocated().0 as i128;
        if allocated == 0 {
            return None;
        }
        Some(((self.measures.spent().0 as i128 * 10_000) / allocated) as i64)
    }
}

/// The report for `code` (or the root when there is one; a sum of the roots when several).
pub fn build(store: &Registry, code: Option<&str>, as_of: NaiveDate, depth: usize) -> Result<ReportNode> {
    // Asked once for the whole report: on the server each question is a round trip, and a
    // report of 300 children must not ask it 300 times (tests/pg_queries.rs).
    let indicators = !store.schemes()?.is_empty();
    match code {
        Some(code) => {
            let unit = store
                .unit(code)?
                .ok_or_else(|| StoreError::UnknownUnit(code.to_string()))?;
            node(store, &unit, as_of, depth, indicators)
        }
        None => {
            let roots = store.roots()?;
            if roots.len() == 1 {
                return node(store, &roots[0], as_of, depth, indicators);
            }
            let mut measures = Measures::default();
            let mut children = Vec::new();
            for root in &roots {
                let child = node(store, root, as_of, depth.saturating_sub(1), indicators)?;
                measures.add(&child.measures)?;
                children.push(child);
            }
            let level = roots.iter().map(|r| r.level).min().unwrap_or(Level::Province);
            Ok(ReportNode {
                code: String::new(),
                name: "全部 / all".into(),
                level,
                station: StationStatus::None,
                opened_on: None,
                closed_on: None,
                covered: false,
                on_date: StationOnDate::None,
                as_of,
                measures,
                latest_evaluation: None,
                indicators: Vec::new(),
                children: if depth == 0 { Vec::new() } else { children },
                virtual_root: true,
            })
        }
    }
}

/// A node's children, each with its subtree's totals.
type Kids = Vec<(Unit, Measures)>;

fn node(store: &Registry, unit: &Unit, as_of: NaiveDate, depth: usize, indicators: bool) -> Result<ReportNode> {
    // With children shown, the node's totals and theirs come from one read
    // (`measures_with_children`): on the server a second pass over the records cost seconds.
    let (measures, kids) = if depth > 0 {
        let (measures, kids) = store.measures_with_children(&unit.code, as_of)?;
        (measures, Some(kids))
    } else {
        (store.subtree_measures(&unit.code, as_of)?, None)
    };
    let latest = store.latest_evaluation(&unit.code, day_of(as_of))?;
    node_with(store, unit, (measures, latest, kids), as_of, depth, indicators)
}

/// A node whose measures and newest evaluation are known: a child's come with its parent's
/// one read of them all (`children_measures`, `latest_evaluations`), so that a parent of 300
/// children costs a few reads, not a few per child; its children's measures too when read
/// with its own (`Some`), else they are read here. `with_indicators`: the store has schemes,
/// so each node reads its subtree's evaluations for the rollup per indicator (issue 15).
fn node_with(
    store: &Registry,
    unit: &Unit,
    (measures, latest_evaluation, kids): (Measures, Option<Evaluation>, Option<Kids>),
    as_of: NaiveDate,
    depth: usize,
    with_indicators: bool,
) -> Result<ReportNode> {
    let indicators = if with_indicators {
        crate::indicators::of_subtree(store, &unit.code, day_of(as_of))?
    } else {
        Vec::new()
    };
    let mut children = Vec::new();
    if depth > 0 {
        let kids = match kids {
            Some(kids) => kids,
            None => store.children_measures(&unit.code, as_of)?,
        };
        let codes: Vec<String> = kids.iter().map(|(child, _)| child.code.clone()).collect();
        let latest = store.children_latest_evaluations(&unit.code, &codes, day_of(as_of))?;
        for ((child, m), newest) in kids.into_iter().zip(latest) {
            children.push(node_with(
                store,
                &child,
                (m, newest, None),
                as_of,
                depth - 1,
                with_indicators,
            )?);
        }
    }
    Ok(ReportNode {
        code: unit.code.clone(),
        name: unit.name.clone(),
        level: unit.level,
        station: unit.station,
        opened_on: unit.opened_on,
        closed_on: unit.closed_on,
        covered: unit.covered_on(as_of),
        on_date: unit.station_on(as_of),
        as_of,
        measures,
        latest_evaluation,
        indicators,
        children,
        virtual_root: false,
    })
}

fn money_pair((allocated, spent): (Fen, Fen)) -> Value {
    json!({ "allocated_fen": allocated.0, "spent_fen": spent.0 })
}

fn counts<T: Copy>(items: &[T], name: impl Fn(T) -> &'static str, count: impl Fn(T) -> i64) -> Value {
    let mut map = Map::new();
    for item in items {
        let n = count(*item);
        if n != 0 {
            map.insert(name(*item).to_string(), json!(n));
        }
    }
    Value::Object(map)
}

/// SPEC.md's JSON object for the node and its children.
pub fn to_json(node: &ReportNode) -> Value {
    let m = &node.measures;
    let mut coverage = Map::new();
    for level in node.levels_below() {
        coverage.insert(
            level.en().into(),
            json!({ "units": m.units(level), "covered": m.covered(level) }),
        );
    }
    let mut by_category = Map::new();
    for c in Category::ALL {
        by_category.insert(c.en().into(), money_pair(m.by_category(Some(*c))));
    }
    let mut by_source = Map::new();
    for s in Source::ALL {
        by_source.insert(s.en().into(), money_pair(m.by_source(Some(*s))));
    }
    let by_grade = counts(Grade::ALL, |g| g.en(), |g| m.evaluations_of_grade(Some(g)));
    let by_mode = counts(TrainingMode::ALL, |x| x.en(), |x| m.trainings_of_mode(Some(x)));
    let latest = node.latest_evaluation.as_ref().map(|e| {
        json!({
            "date": e.date.to_string(), "kind": e.kind.en(), "evaluator": e.evaluator,
            "score": e.score.map(|s| s as f64 / 10.0), "grade": e.effective_grade().map(|g| g.en()),
        })
    });
    let mut value = json!({
        "code": node.code,
        "name": node.name,
        "level": node.level.en(),
        "as_of": node.as_of.to_string(),
        "station": {
            "status": node.station.en(),
            "opened_on": node.opened_on.map(|d| d.to_string()),
            "closed_on": node.closed_on.map(|d| d.to_string()),
            "on_date": node.on_date.en(),
            "covered": node.covered,
        },
        "coverage": coverage,
        "funding": {
            "allocated_fen": m.allocated().0,
            "spent_fen": m.spent().0,
            "spent_ratio": node.spent_basis_points().map(|bp| bp as f64 / 10_000.0),
            "by_category": by_category,
            "by_source": by_source,
            // Entries whose category or source the source document does not state.
            "category_unspecified": money_pair(m.by_category(None)),
            "source_unspecified": money_pair(m.by_source(None)),
        },
        "evaluations": {
            "count": m.evaluations(),
            "by_kind": counts(EvalKind::ALL, |k| k.en(), |k| m.evaluations_of_kind(k)),
            "by_grade": by_grade,
            "ungraded": m.evaluations_of_grade(None),
            "evaluated_stations": m.evaluated_stations(),
            "stations_without_evaluation": m.stations_without_evaluation(),
            "latest": latest,
        },
        "trainings": {
            "count": m.trainings(),
            "by_kind": counts(TrainingKind::ALL, |k| k.en(), |k| m.trainings_of_kind(k)),
            "by_mode": by_mode,
            "mode_unspecified": m.trainings_of_mode(None),
            // null when no training states them ("not stated", never 0); the `_given` counts
            // say how many trainings the sums cover.
            "hours": m.stated_hours_tenths().map(|h| h as f64 / 10.0),
            "attendees": m.stated_attendees(),
            "hours_given": m.trainings_with_hours(),
            "attendees_given": m.trainings_with_attendees(),
        },
        "children": node.children.iter().map(to_json).collect::<Vec<_>>(),
    });
    // Only where latest evaluations give points (issue 15): a report without schemes is as it
    // was, key for key.
    if !node.indicators.is_empty() {
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "indicators".into(),
                Value::Array(node.indicators.iter().map(indicators_json).collect()),
            );
        }
    }
    value
}

/// A scheme's per-indicator rollup as JSON (issue 15): the exact sums, and the means and
/// shares they give as decimals (see `crate::indicators`).
fn indicators_json(s: &crate::indicators::SchemeRollup) -> Value {
    let indicators: Vec<Value> = s
        .indicators
        .iter()
        .map(|i| {
            json!({
                "code": i.code, "name": i.name, "group": i.group,
                "max_points": i.max_points as f64 / 10.0,
                "given": i.given,
                "points_sum": i.sum_tenths as f64 / 10.0,
                "mean_points": i.mean_hundredths().map(|h| h as f64 / 100.0),
                "mean_share": i.mean_share_bp().map(|bp| bp as f64 / 10_000.0),
            })
        })
        .collect();
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            let lowest: Vec<Value> = g
                .lowest
                .iter()
                .map(|l| {
                    json!({
                        "code": l.code, "name": l.name,
                        "points": l.points_tenths as f64 / 10.0,
                        "max_points": l.max_tenths as f64 / 10.0,
                        "share": l.share_bp() as f64 / 10_000.0,
                    })
                })
                .collect();
            json!({ "group": g.group, "stations": g.stations, "lowest": lowest })
        })
        .collect();
    json!({
        "scheme": s.scheme,
        "stations": s.stations,
        "indicators": indicators,
        "lowest_by_group": groups,
    })
}

fn flatten<'a>(node: &'a ReportNode, depth: usize, out: &mut Vec<(usize, &'a ReportNode)>) {
    out.push((depth, node));
    for child in &node.children {
        flatten(child, depth + 1, out);
    }
}

fn ratio_text(node: &ReportNode) -> String {
    node.spent_basis_points()
        .map_or_else(|| "—".into(), |bp| format!("{}.{:02}%", bp / 100, (bp % 100).abs()))
}

/// One row per node: the figures a spreadsheet wants, money in fen and in yuan. The code and
/// the name are text a clerk typed: guarded against formula execution as an export's are
/// (`'=HYPERLINK(…)`).
pub fn to_csv(node: &ReportNode) -> String {
    let mut rows = Vec::new();
    flatten(node, 0, &mut rows);
    let mut out = String::from(
        "code,name,level,depth,as_of,station,covered,street_units,street_covered,community_units,community_covered,allocated_fen,spent_fen,allocated_yuan,spent_yuan,evaluations,trainings,training_hours,attendees,station_on_date,hours_given,attendees_given\n",
    );
    for (depth, n) in rows {
        let m = &n.measures;
        let fields = [
            crate::interchange::neutralize(&n.code),
            crate::interchange::neutralize(&n.name),
            n.level.en().to_string(),
            depth.to_string(),
            n.as_of.to_string(),
            n.station.en().to_string(),
            n.covered.to_string(),
            m.units(Level::Street).to_string(),
            m.covered(Level::Street).to_string(),
            m.units(Level::Community).to_string(),
            m.covered(Level::Community).to_string(),
            m.allocated().0.to_string(),
            m.spent().0.to_string(),
            m.allocated().plain(),
            m.spent().plain(),
            m.evaluations().to_string(),
            m.trainings().to_string(),
            // Empty when no training states them: "not stated", never 0.
            m.stated_hours_tenths()
                .map(|h| crate::domain::records::tenths(h.max(0) as u32))
                .unwrap_or_default(),
            m.stated_attendees().map(|a| a.to_string()).unwrap_or_default(),
            n.on_date.en().to_string(),
            m.trainings_with_hours().to_string(),
            m.trainings_with_attendees().to_string(),
        ];
        let quoted: Vec<String> = fields
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// The report as a person reads it: a summary of the unit, then a table of its children.
pub fn to_table(node: &ReportNode, lang: Lang) -> String {
    let m = &node.measures;
    let mut out = Vec::new();
    let title = if node.code.is_empty() {
        node.name.clone()
    } else {
        format!("{}（{}）", node.name, node.code)
    };
    out.push(say(lang, R::TitleAsOf, &[&title, &node.level.label(lang), &node.as_of]));
    if !node.virtual_root {
        // What counted on the date first; the stored status and dates after it.
        let mut dates = Vec::new();
        if node.station.has_opened() {
            if let Some(d) = node.opened_on {
                dates.push(say(lang, R::OpenedOnDate, &[&d]).to_string());
            }
        }
        if let Some(d) = node.closed_on {
            dates.push(say(lang, R::ClosedOnDate, &[&d]).to_string());
        }
        let stored = if dates.is_empty() {
            node.station.label(lang).to_string()
        } else {
            format!("{}{}", node.station.label(lang), tr(lang, C::ListSeparator))
                + &dates.join(tr(lang, C::ListSeparator))
        };
        out.push(say(
            lang,
            R::OwnStationStored,
            &[&node.as_of, &node.on_date.shown(lang), &stored],
        ));
    }
    // Every level below the node is named, even one with no units yet (0/0): a clerk reads
    // "no communities" from it rather than wondering whether the line was cut.
    let coverage: Vec<String> = node
        .levels_below()
        .iter()
        .map(|l| format!("{} {}/{}", l.label(lang), m.covered(*l), m.units(*l)))
        .collect();
    out.push(format!("{}{}", tr(lang, R::CoverageCoveredUnits), coverage.join("  ")));
    out.push(say(
        lang,
        R::FundingLine,
        &[&(m.allocated().yuan()), &(m.spent().yuan()), &(ratio_text(node))],
    ));
    let mut money_rows = Vec::new();
    for c in Category::ALL.iter().map(|c| Some(*c)).chain([None]) {
        let (a, s) = m.by_category(c);
        if a.0 != 0 || s.0 != 0 {
            money_rows.push(vec![
                format!("  {}", c.map_or(tr(lang, R::CategoryNotStated), |c| c.label(lang))),
                a.yuan(),
                s.yuan(),
            ]);
        }
    }
    for src in Source::ALL.iter().map(|s| Some(*s)).chain([None]) {
        let (a, s) = m.by_source(src);
        if a.0 != 0 || s.0 != 0 {
            money_rows.push(vec![
                format!("  {}", src.map_or(tr(lang, R::SourceNotStated), |s| s.label(lang))),
                a.yuan(),
                s.yuan(),
            ]);
        }
    }
    if !money_rows.is_empty() {
        let header = vec![
            String::new(),
            tr(lang, R::AllocatedYuan).into(),
            tr(lang, R::SpentYuan).into(),
        ];
        out.push(text::table(&header, &money_rows, &[false, true, true]));
    }
    let kinds: Vec<String> = EvalKind::ALL
        .iter()
        .filter(|k| m.evaluations_of_kind(**k) != 0)
        .map(|k| format!("{} {}", k.label(lang), m.evaluations_of_kind(*k)))
        .collect();
    out.push(say(
        lang,
        R::EvaluationsLine,
        &[
            &(m.evaluations()),
            &(bracketed(&kinds, lang)),
            &(m.evaluated_stations()),
            &(m.stations_without_evaluation()),
        ],
    ));
    let tkinds: Vec<String> = TrainingKind::ALL
        .iter()
        .filter(|k| m.trainings_of_kind(**k) != 0)
        .map(|k| format!("{} {}", k.label(lang), m.trainings_of_kind(*k)))
        .collect();
    // A sum over trainings that state nothing is "not stated", never 0.
    let hours = match m.stated_hours_tenths() {
        Some(h) => {
            let h = crate::domain::records::tenths(h.max(0) as u32);
            let n = m.trainings_with_hours();
            say(lang, R::HoursGivenBy, &[&h, &n]).to_string()
        }
        None => tr(lang, S::HoursNotStated).to_string(),
    };
    let attendees = match m.stated_attendees() {
        Some(a) => {
            let n = m.trainings_with_attendees();
            say(lang, R::AttendeesGivenBy, &[&a, &n]).to_string()
        }
        None => tr(lang, S::AttendeesNotStated).to_string(),
    };
    // Without any training there is nothing to state or leave unstated.
    let detail = if m.trainings() == 0 {
        String::new()
    } else {
        format!("  {hours}  {attendees}")
    };
    out.push(say(
        lang,
        R::TrainingsLine,
        &[&(m.trainings()), &(bracketed(&tkinds, lang)), &detail],
    ));
    if !node.children.is_empty() {
        out.push(String::new());
        out.push(children_table(node, lang));
    }
    // Names are stored text: their control characters are shown escaped, never sent to the
    // terminal (the tables escaped their cells before measuring them).
    text::for_terminal_lines(&out.join("\n")).into_owned()
}

/// `（中期 1，终期 2）` / ` (midterm 1, final 2)`; nothing when there is nothing to list, so
/// that no count reads `0 ()`.
fn bracketed(parts: &[String], lang: Lang) -> String {
    if parts.is_empty() {
        return String::new();
    }
    say(lang, R::Bracketed, &[&parts.join(tr(lang, C::ListSeparator))])
}

fn children_table(node: &ReportNode, lang: Lang) -> String {
    let levels = node.levels_below();
    let shown: Vec<Level> = levels
        .iter()
        .copied()
        .filter(|l| node.measures.units(*l) > 0)
        .take(2)
        .collect();
    let mut header: Vec<String> = vec![
        tr(lang, R::HeaderName).into(),
        tr(lang, R::HeaderCode).into(),
        tr(lang, R::HeaderStation).into(),
    ];
    for l in &shown {
        header.push(format!("{}{}", l.label(lang), tr(lang, R::CoveredSuffix)));
    }
    header.extend([
        tr(lang, R::AllocatedYuan).to_string(),
        tr(lang, R::SpentYuan).to_string(),
        tr(lang, R::HeaderEvals).to_string(),
        tr(lang, F::KindPluralTrainings).to_string(),
    ]);
    let mut rows = Vec::new();
    let mut flat = Vec::new();
    for child in &node.children {
        flatten(child, 0, &mut flat);
    }
    for (depth, n) in flat {
        let m = &n.measures;
        let mut row = vec![
            format!("{}{}", "  ".repeat(depth), n.name),
            n.code.clone(),
            // The station as it stood on the date, not today's status.
            n.on_date.shown(lang).to_string(),
        ];
        for l in &shown {
            row.push(if m.units(*l) > 0 {
                format!("{}/{}", m.covered(*l), m.units(*l))
            } else {
                "—".into()
            });
        }
        row.extend([
            m.allocated().yuan(),
            m.spent().yuan(),
            m.evaluations().to_string(),
            m.trainings().to_string(),
        ]);
        rows.push(row);
    }
    let mut right = vec![false, false, false];
    right.extend(shown.iter().map(|_| true));
    right.extend([true, true, true, true]);
    text::table(&header, &rows, &right)
}

#[cfg(test)]
mod tests {
    //! The three formats of a hand-made report, whole: the store and its sums are the backend
    //! suite's; here each line and cell must show the figure it names.
    use super::*;
    use crate::rollup::at;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn unit_node(code: &str, name: &str, level: Level, measures: Measures) -> ReportNode {
        ReportNode {
            code: code.into(),
            name: name.into(),
            level,
            station: StationStatus::None,
            opened_on: None,
            closed_on: None,
            covered: false,
            on_date: StationOnDate::None,
            as_of: date("2024-02-29"),
            measures,
            latest_evaluation: None,
            indicators: Vec::new(),
            children: Vec::new(),
            virtual_root: false,
        }
    }

    fn units(street: (i64, i64), community: (i64, i64)) -> Measures {
        let mut m = Measures::default();
        m.0[at::UNITS + Level::Street.index()] = street.0;
        m.0[at::COVERED + Level::Street.index()] = street.1;
        m.0[at::UNITS + Level::Community.index()] = community.0;
        m.0[at::COVERED + Level::Community.index()] = community.1;
        m
    }

    /// A district with two streets: one with two communities (one covered), one with none.
    fn district() -> ReportNode {
        let mut m = units((2, 1), (2, 1));
        let fund = |kind, category, source| at::fund(kind, category, source);
        // Construction: allocated only; training: spent only; service purchase: nothing.
        m.0[fund(
            BudgetKind::Allocation,
            Some(Category::Construction),
            Some(Source::Fiscal),
        )] = 1_000_000;
        m.0[fund(
            BudgetKind::Expenditure,
            Some(Category::Training),
            Some(Source::WelfareLottery),
        )] = 250_050;
        m.0[fund(BudgetKind::Allocation, None, None)] = 20_000;
        m.0[at::EVAL_COUNT] = 3;
        m.0[at::EVAL_KIND + EvalKind::Midterm.index()] = 1;
        m.0[at::EVAL_KIND + EvalKind::Final.index()] = 2;
        m.0[at::EVALUATED] = 2;
        m.0[at::COVERED_EVALUATED] = 1;
        m.0[at::TRAIN_COUNT] = 2;
        m.0[at::TRAIN_KIND + TrainingKind::Class.index()] = 2;
        m.0[at::TRAIN_HOURS] = 35;
        m.0[at::TRAIN_HOURS_GIVEN] = 1;
        m.0[at::TRAIN_ATTENDEES] = 40;
        m.0[at::TRAIN_ATTENDEES_GIVEN] = 2;
        let mut root = unit_node("D1", "西山区", Level::District, m);
        root.station = StationStatus::Operating;
        root.opened_on = PartialDate::parse("2020-03").ok();
        root.on_date = StationOnDate::Covered;
        root.covered = true;

        let mut a = unit_node("S1", "甲街道", Level::Street, units((1, 1), (2, 1)));
        a.on_date = StationOnDate::Covered;
        a.measures.0[fund(
            BudgetKind::Allocation,
            Some(Category::Construction),
            Some(Source::Fiscal),
        )] = 1_000_000;
        let mut c1 = unit_node("C1", "一社区", Level::Community, units((0, 0), (1, 1)));
        c1.on_date = StationOnDate::Covered;
        let c2 = unit_node("C2", "二社区", Level::Community, units((0, 0), (1, 0)));
        a.children = vec![c1, c2];
        let mut b = unit_node("S2", "乙街道", Level::Street, units((1, 0), (0, 0)));
        b.station = StationStatus::Closed;
        b.opened_on = PartialDate::parse("2021").ok();
        b.closed_on = PartialDate::parse("2023-12-31").ok();
        b.on_date = StationOnDate::Closed;
        root.children = vec![a, b];
        root
    }

    #[test]
    fn the_table_shows_each_figure_on_its_line() {
        let table = to_table(&district(), Lang::En);
        assert_eq!(
            table,
            [
                "西山区（D1） · district · as of 2024-02-29",
                "Own station on 2024-02-29: covered (stored: operating, opened 2020-03)",
                "Coverage (covered/units): street 1/2  community 1/2",
                "Funding: allocated ¥10,200.00  spent ¥2,500.50  spent/allocated 24.51%",
                "                       allocated ¥   spent ¥",
                "─────────────────────  ───────────  ────────",
                "  construction           10,000.00      0.00",
                "  training                    0.00  2,500.50",
                "  category not stated       200.00      0.00",
                "  fiscal                 10,000.00      0.00",
                "  welfare_lottery             0.00  2,500.50",
                "  source not stated         200.00      0.00",
                "Evaluations: 3 (midterm 1, final 2)  stations evaluated 2  operating stations without one 1",
                "Trainings: 2 (class 2)  hours 3.5 (given by 1)  attendees 40 (given by 2)",
                "",
                "name      code  station  street covered  community covered  allocated ¥  spent ¥  evals  trainings",
                "────────  ────  ───────  ──────────────  ─────────────────  ───────────  ───────  ─────  ─────────",
                "甲街道    S1    covered             1/1                1/2    10,000.00     0.00      0          0",
                "  一社区  C1    covered               —                1/1         0.00     0.00      0          0",
                "  二社区  C2    none                  —                0/1         0.00     0.00      0          0",
                "乙街道    S2    closed              0/1                  —         0.00     0.00      0          0",
            ]
            .join("\n")
        );
    }

    #[test]
    fn a_unit_without_units_below_shows_its_levels_empty() {
        let mut street = district().children.remove(1);
        street.measures.0[at::TRAIN_COUNT] = 1;
        street.measures.0[at::TRAIN_KIND + TrainingKind::Meeting.index()] = 1;
        let table = to_table(&street, Lang::En);
        assert_eq!(
            table,
            [
                "乙街道（S2） · street · as of 2024-02-29",
                "Own station on 2024-02-29: closed (stored: closed, opened 2021, closed 2023-12-31)",
                "Coverage (covered/units): community 0/0",
                "Funding: allocated ¥0.00  spent ¥0.00  spent/allocated —",
                "Evaluations: 0  stations evaluated 0  operating stations without one 0",
                "Trainings: 1 (meeting 1)  hours not stated  attendees not stated",
            ]
            .join("\n")
        );
    }

    #[test]
    fn the_sum_of_several_roots_has_no_station_line() {
        let mut all = district();
        all.code = String::new();
        all.name = "全部 / all".into();
        all.virtual_root = true;
        all.children.clear();
        let table = to_table(&all, Lang::Zh);
        assert_eq!(
            table,
            [
                "全部 / all · 区 · 截至 2024-02-29",
                "覆盖（有运营站点/单位数）：街道 1/2  社区 1/2",
                "资金：拨付 10,200.00 元  支出 2,500.50 元  执行率 24.51%",
                "              拨付（元）  支出（元）",
                "────────────  ──────────  ──────────",
                "  建设         10,000.00        0.00",
                "  培训              0.00    2,500.50",
                "  未注明科目      200.00        0.00",
                "  财政         10,000.00        0.00",
                "  福彩公益金        0.00    2,500.50",
                "  未注明来源      200.00        0.00",
                "评估：3 次（中期 1，终期 2）  已评估站点 2  未评估的运营站点 1",
                "培训：2 次（培训班 2）  课时 3.5（1 次给出）  参训 40 人次（2 次给出）",
            ]
            .join("\n")
        );
    }

    /// A province whose district lies directly below it (no city): the children's table shows
    /// the first two levels that have units, not the empty city level.
    #[test]
    fn the_childrens_table_skips_levels_without_units() {
        let mut district = district();
        district.children.clear();
        district.measures.0[at::UNITS + Level::District.index()] = 1;
        let mut province = unit_node("P1", "某省", Level::Province, district.measures.clone());
        province.children = vec![district];
        let table = to_table(&province, Lang::En);
        let children: Vec<&str> = table.lines().skip_while(|l| !l.is_empty()).collect();
        assert_eq!(
            children,
            [
                "",
                "name    code  station  district covered  street covered  allocated ¥   spent ¥  evals  trainings",
                "──────  ────  ───────  ────────────────  ──────────────  ───────────  ────────  ─────  ─────────",
                "西山区  D1    covered               0/1             1/2    10,200.00  2,500.50      3          2",
            ]
        );
    }

    #[test]
    fn the_csv_has_a_row_per_unit_at_its_depth() {
        let csv = to_csv(&district());
        assert_eq!(
            csv,
            [
            "code,name,level,depth,as_of,station,covered,street_units,street_covered,community_units,community_covered,allocated_fen,spent_fen,allocated_yuan,spent_yuan,evaluations,trainings,training_hours,attendees,station_on_date,hours_given,attendees_given",
            "D1,西山区,district,0,2024-02-29,operating,true,2,1,2,1,1020000,250050,10200.00,2500.50,3,2,3.5,40,covered,1,2",
            "S1,甲街道,street,1,2024-02-29,none,false,1,1,2,1,1000000,0,10000.00,0.00,0,0,,,covered,0,0",
            "C1,一社区,community,2,2024-02-29,none,false,0,0,1,1,0,0,0.00,0.00,0,0,,,covered,0,0",
            "C2,二社区,community,2,2024-02-29,none,false,0,0,1,0,0,0,0.00,0.00,0,0,,,none,0,0",
            "S2,乙街道,street,1,2024-02-29,closed,false,1,0,0,0,0,0,0.00,0.00,0,0,,,closed,0,0",
            "",
        ]
        .join("\n")
        );
    }
}
