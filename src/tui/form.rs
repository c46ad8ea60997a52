//! Forms from small typed fields with a focus ring: text, dates (partial allowed), money,
//! numbers, pickers for enumerations and units. A text field's editing is `TextInput`'s (the
//! same as every prompt's); each field carries the problem found in it, shown in words beside
//! it. What the fields mean (which record they
//! build) is in `records`.

use super::strings::S;
use super::text_input::TextInput;
use crate::domain::Problem;

/// What kind of value a field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// A date; partial dates (`2021-11`, `2021`) allowed.
    Date,
    Money,
    /// A number with at most one decimal (hours, score).
    Tenths,
    /// A whole number ≥ 0.
    Count,
    /// One of a list of words, (zh, en); `optional` adds "not stated".
    Choice {
        options: Vec<(&'static str, &'static str)>,
    },
    /// One unit.
    Unit,
    /// Several units.
    Units,
    /// An evaluation scheme by name, or none (the form as without schemes).
    Scheme {
        names: Vec<String>,
    },
    /// A group's heading between indicator fields: shown, never focused.
    Heading,
    /// One indicator's points, in tenths from 0 to `max`; the indicator's code is the field's
    /// `key`.
    Points {
        max: u16,
    },
}

/// A unit chosen in a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub has_station: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The domain's name of the field (`date`, `host`, ...): problems are matched by it.
    pub name: &'static str,
    pub label: S,
    pub kind: FieldKind,
    pub required: bool,
    /// Shown but not editable (a unit's code when editing it).
    pub locked: bool,
    /// The text typed, with its caret (text-like kinds only).
    pub text: TextInput,
    pub choice: Option<usize>,
    pub units: Vec<UnitRef>,
    /// The problem found in the field, if any.
    pub problem: Option<Problem>,
    /// A note beside a valid field (the amount read back, the grade a score earns).
    pub note: Option<(String, String)>,
    /// The user has edited the field and moved on: "required" may now be said.
    pub touched: bool,
    /// A label known only at run time (an indicator's name, a group), (zh, en): shown instead
    /// of `label`.
    pub owned_label: Option<(String, String)>,
    /// What the field stands for beyond its name (an indicator's code).
    pub key: String,
}

impl Field {
    pub fn new(name: &'static str, label: S, kind: FieldKind) -> Field {
        Field {
            name,
            label,
            kind,
            required: false,
            locked: false,
            text: TextInput::default(),
            choice: None,
            units: Vec::new(),
            problem: None,
            note: None,
            touched: false,
            owned_label: None,
            key: String::new(),
        }
    }

    /// A field whose label is known only at run time.
    pub fn owned(name: &'static str, label: (String, String), kind: FieldKind) -> Field {
        let mut f = Field::new(name, S::FieldScore, kind);
        f.owned_label = Some(label);
        f
    }

    /// The label in a language.
    pub fn label_in(&self, lang: crate::i18n::Lang) -> &str {
        match &self.owned_label {
            Some((zh, en)) => lang.pick(zh, en),
            None => super::strings::tr(lang, self.label),
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn locked(mut self) -> Field {
        self.locked = true;
        self
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Field {
        self.text = TextInput::new(text);
        self
    }

    pub fn with_choice(mut self, choice: Option<usize>) -> Field {
        self.choice = choice;
        self
    }

    pub fn with_units(mut self, units: Vec<UnitRef>) -> Field {
        self.units = units;
        self
    }

    /// Whether typing edits text here (rather than opening a picker).
    pub fn is_text(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Text
                | FieldKind::Date
                | FieldKind::Money
                | FieldKind::Tenths
                | FieldKind::Count
                | FieldKind::Points { .. }
        )
    }

    pub fn is_empty(&self) -> bool {
        match self.kind {
            FieldKind::Choice { .. } | FieldKind::Scheme { .. } => self.choice.is_none(),
            FieldKind::Heading => true,
            FieldKind::Unit | FieldKind::Units => self.units.is_empty(),
            _ => self.text.trim().is_empty(),
        }
    }

    pub fn options(&self) -> &[(&'static str, &'static str)] {
        match &self.kind {
            FieldKind::Choice { options } => options,
            _ => &[],
        }
    }
}

/// Which record a form makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    Training,
    Evaluation,
    /// A budget entry; `reversing` when it corrects an earlier one.
    Budget {
        reversing: bool,
    },
    NewUnit,
    /// Changing a unit: the unit as it was.
    EditUnit(Box<crate::domain::Unit>),
}

#[derive(Clone, Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: (String, String),
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The user has changed something.
    pub dirty: bool,
    /// Saving was tried: every problem is now shown, "required" too.
    pub attempted: bool,
    /// First field shown when the form is taller than the screen.
    pub scroll: usize,
    /// What each field held when the form opened: Esc on a form that still holds it closes
    /// without asking.
    initial: Vec<Value>,
    /// The version of the unit an edit form changes, as read when it opened (a shared
    /// server's; `None` on sled): its save is refused if someone else saved in between.
    pub stamp: Option<crate::storage::UnitStamp>,
    /// A correction's form: the budget entry it corrects (its id) and that entry's reversal,
    /// saved with the form's entry as one batch (`Registry::correct_budget`).
    pub corrects: Option<(crate::domain::RecordId, crate::domain::BudgetEntry)>,
    /// An evaluation correction's form: the stored evaluation's key, deleted as the form's is
    /// added in one batch (`Registry::correct_evaluation`), and its id, which the form's keeps.
    pub replaces: Option<(crate::domain::RecordId, Option<String>)>,
    /// An evaluation form's schemes (the `scheme` field's words, in this order), and which of
    /// them the indicator fields are laid out for now.
    pub schemes: Vec<crate::domain::Scheme>,
    laid: Option<usize>,
}

/// What a field holds, for comparing with what it held when the form opened.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Value(String, Option<usize>, Vec<String>);

fn value_of(f: &Field) -> Value {
    Value(
        f.text.trim().to_string(),
        f.choice,
        f.units.iter().map(|u| u.code.clone()).collect(),
    )
}

impl Form {
    pub fn new(kind: FormKind, title: (String, String), fields: Vec<Field>) -> Form {
        let focus = fields.iter().position(|f| !f.locked).unwrap_or(0);
        let initial = fields.iter().map(value_of).collect();
        Form {
            stamp: None,
            corrects: None,
            replaces: None,
            schemes: Vec::new(),
            laid: None,
            kind,
            title,
            fields,
            focus,
            dirty: false,
            attempted: false,
            scroll: 0,
            initial,
        }
    }

    /// Whether a field holds something else than when the form opened (typing and deleting
    /// it again leaves the form untouched).
    /// What the fields hold now is what `changed` compares with (a form filled in after it
    /// was made, as a correction's with the stored values).
    pub fn mark_unchanged(&mut self) {
        self.initial = self.fields.iter().map(value_of).collect();
    }

    pub fn changed(&self) -> bool {
        self.fields.iter().map(value_of).ne(self.initial.iter().cloned())
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    fn leave_focus(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            if !f.is_empty() || self.dirty {
                f.touched = true;
            }
        }
    }

    pub fn next_field(&mut self) {
        self.leave_focus();
        let n = self.fields.len();
        for step in 1..=n {
            let i = (self.focus + step) % n;
            if !self.fields[i].locked {
                self.focus = i;
                return;
            }
        }
    }

    pub fn prev_field(&mut self) {
        self.leave_focus();
        let n = self.fields.len();
        for step in 1..=n {
            let i = (self.focus + n - step) % n;
            if !self.fields[i].locked {
                self.focus = i;
                return;
            }
        }
    }

    /// Types a character (or pasted text) into a text field.
    pub fn insert(&mut self, s: &str) -> bool {
        let Some(f) = self.focused_mut() else { return false };
        if !f.is_text() || f.locked {
            return false;
        }
        if !f.text.insert(s) {
            return false;
        }
        self.dirty = true;
        true
    }

    pub fn backspace(&mut self) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if f.locked {
            return false;
        }
        match f.kind {
            FieldKind::Units => f.units.pop().is_some(),
            FieldKind::Unit => false,
            FieldKind::Choice { .. } => false,
            _ => f.text.backspace(),
        }
        .then(|| self.dirty = true)
        .is_some()
    }

    pub fn delete_forward(&mut self) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if !f.is_text() || f.locked || !f.text.delete_forward() {
            return false;
        }
        self.dirty = true;
        true
    }

    /// ← and →: the caret in text, the next or previous word in a choice.
    pub fn left_right(&mut self, forward: bool) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        match &f.kind {
            FieldKind::Choice { options } => {
                if f.locked || options.is_empty() {
                    return false;
                }
                let n = options.len();
                // Cycling passes through "not stated" for optional fields.
                f.choice = match (f.choice, forward, f.required) {
                    (None, true, _) => Some(0),
                    (None, false, _) => Some(n - 1),
                    (Some(i), true, false) if i + 1 == n => None,
                    (Some(i), true, _) => Some((i + 1) % n),
                    (Some(0), false, false) => None,
                    (Some(i), false, _) => Some((i + n - 1) % n),
                };
                self.dirty = true;
                true
            }
            FieldKind::Scheme { names } => {
                if f.locked || names.is_empty() {
                    return false;
                }
                // "None" is one of the words: the form as without schemes.
                let n = names.len();
                f.choice = match (f.choice, forward) {
                    (None, true) => Some(0),
                    (None, false) => Some(n - 1),
                    (Some(i), true) if i + 1 == n => None,
                    (Some(i), true) => Some(i + 1),
                    (Some(0), false) => None,
                    (Some(i), false) => Some(i - 1),
                };
                self.dirty = true;
                true
            }
            _ if f.is_text() => {
                f.text.step(forward);
                false
            }
            _ => false,
        }
    }

    /// Empties the focused field (a required choice keeps its word).
    pub fn clear_field(&mut self) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if f.locked {
            return false;
        }
        match f.kind {
            FieldKind::Choice { .. } if f.required => return false,
            FieldKind::Choice { .. } | FieldKind::Scheme { .. } => f.choice = None,
            FieldKind::Heading => return false,
            FieldKind::Unit | FieldKind::Units => f.units.clear(),
            // Said changed even when it was empty already (the field counts as touched).
            _ => {
                f.text.clear();
            }
        }
        self.dirty = true;
        true
    }

    /// Ctrl-← and Ctrl-→ (Alt-B, Alt-F): the caret by a word in text; nothing in a choice or
    /// a unit field (a word there is the whole value).
    pub fn word_step(&mut self, forward: bool) {
        if let Some(f) = self.focused_mut() {
            if f.is_text() {
                f.text.step_word(forward);
            }
        }
    }

    pub fn line_start(&mut self) {
        if let Some(f) = self.focused_mut() {
            f.text.home();
        }
    }

    pub fn line_end(&mut self) {
        if let Some(f) = self.focused_mut() {
            f.text.end();
        }
    }

    /// Sets the chosen word of a choice field.
    pub fn set_choice(&mut self, field: usize, choice: Option<usize>) {
        if let Some(f) = self.fields.get_mut(field) {
            f.choice = choice;
            self.dirty = true;
        }
    }

    /// Sets (or, for a list of units, adds) a unit.
    pub fn set_unit(&mut self, field: usize, unit: UnitRef) {
        if let Some(f) = self.fields.get_mut(field) {
            match f.kind {
                FieldKind::Units => {
                    if !f.units.iter().any(|u| u.code == unit.code) {
                        f.units.push(unit);
                    }
                }
                _ => f.units = vec![unit],
            }
            self.dirty = true;
        }
    }

    /// Lays out the indicator fields of the scheme the `scheme` field names, under their
    /// groups' headings, just after it (the points typed for another scheme are dropped); the
    /// score is then their sum, not typed. With no scheme chosen the form is as without schemes.
    pub fn lay_out_scheme(&mut self) {
        let Some(at) = self.fields.iter().position(|f| f.name == "scheme") else {
            return;
        };
        let chosen = self.fields[at].choice;
        if chosen == self.laid {
            return;
        }
        let focused_scheme = self.focus == at;
        self.fields
            .retain(|f| !matches!(f.kind, FieldKind::Heading | FieldKind::Points { .. }));
        let mut added = Vec::new();
        if let Some(scheme) = chosen.and_then(|i| self.schemes.get(i)) {
            for group in scheme.groups() {
                added.push(Field::owned("group", (group.to_string(), group.to_string()), FieldKind::Heading).locked());
                for i in scheme.indicators.iter().filter(|i| i.group == group) {
                    // Always with its decimal: points are typed to one decimal.
                    let max = format!("{}.{}", i.max_points / 10, i.max_points % 10);
                    let label = format!("{} (0–{max})", i.name);
                    let mut f = Field::owned(
                        "points",
                        (label.clone(), label),
                        FieldKind::Points { max: i.max_points },
                    );
                    f.key = i.code.clone();
                    added.push(f);
                }
            }
        }
        let derived = !added.is_empty();
        self.fields.splice(at + 1..at + 1, added);
        if let Some(score) = self.field_mut("score") {
            score.locked = derived;
            if !derived {
                score.text.clear();
            }
        }
        if focused_scheme {
            self.focus = at;
        }
        self.laid = chosen;
    }

    /// Forgets every problem before a new check.
    pub fn clear_problems(&mut self) {
        for f in &mut self.fields {
            f.problem = None;
            f.note = None;
        }
    }

    /// Puts a problem on the field it names (the first field when none matches); keeps the
    /// first problem of each field. One about an indicator's points (`Problem::about`) goes
    /// beside that indicator's field; one about the points as a whole, or about an indicator
    /// the form does not show, beside the Scheme field (else the score).
    pub fn put_problem(&mut self, p: Problem) {
        let named = |name: &str| self.fields.iter().position(|f| f.name == name);
        let at = if p.field == "points" {
            let indicator = p.about.as_deref().and_then(|code| {
                self.fields
                    .iter()
                    .position(|f| matches!(f.kind, FieldKind::Points { .. }) && f.key == code)
            });
            indicator.or_else(|| named("scheme")).or_else(|| named("score"))
        } else {
            named(p.field)
        }
        .unwrap_or(0);
        if let Some(f) = self.fields.get_mut(at) {
            if f.problem.is_none() {
                f.problem = Some(p);
            }
        }
    }

    /// Whether a field's problem is shown now: "required" only once the field was left or
    /// saving was tried.
    pub fn shows_problem(&self, i: usize) -> Option<&Problem> {
        let f = self.fields.get(i)?;
        let p = f.problem.as_ref()?;
        if f.is_empty() && !(f.touched || self.attempted) {
            return None;
        }
        Some(p)
    }

    /// The number of problems shown.
    pub fn shown_problems(&self) -> usize {
        (0..self.fields.len())
            .filter(|i| self.shows_problem(*i).is_some())
            .count()
    }

    pub fn has_problems(&self) -> bool {
        self.fields.iter().any(|f| f.problem.is_some())
    }
}
