//! Drawing, from a shared borrow of the app: the layout, then one function per region —
//! header (path and as-of date), tree, details, status line (wrapped, `notice`), the banner of
//! a server that cannot be reached, footer of key hints — and the overlays (form, picker,
//! confirmation, help). Text is measured in cells; the real cursor
//! goes to the caret of the focused input; popups clear any wide glyph cut by their edge.

use super::action::Action;
use super::app::{App, Focus, Modal};
use super::charts;
use super::details::{self, Content, Tab};
use super::fmt;
use super::form::FieldKind;
use super::keymap::{self, Ctx};
use super::notice;
use super::strings::{fill, tr, S};
use crate::i18n::Lang;
use crate::text;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};
use ratatui::Frame;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Rows of a picker's list.
pub const PICKER_ROWS: usize = 10;

/// Where each region goes.
pub struct Areas {
    pub header: Rect,
    pub tree: Option<Rect>,
    pub details: Option<Rect>,
    /// The banner while the shared server cannot be reached, above the status line.
    pub banner: Option<Rect>,
    /// The status line: one line, or as many as a long message is wrapped onto.
    pub status: Rect,
    pub footer: Rect,
    pub too_small: bool,
}

impl Areas {
    /// Rows of the tree (or of the find results) inside the border, below the column titles.
    pub fn tree_rows(&self) -> usize {
        self.tree.map(|r| r.height.saturating_sub(3) as usize).unwrap_or(10)
    }

    /// Rows of a records table inside the border, below the tabs and the column titles.
    pub fn detail_rows(&self) -> usize {
        self.details.map(|r| r.height.saturating_sub(4) as usize).unwrap_or(10)
    }

    /// Between the header and the status line (or the banner): where the tree and the
    /// details go, and the history view over both.
    pub fn body(&self) -> Rect {
        let y = self.header.bottom();
        let end = self.banner.map_or(self.status.y, |b| b.y);
        Rect::new(self.header.x, y, self.header.width, end.saturating_sub(y))
    }

    /// Rows the banner and a status message of more than one line take beyond the one status
    /// line every screen has.
    pub fn notice_extra(&self) -> u16 {
        self.banner.map_or(0, |b| b.height) + self.status.height.saturating_sub(1)
    }
}

/// Rows of the history view's list (inside its border, below the column titles).
pub fn history_list_rows(areas: &Areas, entries: usize) -> usize {
    super::history::list_rows(areas.body().height.saturating_sub(2) as usize, entries)
}

pub fn layout(area: Rect, app: &App) -> Areas {
    let too_small = area.width < MIN_WIDTH || area.height < MIN_HEIGHT;
    let line = |y: u16| Rect::new(area.x, y, area.width, 1);
    let header = line(area.y);
    let footer_h = footer_rows(app, area.width as usize).len().clamp(1, 2) as u16;
    let footer = Rect::new(
        area.x,
        area.bottom().saturating_sub(footer_h),
        area.width,
        footer_h.min(area.height),
    );
    // A long status message takes more lines, and the banner its own, above the footer.
    let width = area.width as usize;
    let status_h = notice::status_lines(app, width).len().max(1) as u16;
    let banner_h = notice::banner_lines(app, banner_width(width)).len() as u16;
    let status = Rect::new(
        area.x,
        area.bottom().saturating_sub(footer_h + status_h),
        area.width,
        status_h,
    );
    let banner = (banner_h > 0).then(|| Rect::new(area.x, status.y.saturating_sub(banner_h), area.width, banner_h));
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1 + footer_h + status_h + banner_h),
    );
    let show_tree = !app.zoom || app.find.open;
    let (tree, details) = if show_tree {
        let tw = (area.width / 2).clamp(42, 72).min(area.width);
        (
            Some(Rect::new(body.x, body.y, tw, body.height)),
            Some(Rect::new(
                body.x + tw,
                body.y,
                body.width.saturating_sub(tw),
                body.height,
            )),
        )
    } else {
        (None, Some(body))
    };
    Areas {
        header,
        tree,
        details,
        banner,
        status,
        footer,
        too_small,
    }
}

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

fn pane(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(title, bold()))
}

/// Draws the app. Call `App::prepare` with the same area first (`tui::draw` does both).
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let areas = layout(area, app);
    if areas.too_small {
        render_too_small(app.lang, area, frame.buffer_mut());
        return;
    }
    let buf = frame.buffer_mut();
    render_header(app, areas.header, buf);
    if let Some(r) = areas.tree {
        if app.find.open {
            render_find(app, r, buf);
        } else {
            render_tree(app, r, buf);
        }
    }
    if let Some(r) = areas.details {
        render_details(app, r, buf);
    }
    render_footer(app, areas.footer, buf);
    // A status line of one line is drawn under the overlays, as it always was; more lines, and
    // the banner, go over them, in rows the overlays leave free where they can (`over`).
    let extra = areas.notice_extra();
    let over = Rect {
        height: area.height.saturating_sub(extra),
        ..area
    };
    let mut cursor = render_status(app, areas.status, buf);
    if app.form.is_some() {
        cursor = render_form(app, over, buf);
    }
    match &app.modal {
        Some(Modal::Confirm { question, .. }) => {
            render_confirm(app, question, over, buf);
            cursor = None;
        }
        Some(Modal::Help { offset }) => {
            render_help(app, *offset, area, buf);
            cursor = None;
        }
        Some(Modal::History(h)) => {
            render_history(app, h, &areas, buf);
            cursor = None;
        }
        Some(Modal::DatePrompt { .. }) => {}
        None => {}
    }
    if extra > 0 {
        if let Some(p) = render_status(app, areas.status, buf) {
            cursor = Some(p);
        }
        if let Some(r) = areas.banner {
            render_banner(app, r, buf);
        }
    }
    if let Some(p) = cursor {
        frame.set_cursor_position(p);
    }
}

fn render_too_small(lang: Lang, area: Rect, buf: &mut Buffer) {
    let text = fill(
        tr(lang, S::TooSmall),
        &[
            &MIN_WIDTH.to_string(),
            &MIN_HEIGHT.to_string(),
            &area.width.to_string(),
            &area.height.to_string(),
        ],
    );
    let lines: Vec<Line> = fmt::wrap(&text, area.width.max(4) as usize - 2)
        .into_iter()
        .map(Line::raw)
        .collect();
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    Paragraph::new(lines)
        .alignment(ratatui::layout::Alignment::Center)
        .render(Rect::new(area.x, y, area.width, h), buf);
}

// ---- header, status, footer ----

fn path_names(app: &App) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = Some(app.tree.selected);
    while let Some(at) = i {
        match app.tree.rows.get(at) {
            Some(r) => names.push(r.unit.name.clone()),
            None => break,
        }
        i = app.tree.parent_of(at);
    }
    names.reverse();
    names
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let style = Style::default().bg(Color::Blue).fg(Color::White);
    buf.set_style(area, style);
    let mut right = fill(app.t(S::AsOfHeader), &[&fmt::date(app.as_of)]);
    if app.as_of != app.today {
        right.push_str(app.t(S::NotToday));
    }
    if app.store.is_readonly() {
        right.push_str(app.t(S::ReadonlyTag));
    }
    let right = format!("{right} ");
    let title = format!(" {} │ ", app.t(S::AppTitle));
    let room = (area.width as usize).saturating_sub(text::width(&title) + text::width(&right) + 1);
    let path = fmt::cut_left(&path_names(app).join(" › "), room);
    let left_w = text::width(&title) + text::width(&path);
    let gap = (area.width as usize).saturating_sub(left_w + text::width(&right));
    let line = Line::from(vec![
        Span::styled(title, style.add_modifier(Modifier::BOLD)),
        Span::styled(path, style),
        Span::styled(" ".repeat(gap), style),
        Span::styled(right, style.add_modifier(Modifier::BOLD)),
    ]);
    line.render(area, buf);
}

/// The status line: the find prompt, a message, or where the selection is. Returns the
/// cursor position when the find prompt has the keyboard.
fn render_status(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let width = area.width as usize;
    if let Some(Modal::DatePrompt { text: typed, error }) = &app.modal {
        let label = format!("{} ", app.t(S::DatePromptLabel));
        let lw = text::width(&label);
        let tw = text::width(typed);
        let mut spans = vec![
            Span::styled(label, Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            Span::raw(typed.to_string()),
        ];
        match error {
            Some(e) => spans.push(Span::styled(
                fmt::cut(&format!("  ✗ {e}"), width.saturating_sub(lw + tw)),
                Style::default().fg(Color::Red),
            )),
            None => spans.push(Span::styled(
                fmt::cut(
                    &format!("  {}", app.t(S::KeyGoToDate)),
                    width.saturating_sub(lw + tw + 1),
                ),
                dim(),
            )),
        }
        Line::from(spans).render(area, buf);
        return Some(Position::new(
            area.x + (lw + typed.caret_cells()).min(width.saturating_sub(1)) as u16,
            area.y,
        ));
    }
    if app.find.open {
        let label = format!("{} ", app.t(S::FindPrompt));
        let lw = text::width(&label);
        let (shown, caret) = fmt::scroll_input(&app.find.query, app.find.query.caret(), width.saturating_sub(lw + 1));
        Line::from(vec![
            Span::styled(label, Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            Span::raw(shown),
        ])
        .render(area, buf);
        return Some(Position::new(area.x + (lw + caret) as u16, area.y));
    }
    let line = match &app.status {
        Some(s) => {
            let style = if s.error {
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::default().fg(Color::Green)
            };
            // Wrapped onto the lines `layout` gave it (`notice`).
            Clear.render(area, buf);
            for (n, text) in notice::status_lines(app, width)
                .into_iter()
                .enumerate()
                .take(area.height as usize)
            {
                Line::from(Span::styled(text, style)).render(Rect::new(area.x, area.y + n as u16, area.width, 1), buf);
            }
            return None;
        }
        None => {
            let info = match app.selected_unit() {
                Some(u) => {
                    let mut parts = vec![
                        u.code.clone(),
                        u.level.label(app.lang).to_string(),
                        fill(
                            app.t(S::RowOf),
                            &[&(app.tree.selected + 1).to_string(), &app.tree.rows.len().to_string()],
                        ),
                    ];
                    if app.details.subtree && app.details.tab.is_records() {
                        parts.push(app.t(S::SubtreeOn).to_string());
                    }
                    parts.join(" · ")
                }
                None => app.t(S::EmptyStore).to_string(),
            };
            Line::from(Span::styled(fmt::cut(&info, width), dim()))
        }
    };
    line.render(area, buf);
    None
}

/// The banner's text width: a cell of margin each side.
fn banner_width(width: usize) -> usize {
    width.saturating_sub(2)
}

/// The banner while the shared server cannot be reached: white on red, over every overlay.
fn render_banner(app: &App, area: Rect, buf: &mut Buffer) {
    let style = Style::default()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD);
    Clear.render(area, buf);
    buf.set_style(area, style);
    let width = area.width as usize;
    for (n, text) in notice::banner_lines(app, banner_width(width))
        .into_iter()
        .enumerate()
        .take(area.height as usize)
    {
        let line = fmt::left(&format!(" {text}"), width);
        Line::styled(line, style).render(Rect::new(area.x, area.y + n as u16, area.width, 1), buf);
    }
    clear_wide_edges(area, buf);
}

/// The footer's hints for the current context, packed into lines `width` cells wide (at most
/// two). When some do not fit, the last line ends with a mark that `?` lists them all.
fn footer_rows(app: &App, width: usize) -> Vec<Vec<(String, &'static str)>> {
    let hint_w = |keys: &str, label: &str| text::width(keys) + 1 + text::width(label) + 2;
    // Budget entries are reversed or corrected, never deleted; only they are; a tab without
    // records (overview, charts) has neither.
    let mut hidden: Vec<Action> = match app.details.tab {
        Tab::Budget => vec![Action::Delete],
        Tab::Evaluations | Tab::Trainings => vec![Action::Reverse, Action::Correct],
        _ => vec![Action::Delete, Action::Reverse, Action::Correct],
    };
    // In the details pane Enter opens a lowest station, only on the per-indicator tab (in
    // the tree the same action opens a unit, and is always shown).
    if app.context() == keymap::Ctx::Records && app.details.tab != Tab::Indicators {
        hidden.push(Action::Open);
    }
    // The per-indicator tab always covers the whole subtree: `s` changes nothing there (it
    // only says so), so it is not offered.
    if app.details.tab == Tab::Indicators {
        hidden.push(Action::ToggleSubtree);
    }
    let all = keymap::hints_except(app.context(), app.lang, app.store.is_readonly(), &hidden);
    let mut rows: Vec<Vec<(String, &'static str)>> = vec![Vec::new()];
    let mut used = 0;
    let mut dropped = false;
    for (keys, label) in all {
        let w = hint_w(&keys, label);
        if used + w > width {
            if rows.len() == 2 {
                dropped = true;
                break;
            }
            rows.push(Vec::new());
            used = 0;
        }
        used += w;
        if let Some(row) = rows.last_mut() {
            row.push((keys, label));
        }
    }
    if dropped {
        let (keys, label) = ("…?".to_string(), app.t(S::FootMore));
        let mark_w = hint_w(&keys, label);
        if let Some(row) = rows.last_mut() {
            while !row.is_empty() && row.iter().map(|(k, l)| hint_w(k, l)).sum::<usize>() + mark_w > width {
                row.pop();
            }
            row.push((keys, label));
        }
    }
    rows
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    for (n, row) in footer_rows(app, area.width as usize)
        .into_iter()
        .take(area.height as usize)
        .enumerate()
    {
        let mut spans = Vec::new();
        for (keys, label) in row {
            spans.push(Span::styled(
                keys,
                Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::raw(format!(" {label}  ")));
        }
        Line::from(spans).render(Rect::new(area.x, area.y + n as u16, area.width, 1), buf);
    }
}

// ---- the tree ----

/// Drops figure columns (spent first, then allocated, then coverage) until the name column
/// keeps at least 14 cells; a dropped column gets width 0.
fn fit_columns(mut cols: [usize; 4], width: usize) -> [usize; 4] {
    for drop in [3usize, 2, 1] {
        let used: usize = cols.iter().filter(|w| **w > 0).map(|w| w + 1).sum();
        if width >= used + 14 {
            break;
        }
        cols[drop] = 0;
    }
    cols
}

fn render_tree(app: &App, area: Rect, buf: &mut Buffer) {
    let lang = app.lang;
    let focused = app.focus == Focus::Tree && app.form.is_none();
    let block = pane(format!(" {} ", app.t(S::TreeTitle)), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let rows = inner.height.saturating_sub(1) as usize;
    let visible: Vec<(usize, &super::tree::Row)> = app
        .tree
        .rows
        .iter()
        .enumerate()
        .skip(app.tree.offset)
        .take(rows)
        .collect();
    // The figure cells of the rows on screen; columns as wide as their widest cell.
    let cells: Vec<[(String, Style); 4]> = visible
        .iter()
        .map(|(_, row)| {
            let figures = app.figures.get(&row.unit.code);
            let (status, style) = super::tree::station_cell(&row.unit, app.as_of, lang);
            [
                (status.to_string(), style),
                (
                    figures
                        .map(|f| {
                            if f.units > 0 {
                                format!("{}/{}", f.covered, f.units)
                            } else {
                                "—".into()
                            }
                        })
                        .unwrap_or_default(),
                    Style::default(),
                ),
                (
                    figures.map(|f| fmt::money_short(f.allocated, lang)).unwrap_or_default(),
                    Style::default(),
                ),
                (
                    figures.map(|f| fmt::money_short(f.spent, lang)).unwrap_or_default(),
                    Style::default(),
                ),
            ]
        })
        .collect();
    let titles = [S::ColStation, S::ColCoverage, S::ColAllocated, S::ColSpent];
    // At least as wide as the widest status word, a small coverage and a 万 amount, so that
    // columns do not jump as rows scroll by.
    let status_w = super::tree::station_cell_width(lang);
    let mut widths = [status_w, 7, 10, 10];
    for (i, t) in titles.iter().enumerate() {
        widths[i] = cells
            .iter()
            .map(|c| text::width(&c[i].0))
            .chain([text::width(tr(lang, *t)), widths[i]])
            .max()
            .unwrap_or(0);
    }
    let cols = fit_columns(widths, width);
    let name_w = width.saturating_sub(cols.iter().filter(|w| **w > 0).map(|w| w + 1).sum());
    let mut head = fmt::left(app.t(S::ColName), name_w);
    for (c, (w, t)) in cols.iter().zip(titles).enumerate() {
        if *w > 0 {
            head.push(' ');
            head.push_str(&if c == 0 {
                fmt::left(app.t(t), *w)
            } else {
                fmt::right(app.t(t), *w)
            });
        }
    }
    let mut lines = vec![Line::from(Span::styled(head, dim()))];
    for ((i, row), cells) in visible.into_iter().zip(cells) {
        let marker = match (row.open, row.kids) {
            (true, _) => "▾ ",
            (false, Some(false)) => "  ",
            (false, _) => "▸ ",
        };
        let name = format!("{}{}{}", "  ".repeat(row.depth), marker, row.unit.name);
        let is_match = app.find.matches.contains(&row.unit.code);
        let name_style = if is_match {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        };
        let mut spans = vec![Span::styled(fmt::left(&name, name_w), name_style)];
        for (c, (w, (text, style))) in cols.iter().zip(cells).enumerate() {
            if *w > 0 {
                spans.push(Span::raw(" "));
                // The station column (a word) reads left-aligned; figures right-aligned.
                let cell = if c == 0 {
                    fmt::left(&text, *w)
                } else {
                    fmt::right(&text, *w)
                };
                spans.push(Span::styled(cell, style));
            }
        }
        let mut line = Line::from(spans);
        if i == app.tree.selected {
            line = line.style(if focused {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            });
        }
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
    let below = app.tree.offset + rows < app.tree.rows.len();
    scroll_marks(lang, area, app.tree.offset > 0, below, buf);
}

fn render_find(app: &App, area: Rect, buf: &mut Buffer) {
    // "12+": more match than are listed yet (they are listed as the pane scrolls).
    let count = format!("{}{}", app.find.results.len(), if app.find.more { "+" } else { "" });
    let title = fill(app.t(S::FindTitle), &[&count]);
    let block = pane(format!(" {title} "), true);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(fmt::cut(app.t(S::FindHelp), width), dim()))];
    if app.find.query.trim().is_empty() {
        Paragraph::new(lines).render(inner, buf);
        return;
    }
    if app.find.results.is_empty() {
        lines.push(Line::raw(fill(app.t(S::NoMatch), &[&app.find.query])));
    }
    let rows = inner.height.saturating_sub(1) as usize;
    for (n, e) in app.find.results.iter().enumerate().skip(app.find.offset).take(rows) {
        let parent = e.parent.as_deref().map(|p| format!("‹{p}›")).unwrap_or_default();
        let left = format!("{} {}", e.name, parent);
        let code_w = e.code.len().min(width / 3);
        let line = format!(
            "{} {}",
            fmt::left(&left, width.saturating_sub(code_w + 1)),
            fmt::right(&e.code, code_w)
        );
        let style = if n == app.find.selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(line, style)));
    }
    Paragraph::new(lines).render(inner, buf);
    let below = app.find.offset + rows < app.find.results.len();
    scroll_marks(app.lang, area, app.find.offset > 0, below, buf);
}

// ---- the details pane ----

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let lang = app.lang;
    let total = |short: bool, pad: usize| -> usize {
        Tab::ALL
            .iter()
            .map(|t| text::width(if short { t.short(lang) } else { t.title(lang) }) + pad)
            .sum()
    };
    // Full titles with room around them; else short ones; else short ones packed.
    let (short, pad) = if total(false, 2) <= width {
        (false, 2)
    } else if total(true, 2) <= width {
        (true, 2)
    } else {
        (true, 1)
    };
    // Packed short titles still too wide: as many tabs as fit, from the first or from where
    // the current one still fits, `…` where some are left out.
    let tabs: Vec<Tab> = if total(true, 1) > width + 1 {
        let fits = |from: usize| {
            let mut used = usize::from(from > 0) * 2;
            let mut shown = Vec::new();
            for t in &Tab::ALL[from..] {
                let w = text::width(t.short(lang)) + 1;
                // Room for the title, and for `…` after it unless it is the last.
                let last = shown.len() + from + 1 == Tab::ALL.len();
                let room = if last { width + 1 } else { width.saturating_sub(1) };
                if used + w > room {
                    break;
                }
                used += w;
                shown.push(*t);
            }
            shown
        };
        let mut from = 0;
        let mut shown = fits(0);
        while !shown.contains(&app.details.tab) && from + 1 < Tab::ALL.len() {
            from += 1;
            shown = fits(from);
        }
        shown
    } else {
        Tab::ALL.to_vec()
    };
    let mut spans = Vec::new();
    if tabs.first() != Tab::ALL.first() {
        spans.push(Span::styled("… ", dim()));
    }
    for t in tabs.iter().copied() {
        let title = if short { t.short(lang) } else { t.title(lang) };
        let style = if t == app.details.tab {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            dim()
        };
        let text = if pad == 2 {
            format!(" {title} ")
        } else {
            title.to_string()
        };
        spans.push(Span::styled(text, style));
        if pad == 1 {
            spans.push(Span::raw(" "));
        }
    }
    if tabs.last() != Tab::ALL.last() {
        spans.push(Span::styled("…", dim()));
    }
    Line::from(spans).render(area, buf);
}

fn render_details(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Focus::Records && app.form.is_none() && !app.find.open;
    let mut title = app.selected_unit().map(|u| u.name.clone()).unwrap_or_default();
    if app.details.subtree && app.details.tab.is_records() {
        title = format!("{title} · {}", app.t(S::WithSubtree));
    }
    let title = fmt::cut(&title, (area.width as usize).saturating_sub(4));
    let block = pane(format!(" {title} "), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    render_tabs(app, Rect { height: 1, ..inner }, buf);
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    let Some(loaded) = &app.details.loaded else {
        // Not read: while the server is away, said so (it is read when the server is back).
        let text = if app.server_away() {
            fmt::cut(app.t(S::ShownWhenBack), body.width as usize)
        } else {
            "—".to_string()
        };
        Line::styled(text, dim()).render(body, buf);
        return;
    };
    let width = body.width as usize;
    match &loaded.content {
        Content::Overview { unit, parent, measures } => {
            let lines = details::overview_lines(unit, parent.as_deref(), measures, app.as_of, app.lang, width);
            let max = lines.len().saturating_sub(body.height as usize);
            let offset = app.details.offset.min(max);
            Paragraph::new(lines.into_iter().skip(offset).collect::<Vec<_>>()).render(body, buf);
            details_marks(app.lang, area, offset > 0, offset < max, buf);
        }
        Content::Coverage(points) => {
            let (above, below) = charts::render_coverage(points, app.lang, app.details.offset, body, buf);
            details_marks(app.lang, area, above, below, buf);
        }
        Content::Funding { .. } => charts::render_funding(&loaded.content, app.as_of, app.lang, body, buf),
        Content::Indicators { rollups, schemes } => {
            let chosen = focused.then_some(app.details.selected);
            let (lines, _) = super::indicator_view::lines(rollups, *schemes, app.as_of, app.lang, width, chosen);
            let height = body.height as usize;
            let offset = app.details.offset.min(lines.len().saturating_sub(height));
            let below = offset + height < lines.len();
            Paragraph::new(lines.into_iter().skip(offset).collect::<Vec<_>>()).render(body, buf);
            details_marks(app.lang, area, offset > 0, below, buf);
        }
        _ => {
            let (above, below) = render_records(app, loaded, focused, body, buf);
            details_marks(app.lang, area, above, below, buf);
        }
    }
}

/// Draws a records table; says whether rows lie above and below the ones shown.
fn render_records(app: &App, loaded: &details::Loaded, focused: bool, area: Rect, buf: &mut Buffer) -> (bool, bool) {
    let width = area.width as usize;
    let (header, rows, dashed) = details::record_lines(loaded, app.as_of, app.lang, width);
    let kind_hint = match app.details.tab {
        Tab::Evaluations => S::EmptyEvaluations,
        Tab::Trainings => S::EmptyTrainings,
        _ => S::EmptyBudget,
    };
    let mut lines = vec![Line::from(Span::styled(header, dim().add_modifier(Modifier::BOLD)))];
    if rows.is_empty() {
        lines.push(Line::raw(fmt::cut(app.t(kind_hint), width)));
    }
    let (room, detail) = details::table_room(loaded, app.details.selected, app.lang, width, area.height as usize);
    for (i, (text, late)) in rows.iter().enumerate().skip(app.details.offset).take(room) {
        let mut style = if *late { dim() } else { Style::default() };
        if i == app.details.selected && focused {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(Span::styled(text.clone(), style)));
    }
    // The last line: how many, and what the keys do here.
    let count = fill(app.t(S::RecordCount), &[&rows.len().to_string()]);
    let mut foot = count;
    if loaded.cut {
        foot.push_str(app.t(S::NewestOnly));
    }
    // The columns are too narrow for the overview's words; the dash is explained here.
    if dashed {
        foot.push_str(app.t(S::DashNotStated));
    }
    if let Some(n) = loaded.too_many {
        foot = format!("{} {foot}", fill(app.t(S::SubtreeTooLarge), &[&n.to_string()]));
    }
    if !rows.is_empty() && app.store.is_readonly() {
        foot.push_str(app.t(S::ReadonlyTag));
    }
    Paragraph::new(lines).render(area, buf);
    let foot_area = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    // The selected evaluation's points, above the count line under a rule.
    if !detail.is_empty() {
        let top = foot_area.y.saturating_sub(detail.len() as u16 + 1);
        let rule = Rect {
            y: top,
            height: 1,
            ..area
        };
        Line::styled("─".repeat(width), dim()).render(rule, buf);
        let below = Rect {
            y: top + 1,
            height: detail.len() as u16,
            ..area
        };
        Paragraph::new(detail).render(below, buf);
    }
    Line::styled(fmt::cut(&foot, width), dim()).render(foot_area, buf);
    (app.details.offset > 0, app.details.offset + room < rows.len())
}

// ---- overlays ----

/// A popup: cleared, bordered, and no wide glyph outside left cut by its edge.
fn popup(area: Rect, title: String, buf: &mut Buffer, border: Color) -> Rect {
    clear_wide_edges(area, buf);
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(border))
        .title(Span::styled(title, bold()));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// A wide character just left of a popup would be cut by its border (ratatui issue 2526):
/// blank it, and one whose second half the popup's right edge covers.
pub fn clear_wide_edges(area: Rect, buf: &mut Buffer) {
    let bounds = buf.area;
    for y in area.top()..area.bottom().min(bounds.bottom()) {
        if area.x > bounds.x {
            let x = area.x - 1;
            let cell = &mut buf[(x, y)];
            if text::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
        let x = area.right();
        if x > bounds.x && x < bounds.right() {
            // A wide character starting at the popup's last column spills out of it.
            let last = &mut buf[(x - 1, y)];
            if text::width(last.symbol()) > 1 {
                last.set_symbol(" ");
            }
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// The open form; returns where the cursor goes.
fn render_form(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let form = app.form.as_ref()?;
    let lang = app.lang;
    let width = (area.width.saturating_sub(4)).min(100);
    let wanted = form.fields.len() as u16 + 4;
    let height = wanted.min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    // A title wider than the border (a long unit's name, a clerk's "may not change unit …"):
    // its first line in the border, the rest on the line above the form's help.
    let full = lang.pick(&form.title.0, &form.title.1);
    let (title, rest) = match fmt::wrap(full, width.saturating_sub(4) as usize).first() {
        Some(first) if first.len() < full.len() && full.starts_with(first.as_str()) => {
            (first.clone(), full[first.len()..].trim_start().to_string())
        }
        _ => (full.to_string(), String::new()),
    };
    let inner = popup(rect, format!(" {title} "), buf, Color::Cyan);
    let iw = inner.width as usize;
    let label_w = form
        .fields
        .iter()
        .filter(|f| f.kind != FieldKind::Heading)
        .map(|f| text::width(f.label_in(lang)))
        .max()
        .unwrap_or(8)
        + 2;
    let input_w = ((iw.saturating_sub(label_w + 2)) * 5 / 9).clamp(12, 44);
    let beside_w = iw.saturating_sub(label_w + input_w + 2);
    let rows = inner.height.saturating_sub(2) as usize;
    let scroll = if form.focus >= rows { form.focus + 1 - rows } else { 0 };
    let mut cursor = None;
    let mut picker_at = None;
    for (n, (i, f)) in form.fields.iter().enumerate().skip(scroll).take(rows).enumerate() {
        let y = inner.y + n as u16;
        if f.kind == FieldKind::Heading {
            // A group's name over its indicators.
            Line::styled(
                fmt::cut(&format!(" ── {} ──", f.label_in(lang)), iw),
                Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            )
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
            continue;
        }
        let focused = i == form.focus && app.picker.is_none();
        let mark = if i == form.focus { "▸" } else { " " };
        let req = if f.required { "*" } else { " " };
        let label = format!(
            "{mark}{}",
            fmt::left(&format!("{}{req}", f.label_in(lang)), label_w - 1)
        );
        let label_style = if i == form.focus {
            Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let (value, caret) = field_text(app, f, input_w, focused);
        let input_style = if f.locked {
            dim()
        } else if i == form.focus {
            Style::default().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        };
        let (beside, beside_style) = match form.shows_problem(i) {
            Some(p) => (format!("✗ {}", p.message(lang)), Style::default().fg(Color::Red)),
            None => match &f.note {
                // A likely mistake (`⚠ …`) stands out from a plain note.
                Some(note) if note.0.starts_with('⚠') => (
                    lang.pick(&note.0, &note.1).to_string(),
                    Style::default().fg(Color::Yellow),
                ),
                Some(note) => (lang.pick(&note.0, &note.1).to_string(), dim()),
                None if i == form.focus && !f.is_text() && !f.locked => (app.t(S::PickHint).to_string(), dim()),
                None => (String::new(), Style::default()),
            },
        };
        Line::from(vec![
            Span::styled(label, label_style),
            Span::raw(" "),
            Span::styled(fmt::left(&value, input_w), input_style),
            Span::raw(" "),
            Span::styled(fmt::cut(&beside, beside_w), beside_style),
        ])
        .render(Rect::new(inner.x, y, inner.width, 1), buf);
        if focused && f.is_text() && !f.locked {
            cursor = Some(Position::new(inner.x + (label_w + 1 + caret) as u16, y));
        }
        if i == form.focus {
            picker_at = Some((inner.x + label_w as u16 + 1, y));
        }
    }
    // The last line: the focused field's problem in full, or what the form needs.
    let bottom = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    let text = match form.shows_problem(form.focus) {
        Some(p) => (
            problem_line(lang, form.fields[form.focus].label_in(lang), p.message(lang)),
            Color::Red,
        ),
        None if form.shown_problems() > 0 => (
            fill(app.t(S::ProblemsLeft), &[&form.shown_problems().to_string()]),
            Color::Red,
        ),
        None => (app.t(S::FormHelp).to_string(), Color::DarkGray),
    };
    Line::styled(fmt::cut(&text.0, iw), Style::default().fg(text.1)).render(bottom, buf);
    if !rest.is_empty() {
        let above = Rect::new(inner.x, inner.bottom().saturating_sub(2), inner.width, 1);
        Line::styled(fmt::cut(&rest, iw), Style::default().fg(Color::Yellow)).render(above, buf);
    }
    scroll_marks(lang, rect, scroll > 0, scroll + rows < form.fields.len(), buf);
    // The picker goes over the rows below its field; the cursor is in its filter line.
    if let (Some(p), Some((x, y))) = (&app.picker, picker_at) {
        cursor = Some(render_picker(app, p, area, x, y, input_w as u16, buf));
    }
    cursor
}

/// A field's problem in full, after the field's name: `日期：…` / `Date: …`, the name said
/// once (a message that starts with it is not prefixed again).
pub fn problem_line(lang: Lang, label: &str, message: &str) -> String {
    if message.starts_with(label) {
        return message.to_string();
    }
    super::strings::say(lang, S::LabelValue, &[&label, &message])
}

/// What a field shows, and the caret's cell offset within it.
fn field_text(app: &App, f: &super::form::Field, width: usize, focused: bool) -> (String, usize) {
    let lang = app.lang;
    match &f.kind {
        FieldKind::Choice { options } => {
            let word = match f.choice.and_then(|i| options.get(i)) {
                Some((zh, en)) => lang.pick(zh, en).to_string(),
                None => "—".to_string(),
            };
            (format!("‹ {word} ›"), 0)
        }
        FieldKind::Scheme { names } => {
            let word = match f.choice.and_then(|i| names.get(i)) {
                Some(name) => name.clone(),
                None => app.t(S::SchemeNone).to_string(),
            };
            (format!("‹ {word} ›"), 0)
        }
        FieldKind::Heading => (String::new(), 0),
        FieldKind::Unit => match f.units.first() {
            Some(u) => (format!("{} {}", u.name, u.code), 0),
            None => ("—".into(), 0),
        },
        FieldKind::Units => {
            if f.units.is_empty() {
                (app.t(S::ServedDefault).to_string(), 0)
            } else {
                (
                    f.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join("、"),
                    0,
                )
            }
        }
        _ => fmt::input_view(&f.text, f.text.caret(), width, focused),
    }
}

fn render_picker(
    app: &App,
    p: &super::picker::Picker,
    area: Rect,
    x: u16,
    field_y: u16,
    field_w: u16,
    buf: &mut Buffer,
) -> Position {
    let lang = app.lang;
    let width = field_w.max(34).min(area.width.saturating_sub(x.saturating_sub(area.x)));
    let listed = p.shown.len().clamp(1, PICKER_ROWS) as u16;
    let height = (listed + 3).min(area.height);
    let below = field_y + 1;
    let y = if below + height <= area.bottom() {
        below
    } else {
        field_y.saturating_sub(height)
    };
    let rect = Rect::new(x, y, width, height);
    let title = fill(app.t(S::PickerTitle), &[&p.shown.len().to_string()]);
    let inner = popup(rect, format!(" {title} "), buf, Color::Yellow);
    let iw = inner.width as usize;
    let prompt = "› ";
    let (shown, caret) = fmt::scroll_input(&p.filter, p.filter.caret(), iw.saturating_sub(2));
    Line::from(vec![
        Span::styled(prompt, Style::default().fg(Color::Yellow)),
        Span::raw(shown),
    ])
    .render(Rect { height: 1, ..inner }, buf);
    let mut lines = Vec::new();
    if p.shown.is_empty() {
        lines.push(Line::styled(app.t(S::NoMatchShort), dim()));
    }
    for (i, item) in p.shown.iter().enumerate().skip(p.offset).take(PICKER_ROWS) {
        let style = if i == p.selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::styled(fmt::left(item.label(lang), iw), style));
    }
    Paragraph::new(lines).render(
        Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        },
        buf,
    );
    Position::new(inner.x + 2 + caret as u16, inner.y)
}

fn render_confirm(app: &App, question: &str, area: Rect, buf: &mut Buffer) {
    let width = 64u16.min(area.width.saturating_sub(4));
    let lines: Vec<String> = fmt::wrap(question, width as usize - 4);
    let height = lines.len() as u16 + 4;
    let rect = centered(area, width, height);
    let inner = popup(rect, format!(" {} ", app.t(S::ConfirmTitle)), buf, Color::Yellow);
    let mut out: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::styled("y", Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
        Span::raw(format!(" {}   ", app.t(S::KeyConfirm))),
        Span::styled(
            app.t(S::OtherKeys),
            Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" {}", app.t(S::KeyCancel))),
    ]));
    Paragraph::new(out).render(
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(2),
            ..inner
        },
        buf,
    );
}

/// The history view, over the tree and the details: the list of changes, a rule, then the
/// selected change in full.
fn render_history(app: &App, h: &super::history::History, areas: &Areas, buf: &mut Buffer) {
    let lang = app.lang;
    let area = areas.body();
    let title = fmt::cut(&h.title(lang), (area.width as usize).saturating_sub(4));
    let inner = popup(area, format!(" {title} "), buf, Color::Cyan);
    let width = inner.width as usize;
    let rows = history_list_rows(areas, h.entries.len());
    let list = h.list_lines(lang, width, rows);
    let list_h = (list.len() as u16).min(inner.height);
    Paragraph::new(list).render(
        Rect {
            height: list_h,
            ..inner
        },
        buf,
    );
    let rule_y = inner.y + list_h;
    if rule_y >= inner.bottom() {
        return;
    }
    Line::styled("─".repeat(width), dim()).render(Rect::new(inner.x, rule_y, inner.width, 1), buf);
    // The list's own marks: above on the popup's top border, below on the rule under it.
    let list_box = Rect::new(area.x, area.y, area.width, rule_y + 1 - area.y);
    scroll_marks(lang, list_box, h.offset > 0, h.offset + rows < h.entries.len(), buf);
    let detail = Rect::new(inner.x, rule_y + 1, inner.width, inner.bottom() - rule_y - 1);
    let lines = h.detail_lines(lang, width, detail.height as usize);
    Paragraph::new(lines).render(detail, buf);
}

/// Every binding, grouped by context: the same table as the footer and the keys, each line
/// whole (for tests that look for a key).
pub fn help_lines(lang: Lang) -> Vec<Line<'static>> {
    help_lines_in(lang, usize::MAX / 2)
}

/// The help's lines for text `width` cells wide: a label too long for its line wraps under
/// itself, so that nothing is cut.
pub fn help_lines_in(lang: Lang, width: usize) -> Vec<Line<'static>> {
    const KEYS_W: usize = 24;
    let label_w = width.saturating_sub(KEYS_W).max(12);
    let mut lines = Vec::new();
    for (ctx, heading) in Ctx::HELP_ORDER {
        lines.push(Line::styled(tr(lang, heading).to_string(), bold().fg(Color::Cyan)));
        for b in keymap::bindings_of(ctx) {
            let keys = keymap::keys_text(b, lang);
            for (i, part) in fmt::wrap(tr(lang, b.label), label_w).into_iter().enumerate() {
                let lead = if i == 0 {
                    format!("  {}", fmt::left(&keys, KEYS_W - 2))
                } else {
                    " ".repeat(KEYS_W)
                };
                lines.push(Line::from(vec![
                    Span::styled(lead, Style::default().fg(Color::Yellow)),
                    Span::raw(part),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    for s in [S::HelpNoteAsOf, S::HelpNoteMoney, S::HelpNoteBudget] {
        for part in fmt::wrap(tr(lang, s), width.min(70)) {
            lines.push(Line::styled(part, dim()));
        }
    }
    lines
}

/// Where the help goes on a screen of `area`.
fn help_rect(area: Rect) -> Rect {
    // The whole width up to 80 columns: a popup one column in from each side would leave the
    // panes' corners beside its own (`┌┌`).
    let width = if area.width <= 82 { area.width } else { 80 };
    // Between the header and the status line: the footer under it shows the help's keys.
    let height = area.height.saturating_sub(3);
    centered(area, width, height)
}

/// The help's rows inside its border, and the largest first line that still fills them.
pub fn help_scroll(area: Rect, lang: Lang) -> (usize, usize) {
    let rect = help_rect(area);
    let rows = rect.height.saturating_sub(2) as usize;
    (
        rows,
        super::scroll::last_offset(help_lines_in(lang, help_text_width(rect)).len(), rows),
    )
}

/// The cells a help line may take inside the help's border (one column of margin).
fn help_text_width(rect: Rect) -> usize {
    rect.width.saturating_sub(3) as usize
}

fn render_help(app: &App, offset: usize, area: Rect, buf: &mut Buffer) {
    let rect = help_rect(area);
    let inner = popup(rect, format!(" {} ", app.t(S::HelpTitle)), buf, Color::Cyan);
    let lines = help_lines_in(app.lang, help_text_width(rect));
    let max = lines.len().saturating_sub(inner.height as usize);
    let offset = offset.min(max);
    let mut shown: Vec<Line> = lines.into_iter().skip(offset).collect();
    if offset < max {
        shown.truncate(inner.height.saturating_sub(1) as usize);
        shown.push(Line::styled(app.t(S::HelpMore).to_string(), dim()));
    }
    Paragraph::new(shown).render(
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        },
        buf,
    );
    scroll_marks(app.lang, rect, offset > 0, offset < max, buf);
}

/// Marks on a pane's border that more lies above (top right) or below (bottom right).
fn scroll_marks(lang: Lang, rect: Rect, above: bool, below: bool, buf: &mut Buffer) {
    scroll_marks_with(lang, rect, (above, S::MoreAbove), (below, S::MoreBelow), buf);
}

/// The details pane's marks name the keys that scroll it from the tree (`J`, `K`).
fn details_marks(lang: Lang, rect: Rect, above: bool, below: bool, buf: &mut Buffer) {
    scroll_marks_with(lang, rect, (above, S::MoreAboveK), (below, S::MoreBelowJ), buf);
}

fn scroll_marks_with(lang: Lang, rect: Rect, above: (bool, S), below: (bool, S), buf: &mut Buffer) {
    let style = Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let mut put = |y: u16, s: S| {
        let text = format!(" {} ", tr(lang, s));
        let w = text::width(&text) as u16;
        if rect.width > w + 4 {
            let x = rect.right() - w - 2;
            clear_wide_edges(Rect::new(x, y, w, 1), buf);
            Line::styled(text, style).render(Rect::new(x, y, w, 1), buf);
        }
    };
    if above.0 && rect.height > 2 {
        put(rect.y, above.1);
    }
    if below.0 && rect.height > 2 {
        put(rect.bottom() - 1, below.1);
    }
}
