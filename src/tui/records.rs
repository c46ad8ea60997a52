//! The forms of each record — training, evaluation, budget entry, unit — with their defaults
//! (today, the selected unit, the words used last time), and turning a form into a domain
//! record: each field parsed, then the record's own rules, every problem put beside its field.

use super::form::{Field, FieldKind, Form, FormKind, UnitRef};
use super::strings::{fill, tr, S};
use crate::domain::scheme::MAX_SCHEME_TENTHS;
use crate::domain::*;
use crate::i18n::Lang;
use crate::words::{large_numbers, LargeNumbers, K, P};
use chrono::NaiveDate;

/// What the user chose last time, offered again (a clerk records many sessions a day).
#[derive(Clone, Debug, Default)]
pub struct Recent {
    pub training_kind: Option<usize>,
    pub training_mode: Option<usize>,
    pub eval_kind: Option<usize>,
    pub evaluator: String,
    pub budget_kind: Option<usize>,
    pub category: Option<usize>,
    pub source: Option<usize>,
}

/// A record a form made.
#[derive(Clone, Debug, PartialEq)]
pub enum Built {
    Training(Training),
    Evaluation(Evaluation),
    Budget(BudgetEntry),
    Unit(Unit),
}

fn words<T: Copy>(all: &[T], zh: fn(T) -> &'static str, en: fn(T) -> &'static str) -> FieldKind {
    FieldKind::Choice {
        options: all.iter().map(|v| (zh(*v), en(*v))).collect(),
    }
}

fn index_of<T: PartialEq>(all: &[T], v: T) -> Option<usize> {
    all.iter().position(|x| *x == v)
}

fn both(s: S) -> (String, String) {
    (tr(Lang::Zh, s).to_string(), tr(Lang::En, s).to_string())
}

fn titled(s: S, unit: &UnitRef) -> (String, String) {
    (
        fill(tr(Lang::Zh, s), &[&unit.name]),
        fill(tr(Lang::En, s), &[&unit.name]),
    )
}

pub fn training_form(today: NaiveDate, host: UnitRef, recent: &Recent) -> Form {
    let title = titled(S::FormTraining, &host);
    let fields = vec![
        Field::new("date", S::FieldDate, FieldKind::Date)
            .required()
            .with_text(super::fmt::date(today)),
        Field::new("host", S::FieldHost, FieldKind::Unit)
            .required()
            .with_units(vec![host]),
        Field::new(
            "kind",
            S::FieldTrainingKind,
            words(TrainingKind::ALL, TrainingKind::zh, TrainingKind::en),
        )
        .required()
        .with_choice(Some(recent.training_kind.unwrap_or(0))),
        Field::new(
            "mode",
            S::FieldMode,
            words(TrainingMode::ALL, TrainingMode::zh, TrainingMode::en),
        )
        .with_choice(recent.training_mode),
        Field::new("topic", S::FieldTopic, FieldKind::Text),
        Field::new("hours", S::FieldHours, FieldKind::Tenths),
        Field::new("attendees", S::FieldAttendees, FieldKind::Count),
        Field::new("units", S::FieldServed, FieldKind::Units),
        Field::new("note", S::FieldNote, FieldKind::Text),
    ];
    Form::new(FormKind::Training, title, fields)
}

/// The evaluation form; with `schemes`, a `scheme` field after the evaluator whose choice lays
/// out one field per indicator (`Form::lay_out_scheme`); without, the form as it always was.
pub fn evaluation_form(today: NaiveDate, unit: UnitRef, recent: &Recent, schemes: Vec<Scheme>) -> Form {
    let title = titled(S::FormEvaluation, &unit);
    let mut fields = vec![
        Field::new("date", S::FieldDate, FieldKind::Date)
            .required()
            .with_text(super::fmt::date(today)),
        Field::new("unit", S::FieldStation, FieldKind::Unit)
            .required()
            .with_units(vec![unit]),
        Field::new(
            "kind",
            S::FieldEvalKind,
            words(EvalKind::ALL, EvalKind::zh, EvalKind::en),
        )
        .required()
        .with_choice(Some(recent.eval_kind.unwrap_or(0))),
        Field::new("evaluator", S::FieldEvaluator, FieldKind::Text).with_text(recent.evaluator.clone()),
        Field::new("score", S::FieldScore, FieldKind::Tenths),
        Field::new("grade", S::FieldGrade, words(Grade::ALL, Grade::zh, Grade::en)),
        Field::new("note", S::FieldNote, FieldKind::Text),
    ];
    if !schemes.is_empty() {
        let names = schemes.iter().map(|s| s.name.clone()).collect();
        fields.insert(4, Field::new("scheme", S::FieldScheme, FieldKind::Scheme { names }));
    }
    let mut form = Form::new(FormKind::Evaluation, title, fields);
    form.schemes = schemes;
    form
}

/// A form that corrects a stored evaluation (更正): the evaluation form holding its values —
/// date, station, kind, evaluator, its scheme with each indicator's points (or its score),
/// grade and note — titled with the evaluation it corrects, the first indicator (or the score)
/// focused. Saved, the stored one is deleted and the form's added in one batch, the id kept
/// (`Form::replaces`). `None` when its points are of a scheme not stored (they could not be
/// shown, and saving would lose them).
pub fn correcting_evaluation_form(
    today: NaiveDate,
    unit: UnitRef,
    of: RecordId,
    e: &Evaluation,
    schemes: Vec<Scheme>,
) -> Option<Form> {
    let scheme = match &e.points {
        Some(p) => Some(schemes.iter().position(|s| s.name == p.scheme)?),
        None => None,
    };
    let recent = Recent {
        eval_kind: index_of(EvalKind::ALL, e.kind),
        evaluator: e.evaluator.clone(),
        ..Recent::default()
    };
    let what = format!("{} {}", e.date, e.kind.label(Lang::Zh));
    let what_en = format!("{} {}", e.date, e.kind.label(Lang::En));
    let title = (
        fill(tr(Lang::Zh, S::FormCorrectEvaluation), &[&what, &unit.name]),
        fill(tr(Lang::En, S::FormCorrectEvaluation), &[&what_en, &unit.name]),
    );
    let mut form = evaluation_form(today, unit, &recent, schemes);
    form.title = title;
    let text = super::text_input::TextInput::new;
    for f in &mut form.fields {
        match f.name {
            "date" => f.text = text(e.date.to_string()),
            "scheme" => f.choice = scheme,
            "grade" => f.choice = e.grade.and_then(|g| index_of(Grade::ALL, g)),
            "note" => f.text = text(e.note.clone()),
            // Typed only without points: with them it is their sum.
            "score" if e.points.is_none() => {
                f.text = text(e.score.map(|s| super::fmt::tenths(i64::from(s))).unwrap_or_default())
            }
            _ => {}
        }
    }
    form.lay_out_scheme();
    if let Some(points) = &e.points {
        for f in &mut form.fields {
            if matches!(f.kind, FieldKind::Points { .. }) {
                let given = points.of(&f.key).map(|p| super::fmt::tenths(i64::from(p)));
                f.text = text(given.unwrap_or_default());
            }
        }
    }
    // The score shown as the sum, so that an unchanged form reads as unchanged.
    let _ = check(&mut form);
    form.clear_problems();
    form.mark_unchanged();
    let first = form
        .fields
        .iter()
        .position(|f| matches!(f.kind, FieldKind::Points { .. }))
        .or_else(|| form.fields.iter().position(|f| f.name == "score"));
    if let Some(i) = first {
        form.focus = i;
    }
    form.replaces = Some((of, e.id.clone()));
    Some(form)
}

pub fn budget_form(today: NaiveDate, unit: UnitRef, recent: &Recent) -> Form {
    let title = titled(S::FormBudget, &unit);
    let fields = budget_fields(today, unit, recent.budget_kind, recent.category, recent.source, "", "");
    Form::new(FormKind::Budget { reversing: false }, title, fields)
}

fn budget_fields(
    today: NaiveDate,
    unit: UnitRef,
    kind: Option<usize>,
    category: Option<usize>,
    source: Option<usize>,
    amount: &str,
    note: &str,
) -> Vec<Field> {
    vec![
        Field::new("date", S::FieldDate, FieldKind::Date)
            .required()
            .with_text(super::fmt::date(today)),
        Field::new("unit", S::FieldUnit, FieldKind::Unit)
            .required()
            .with_units(vec![unit]),
        Field::new(
            "kind",
            S::FieldBudgetKind,
            words(BudgetKind::ALL, BudgetKind::zh, BudgetKind::en),
        )
        .required()
        .with_choice(Some(kind.unwrap_or(0))),
        Field::new(
            "category",
            S::FieldCategory,
            words(Category::ALL, Category::zh, Category::en),
        )
        .with_choice(category),
        Field::new("source", S::FieldSource, words(Source::ALL, Source::zh, Source::en)).with_choice(source),
        Field::new("amount", S::FieldAmount, FieldKind::Money)
            .required()
            .with_text(amount),
        Field::new("voucher", S::FieldVoucher, FieldKind::Text),
        Field::new("note", S::FieldNote, FieldKind::Text).with_text(note),
    ]
}

/// A form for the entry that cancels `entry`: the same unit, kind, category and source, the
/// negated amount, dated today, its note naming what it corrects.
pub fn reversing_form(today: NaiveDate, unit: UnitRef, entry: &BudgetEntry) -> Form {
    let title = titled(S::FormReverse, &unit);
    let amount = entry.amount.checked_neg().unwrap_or(entry.amount).plain();
    let what = format!("{} {} {}", entry.date, entry.voucher, entry.amount.yuan());
    let note = fill(tr(Lang::Zh, S::ReverseNote), &[what.trim()]);
    let fields = budget_fields(
        today,
        unit,
        index_of(BudgetKind::ALL, entry.kind),
        entry.category.and_then(|c| index_of(Category::ALL, c)),
        entry.source.and_then(|s| index_of(Source::ALL, s)),
        &amount,
        &note,
    );
    let mut form = Form::new(FormKind::Budget { reversing: true }, title, fields);
    form.dirty = true;
    if let Some(i) = form.fields.iter().position(|f| f.name == "amount") {
        form.focus = i;
    }
    form
}

/// A form that corrects `entry` (更正): an ordinary budget form holding the entry's own values
/// (its date, unit, kind, category, source, amount, voucher and note), the amount focused,
/// titled with the entry it corrects. Saved, it stores `correction_reversal(entry)` and the
/// form's entry as one batch; it holds the entry's id and that reversal (`Form::corrects`).
pub fn correcting_form(today: NaiveDate, unit: UnitRef, of: RecordId, entry: &BudgetEntry) -> Form {
    let what = format!("{} {}", entry.date, entry.amount.yuan());
    let title = (
        fill(tr(Lang::Zh, S::FormCorrect), &[&what, &unit.name]),
        fill(tr(Lang::En, S::FormCorrect), &[&what, &unit.name]),
    );
    let mut fields = budget_fields(
        today,
        unit,
        index_of(BudgetKind::ALL, entry.kind),
        entry.category.and_then(|c| index_of(Category::ALL, c)),
        entry.source.and_then(|s| index_of(Source::ALL, s)),
        &entry.amount.plain(),
        &entry.note,
    );
    for field in &mut fields {
        match field.name {
            "date" => field.text = super::text_input::TextInput::new(entry.date.to_string()),
            "voucher" => field.text = super::text_input::TextInput::new(entry.voucher.clone()),
            _ => {}
        }
    }
    let mut form = Form::new(FormKind::Budget { reversing: false }, title, fields);
    form.corrects = Some((of, correction_reversal(entry)));
    if let Some(i) = form.fields.iter().position(|f| f.name == "amount") {
        form.focus = i;
    }
    form
}

/// The entry that cancels `entry` in a correction: the same unit, kind, category, source and
/// date (so that the mistyped amount counts on no day, and the corrected one from the day the
/// form gives), the negated amount, its note naming what it reverses (in Chinese, as the
/// reversing form's: it is stored data).
pub fn correction_reversal(entry: &BudgetEntry) -> BudgetEntry {
    let what = format!("{} {} {}", entry.date, entry.voucher, entry.amount.yuan());
    BudgetEntry {
        id: None,
        date: entry.date,
        unit: entry.unit.clone(),
        kind: entry.kind,
        category: entry.category,
        source: entry.source,
        amount: entry.amount.checked_neg().unwrap_or(entry.amount),
        voucher: String::new(),
        note: fill(tr(Lang::Zh, S::ReverseNote), &[what.trim()]),
    }
}

fn unit_fields(u: &Unit, parent: Option<UnitRef>, editing: bool) -> Vec<Field> {
    let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut code = Field::new("code", S::FieldCode, FieldKind::Text)
        .required()
        .with_text(u.code.clone());
    if editing {
        code = code.locked();
    }
    vec![
        code,
        Field::new("parent", S::FieldParent, FieldKind::Unit).with_units(parent.into_iter().collect()),
        Field::new("level", S::FieldLevel, words(Level::ALL, Level::zh, Level::en))
            .required()
            .with_choice(index_of(Level::ALL, u.level)),
        Field::new("name", S::FieldName, FieldKind::Text)
            .required()
            .with_text(u.name.clone()),
        Field::new(
            "station",
            S::FieldStationStatus,
            words(StationStatus::ALL, StationStatus::zh, StationStatus::en),
        )
        .required()
        .with_choice(index_of(StationStatus::ALL, u.station)),
        Field::new("opened_on", S::FieldOpened, FieldKind::Date)
            .with_text(u.opened_on.map(|d| d.to_string()).unwrap_or_default()),
        Field::new("closed_on", S::FieldClosed, FieldKind::Date)
            .with_text(u.closed_on.map(|d| d.to_string()).unwrap_or_default()),
        Field::new("operator", S::FieldOperator, FieldKind::Text).with_text(u.operator.clone()),
        Field::new("address", S::FieldAddress, FieldKind::Text).with_text(u.address.clone()),
        Field::new("contact", S::FieldContact, FieldKind::Text).with_text(u.contact.clone()),
        Field::new("phone", S::FieldPhone, FieldKind::Text).with_text(u.phone.clone()),
        Field::new("social_workers", S::FieldWorkers, FieldKind::Count).with_text(count(u.social_workers)),
        Field::new("certified_workers", S::FieldCertified, FieldKind::Count).with_text(count(u.certified_workers)),
        Field::new("note", S::FieldNote, FieldKind::Text).with_text(u.note.clone()),
    ]
}

/// A new unit under `parent` (one level deeper), or a root when there is none.
pub fn new_unit_form(parent: Option<(UnitRef, Level)>) -> Form {
    let level = match &parent {
        Some((_, l)) => Level::ALL.iter().copied().find(|x| x > l).unwrap_or(Level::Community),
        None => Level::District,
    };
    let prefix = parent
        .as_ref()
        .map(|(p, _)| p.code.trim_end_matches('0').to_string())
        .unwrap_or_default();
    let mut u = Unit::new(&prefix, None, level, "");
    u.code = prefix;
    let title = match &parent {
        Some((p, _)) => titled(S::FormNewUnit, p),
        None => both(S::FormNewRoot),
    };
    let mut form = Form::new(FormKind::NewUnit, title, unit_fields(&u, parent.map(|(p, _)| p), false));
    form.focus = 0;
    form
}

pub fn edit_unit_form(unit: &Unit, parent: Option<UnitRef>) -> Form {
    let me = UnitRef {
        code: unit.code.clone(),
        name: unit.name.clone(),
        has_station: unit.station != StationStatus::None,
    };
    let title = titled(S::FormEditUnit, &me);
    let mut form = Form::new(
        FormKind::EditUnit(Box::new(unit.clone())),
        title,
        unit_fields(unit, parent, true),
    );
    if let Some(i) = form.fields.iter().position(|f| f.name == "name") {
        form.focus = i;
    }
    form
}

// ---- reading the fields ----

fn text_of(form: &Form, name: &str) -> String {
    form.field(name).map(|f| f.text.trim().to_string()).unwrap_or_default()
}

/// Collects the problems of reading the fields.
struct Reader<'f> {
    form: &'f Form,
    problems: Vec<Problem>,
    /// Problems of one field among several of the same name (an indicator's points), by index.
    at: Vec<(usize, Problem)>,
}

impl<'f> Reader<'f> {
    /// The field's text through its parser, the problem (worded by the parser) beside the
    /// field: `Some(None)` when empty and not required ("not stated").
    fn parse<T>(&mut self, name: &'static str, parse: impl Fn(&str) -> Result<T, FieldError>) -> Option<Option<T>> {
        match parse(&text_of(self.form, name)) {
            Ok(v) => Some(Some(v)),
            Err(FieldError::Empty) if !self.form.field(name).is_some_and(|f| f.required) => Some(None),
            Err(e) => {
                self.problems.push(e.problem(name));
                None
            }
        }
    }

    fn date(&mut self, name: &'static str) -> Option<PartialDate> {
        self.parse(name, fields::date).flatten()
    }

    fn money(&mut self, name: &'static str) -> Option<Fen> {
        self.parse(name, fields::money).flatten()
    }

    /// `12.5` → 125; empty → `Some(None)`.
    fn hours(&mut self, name: &'static str) -> Option<Option<u32>> {
        self.parse(name, fields::hours)
    }

    fn score(&mut self, name: &'static str) -> Option<Option<u16>> {
        self.parse(name, fields::score)
    }

    fn count(&mut self, name: &'static str) -> Option<Option<u32>> {
        self.parse(name, fields::count)
    }

    fn choice<T: Copy>(&mut self, name: &'static str, all: &[T]) -> Option<Option<T>> {
        let f = self.form.field(name)?;
        match f.choice {
            Some(i) => Some(all.get(i).copied()),
            None if f.required => {
                self.problems.push(Problem::required(name));
                None
            }
            None => Some(None),
        }
    }

    fn unit(&mut self, name: &'static str) -> Option<UnitRef> {
        let f = self.form.field(name)?;
        match f.units.first() {
            Some(u) => Some(u.clone()),
            None => {
                if f.required {
                    self.problems.push(Problem::required(name));
                }
                None
            }
        }
    }
}

/// Reads the form: every problem goes beside its field; the record when there is none.
pub fn check(form: &mut Form) -> Option<Built> {
    form.clear_problems();
    form.lay_out_scheme();
    sum_points(form);
    let mut r = Reader {
        form,
        problems: Vec::new(),
        at: Vec::new(),
    };
    let built = match &form.kind {
        FormKind::Training => read_training(&mut r),
        FormKind::Evaluation => read_evaluation(&mut r),
        FormKind::Budget { .. } => read_budget(&mut r),
        FormKind::NewUnit | FormKind::EditUnit(_) => read_unit(&mut r),
    };
    let mut problems = r.problems;
    let at = r.at;
    if let Some(b) = &built {
        problems.extend(match b {
            Built::Training(t) => t.validate(),
            Built::Evaluation(e) => e.validate(),
            Built::Budget(b) => b.validate(),
            Built::Unit(u) => u.validate(),
        });
    }
    // Notes beside valid fields.
    let notes = notes_for(form, built.as_ref());
    let ok = problems.is_empty() && at.is_empty();
    for p in problems {
        form.put_problem(p);
    }
    for (i, p) in at {
        if let Some(f) = form.fields.get_mut(i) {
            f.problem = Some(p);
        }
    }
    for (name, note) in notes {
        if let Some(f) = form.field_mut(name) {
            if f.problem.is_none() {
                f.note = Some(note);
            }
        }
    }
    if ok {
        built
    } else {
        None
    }
}

/// With a scheme chosen, the score field shows the running sum of the points typed so far
/// (those that read as points within their indicator's maximum; a bad one is said beside
/// its own field).
fn sum_points(form: &mut Form) {
    if !form.fields.iter().any(|f| matches!(f.kind, FieldKind::Points { .. })) {
        return;
    }
    let sum: u32 = form
        .fields
        .iter()
        .filter_map(|f| match f.kind {
            FieldKind::Points { max } => fields::tenths(f.text.trim(), u32::from(max)).ok(),
            _ => None,
        })
        .sum();
    if let Some(score) = form.field_mut("score") {
        score.text = super::text_input::TextInput::new(super::fmt::tenths(i64::from(sum)));
    }
}

fn notes_for(form: &Form, built: Option<&Built>) -> Vec<(&'static str, (String, String))> {
    let mut out = Vec::new();
    if let Some(scheme) = chosen_scheme(form) {
        let max = super::fmt::tenths(i64::from(scheme.max_total()));
        // The running sum beside the scheme too: the score field is below the indicators,
        // off a small screen while they are typed.
        let sum = text_of(form, "score");
        out.push((
            "scheme",
            (
                fill(tr(Lang::Zh, S::NotePointsRunning), &[&sum, &max]),
                fill(tr(Lang::En, S::NotePointsRunning), &[&sum, &max]),
            ),
        ));
        out.push((
            "score",
            (
                fill(tr(Lang::Zh, S::NotePointsSum), &[&max]),
                fill(tr(Lang::En, S::NotePointsSum), &[&max]),
            ),
        ));
    }
    if let Some(f) = form.field("amount") {
        if let Ok(fen) = fields::money(f.text.trim()) {
            // From 1万 on, the amount in 万 too; English, which has no 万, from 100k on.
            let wan = |lang: Lang| match large_numbers(lang) {
                LargeNumbers::WanYi if fen.0.unsigned_abs() >= 1_000_000 => format!(" ({})", fen.wan()),
                LargeNumbers::Thousands if fen.0.unsigned_abs() >= 10_000_000 => {
                    format!(" ({})", super::fmt::money(fen, lang))
                }
                _ => String::new(),
            };
            // A negative allocation takes money back: said beside the amount as it is typed.
            let allocation = form
                .field("kind")
                .and_then(|k| k.choice)
                .and_then(|i| BudgetKind::ALL.get(i))
                .is_some_and(|k| *k == BudgetKind::Allocation);
            let note = |lang: Lang| {
                let mut n = fill(tr(lang, S::NoteAmount), &[&fen.yuan(), &wan(lang)]);
                if allocation && fen.0 < 0 {
                    n.push_str(tr(lang, S::NoteCorrection));
                }
                n
            };
            out.push(("amount", (note(Lang::Zh), note(Lang::En))));
        }
    }
    if let Some(Built::Evaluation(e)) = built {
        if e.grade.is_none() {
            if let Some(g) = e.effective_grade() {
                out.push((
                    "grade",
                    (
                        fill(tr(Lang::Zh, S::NoteGrade), &[g.zh()]),
                        fill(tr(Lang::En, S::NoteGrade), &[g.en()]),
                    ),
                ));
            }
        }
    }
    if let Some(f) = form.field("date") {
        if let Ok(d) = fields::date(f.text.trim()) {
            if !d.is_full() {
                let end = super::fmt::date(d.end());
                out.push((
                    "date",
                    (
                        fill(tr(Lang::Zh, S::NotePartialDate), &[&end]),
                        fill(tr(Lang::En, S::NotePartialDate), &[&end]),
                    ),
                ));
            }
        }
    }
    out
}

fn read_training(r: &mut Reader) -> Option<Built> {
    let date = r.date("date");
    let host = r.unit("host");
    let kind = r.choice("kind", TrainingKind::ALL);
    let mode = r.choice("mode", TrainingMode::ALL);
    let hours = r.hours("hours");
    let attendees = r.count("attendees");
    let units = r
        .form
        .field("units")
        .map(|f| f.units.iter().map(|u| u.code.clone()).collect())
        .unwrap_or_default();
    Some(Built::Training(Training {
        id: None,
        date: date?,
        host: host?.code,
        kind: kind??,
        mode: mode?,
        topic: text_of(r.form, "topic"),
        hours: hours?,
        attendees: attendees?,
        units,
        note: text_of(r.form, "note"),
    }))
}

fn read_evaluation(r: &mut Reader) -> Option<Built> {
    let date = r.date("date");
    let unit = r.unit("unit");
    if let Some(u) = &unit {
        if !u.has_station {
            r.problems.push(Problem::said("unit", P::NoStation, &[&u.name]));
        }
    }
    let kind = r.choice("kind", EvalKind::ALL);
    let points = read_points(r);
    let score = r.score("score");
    let grade = r.choice("grade", Grade::ALL);
    let score = score?;
    let points = points?;
    Some(Built::Evaluation(Evaluation {
        id: None,
        unit: unit?.code,
        date: date?,
        kind: kind??,
        evaluator: text_of(r.form, "evaluator"),
        score,
        grade: grade?,
        note: text_of(r.form, "note"),
        points,
    }))
}

/// The scheme the `scheme` field names, if any.
fn chosen_scheme(form: &Form) -> Option<&Scheme> {
    form.field("scheme")?.choice.and_then(|i| form.schemes.get(i))
}

/// The points of each indicator field: empty is "not given" (absent, never 0); a bad number
/// or more than the indicator's maximum is said beside its field, the typing kept.
/// `Some(None)` without a scheme.
fn read_points(r: &mut Reader) -> Option<Option<Points>> {
    let Some(scheme) = chosen_scheme(r.form) else {
        return Some(None);
    };
    let mut given = Vec::new();
    let mut ok = true;
    for (i, f) in r.form.fields.iter().enumerate() {
        let FieldKind::Points { max } = f.kind else { continue };
        let raw = f.text.trim();
        let problem = match fields::tenths(raw, MAX_SCHEME_TENTHS) {
            Err(FieldError::Empty) => continue,
            Err(e) => e.problem("points"),
            Ok(t) if t > u32::from(max) => Problem::said(
                "points",
                K::PointsOverMax,
                &[&super::fmt::tenths(i64::from(t)), &super::fmt::tenths(i64::from(max))],
            ),
            Ok(t) => {
                // At most MAX_SCHEME_TENTHS here, which fits.
                given.push((f.key.clone(), t as u16));
                continue;
            }
        };
        r.at.push((i, problem));
        ok = false;
    }
    ok.then(|| {
        Some(
            Points {
                scheme: scheme.name.clone(),
                given,
            }
            .sorted(),
        )
    })
}

fn read_budget(r: &mut Reader) -> Option<Built> {
    let date = r.date("date");
    let unit = r.unit("unit");
    let kind = r.choice("kind", BudgetKind::ALL);
    let category = r.choice("category", Category::ALL);
    let source = r.choice("source", Source::ALL);
    let amount = r.money("amount");
    Some(Built::Budget(BudgetEntry {
        id: None,
        date: date?,
        unit: unit?.code,
        kind: kind??,
        category: category?,
        source: source?,
        amount: amount?,
        voucher: text_of(r.form, "voucher"),
        note: text_of(r.form, "note"),
    }))
}

fn read_unit(r: &mut Reader) -> Option<Built> {
    let code = text_of(r.form, "code");
    let parent = r
        .form
        .field("parent")
        .and_then(|f| f.units.first())
        .map(|u| u.code.clone());
    let level = r.choice("level", Level::ALL);
    let station = r.choice("station", StationStatus::ALL);
    let opened = r.parse("opened_on", fields::date);
    let closed = r.parse("closed_on", fields::date);
    let social = r.count("social_workers");
    let certified = r.count("certified_workers");
    Some(Built::Unit(Unit {
        code,
        parent,
        level: level??,
        name: text_of(r.form, "name"),
        station: station??,
        opened_on: opened?,
        closed_on: closed?,
        operator: text_of(r.form, "operator"),
        address: text_of(r.form, "address"),
        contact: text_of(r.form, "contact"),
        phone: text_of(r.form, "phone"),
        note: text_of(r.form, "note"),
        social_workers: social?,
        certified_workers: certified?,
    }))
}

impl Built {
    /// Gives a new record its id (so that two identical sessions stay two records).
    pub fn with_id(self, id: String) -> Built {
        match self {
            Built::Training(t) => Built::Training(Training { id: Some(id), ..t }),
            Built::Evaluation(e) => Built::Evaluation(Evaluation { id: Some(id), ..e }),
            Built::Budget(b) => Built::Budget(BudgetEntry { id: Some(id), ..b }),
            u => u,
        }
    }
}

/// Remembers the words of a saved record for the next form.
pub fn remember(recent: &mut Recent, built: &Built) {
    match built {
        Built::Training(t) => {
            recent.training_kind = index_of(TrainingKind::ALL, t.kind);
            recent.training_mode = t.mode.and_then(|m| index_of(TrainingMode::ALL, m));
        }
        Built::Evaluation(e) => {
            recent.eval_kind = index_of(EvalKind::ALL, e.kind);
            recent.evaluator = e.evaluator.clone();
        }
        Built::Budget(b) => {
            recent.budget_kind = index_of(BudgetKind::ALL, b.kind);
            recent.category = b.category.and_then(|c| index_of(Category::ALL, c));
            recent.source = b.source.and_then(|s| index_of(Source::ALL, s));
        }
        Built::Unit(_) => {}
    }
}
