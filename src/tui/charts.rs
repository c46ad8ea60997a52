//! The two chart tabs: covered units over time (a step line per level, with the dates where
//! coverage changed listed below it), and funding as horizontal bars by child unit and by
//! category. Bars are drawn cell by cell so that Chinese names stay aligned.

use super::details::Content;
use super::fmt;
use super::strings::{fill, tr, S};
use crate::coverage_series::CoveragePoint;
use crate::domain::{Category, Fen, Level};
use crate::i18n::Lang;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Widget};

fn level_color(level: Level) -> Color {
    match level {
        Level::Province => Color::Red,
        Level::City => Color::Magenta,
        Level::District => Color::Yellow,
        Level::Street => Color::Cyan,
        Level::Community => Color::Green,
    }
}

fn x_of(start: NaiveDate, d: NaiveDate) -> f64 {
    (d - start).num_days() as f64
}

/// The dates where some level's coverage changed, with the figures then.
pub fn changes(points: &[CoveragePoint], levels: &[Level], lang: Lang, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let changed = i == 0
            || levels
                .iter()
                .any(|l| p.covered[l.index()] != points[i - 1].covered[l.index()]);
        if !changed || (i == 0 && p.covered_total() == 0) {
            continue;
        }
        let figures: Vec<String> = levels
            .iter()
            .map(|l| format!("{} {}/{}", l.label(lang), p.covered[l.index()], p.units[l.index()]))
            .collect();
        out.extend(change_rows(&fmt::date(p.date), &figures, width));
    }
    out
}

/// One change, `date  figure  figure…`, on as many rows of `width` cells as it takes (one,
/// with single spaces, when that fits): a figure that does not fit starts a row of its own,
/// under the first figure, rather than be cut (at 80 columns the national root's line showed
/// its districts, half its streets and not its communities). Only a figure wider than a row
/// by itself is cut, with `…`.
fn change_rows(date: &str, figures: &[String], width: usize) -> Vec<String> {
    // On one row if it fits, with its double spaces closed up if that is what it takes.
    for gap in ["  ", " "] {
        let row = format!("{date}{gap}{}", figures.join(gap));
        if crate::text::width(&row) <= width {
            return vec![row];
        }
    }
    let indent = crate::text::width(date) + 2;
    let widths: Vec<usize> = figures.iter().map(|f| crate::text::width(f)).collect();
    item_rows(&widths, width, 2, indent)
        .into_iter()
        .enumerate()
        .map(|(n, items)| {
            let lead = if n == 0 {
                format!("{date}  ")
            } else {
                " ".repeat(indent)
            };
            let row = format!("{lead}{}", figures[items].join("  "));
            if crate::text::width(&row) > width {
                fmt::cut(&row, width)
            } else {
                row
            }
        })
        .collect()
}

/// Items `widths` cells wide laid out on rows of `width` cells, each row starting `offset`
/// cells in and its items `gap` cells apart: which items each row holds. An item goes on the
/// next row rather than past the edge, unless it is a row's first (it is then cut, or not,
/// by the caller).
fn item_rows(widths: &[usize], width: usize, gap: usize, offset: usize) -> Vec<std::ops::Range<usize>> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = offset;
    for (i, w) in widths.iter().enumerate() {
        if i > start && used + gap + w > width {
            rows.push(start..i);
            start = i;
            used = offset;
        }
        used += if i > start { gap + w } else { *w };
    }
    if start < widths.len() {
        rows.push(start..widths.len());
    }
    rows
}

/// The levels the coverage tab draws: those below the unit; a unit without any, its own.
fn coverage_levels(last: &CoveragePoint) -> Vec<Level> {
    let own = Level::ALL.iter().copied().find(|l| last.units[l.index()] > 0);
    let mut levels: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| Some(*l) != own && last.units[l.index()] > 0)
        .collect();
    if levels.is_empty() {
        levels.extend(own);
    }
    levels
}

/// The coverage tab's change rows, `width` cells wide, and how many of them show under the
/// chart in `height` rows (at most a third of it; the chart takes the rest).
fn coverage_list(points: &[CoveragePoint], lang: Lang, height: u16, width: usize) -> (Vec<String>, usize) {
    let Some(last) = points.last() else {
        return (Vec::new(), 0);
    };
    let mut list = changes(points, &coverage_levels(last), lang, width);
    if list.is_empty() {
        list.push(tr(lang, S::NoCoverageYet).to_string());
    }
    let room = (height as usize / 3).min(height.saturating_sub(9) as usize);
    (list, room)
}

/// The largest first change row the coverage tab scrolls to (`J`) in a body `height` rows
/// and `width` cells.
pub fn coverage_scroll_max(points: &[CoveragePoint], lang: Lang, height: u16, width: usize) -> usize {
    let (list, room) = coverage_list(points, lang, height, width);
    super::scroll::last_offset(list.len(), room)
}

/// Draws the coverage chart and, under it, the change rows from the `offset`th (`J`/`K`
/// scroll them; a change too wide for the pane takes more than one row). Says whether change
/// rows lie above and below the ones shown.
pub fn render_coverage(
    points: &[CoveragePoint],
    lang: Lang,
    offset: usize,
    area: Rect,
    buf: &mut Buffer,
) -> (bool, bool) {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return (false, false);
    };
    let levels = coverage_levels(last);
    let width = area.width as usize;
    let (all, room) = coverage_list(points, lang, area.height, width);
    let offset = offset.min(super::scroll::last_offset(all.len(), room));
    let above = offset > 0;
    let below = offset + room < all.len();
    let list: Vec<String> = all.into_iter().skip(offset).take(room).collect();
    let list_h = list.len().min(room) as u16 + 1;
    let start = first.date;
    // Levels of very different sizes are drawn as shares, so that each line can be seen.
    let sizes: Vec<i64> = levels.iter().map(|l| last.units[l.index()].max(1)).collect();
    let percent = sizes.iter().max().unwrap_or(&1) > &(4 * sizes.iter().min().unwrap_or(&1));
    let data: Vec<Vec<(f64, f64)>> = levels
        .iter()
        .map(|l| {
            let mut v = Vec::new();
            let mut prev: Option<f64> = None;
            for p in points {
                let x = x_of(start, p.date);
                let y = if percent {
                    p.covered[l.index()] as f64 * 100.0 / p.units[l.index()].max(1) as f64
                } else {
                    p.covered[l.index()] as f64
                };
                if let Some(py) = prev {
                    v.push((x, py));
                }
                v.push((x, y));
                prev = Some(y);
            }
            v
        })
        .collect();
    let names: Vec<String> = levels
        .iter()
        .map(|l| {
            format!(
                "{} {}/{}",
                l.label(lang),
                last.covered[l.index()],
                last.units[l.index()]
            )
        })
        .collect();
    // The legend on lines of its own above the chart (the chart's own legend box lets lines
    // show through it), as many as it takes to show each level's figures whole: on one line, an
    // 80-column panel showed the national root's streets as "27409/3420" (of 34,200).
    let mut items: Vec<Vec<Span>> = levels
        .iter()
        .zip(&names)
        .map(|(l, n)| {
            vec![
                Span::styled("━━ ", Style::default().fg(level_color(*l))),
                Span::raw(n.clone()),
            ]
        })
        .collect();
    if percent {
        items.push(vec![Span::styled(
            tr(lang, S::ChartShares),
            Style::default().fg(Color::DarkGray),
        )]);
    }
    let legend = legend_lines(items, width);
    let legend_h = (legend.len() as u16).min(area.height);
    let legend_area = Rect {
        height: legend_h,
        ..area
    };
    let chart_area = Rect {
        y: area.y + legend_h,
        height: area.height.saturating_sub(list_h + legend_h),
        ..area
    };
    let datasets: Vec<Dataset> = levels
        .iter()
        .zip(&data)
        .map(|(l, d)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(level_color(*l)))
                .data(d)
        })
        .collect();
    let max_y = if percent {
        100
    } else {
        levels.iter().map(|l| last.units[l.index()]).max().unwrap_or(1).max(1)
    };
    let max_x = x_of(start, last.date).max(1.0);
    let mid = start + chrono::Duration::days((max_x / 2.0) as i64);
    let x_labels = vec![
        Span::raw(start.format("%Y-%m").to_string()),
        Span::raw(mid.format("%Y-%m").to_string()),
        Span::raw(last.date.format("%Y-%m").to_string()),
    ];
    let unit = if percent { "%" } else { "" };
    let y_labels: Vec<Span> = y_marks(max_y)
        .into_iter()
        .map(|v| Span::raw(format!("{v}{unit}")))
        .collect();
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, max_x])
                .labels(x_labels)
                .style(Style::default().fg(Color::DarkGray)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, max_y as f64 * 1.05])
                .labels(y_labels)
                .style(Style::default().fg(Color::DarkGray)),
        )
        .legend_position(None)
        .render(chart_area, buf);
    Paragraph::new(legend).render(legend_area, buf);
    let mut lines = vec![Line::from(Span::styled(
        tr(lang, S::CoverageChanges).to_string(),
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    lines.extend(list.into_iter().map(Line::raw));
    let list_area = Rect {
        y: chart_area.y + chart_area.height,
        height: list_h,
        ..area
    };
    Paragraph::new(lines).render(list_area, buf);
    (above, below)
}

/// Legend items (each a few spans) laid out on lines of `width` cells, three spaces between
/// items on a line; an item starts a new line rather than be cut, unless it is wider than a
/// line by itself.
fn legend_lines(items: Vec<Vec<Span<'static>>>, width: usize) -> Vec<Line<'static>> {
    let widths: Vec<usize> = items
        .iter()
        .map(|item| item.iter().map(|s| crate::text::width(&s.content)).sum())
        .collect();
    let rows = item_rows(&widths, width, 3, 0);
    let mut items = items.into_iter();
    rows.into_iter()
        .map(|row| {
            let mut line: Vec<Span> = Vec::new();
            for item in items.by_ref().take(row.len()) {
                if !line.is_empty() {
                    line.push(Span::raw("   "));
                }
                line.extend(item);
            }
            Line::from(line)
        })
        .collect()
}

/// The y-axis labels, bottom first, evenly spaced: a middle mark only where it is a whole
/// number (a maximum of 1 reads 0 / 1, never 0 / 0 / 1).
pub fn y_marks(max_y: i64) -> Vec<i64> {
    if max_y >= 2 && max_y % 2 == 0 {
        vec![0, max_y / 2, max_y]
    } else {
        vec![0, max_y]
    }
}

/// One bar: `█` for what was spent, `░` for what was put in and not spent, scaled to `max`.
pub fn bar(allocated: Fen, spent: Fen, max: i64, width: usize) -> String {
    if max <= 0 || width == 0 {
        return " ".repeat(width);
    }
    let cells = |v: i64| -> usize {
        let v = v.max(0) as i128;
        ((v * width as i128 + max as i128 / 2) / max as i128).min(width as i128) as usize
    };
    let total = cells(allocated.0.max(spent.0));
    let used = cells(spent.0).min(total);
    // Something non-zero shows at least one cell.
    let total = if total == 0 && (allocated.0 > 0 || spent.0 > 0) {
        1
    } else {
        total
    };
    let used = if used == 0 && spent.0 > 0 { 1 } else { used };
    format!(
        "{}{}{}",
        "█".repeat(used),
        "░".repeat(total.saturating_sub(used)),
        " ".repeat(width.saturating_sub(total.max(used)))
    )
}

/// The bars of `items` (name, allocated, spent), the first `rows` of them, lined up for all of
/// them: the names' and amounts' columns are as wide as the widest of every item (the amounts
/// measured, not written: only the shown rows' are written; issue 14's 2,850 children).
fn bar_lines(items: &[(&str, Fen, Fen)], width: usize, rows: usize, lang: Lang) -> Vec<Line<'static>> {
    let max = items.iter().map(|(_, a, s)| a.0.max(s.0)).max().unwrap_or(0);
    let nw = items
        .iter()
        .map(|(n, _, _)| crate::text::width(n))
        .max()
        .unwrap_or(4)
        .min(width / 3)
        .max(4);
    // `{allocated} / {spent}`.
    let aw = items
        .iter()
        .map(|(_, a, s)| fmt::money_short_width(*a, lang) + 3 + fmt::money_short_width(*s, lang))
        .max()
        .unwrap_or(0);
    // Every line must fit the width: in a narrow panel the names give way first (down to four
    // cells, cut with "…"), then the bars; the amounts stay whole (a wide character past the
    // edge is not drawn at all: an 80-column terminal lost the 万 of every amount).
    const MIN_BAR: usize = 4;
    let nw = nw.min(width.saturating_sub(aw + 2 + MIN_BAR)).max(4);
    let bw = width.saturating_sub(nw + aw + 2);
    items
        .iter()
        .take(rows)
        .map(|(n, a, s)| {
            let amount = format!("{} / {}", fmt::money_short(*a, lang), fmt::money_short(*s, lang));
            Line::from(vec![
                Span::raw(fmt::left(n, nw)),
                Span::raw(" "),
                Span::styled(bar(*a, *s, max, bw), Style::default().fg(Color::Cyan)),
                Span::raw(" "),
                Span::raw(fmt::right(&amount, aw)),
            ])
        })
        .collect()
}

pub fn render_funding(content: &Content, as_of: NaiveDate, lang: Lang, area: Rect, buf: &mut Buffer) {
    let Content::Funding {
        measures,
        children,
        own,
    } = content
    else {
        return;
    };
    let t = |s| tr(lang, s);
    let width = area.width as usize;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut cats: Vec<(String, Fen, Fen)> = Category::ALL
        .iter()
        .map(|c| (c.label(lang).to_string(), measures.by_category(Some(*c))))
        .chain(std::iter::once((
            t(S::NotStated).to_string(),
            measures.by_category(None),
        )))
        .map(|(n, (a, s))| (n, a, s))
        .filter(|(_, a, s)| a.0 != 0 || s.0 != 0)
        .collect();
    cats.sort_by_key(|c| std::cmp::Reverse(c.1));
    // Borrowed, not cloned: the root's children are 2,850 at the national size.
    let mut kids: Vec<(&str, Fen, Fen)> = children.iter().map(|(n, a, s)| (n.as_str(), *a, *s)).collect();
    kids.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    // The unit's own entries first, marked, so that the list adds up to the total above.
    let own_label = own.as_ref().map(|(name, a, s)| (fill(t(S::OwnFunds), &[name]), *a, *s));
    if let Some((label, a, s)) = &own_label {
        kids.insert(0, (label.as_str(), *a, *s));
    }
    let total = fill(
        t(S::FundingTotal),
        &[
            &fmt::date(as_of),
            &fmt::money_short(measures.allocated(), lang),
            &fmt::money_short(measures.spent(), lang),
        ],
    );
    let mut lines: Vec<Line> = fmt::wrap(&total, width)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, bold)))
        .collect();
    lines.extend(
        fmt::wrap(t(S::BarLegend), width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, Style::default().fg(Color::DarkGray)))),
    );
    let h = area.height as usize;
    let cat_rows = cats.len().max(1) + 1;
    let kid_room = h.saturating_sub(lines.len() + cat_rows + 2).max(1);
    lines.push(Line::from(Span::styled(
        fill(t(S::ByChild), &[&children.len().to_string()]),
        bold,
    )));
    if kids.is_empty() {
        lines.push(Line::raw(format!("  {}", t(S::NoChildren))));
    } else {
        let shown = kids.len().min(kid_room);
        lines.extend(bar_lines(&kids, width, shown, lang));
        if kids.len() > shown {
            lines.push(Line::from(Span::styled(
                fill(t(S::MoreChildren), &[&(kids.len() - shown).to_string()]),
                Style::default().fg(Color::DarkGray),
            )));
        }
    }
    lines.push(Line::from(Span::styled(t(S::ByCategory).to_string(), bold)));
    if cats.is_empty() {
        lines.push(Line::raw(format!("  {}", t(S::NoFunding))));
    } else {
        let cats: Vec<(&str, Fen, Fen)> = cats.iter().map(|(n, a, s)| (n.as_str(), *a, *s)).collect();
        lines.extend(bar_lines(&cats, width, cats.len(), lang));
    }
    Paragraph::new(lines).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_marks_are_distinct_whole_numbers() {
        assert_eq!(y_marks(1), [0, 1]);
        assert_eq!(y_marks(10), [0, 5, 10]);
        assert_eq!(y_marks(5), [0, 5]);
        assert_eq!(y_marks(100), [0, 50, 100]);
    }

    #[test]
    fn bars_scale_in_cells() {
        assert_eq!(bar(Fen(100), Fen(50), 100, 10), "█████░░░░░");
        assert_eq!(bar(Fen(1), Fen(0), 1000, 4), "░   ");
        assert_eq!(bar(Fen(0), Fen(0), 0, 3), "   ");
    }

    /// The coverage chart's legend takes as many lines as its items need, each item whole.
    #[test]
    fn a_legend_wraps_by_item_within_its_width() {
        let items = |names: &[&str]| -> Vec<Vec<Span<'static>>> {
            names
                .iter()
                .map(|n| vec![Span::raw("━━ "), Span::raw(n.to_string())])
                .collect()
        };
        let text = |l: &Line| -> String { l.spans.iter().map(|s| s.content.as_ref()).collect() };
        let names = ["区 2850/2850", "街道 27409/34200", "社区 205145/513000"];
        for (width, expected) in [
            (
                36,
                vec!["━━ 区 2850/2850", "━━ 街道 27409/34200", "━━ 社区 205145/513000"],
            ),
            (
                40,
                vec!["━━ 区 2850/2850   ━━ 街道 27409/34200", "━━ 社区 205145/513000"],
            ),
        ] {
            let lines: Vec<String> = legend_lines(items(&names), width).iter().map(text).collect();
            assert_eq!(lines, expected);
            assert!(lines.iter().all(|l| crate::text::width(l) <= width), "{lines:?}");
        }
        let wide = legend_lines(items(&names), 120);
        assert_eq!(wide.len(), 1);
        assert_eq!(
            text(&wide[0]),
            "━━ 区 2850/2850   ━━ 街道 27409/34200   ━━ 社区 205145/513000"
        );
    }

    /// A change too wide for the pane goes on more rows, each figure whole under the first;
    /// only a figure wider than a row by itself is cut.
    #[test]
    fn a_change_wraps_by_figure_within_its_width() {
        let figures: Vec<String> = ["区 169/2850", "街道 750/34200", "社区 5000/513000"]
            .iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(
            change_rows("2020-10-11", &figures, 39),
            vec![
                "2020-10-11  区 169/2850  街道 750/34200",
                "            社区 5000/513000"
            ]
        );
        assert_eq!(
            change_rows("2020-10-11", &figures, 80),
            vec!["2020-10-11  区 169/2850  街道 750/34200  社区 5000/513000"]
        );
        assert_eq!(
            change_rows("2020-10-11", &figures, 38),
            vec![
                "2020-10-11  区 169/2850",
                "            街道 750/34200",
                "            社区 5000/513000",
            ]
        );
        let narrow = change_rows("2020-10-11", &figures, 20);
        assert!(narrow.iter().all(|r| crate::text::width(r) <= 20), "{narrow:?}");
        assert_eq!(narrow.len(), 3);
    }

    /// At 80 columns the funding chart's panel is 36 cells: every bar line fits, its amounts
    /// whole (the last 万 of each was past the edge), the names cut first.
    #[test]
    fn bar_lines_fit_a_narrow_panel_with_their_amounts_whole() {
        let items = [
            ("青龙市（本级资金）", Fen(169_610_000), Fen(203_080_000)),
            ("华德区", Fen(28_900_000_000), Fen(28_200_000_000)),
        ];
        for width in [36usize, 30, 60] {
            let lines = bar_lines(&items, width, items.len(), Lang::Zh);
            for line in &lines {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                assert!(crate::text::width(&text) <= width, "{text:?} is wider than {width}");
                assert!(text.ends_with('万') || text.ends_with('亿'), "{text:?}");
            }
        }
        let wide: String = bar_lines(&items, 60, 1, Lang::Zh)[0]
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(wide.starts_with("青龙市（本级资金）"), "{wide:?}");
    }
}
