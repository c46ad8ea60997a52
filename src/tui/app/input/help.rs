//! Keys in the help screen (`?`): scrolling it, and closing it.

use crate::tui::action::Action;
use crate::tui::app::{App, Modal};
use crate::tui::scroll;

impl App {
    pub(in crate::tui::app) fn on_help(&mut self, action: Action) {
        let Some(Modal::Help { offset }) = self.modal.as_mut() else {
            return;
        };
        // The offset is kept within the help's lines by `prepare` (it knows the screen).
        let page = self.help_page.max(1) as isize;
        match action {
            Action::Up => *offset = scroll::scrolled(*offset, -1),
            Action::Down => *offset = scroll::scrolled(*offset, 1),
            Action::PageUp => *offset = scroll::scrolled(*offset, -page),
            Action::PageDown => *offset = scroll::scrolled(*offset, page),
            Action::Home => *offset = 0,
            Action::End => *offset = scroll::scrolled(*offset, isize::MAX / 2),
            Action::Cancel => self.modal = None,
            Action::Quit => self.quit = true,
            _ => {}
        }
    }
}
