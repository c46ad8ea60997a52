//! Keys in the tree and the details pane (`Ctx::Tree`, `Ctx::Records`): moving, opening and
//! closing units, tabs and focus, the as-of date (stepped by `domain::date`), and the keys that
//! open a form, the find prompt, a question, the history or the help.

use crate::domain::date::{month_back, month_forward, year_back, year_forward};
use crate::tui::action::Action;
use crate::tui::app::{App, Focus, Modal, MAX_TREE_ROWS};
use crate::tui::details::Tab;
use crate::tui::fmt;
use crate::tui::strings::S;
use crate::tui::text_input::TextInput;
use chrono::NaiveDate;

impl App {
    pub(in crate::tui::app) fn on_main(&mut self, action: Action) {
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
                    self.details.choose_by(delta);
                } else {
                    self.tree.move_by(delta);
                }
            }
            Action::Open if self.focus == Focus::Records => self.open_chosen_station(),
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
            // The per-indicator tab is of the whole subtree whatever `s` says: toggling there
            // would change nothing shown, only the record tabs later, unseen. Said instead.
            Action::ToggleSubtree if self.details.tab == Tab::Indicators => {
                self.say(S::SubtreeAlwaysOnIndicators, &[]);
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
                    text: TextInput::default(),
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
            Action::Correct => self.correct_selected(),
            Action::Delete => self.delete_selected(),
            Action::DeleteUnit => self.request_delete_unit(),
            Action::History => self.open_history(),
            Action::Undo => self.request_undo(),
            Action::Help => self.modal = Some(Modal::Help { offset: 0 }),
            Action::Quit => self.request_quit(),
            Action::Cancel => {
                self.find.matches.clear();
                self.find.matches_more = false;
            }
            _ => {}
        }
    }

    pub(in crate::tui::app) fn open_selected(&mut self) {
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

    /// Enter on the per-indicator tab: the chosen lowest station, opened in the tree and
    /// shown (its overview), the tree given the keyboard.
    pub(in crate::tui::app) fn open_chosen_station(&mut self) {
        let Some(code) = self.details.chosen_station() else {
            return;
        };
        match self.reveal(&code) {
            Ok(()) => {
                self.focus = Focus::Tree;
                self.details.tab = Tab::Overview;
                let name = self.selected_unit().map(|u| u.name.clone()).unwrap_or(code);
                self.say(S::StationOpened, &[&name]);
            }
            Err(e) => self.fail(&e),
        }
    }

    pub(in crate::tui::app) fn set_as_of(&mut self, d: NaiveDate) {
        if d != self.as_of {
            self.as_of = d;
            self.figures.clear();
        }
        self.say(S::AsOfSet, &[&fmt::date(d)]);
    }
}
