//! Questions and their answers (`Ctx::Confirm`): deleting a record or a unit, undoing the
//! newest change, discarding or saving a form; what each does once confirmed.

use crate::domain::{Evaluation, Training};
use crate::store::StoreError;
use crate::tui::action::Action;
use crate::tui::app::{App, Modal, Pending};
use crate::tui::details::{Content, Tab};
use crate::tui::strings::{fill, S};

impl App {
    pub(in crate::tui::app) fn delete_selected(&mut self) {
        if !self.writable() {
            return;
        }
        let lang = self.lang;
        let (question, then) = match self.details.tab {
            Tab::Evaluations => {
                let Some((key, e)) = self.selected_record(|c| match c {
                    Content::Evaluations(v) => Some(v),
                    _ => None,
                }) else {
                    return self.say(S::NothingSelected, &[]);
                };
                let what = format!("{} {} {}", e.date, e.kind.label(lang), self.name_of(&e.unit));
                (
                    fill(self.t(S::AskDeleteEvaluation), &[&what]),
                    Pending::DeleteEvaluation(key),
                )
            }
            Tab::Trainings => {
                let Some((key, t)) = self.selected_record(|c| match c {
                    Content::Trainings(v) => Some(v),
                    _ => None,
                }) else {
                    return self.say(S::NothingSelected, &[]);
                };
                let what = format!("{} {} {}", t.date, t.kind.label(lang), t.topic);
                (
                    fill(self.t(S::AskDeleteTraining), &[what.trim()]),
                    Pending::DeleteTraining(key),
                )
            }
            Tab::Budget => return self.say(S::BudgetNotDeleted, &[]),
            _ => return self.say(S::DeleteWhat, &[]),
        };
        self.modal = Some(Modal::Confirm { question, then });
    }

    /// `d` in the tree: asks to delete the selected unit, when nothing refers to it (the store
    /// checks again, and says why not).
    pub(in crate::tui::app) fn request_delete_unit(&mut self) {
        if !self.writable() {
            return;
        }
        let Some(unit) = self.selected_unit().cloned() else {
            return self.say(S::NothingSelected, &[]);
        };
        if let Err(e) = self.store.check_deletable(&unit.code) {
            return self.fail(&e);
        }
        let what = crate::words::say(self.lang, crate::words::J::UnitBrief, &[&unit.name, &unit.code]);
        self.modal = Some(Modal::Confirm {
            question: fill(self.t(S::AskDeleteUnit), &[&what]),
            then: Pending::DeleteUnit(unit.code),
        });
    }

    /// `u`: says what the newest change is and asks; or why nothing can be undone.
    pub(in crate::tui::app) fn request_undo(&mut self) {
        if !self.writable() {
            return;
        }
        let (id, entry) = match self.store.undo_target() {
            Ok(Some(target)) => target,
            Ok(None) => return self.say(S::NothingToUndo, &[]),
            Err(e) => return self.fail(&e),
        };
        let what = format!("#{id} {}", self.entry_text(&entry));
        if !entry.undoable() {
            // An import or an added unit: the store's own words say why and what to do.
            return self.fail(&StoreError::CannotUndo(what));
        }
        let question = fill(
            self.t(S::AskUndo),
            &[&what, &entry.operator, &crate::history::when(entry.at)],
        );
        self.modal = Some(Modal::Confirm {
            question,
            then: Pending::Undo(id),
        });
    }

    /// Undoes the change the confirmation named, and only that one.
    pub(in crate::tui::app) fn undo(&mut self, id: u64) {
        // Nothing else writes while the UI holds the store's lock; still, what was asked about
        // is what gets undone, or nothing.
        match self.store.undo_target() {
            Ok(Some((newest, _))) if newest == id => {}
            Ok(_) => return self.warn(S::UndoMoved, &[]),
            Err(e) => return self.fail(&e),
        }
        match self.store.undo_last() {
            Ok(entry) => {
                // The same reload as after a saved form: figures, the details, and the tree
                // when a unit's fields came back.
                self.after_write(entry.kind == "unit");
                let what = format!("#{id} {}", self.entry_text(&entry));
                self.say(S::Undone, &[&what]);
            }
            Err(e) => self.fail(&e),
        }
    }

    pub(in crate::tui::app) fn on_confirm(&mut self, action: Action) {
        let Some(Modal::Confirm { then, .. }) = self.modal.take() else {
            return;
        };
        if action != Action::Confirm {
            self.say(S::Cancelled, &[]);
            return;
        }
        match then {
            Pending::Quit => self.quit = true,
            Pending::DiscardForm => {
                self.form = None;
                self.picker = None;
            }
            Pending::DeleteEvaluation(key) => {
                let r = self.store.delete_record::<Evaluation>(&key).map(|_| ());
                self.after_delete(r);
            }
            Pending::DeleteTraining(key) => {
                let r = self.store.delete_record::<Training>(&key).map(|_| ());
                self.after_delete(r);
            }
            Pending::DeleteUnit(code) => match self.store.delete_unit(&code) {
                Ok(unit) => {
                    self.after_write(true);
                    // The clerk goes on where the unit was: at its parent.
                    if let Some(parent) = &unit.parent {
                        if let Err(e) = self.reveal(parent) {
                            return self.fail(&e);
                        }
                    }
                    self.say(S::DeletedUnit, &[&unit.name]);
                }
                Err(e) => self.fail(&e),
            },
            Pending::Undo(id) => self.undo(id),
            Pending::SaveForm => self.save_form_checked(true),
        }
    }

    pub(in crate::tui::app) fn after_delete(&mut self, r: Result<(), StoreError>) {
        match r {
            Ok(()) => {
                self.after_write(false);
                self.say(S::Deleted, &[]);
            }
            Err(e) => self.fail(&e),
        }
    }
}
