//! Before each frame: the figures of the tree rows on screen, the details of the selected
//! unit, and every list and pane kept in view (the scroll rule is `scroll`'s). Nothing is
//! read while the shared server is away (`outage`): the last reads stay on screen. On the
//! server a parent's children's figures are one read for them all (`children_measures`), not one
//! per row; sled reads just the rows on screen, as before.

use crate::domain::Level;
use crate::rollup::Measures;
use crate::store::Result;
use crate::tui::app::{App, Figures, Focus, Modal};
use crate::tui::details::Content;
use crate::tui::{scroll, view};
use ratatui::layout::Rect;

/// A tree row's figures from its subtree's totals.
fn figures_of(level: Level, m: &Measures) -> Figures {
    let (covered, units) = crate::tui::tree::coverage_of(level, m);
    Figures {
        covered,
        units,
        allocated: m.allocated(),
        spent: m.spent(),
    }
}

impl App {
    /// Reads what the next frame shows (figures of the rows on screen, the details tab) and
    /// keeps selections in view. Called with the frame's size before each draw.
    pub fn prepare(&mut self, area: Rect) {
        let areas = view::layout(area, self);
        let rows = areas.tree_rows();
        self.page = rows.max(1);
        self.tree.scroll_into_view(rows);
        let end = (self.tree.offset + rows).min(self.tree.rows.len());
        let mut error = None;
        // While the server cannot be reached, the frame shows what was last read (and the
        // banner): only `outage`'s retry tries it, so that keys never wait on it.
        let away = self.server_away();
        if !away && self.store.children_measures_at_once() {
            if let Err(e) = self.read_siblings_at_once(end) {
                error = Some(e);
            }
        }
        for i in (self.tree.offset..end).filter(|_| !away) {
            let code = self.tree.rows[i].unit.code.clone();
            if self.tree.rows[i].kids.is_none() {
                match self.store.has_children(&code) {
                    Ok(k) => self.tree.rows[i].kids = Some(k),
                    Err(e) => error = Some(e),
                }
            }
            if !self.figures.contains_key(&code) {
                let level = self.tree.rows[i].unit.level;
                match self.store.subtree_measures(&code, self.as_of) {
                    Ok(m) => {
                        self.figures.insert(code, figures_of(level, &m));
                    }
                    Err(e) => error = Some(e),
                }
            }
        }
        if let Some(code) = self.tree.selected_code().map(str::to_string) {
            if away {
                // What was read for another unit is not shown as this one's.
                if self
                    .details
                    .loaded
                    .as_ref()
                    .is_some_and(|l| l.code != code || l.tab != self.details.tab)
                {
                    self.details.invalidate();
                }
            } else if let Err(e) = self.details.load(&self.store, &code, self.as_of) {
                self.details.invalidate();
                error = Some(e);
            }
        }
        // The overview scrolls (when the records pane has the focus) within its lines.
        let overview_lines = match (&self.details.loaded, areas.details) {
            (Some(l), Some(r)) => match &l.content {
                Content::Overview { unit, parent, measures } => crate::tui::details::overview_lines(
                    unit,
                    parent.as_deref(),
                    measures,
                    self.as_of,
                    self.lang,
                    r.width.saturating_sub(2) as usize,
                )
                .len(),
                // The coverage tab scrolls its change lines under the chart: as many lines
                // as that takes past one screen.
                Content::Coverage(points) => {
                    let body = areas.detail_rows() + 1;
                    crate::tui::charts::coverage_scroll_max(
                        points,
                        self.lang,
                        body as u16,
                        r.width.saturating_sub(2) as usize,
                    ) + body
                }
                // The per-indicator tab scrolls its lines; with the keyboard, to keep the
                // chosen station in view.
                Content::Indicators { rollups, schemes } => {
                    let (lines, stations) = crate::tui::indicator_view::lines(
                        rollups,
                        *schemes,
                        self.as_of,
                        self.lang,
                        r.width.saturating_sub(2) as usize,
                        None,
                    );
                    if self.focus == Focus::Records {
                        if let Some(&line) = stations.get(self.details.selected) {
                            let body = areas.detail_rows() + 1;
                            self.details.offset = scroll::offset_showing(line, self.details.offset, body);
                        }
                    }
                    lines.len()
                }
                _ => 0,
            },
            _ => 0,
        };
        // A records table lists fewer rows than the pane is tall: its column titles, its count
        // line and the selected evaluation's points take some.
        let height = match (&self.details.loaded, areas.details) {
            (Some(l), Some(r)) if self.details.tab.is_records() => {
                let width = r.width.saturating_sub(2) as usize;
                crate::tui::details::table_room(l, self.details.selected, self.lang, width, areas.detail_rows() + 1).0
            }
            _ => areas.detail_rows() + 1,
        };
        self.details.scroll_into_view(height, overview_lines);
        if self.find.open {
            self.find.offset = scroll::offset_showing(self.find.selected, self.find.offset, rows);
            // A taller pane than the matches listed so far: list enough to fill it.
            if self.find.more && self.find.results.len() < self.find.offset + rows {
                self.fetch_matches(self.find.offset + rows);
            }
        }
        if let Some(p) = self.picker.as_mut() {
            p.scroll_into_view(view::PICKER_ROWS);
        }
        if let Some(Modal::Help { offset }) = self.modal.as_mut() {
            let (rows, max) = view::help_scroll(area, self.lang);
            self.help_page = rows.saturating_sub(1).max(1);
            *offset = (*offset).min(max);
        }
        if let Some(Modal::History(h)) = self.modal.as_mut() {
            h.scroll_into_view(view::history_list_rows(&areas, h.entries.len()));
        }
        if let Some(e) = error {
            self.fail(&e);
        }
    }

    /// The figures of every row on screen (up to row `end`) that has a parent and none yet,
    /// read with one `children_measures` per parent: all its children's at once (the ones off
    /// screen too, so that scrolling among them reads nothing more), where the backend says
    /// that costs about one child's. Roots are left to the per-row read.
    fn read_siblings_at_once(&mut self, end: usize) -> Result<()> {
        let mut parents: Vec<usize> = Vec::new();
        for i in self.tree.offset..end {
            if self.figures.contains_key(&self.tree.rows[i].unit.code) {
                continue;
            }
            if let Some(p) = self.tree.parent_of(i) {
                if !parents.contains(&p) {
                    parents.push(p);
                }
            }
        }
        for p in parents {
            let code = self.tree.rows[p].unit.code.clone();
            for (child, m) in self.store.children_measures(&code, self.as_of)? {
                self.figures.insert(child.code, figures_of(child.level, &m));
            }
        }
        Ok(())
    }
}
