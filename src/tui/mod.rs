//! The terminal UI (`shegong` with no subcommand): the terminal taken and given back (raw
//! mode, alternate screen, bracketed paste; restored on quit, on error and on panic) and the
//! event loop (with a shared server's change feed, `crate::live`, looked at between keys, and
//! the server tried again between keys while it is away, `app::outage`).
//! Everything else is in the submodules:
//!
//! - `app`: state, and what each action does (`action` names them; `keymap` maps keys to them);
//!   `app::input` has the keys of each context, `app::save` saving a form
//! - `view`: drawing the screen from `&App`; `details`, `charts`, `tree`, `find`, `form`,
//!   `picker`, `records`, `history` own their parts (`scroll` their cursors); `strings`
//!   re-exports the UI's words from the catalogue (`crate::words`)
//! - `notice`: the banner of a server that cannot be reached, and long status messages wrapped
//! - `text_input`: the one editable line every form field and prompt uses
//! - `fmt`, `table`: money, dates and text in terminal cells
//!
//! The store is opened before the terminal is taken, so that "store in use" (exit 3) is printed
//! on a normal screen.

pub mod action;
pub mod app;
pub mod charts;
pub mod details;
pub mod find;
pub mod fmt;
pub mod form;
pub mod history;
pub mod indicator_view;
pub mod keymap;
pub mod notice;
pub mod picker;
pub mod records;
pub mod scroll;
pub mod strings;
pub mod table;
pub mod text_input;
pub mod tree;
pub mod view;

pub use app::App;

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::execute;
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};
use std::io::{self, stdout};

/// Reads what the frame needs, then draws it.
pub fn draw(app: &mut App, frame: &mut Frame) {
    app.prepare(frame.area());
    view::render(app, frame);
    fmt::scrub(frame.buffer_mut());
}

/// Gives the terminal back: leaves the alternate screen, stops paste mode and raw mode, shows
/// the cursor. Safe to call more than once.
pub fn restore_terminal() {
    let left = execute!(
        stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    // Both steps are tried whatever the first did; a failure is said (in both languages: this
    // runs from the panic hook too, where the language is not at hand) with the way out.
    if let Err(e) = left.and(disable_raw_mode()) {
        let (zh, en) = crate::words::both(crate::words::S::TerminalNotRestored, &[]);
        eprintln!("{zh}{en} ({e})");
    }
}

/// Holds the terminal; gives it back when dropped (on quit and on error).
struct Guard;

impl Guard {
    fn take() -> io::Result<Guard> {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            hook(info);
        }));
        enable_raw_mode()?;
        let guard = Guard;
        execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        Ok(guard)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// How long the loop waits for a key before looking at the change feed: well inside the two
/// seconds in which another session's save must show.
const FEED_POLL: std::time::Duration = std::time::Duration::from_millis(250);

fn on_event(app: &mut App, terminal: &mut Terminal<CrosstermBackend<io::Stdout>>, event: Event) -> io::Result<()> {
    match event {
        Event::Key(key) => app.on_key(key),
        Event::Paste(text) => app.on_paste(&text),
        // The next draw takes the new size.
        Event::Resize(_, _) => terminal.autoresize()?,
        _ => {}
    }
    Ok(())
}

/// Runs the UI until the user quits; gives the app (and its store) back.
pub fn run(mut app: App) -> io::Result<App> {
    let _guard = Guard::take()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    // Other sessions' changes (a shared server); none where nobody else writes.
    let feed = match app.store.watch() {
        Ok(feed) => feed,
        Err(e) => {
            app.fail(&e);
            None
        }
    };
    while !app.quit {
        terminal.draw(|frame| draw(&mut app, frame))?;
        // Without a feed, only a key changes the screen; with one, or while the shared server
        // is away (the banner is up and the server is tried again without a key), keys are
        // waited for at most `FEED_POLL` at a time, and what came on the feed or of the retry
        // meanwhile is applied, then drawn.
        let mut changed = false;
        while !changed && !app.quit {
            if feed.is_none() && !app.server_away() {
                on_event(&mut app, &mut terminal, event::read()?)?;
                break;
            }
            if event::poll(FEED_POLL)? {
                on_event(&mut app, &mut terminal, event::read()?)?;
                changed = true;
            }
            if let Some(feed) = &feed {
                while let Some(change) = feed.try_next() {
                    app.on_feed(change);
                    changed = true;
                }
            }
            changed |= app.retry_server();
        }
    }
    app.store.flush().map_err(|e| io::Error::other(e.message(app.lang)))?;
    Ok(app)
}
