//! Keys in the find prompt (`/`) and the matches after it (`n`/`N`): the query is a
//! `TextInput`, searched in the find index at every edit; Enter goes to the chosen unit.

use crate::tui::action::Action;
use crate::tui::app::{App, Focus};
use crate::tui::strings::S;
use crate::tui::text_input::is_edit;
use crate::tui::{find, scroll};

impl App {
    pub(in crate::tui::app) fn open_find(&mut self) {
        if !self.ensure_index() {
            return;
        }
        self.find.open = true;
        self.find.query.clear();
        self.find.results.clear();
        self.find.selected = 0;
        self.find.offset = 0;
    }

    pub(in crate::tui::app) fn run_find(&mut self) {
        if let Some(index) = &self.index {
            self.find.results = index.search(&self.find.query, find::MAX_RESULTS);
        }
        self.find.selected = 0;
        self.find.offset = 0;
    }

    /// The find index entry of a result.
    pub fn find_entry(&self, i: usize) -> Option<&find::Entry> {
        self.index.as_ref().and_then(|x| x.entries.get(i))
    }

    pub fn find_parent_name(&self, e: &find::Entry) -> Option<&str> {
        self.index.as_ref().and_then(|x| x.parent_name(e))
    }

    pub(in crate::tui::app) fn on_find(&mut self, action: Action) {
        if is_edit(action) {
            if self.find.query.apply(action) == Some(true) {
                self.run_find();
            }
            return;
        }
        let n = self.find.results.len();
        match action {
            Action::Up => self.find.selected = scroll::moved(self.find.selected, -1, n),
            Action::Down => self.find.selected = scroll::moved(self.find.selected, 1, n),
            Action::Choose => {
                let codes: Vec<String> = self
                    .find
                    .results
                    .iter()
                    .filter_map(|i| self.find_entry(*i).map(|e| e.code.clone()))
                    .collect();
                if codes.is_empty() {
                    self.warn(S::NoMatch, &[&self.find.query.clone()]);
                    return;
                }
                self.find.open = false;
                self.find.current = self.find.selected.min(codes.len() - 1);
                self.find.matches = codes;
                self.focus = Focus::Tree;
                self.go_to_match();
            }
            Action::Cancel => self.find.open = false,
            Action::Quit => self.request_quit(),
            _ => {}
        }
    }

    pub(in crate::tui::app) fn step_match(&mut self, delta: isize) {
        let n = self.find.matches.len();
        if n == 0 {
            self.say(S::NoFindYet, &[]);
            return;
        }
        self.find.current = (self.find.current as isize + delta).rem_euclid(n as isize) as usize;
        self.go_to_match();
    }

    pub(in crate::tui::app) fn go_to_match(&mut self) {
        let Some(code) = self.find.matches.get(self.find.current).cloned() else {
            return;
        };
        match self.reveal(&code) {
            Ok(()) => {
                let n = self.find.matches.len();
                self.say(S::MatchOf, &[&(self.find.current + 1).to_string(), &n.to_string()]);
            }
            Err(e) => self.fail(&e),
        }
    }
}
