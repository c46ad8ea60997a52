//! Other sessions' changes on a shared server (`crate::live`), applied without a key press:
//! just the touched rows read again (their figures and their ancestors', the details pane),
//! the tree read again when units changed, and the status line saying who changed what. An
//! open form, picker or question is left as it is. When the feed's connection drops (`Lost`)
//! the status line says so and the banner of `outage` goes up; when it is back (`Back`), the
//! server is tried at once and everything is read again.

use crate::live::{Change, FeedEvent};
use crate::tui::app::App;
use crate::tui::strings::{fill, S};

/// More touched units than this: every figure is read again rather than each unit's path.
const MANY: usize = 64;

impl App {
    /// One event of the change feed.
    pub fn on_feed(&mut self, event: FeedEvent) {
        match event {
            FeedEvent::Changed(change) => self.on_change(&change),
            FeedEvent::Unreadable { payload, why } => {
                self.forget_all(true);
                self.warn(S::LiveUnreadable, &[&format!("{why}: {payload}")]);
            }
            // The banner goes up (the server may well be gone) until a read reaches it again.
            FeedEvent::Lost(words) => {
                let place = self.store.place();
                self.server_lost(&place);
                self.status = Some(crate::tui::app::Status {
                    text: words,
                    error: true,
                });
            }
            FeedEvent::Back => {
                self.retry_soon();
                self.forget_all(true);
            }
        }
    }

    fn on_change(&mut self, change: &Change) {
        let units_changed = change.table == "units";
        match change.units.as_deref() {
            Some(codes) if codes.len() <= MANY => {
                for code in codes {
                    self.forget_path(code);
                }
                self.details.invalidate();
                if units_changed {
                    self.reload_units();
                }
            }
            _ => self.forget_all(units_changed),
        }
        self.tell(change);
    }

    /// Drops the cached figures of `code` and its ancestors (they hold its subtree's).
    fn forget_path(&mut self, code: &str) {
        match self.store.path_to(code) {
            Ok(path) => {
                self.figures.remove(code);
                for unit in path {
                    self.figures.remove(&unit.code);
                }
            }
            // A unit this session cannot place (deleted meanwhile): every figure is read again.
            Err(_) => self.figures.clear(),
        }
    }

    pub(in crate::tui::app) fn forget_all(&mut self, units_changed: bool) {
        self.figures.clear();
        self.details.invalidate();
        if units_changed {
            self.reload_units();
        }
    }

    fn reload_units(&mut self) {
        self.index = None;
        if let Err(e) = self.tree.reload(&self.store) {
            self.fail(&e);
        }
    }

    /// "clerk_biji updated the budget: 碧鸡街道 (10:32)" on the status line, unless it says
    /// an error the user has not seen past yet.
    fn tell(&mut self, change: &Change) {
        if self.status.as_ref().is_some_and(|s| s.error) {
            return;
        }
        let what = match change.table.as_str() {
            "units" => S::LiveWhatUnits,
            "evaluations" => S::LiveWhatEvaluations,
            "trainings" => S::LiveWhatTrainings,
            _ => S::LiveWhatBudget,
        };
        let name = |code: &str| match self.store.unit(code) {
            Ok(Some(u)) => u.name,
            _ => code.to_string(),
        };
        let unit = match change.units.as_deref() {
            Some([one]) => name(one),
            Some([first, rest @ ..]) => fill(self.t(S::LiveMoreUnits), &[&name(first), &rest.len().to_string()]),
            _ => self.t(S::LiveManyUnits).to_string(),
        };
        let time = chrono::Local::now().format("%H:%M").to_string();
        let what = self.t(what);
        self.say(S::LiveChanged, &[&change.login, what, &unit, &time]);
    }
}
