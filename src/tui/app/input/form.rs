//! Keys in an open form, and the forms the main keys open (a record, a unit, a reversal):
//! text fields edit through `TextInput` (in `form`), a choice or unit field opens the picker,
//! Enter saves (in `save`).

use crate::domain::{BudgetEntry, RecordId};
use crate::store::StoreError;
use crate::tui::action::Action;
use crate::tui::app::{unit_ref, App, Modal, Pending};
use crate::tui::details::{Content, Tab};
use crate::tui::form::{FieldKind, Form, FormKind, UnitRef};
use crate::tui::records;
use crate::tui::strings::S;

impl App {
    pub(in crate::tui::app) fn open_form(&mut self, form: Form) {
        self.form = Some(form);
        self.picker = None;
        self.recheck();
    }

    /// Reads the open form again (problems and notes beside its fields), and says beside a
    /// date that it looks mistaken (after today, before the station opened).
    pub(in crate::tui::app) fn recheck(&mut self) {
        let Some(form) = self.form.as_mut() else { return };
        let Some(built) = records::check(form) else { return };
        let reversing = matches!(form.kind, FormKind::Budget { reversing: true });
        let mistakes = self.likely_mistakes(&built, reversing);
        let Some(form) = self.form.as_mut() else { return };
        for (field, (zh, en)) in mistakes {
            if let Some(f) = form.field_mut(field) {
                if field != "amount" {
                    f.note = Some((format!("⚠ {zh}"), format!("⚠ {en}")));
                }
            }
        }
    }

    pub(in crate::tui::app) fn open_record_form(&mut self, tab: Tab) {
        if !self.writable() {
            return;
        }
        let Some(unit) = self.selected_ref() else {
            return self.say(S::EmptyStore, &[]);
        };
        let code = unit.code.clone();
        let form = match tab {
            Tab::Trainings => records::training_form(self.today, unit, &self.recent),
            Tab::Evaluations => {
                let schemes = match self.store.schemes() {
                    Ok(s) => s,
                    Err(e) => return self.fail(&e),
                };
                records::evaluation_form(self.today, unit, &self.recent, schemes)
            }
            _ => records::budget_form(self.today, unit, &self.recent),
        };
        // Show the list the new record will join.
        self.details.tab = tab;
        let mut form = form;
        self.mark_scope(&mut form, &code);
        self.open_form(form);
    }

    pub(in crate::tui::app) fn open_unit_form(&mut self, edit: bool) {
        if !self.writable() {
            return;
        }
        let selected = self.selected_unit().cloned();
        // A unit is written where it is (a change) or under its parent (a new one).
        let scope = selected.as_ref().map(|u| u.code.clone());
        let mut stamp = None;
        let mut form = if edit {
            let Some(unit) = selected else { return };
            // The stamp first, then the unit as stored now: a save in between is then refused
            // as a conflict, never overwritten unseen.
            let read = self
                .store
                .unit_stamp(&unit.code)
                .and_then(|s| Ok((s, self.store.unit(&unit.code)?)));
            let unit = match read {
                Ok((s, fresh)) => {
                    stamp = s;
                    fresh.unwrap_or(unit)
                }
                Err(e) => {
                    self.fail(&e);
                    return;
                }
            };
            let parent = match &unit.parent {
                Some(p) => match self.store.unit(p) {
                    Ok(u) => u.as_ref().map(unit_ref),
                    Err(e) => {
                        self.fail(&e);
                        return;
                    }
                },
                None => None,
            };
            records::edit_unit_form(&unit, parent)
        } else {
            records::new_unit_form(selected.map(|u| (unit_ref(&u), u.level)))
        };
        form.stamp = stamp;
        if let Some(code) = scope {
            self.mark_scope(&mut form, &code);
        }
        self.open_form(form);
    }

    /// A unit outside the units this login writes (a shared server's clerk) is said in the
    /// form's title before anything is typed; saving would be refused (exit 4's words).
    fn mark_scope(&mut self, form: &mut Form, code: &str) {
        match self.store.may_write(code) {
            Ok(true) => {}
            Ok(false) => {
                let (zh, en) = crate::words::both(crate::words::N::FormOutsideScope, &[&code]);
                form.title.0.push_str(&zh);
                form.title.1.push_str(&en);
            }
            Err(e) => self.fail(&e),
        }
    }

    pub(in crate::tui::app) fn reverse_selected(&mut self) {
        let Some((key, entry, unit)) = self.selected_reversible() else {
            return;
        };
        let form = records::reversing_form(self.today, unit, &entry);
        self.open_form(form);
        self.reversing = Some(key);
    }

    /// Opens the correction (更正) of the selected budget entry: a budget form holding its
    /// values; saving stores its reversal and the corrected entry together.
    pub(in crate::tui::app) fn correct_selected(&mut self) {
        if self.details.tab == Tab::Evaluations {
            return self.correct_selected_evaluation();
        }
        let Some((key, entry, unit)) = self.selected_reversible() else {
            return;
        };
        let form = records::correcting_form(self.today, unit, key, &entry);
        self.open_form(form);
    }

    /// Opens the correction (更正) of the selected evaluation (issue 15: its points mistyped):
    /// an evaluation form holding its values; saving deletes it and adds the corrected one
    /// together.
    fn correct_selected_evaluation(&mut self) {
        if !self.writable() {
            return;
        }
        let Some((key, e)) = self.selected_record(|c| match c {
            Content::Evaluations(v) => Some(v),
            _ => None,
        }) else {
            return self.say(S::NothingSelected, &[]);
        };
        let read = self.store.unit(&e.unit).and_then(|u| Ok((u, self.store.schemes()?)));
        let (unit, schemes) = match read {
            Ok((Some(u), schemes)) => (unit_ref(&u), schemes),
            Ok((None, _)) => return self.fail(&StoreError::UnknownUnit(e.unit.clone())),
            Err(err) => return self.fail(&err),
        };
        let code = unit.code.clone();
        match records::correcting_evaluation_form(self.today, unit, key, &e, schemes) {
            Some(mut form) => {
                self.mark_scope(&mut form, &code);
                self.open_form(form);
            }
            None => {
                let scheme = e.points.map(|p| p.scheme).unwrap_or_default();
                self.warn(S::CorrectionSchemeMissing, &[scheme.as_str()]);
            }
        }
    }

    /// The selected budget entry that a reversal or a correction may take back, with its id and
    /// unit; `None` after saying why not (not the budget tab, read-only, nothing selected, or,
    /// in the store's words before any typing, reversed already or a reversal itself).
    fn selected_reversible(&mut self) -> Option<(RecordId, BudgetEntry, UnitRef)> {
        if self.details.tab != Tab::Budget {
            self.say(S::ReverseOnlyBudget, &[]);
            return None;
        }
        if !self.writable() {
            return None;
        }
        let Some((key, entry)) = self.selected_record(|c| match c {
            Content::Budget(v) => Some(v),
            _ => None,
        }) else {
            self.say(S::NothingSelected, &[]);
            return None;
        };
        if let Err(e) = self.store.check_reversible(&key) {
            self.fail(&e);
            return None;
        }
        match self.store.unit(&entry.unit) {
            Ok(Some(u)) => Some((key, entry, unit_ref(&u))),
            Ok(None) => {
                self.fail(&StoreError::UnknownUnit(entry.unit.clone()));
                None
            }
            Err(e) => {
                self.fail(&e);
                None
            }
        }
    }

    pub(in crate::tui::app) fn on_form(&mut self, action: Action) {
        let Some(form) = self.form.as_mut() else { return };
        let mut changed = false;
        match action {
            Action::Save => return self.save_form(),
            Action::Cancel => {
                if form.changed() {
                    self.modal = Some(Modal::Confirm {
                        question: self.t(S::AskDiscard).to_string(),
                        then: Pending::DiscardForm,
                    });
                } else {
                    self.form = None;
                }
                return;
            }
            Action::Quit => return self.request_quit(),
            Action::NextField => {
                form.next_field();
                changed = true;
            }
            Action::PrevField => {
                form.prev_field();
                changed = true;
            }
            Action::Left => changed = form.left_right(false),
            Action::Right => changed = form.left_right(true),
            Action::WordLeft => form.word_step(false),
            Action::WordRight => form.word_step(true),
            Action::LineStart => form.line_start(),
            Action::LineEnd => form.line_end(),
            Action::Backspace => changed = form.backspace(),
            Action::DeleteForward => changed = form.delete_forward(),
            Action::ClearField => changed = form.clear_field(),
            // A scheme's few names have no picker: F2 (or a space) steps to the next, as →.
            Action::Pick | Action::Input(' ')
                if form
                    .focused()
                    .is_some_and(|f| matches!(f.kind, FieldKind::Scheme { .. })) =>
            {
                changed = form.left_right(true)
            }
            Action::Pick => return self.open_picker(None),
            Action::Input(c) => {
                let is_text = form.focused().is_some_and(|f| f.is_text());
                if is_text {
                    changed = form.insert(&c.to_string());
                } else if c == ' ' {
                    return self.open_picker(None);
                } else {
                    return self.open_picker(Some(c));
                }
            }
            _ => {}
        }
        if changed {
            self.recheck();
        }
    }
}
