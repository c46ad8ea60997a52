//! The change journal in the UI, driven by keys on a Xishan store: `H` lists the history of
//! the selected unit (with `s`, of the units below too) or of the selected record; `u` asks,
//! saying exactly which change, then undoes it — the figures on screen follow, the undo is
//! journaled, and the session counts as one that changed something (automatic backup).

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shegong::domain::*;
use shegong::i18n::Lang;
use shegong::registry::Registry;
use shegong::tui::action::Action;
use shegong::tui::app::{Modal, Pending};
use shegong::tui::history::Scope;
use shegong::tui::keymap::{self, Ctx};
use shegong::tui::App;
use tui_support::*;

const DISTRICT: &str = "530112000000";
const BIJI: &str = "530112008000";

fn figures(app: &App) -> shegong::rollup::Measures {
    app.store.subtree_measures(DISTRICT, today()).expect("figures")
}

fn status(app: &App) -> (String, bool) {
    app.status
        .as_ref()
        .map(|s| (s.text.clone(), s.error))
        .unwrap_or_default()
}

fn history(app: &App) -> &shegong::tui::history::History {
    match &app.modal {
        Some(Modal::History(h)) => h,
        other => panic!("no history view: {other:?}"),
    }
}

fn a_training(topic: &str) -> Training {
    Training {
        id: None,
        date: PartialDate::parse("2021-11-30").expect("a date"),
        host: BIJI.into(),
        kind: TrainingKind::Coaching,
        mode: None,
        topic: topic.into(),
        hours: None,
        attendees: None,
        units: vec![],
        note: String::new(),
    }
}

#[test]
fn u_and_ctrl_z_undo_h_opens_the_history() {
    let key = |c, m| KeyEvent::new(KeyCode::Char(c), m);
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key('u', KeyModifiers::NONE)),
        Some(Action::Undo)
    );
    assert_eq!(
        keymap::lookup(Ctx::Records, &key('z', KeyModifiers::CONTROL)),
        Some(Action::Undo)
    );
    assert_eq!(
        keymap::lookup(Ctx::Records, &key('H', KeyModifiers::SHIFT)),
        Some(Action::History)
    );
    // `h` keeps its meaning; in the view, `q` closes it rather than quitting.
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key('h', KeyModifiers::NONE)),
        Some(Action::Close)
    );
    assert_eq!(
        keymap::lookup(Ctx::History, &key('q', KeyModifiers::NONE)),
        Some(Action::Cancel)
    );
}

#[test]
fn undoing_a_saved_budget_entry_brings_the_figures_back_and_is_journaled() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    let mark = app.store.journal_mark().expect("a mark");
    let before = figures(&app);
    // 12万 for the district through the form, as a clerk would.
    keys(&mut app, &["b"]);
    tab_to_field(&mut app, "amount");
    type_text(&mut app, "12万");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", app.status);
    assert_eq!(figures(&app).allocated().0, before.allocated().0 + 12_000_000);
    assert!(screen(&mut app, 120, 40).contains("182.00万"));

    // u asks, naming the change, who made it and when.
    keys(&mut app, &["u"]);
    let Some(Modal::Confirm {
        question,
        then: Pending::Undo(id),
    }) = app.modal.clone()
    else {
        panic!("no confirmation: {:?}", app.modal);
    };
    assert!(question.contains("新增资金记录"), "{question}");
    assert!(question.contains("120,000.00"), "{question}");
    assert!(question.contains(LOADED_BY), "{question}");
    assert!(question.contains(&format!("#{id}")), "{question}");

    keys(&mut app, &["y"]);
    assert!(app.modal.is_none());
    let (text, error) = status(&app);
    assert!(
        !error && text.starts_with("已撤销：") && text.contains("120,000.00"),
        "{text}"
    );
    // The entry is gone, every figure is as before, the screen follows at once.
    assert_eq!(figures(&app), before);
    let entries = app
        .store
        .records_of::<BudgetEntry>(DISTRICT, false, 10)
        .expect("records");
    assert_eq!(entries.len(), 1, "the letter's allocation only");
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("170.00万") && !text.contains("182.00万"), "{text}");
    assert!(app.store.check().expect("a check").is_empty());
    // The undo is journaled, naming what it undid; the journal moved, so closing backs up.
    let newest = app.store.history(None, 1).expect("the journal");
    assert_eq!(newest[0].action, "undo");
    assert_eq!(newest[0].undoes, Some(id));
    assert_ne!(app.store.journal_mark().expect("a mark"), mark);
    // The next u goes further back: the letter's allocation, asked about in its turn.
    keys(&mut app, &["u"]);
    assert!(matches!(
        &app.modal,
        Some(Modal::Confirm { then: Pending::Undo(older), .. }) if *older != id
    ));
}

#[test]
fn any_other_key_cancels_the_undo() {
    let (_dir, mut app) = xishan_app(Lang::En);
    app.store.add_records(&[a_training("督导")]).expect("added");
    let before = figures(&app);
    keys(&mut app, &["u"]);
    assert!(app.modal.is_some());
    keys(&mut app, &["u"]);
    assert!(app.modal.is_none());
    assert_eq!(status(&app).0, "Cancelled.");
    assert_eq!(figures(&app), before);
}

#[test]
fn undoing_a_unit_edit_reloads_the_tree() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["/"]);
    type_text(&mut app, "bj");
    keys(&mut app, &["Enter", "e"]);
    ctrl(&mut app, 'u');
    type_text(&mut app, "碧鸡新街道");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", app.status);
    let name = |app: &App| app.tree.selected().map(|r| r.unit.name.clone());
    assert_eq!(name(&app).as_deref(), Some("碧鸡新街道"));
    keys(&mut app, &["u", "y"]);
    assert_eq!(name(&app).as_deref(), Some("碧鸡街道"));
    assert!(screen(&mut app, 120, 40).contains("碧鸡街道"));
    let (text, error) = status(&app);
    assert!(!error && text.contains("修改单位"), "{text}");
}

#[test]
fn readonly_refuses_undo_but_shows_the_history() {
    let (_dir, store) = xishan_store(true);
    let mut app = App::new(store, Lang::En, today()).expect("the UI starts");
    keys(&mut app, &["u"]);
    assert!(app.modal.is_none());
    let (text, error) = status(&app);
    assert!(error && text.contains("Read-only"), "{text}");
    keys(&mut app, &["H"]);
    assert!(!history(&app).entries.is_empty());
}

#[test]
fn nothing_to_undo_is_said_and_an_added_unit_is_undone_too() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = Registry::create(dir.path()).expect("a store");
    let mut app = App::new(store, Lang::Zh, today()).expect("the UI starts");
    keys(&mut app, &["u"]);
    assert!(app.modal.is_none());
    assert_eq!(status(&app), ("没有可以撤销的变更。".to_string(), false));
    keys(&mut app, &["H"]);
    assert!(app.modal.is_none(), "no unit, no history");

    // An added unit is taken back like any other change: asked, then deleted.
    let unit = Unit::new(DISTRICT, None, Level::District, "西山区");
    app.store.apply_units(&[unit]).expect("a unit");
    keys(&mut app, &["u"]);
    assert!(app.modal.is_some(), "asked first");
    keys(&mut app, &["y"]);
    let (text, error) = status(&app);
    assert!(!error && text.contains("#1 新增单位：西山区"), "{text}");
    assert!(app.store.roots().expect("roots").is_empty());
    assert!(app.selected_unit().is_none(), "the tree is empty again");
}

#[test]
fn a_change_between_asking_and_confirming_undoes_nothing() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["u"]);
    assert!(app.modal.is_some());
    // Not possible from the keyboard (the store is locked to this process), but the
    // confirmation named one change: another must not be undone in its place.
    app.store.add_records(&[a_training("later")]).expect("added");
    let before = figures(&app);
    keys(&mut app, &["y"]);
    let (text, error) = status(&app);
    assert!(error && text.contains("nothing was undone"), "{text}");
    assert_eq!(figures(&app), before);
}

#[test]
fn history_of_a_unit_of_its_subtree_and_of_one_record() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    // The district's own changes: itself and its own records.
    keys(&mut app, &["H"]);
    let own = history(&app).entries.len();
    assert!(own > 0);
    assert!(history(&app)
        .entries
        .iter()
        .all(|(_, e)| e.unit.as_deref() == Some(DISTRICT)));
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("变更记录 · 西山区"), "{text}");
    // s: the streets' changes too; the title says so.
    keys(&mut app, &["s"]);
    assert!(history(&app).entries.len() > own);
    assert!(history(&app)
        .entries
        .iter()
        .any(|(_, e)| e.unit.as_deref() == Some(BIJI)));
    assert!(screen(&mut app, 120, 40).contains("变更记录 · 西山区 · 含下级"));
    // Moving stays within the list; q closes the view, not the program.
    keys(&mut app, &["End"]);
    assert_eq!(history(&app).selected, history(&app).entries.len() - 1);
    keys(&mut app, &["Down", "Home"]);
    assert_eq!(history(&app).selected, 0);
    keys(&mut app, &["q"]);
    assert!(app.modal.is_none() && !app.quit);

    // In the records table: the selected training's history only.
    keys(&mut app, &["Tab", "Tab", "f"]);
    screen(&mut app, 120, 40);
    keys(&mut app, &["H"]);
    let Scope::Record { key, .. } = history(&app).scope.clone() else {
        panic!("not a record's history");
    };
    assert_eq!(history(&app).entries.len(), 1, "added with the letter");
    // Deleted, then the deletion undone: the same record, three entries, newest first.
    keys(&mut app, &["Esc", "d", "y", "u", "y"]);
    assert!(!status(&app).1, "{:?}", app.status);
    screen(&mut app, 120, 40);
    keys(&mut app, &["H"]);
    let h = history(&app);
    assert!(matches!(&h.scope, Scope::Record { key: k, .. } if *k == key));
    let actions: Vec<&str> = h.entries.iter().map(|(_, e)| e.action.as_str()).collect();
    assert_eq!(actions, ["undo", "delete", "add"]);
    let text = mask_times(&screen(&mut app, 120, 40));
    assert!(text.contains("撤销 #"), "{text}");
    assert!(text.contains("（已撤销）"), "{text}");
    // The record's fields as the import file has them, a unit code with its name.
    assert!(text.contains("新增的记录："), "{text}");
    assert!(text.contains("主办 530112000000 西山区"), "{text}");
    // s means nothing for one record, and says so.
    keys(&mut app, &["s"]);
    assert!(status(&app).0.contains("按 H"), "{:?}", app.status);
}
