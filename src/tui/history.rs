//! The history view (`H`): the change journal of the selected unit (with `s`, of the units
//! below it too) or, in the records table, of the selected record, newest first; below the
//! list, the fields the selected change touched. The journal is read when the view opens and
//! when `s` toggles, never per frame. The words (when, what, fields) come from
//! `crate::history`, which `shegong history` and `shegong undo` use too.

use super::fmt;
use super::strings::{fill, tr, S};
use crate::history::{self as words, Effect};
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::store::{JournalEntry, Result};
use crate::text;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::collections::{HashMap, HashSet};

/// At most this many entries are listed (newest first), as in the records tabs.
pub const LIMIT: usize = 500;

/// Whose changes the view lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A unit's own records and fields; with `subtree`, those of every unit below it too.
    Unit { code: String, name: String, subtree: bool },
    /// One record, by its id (`RecordId`, as the journal keeps it); `what` says
    /// which record in a few words, for the title.
    Record { key: String, what: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    pub scope: Scope,
    /// Entries with their journal ids, newest first.
    pub entries: Vec<(u64, JournalEntry)>,
    /// Names of the units the entries belong to.
    pub names: HashMap<String, String>,
    pub selected: usize,
    pub offset: usize,
    /// Rows of the list in the last frame (for PgUp/PgDn).
    pub page: usize,
    /// The list stopped at `LIMIT`.
    pub cut: bool,
}

impl History {
    pub fn load(store: &Registry, scope: Scope) -> Result<History> {
        let mut h = History {
            scope,
            entries: Vec::new(),
            names: HashMap::new(),
            selected: 0,
            offset: 0,
            page: 10,
            cut: false,
        };
        h.reload(store)?;
        Ok(h)
    }

    /// Reads the entries of the scope again (after `s`).
    pub fn reload(&mut self, store: &Registry) -> Result<()> {
        let entries = match &self.scope {
            Scope::Record { key, .. } => store.history_where(LIMIT, |e| e.key.as_deref() == Some(key.as_str()))?,
            Scope::Unit {
                code, subtree: false, ..
            } => store.history_with_ids(Some(code), LIMIT)?,
            Scope::Unit {
                code, subtree: true, ..
            } => {
                // Whether a unit is below `code`: its path from the root, once per unit.
                let mut below: HashMap<String, bool> = HashMap::new();
                let mut failed = None;
                let entries = store.history_where(LIMIT, |e| {
                    let Some(unit) = e.unit.as_deref() else { return false };
                    if let Some(known) = below.get(unit) {
                        return *known;
                    }
                    let placed = match store.unit(unit) {
                        Ok(Some(_)) => store.path_to(unit).map(|path| path.iter().any(|u| u.code == *code)),
                        // A unit deleted since: placed by the parent its entry keeps (a unit's
                        // entries keep the unit); a record of one cannot be placed, left out.
                        Ok(None) => match deleted_parent(e) {
                            Some(p) if p == *code => Ok(true),
                            Some(p) => match store.unit(&p) {
                                Ok(Some(_)) => store.path_to(&p).map(|path| path.iter().any(|u| u.code == *code)),
                                Ok(None) => Ok(false),
                                Err(err) => Err(err),
                            },
                            None => Ok(false),
                        },
                        Err(err) => Err(err),
                    };
                    let is_below = match placed {
                        Ok(below) => below,
                        Err(err) => {
                            failed.get_or_insert(err);
                            false
                        }
                    };
                    below.insert(unit.to_string(), is_below);
                    is_below
                })?;
                if let Some(err) = failed {
                    return Err(err);
                }
                entries
            }
        };
        let mut names = HashMap::new();
        for code in entries.iter().filter_map(|(_, e)| e.unit.as_deref()) {
            if !names.contains_key(code) {
                let name = store.unit(code)?.map(|u| u.name).unwrap_or_else(|| code.to_string());
                names.insert(code.to_string(), name);
            }
        }
        self.cut = entries.len() >= LIMIT;
        self.entries = entries;
        self.names = names;
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
        self.offset = 0;
        Ok(())
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = super::scroll::moved(self.selected, delta, self.entries.len());
    }

    /// Keeps the selected entry within the `rows` shown.
    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        self.page = rows;
        self.offset = super::scroll::offset_showing(self.selected, self.offset, rows);
    }

    pub fn selected_entry(&self) -> Option<&(u64, JournalEntry)> {
        self.entries.get(self.selected)
    }

    /// The view's title: whose history, and how many entries.
    pub fn title(&self, lang: Lang) -> String {
        let whose = match &self.scope {
            Scope::Unit { name, subtree, .. } => {
                if *subtree {
                    format!("{name} · {}", tr(lang, S::WithSubtree))
                } else {
                    name.clone()
                }
            }
            Scope::Record { what, .. } => what.clone(),
        };
        let mut count = fill(tr(lang, S::HistoryCount), &[&self.entries.len().to_string()]);
        if self.cut {
            count.push_str(tr(lang, S::NewestOnly));
        }
        format!("{}{count}", fill(tr(lang, S::HistoryTitle), &[&whose]))
    }

    /// An entry in one line of words, with the names of its units.
    pub fn describe(&self, entry: &JournalEntry, lang: Lang) -> String {
        words::describe(entry, lang, &|code| self.names.get(code).cloned())
    }

    /// The list: its column titles, then one line per entry from `offset`, `rows` of them,
    /// each `width` cells wide; the selected one reversed, undone ones dimmed.
    pub fn list_lines(&self, lang: Lang, width: usize, rows: usize) -> Vec<Line<'static>> {
        let dim = Style::default().fg(Color::DarkGray);
        if self.entries.is_empty() {
            return vec![Line::styled(fmt::cut(tr(lang, S::HistoryEmpty), width), dim)];
        }
        let undone: HashSet<u64> = self.entries.iter().filter_map(|(_, e)| e.undoes).collect();
        let id_w = self
            .entries
            .iter()
            .map(|(id, _)| id.to_string().len() + 1)
            .max()
            .unwrap_or(2);
        let when_w = text::width("2026-11-27 09:35").max(text::width(tr(lang, S::ColWhen)));
        let who_w = self
            .entries
            .iter()
            .map(|(_, e)| text::width(&e.operator))
            .chain([text::width(tr(lang, S::ColWho))])
            .max()
            .unwrap_or(4)
            .min(12);
        let what_w = width.saturating_sub(id_w + when_w + who_w + 6);
        let row = |id: &str, when: &str, who: &str, what: &str| {
            format!(
                "{}  {}  {}  {}",
                fmt::right(id, id_w),
                fmt::left(when, when_w),
                fmt::left(who, who_w),
                fmt::left(what, what_w)
            )
        };
        let mut lines = vec![Line::styled(
            fmt::left(
                &row("#", tr(lang, S::ColWhen), tr(lang, S::ColWho), tr(lang, S::ColChange)),
                width,
            ),
            dim.add_modifier(Modifier::BOLD),
        )];
        for (i, (id, e)) in self.entries.iter().enumerate().skip(self.offset).take(rows) {
            let mut what = self.describe(e, lang);
            let mut style = Style::default();
            if undone.contains(id) {
                what.push_str(tr(lang, S::HistoryUndone));
                style = dim;
            }
            if i == self.selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let text = row(&format!("#{id}"), &words::when(e.at), &e.operator, &what);
            lines.push(Line::styled(fmt::left(&text, width), style));
        }
        lines
    }

    /// The selected entry in full: what, who and when, then each field it touched (before →
    /// after for an update), `width` cells wide, at most `rows` lines (the last says `…` when
    /// more did not fit).
    pub fn detail_lines(&self, lang: Lang, width: usize, rows: usize) -> Vec<Line<'static>> {
        let Some((id, e)) = self.selected_entry() else {
            return Vec::new();
        };
        let dim = Style::default().fg(Color::DarkGray);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut lines: Vec<Line<'static>> = fmt::wrap(&format!("#{id} {}", self.describe(e, lang)), width)
            .into_iter()
            .map(|l| Line::styled(l, bold))
            .collect();
        lines.push(Line::styled(
            fmt::cut(&format!("{} · {}", e.operator, words::when(e.at)), width),
            dim,
        ));
        match words::changes_shown(e, lang) {
            Some(changes) => {
                let heading = match words::effect(e) {
                    Effect::Added => S::HistoryAdded,
                    Effect::Removed => S::HistoryRemoved,
                    Effect::Changed if changes.is_empty() => S::HistoryNoField,
                    Effect::Changed => S::HistoryChanged,
                    Effect::Other => S::HistoryBulk,
                };
                lines.push(Line::styled(fmt::cut(tr(lang, heading), width), dim));
                let label_w = changes.iter().map(|c| text::width(c.field)).max().unwrap_or(4);
                let value_w = width.saturating_sub(label_w + 3).max(4);
                // A unit's code (a record's host or unit, a unit's parent) with its name.
                let named = |v: &str| match self.names.get(v) {
                    Some(name) if name != v => format!("{v} {name}"),
                    _ => v.to_string(),
                };
                for c in &changes {
                    // An update shows both sides (`— → b` where a field was empty); an
                    // added or removed record its one side.
                    let value = match words::effect(e) {
                        Effect::Changed => format!("{} → {}", or_dash(&named(&c.before)), or_dash(&named(&c.after))),
                        _ if c.after.is_empty() => named(&c.before),
                        _ => named(&c.after),
                    };
                    for (n, part) in fmt::wrap(&value, value_w).into_iter().enumerate() {
                        let label = if n == 0 { c.field } else { "" };
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {}", fmt::left(label, label_w)), dim),
                            Span::raw(format!(" {part}")),
                        ]));
                    }
                }
            }
            // A record this version cannot read back: its JSON as it is.
            None => {
                for (s, json) in [(S::HistoryBefore, &e.before), (S::HistoryAfter, &e.after)] {
                    if let Some(json) = json {
                        for part in fmt::wrap(&format!("{}{json}", tr(lang, s)), width) {
                            lines.push(Line::raw(part));
                        }
                    }
                }
            }
        }
        if lines.len() > rows && rows > 0 {
            lines.truncate(rows - 1);
            lines.push(Line::styled("…", dim));
        }
        lines
    }
}

/// The parent of the unit a unit's entry keeps (after the change, else before).
fn deleted_parent(e: &JournalEntry) -> Option<String> {
    if e.kind != "unit" {
        return None;
    }
    let json = e.after.as_deref().or(e.before.as_deref())?;
    serde_json::from_str::<crate::domain::Unit>(json).ok()?.parent
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "—"
    } else {
        s
    }
}

/// Rows of the list in a view whose inside is `height` rows: the column titles and the rule
/// below the list take two; the list takes what its entries need, up to three fifths.
pub fn list_rows(height: usize, entries: usize) -> usize {
    let room = height.saturating_sub(2);
    entries.max(1).min((room * 3 / 5).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(operator: &str, n: usize) -> History {
        let entry = |i: usize| JournalEntry {
            at: 1_700_000_000,
            operator: operator.into(),
            action: "update".into(),
            kind: "unit".into(),
            unit: Some("530112008000".into()),
            key: None,
            before: None,
            after: None,
            summary: format!("unit 530112008000 update {i}"),
            undoes: None,
        };
        History {
            scope: Scope::Unit {
                code: "530112008000".into(),
                name: "碧鸡街道".into(),
                subtree: false,
            },
            entries: (0..n).map(|i| (1000 + i as u64, entry(i))).collect(),
            names: HashMap::new(),
            selected: 0,
            offset: 0,
            page: 10,
            cut: false,
        }
    }

    #[test]
    fn rows_are_as_wide_as_the_view_in_cells() {
        let h = view("一位名字非常非常长的操作人员", 3);
        for width in [30, 78, 118] {
            for lang in [Lang::Zh, Lang::En] {
                let lines = h.list_lines(lang, width, 10);
                assert_eq!(lines.len(), 4, "titles and three entries");
                for line in lines {
                    assert_eq!(line.width(), width, "{line}");
                }
            }
        }
    }

    #[test]
    fn the_list_leaves_room_for_the_details() {
        assert_eq!(list_rows(18, 4), 4);
        assert_eq!(list_rows(18, 40), 9);
        assert_eq!(list_rows(2, 0), 1);
        let mut h = view("李淳", 40);
        h.selected = 30;
        h.scroll_into_view(9);
        assert_eq!((h.offset, h.page), (22, 9));
        h.move_by(-100);
        h.scroll_into_view(9);
        assert_eq!((h.selected, h.offset), (0, 0));
        // Details cut to the rows given, the last saying more did not fit.
        let lines = h.detail_lines(Lang::En, 20, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].to_string(), "…");
    }
}
