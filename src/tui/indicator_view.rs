//! The per-indicator tab (issue 15): of the selected unit's subtree, per indicator of each
//! scheme the mean share of the maximum over the stations' latest evaluations, as bars grouped
//! by the indicator's group, and under them the lowest stations of each group, one a line,
//! which ↑↓ choose among and Enter opens in the tree. The figures are `crate::indicators`'s,
//! shares written as the report writes its ratios (basis points, truncated: `81.25%`).

use super::fmt;
use super::strings::{fill, tr, S};
use crate::i18n::Lang;
use crate::indicators::SchemeRollup;
use chrono::NaiveDate;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// A share in basis points as the report writes it: `81.25%`.
pub fn percent(bp: u64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// A bar of `bp` basis points of 100%, `width` cells: `█` for the share, `░` for the rest.
pub fn share_bar(bp: u64, width: usize) -> String {
    let full = ((bp.min(10_000) as usize * width) + 5_000) / 10_000;
    // Something above nothing shows at least one cell.
    let full = if full == 0 && bp > 0 { 1.min(width) } else { full };
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// `text` wrapped to `width` cells, every line in `style`.
fn wrapped(text: &str, width: usize, style: Style) -> impl Iterator<Item = Line<'static>> {
    fmt::wrap(text, width)
        .into_iter()
        .map(move |l| Line::from(Span::styled(l, style)))
}

/// The tab's lines `width` cells wide, and the line of each lowest station (in the order of
/// `details::lowest_stations`). `chosen` (when the pane has the keyboard) is shown reversed.
pub fn lines(
    rollups: &[SchemeRollup],
    schemes: bool,
    as_of: NaiveDate,
    lang: Lang,
    width: usize,
    chosen: Option<usize>,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let t = |s| tr(lang, s);
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut station_lines = Vec::new();
    if rollups.is_empty() {
        let text = if schemes {
            fill(t(S::NoPointsYet), &[&fmt::date(as_of)])
        } else {
            t(S::NoSchemeYet).to_string()
        };
        out.extend(fmt::wrap(&text, width).into_iter().map(Line::raw));
        return (out, station_lines);
    }
    let pw = "100.00%".len();
    for r in rollups {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        let head = fill(
            t(S::IndicatorsHead),
            &[&r.scheme, &r.stations.to_string(), &fmt::date(as_of)],
        );
        out.extend(wrapped(&head, width, bold()));
        out.extend(wrapped(t(S::IndicatorsLegend), width, dim()));
        let nw = r
            .indicators
            .iter()
            .map(|i| crate::text::width(&i.name))
            .max()
            .unwrap_or(4)
            .min(width / 3)
            .max(4);
        let bw = width.saturating_sub(2 + nw + 1 + 1 + pw).max(4);
        for g in &r.groups {
            out.push(Line::from(Span::styled(fmt::cut(&g.group, width), bold())));
            for i in r.indicators.iter().filter(|i| i.group == g.group) {
                let (bar, pct) = match i.mean_share_bp() {
                    Some(bp) => (share_bar(bp, bw), percent(bp)),
                    None => (" ".repeat(bw), "—".to_string()),
                };
                out.push(Line::from(vec![
                    Span::raw(format!("  {} ", fmt::left(&fmt::cut(&i.name, nw), nw))),
                    Span::styled(bar, Style::default().fg(Color::Cyan)),
                    Span::raw(format!(" {}", fmt::right(&pct, pw))),
                ]));
            }
        }
        out.extend(wrapped(t(S::LowestHead), width, bold()));
        let gw = r
            .groups
            .iter()
            .map(|g| crate::text::width(&g.group))
            .max()
            .unwrap_or(4)
            .min(width / 4)
            .max(2);
        for g in &r.groups {
            for (n, s) in g.lowest.iter().enumerate() {
                let label = if n == 0 { fmt::cut(&g.group, gw) } else { String::new() };
                let figure = format!(
                    "{} ({}/{})",
                    percent(s.share_bp()),
                    fmt::tenths(s.points_tenths as i64),
                    fmt::tenths(s.max_tenths as i64)
                );
                let name = if s.name.is_empty() { &s.code } else { &s.name };
                let sw = width.saturating_sub(2 + gw + 1 + 3 + 1 + crate::text::width(&figure));
                let text = format!(
                    "  {} {}. {} {}",
                    fmt::left(&label, gw),
                    n + 1,
                    fmt::left(&fmt::cut(name, sw), sw),
                    figure
                );
                let style = if chosen == Some(station_lines.len()) {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                station_lines.push(out.len());
                out.push(Line::from(Span::styled(fmt::cut(&text, width), style)));
            }
        }
    }
    (out, station_lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_the_report_writes_them() {
        assert_eq!(percent(8125), "81.25%");
        assert_eq!(percent(6666), "66.66%");
        assert_eq!(percent(10_000), "100.00%");
        assert_eq!(share_bar(5_000, 10), "█████░░░░░");
        assert_eq!(share_bar(1, 4), "█░░░");
        assert_eq!(share_bar(0, 3), "░░░");
    }
}
