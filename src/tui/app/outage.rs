//! The shared server going away under an open UI (issue 13, "Faults"): noticed from any read
//! or write that could not reach it (`App::fail`) or from the change feed (`Lost`), it puts
//! up a banner (`view` draws it) that stays until the server answers again; meanwhile the
//! frames show what was last read (`prepare` reads nothing), a save keeps its form, and the
//! event loop asks `retry_server` every poll, which tries the server every `RETRY` without a
//! key press. A try never holds the UI: the backend connects again on a thread of its own
//! (`App::new` asks `reconnect_in_background`; `pg::again`), and until that thread answers a
//! try says the server cannot be reached at once. When it answers, the banner goes, the status
//! line says so and everything shown is read again.

use crate::store::StoreError;
use crate::tui::app::App;
use crate::tui::strings::S;
use std::time::{Duration, Instant};

/// Between tries to reach the server again.
const RETRY: Duration = Duration::from_secs(3);

/// The server cannot be reached: which, since when, and when to try again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    /// The server as the error names it (`login@host:port/db`, never a password).
    pub server: String,
    /// When it was noticed, HH:MM.
    pub since: String,
    next_try: Instant,
}

impl App {
    /// Notes that `server` cannot be reached (once: a later failure keeps the first time).
    pub fn server_lost(&mut self, server: &str) {
        if self.outage.is_none() {
            self.outage = Some(Outage {
                server: server.to_string(),
                since: chrono::Local::now().format("%H:%M").to_string(),
                next_try: Instant::now() + RETRY,
            });
        }
    }

    /// Whether the server was found unreachable and has not answered since.
    pub fn server_away(&self) -> bool {
        self.outage.is_some()
    }

    /// Tries the server at the next `retry_server` (the feed listens again: likely back).
    pub fn retry_soon(&mut self) {
        if let Some(o) = self.outage.as_mut() {
            o.next_try = Instant::now();
        }
    }

    /// While the server is away, tries it when the time has come; whether anything on the
    /// screen changed (it answered).
    pub fn retry_server(&mut self) -> bool {
        let Some(outage) = self.outage.as_mut() else {
            return false;
        };
        let now = Instant::now();
        if now < outage.next_try {
            return false;
        }
        outage.next_try = now + RETRY;
        // A light read: the backend connects again first when its connection was closed (on
        // its own thread: this says `Unreachable` at once while that thread tries).
        match self.store.roots() {
            Ok(_) => {
                self.server_back();
                true
            }
            Err(StoreError::Unreachable { .. }) => false,
            // It answered, with something else to say.
            Err(e) => {
                self.server_back();
                self.fail(&e);
                true
            }
        }
    }

    /// The server answers again: the banner goes and everything shown is read again.
    pub(in crate::tui::app) fn server_back(&mut self) {
        let Some(outage) = self.outage.take() else {
            return;
        };
        let time = chrono::Local::now().format("%H:%M").to_string();
        self.say(S::ServerBack, &[&outage.server, &time]);
        self.forget_all(true);
    }

    /// A save that failed with `e`: said, and when the server could not be reached, said as
    /// not saved with the form kept (it stays open with what was typed).
    pub(in crate::tui::app) fn not_saved(&mut self, e: &StoreError) {
        self.fail(e);
        if let StoreError::Unreachable { reason, .. } = e {
            self.warn(S::NotSavedServerAway, &[reason]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::registry::Registry;

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().expect("a temp folder");
        let store = Registry::create(&dir.path().join("store")).expect("a store");
        let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).expect("a date");
        let app = App::new(store, Lang::En, today).expect("the app");
        (dir, app)
    }

    #[test]
    fn an_unreachable_server_raises_the_banner_once_and_an_answer_takes_it_down() {
        let (_dir, mut app) = app();
        assert!(!app.server_away());
        let gone = StoreError::Unreachable {
            server: "clerk@db.example:5432/shegong".into(),
            reason: "connection refused".into(),
        };
        app.fail(&gone);
        let first = app.outage.clone().expect("the banner is up");
        assert_eq!(first.server, "clerk@db.example:5432/shegong");
        // A second failure keeps the first time.
        app.server_lost("other@x:1/y");
        assert_eq!(app.outage.as_ref(), Some(&first));
        // Not yet time to try: nothing happens.
        assert!(!app.retry_server());
        assert!(app.server_away());
        // The store (sled here) answers: the banner goes, and the status line says so.
        app.retry_soon();
        assert!(app.retry_server());
        assert!(!app.server_away());
        let said = app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default();
        assert!(said.contains("clerk@db.example:5432/shegong is back"), "{said}");
    }

    #[test]
    fn a_save_that_cannot_reach_the_server_says_it_was_not_saved() {
        let (_dir, mut app) = app();
        app.not_saved(&StoreError::Unreachable {
            server: "s".into(),
            reason: "gone".into(),
        });
        assert!(app.server_away());
        let status = app.status.clone().expect("said");
        assert!(status.error);
        assert!(
            status.text.starts_with("Not saved") && status.text.contains("(gone)"),
            "{}",
            status.text
        );
        // Any other failure is said as it is, without the banner.
        let (_dir, mut other) = self::app();
        other.not_saved(&StoreError::Io("disk".into()));
        assert!(!other.server_away());
    }
}
