//! Keys in the find prompt (`/`) and the matches after it (`n`/`N`): the query is a
//! `TextInput`, searched in the store's find index at every edit, for as many matches as the
//! pane shows (more as it scrolls); Enter goes to the chosen unit.

use crate::tui::action::Action;
use crate::tui::app::{App, Focus};
use crate::tui::find::{self, Hit};
use crate::tui::scroll;
use crate::tui::strings::S;
use crate::tui::text_input::is_edit;

impl App {
    pub(in crate::tui::app) fn open_find(&mut self) {
        self.find.open = true;
        self.find.query.clear();
        self.find.results.clear();
        self.find.more = false;
        self.find.selected = 0;
        self.find.offset = 0;
    }

    pub(in crate::tui::app) fn run_find(&mut self) {
        self.find.selected = 0;
        self.find.offset = 0;
        self.fetch_matches(self.page);
    }

    /// Lists the first `want` matches of the query (asking the store for one more, to know
    /// whether there are more).
    pub(in crate::tui::app) fn fetch_matches(&mut self, want: usize) {
        let want = want.clamp(1, find::MAX_RESULTS);
        let units = match self.store.find_units(&self.find.query, want + 1) {
            Ok(units) => units,
            Err(e) => {
                self.find.results.clear();
                self.find.more = false;
                self.fail(&e);
                return;
            }
        };
        self.find.more = units.len() > want;
        let mut parents: std::collections::HashMap<String, Option<String>> = Default::default();
        let mut results = Vec::with_capacity(want);
        for u in units.into_iter().take(want) {
            let parent = match &u.parent {
                None => None,
                Some(p) => match parents.get(p) {
                    Some(name) => name.clone(),
                    None => {
                        let name = match self.store.unit(p) {
                            Ok(parent) => parent.map(|x| x.name),
                            Err(e) => {
                                self.fail(&e);
                                None
                            }
                        };
                        parents.insert(p.clone(), name.clone());
                        name
                    }
                },
            };
            results.push(Hit {
                code: u.code,
                name: u.name,
                parent,
            });
        }
        self.find.results = results;
        self.find.selected = self.find.selected.min(self.find.results.len().saturating_sub(1));
    }

    /// A result of the last search.
    pub fn find_entry(&self, i: usize) -> Option<&Hit> {
        self.find.results.get(i)
    }

    pub(in crate::tui::app) fn on_find(&mut self, action: Action) {
        if is_edit(action) {
            if self.find.query.apply(action) == Some(true) {
                self.run_find();
            }
            return;
        }
        // Moving down past the last match listed lists more first.
        if action == Action::Down && self.find.more && self.find.selected + 1 >= self.find.results.len() {
            self.fetch_matches(self.find.results.len() * 2);
        }
        let n = self.find.results.len();
        match action {
            Action::Up => self.find.selected = scroll::moved(self.find.selected, -1, n),
            Action::Down => self.find.selected = scroll::moved(self.find.selected, 1, n),
            Action::Choose => {
                // Only the matches listed are taken now: reading the rest (up to
                // `MAX_RESULTS` units and their parents' names) cost ~20 ms at national
                // size, over a frame; n and N read more when they step past these.
                let codes: Vec<String> = self.find.results.iter().map(|h| h.code.clone()).collect();
                if codes.is_empty() {
                    self.warn(S::NoMatch, &[&self.find.query.clone()]);
                    return;
                }
                self.find.open = false;
                self.find.current = self.find.selected.min(codes.len() - 1);
                self.find.matches = codes;
                self.find.matches_more = self.find.more;
                self.find.matches_capped = false;
                self.find.matched_query = self.find.query.as_str().to_string();
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
        let to = self.find.current as isize + delta;
        let read = if self.find.matches_more && to >= n as isize {
            // n past the last read: twice as many (a few ms), as ↓ does in the list.
            self.read_matches(n * 2)
        } else if self.find.matches_more && to < 0 {
            // N from the first goes to the last: all of them (~20 ms at national size).
            self.read_matches(find::MAX_RESULTS)
        } else {
            true
        };
        if !read {
            // The error stays on the status line, and the selection where it was.
            return;
        }
        let n = self.find.matches.len();
        if n == 0 {
            // The store changed since the search, and nothing matches it now.
            self.say(S::NoFindYet, &[]);
            return;
        }
        self.find.current = to.rem_euclid(n as isize) as usize;
        self.go_to_match();
    }

    /// Reads the accepted search's first `want` matches (at most `MAX_RESULTS`), in the same
    /// order: those read before are their first. `false` when the store could not be read
    /// (said on the status line).
    fn read_matches(&mut self, want: usize) -> bool {
        let want = want.clamp(1, find::MAX_RESULTS);
        match self.store.find_units(&self.find.matched_query, want + 1) {
            Ok(units) => {
                let more = units.len() > want;
                self.find.matches = units.into_iter().take(want).map(|u| u.code).collect();
                self.find.matches_more = more && want < find::MAX_RESULTS;
                self.find.matches_capped = more && want == find::MAX_RESULTS;
                true
            }
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    pub(in crate::tui::app) fn go_to_match(&mut self) {
        let Some(code) = self.find.matches.get(self.find.current).cloned() else {
            return;
        };
        match self.reveal(&code) {
            Ok(()) => {
                // "21+" while the matches past those listed are not read yet, "500+" when
                // more match than n/N step through.
                let more = if self.find.matches_more || self.find.matches_capped {
                    "+"
                } else {
                    ""
                };
                let n = format!("{}{more}", self.find.matches.len());
                self.say(S::MatchOf, &[&(self.find.current + 1).to_string(), &n]);
            }
            Err(e) => self.fail(&e),
        }
    }
}
