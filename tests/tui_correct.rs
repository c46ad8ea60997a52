//! The correction of a budget entry (更正), driven by keys on a Xishan store: `c` on the
//! district's entry opens a budget form holding its values, titled with the entry it corrects;
//! saving stores the entry's reversal and the corrected entry in one batch, and the status line
//! says both. Refused before any typing when the entry was reversed already or is a reversal;
//! refused at saving (the form and what was typed kept, nothing stored) when someone reversed
//! it in between. The form as it opens is a snapshot, at 80×24 in Chinese and 120×40 in
//! English.

mod tui_support;

use shegong::domain::{BudgetEntry, RecordId};
use shegong::i18n::Lang;
use shegong::tui::App;
use tui_support::*;

const DISTRICT: &str = "530112000000";

fn status(app: &App) -> (String, bool) {
    app.status
        .as_ref()
        .map(|s| (s.text.clone(), s.error))
        .unwrap_or_default()
}

/// The district's budget tab, its records table focused, drawn (rows are read when drawn).
fn to_district_budget(app: &mut App) {
    keys(app, &["Home", "Tab", "Tab", "Tab", "f"]);
    render(app, 120, 40);
}

/// Types into the open form's field `name` (emptied first).
fn set_field(app: &mut App, name: &str, value: &str) {
    let at = app
        .form
        .as_ref()
        .and_then(|f| f.fields.iter().position(|x| x.name == name))
        .expect("the field");
    if let Some(f) = app.form.as_mut() {
        f.focus = at;
    }
    ctrl(app, 'u');
    type_text(app, value);
}

fn field(app: &App, name: &str) -> String {
    app.form
        .as_ref()
        .and_then(|f| f.field(name))
        .map(|f| f.text.as_str().to_string())
        .unwrap_or_default()
}

/// The district's own budget entries, newest first.
fn entries(app: &App) -> Vec<(RecordId, BudgetEntry)> {
    app.store
        .records_of::<BudgetEntry>(DISTRICT, false, 100)
        .expect("entries")
}

fn allocated(app: &App) -> i64 {
    app.store
        .subtree_measures(DISTRICT, today())
        .expect("figures")
        .allocated()
        .0
}

#[test]
fn c_corrects_an_entry_in_one_save_and_says_both() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["Right"]);
    to_district_budget(&mut app);
    let before = allocated(&app);
    let (id, entry) = entries(&app).into_iter().next().expect("the district's entry");
    let mark = app.store.journal_mark().expect("mark");
    keys(&mut app, &["c"]);
    let form = app.form.as_ref().expect("a correcting form");
    assert!(form.title.0.contains("更正资金记录") && form.title.0.contains(&entry.date.to_string()));
    assert!(form.title.1.contains("Correct the budget entry of"));
    // The entry's own values, the amount focused.
    assert_eq!(field(&app, "amount"), entry.amount.plain());
    assert_eq!(field(&app, "date"), entry.date.to_string());
    assert_eq!(
        app.form.as_ref().and_then(|f| f.focused()).map(|f| f.name),
        Some("amount")
    );
    set_field(&mut app, "amount", "1600000");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", status(&app));
    let (text, error) = status(&app);
    assert!(
        !error
            && text.contains("已更正")
            && text.contains("冲销")
            && text.contains("170.00万")
            && text.contains("160.00万"),
        "{text}"
    );
    // Two journal entries: the reversal, then the corrected entry; the figures at once.
    assert_eq!(app.store.journal_mark().expect("mark"), mark + 2);
    let reversals = app.store.reversals().expect("reversals");
    assert_eq!(reversals.len(), 1);
    assert_eq!(reversals[0].of, id.as_str());
    assert_eq!(allocated(&app), before - entry.amount.0 + 160_000_000);
    // The mistyped amount counts on no day: the reversal has the entry's date.
    let day = entry.date.start();
    let on_its_day = app
        .store
        .subtree_measures(DISTRICT, day)
        .expect("figures")
        .allocated()
        .0;
    assert_eq!(on_its_day, before - entry.amount.0 + 160_000_000);
    assert!(app.store.check().expect("checked").is_empty());
    // Undo takes the corrected entry back, then the reversal.
    keys(&mut app, &["u", "y"]);
    assert_eq!(app.store.reversals().expect("reversals").len(), 1);
    keys(&mut app, &["u", "y"]);
    assert!(app.store.reversals().expect("reversals").is_empty());
    assert_eq!(allocated(&app), before);
}

#[test]
fn a_reversed_entry_or_a_reversal_is_not_corrected() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["Right"]);
    to_district_budget(&mut app);
    keys(&mut app, &["c", "Enter"]);
    assert!(app.form.is_none(), "{:?}", status(&app));
    let mark = app.store.journal_mark().expect("mark");
    // Every entry of the district is now a reversed one, a reversal or a correction; the
    // reversed one and the reversal are refused before any typing.
    let reversals = app.store.reversals().expect("reversals");
    let mut refused = 0;
    for row in 0..entries(&app).len() {
        keys(&mut app, &["Home"]);
        for _ in 0..row {
            keys(&mut app, &["Down"]);
        }
        render(&mut app, 120, 40);
        keys(&mut app, &["c"]);
        match app.form.take() {
            Some(_) => {}
            None => {
                let (text, error) = status(&app);
                assert!(
                    error && (text.contains("reversed already") || text.contains("a reversal cannot")),
                    "{text}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 2, "the entry reversed and its reversal ({reversals:?})");
    assert_eq!(app.store.journal_mark().expect("mark"), mark, "nothing stored");
}

#[test]
fn a_correction_refused_at_saving_keeps_the_form() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["Right"]);
    to_district_budget(&mut app);
    let (id, entry) = entries(&app).into_iter().next().expect("the district's entry");
    keys(&mut app, &["c"]);
    set_field(&mut app, "amount", "1650000");
    // Meanwhile the entry is reversed (another window, another clerk).
    let mut reversal = entry.clone();
    reversal.id = None;
    reversal.amount = entry.amount.checked_neg().expect("negated");
    app.store.reverse_budget(&id, &reversal).expect("reversed elsewhere");
    let mark = app.store.journal_mark().expect("mark");
    let before = allocated(&app);
    keys(&mut app, &["Enter"]);
    let (text, error) = status(&app);
    assert!(error && text.contains("不能再次冲销"), "{text}");
    assert!(app.form.is_some(), "the form stays");
    assert_eq!(field(&app, "amount"), "1650000", "what was typed stays");
    assert_eq!(app.store.journal_mark().expect("mark"), mark, "nothing stored");
    assert_eq!(allocated(&app), before);
}

#[test]
fn the_correcting_form_as_it_opens() {
    for (lang, tag, w, h) in [(Lang::Zh, "zh", 80u16, 24u16), (Lang::En, "en", 120, 40)] {
        let (_dir, mut app) = xishan_app(lang);
        keys(&mut app, &["Right"]);
        to_district_budget(&mut app);
        keys(&mut app, &["c"]);
        assert!(app.form.is_some(), "{:?}", status(&app));
        let text = mask_times(&screen(&mut app, w, h));
        insta::assert_snapshot!(format!("correcting_form_{tag}_{w}x{h}"), text);
    }
}
