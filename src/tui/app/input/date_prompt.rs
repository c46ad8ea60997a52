//! Keys in the as-of date prompt (`g`): the typed date is a `TextInput`; Enter reads it with
//! the one parser of a date (`domain::fields::date`, as the importer and the forms read one),
//! a partial date meaning the end of its month or year, and refuses a date after today. A date
//! it cannot read is worded as everywhere else (`FieldError`).

use crate::domain::fields;
use crate::tui::action::Action;
use crate::tui::app::{App, Modal};
use crate::tui::fmt;
use crate::tui::strings::{fill, tr, S};

impl App {
    /// The `g` prompt: a date in any form the importer reads (a partial date means the end
    /// of its month or year), not after today.
    pub(in crate::tui::app) fn on_date_prompt(&mut self, action: Action) {
        let Some(Modal::DatePrompt { text, error }) = self.modal.as_mut() else {
            return;
        };
        // Editing keys edit (the same way as everywhere); any edit takes the error away.
        if text.apply(action).is_some() {
            *error = None;
            return;
        }
        match action {
            Action::Cancel => self.modal = None,
            Action::Quit => self.quit = true,
            Action::Choose => {
                let typed = text.trim().to_string();
                let lang = self.lang;
                if typed.is_empty() {
                    // Said as a prompt, not as a field's "is required": nothing was refused.
                    *error = Some(tr(lang, S::TypeADate).to_string());
                    return;
                }
                match fields::date(&typed) {
                    Ok(d) if d.end() > self.today => {
                        *error = Some(fill(tr(lang, S::DateAfterToday), &[&typed, &fmt::date(self.today)]));
                    }
                    Ok(d) => {
                        self.modal = None;
                        self.set_as_of(d.end());
                    }
                    Err(e) => *error = Some(e.message(lang)),
                }
            }
            _ => {}
        }
    }
}
