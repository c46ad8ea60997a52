//! Text measured in terminal cells (a Chinese character takes two), for aligned tables and for
//! the UI: padding, and truncation on grapheme boundaries. And text made safe for a terminal:
//! every control character (ESC, BEL, CR, … and the C1 controls) shown escaped as `\x1b` or
//! `\u{9b}`, so that a name or a note can never move the cursor, clear the screen, retitle the
//! window or write the clipboard (OSC 52). Every path that prints stored text to a terminal goes
//! through `for_terminal` (or `TerminalWriter` for a stream); the store and files keep the exact
//! text.

use std::borrow::Cow;
use std::io::{self, Write};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// `c` as it is shown on a terminal: `\x1b` for a C0 control or DEL, `\u{9b}` for a C1 control.
fn push_escaped(out: &mut String, c: char) {
    let code = c as u32;
    let shown = if code < 0x80 {
        format!("\\x{code:02x}")
    } else {
        format!("\\u{{{code:x}}}")
    };
    out.push_str(&shown);
}

fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text for a terminal: every control character (line breaks and tabs too) escaped.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, char::is_control)
}

/// Text of several lines for a terminal: as `for_terminal`, but `\n` stays a line break.
pub fn for_terminal_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c.is_control() && c != '\n')
}

/// A stream for a terminal: bytes pass through, except control characters, escaped as
/// `for_terminal_lines` does (`\n` and `\r\n` stay line breaks). For output that is written as
/// it is produced (an export or a CSV report to a terminal); a file gets the exact bytes.
pub struct TerminalWriter<W: Write> {
    inner: W,
    /// A `\r` (is a `\n` next?) or the first byte of a two-byte UTF-8 sequence that may be a C1
    /// control (`0xC2`), held until the next byte says.
    pending: Option<u8>,
}

impl<W: Write> TerminalWriter<W> {
    pub fn new(inner: W) -> Self {
        TerminalWriter { inner, pending: None }
    }

    fn escape_into(&mut self, buf: &[u8], out: &mut Vec<u8>) {
        for &b in buf {
            match (self.pending.take(), b) {
                (Some(b'\r'), b'\n') => {
                    out.extend_from_slice(b"\r\n");
                    continue;
                }
                (Some(0xC2), 0x80..=0x9F) => {
                    // U+0080..U+009F is encoded 0xC2 0x80..0x9F.
                    out.extend_from_slice(format!("\\u{{{b:x}}}").as_bytes());
                    continue;
                }
                (Some(b'\r'), _) => out.extend_from_slice(b"\\x0d"),
                (Some(p), _) => out.push(p),
                (None, _) => {}
            }
            match b {
                b'\n' => out.push(b),
                b'\r' | 0xC2 => self.pending = Some(b),
                0..=0x1F | 0x7F => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
                _ => out.push(b),
            }
        }
    }

    /// Writes what is held back (a last lone `\r`) and gives the stream back.
    pub fn finish(mut self) -> io::Result<W> {
        self.write_pending()?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn write_pending(&mut self) -> io::Result<()> {
        match self.pending.take() {
            Some(b'\r') => self.inner.write_all(b"\\x0d"),
            Some(p) => self.inner.write_all(&[p]),
            None => Ok(()),
        }
    }
}

impl<W: Write> Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(buf.len() + 8);
        self.escape_into(buf, &mut out);
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells without splitting a character; adds `…` when it cut.
/// Control characters are escaped first (`for_terminal`): what is cut is what is shown.
pub fn truncate(s: &str, max: usize) -> String {
    let s = &*for_terminal(s);
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
/// Cells are escaped for a terminal (`for_terminal`) before they are measured.
pub fn table(header: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let escape = |cells: &[String]| -> Vec<String> { cells.iter().map(|c| for_terminal(c).into_owned()).collect() };
    let header = escape(header);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| escape(r)).collect();
    let (header, rows) = (&header[..], &rows[..]);
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

    #[test]
    fn controls_are_shown_escaped() {
        assert_eq!(for_terminal("西苑\x1b]52;c;aGk=\x07"), "西苑\\x1b]52;c;aGk=\\x07");
        assert_eq!(for_terminal("a\nb\u{9b}2J\x7f"), "a\\x0ab\\u{9b}2J\\x7f");
        assert_eq!(for_terminal_lines("a\nb\tc"), "a\nb\\x09c");
        assert!(matches!(for_terminal("西山区"), Cow::Borrowed(_)));
        assert_eq!(pad_right("a\x1b[2J", 10), "a\\x1b[2J  ");
    }

    #[test]
    fn the_terminal_stream_escapes_across_writes() {
        let mut w = TerminalWriter::new(Vec::new());
        // A CRLF split between writes, a C1 control split between writes, and Chinese text.
        for part in [&b"a,\x1b[2J\r"[..], b"\n\xc2", b"\x9b1m\xc2", b"\xa9\r", b"x\t\r"] {
            w.write_all(part).unwrap();
        }
        w.write_all("西山\r\n".as_bytes()).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, "a,\\x1b[2J\r\n\\u{9b}1m©\\x0dx\\x09\\x0d西山\r\n");
    }
}
