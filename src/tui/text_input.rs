//! The one line of editable text every input uses (form fields, the find prompt, the as-of
//! date prompt, the picker's filter): the text, its caret, and the edits keys make. The caret
//! moves by grapheme, so a CJK character or an emoji with modifiers is one step; widths are in
//! terminal cells (a CJK character is two). Pasted text becomes one line. An action means the
//! same edit wherever it reaches a `TextInput`; which keys reach it is the keymap's business.

use super::action::Action;
use super::fmt;
use crate::text;
use std::ops::Deref;

/// A line of text and a caret (a byte offset, always on a grapheme boundary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    caret: usize,
}

impl TextInput {
    /// Holding `text`, the caret after it.
    pub fn new(text: impl Into<String>) -> TextInput {
        let text = text.into();
        let caret = text.len();
        TextInput { text, caret }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The caret's byte offset in the text.
    pub fn caret(&self) -> usize {
        self.caret
    }

    /// The text's width in terminal cells.
    pub fn width(&self) -> usize {
        text::width(&self.text)
    }

    /// The width of the text before the caret, in terminal cells.
    pub fn caret_cells(&self) -> usize {
        text::width(&self.text[..self.caret.min(self.text.len())])
    }

    /// Types text at the caret: control characters (a pasted line break, a tab) become spaces,
    /// so that the input stays one line and nothing reaches the terminal raw. Returns whether
    /// the text changed.
    pub fn insert(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let at = self.caret.min(self.text.len());
        self.text.insert_str(at, &clean);
        self.caret = at + clean.len();
        true
    }

    /// Pasted text, at the caret: each line break or tab is one space (`\r\n` is two, as a
    /// terminal sends it).
    pub fn paste(&mut self, s: &str) -> bool {
        self.insert(s)
    }

    /// Deletes the grapheme before the caret.
    pub fn backspace(&mut self) -> bool {
        if self.caret == 0 {
            return false;
        }
        let start = fmt::prev_boundary(&self.text, self.caret);
        self.text.replace_range(start..self.caret, "");
        self.caret = start;
        true
    }

    /// Deletes the grapheme after the caret.
    pub fn delete_forward(&mut self) -> bool {
        if self.caret >= self.text.len() {
            return false;
        }
        let end = fmt::next_boundary(&self.text, self.caret);
        self.text.replace_range(self.caret..end, "");
        true
    }

    /// Moves the caret one grapheme left or right; returns whether it moved.
    pub fn step(&mut self, forward: bool) -> bool {
        let before = self.caret;
        self.caret = if forward {
            fmt::next_boundary(&self.text, self.caret)
        } else {
            fmt::prev_boundary(&self.text, self.caret)
        };
        self.caret != before
    }

    /// Moves the caret to the start of the word before it (or after it, to the end of the
    /// word): words are separated by whitespace.
    pub fn step_word(&mut self, forward: bool) -> bool {
        let before = self.caret;
        let space = |s: &str| s.chars().all(char::is_whitespace);
        if forward {
            // Over any spaces, then over the word.
            while self.caret < self.text.len() && space(self.grapheme_after()) {
                self.caret = fmt::next_boundary(&self.text, self.caret);
            }
            while self.caret < self.text.len() && !space(self.grapheme_after()) {
                self.caret = fmt::next_boundary(&self.text, self.caret);
            }
        } else {
            while self.caret > 0 && space(self.grapheme_before()) {
                self.caret = fmt::prev_boundary(&self.text, self.caret);
            }
            while self.caret > 0 && !space(self.grapheme_before()) {
                self.caret = fmt::prev_boundary(&self.text, self.caret);
            }
        }
        self.caret != before
    }

    fn grapheme_after(&self) -> &str {
        &self.text[self.caret..fmt::next_boundary(&self.text, self.caret)]
    }

    fn grapheme_before(&self) -> &str {
        &self.text[fmt::prev_boundary(&self.text, self.caret)..self.caret]
    }

    /// The caret to the start of the line.
    pub fn home(&mut self) {
        self.caret = 0;
    }

    /// The caret to the end of the line.
    pub fn end(&mut self) {
        self.caret = self.text.len();
    }

    /// Empties the input; returns whether there was anything.
    pub fn clear(&mut self) -> bool {
        let had = !self.text.is_empty();
        self.text.clear();
        self.caret = 0;
        had
    }

    /// Carries out an editing action: `Some(changed)` when the action edits text (whether the
    /// text changed), `None` when it is not an editing action (the caller decides).
    pub fn apply(&mut self, action: Action) -> Option<bool> {
        match action {
            Action::Input(c) => Some(self.insert(c.encode_utf8(&mut [0; 4]))),
            Action::Backspace => Some(self.backspace()),
            Action::DeleteForward => Some(self.delete_forward()),
            Action::ClearField => Some(self.clear()),
            Action::Left => {
                self.step(false);
                Some(false)
            }
            Action::Right => {
                self.step(true);
                Some(false)
            }
            Action::WordLeft => {
                self.step_word(false);
                Some(false)
            }
            Action::WordRight => {
                self.step_word(true);
                Some(false)
            }
            Action::LineStart => {
                self.home();
                Some(false)
            }
            Action::LineEnd => {
                self.end();
                Some(false)
            }
            _ => None,
        }
    }
}

/// Whether an action is one `TextInput::apply` carries out.
pub fn is_edit(action: Action) -> bool {
    matches!(
        action,
        Action::Input(_)
            | Action::Backspace
            | Action::DeleteForward
            | Action::ClearField
            | Action::Left
            | Action::Right
            | Action::WordLeft
            | Action::WordRight
            | Action::LineStart
            | Action::LineEnd
    )
}

/// Reading the text as a `str` (`trim`, `is_empty`, parsing): the input is its text to every
/// reader; only editing goes through the methods above, so the caret stays on a boundary.
impl Deref for TextInput {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

/// Compared with a `str` by its text alone (the caret is where the user left it).
impl PartialEq<&str> for TextInput {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl From<&str> for TextInput {
    fn from(s: &str) -> TextInput {
        TextInput::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_cells_and_one_step() {
        let mut t = TextInput::new("西苑a");
        assert_eq!(t.width(), 5);
        assert_eq!(t.caret_cells(), 5);
        assert!(t.step(false));
        assert_eq!(t.caret_cells(), 4);
        assert!(t.step(false));
        assert_eq!((t.caret(), t.caret_cells()), (3, 2));
        assert!(t.insert("碧鸡"));
        assert_eq!(t.as_str(), "西碧鸡苑a");
        assert_eq!(t.caret_cells(), 6);
        assert!(t.backspace());
        assert_eq!(t.as_str(), "西碧苑a");
        assert!(t.delete_forward());
        assert_eq!(t.as_str(), "西碧a");
        // An emoji with a skin-tone modifier is one grapheme: one step, one delete.
        let mut e = TextInput::new("a👍🏽b");
        e.step(false);
        assert!(e.backspace());
        assert_eq!(e.as_str(), "ab");
    }

    #[test]
    fn the_caret_stops_at_both_ends() {
        let mut t = TextInput::new("ab");
        assert!(!t.step(true));
        assert!(!t.delete_forward());
        assert_eq!(t.caret(), 2);
        t.home();
        assert!(!t.step(false));
        assert!(!t.backspace());
        assert_eq!((t.as_str(), t.caret()), ("ab", 0));
        assert!(t.insert("x"));
        assert_eq!((t.as_str(), t.caret()), ("xab", 1));
        t.end();
        assert_eq!(t.caret(), 3);
        assert!(t.clear());
        assert!(!t.clear());
        assert_eq!((t.as_str(), t.caret(), t.caret_cells()), ("", 0, 0));
        let mut empty = TextInput::default();
        assert!(!empty.step(false) && !empty.step(true) && !empty.backspace());
    }

    #[test]
    fn paste_keeps_one_line() {
        let mut t = TextInput::new("ab");
        t.step(false);
        assert!(t.paste("x\ny\r\nz\tw"));
        assert_eq!(t.as_str(), "ax y  z wb");
        assert_eq!(t.caret(), "ax y  z w".len());
        assert!(!t.paste(""));
        assert!(!t.as_str().contains(char::is_control));
    }

    #[test]
    fn word_moves_skip_spaces_then_a_word() {
        let mut t = TextInput::new("西苑 街道  office");
        assert!(t.step_word(false));
        assert_eq!(&t[t.caret()..], "office");
        t.step_word(false);
        assert_eq!(&t[t.caret()..], "街道  office");
        t.step_word(false);
        t.step_word(false);
        assert_eq!(t.caret(), 0);
        assert!(!t.step_word(false));
        t.step_word(true);
        assert_eq!(&t[..t.caret()], "西苑");
        t.step_word(true);
        t.step_word(true);
        assert_eq!(t.caret(), t.len());
        assert!(!t.step_word(true));
    }

    #[test]
    fn actions_edit_the_same_way_everywhere() {
        let mut t = TextInput::default();
        for c in "2021-1".chars() {
            assert_eq!(t.apply(Action::Input(c)), Some(true));
        }
        assert_eq!(t.apply(Action::Left), Some(false));
        assert_eq!(t.apply(Action::Input('1')), Some(true));
        assert_eq!(t.as_str(), "2021-11");
        assert_eq!(t.apply(Action::LineStart), Some(false));
        assert_eq!(t.apply(Action::DeleteForward), Some(true));
        assert_eq!(t.apply(Action::LineEnd), Some(false));
        assert_eq!(t.apply(Action::Backspace), Some(true));
        assert_eq!(t.as_str(), "021-1");
        assert_eq!(t.apply(Action::ClearField), Some(true));
        assert_eq!(t.apply(Action::Choose), None);
        assert_eq!(t.as_str(), "");
    }
}
