//! The hierarchy as a tree: the rows on screen (a flat list of the open part), opening and
//! closing units (children are read from the store only when their parent is opened, then
//! kept), depth, and revealing a unit found elsewhere. Rendering is in `view`.

use crate::domain::{Level, StationOnDate, Unit};
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::rollup::Measures;
use crate::store::Result;
use chrono::NaiveDate;
use ratatui::style::{Color, Style};
use std::collections::{HashMap, HashSet};

/// A row's station cell: its own station as it stood on the as-of date (not today's stored
/// status), so that a street whose station opened later says so on an earlier date.
pub fn station_cell(unit: &Unit, as_of: NaiveDate, lang: Lang) -> (&'static str, Style) {
    let on = unit.station_on(as_of);
    let style = match on {
        StationOnDate::Covered => Style::default().fg(Color::Green),
        StationOnDate::Planned | StationOnDate::Building | StationOnDate::NotYet => Style::default().fg(Color::Yellow),
        StationOnDate::Closed => Style::default().fg(Color::Red),
        StationOnDate::None => Style::default().fg(Color::DarkGray),
    };
    let text = if on == StationOnDate::None {
        "—"
    } else {
        on.shown(lang)
    };
    (text, style)
}

/// The widest station cell, so that the column does not jump as rows scroll by.
pub fn station_cell_width(lang: Lang) -> usize {
    StationOnDate::ALL
        .iter()
        .map(|s| crate::text::width(s.shown(lang)))
        .max()
        .unwrap_or(4)
}

/// A row's coverage cell, (covered, units): of the nearest level below the unit that has
/// units, never a sum across levels (10 streets and 1 community are not "10/11").
pub fn coverage_of(level: Level, m: &Measures) -> (i64, i64) {
    Level::ALL
        .iter()
        .copied()
        .find(|l| *l > level && m.units(*l) > 0)
        .map_or((0, 0), |l| (m.covered(l), m.units(l)))
}

/// One visible row.
#[derive(Clone, Debug)]
pub struct Row {
    pub unit: Unit,
    pub depth: usize,
    pub open: bool,
    /// Whether it has children: asked of the store when the row is first drawn.
    pub kids: Option<bool>,
}

/// Roots are opened at start only while fewer rows than this are shown.
const START_ROWS: usize = 1_000;

#[derive(Default)]
pub struct Tree {
    pub rows: Vec<Row>,
    pub selected: usize,
    /// The first row shown.
    pub offset: usize,
    children: HashMap<String, Vec<Unit>>,
}

impl Tree {
    /// The roots, closed.
    pub fn load(store: &Registry) -> Result<Tree> {
        let rows = store
            .roots()?
            .into_iter()
            .map(|unit| Row {
                unit,
                depth: 0,
                open: false,
                kids: None,
            })
            .collect();
        Ok(Tree {
            rows,
            ..Tree::default()
        })
    }

    /// The first screen: the roots with their children shown (the district and its streets),
    /// opening roots in order while fewer than `START_ROWS` rows are shown.
    pub fn load_open(store: &Registry) -> Result<Tree> {
        let mut tree = Tree::load(store)?;
        let mut i = 0;
        while i < tree.rows.len() && tree.rows.len() < START_ROWS {
            if tree.rows[i].depth == 0 {
                tree.open(store, i)?;
            }
            i += 1;
        }
        Ok(tree)
    }

    pub fn selected(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    pub fn selected_code(&self) -> Option<&str> {
        self.selected().map(|r| r.unit.code.as_str())
    }

    fn children_of(&mut self, store: &Registry, code: &str) -> Result<Vec<Unit>> {
        if let Some(c) = self.children.get(code) {
            return Ok(c.clone());
        }
        let c = store.children(code)?;
        self.children.insert(code.to_string(), c.clone());
        Ok(c)
    }

    /// Opens row `i`; false when it has no children.
    pub fn open(&mut self, store: &Registry, i: usize) -> Result<bool> {
        let Some(row) = self.rows.get(i) else { return Ok(false) };
        if row.open {
            return Ok(true);
        }
        let code = row.unit.code.clone();
        let depth = row.depth + 1;
        let kids = self.children_of(store, &code)?;
        let row = &mut self.rows[i];
        row.kids = Some(!kids.is_empty());
        if kids.is_empty() {
            return Ok(false);
        }
        row.open = true;
        let new_rows = kids.into_iter().map(|unit| Row {
            unit,
            depth,
            open: false,
            kids: None,
        });
        self.rows.splice(i + 1..i + 1, new_rows);
        Ok(true)
    }

    /// The end (exclusive) of the rows below row `i`.
    fn subtree_end(&self, i: usize) -> usize {
        let depth = self.rows[i].depth;
        let mut j = i + 1;
        while j < self.rows.len() && self.rows[j].depth > depth {
            j += 1;
        }
        j
    }

    /// Closes row `i`, keeping the selection on it when it was inside.
    pub fn close(&mut self, i: usize) {
        if i >= self.rows.len() || !self.rows[i].open {
            return;
        }
        let end = self.subtree_end(i);
        self.rows.drain(i + 1..end);
        self.rows[i].open = false;
        if self.selected > i && self.selected < end {
            self.selected = i;
        } else if self.selected >= end {
            self.selected -= end - i - 1;
        }
    }

    pub fn parent_of(&self, i: usize) -> Option<usize> {
        let depth = self.rows.get(i)?.depth;
        (0..i).rev().find(|j| self.rows[*j].depth < depth)
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        self.selected = super::scroll::moved(self.selected, delta, self.rows.len());
    }

    pub fn select_last(&mut self) {
        self.selected = self.rows.len().saturating_sub(1);
    }

    /// Keeps the selected row within `height` rows from `offset`.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        self.offset = super::scroll::offset_showing(self.selected, self.offset, height);
        self.offset = self.offset.min(super::scroll::last_offset(self.rows.len(), height));
    }

    /// Shows every unit down to `levels` levels (1: the roots only). Stops opening once
    /// `max_rows` rows are shown, so that a huge store stays responsive; returns whether it did.
    pub fn set_depth(&mut self, store: &Registry, levels: usize, max_rows: usize) -> Result<bool> {
        let keep = self.selected_code().map(str::to_string);
        let mut i = 0;
        // Close everything, then open breadth-wise row by row.
        while i < self.rows.len() {
            if self.rows[i].depth == 0 {
                self.close(i);
            }
            i += 1;
        }
        let mut complete = true;
        let mut i = 0;
        while i < self.rows.len() {
            if self.rows[i].depth + 1 < levels {
                if self.rows.len() >= max_rows {
                    complete = false;
                    break;
                }
                self.open(store, i)?;
            }
            i += 1;
        }
        self.selected = 0;
        if let Some(code) = keep {
            if let Some(at) = self.rows.iter().position(|r| r.unit.code == code) {
                self.selected = at;
            }
        }
        Ok(complete)
    }

    /// Opens the ancestors of the last unit of `path` (root first) and selects it.
    pub fn reveal(&mut self, store: &Registry, path: &[Unit]) -> Result<bool> {
        let mut from = 0;
        for (n, unit) in path.iter().enumerate() {
            let Some(at) = (from..self.rows.len()).find(|j| self.rows[*j].unit.code == unit.code) else {
                return Ok(false);
            };
            if n + 1 == path.len() {
                self.selected = at;
                return Ok(true);
            }
            self.open(store, at)?;
            from = at + 1;
        }
        Ok(false)
    }

    /// Reads the hierarchy again (after a unit was added or changed), keeping what was open
    /// and the selection.
    pub fn reload(&mut self, store: &Registry) -> Result<()> {
        let open: HashSet<String> = self
            .rows
            .iter()
            .filter(|r| r.open)
            .map(|r| r.unit.code.clone())
            .collect();
        let keep = self.selected_code().map(str::to_string);
        let offset = self.offset;
        *self = Tree::load(store)?;
        let mut i = 0;
        while i < self.rows.len() {
            if open.contains(&self.rows[i].unit.code) {
                self.open(store, i)?;
            }
            i += 1;
        }
        if let Some(code) = keep {
            if let Some(at) = self.rows.iter().position(|r| r.unit.code == code) {
                self.selected = at;
            }
        }
        self.offset = offset;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::at;

    #[test]
    fn coverage_is_of_one_level_never_a_sum_across_levels() {
        let mut m = Measures::default();
        m.0[at::UNITS + Level::Street.index()] = 10;
        m.0[at::COVERED + Level::Street.index()] = 10;
        m.0[at::UNITS + Level::Community.index()] = 1;
        assert_eq!(coverage_of(Level::District, &m), (10, 10));
        assert_eq!(coverage_of(Level::Street, &m), (0, 1));
        assert_eq!(coverage_of(Level::Community, &m), (0, 0));
    }

    #[test]
    fn the_station_cell_is_the_station_on_the_date() {
        let mut u = Unit::new("S", None, Level::Street, "福海街道");
        u.station = crate::domain::StationStatus::Operating;
        u.opened_on = crate::domain::PartialDate::parse("2021-05-30").ok();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(station_cell(&u, day("2020-12-31"), Lang::Zh).0, "未建");
        assert_eq!(station_cell(&u, day("2021-05-30"), Lang::En).0, "covered");
    }
}
