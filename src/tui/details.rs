//! The details pane of the selected unit, in tabs: overview (station fields and the subtree's
//! figures), its evaluations, trainings and budget entries (newest first, optionally with the
//! whole subtree), and the two charts. Holds what the current tab shows, read from the store
//! when the unit, tab or date changes, and draws the first four tabs (`charts` draws the rest),
//! with the selected evaluation's points per indicator under the evaluations table.

use super::fmt;
use super::strings::{fill, tr, S};
use super::table::{self, Column};
use crate::coverage_series::{coverage_series, CoveragePoint};
use crate::domain::*;
use crate::domain::{RecordId, RecordKind};
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::rollup::Measures;
use crate::store::Result;
use chrono::NaiveDate;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Overview,
    Evaluations,
    Trainings,
    Budget,
    Coverage,
    Funding,
    /// The per-indicator view of the subtree (issue 15; `indicator_view` draws it).
    Indicators,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Overview,
        Tab::Evaluations,
        Tab::Trainings,
        Tab::Budget,
        Tab::Coverage,
        Tab::Funding,
        Tab::Indicators,
    ];

    /// The kind of record the tab lists; `None` for the tabs of figures.
    pub fn record_kind(self) -> Option<RecordKind> {
        match self {
            Tab::Evaluations => Some(RecordKind::Evaluation),
            Tab::Trainings => Some(RecordKind::Training),
            Tab::Budget => Some(RecordKind::Budget),
            Tab::Overview | Tab::Coverage | Tab::Funding | Tab::Indicators => None,
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }

    pub fn title(self, lang: Lang) -> &'static str {
        tr(
            lang,
            match self {
                Tab::Overview => S::TabOverview,
                Tab::Evaluations => S::TabEvaluations,
                Tab::Trainings => S::TabTrainings,
                Tab::Budget => S::TabBudget,
                Tab::Coverage => S::TabCoverage,
                Tab::Funding => S::TabFunding,
                Tab::Indicators => S::TabIndicators,
            },
        )
    }

    pub fn short(self, lang: Lang) -> &'static str {
        tr(
            lang,
            match self {
                Tab::Overview => S::TabOverviewShort,
                Tab::Evaluations => S::TabEvaluationsShort,
                Tab::Trainings => S::TabTrainingsShort,
                Tab::Budget => S::TabBudgetShort,
                Tab::Coverage => S::TabCoverageShort,
                Tab::Funding => S::TabFundingShort,
                Tab::Indicators => S::TabIndicatorsShort,
            },
        )
    }

    /// Tabs that list records (and so have a selection and the subtree toggle).
    pub fn is_records(self) -> bool {
        matches!(self, Tab::Evaluations | Tab::Trainings | Tab::Budget)
    }
}

pub enum Content {
    Overview {
        unit: Box<Unit>,
        parent: Option<String>,
        measures: Box<Measures>,
    },
    Evaluations(Vec<(RecordId, Evaluation)>),
    Trainings(Vec<(RecordId, Training)>),
    Budget(Vec<(RecordId, BudgetEntry)>),
    Coverage(Vec<CoveragePoint>),
    Funding {
        measures: Box<Measures>,
        /// (name, allocated, spent) of each child.
        children: Vec<(String, Fen, Fen)>,
        /// (name, allocated, spent) of the unit's own entries (its subtree less its children's),
        /// when it has any: the by-unit list must add up to the total.
        own: Option<(String, Fen, Fen)>,
    },
    /// The per-indicator rollup of the subtree, one per scheme (`crate::indicators`), and
    /// whether any scheme is stored at all (to say which of the two is missing).
    Indicators {
        rollups: Vec<crate::indicators::SchemeRollup>,
        schemes: bool,
    },
}

pub struct Loaded {
    pub code: String,
    pub tab: Tab,
    pub subtree: bool,
    pub as_of: NaiveDate,
    pub content: Content,
    /// Names of the units the records name.
    pub names: HashMap<String, String>,
    /// The list was cut at `RECORD_LIMIT`.
    pub cut: bool,
    /// Whether the list holds the records of the units below (asked for, and not too many).
    pub listed_subtree: bool,
    /// The units of a subtree too large to list (the unit's own records are listed).
    pub too_many: Option<i64>,
    /// Budget entries in a reversal (by key text): `Some(#N)` for one reversed by journal
    /// entry N, `None` for a reversing entry itself. Empty on other tabs.
    pub reversals: HashMap<String, Option<u64>>,
    /// The schemes stored, on the evaluations tab when a record listed gives points (their
    /// groups lay out the selected evaluation's points, `points_detail`). Empty otherwise.
    pub schemes: Vec<Scheme>,
}

/// At most this many records are listed per tab.
pub const RECORD_LIMIT: usize = 500;
/// Records of the units below are listed for subtrees of at most this many units.
pub const SUBTREE_LIMIT: i64 = 5_000;
/// Points of the coverage chart.
pub const CHART_POINTS: usize = 120;

#[derive(Default)]
pub struct Details {
    pub tab: Tab,
    pub subtree: bool,
    /// The selected record, or the first overview line shown.
    pub selected: usize,
    pub offset: usize,
    pub loaded: Option<Loaded>,
}

fn names_of(store: &Registry, codes: impl Iterator<Item = String>) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for code in codes {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(code) {
            let name = store
                .unit(slot.key())?
                .map(|u| u.name)
                .unwrap_or_else(|| slot.key().clone());
            slot.insert(name);
        }
    }
    Ok(names)
}

impl Details {
    pub fn invalidate(&mut self) {
        self.loaded = None;
    }

    /// Reads what the tab shows for `code` as of `as_of`, unless it is already read.
    pub fn load(&mut self, store: &Registry, code: &str, as_of: NaiveDate) -> Result<()> {
        let subtree = self.subtree;
        let tab = self.tab;
        if let Some(l) = &self.loaded {
            let date_matters = !tab.is_records();
            if l.code == code && l.tab == tab && l.subtree == subtree && (!date_matters || l.as_of == as_of) {
                return Ok(());
            }
            if l.code != code || l.tab != tab {
                self.selected = 0;
                self.offset = 0;
            }
        }
        let mut names = HashMap::new();
        let mut cut = false;
        let mut reversals = HashMap::new();
        let mut schemes = Vec::new();
        // Listing the records of a very large subtree reads every unit's pages: refused, and
        // said, above `SUBTREE_LIMIT` units.
        let mut too_many = None;
        let mut subtree = subtree;
        if subtree && tab.is_records() {
            let m = store.subtree_measures(code, as_of)?;
            let units: i64 = Level::ALL.iter().map(|l| m.units(*l)).sum();
            if units > SUBTREE_LIMIT {
                too_many = Some(units);
                subtree = false;
            }
        }
        let content = match tab {
            Tab::Overview => {
                let unit = store
                    .unit(code)?
                    .ok_or_else(|| crate::store::StoreError::UnknownUnit(code.to_string()))?;
                let parent = match &unit.parent {
                    Some(p) => store.unit(p)?.map(|u| u.name),
                    None => None,
                };
                Content::Overview {
                    measures: Box::new(store.subtree_measures(code, as_of)?),
                    unit: Box::new(unit),
                    parent,
                }
            }
            Tab::Evaluations => {
                let list = store.records_of::<Evaluation>(code, subtree, RECORD_LIMIT)?;
                cut = list.len() >= RECORD_LIMIT;
                names = names_of(store, list.iter().map(|(_, r)| r.unit.clone()))?;
                if list.iter().any(|(_, e)| e.points.is_some()) {
                    schemes = store.schemes()?;
                }
                Content::Evaluations(list)
            }
            Tab::Trainings => {
                let list = store.records_of::<Training>(code, subtree, RECORD_LIMIT)?;
                cut = list.len() >= RECORD_LIMIT;
                names = names_of(store, list.iter().map(|(_, r)| r.host.clone()))?;
                Content::Trainings(list)
            }
            Tab::Budget => {
                let list = store.records_of::<BudgetEntry>(code, subtree, RECORD_LIMIT)?;
                cut = list.len() >= RECORD_LIMIT;
                names = names_of(store, list.iter().map(|(_, r)| r.unit.clone()))?;
                for r in store.reversals()? {
                    reversals.insert(r.of, Some(r.number));
                    reversals.insert(r.by, None);
                }
                Content::Budget(list)
            }
            Tab::Coverage => Content::Coverage(coverage_series(store, code, as_of, CHART_POINTS)?),
            Tab::Indicators => {
                // Points need a scheme: with none stored there is nothing to read, and reading
                // every evaluation of a national root's subtree to find that out took seconds.
                let schemes = !store.schemes()?.is_empty();
                let rollups = if schemes {
                    crate::indicators::of_subtree(store, code, crate::domain::date::day_of(as_of))?
                } else {
                    Vec::new()
                };
                Content::Indicators { rollups, schemes }
            }
            Tab::Funding => {
                // One read of the subtree and its children (one pass over the records on the
                // server, where the two separately cost two).
                let (total, kids) = store.measures_with_children(code, as_of)?;
                let mut own = total.clone();
                let mut children = Vec::new();
                for (child, m) in kids {
                    own.sub(&m)?;
                    children.push((child.name, m.allocated(), m.spent()));
                }
                let own = if own.allocated().0 != 0 || own.spent().0 != 0 {
                    let name = store.unit(code)?.map(|u| u.name).unwrap_or_else(|| code.to_string());
                    Some((name, own.allocated(), own.spent()))
                } else {
                    None
                };
                Content::Funding {
                    measures: Box::new(total),
                    children,
                    own,
                }
            }
        };
        self.loaded = Some(Loaded {
            code: code.to_string(),
            tab,
            subtree: self.subtree,
            listed_subtree: subtree,
            too_many,
            as_of,
            content,
            names,
            cut,
            reversals,
            schemes,
        });
        let n = self.len();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
        Ok(())
    }

    /// How many records the tab lists.
    pub fn len(&self) -> usize {
        match self.loaded.as_ref().map(|l| &l.content) {
            Some(Content::Evaluations(v)) => v.len(),
            Some(Content::Trainings(v)) => v.len(),
            Some(Content::Budget(v)) => v.len(),
            Some(Content::Indicators { rollups, .. }) => lowest_stations(rollups).len(),
            _ => 0,
        }
    }

    /// The code of the lowest station chosen on the per-indicator tab.
    pub fn chosen_station(&self) -> Option<String> {
        match self.loaded.as_ref().map(|l| &l.content) {
            Some(Content::Indicators { rollups, .. }) => {
                lowest_stations(rollups).get(self.selected).map(|s| s.code.clone())
            }
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.tab.is_records() {
            self.selected = super::scroll::moved(self.selected, delta, self.len());
        } else {
            // Other tabs scroll.
            self.offset = super::scroll::scrolled(self.offset, delta);
        }
    }

    /// ↑↓ in the details pane: the selected record, or on the per-indicator tab the chosen
    /// lowest station (J/K scroll that tab, `move_by`).
    pub fn choose_by(&mut self, delta: isize) {
        if self.tab == Tab::Indicators {
            self.selected = super::scroll::moved(self.selected, delta, self.len());
        } else {
            self.move_by(delta);
        }
    }

    /// Keeps the selected record in view; keeps the overview's scroll within its `lines`.
    pub fn scroll_into_view(&mut self, height: usize, lines: usize) {
        let height = height.max(1);
        if !self.tab.is_records() {
            self.offset = self.offset.min(super::scroll::last_offset(lines, height));
            return;
        }
        self.offset = super::scroll::offset_showing(self.selected, self.offset, height);
    }
}

/// The lowest stations of every group of every scheme, in the order the per-indicator tab
/// lists them: what ↑↓ choose among there.
pub fn lowest_stations(rollups: &[crate::indicators::SchemeRollup]) -> Vec<&crate::indicators::StationShare> {
    rollups
        .iter()
        .flat_map(|r| r.groups.iter().flat_map(|g| g.lowest.iter()))
        .collect()
}

// ---- drawing ----

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

fn heading(text: String) -> Line<'static> {
    // Stored text: control characters shown escaped (`\x1b`), not sent to the terminal.
    let text = crate::text::for_terminal(&text).into_owned();
    Line::from(Span::styled(text, Style::default().add_modifier(Modifier::BOLD)))
}

/// A `label  value` line, the label padded to `label_w` cells.
fn field_line(label: &str, value: String, label_w: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled(fmt::left(label, label_w), dim()),
        Span::raw(" "),
        Span::raw(crate::text::for_terminal(&value).into_owned()),
    ])
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

/// The overview tab's lines, `width` cells wide.
pub fn overview_lines(
    unit: &Unit,
    parent: Option<&str>,
    m: &Measures,
    as_of: NaiveDate,
    lang: Lang,
    width: usize,
) -> Vec<Line<'static>> {
    let t = |s| tr(lang, s);
    let labels = [
        S::FieldCode,
        S::FieldLevel,
        S::FieldParent,
        S::FieldStationStatus,
        S::FieldOperator,
        S::FieldStaff,
        S::FieldAddress,
        S::FieldContact,
        S::FieldNote,
        S::Coverage,
        S::Allocated,
        S::Spent,
        S::TabEvaluations,
        S::TabTrainings,
    ];
    let lw = labels.iter().map(|s| crate::text::width(t(*s))).max().unwrap_or(8);
    let vw = width.saturating_sub(lw + 1).max(8);
    let mut lines = vec![heading(unit.name.clone())];
    lines.push(field_line(t(S::FieldCode), unit.code.clone(), lw));
    lines.push(field_line(t(S::FieldLevel), unit.level.label(lang).into(), lw));
    lines.push(field_line(t(S::FieldParent), or_dash(parent.unwrap_or("")), lw));
    let mut station = unit.station.label(lang).to_string();
    if let Some(o) = unit.opened_on {
        station.push_str(&fill(t(S::OpenedOn), &[&o.to_string()]));
    }
    if let Some(c) = unit.closed_on {
        station.push_str(&fill(t(S::ClosedOn), &[&c.to_string()]));
    }
    // The stored status is today's; what counted on the as-of date is said beside it. A
    // station with no dates (none, planned, building) is the same on every date: said once.
    if unit.station.has_opened() && unit.opened_on.is_some() {
        station.push_str(&fill(
            t(S::StationOnDateValue),
            &[&fmt::date(as_of), unit.station_on(as_of).shown(lang)],
        ));
    }
    lines.push(field_line(t(S::FieldStationStatus), station, lw));
    lines.push(field_line(t(S::FieldOperator), or_dash(&unit.operator), lw));
    let people = |n: Option<u32>| match n {
        Some(n) => fill(t(S::PeopleCount), &[&n.to_string()]),
        None => t(S::NotStated).to_string(),
    };
    lines.push(field_line(
        t(S::FieldStaff),
        fill(
            t(S::StaffPair),
            &[&people(unit.social_workers), &people(unit.certified_workers)],
        ),
        lw,
    ));
    if !unit.address.is_empty() {
        lines.push(field_line(t(S::FieldAddress), unit.address.clone(), lw));
    }
    if !(unit.contact.is_empty() && unit.phone.is_empty()) {
        lines.push(field_line(
            t(S::FieldContact),
            format!("{} {}", unit.contact, unit.phone).trim().to_string(),
            lw,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(heading(fill(t(S::FiguresAsOf), &[&fmt::date(as_of)])));
    // Coverage of each level below.
    let below: Vec<Level> = Level::ALL.iter().copied().filter(|l| *l > unit.level).collect();
    let mut cov = Vec::new();
    for l in &below {
        if m.units(*l) > 0 {
            cov.push(format!("{} {}/{}", l.label(lang), m.covered(*l), m.units(*l)));
        }
    }
    if cov.is_empty() {
        cov.push("—".into());
    }
    lines.push(field_line(t(S::Coverage), cov.join("  "), lw));
    lines.push(field_line(t(S::Allocated), fmt::money_long(m.allocated(), lang), lw));
    lines.push(field_line(
        t(S::Spent),
        if m.allocated().0 > 0 {
            format!(
                "{}  {}",
                fmt::money_long(m.spent(), lang),
                fill(t(S::RateValue), &[&fmt::rate(m.spent(), m.allocated())])
            )
        } else {
            fmt::money_long(m.spent(), lang)
        },
        lw,
    ));
    // By category and by source, only what is not zero.
    let cats: Vec<(String, Fen, Fen)> = Category::ALL
        .iter()
        .map(|c| (c.label(lang).to_string(), m.by_category(Some(*c))))
        .chain(std::iter::once((t(S::NotStated).to_string(), m.by_category(None))))
        .map(|(n, (a, s))| (n, a, s))
        .filter(|(_, a, s)| a.0 != 0 || s.0 != 0)
        .collect();
    let srcs: Vec<(String, Fen, Fen)> = Source::ALL
        .iter()
        .map(|c| (c.label(lang).to_string(), m.by_source(Some(*c))))
        .chain(std::iter::once((t(S::NotStated).to_string(), m.by_source(None))))
        .map(|(n, (a, s))| (n, a, s))
        .filter(|(_, a, s)| a.0 != 0 || s.0 != 0)
        .collect();
    for (title, list) in [(S::ByCategoryPair, &cats), (S::BySourcePair, &srcs)] {
        if list.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(format!("  {}", t(title)), dim())));
        let nw = list.iter().map(|(n, _, _)| crate::text::width(n)).max().unwrap_or(4);
        let pairs: Vec<(String, String, String)> = list
            .iter()
            .map(|(name, a, s)| {
                (
                    fmt::left(name, nw),
                    fmt::money_short(*a, lang),
                    fmt::money_short(*s, lang),
                )
            })
            .collect();
        // A pair too wide for the pane goes on two lines, the spent amount under the
        // allocated one, rather than wrapped inside an amount ("1,029.02" and "亿" apart);
        // every pair of the list then does, so that they read as one table.
        let one_line = |(name, a, s): &(String, String, String)| format!("    {name}  {a} / {s}");
        let fits = pairs.iter().all(|p| crate::text::width(&one_line(p)) <= width);
        for pair in &pairs {
            if fits {
                lines.push(Line::raw(one_line(pair)));
            } else {
                let (name, a, s) = pair;
                lines.push(Line::raw(format!("    {name}  {a}")));
                lines.push(Line::raw(format!("    {}  / {s}", " ".repeat(nw))));
            }
        }
    }
    // Evaluations.
    let mut ev = vec![fill(t(S::CountValue), &[&m.evaluations().to_string()])];
    for k in EvalKind::ALL {
        let n = m.evaluations_of_kind(*k);
        if n > 0 {
            ev.push(format!("{} {n}", k.label(lang)));
        }
    }
    lines.push(field_line(t(S::TabEvaluations), ev.join("  "), lw));
    let mut grades = Vec::new();
    for g in Grade::ALL {
        let n = m.evaluations_of_grade(Some(*g));
        if n > 0 {
            grades.push(format!("{} {n}", g.label(lang)));
        }
    }
    let ungraded = m.evaluations_of_grade(None);
    if ungraded > 0 {
        grades.push(format!("{} {ungraded}", t(S::NoGrade)));
    }
    if !grades.is_empty() {
        lines.push(field_line("", grades.join("  "), lw));
    }
    lines.push(field_line(
        "",
        fill(t(S::WithoutEvaluation), &[&m.stations_without_evaluation().to_string()]),
        lw,
    ));
    // Trainings.
    let mut tr_ = vec![fill(t(S::CountValue), &[&m.trainings().to_string()])];
    for k in TrainingKind::ALL {
        let n = m.trainings_of_kind(*k);
        if n > 0 {
            tr_.push(format!("{} {n}", k.label(lang)));
        }
    }
    lines.push(field_line(t(S::TabTrainings), tr_.join("  "), lw));
    let mut modes = Vec::new();
    for md in TrainingMode::ALL {
        let n = m.trainings_of_mode(Some(*md));
        if n > 0 {
            modes.push(format!("{} {n}", md.label(lang)));
        }
    }
    let no_mode = m.trainings_of_mode(None);
    if no_mode > 0 {
        modes.push(format!("{} {no_mode}", t(S::NotStated)));
    }
    // A sum over trainings that state nothing is "not stated", never 0; a sum over some says
    // how many it covers.
    if m.trainings() > 0 {
        modes.push(match m.stated_hours_tenths() {
            Some(h) => fill(
                t(S::HoursGiven),
                &[&fmt::tenths(h), &m.trainings_with_hours().to_string()],
            ),
            None => t(S::HoursNotStated).to_string(),
        });
        modes.push(match m.stated_attendees() {
            Some(a) => fill(
                t(S::AttendeesGiven),
                &[&a.to_string(), &m.trainings_with_attendees().to_string()],
            ),
            None => t(S::AttendeesNotStated).to_string(),
        });
    }
    if !modes.is_empty() {
        lines.push(field_line("", modes.join("  "), lw));
    }
    // The note last: Xishan's notes are long.
    if !unit.note.is_empty() {
        lines.push(Line::raw(""));
        for (i, part) in fmt::wrap(&unit.note, vw).into_iter().enumerate() {
            let label = if i == 0 { t(S::FieldNote) } else { "" };
            lines.push(Line::from(vec![
                Span::styled(fmt::left(label, lw), dim()),
                Span::raw(" "),
                Span::styled(part, dim()),
            ]));
        }
    }
    // Long lines wrap under the value column.
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let style = line.spans.last().map(|s| s.style).unwrap_or_default();
        // A `label  value` line wraps its value within the value column, so that the indented
        // continuation lines fit too.
        let is_field = line.spans.len() >= 3 && crate::text::width(&line.spans[0].content) == lw;
        if is_field {
            let value: String = line.spans[2..].iter().map(|s| s.content.as_ref()).collect();
            for (i, part) in fmt::wrap(&value, vw).into_iter().enumerate() {
                let label = if i == 0 {
                    line.spans[0].content.to_string()
                } else {
                    " ".repeat(lw)
                };
                out.push(Line::from(vec![
                    Span::styled(label, dim()),
                    Span::raw(" "),
                    Span::styled(part, style),
                ]));
            }
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        for (i, part) in fmt::wrap(&text, width).into_iter().enumerate() {
            let part = if i == 0 {
                part
            } else {
                format!("{}{}", " ".repeat(lw + 1), part.trim_start())
            };
            out.push(Line::from(Span::styled(part, style)));
        }
    }
    out
}

/// An evaluation's note, after its points per indicator when it gives any (issue 15):
/// `示例方案 分项：P1 8 · P2 12.5  note`.
pub fn with_points(e: &Evaluation, lang: Lang) -> String {
    let Some(points) = e.points.as_ref().filter(|p| !p.given.is_empty()) else {
        return e.note.clone();
    };
    let list: Vec<String> = points
        .given
        .iter()
        .map(|(code, p)| format!("{code} {}", fmt::tenths(i64::from(*p))))
        .collect();
    let text = crate::words::say(
        lang,
        crate::words::K::PointsInNote,
        &[&points.scheme, &list.join(" · ")],
    );
    if e.note.is_empty() {
        text
    } else {
        format!("{text}  {}", e.note)
    }
}

/// The selected evaluation's points per indicator, grouped as its scheme groups them (issue
/// 15): drawn under the evaluations table, whose last column cuts them off. A line naming the
/// evaluation, then a line per group (continued under the group's name when `width` is too
/// narrow): its points of its maximum, then each indicator's code and points (`—`: not given).
/// Points of codes the scheme does not have (or of a scheme not stored) come last, as "other".
/// Empty when the selected record gives no points.
pub fn points_detail(loaded: &Loaded, selected: usize, lang: Lang, width: usize) -> Vec<Line<'static>> {
    use crate::words::{say, K};
    let Content::Evaluations(list) = &loaded.content else {
        return Vec::new();
    };
    let Some(e) = list.get(selected).map(|(_, e)| e) else {
        return Vec::new();
    };
    let Some(points) = e.points.as_ref().filter(|p| !p.given.is_empty()) else {
        return Vec::new();
    };
    let unit = loaded.names.get(&e.unit).cloned().unwrap_or_else(|| e.unit.clone());
    let score = e.score.map(|s| fmt::tenths(i64::from(s))).unwrap_or_else(|| "—".into());
    let head = say(lang, K::PointsDetailHead, &[&e.date, &unit, &points.scheme, &score]);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut out: Vec<Line<'static>> = fmt::wrap(&head, width)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, bold)))
        .collect();
    // (label, items): a group's label carries its points of its maximum.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let scheme = loaded.schemes.iter().find(|s| s.name == points.scheme);
    if let Some(scheme) = scheme {
        for g in scheme.groups() {
            let (mut got, mut max) = (0i64, 0i64);
            let mut items = Vec::new();
            for i in scheme.indicators.iter().filter(|i| i.group == g) {
                max += i64::from(i.max_points);
                let p = points.of(&i.code);
                got += p.map_or(0, i64::from);
                let shown = p.map_or_else(|| "—".to_string(), |p| fmt::tenths(i64::from(p)));
                items.push(format!("{} {shown}", i.code));
            }
            groups.push((format!("{g} {}/{}", fmt::tenths(got), fmt::tenths(max)), items));
        }
    }
    let other: Vec<String> = points
        .given
        .iter()
        .filter(|(c, _)| !scheme.is_some_and(|s| s.indicators.iter().any(|i| i.code == *c)))
        .map(|(c, p)| format!("{c} {}", fmt::tenths(i64::from(*p))))
        .collect();
    if !other.is_empty() {
        groups.push((crate::words::tr(lang, K::PointsOtherGroup).to_string(), other));
    }
    let lw = groups
        .iter()
        .map(|(l, _)| crate::text::width(l))
        .max()
        .unwrap_or(0)
        .min(width / 3);
    for (label, items) in groups {
        let mut line = format!("{} ", fmt::left(&fmt::cut(&label, lw), lw));
        let mut first = true;
        for item in items {
            let used = crate::text::width(&line);
            let w = crate::text::width(&item);
            if !first && used + 2 + w > width {
                out.push(Line::raw(line));
                line = " ".repeat(lw + 1);
                first = true;
            }
            if !first {
                line.push_str("  ");
            }
            line.push_str(&item);
            first = false;
        }
        out.push(Line::raw(fmt::cut(&line, width)));
    }
    out
}

/// The points detail fitted to a table pane of `body` rows (its column titles and count line
/// included) listing `rows` records: the lines to draw under a separator, at most as many as
/// leave the table three rows (or all of its fewer); the last says "z shows all" when cut.
/// Empty when it does not fit at all.
pub fn points_detail_fitted(
    loaded: &Loaded,
    selected: usize,
    lang: Lang,
    width: usize,
    body: usize,
    rows: usize,
) -> Vec<Line<'static>> {
    let mut lines = points_detail(loaded, selected, lang, width);
    if lines.is_empty() {
        return lines;
    }
    // Column titles, count line, the separator, and the table's rows kept.
    let room = body.saturating_sub(3 + rows.clamp(1, 3));
    if room < 2 {
        return Vec::new();
    }
    if lines.len() > room {
        lines.truncate(room - 1);
        let more = crate::words::tr(lang, crate::words::K::PointsDetailCut);
        lines.push(Line::from(Span::styled(fmt::cut(more, width), dim())));
    }
    lines
}

/// The rows a records table of a pane `body` rows tall lists at once, and the points detail
/// drawn under it (a separator above it when there is one).
pub fn table_room(
    loaded: &Loaded,
    selected: usize,
    lang: Lang,
    width: usize,
    body: usize,
) -> (usize, Vec<Line<'static>>) {
    let rows = match &loaded.content {
        Content::Evaluations(v) => v.len(),
        _ => 0,
    };
    let detail = points_detail_fitted(loaded, selected, lang, width, body, rows);
    let taken = if detail.is_empty() { 0 } else { detail.len() + 1 };
    // The column titles and the count line.
    (body.saturating_sub(2 + taken), detail)
}

/// Before the amount of a budget entry reversed or reversing, where the voucher column (which
/// says "reversed by #n" in words) is left out for width.
pub const REVERSAL_MARK: &str = "↺";

/// The records tab as (header, rows with a flag for those dated after `as_of`, whether a
/// cell shown reads `—`, not stated), laid out `width` cells wide.
pub fn record_lines(
    loaded: &Loaded,
    as_of: NaiveDate,
    lang: Lang,
    width: usize,
) -> (String, Vec<(String, bool)>, bool) {
    let t = |s| tr(lang, s);
    let name = |code: &str| loaded.names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let after = |d: &PartialDate| d.end() > as_of;
    // Budget rows reversed or reversing: marked before the amount when the voucher column,
    // which says so in words, is left out for width.
    let mut marked: Vec<bool> = Vec::new();
    let (cols, rows, late): (Vec<Column>, Vec<Vec<String>>, Vec<bool>) = match &loaded.content {
        Content::Evaluations(list) => (
            vec![
                Column::new(t(S::ColDate), 10, 0),
                Column::new(t(S::ColUnit), 16, if loaded.listed_subtree { 1 } else { 9 }),
                Column::new(t(S::ColKind), 10, 2),
                Column::new(t(S::ColScore), 5, 3).right(),
                Column::new(t(S::ColGrade), 9, 3),
                Column::new(t(S::ColEvaluator), 16, 5).flex(),
                Column::new(t(S::ColNote), 60, 6).flex(),
            ],
            list.iter()
                .map(|(_, e)| {
                    vec![
                        e.date.to_string(),
                        name(&e.unit),
                        e.kind.label(lang).into(),
                        // "—" as in the other columns: not stated, never a blank that reads as 0.
                        e.score.map(|s| fmt::tenths(s as i64)).unwrap_or_else(|| "—".into()),
                        e.effective_grade().map(|g| g.label(lang)).unwrap_or("—").into(),
                        e.evaluator.clone(),
                        with_points(e, lang),
                    ]
                })
                .collect(),
            list.iter().map(|(_, e)| after(&e.date)).collect(),
        ),
        Content::Trainings(list) => (
            vec![
                Column::new(t(S::ColDate), 10, 0),
                Column::new(t(S::ColHost), 16, if loaded.listed_subtree { 1 } else { 9 }),
                Column::new(t(S::ColKind), 10, 1),
                Column::new(t(S::ColMode), 7, 4),
                Column::new(t(S::ColTopic), 40, 2).flex(),
                Column::new(t(S::ColHours), 5, 5).right(),
                Column::new(t(S::ColAttendees), 6, 5).right(),
            ],
            list.iter()
                .map(|(_, r)| {
                    vec![
                        r.date.to_string(),
                        name(&r.host),
                        r.kind.label(lang).into(),
                        r.mode.map(|m| m.label(lang)).unwrap_or("—").into(),
                        r.topic.clone(),
                        r.hours.map(|h| fmt::tenths(h as i64)).unwrap_or_else(|| "—".into()),
                        r.attendees.map(|a| a.to_string()).unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            list.iter().map(|(_, r)| after(&r.date)).collect(),
        ),
        Content::Budget(list) => (
            vec![
                Column::new(t(S::ColDate), 10, 0),
                Column::new(t(S::ColUnit), 16, if loaded.listed_subtree { 1 } else { 9 }),
                Column::new(t(S::ColKind), 11, 1),
                Column::new(t(S::ColAmount), 16, 0).right(),
                Column::new(t(S::ColCategory), 16, 3),
                Column::new(t(S::ColSource), 15, 4),
                Column::new(t(S::ColVoucher), 24, 5).flex(),
            ],
            list.iter()
                .map(|(key, b)| {
                    // A reversed entry and a reversing one say so before their voucher (with
                    // a separator only when a voucher follows).
                    let mark = match loaded.reversals.get(key.as_str()) {
                        Some(Some(n)) => fill(t(S::ReversedBy), &[&n.to_string()]),
                        Some(None) => t(S::IsReversal).to_string(),
                        None => String::new(),
                    };
                    marked.push(!mark.is_empty());
                    let voucher = match (mark.is_empty(), b.voucher.is_empty()) {
                        (true, _) => b.voucher.clone(),
                        (false, true) => mark,
                        (false, false) => format!("{mark} · {}", b.voucher),
                    };
                    vec![
                        b.date.to_string(),
                        name(&b.unit),
                        b.kind.label(lang).into(),
                        b.amount.yuan(),
                        b.category.map(|c| c.label(lang)).unwrap_or("—").into(),
                        b.source.map(|s| s.label(lang)).unwrap_or("—").into(),
                        voucher,
                    ]
                })
                .collect(),
            list.iter().map(|(_, b)| after(&b.date)).collect(),
        ),
        _ => return (String::new(), Vec::new(), false),
    };
    // The unit column only when the list holds the units below too.
    let (cols, rows) = if loaded.listed_subtree {
        (cols, rows)
    } else {
        let cols = cols
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, c)| c)
            .collect();
        let rows = rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, c)| c)
                    .collect()
            })
            .collect();
        (cols, rows)
    };
    let mut lay = table::layout(&cols, &rows, width);
    let mut rows = rows;
    let voucher = cols.len().saturating_sub(1);
    if marked.contains(&true) && !lay.iter().any(|(i, _)| *i == voucher) {
        let amount = voucher.saturating_sub(3);
        for (row, m) in rows.iter_mut().zip(&marked) {
            if let (true, Some(cell)) = (*m, row.get_mut(amount)) {
                *cell = format!("{REVERSAL_MARK}{cell}");
            }
        }
        lay = table::layout(&cols, &rows, width);
    }
    let header = table::header(&cols, &lay);
    // `—` in a column shown: the table's last line says what it means.
    let dashed = rows
        .iter()
        .any(|r| lay.iter().any(|(i, _)| r.get(*i).is_some_and(|c| c == "—")));
    let lines = rows
        .iter()
        .zip(late)
        .map(|(r, l)| (table::line(r, &cols, &lay), l))
        .collect();
    (header, lines, dashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A category's allocated and spent amounts too wide for the pane go on two lines, each
    /// amount whole with its unit, never wrapped inside it.
    #[test]
    fn category_pairs_too_wide_go_on_two_lines_with_their_amounts_whole() {
        use crate::record::Record;
        let unit = Unit::new("990000000000", None, Level::District, "青龙市");
        let mut m = Measures::default();
        for (kind, amount) in [
            (BudgetKind::Allocation, 10_277_900_000_000),
            (BudgetKind::Expenditure, 10_290_200_000_000),
        ] {
            let entry = BudgetEntry {
                id: None,
                date: PartialDate::parse("2022-06-01").unwrap(),
                unit: unit.code.clone(),
                kind,
                category: Some(Category::Construction),
                source: Some(Source::Fiscal),
                amount: Fen(amount),
                voucher: String::new(),
                note: String::new(),
            };
            m.add(&entry.delta().1).unwrap();
        }
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let text = |width| -> Vec<String> {
            overview_lines(&unit, None, &m, day, Lang::Zh, width)
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
                .collect()
        };
        let wide = text(60);
        assert!(
            wide.iter().any(|l| l == "    建设  1,027.79亿 / 1,029.02亿"),
            "{wide:#?}"
        );
        // 33 cells: one over a 32-cell pane.
        let narrow = text(32);
        let at = narrow
            .iter()
            .position(|l| l == "    建设  1,027.79亿")
            .expect("the allocated amount");
        assert_eq!(narrow[at + 1], "          / 1,029.02亿");
    }

    #[test]
    fn an_evaluation_with_points_lists_them_before_its_note() {
        let mut e = Evaluation {
            id: None,
            unit: "530112001000".into(),
            date: PartialDate::parse("2022-06-01").unwrap(),
            kind: EvalKind::Annual,
            evaluator: String::new(),
            score: Some(205),
            grade: None,
            note: "复评".into(),
            points: None,
        };
        assert_eq!(with_points(&e, Lang::En), "复评");
        e.points = Some(Points {
            scheme: "示例".into(),
            given: vec![("P1".into(), 80), ("P2".into(), 125)],
        });
        assert_eq!(with_points(&e, Lang::Zh), "示例 分项：P1 8 · P2 12.5  复评");
        assert_eq!(with_points(&e, Lang::En), "示例 points: P1 8 · P2 12.5  复评");
    }
}
