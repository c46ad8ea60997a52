//! Shared by the UI tests: a Xishan store in a temporary folder, keys, and the screen as
//! text (which also fails on a wide glyph cut by something drawn over its second half).
#![allow(dead_code)]

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use shegong::i18n::Lang;
use shegong::registry::Registry;
use shegong::tui::{self, App};
use unicode_width::UnicodeWidthStr;

/// The date the tests live on: after the letter, so every Xishan record counts.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 11, 30).expect("a real date")
}

/// Who the journal names for the Xishan data the tests load (not the OS user, so that
/// screens showing the history are the same on every machine).
pub const LOADED_BY: &str = "李淳";

pub fn xishan_store(readonly: bool) -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut store = Registry::create(dir.path()).expect("a new store");
    store.set_operator(LOADED_BY);
    shegong::xishan::load(&store).expect("the Xishan data loads");
    store.flush().expect("flushed");
    if !readonly {
        return (dir, store);
    }
    // sled lets go of a closed store in the background: retry the read-only open a while.
    drop(store);
    for _ in 0..100 {
        match Registry::open(dir.path(), true) {
            Ok(store) => return (dir, store),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    panic!("the store did not reopen");
}

pub fn xishan_app(lang: Lang) -> (tempfile::TempDir, App) {
    let (dir, store) = xishan_store(false);
    let app = App::new(store, lang, today()).expect("the UI starts");
    (dir, app)
}

pub fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, ch: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::CONTROL));
}

/// Types text key by key, as a keyboard (or an input method) sends it.
pub fn type_text(app: &mut App, text: &str) {
    for ch in text.chars() {
        press(app, KeyCode::Char(ch));
    }
}

/// Presses keys written as in tmux: `Right`, `Down`, `Tab`, `BTab`, `Enter`, `Esc`, or a
/// single character.
/// Moves the open form's cursor from its first field to the field `name`, with Tab as a user
/// would; returns the field's index.
pub fn tab_to_field(app: &mut App, name: &str) -> usize {
    let at = app
        .form
        .as_ref()
        .and_then(|f| f.fields.iter().position(|x| x.name == name))
        .unwrap_or_else(|| panic!("the form has no field {name}"));
    for _ in 0..at {
        keys(app, &["Tab"]);
    }
    at
}

pub fn keys(app: &mut App, keys: &[&str]) {
    for k in keys {
        let code = match *k {
            "Right" => KeyCode::Right,
            "Left" => KeyCode::Left,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Tab" => KeyCode::Tab,
            "BTab" => KeyCode::BackTab,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Backspace" => KeyCode::Backspace,
            other => KeyCode::Char(other.chars().next().expect("a key")),
        };
        press(app, code);
    }
}

/// Draws the app (reading what it needs first) at a size.
pub fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal.draw(|frame| tui::draw(app, frame)).expect("drawn");
    terminal
}

/// The buffer as lines of text; panics where a wide glyph's second cell holds something.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = Vec::new();
    for y in buf.area.top()..buf.area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in buf.area.left()..buf.area.right() {
            let symbol = buf[(x, y)].symbol();
            if skip > 0 {
                assert!(
                    symbol == " " || symbol.is_empty(),
                    "garbled: “{symbol}” at {x},{y} is hidden under a wide glyph"
                );
                skip -= 1;
                continue;
            }
            line.push_str(symbol);
            skip = symbol.width().saturating_sub(1);
        }
        assert_eq!(
            line.width(),
            buf.area.width as usize,
            "line {y} is not as wide as the screen"
        );
        out.push(line.trim_end().to_string());
    }
    out.join("\n")
}

/// The screen as text, with the cursor's place when it shows.
pub fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = render(app, width, height);
    let mut text = buffer_text(terminal.backend().buffer());
    let pos = terminal.get_cursor_position().expect("a cursor position");
    if pos.x != 0 || pos.y != 0 {
        text.push_str(&format!("\n[cursor at column {}, row {}]", pos.x, pos.y));
    }
    text
}

/// The screen with every local time of day (`2026-11-27 09:35`, as the history shows when a
/// change was made) written `YYYY-MM-DD hh:mm`: the journal keeps the real clock.
pub fn mask_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let shape = "0000-00-00 00:00";
    let fits = |at: usize| {
        shape.chars().enumerate().all(|(i, s)| match chars.get(at + i) {
            Some(c) if s == '0' => c.is_ascii_digit(),
            Some(c) => *c == s,
            None => false,
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if fits(i) {
            out.push_str("YYYY-MM-DD hh:mm");
            i += shape.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}
