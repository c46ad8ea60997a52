//! Text measured in terminal cells (a Chinese character takes two), for aligned tables and for
//! the UI: padding, and truncation on grapheme boundaries.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells without splitting a character; adds `…` when it cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// `s` then spaces up to `cells` (truncated if longer).
pub fn pad_right(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cells.saturating_sub(w)))
}

/// Spaces then `s`, right-aligned in `cells`.
pub fn pad_left(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let w = width(&t);
    format!("{}{t}", " ".repeat(cells.saturating_sub(w)))
}

/// Lays out rows as aligned columns; `right[i]` right-aligns column i (numbers).
pub fn table(header: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .take(cols)
            .map(|(i, c)| {
                if right.get(i).copied().unwrap_or(false) {
                    pad_left(c, widths[i])
                } else {
                    pad_right(c, widths[i])
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(header)];
    out.push(widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
    for row in rows {
        out.push(line(row));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_cells() {
        assert_eq!(width("西苑街道"), 8);
        assert_eq!(pad_right("西苑", 6), "西苑  ");
        assert_eq!(truncate("棕树营街道", 7), "棕树营…");
        assert_eq!(width(&truncate("棕树营街道", 6)), 5);
    }
}
