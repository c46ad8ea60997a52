//! The lines between the body and the footer, in terminal cells: the banner while the shared
//! server cannot be reached (`app::outage`), and the status message, wrapped onto as many lines
//! as it needs up to a bound rather than cut at the screen's edge (a conflict's advice, a
//! refusal naming a long unit, who changed what). `view::layout` makes room for both; wrapping
//! is `fmt::wrap`'s (by cells, never inside a character).

use super::app::{App, Modal};
use super::fmt;
use super::strings::{fill, S};
use crate::text;

/// At most this many lines of a status message; a longer one ends with `…`.
pub const STATUS_LINES: usize = 3;
/// At most this many lines of the banner.
pub const BANNER_LINES: usize = 3;

/// `s` wrapped to `width` cells in at most `max` lines (at least one); when it takes more, the
/// last line shown ends with `…`.
pub fn bounded(s: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines = fmt::wrap(s, width);
    if lines.is_empty() {
        lines.push(String::new());
    }
    let max = max.max(1);
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = text::truncate(&format!("{last}…"), width);
        }
    }
    lines
}

/// The banner's lines at `width` (none while the server answers).
pub fn banner_lines(app: &App, width: usize) -> Vec<String> {
    match &app.outage {
        Some(o) => bounded(&fill(app.t(S::ServerAway), &[&o.server, &o.since]), width, BANNER_LINES),
        None => Vec::new(),
    }
}

/// The status message's lines at `width`: one unless a message needs more (a prompt on the
/// status line, or where the selection is, takes one).
pub fn status_lines(app: &App, width: usize) -> Vec<String> {
    let prompt = app.find.open || matches!(app.modal, Some(Modal::DatePrompt { .. }));
    match &app.status {
        Some(s) if !prompt => bounded(&s.text, width, STATUS_LINES),
        _ => vec![String::new()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_wraps_by_cells_within_its_bound() {
        let zh = "单位 530112008000 已被 clerk_biji 于 2024-06-01 10:32:05 修改（在此表单读取之后）。什么都没有保存，表单中仍保留你输入的内容：请核对后再保存，以覆盖对方的修改。";
        let lines = bounded(zh, 80, STATUS_LINES);
        assert!(lines.len() > 1 && lines.len() <= STATUS_LINES, "{lines:?}");
        assert!(lines.iter().all(|l| text::width(l) <= 80), "{lines:?}");
        // Nothing lost nor cut inside a character: the lines are the message.
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        // A short one is one line; a very long one stops at the bound with `…`.
        assert_eq!(bounded("Saved.", 80, STATUS_LINES), vec!["Saved.".to_string()]);
        let long = "很长的话".repeat(100);
        let cut = bounded(&long, 80, STATUS_LINES);
        assert_eq!(cut.len(), STATUS_LINES);
        assert!(cut.iter().all(|l| text::width(l) <= 80));
        assert!(cut.last().is_some_and(|l| l.ends_with('…')), "{cut:?}");
        assert_eq!(bounded("", 80, STATUS_LINES), vec![String::new()]);
    }
}
