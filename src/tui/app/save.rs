//! Saving a form: the record built from it, the likely mistakes asked about first (and shown
//! beside the fields), a new unit's code checked against its siblings', the store write, and
//! everything read before that the write makes stale (`after_write`).

use crate::domain::RecordId;
use crate::domain::{BudgetEntry, BudgetKind, PartialDate, Unit};
use crate::registry::Registry;
use crate::store::StoreError;
use crate::tui::app::{App, Modal, Pending};
use crate::tui::form::FormKind;
use crate::tui::records::Built;
use crate::tui::strings::{tr, S};
use crate::tui::{fmt, records};

impl App {
    fn new_id(&mut self, kind: char) -> String {
        self.ids += 1;
        let now = chrono::Local::now();
        format!("UI-{kind}-{}-{}", now.format("%Y%m%d-%H%M%S%3f"), self.ids)
    }

    pub(in crate::tui::app) fn save_form(&mut self) {
        self.save_form_checked(false)
    }

    /// What looks like a mistake in a record a form built, in words (empty when nothing
    /// does): a date after today, a date before the station opened, a negative allocation
    /// (a correction, not money given).
    pub(in crate::tui::app) fn likely_mistakes(
        &self,
        built: &Built,
        reversing: bool,
    ) -> Vec<(&'static str, (String, String))> {
        let both = crate::words::both::<S>;
        let mut out = Vec::new();
        let today = fmt::date(self.today);
        let dated = |field: &'static str, d: &PartialDate, out: &mut Vec<_>| {
            if d.start() > self.today {
                out.push((field, both(S::WarnAfterToday, &[d, &today])));
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
                            out.push(("date", both(S::WarnBeforeOpened, &[&d, &unit.name, &opened])));
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

    /// Saves the open form, in four steps: the record built from the form, the questions
    /// first (a new unit's code, likely mistakes; none once `confirmed`), the store write, and
    /// what the write makes stale. A step that stops says why.
    pub(in crate::tui::app) fn save_form_checked(&mut self, confirmed: bool) {
        if !self.writable() {
            return;
        }
        // A correction that changes nothing would delete and add the same evaluation.
        if self.form.as_ref().is_some_and(|f| f.replaces.is_some() && !f.changed()) {
            self.say(S::CorrectionUnchanged, &[]);
            return;
        }
        let Some((built, form_kind)) = self.build_form() else {
            return;
        };
        if self.code_warning(&form_kind, &built) {
            return;
        }
        let reversing_form = matches!(form_kind, FormKind::Budget { reversing: true });
        if !confirmed && self.ask_first(&built, reversing_form) {
            return;
        }
        let reversing = if reversing_form { self.reversing.clone() } else { None };
        let corrects = self.form.as_ref().and_then(|f| f.corrects.clone());
        let replaces = self.form.as_ref().and_then(|f| f.replaces.clone());
        // A corrected evaluation keeps the id of the one it replaces.
        let kept_id = replaces.as_ref().and_then(|(_, id)| id.clone());
        let built = match (&built, kept_id) {
            (Built::Evaluation(_), Some(id)) => built.with_id(id),
            (Built::Training(_), _) => built.with_id(self.new_id('T')),
            (Built::Evaluation(_), None) => built.with_id(self.new_id('E')),
            (Built::Budget(_), _) => built.with_id(self.new_id('B')),
            (Built::Unit(_), _) => built,
        };
        let written = match (&corrects, &replaces, &built) {
            (Some((of, reversal)), _, Built::Budget(b)) => self.store.correct_budget(of, reversal, b).map(|_| ()),
            (_, Some((of, _)), Built::Evaluation(e)) => self.store.correct_evaluation(of, e).map(|_| ()),
            _ => self.write(&built, reversing),
        };
        match written {
            Ok(()) if replaces.is_some() => {
                let what = match &built {
                    Built::Evaluation(e) => format!("{} {}", e.date, e.kind.label(self.lang)),
                    _ => String::new(),
                };
                self.saved(built, None);
                self.say(S::SavedEvaluationCorrection, &[what.as_str()]);
            }
            Ok(()) => self.saved(built, corrects.as_ref().map(|(_, reversal)| reversal)),
            Err(StoreError::Rejected(problems)) => {
                // The store's own check found what the form's did not: beside the fields too.
                let n = problems.len();
                if let Some(form) = self.form.as_mut() {
                    for p in problems {
                        form.put_problem(p.problem);
                    }
                }
                self.warn(S::FixFirst, &[&n.to_string()]);
            }
            Err(e @ StoreError::Conflict { .. }) => {
                // The form keeps what was typed; it now holds the version just refused, so that
                // saving again (after checking, as the message says) writes over it.
                let code = match &built {
                    Built::Unit(u) => u.code.clone(),
                    _ => String::new(),
                };
                match self.store.unit_stamp(&code) {
                    Ok(stamp) => {
                        if let Some(form) = self.form.as_mut() {
                            form.stamp = stamp;
                        }
                        self.fail(&e);
                    }
                    Err(again) => self.not_saved(&again),
                }
            }
            // The form stays open with what was typed (a server away: until it is back).
            Err(e) => self.not_saved(&e),
        }
    }

    /// The record the open form builds, with the form's kind; `None` (the first field with
    /// a problem focused, and the number of problems said) when it builds none.
    fn build_form(&mut self) -> Option<(Built, FormKind)> {
        let form = self.form.as_mut()?;
        form.attempted = true;
        let Some(built) = records::check(form) else {
            let n = form.shown_problems().max(1);
            if let Some(i) = (0..form.fields.len()).find(|i| form.shows_problem(*i).is_some()) {
                form.focus = i;
            }
            self.warn(S::FixFirst, &[&n.to_string()]);
            return None;
        };
        Some((built, form.kind.clone()))
    }

    /// A new unit's code unlike its siblings' (the parent's digits `+` filled in, saved as
    /// they are): warned once, saved on the second Enter. Whether saving stops here.
    fn code_warning(&mut self, form_kind: &FormKind, built: &Built) -> bool {
        if let (FormKind::NewUnit, Built::Unit(u)) = (form_kind, built) {
            let warn = match code_unlike_siblings(&self.store, u) {
                Ok(w) => w,
                Err(e) => {
                    self.not_saved(&e);
                    return true;
                }
            };
            if let Some((example, sibling)) = warn {
                if self.code_warned.as_deref() != Some(u.code.as_str()) {
                    self.code_warned = Some(u.code.clone());
                    let said = if sibling {
                        S::CodeUnlikeSiblings
                    } else {
                        S::CodeUnlikeParent
                    };
                    self.warn(said, &[&example]);
                    return true;
                }
            }
        }
        self.code_warned = None;
        false
    }

    /// Asks before saving a record that looks mistaken (`Pending::SaveForm` saves it on `y`).
    /// Whether it asked.
    fn ask_first(&mut self, built: &Built, reversing_form: bool) -> bool {
        let lang = self.lang;
        let mistakes: Vec<String> = self
            .likely_mistakes(built, reversing_form)
            .into_iter()
            .map(|(_, (zh, en))| lang.pick(&zh, &en).to_string())
            .collect();
        if mistakes.is_empty() {
            return false;
        }
        // The form keeps saying them beside its fields under the question.
        self.recheck();
        let question = format!("{}\n{}", mistakes.join("\n"), self.t(S::AskSaveAnyway));
        self.modal = Some(Modal::Confirm {
            question,
            then: Pending::SaveForm,
        });
        true
    }

    /// The store write of a built record: added, or (a reversing form) the reversal of the
    /// entry `reversing` names; a unit added or changed.
    fn write(&mut self, built: &Built, reversing: Option<RecordId>) -> Result<(), StoreError> {
        match built {
            Built::Training(t) => self.store.add_records(std::slice::from_ref(t)).map(|_| ()),
            Built::Evaluation(e) => self.store.add_records(std::slice::from_ref(e)).map(|_| ()),
            Built::Budget(b) => match reversing {
                Some(of) => self.store.reverse_budget(&of, b).map(|_| ()),
                None => self.store.add_records(std::slice::from_ref(b)).map(|_| ()),
            },
            Built::Unit(u) => match self.form.as_ref().filter(|f| matches!(f.kind, FormKind::EditUnit(_))) {
                Some(form) => self.store.update_unit(u, form.stamp.as_ref()).map(|_| ()),
                None => self.store.apply_units(std::slice::from_ref(u)).map(|_| ()),
            },
        }
    }

    /// After a save: the form closed, its values remembered for the next form, what the write
    /// made stale read again, the record said (with the entry a correction reversed, `reversal`),
    /// and a saved unit selected.
    fn saved(&mut self, built: Built, reversal: Option<&BudgetEntry>) {
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
        match reversal {
            Some(reversal) => {
                // Both halves said: the entry taken out (as it was typed), the one put in.
                let was = reversal.amount.checked_neg().unwrap_or(reversal.amount);
                let reversed = format!("{} {}", reversal.date, fmt::money(was, lang));
                self.say(S::SavedCorrection, &[&reversed, &what]);
            }
            None => self.say(s, &[&what]),
        }
        if let Built::Unit(u) = &built {
            let code = u.code.clone();
            if let Err(e) = self.reveal(&code) {
                self.fail(&e);
            }
        }
    }

    /// Everything read before a write may have changed.
    pub(in crate::tui::app) fn after_write(&mut self, units_changed: bool) {
        // A write that went through: the server is back, whatever the banner said.
        self.server_back();
        self.figures.clear();
        self.details.invalidate();
        if units_changed {
            self.index = None;
            if let Err(e) = self.tree.reload(&self.store) {
                self.fail(&e);
            }
        }
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
