//! The application's state (the tree, the details pane, the as-of date, the open form and
//! picker, the find prompt, confirmations and the status line) and where an action goes: keys
//! become actions in `keymap`, `apply` hands each to the context that has the keyboard. What
//! each context does is in `input` (one module per context); saving a form and what a write
//! makes stale in `save`; other sessions' changes in `live`; the server going away in
//! `outage`; reading what a frame shows in `prepare`. Every read and write calls
//! the library; a failed write becomes a message and the UI goes on.

use super::action::Action;
use super::details::{Content, Details};
use super::find::{Find, Index};
use super::form::{Form, UnitRef};
use super::history::History;
use super::keymap::{self, Ctx};
use super::picker::Picker;
use super::records::Recent;
use super::strings::{fill, tr, S};
use super::text_input::TextInput;
use super::tree::Tree;
use crate::domain::*;
use crate::i18n::Lang;
use crate::registry::Registry;
use crate::store::StoreError;
use chrono::NaiveDate;
use crossterm::event::{KeyEvent, KeyEventKind};
use std::collections::HashMap;

mod input;
mod live;
mod outage;
mod prepare;
mod save;

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
    DatePrompt { text: TextInput, error: Option<String> },
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
    /// The shared server cannot be reached (the banner is up; `outage`).
    pub outage: Option<outage::Outage>,
}

impl App {
    /// The UI over an open store, showing its roots, as of `today`.
    pub fn new(store: Registry, lang: Lang, today: NaiveDate) -> Result<App, StoreError> {
        let tree = Tree::load_open(&store)?;
        // Keys and frames never wait on a try to reach a shared server again (`outage`).
        store.reconnect_in_background();
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
            outage: None,
        })
    }

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

    /// A store error becomes a message; the UI goes on. A server that cannot be reached also
    /// puts up the banner until it answers again (`outage`).
    pub fn fail(&mut self, e: &StoreError) {
        if let StoreError::Unreachable { server, .. } = e {
            self.server_lost(server);
        }
        let text = e.message(self.lang).replace('\n', " ");
        self.status = Some(Status { text, error: true });
    }

    /// Says that the store was just created with the Xishan data.
    pub fn first_run(&mut self, dir: &std::path::Path) {
        self.say(S::FirstRun, &[&dir.display().to_string()]);
    }

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
        // A date or a filter is one word: the spaces around a pasted one are dropped.
        if let Some(Modal::DatePrompt { text: typed, .. }) = self.modal.as_mut() {
            typed.paste(text.trim());
        } else if let Some(p) = self.picker.as_mut() {
            p.filter.paste(text.trim());
            self.refilter_picker();
        } else if let Some(form) = self.form.as_mut() {
            if form.insert(text) {
                self.recheck();
            }
        } else if self.find.open {
            self.find.query.paste(text);
            self.run_find();
        }
    }

    /// Carries out an action in the context that has the keyboard (`input::*`).
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

    fn ensure_index(&mut self) -> bool {
        if self.index.is_none() {
            match super::find::build_index(&self.store) {
                Ok(i) => self.index = Some(i),
                Err(e) => {
                    self.fail(&e);
                    return false;
                }
            }
        }
        true
    }

    /// Opens the way to a unit and selects it.
    pub fn reveal(&mut self, code: &str) -> Result<(), StoreError> {
        let path = self.store.path_to(code)?;
        self.tree.reveal(&self.store, &path)?;
        Ok(())
    }

    fn writable(&mut self) -> bool {
        if self.store.is_readonly() {
            self.fail(&self.store.readonly_error());
            false
        } else {
            true
        }
    }

    fn selected_record<R: Clone>(
        &self,
        pick: impl Fn(&Content) -> Option<&Vec<(RecordId, R)>>,
    ) -> Option<(RecordId, R)> {
        let loaded = self.details.loaded.as_ref()?;
        pick(&loaded.content)?.get(self.details.selected).cloned()
    }

    fn name_of(&self, code: &str) -> String {
        self.details
            .loaded
            .as_ref()
            .and_then(|l| l.names.get(code).cloned())
            .unwrap_or_else(|| code.to_string())
    }
}

pub fn unit_ref(u: &Unit) -> UnitRef {
    UnitRef {
        code: u.code.clone(),
        name: u.name.clone(),
        has_station: u.station != StationStatus::None,
    }
}
