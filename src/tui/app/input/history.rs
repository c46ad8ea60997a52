//! The history view (`H`) of a unit or a record: what it shows, opening it, its keys.

use crate::history::Brief;
use crate::store::JournalEntry;
use crate::tui::action::Action;
use crate::tui::app::{App, Focus, Modal};
use crate::tui::details::{Content, Tab};
use crate::tui::history::{History, Scope};
use crate::tui::strings::S;

impl App {
    /// An entry in one line of words, units by name.
    pub(in crate::tui::app) fn entry_text(&self, entry: &JournalEntry) -> String {
        let what = crate::history::describe(entry, self.lang, &|code| {
            self.store.unit(code).ok().flatten().map(|u| u.name)
        });
        // Undoing one row of an import takes back the whole import: said.
        what + &crate::history::undo_scope(entry, self.lang)
    }

    /// What `H` shows: the record selected in the records table, else the selected unit
    /// (with the units below when `s` is on, as in the records tabs).
    pub(in crate::tui::app) fn history_scope(&self) -> Option<Scope> {
        if self.focus == Focus::Records {
            let lang = self.lang;
            let record = match self.details.tab {
                Tab::Evaluations => self
                    .selected_record(|c| match c {
                        Content::Evaluations(v) => Some(v),
                        _ => None,
                    })
                    .map(|(k, r)| (k, "evaluation", r.brief(lang))),
                Tab::Trainings => self
                    .selected_record(|c| match c {
                        Content::Trainings(v) => Some(v),
                        _ => None,
                    })
                    .map(|(k, r)| (k, "training", r.brief(lang))),
                Tab::Budget => self
                    .selected_record(|c| match c {
                        Content::Budget(v) => Some(v),
                        _ => None,
                    })
                    .map(|(k, r)| (k, "budget", r.brief(lang))),
                _ => None,
            };
            if let Some((key, kind, brief)) = record {
                let what = format!("{} {brief}", crate::history::kind_word(kind, lang));
                return Some(Scope::Record {
                    key: key.to_string(),
                    what,
                });
            }
        }
        self.selected_unit().map(|u| Scope::Unit {
            code: u.code.clone(),
            name: u.name.clone(),
            subtree: self.details.subtree,
        })
    }

    pub(in crate::tui::app) fn open_history(&mut self) {
        let Some(scope) = self.history_scope() else {
            return self.say(S::EmptyStore, &[]);
        };
        match History::load(&self.store, scope) {
            Ok(h) => self.modal = Some(Modal::History(Box::new(h))),
            Err(e) => self.fail(&e),
        }
    }

    pub(in crate::tui::app) fn on_history(&mut self, action: Action) {
        let Some(Modal::History(h)) = self.modal.as_mut() else {
            return;
        };
        let page = h.page.max(1) as isize;
        match action {
            Action::Up => h.move_by(-1),
            Action::Down => h.move_by(1),
            Action::PageUp => h.move_by(-page),
            Action::PageDown => h.move_by(page),
            Action::Home => h.move_by(isize::MIN / 2),
            Action::End => h.move_by(isize::MAX / 2),
            Action::ToggleSubtree => {
                let Scope::Unit { subtree, .. } = &mut h.scope else {
                    return self.say(S::HistoryRecordOnly, &[]);
                };
                // The title says which: `· 含下级`.
                *subtree = !*subtree;
                h.selected = 0;
                if let Err(e) = h.reload(&self.store) {
                    self.fail(&e);
                }
            }
            Action::Quit => self.quit = true,
            _ => self.modal = None,
        }
    }
}
