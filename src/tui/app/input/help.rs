//! Keys in the help screen (`?`): scrolling it, and closing it.

use crate::tui::action::Action;
use crate::tui::app::{App, Modal};

impl App {
    pub(in crate::tui::app) fn on_help(&mut self, action: Action) {
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
}
