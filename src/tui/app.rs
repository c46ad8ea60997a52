//! The application's state and what each action does to it: the tree, the details pane, the
//! as-of date, the open form and picker, the find prompt, confirmations and the status line.
//! Keys become actions in `keymap`; this module decides the outcome, calling the library for
//! every read and write. A failed write becomes a message; the UI goes on.

use super::action::Action;
use super::details::{Content, Details, Tab};
use super::find::{self, Find, Index};
use super::fmt;
use super::form::{FieldKind, Form, FormKind, UnitRef};
use super::history::{History, Scope};
use super::keymap::{self, Ctx};
use super::picker::{Choice, Picker};
use super::records::{self, Built, Recent};
use super::strings::{fill, tr, S};
use super::tree::Tree;
use super::view;
use crate::domain::date::last_day_of_month;
use crate::domain::RecordId;
use crate::domain::*;
use crate::history::Brief;
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::store::{JournalEntry, StoreError};
use chrono::{Datelike, NaiveDate};
use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::layout::Rect;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Tree,
    Records,
}

/// What a confirmation does when confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Quit,
    DiscardForm,
    DeleteEvaluation(RecordId),
    DeleteTraining(RecordId),
    /// Delete the unit of this code (it has no units below and no records).
    DeleteUnit(String),
    /// Undo the journal entry of this id, the newest change when it was asked.
    Undo(u64),
    /// Save the open form although it looks mistaken (the question said how).
    SaveForm,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modal {
    /// A question; `y` confirms, any other key cancels.
    Confirm { question: String, then: Pending },
    /// Every key, from the keymap; `offset` is the first line shown.
    Help { offset: usize },
    /// The change history of a unit or a record.
    History(Box<History>),
    /// Asks for an as-of date (`g`); `error` says why the last one typed was not taken.
    DatePrompt { text: String, error: Option<String> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// A tree row's figures: its subtree's coverage (levels below it), allocated and spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    pub covered: i64,
    pub units: i64,
    pub allocated: Fen,
    pub spent: Fen,
}

/// `set_depth` stops opening units beyond this many rows.
const MAX_TREE_ROWS: usize = 20_000;

pub struct App {
    pub store: Registry,
    pub lang: Lang,
    pub today: NaiveDate,
    pub as_of: NaiveDate,
    pub tree: Tree,
    pub details: Details,
    pub focus: Focus,
    /// The details pane takes the whole width.
    pub zoom: bool,
    pub form: Option<Form>,
    pub picker: Option<Picker>,
    pub find: Find,
    index: Option<Index>,
    pub modal: Option<Modal>,
    pub status: Option<Status>,
    /// Figures of tree rows as of `as_of`, filled for the rows on screen.
    pub figures: HashMap<String, Figures>,
    pub recent: Recent,
    pub quit: bool,
    /// Rows of the list the last frame showed (for PgUp/PgDn).
    page: usize,
    /// Lines of the help the last frame showed (for PgUp/PgDn there).
    help_page: usize,
    ids: u32,
    /// The budget entry the open reversing form reverses (its key), set when `r` opens it.
    reversing: Option<RecordId>,
    /// A new unit's code that was warned about (unlike its siblings'): Enter again saves it.
    code_warned: Option<String>,
}

/// The end of the month before the month of `d`.
pub fn month_back(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 1 {
        (d.year() - 1, 12)
    } else {
        (d.year(), d.month() - 1)
    };
    last_day_of_month(y, m).unwrap_or(d)
}

/// The end of `d`'s month, or of the next month when `d` is a month end; never after `today`.
pub fn month_forward(d: NaiveDate, today: NaiveDate) -> NaiveDate {
    let end = last_day_of_month(d.year(), d.month()).unwrap_or(d);
    let next = if end == d {
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        last_day_of_month(y, m).unwrap_or(d)
    } else {
        end
    };
    next.min(today).max(d)
}

/// The last day of the year before `d`'s.
pub fn year_back(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() - 1, 12, 31).unwrap_or(d)
}

/// The end of `d`'s year, or of the next year when `d` is 31 December; never after `today`.
pub fn year_forward(d: NaiveDate, today: NaiveDate) -> NaiveDate {
    let end = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d);
    let next = if end == d {
        NaiveDate::from_ymd_opt(d.year() + 1, 12, 31).unwrap_or(d)
    } else {
        end
    };
    next.min(today).max(d)
}

impl App {
    /// The UI over an open store, showing its roots, as of `today`.
    pub fn new(store: Registry, lang: Lang, today: NaiveDate) -> Result<App, StoreError> {
        let tree = Tree::load_open(&store)?;
        Ok(App {
            store,
            lang,
            today,
            as_of: today,
            tree,
            details: Details::default(),
            focus: Focus::Tree,
            zoom: false,
            form: None,
            picker: None,
            find: Find::default(),
            index: None,
            modal: None,
            status: None,
            figures: HashMap::new(),
            recent: Recent::default(),
            quit: false,
            page: 10,
            help_page: 10,
            ids: 0,
            reversing: None,
            code_warned: None,
        })
    }

    // ---- messages ----

    pub fn t(&self, s: S) -> &'static str {
        tr(self.lang, s)
    }

    pub fn say(&mut self, s: S, args: &[&str]) {
        self.status = Some(Status {
            text: fill(self.t(s), args),
            error: false,
        });
    }

    pub fn warn(&mut self, s: S, args: &[&str]) {
        self.status = Some(Status {
            text: fill(self.t(s), args),
            error: true,
        });
    }

    /// A store error becomes a message; the UI goes on.
    pub fn fail(&mut self, e: &StoreError) {
        let text = e.message(self.lang).replace('\n', " ");
        self.status = Some(Status { text, error: true });
    }

    /// Says that the store was just created with the Xishan data.
    pub fn first_run(&mut self, dir: &std::path::Path) {
        self.say(S::FirstRun, &[&dir.display().to_string()]);
    }

    // ---- where the keyboard is ----

    pub fn context(&self) -> Ctx {
        match &self.modal {
            Some(Modal::Confirm { .. }) => Ctx::Confirm,
            Some(Modal::Help { .. }) => Ctx::Help,
            Some(Modal::History(_)) => Ctx::History,
            Some(Modal::DatePrompt { .. }) => Ctx::DatePrompt,
            None if self.picker.is_some() => Ctx::Picker,
            None if self.form.is_some() => Ctx::Form,
            None if self.find.open => Ctx::Find,
            None if self.focus == Focus::Records => Ctx::Records,
            None => Ctx::Tree,
        }
    }

    pub fn selected_unit(&self) -> Option<&Unit> {
        self.tree.selected().map(|r| &r.unit)
    }

    fn selected_ref(&self) -> Option<UnitRef> {
        self.selected_unit().map(unit_ref)
    }

    /// A key press (releases are ignored).
    pub fn on_key(&mut self, event: KeyEvent) {
        if event.kind == KeyEventKind::Release {
            return;
        }
        if let Some(action) = keymap::lookup(self.context(), &event) {
            self.apply(action);
        }
    }

    /// Pasted text goes to the focused input, if any.
    pub fn on_paste(&mut self, text: &str) {
        let one_line: String = text.replace(['\r', '\n', '\t'], " ");
        if let Some(Modal::DatePrompt { text, .. }) = self.modal.as_mut() {
            text.push_str(one_line.trim());
        } else if let Some(p) = self.picker.as_mut() {
            p.filter.push_str(one_line.trim());
            self.refilter_picker();
        } else if let Some(form) = self.form.as_mut() {
            if form.insert(&one_line) {
                self.recheck();
            }
        } else if self.find.open {
            self.find
                .query
                .insert_str(self.find.caret.min(self.find.query.len()), &one_line);
            self.find.caret += one_line.len();
            self.run_find();
        }
    }

    pub fn apply(&mut self, action: Action) {
        self.status = None;
        match self.context() {
            Ctx::Confirm => self.on_confirm(action),
            Ctx::Help => self.on_help(action),
            Ctx::History => self.on_history(action),
            Ctx::Picker => self.on_picker(action),
            Ctx::Form => self.on_form(action),
            Ctx::Find => self.on_find(action),
            Ctx::DatePrompt => self.on_date_prompt(action),
            _ => self.on_main(action),
        }
    }

    fn request_quit(&mut self) {
        if self.form.as_ref().is_some_and(|f| f.changed()) {
            self.picker = None;
            self.modal = Some(Modal::Confirm {
                question: self.t(S::AskQuit).to_string(),
                then: Pending::Quit,
            });
        } else {
            self.quit = true;
        }
    }

    // ---- the tree and the details pane ----

    fn on_main(&mut self, action: Action) {
        let page = self.page.max(1) as isize;
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Home | Action::End => {
                let delta = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Home => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                if self.focus == Focus::Records {
                    self.details.move_by(delta);
                } else {
                    self.tree.move_by(delta);
                }
            }
            Action::Open => self.open_selected(),
            Action::Close => {
                let i = self.tree.selected;
                if self.tree.rows.get(i).is_some_and(|r| r.open) {
                    self.tree.close(i);
                } else if let Some(p) = self.tree.parent_of(i) {
                    self.tree.selected = p;
                }
            }
            Action::Depth(n) => match self.tree.set_depth(&self.store, n as usize, MAX_TREE_ROWS) {
                Ok(true) => self.say(S::DepthShown, &[&n.to_string()]),
                Ok(false) => self.warn(S::DepthTooMany, &[&MAX_TREE_ROWS.to_string()]),
                Err(e) => self.fail(&e),
            },
            Action::NextTab => self.details.tab = self.details.tab.next(),
            Action::PrevTab => self.details.tab = self.details.tab.prev(),
            Action::ToggleFocus => {
                self.focus = match self.focus {
                    Focus::Tree => Focus::Records,
                    Focus::Records => Focus::Tree,
                };
            }
            Action::ToggleSubtree => {
                self.details.subtree = !self.details.subtree;
                self.say(
                    if self.details.subtree {
                        S::SubtreeOn
                    } else {
                        S::SubtreeOff
                    },
                    &[],
                );
            }
            Action::Zoom => self.zoom = !self.zoom,
            Action::DetailsDown => self.details.move_by(1),
            Action::DetailsUp => self.details.move_by(-1),
            Action::MonthBack => self.set_as_of(month_back(self.as_of)),
            Action::MonthForward => self.set_as_of(month_forward(self.as_of, self.today)),
            Action::YearBack => self.set_as_of(year_back(self.as_of)),
            Action::YearForward => self.set_as_of(year_forward(self.as_of, self.today)),
            Action::Today => self.set_as_of(self.today),
            Action::GoToDate => {
                self.modal = Some(Modal::DatePrompt {
                    text: String::new(),
                    error: None,
                })
            }
            Action::Find => self.open_find(),
            Action::FindNext => self.step_match(1),
            Action::FindPrev => self.step_match(-1),
            Action::AddTraining => self.open_record_form(Tab::Trainings),
            Action::AddEvaluation => self.open_record_form(Tab::Evaluations),
            Action::AddBudget => self.open_record_form(Tab::Budget),
            Action::AddUnit => self.open_unit_form(false),
            Action::EditUnit => self.open_unit_form(true),
            Action::Reverse => self.reverse_selected(),
            Action::Delete => self.delete_selected(),
            Action::DeleteUnit => self.request_delete_unit(),
            Action::History => self.open_history(),
            Action::Undo => self.request_undo(),
            Action::Help => self.modal = Some(Modal::Help { offset: 0 }),
            Action::Quit => self.request_quit(),
            Action::Cancel => {
                self.find.matches.clear();
            }
            _ => {}
        }
    }

    fn open_selected(&mut self) {
        let i = self.tree.selected;
        let Some(row) = self.tree.rows.get(i) else { return };
        if row.open {
            // Already open: step into it.
            self.tree.move_by(1);
            return;
        }
        match self.tree.open(&self.store, i) {
            Ok(true) => {}
            Ok(false) => self.say(S::NoChildrenHere, &[]),
            Err(e) => self.fail(&e),
        }
    }

    fn set_as_of(&mut self, d: NaiveDate) {
        if d != self.as_of {
            self.as_of = d;
            self.figures.clear();
        }
        self.say(S::AsOfSet, &[&fmt::date(d)]);
    }

    /// The `g` prompt: a date in any form the importer reads (a partial date means the end
    /// of its month or year), not after today.
    fn on_date_prompt(&mut self, action: Action) {
        let Some(Modal::DatePrompt { text, error }) = self.modal.as_mut() else {
            return;
        };
        match action {
            Action::Input(c) => {
                text.push(c);
                *error = None;
            }
            Action::Backspace => {
                text.pop();
                *error = None;
            }
            Action::ClearField => {
                text.clear();
                *error = None;
            }
            Action::Cancel => self.modal = None,
            Action::Quit => self.quit = true,
            Action::Choose => {
                let typed = text.trim().to_string();
                let lang = self.lang;
                if typed.is_empty() {
                    *error = Some(tr(lang, S::TypeADate).to_string());
                    return;
                }
                let problem = match crate::domain::date::parse_as_of(&typed) {
                    Ok(d) if d > self.today => {
                        Some(fill(tr(lang, S::DateAfterToday), &[&typed, &fmt::date(self.today)]))
                    }
                    Ok(d) => {
                        self.modal = None;
                        self.set_as_of(d);
                        return;
                    }
                    Err(crate::domain::date::DateError::OutOfRange(_)) => {
                        Some(fill(tr(lang, S::ErrDateRange), &[&typed]))
                    }
                    Err(_) => Some(fill(tr(lang, S::ErrDate), &[&typed])),
                };
                *error = problem;
            }
            _ => {}
        }
    }

    // ---- find ----

    fn ensure_index(&mut self) -> bool {
        if self.index.is_none() {
            match Index::build(&self.store) {
                Ok(i) => self.index = Some(i),
                Err(e) => {
                    self.fail(&e);
                    return false;
                }
            }
        }
        true
    }

    fn open_find(&mut self) {
        if !self.ensure_index() {
            return;
        }
        self.find.open = true;
        self.find.query.clear();
        self.find.caret = 0;
        self.find.results.clear();
        self.find.selected = 0;
        self.find.offset = 0;
    }

    fn run_find(&mut self) {
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

    fn on_find(&mut self, action: Action) {
        match action {
            Action::Input(c) => {
                let at = self.find.caret.min(self.find.query.len());
                self.find.query.insert(at, c);
                self.find.caret = at + c.len_utf8();
                self.run_find();
            }
            Action::Backspace if self.find.caret > 0 => {
                let start = fmt::prev_boundary(&self.find.query, self.find.caret);
                self.find.query.replace_range(start..self.find.caret, "");
                self.find.caret = start;
                self.run_find();
            }
            Action::Up => self.find.selected = self.find.selected.saturating_sub(1),
            Action::Down if self.find.selected + 1 < self.find.results.len() => self.find.selected += 1,
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

    fn step_match(&mut self, delta: isize) {
        let n = self.find.matches.len();
        if n == 0 {
            self.say(S::NoFindYet, &[]);
            return;
        }
        self.find.current = (self.find.current as isize + delta).rem_euclid(n as isize) as usize;
        self.go_to_match();
    }

    fn go_to_match(&mut self) {
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

    /// Opens the way to a unit and selects it.
    pub fn reveal(&mut self, code: &str) -> Result<(), StoreError> {
        let path = self.store.path_to(code)?;
        self.tree.reveal(&self.store, &path)?;
        Ok(())
    }

    // ---- forms ----

    fn writable(&mut self) -> bool {
        if self.store.is_readonly() {
            self.fail(&StoreError::ReadOnly);
            false
        } else {
            true
        }
    }

    fn open_form(&mut self, form: Form) {
        self.form = Some(form);
        self.picker = None;
        self.recheck();
    }

    /// Reads the open form again (problems and notes beside its fields), and says beside a
    /// date that it looks mistaken (after today, before the station opened).
    fn recheck(&mut self) {
        let Some(form) = self.form.as_mut() else { return };
        let Some(built) = records::check(form) else { return };
        let reversing = matches!(form.kind, super::form::FormKind::Budget { reversing: true });
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

    fn open_record_form(&mut self, tab: Tab) {
        if !self.writable() {
            return;
        }
        let Some(unit) = self.selected_ref() else {
            return self.say(S::EmptyStore, &[]);
        };
        let form = match tab {
            Tab::Trainings => records::training_form(self.today, unit, &self.recent),
            Tab::Evaluations => records::evaluation_form(self.today, unit, &self.recent),
            _ => records::budget_form(self.today, unit, &self.recent),
        };
        // Show the list the new record will join.
        self.details.tab = tab;
        self.open_form(form);
    }

    fn open_unit_form(&mut self, edit: bool) {
        if !self.writable() {
            return;
        }
        let selected = self.selected_unit().cloned();
        let form = if edit {
            let Some(unit) = selected else { return };
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
        self.open_form(form);
    }

    fn selected_record<R: Clone>(
        &self,
        pick: impl Fn(&Content) -> Option<&Vec<(RecordId, R)>>,
    ) -> Option<(RecordId, R)> {
        let loaded = self.details.loaded.as_ref()?;
        pick(&loaded.content)?.get(self.details.selected).cloned()
    }

    fn reverse_selected(&mut self) {
        if self.details.tab != Tab::Budget {
            self.say(S::ReverseOnlyBudget, &[]);
            return;
        }
        if !self.writable() {
            return;
        }
        let Some((key, entry)) = self.selected_record(|c| match c {
            Content::Budget(v) => Some(v),
            _ => None,
        }) else {
            self.say(S::NothingSelected, &[]);
            return;
        };
        // Reversed already, or a reversal itself: the store's words say so before any typing.
        if let Err(e) = self.store.check_reversible(&key) {
            return self.fail(&e);
        }
        let unit = match self.store.unit(&entry.unit) {
            Ok(Some(u)) => unit_ref(&u),
            Ok(None) => return self.fail(&StoreError::UnknownUnit(entry.unit.clone())),
            Err(e) => return self.fail(&e),
        };
        let form = records::reversing_form(self.today, unit, &entry);
        self.open_form(form);
        self.reversing = Some(key);
    }

    fn delete_selected(&mut self) {
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

    fn name_of(&self, code: &str) -> String {
        self.details
            .loaded
            .as_ref()
            .and_then(|l| l.names.get(code).cloned())
            .unwrap_or_else(|| code.to_string())
    }

    fn on_form(&mut self, action: Action) {
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
            Action::LineStart => form.line_start(),
            Action::LineEnd => form.line_end(),
            Action::Backspace => changed = form.backspace(),
            Action::DeleteForward => changed = form.delete_forward(),
            Action::ClearField => changed = form.clear_field(),
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

    fn open_picker(&mut self, first: Option<char>) {
        let Some(form) = self.form.as_ref() else { return };
        let Some(field) = form.focused() else { return };
        if field.locked {
            return;
        }
        let at = form.focus;
        let mut picker = match &field.kind {
            FieldKind::Choice { options } => {
                let mut p = Picker::options(
                    at,
                    options,
                    !field.required,
                    (tr(Lang::Zh, S::NotStated), tr(Lang::En, S::NotStated)),
                );
                p.select_value(&Choice::Option(field.choice));
                p
            }
            FieldKind::Unit | FieldKind::Units => {
                let nearby = self.tree.rows.iter().take(300).map(|r| unit_ref(&r.unit)).collect();
                let mut p = Picker::units(at, nearby);
                if let Some(u) = field.units.first() {
                    p.select_value(&Choice::Unit(u.clone()));
                }
                p
            }
            _ => return,
        };
        if let Some(c) = first {
            picker.filter.push(c);
        }
        self.picker = Some(picker);
        if first.is_some() {
            self.refilter_picker();
        }
    }

    fn refilter_picker(&mut self) {
        let units = self
            .picker
            .as_ref()
            .is_some_and(|p| p.source == super::picker::Source::Units);
        if units && !self.ensure_index() {
            return;
        }
        if let Some(p) = self.picker.as_mut() {
            p.refilter(self.index.as_ref());
        }
    }

    fn on_picker(&mut self, action: Action) {
        let page = self.page.max(1) as isize;
        let Some(p) = self.picker.as_mut() else { return };
        match action {
            Action::Up => p.move_by(-1),
            Action::Down => p.move_by(1),
            Action::PageUp => p.move_by(-page),
            Action::PageDown => p.move_by(page),
            Action::Backspace if !p.filter.is_empty() => {
                p.filter.pop();
                self.refilter_picker();
            }
            Action::ClearField => {
                p.filter.clear();
                self.refilter_picker();
            }
            Action::Input(c) => {
                p.filter.push(c);
                self.refilter_picker();
            }
            Action::Cancel => self.picker = None,
            Action::Quit => self.request_quit(),
            Action::Choose => {
                let Some(item) = p.chosen().cloned() else { return };
                let field = p.field;
                self.picker = None;
                if let Some(form) = self.form.as_mut() {
                    match item.value {
                        Choice::Option(c) => form.set_choice(field, c),
                        Choice::Unit(u) => form.set_unit(field, u),
                    }
                    // Ready for the next field: the quick path for clerks.
                    if !matches!(form.fields.get(field).map(|f| &f.kind), Some(FieldKind::Units)) {
                        form.next_field();
                    }
                }
                self.recheck();
            }
            _ => {}
        }
    }

    fn new_id(&mut self, kind: char) -> String {
        self.ids += 1;
        let now = chrono::Local::now();
        format!("UI-{kind}-{}-{}", now.format("%Y%m%d-%H%M%S%3f"), self.ids)
    }

    fn save_form(&mut self) {
        self.save_form_checked(false)
    }

    /// What looks like a mistake in a record a form built, in words (empty when nothing
    /// does): a date after today, a date before the station opened, a negative allocation
    /// (a correction, not money given).
    fn likely_mistakes(&self, built: &Built, reversing: bool) -> Vec<(&'static str, (String, String))> {
        let both = |s: S, args: &[&str]| (fill(tr(Lang::Zh, s), args), fill(tr(Lang::En, s), args));
        let mut out = Vec::new();
        let today = fmt::date(self.today);
        let dated = |field: &'static str, d: &PartialDate, out: &mut Vec<_>| {
            if d.start() > self.today {
                out.push((field, both(S::WarnAfterToday, &[&d.to_string(), &today])));
            }
        };
        let (date, station_of) = match built {
            Built::Training(r) => (Some(r.date), Some(r.host.as_str())),
            Built::Evaluation(r) => (Some(r.date), Some(r.unit.as_str())),
            Built::Budget(r) => (Some(r.date), None),
            Built::Unit(u) => {
                for (field, d) in [("opened_on", u.opened_on), ("closed_on", u.closed_on)] {
                    if let Some(d) = d {
                        dated(field, &d, &mut out);
                    }
                }
                (None, None)
            }
        };
        if let Some(d) = date {
            dated("date", &d, &mut out);
            // Sessions and evaluations of a station before it opened: likely a typo in the
            // year. (Money may well come before a station opens: not asked.)
            if let Some(code) = station_of {
                if let Ok(Some(unit)) = self.store.unit(code) {
                    if let Some(opened) = unit.opened_on {
                        if d.end() < opened.start() {
                            let args = [d.to_string(), unit.name.clone(), opened.to_string()];
                            let args: Vec<&str> = args.iter().map(String::as_str).collect();
                            out.push(("date", both(S::WarnBeforeOpened, &args)));
                        }
                    }
                }
            }
        }
        if let Built::Budget(b) = built {
            if !reversing && b.kind == BudgetKind::Allocation && b.amount.0 < 0 {
                out.push(("amount", both(S::WarnNegativeAllocation, &[&b.amount.yuan()])));
            }
        }
        out
    }

    fn save_form_checked(&mut self, confirmed: bool) {
        if !self.writable() {
            return;
        }
        let Some(form) = self.form.as_mut() else { return };
        form.attempted = true;
        let Some(built) = records::check(form) else {
            let n = form.shown_problems().max(1);
            if let Some(i) = (0..form.fields.len()).find(|i| form.shows_problem(*i).is_some()) {
                form.focus = i;
            }
            self.warn(S::FixFirst, &[&n.to_string()]);
            return;
        };
        let form_kind = form.kind.clone();
        // A new unit's code unlike its siblings' (the parent's digits `+` filled in, saved as
        // they are): warned once, saved on the second Enter.
        if let (FormKind::NewUnit, Built::Unit(u)) = (&form_kind, &built) {
            let warn = match code_unlike_siblings(&self.store, u) {
                Ok(w) => w,
                Err(e) => return self.fail(&e),
            };
            if let Some((example, sibling)) = warn {
                if self.code_warned.as_deref() != Some(u.code.as_str()) {
                    self.code_warned = Some(u.code.clone());
                    let said = if sibling {
                        S::CodeUnlikeSiblings
                    } else {
                        S::CodeUnlikeParent
                    };
                    return self.warn(said, &[&example]);
                }
            }
        }
        self.code_warned = None;
        let reversing_form = matches!(form_kind, FormKind::Budget { reversing: true });
        if !confirmed {
            let lang = self.lang;
            let mistakes: Vec<String> = self
                .likely_mistakes(&built, reversing_form)
                .into_iter()
                .map(|(_, (zh, en))| lang.pick(&zh, &en).to_string())
                .collect();
            if !mistakes.is_empty() {
                // The form keeps saying them beside its fields under the question.
                self.recheck();
                let question = format!("{}\n{}", mistakes.join("\n"), self.t(S::AskSaveAnyway));
                self.modal = Some(Modal::Confirm {
                    question,
                    then: Pending::SaveForm,
                });
                return;
            }
        }
        let reversing = if reversing_form { self.reversing.clone() } else { None };
        let built = match &built {
            Built::Training(_) => built.with_id(self.new_id('T')),
            Built::Evaluation(_) => built.with_id(self.new_id('E')),
            Built::Budget(_) => built.with_id(self.new_id('B')),
            Built::Unit(_) => built,
        };
        let result = match &built {
            Built::Training(t) => self.store.add_records(std::slice::from_ref(t)).map(|o| o.added),
            Built::Evaluation(e) => self.store.add_records(std::slice::from_ref(e)).map(|o| o.added),
            Built::Budget(b) => match reversing {
                Some(of) => self.store.reverse_budget(&of, b).map(|_| 1),
                None => self.store.add_records(std::slice::from_ref(b)).map(|o| o.added),
            },
            Built::Unit(u) => self
                .store
                .apply_units(std::slice::from_ref(u))
                .map(|o| o.added + o.updated),
        };
        match result {
            Ok(_) => {
                records::remember(&mut self.recent, &built);
                self.form = None;
                self.reversing = None;
                self.after_write(matches!(built, Built::Unit(_)));
                let lang = self.lang;
                let (s, what) = match &built {
                    Built::Training(t) => (S::SavedTraining, format!("{} {}", t.date, t.kind.label(lang))),
                    Built::Evaluation(e) => (S::SavedEvaluation, format!("{} {}", e.date, e.kind.label(lang))),
                    Built::Budget(b) => {
                        let mut what = format!("{} {} {}", b.date, b.kind.label(lang), fmt::money(b.amount, lang));
                        // A negative allocation was saved as what it is: a correction.
                        if b.kind == BudgetKind::Allocation && b.amount.0 < 0 {
                            what.push_str(tr(lang, S::NoteCorrection));
                        }
                        (S::SavedBudget, what)
                    }
                    Built::Unit(u) => (S::SavedUnit, u.name.clone()),
                };
                self.say(s, &[&what]);
                if let Built::Unit(u) = &built {
                    let code = u.code.clone();
                    if let Err(e) = self.reveal(&code) {
                        self.fail(&e);
                    }
                }
            }
            Err(StoreError::Rejected(problems)) => {
                let n = problems.len();
                if let Some(form) = self.form.as_mut() {
                    for p in problems {
                        form.put_problem(p.problem);
                    }
                }
                self.warn(S::FixFirst, &[&n.to_string()]);
            }
            Err(e) => self.fail(&e),
        }
    }

    /// Everything read before a write may have changed.
    fn after_write(&mut self, units_changed: bool) {
        self.figures.clear();
        self.details.invalidate();
        if units_changed {
            self.index = None;
            if let Err(e) = self.tree.reload(&self.store) {
                self.fail(&e);
            }
        }
    }

    // ---- the change journal ----

    /// An entry in one line of words, units by name.
    fn entry_text(&self, entry: &JournalEntry) -> String {
        let what = crate::history::describe(entry, self.lang, &|code| {
            self.store.unit(code).ok().flatten().map(|u| u.name)
        });
        // Undoing one row of an import takes back the whole import: said.
        what + &crate::history::undo_scope(entry, self.lang)
    }

    /// What `H` shows: the record selected in the records table, else the selected unit
    /// (with the units below when `s` is on, as in the records tabs).
    fn history_scope(&self) -> Option<Scope> {
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

    fn open_history(&mut self) {
        let Some(scope) = self.history_scope() else {
            return self.say(S::EmptyStore, &[]);
        };
        match History::load(&self.store, scope) {
            Ok(h) => self.modal = Some(Modal::History(Box::new(h))),
            Err(e) => self.fail(&e),
        }
    }

    fn on_history(&mut self, action: Action) {
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

    /// `d` in the tree: asks to delete the selected unit, when nothing refers to it (the store
    /// checks again, and says why not).
    fn request_delete_unit(&mut self) {
        if !self.writable() {
            return;
        }
        let Some(unit) = self.selected_unit().cloned() else {
            return self.say(S::NothingSelected, &[]);
        };
        if let Err(e) = self.store.check_deletable(&unit.code) {
            return self.fail(&e);
        }
        let what = format!("{}（{}）", unit.name, unit.code);
        let what = if self.lang == Lang::Zh {
            what
        } else {
            format!("{} ({})", unit.name, unit.code)
        };
        self.modal = Some(Modal::Confirm {
            question: fill(self.t(S::AskDeleteUnit), &[&what]),
            then: Pending::DeleteUnit(unit.code),
        });
    }

    /// `u`: says what the newest change is and asks; or why nothing can be undone.
    fn request_undo(&mut self) {
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
    fn undo(&mut self, id: u64) {
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

    // ---- confirmations and help ----

    fn on_confirm(&mut self, action: Action) {
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

    fn after_delete(&mut self, r: Result<(), StoreError>) {
        match r {
            Ok(()) => {
                self.after_write(false);
                self.say(S::Deleted, &[]);
            }
            Err(e) => self.fail(&e),
        }
    }

    fn on_help(&mut self, action: Action) {
        let Some(Modal::Help { offset }) = self.modal.as_mut() else {
            return;
        };
        // The offset is kept within the help's lines by `prepare` (it knows the screen).
        let page = self.help_page.max(1);
        match action {
            Action::Up => *offset = offset.saturating_sub(1),
            Action::Down => *offset += 1,
            Action::PageUp => *offset = offset.saturating_sub(page),
            Action::PageDown => *offset += page,
            Action::Home => *offset = 0,
            Action::End => *offset = usize::MAX / 2,
            Action::Cancel => self.modal = None,
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    // ---- before drawing ----

    /// Reads what the next frame shows (figures of the rows on screen, the details tab) and
    /// keeps selections in view. Called with the frame's size before each draw.
    pub fn prepare(&mut self, area: Rect) {
        let areas = view::layout(area, self);
        let rows = areas.tree_rows();
        self.page = rows.max(1);
        self.tree.scroll_into_view(rows);
        let end = (self.tree.offset + rows).min(self.tree.rows.len());
        let mut error = None;
        for i in self.tree.offset..end {
            let code = self.tree.rows[i].unit.code.clone();
            if self.tree.rows[i].kids.is_none() {
                match self.store.has_children(&code) {
                    Ok(k) => self.tree.rows[i].kids = Some(k),
                    Err(e) => error = Some(e),
                }
            }
            if !self.figures.contains_key(&code) {
                let level = self.tree.rows[i].unit.level;
                match self.store.subtree_measures(&code, self.as_of) {
                    Ok(m) => {
                        let (covered, units) = super::tree::coverage_of(level, &m);
                        let figures = Figures {
                            covered,
                            units,
                            allocated: m.allocated(),
                            spent: m.spent(),
                        };
                        self.figures.insert(code, figures);
                    }
                    Err(e) => error = Some(e),
                }
            }
        }
        if let Some(code) = self.tree.selected_code().map(str::to_string) {
            if let Err(e) = self.details.load(&self.store, &code, self.as_of) {
                self.details.invalidate();
                error = Some(e);
            }
        }
        // The overview scrolls (when the records pane has the focus) within its lines.
        let overview_lines = match (&self.details.loaded, areas.details) {
            (Some(l), Some(r)) => match &l.content {
                Content::Overview { unit, parent, measures } => super::details::overview_lines(
                    unit,
                    parent.as_deref(),
                    measures,
                    self.as_of,
                    self.lang,
                    r.width.saturating_sub(2) as usize,
                )
                .len(),
                // The coverage tab scrolls its change lines under the chart: as many lines
                // as that takes past one screen.
                Content::Coverage(points) => {
                    let body = areas.detail_rows() + 1;
                    super::charts::coverage_scroll_max(points, self.lang, body as u16) + body
                }
                _ => 0,
            },
            _ => 0,
        };
        self.details.scroll_into_view(areas.detail_rows() + 1, overview_lines);
        if self.find.open {
            let h = rows.max(1);
            if self.find.selected < self.find.offset {
                self.find.offset = self.find.selected;
            } else if self.find.selected >= self.find.offset + h {
                self.find.offset = self.find.selected + 1 - h;
            }
        }
        if let Some(p) = self.picker.as_mut() {
            p.scroll_into_view(view::PICKER_ROWS);
        }
        if let Some(Modal::Help { offset }) = self.modal.as_mut() {
            let (rows, max) = view::help_scroll(area, self.lang);
            self.help_page = rows.saturating_sub(1).max(1);
            *offset = (*offset).min(max);
        }
        if let Some(Modal::History(h)) = self.modal.as_mut() {
            h.scroll_into_view(view::history_list_rows(&areas, h.entries.len()));
        }
        if let Some(e) = error {
            self.fail(&e);
        }
    }
}

pub fn unit_ref(u: &Unit) -> UnitRef {
    UnitRef {
        code: u.code.clone(),
        name: u.name.clone(),
        has_station: u.station != StationStatus::None,
    }
}

/// When a new unit's code does not follow its siblings' pattern (their length, and the prefix
/// they share with each other and the parent), a sibling's code to show as an example (with
/// `true`); with no siblings, the parent's code (with `false`) when the new code's length
/// differs from it. `None` when it follows the pattern, or there is nothing to compare with.
fn code_unlike_siblings(store: &Registry, unit: &Unit) -> Result<Option<(String, bool)>, StoreError> {
    let siblings: Vec<String> = match &unit.parent {
        Some(p) => store.children(p)?,
        None => store.roots()?,
    }
    .into_iter()
    .map(|u| u.code)
    .filter(|c| *c != unit.code)
    .collect();
    let Some(example) = siblings.first().cloned() else {
        return Ok(unit
            .parent
            .as_ref()
            .filter(|p| p.chars().count() != unit.code.chars().count())
            .map(|p| (p.clone(), false)));
    };
    let common = |a: &str, b: &str| -> String {
        a.chars()
            .zip(b.chars())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x)
            .collect()
    };
    let mut prefix = siblings.iter().skip(1).fold(example.clone(), |p, c| common(&p, c));
    if let Some(parent) = &unit.parent {
        prefix = common(&prefix, parent);
    }
    let len = unit.code.chars().count();
    let same_length = siblings.iter().any(|c| c.chars().count() == len);
    Ok((!same_length || !unit.code.starts_with(&prefix)).then_some((example, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn as_of_moves_by_month_and_year_ends() {
        let today = d(2026, 11, 27);
        assert_eq!(month_back(today), d(2026, 10, 31));
        assert_eq!(month_back(d(2021, 1, 31)), d(2020, 12, 31));
        assert_eq!(month_forward(d(2021, 4, 30), today), d(2021, 5, 31));
        assert_eq!(month_forward(d(2026, 10, 31), today), today);
        assert_eq!(year_back(today), d(2025, 12, 31));
        assert_eq!(year_forward(d(2020, 12, 31), today), d(2021, 12, 31));
        assert_eq!(year_forward(d(2025, 12, 31), today), today);
    }
}
