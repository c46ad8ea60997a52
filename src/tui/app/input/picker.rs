//! Keys in the picker a form field opens: the filter is a `TextInput`, the list narrows at
//! every edit, Enter puts the choice in the field.

use crate::i18n::Lang;
use crate::tui::action::Action;
use crate::tui::app::{unit_ref, App};
use crate::tui::form::FieldKind;
use crate::tui::picker::{Choice, Picker, Source};
use crate::tui::strings::{tr, S};
use crate::tui::text_input::is_edit;

impl App {
    pub(in crate::tui::app) fn open_picker(&mut self, first: Option<char>) {
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
            picker.filter.insert(c.encode_utf8(&mut [0; 4]));
        }
        self.picker = Some(picker);
        if first.is_some() {
            self.refilter_picker();
        }
    }

    pub(in crate::tui::app) fn refilter_picker(&mut self) {
        let units = self.picker.as_ref().is_some_and(|p| p.source == Source::Units);
        if units && !self.ensure_index() {
            return;
        }
        if let Some(p) = self.picker.as_mut() {
            p.refilter(self.index.as_ref());
        }
    }

    pub(in crate::tui::app) fn on_picker(&mut self, action: Action) {
        let page = self.page.max(1) as isize;
        let Some(p) = self.picker.as_mut() else { return };
        if is_edit(action) {
            // Ctrl-U refilters even an empty filter (the list starts again at the top).
            if p.filter.apply(action) == Some(true) || action == Action::ClearField {
                self.refilter_picker();
            }
            return;
        }
        match action {
            Action::Up => p.move_by(-1),
            Action::Down => p.move_by(1),
            Action::PageUp => p.move_by(-page),
            Action::PageDown => p.move_by(page),
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
}
