//! Formatting for the screen: money in yuan or 万元, rates, dates, and text cut, wrapped or
//! scrolled in terminal cells (a Chinese character takes two) on grapheme boundaries. Text is
//! escaped for the terminal here (`text::for_terminal`: ESC shown as `\x1b`), because ratatui
//! passes control characters through to the terminal; `scrub` is the net under that for text
//! drawn without these helpers.

use crate::domain::Fen;
use crate::i18n::Lang;
use crate::text;
use crate::words::{large_numbers, LargeNumbers};
use chrono::NaiveDate;
use unicode_segmentation::UnicodeSegmentation;

/// From this many fen on (10万 yuan, 100k), amounts show in 万 (or k, M, B in English).
const WAN_FROM: i64 = 10_000_000;

/// `12,345.00` below 10万 yuan, `170.00万` from there on; in English, which has no 万,
/// `120.00k`, `1.70M`, `1.23B` (no wider than the Chinese).
pub fn money(f: Fen, lang: Lang) -> String {
    if f.0.unsigned_abs() < WAN_FROM as u64 {
        return f.yuan();
    }
    match large_numbers(lang) {
        LargeNumbers::WanYi => f.wan(),
        LargeNumbers::Thousands => english_short(f),
    }
}

/// `120.00k` / `1.70M` / `1.23B`: thousands, millions or billions of yuan, two decimals, in
/// the largest unit whose value is at least 1 (after rounding).
fn english_short(f: Fen) -> String {
    let sign = if f.0 < 0 { "-" } else { "" };
    let abs = f.0.unsigned_abs() as u128;
    // Fen in one k, M, B.
    let units: [(u128, &str); 3] = [(100_000, "k"), (100_000_000, "M"), (100_000_000_000, "B")];
    let mut pick = units[0];
    for u in units {
        // Hundredths of the unit, rounded half up.
        if (abs + u.0 / 200) / (u.0 / 100) >= 100 {
            pick = u;
        }
    }
    let (per, suffix) = pick;
    let hundredths = (abs + per / 200) / (per / 100);
    format!(
        "{sign}{}.{:02}{suffix}",
        crate::domain::money::group_thousands((hundredths / 100) as u64),
        hundredths % 100
    )
}

/// Short, for columns: yuan below 10万, then `170.00万`, from 1亿 on `1,234.57亿`; in
/// English `120.00k`, `1.70M`, `1.23B`.
pub fn money_short(f: Fen, lang: Lang) -> String {
    const YI: u128 = 10_000_000_000; // fen in 1亿 yuan
    let abs = f.0.unsigned_abs() as u128;
    if abs < YI || large_numbers(lang) == LargeNumbers::Thousands {
        return money(f, lang);
    }
    let sign = if f.0 < 0 { "-" } else { "" };
    let hundredths = (abs + YI / 200) / (YI / 100);
    format!(
        "{sign}{}.{:02}亿",
        crate::domain::money::group_thousands((hundredths / 100) as u64),
        hundredths % 100
    )
}

/// The width in cells of `money_short(f, lang)`, without writing it: a chart of 2,850
/// children measures every amount to line them up (issue 14), and writing them all cost more
/// than the rest of its frame. Every short form is `{sign}{whole, grouped}.{two digits}{unit}`;
/// this follows `money_short`'s choice of unit and rounding (the tests hold the two together).
pub fn money_short_width(f: Fen, lang: Lang) -> usize {
    const YI: u128 = 10_000_000_000;
    let abs = f.0.unsigned_abs() as u128;
    let (whole, unit_cells) = if abs < WAN_FROM as u128 {
        (abs / 100, 0)
    } else if large_numbers(lang) == LargeNumbers::Thousands {
        // As `english_short`: the largest unit whose rounded value is at least 1.
        let mut per = 100_000u128;
        for u in [100_000u128, 100_000_000, 100_000_000_000] {
            if (abs + u / 200) / (u / 100) >= 100 {
                per = u;
            }
        }
        ((abs + per / 200) / (per / 100) / 100, 1)
    } else if abs < YI {
        // `Fen::wan`: hundredths of 万, rounded half up.
        ((abs + 5_000) / 10_000 / 100, 2)
    } else {
        ((abs + YI / 200) / (YI / 100) / 100, 2)
    };
    let digits = whole.checked_ilog10().map_or(1, |l| l as usize + 1);
    usize::from(f.0 < 0) + digits + (digits - 1) / 3 + 3 + unit_cells
}

/// `1,700,000.00 (170.00万)` / `1,700,000.00 (1.70M)`: exact yuan, and short when large.
pub fn money_long(f: Fen, lang: Lang) -> String {
    if f.0.unsigned_abs() >= WAN_FROM as u64 {
        format!("{} ({})", f.yuan(), money_short(f, lang))
    } else {
        f.yuan()
    }
}

/// spent ÷ allocated as `12.3%`, computed in integers; `—` without an allocation.
pub fn rate(spent: Fen, allocated: Fen) -> String {
    if allocated.0 <= 0 {
        return "—".into();
    }
    let permille = (spent.0 as i128 * 1000 + allocated.0 as i128 / 2) / allocated.0 as i128;
    let sign = if permille < 0 { "-" } else { "" };
    let p = permille.unsigned_abs();
    format!("{sign}{}.{}%", p / 10, p % 10)
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `12.5` from tenths.
pub fn tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// Cut to `max` cells with `…`.
pub fn cut(s: &str, max: usize) -> String {
    text::truncate(s, max)
}

/// Left-aligned in exactly `cells` cells.
pub fn left(s: &str, cells: usize) -> String {
    text::pad_right(s, cells)
}

/// Right-aligned in exactly `cells` cells.
pub fn right(s: &str, cells: usize) -> String {
    text::pad_left(s, cells)
}

/// The end of `s` that fits in `max` cells, with `…` in front when cut.
pub fn cut_left(s: &str, max: usize) -> String {
    let s = &*text::for_terminal(s);
    if text::width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in s.graphemes(true).rev() {
        let w = text::width(g);
        if used + w > max - 1 {
            break;
        }
        kept.push(g);
        used += w;
    }
    kept.reverse();
    format!("…{}", kept.concat())
}

/// Punctuation that never starts a line in Chinese (line-start prohibition, 避头尾): it stays
/// with the character before it.
const NO_LINE_START: &str = "。，、；：？！）」』》〉】〕〗〙｝］’”…·％‰℃．,.;:?!)]}%";
/// Opening brackets, which never end a line: they go down with what they open.
const NO_LINE_END: &str = "（「『《〈【〔〖〘｛［‘“([{";

fn is_no_start(g: &str) -> bool {
    g.chars().next().is_some_and(|c| NO_LINE_START.contains(c))
}

fn is_no_end(g: &str) -> bool {
    g.chars().next().is_some_and(|c| NO_LINE_END.contains(c))
}

/// Ends the current line before `next` (the grapheme that did not fit). When `next` may not
/// start a line, the character before it goes down with it (and, in turn, any that may not
/// start one either); an opening bracket at the end goes down too. A line keeps at least
/// one character.
fn break_line(lines: &mut Vec<String>, line: &mut String, used: &mut usize, next: &str) {
    let mut carried: Vec<&str> = Vec::new();
    let kept: Vec<&str> = line.graphemes(true).collect();
    let mut cut = kept.len();
    let mut first = next;
    while cut > 1 && is_no_start(first) {
        cut -= 1;
        first = kept[cut];
    }
    while cut > 1 && is_no_end(kept[cut - 1]) {
        cut -= 1;
    }
    carried.extend_from_slice(&kept[cut..]);
    let carry = carried.concat();
    let head = kept[..cut].concat();
    lines.push(head);
    *used = text::width(&carry);
    *line = carry;
}

/// Breaks text into lines of at most `width` cells: anywhere between Chinese characters,
/// but not inside a run of Latin letters and digits (a date, a code) unless it is too long,
/// and never before closing punctuation (`。，；）` …) or after an opening bracket.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let para = &*text::for_terminal(para);
        // Tokens: runs of ASCII non-space characters, or single graphemes.
        let mut tokens: Vec<&str> = Vec::new();
        let mut run_start: Option<usize> = None;
        for (i, g) in para.grapheme_indices(true) {
            let word = g.is_ascii() && !g.trim().is_empty();
            match (word, run_start) {
                (true, None) => run_start = Some(i),
                (true, Some(_)) => {}
                (false, Some(start)) => {
                    tokens.push(&para[start..i]);
                    run_start = None;
                    tokens.push(g);
                }
                (false, None) => tokens.push(g),
            }
        }
        if let Some(start) = run_start {
            tokens.push(&para[start..]);
        }
        let mut line = String::new();
        let mut used = 0;
        let mut wrapped = false;
        for token in tokens {
            let w = text::width(token);
            if used + w > width && used > 0 && w <= width {
                break_line(&mut lines, &mut line, &mut used, token);
                wrapped = true;
            }
            for g in token.graphemes(true) {
                let gw = text::width(g);
                if used + gw > width {
                    break_line(&mut lines, &mut line, &mut used, g);
                    wrapped = true;
                }
                // A new line does not start with a space.
                if used == 0 && line.is_empty() && wrapped && g.trim().is_empty() {
                    continue;
                }
                wrapped = false;
                line.push_str(g);
                used += gw;
            }
        }
        lines.push(line);
    }
    lines
}

/// The part of `s` shown in an input `width` cells wide so that the caret (a byte offset)
/// stays visible; returns the text and the caret's cell offset within it.
pub fn scroll_input(s: &str, caret: usize, width: usize) -> (String, usize) {
    let width = width.max(1);
    let caret = caret.min(s.len());
    let before = &s[..caret];
    let mut start = 0;
    // Leave one cell for the caret at the end.
    while text::width(&before[start..]) > width.saturating_sub(1) {
        match before[start..].graphemes(true).next() {
            Some(g) => start += g.len(),
            None => break,
        }
    }
    let visible = fit(&s[start..], width);
    (visible, text::width(&before[start..]))
}

/// What a form's text field `width` cells wide shows, and the caret's cell offset in it.
/// Unfocused, the field shows its start; focused, the part around the caret. Hidden text is
/// marked with `…` at the end where it is cut, on either side.
pub fn input_view(s: &str, caret: usize, width: usize, focused: bool) -> (String, usize) {
    let width = width.max(3);
    let caret = caret.min(s.len());
    if !focused {
        return if text::width(s) <= width {
            (s.to_string(), 0)
        } else {
            (format!("{}…", fit(s, width - 1)), 0)
        };
    }
    let mut start = 0;
    loop {
        let lead = usize::from(start > 0);
        let tail = usize::from(text::width(&s[start..]) + lead > width);
        let at_caret = s[caret..].graphemes(true).next().map(text::width).unwrap_or(1);
        let fits = text::width(&s[start..caret]) + at_caret + lead + tail <= width;
        if fits || start >= caret {
            let room = width - lead - tail;
            let mut shown = if lead > 0 { "…".to_string() } else { String::new() };
            shown.push_str(&fit(&s[start..], room));
            if tail > 0 {
                shown.push('…');
            }
            return (shown, lead + text::width(&s[start..caret]));
        }
        start = next_boundary(s, start);
    }
}

/// The longest start of `s` that fits in `width` cells, without an ellipsis.
pub fn fit(s: &str, width: usize) -> String {
    let s = &*text::for_terminal(s);
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = text::width(g);
        if used + w > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out
}

/// Takes every control character out of what is about to be drawn: ratatui would send it to
/// the terminal as it is. Text drawn through the helpers above shows it escaped; this catches
/// text drawn without them (a cell left empty shows `�`).
pub fn scrub(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let symbol = cell.symbol();
        if symbol.contains(char::is_control) {
            let kept: String = symbol.chars().filter(|c| !c.is_control()).collect();
            cell.set_symbol(if kept.is_empty() { "\u{fffd}" } else { &kept });
        }
    }
}

/// The byte offset of the grapheme boundary before `at`.
pub fn prev_boundary(s: &str, at: usize) -> usize {
    let at = at.min(s.len());
    s[..at].grapheme_indices(true).next_back().map(|(i, _)| i).unwrap_or(0)
}

/// The byte offset of the grapheme boundary after `at`.
pub fn next_boundary(s: &str, at: usize) -> usize {
    let at = at.min(s.len());
    match s[at..].graphemes(true).next() {
        Some(g) => at + g.len(),
        None => s.len(),
    }
}

#[cfg(test)]
mod tests {
    /// `money_short_width` is the width of `money_short`, at every boundary of its units and
    /// roundings, both signs, both languages.
    #[test]
    fn the_short_amounts_width_is_that_of_the_text() {
        let mut values: Vec<i64> = vec![0, 1, 99, 100, i64::MAX, i64::MIN + 1];
        let mut p: i64 = 1;
        for _ in 0..18 {
            for d in [
                -5_001, -5_000, -4_999, -501, -500, -499, -51, -50, -49, -1, 0, 1, 7, 123_457,
            ] {
                values.push(p.saturating_add(d));
                values.push(p.saturating_mul(3).saturating_add(d));
                values.push(p.saturating_mul(9).saturating_add(d));
                values.push(p.saturating_mul(10).saturating_sub(1).saturating_add(d));
            }
            p = p.saturating_mul(10);
        }
        for n in 0..20_000i64 {
            values.push(n.wrapping_mul(2_654_435_761).wrapping_mul(n) % 1_000_000_000_000_000);
        }
        for v in values {
            for f in [Fen(v), Fen(v.saturating_neg())] {
                for lang in [Lang::Zh, Lang::En] {
                    let text = money_short(f, lang);
                    assert_eq!(
                        money_short_width(f, lang),
                        crate::text::width(&text),
                        "{f:?} {lang:?}: {text}"
                    );
                }
            }
        }
    }

    use super::*;

    #[test]
    fn money_switches_to_wan() {
        assert_eq!(money(Fen(170_000_000), Lang::Zh), "170.00万");
        assert_eq!(money(Fen(1_234_500), Lang::Zh), "12,345.00");
        assert_eq!(money_short(Fen(12_347_298_089_595), Lang::Zh), "1,234.73亿");
        assert_eq!(money_short(Fen(-170_000_000), Lang::Zh), "-170.00万");
        // English has no 万: k, M, B, as wide as the Chinese or narrower.
        assert_eq!(money(Fen(170_000_000), Lang::En), "1.70M");
        assert_eq!(money(Fen(12_000_000), Lang::En), "120.00k");
        assert_eq!(money(Fen(1_234_500), Lang::En), "12,345.00");
        assert_eq!(money(Fen(99_999_999), Lang::En), "1.00M");
        assert_eq!(money_short(Fen(-170_000_000), Lang::En), "-1.70M");
        assert_eq!(money_short(Fen(12_347_298_089_595), Lang::En), "123.47B");
        assert_eq!(money_long(Fen(170_000_000), Lang::En), "1,700,000.00 (1.70M)");
        assert_eq!(rate(Fen(50), Fen(200)), "25.0%");
        assert_eq!(rate(Fen(1), Fen(0)), "—");
    }

    #[test]
    fn cells_not_chars() {
        assert_eq!(cut_left("西山区 › 碧鸡街道", 9), "…碧鸡街道");
        assert_eq!(wrap("西山区社工总站", 6), vec!["西山区", "社工总", "站"]);
        assert_eq!(wrap("截至2021年", 6), vec!["截至", "2021年"]);
        // 避头尾: closing punctuation stays with the character before it; an opening bracket
        // goes down with what it opens.
        assert_eq!(wrap("运营机构；此处", 8), vec!["运营机", "构；此处"]);
        assert_eq!(wrap("已建成。」然后", 8), vec!["已建", "成。」然", "后"]);
        assert_eq!(wrap("一二三（四）", 8), vec!["一二三", "（四）"]);
        for line in wrap("区级社工总站。来函（西民函〔2021〕38号）只说截至2021年5月30日已建成，未给出确切建站日期和运营机构；此处建站日期取该截止日。", 16) {
            assert!(!is_no_start(line.graphemes(true).next().unwrap_or("x")), "{line}");
            assert!(text::width(&line) <= 16, "{line}");
        }
        let (shown, caret) = scroll_input("西苑街道社工站", "西苑街道社工站".len(), 8);
        assert_eq!(shown, "社工站");
        assert_eq!(caret, 6);
        assert_eq!(prev_boundary("西苑", 6), 3);
        // A form's field: its start when not focused, hidden text marked at either end.
        let note = "冲销 2021-11-09 西民函〔2021〕38号 1,700,000.00";
        assert_eq!(input_view(note, note.len(), 12, false), ("冲销 2021-1…".to_string(), 0));
        let (shown, caret) = input_view(note, note.len(), 12, true);
        assert_eq!((shown.as_str(), caret), ("…700,000.00", 11));
        let (shown, caret) = input_view(note, 0, 12, true);
        assert_eq!((shown.as_str(), caret), ("冲销 2021-1…", 0));
        assert_eq!(input_view("西苑", 6, 12, true), ("西苑".to_string(), 4));
        assert_eq!(next_boundary("西苑", 0), 3);
    }

    #[test]
    fn controls_show_escaped() {
        assert_eq!(cut("西苑\x1b]0;x\x07", 40), "西苑\\x1b]0;x\\x07");
        assert_eq!(wrap("a\x1b[2J\nb", 40), vec!["a\\x1b[2J", "b"]);
        assert_eq!(cut_left("\x07ab", 40), "\\x07ab");
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 3, 1));
        buf[(0, 0)].set_symbol("\x1b");
        buf[(1, 0)].set_symbol("a\x07");
        scrub(&mut buf);
        assert_eq!(buf[(0, 0)].symbol(), "\u{fffd}");
        assert_eq!(buf[(1, 0)].symbol(), "a");
    }
}
