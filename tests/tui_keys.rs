//! The keymap and the state it drives, without a terminal: key → action → new state, on a
//! Xishan store in a temporary folder.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use shegong::domain::{Level, Training};
use shegong::i18n::Lang;
use shegong::tui::action::Action;
use shegong::tui::app::{Focus, Modal, Pending};
use shegong::tui::details::Tab;
use shegong::tui::keymap::{self, Ctx};
use shegong::tui::App;
use tui_support::*;

const DISTRICT: &str = "530112000000";
const BIJI: &str = "530112008000";

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn selected(app: &App) -> String {
    app.tree.selected_code().unwrap_or_default().to_string()
}

fn trainings_of_district(app: &App) -> i64 {
    app.store
        .subtree_measures(DISTRICT, today())
        .expect("figures")
        .trainings()
}

/// Draws once at 120×40 so that what the screen shows is read.
fn frame(app: &mut App) -> String {
    screen(app, 120, 40)
}

#[test]
fn keys_mean_actions_by_context() {
    assert_eq!(keymap::lookup(Ctx::Tree, &key(KeyCode::Char('j'))), Some(Action::Down));
    assert_eq!(keymap::lookup(Ctx::Tree, &key(KeyCode::Up)), Some(Action::Up));
    assert_eq!(keymap::lookup(Ctx::Tree, &key(KeyCode::Right)), Some(Action::Open));
    assert_eq!(keymap::lookup(Ctx::Tree, &key(KeyCode::Enter)), Some(Action::Open));
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key(KeyCode::Char('2'))),
        Some(Action::Depth(2))
    );
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key(KeyCode::Char('['))),
        Some(Action::MonthBack)
    );
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key(KeyCode::Char('}'))),
        Some(Action::YearForward)
    );
    assert_eq!(keymap::lookup(Ctx::Tree, &key(KeyCode::Char('q'))), Some(Action::Quit));
    // In a form, letters are text and Enter saves.
    assert_eq!(
        keymap::lookup(Ctx::Form, &key(KeyCode::Char('q'))),
        Some(Action::Input('q'))
    );
    assert_eq!(keymap::lookup(Ctx::Form, &key(KeyCode::Enter)), Some(Action::Save));
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(keymap::lookup(Ctx::Form, &ctrl_s), Some(Action::Save));
    // Shift-Tab arrives in two spellings.
    let shift_tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
    assert_eq!(keymap::lookup(Ctx::Form, &shift_tab), Some(Action::PrevField));
    // A confirmation: only y confirms; the key that asked (d) cancels.
    assert_eq!(
        keymap::lookup(Ctx::Confirm, &key(KeyCode::Char('y'))),
        Some(Action::Confirm)
    );
    assert_eq!(
        keymap::lookup(Ctx::Confirm, &key(KeyCode::Char('d'))),
        Some(Action::Cancel)
    );
    assert_eq!(
        keymap::lookup(Ctx::Records, &key(KeyCode::Char('d'))),
        Some(Action::Delete)
    );
}

#[test]
fn footer_and_help_come_from_the_table() {
    let hints = keymap::hints(Ctx::Tree, Lang::En);
    let keys: Vec<&str> = hints.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&"[]"), "{keys:?}");
    assert!(keys.contains(&"{}"), "{keys:?}");
    assert!(keys.contains(&"?"));
    let help: Vec<String> = shegong::tui::view::help_lines(Lang::En)
        .iter()
        .map(|l| l.to_string())
        .collect();
    for binding in keymap::BINDINGS {
        let keys = keymap::keys_text(binding, Lang::En);
        assert!(
            help.iter().any(|l| l.contains(&keys)),
            "help lacks {keys} of {:?}",
            binding.action
        );
    }
}

#[test]
fn releases_are_ignored() {
    let (_dir, mut app) = xishan_app(Lang::En);
    let release = KeyEvent {
        code: KeyCode::Right,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    };
    app.on_key(release);
    assert_eq!(app.tree.rows.len(), 1);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.tree.rows.len(), 11);
}

#[test]
fn tree_opens_lazily_closes_and_goes_up() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    assert_eq!(app.tree.rows.len(), 1, "only the root before opening");
    keys(&mut app, &["Right"]);
    assert_eq!(app.tree.rows.len(), 11);
    assert!(app.tree.rows[0].open);
    // → on an open unit steps into it; j/k move.
    keys(&mut app, &["Right", "j", "j"]);
    assert_eq!(selected(&app), "530112003000");
    keys(&mut app, &["k"]);
    assert_eq!(selected(&app), "530112002000");
    // ← on a closed unit goes to its parent; ← again closes it.
    keys(&mut app, &["Left"]);
    assert_eq!(selected(&app), DISTRICT);
    keys(&mut app, &["Left"]);
    assert_eq!(app.tree.rows.len(), 1);
    // Number keys set the depth.
    keys(&mut app, &["2"]);
    assert_eq!(app.tree.rows.len(), 11);
    keys(&mut app, &["End"]);
    assert_eq!(selected(&app), "530112010000");
    keys(&mut app, &["Home"]);
    assert_eq!(selected(&app), DISTRICT);
    keys(&mut app, &["1"]);
    assert_eq!(app.tree.rows.len(), 1);
}

#[test]
fn rows_show_the_subtree_figures_as_of_the_date() {
    let (_dir, mut app) = xishan_app(Lang::En);
    frame(&mut app);
    let f = app.figures[DISTRICT];
    assert_eq!((f.covered, f.units), (10, 10));
    assert_eq!(f.allocated.0, 170_000_000);
    // { goes to the end of the previous year: 2020-12-31, five streets.
    keys(&mut app, &["{"]);
    assert_eq!(app.as_of.to_string(), "2020-12-31");
    frame(&mut app);
    let f = app.figures[DISTRICT];
    assert_eq!((f.covered, f.units), (5, 10));
    assert_eq!(f.allocated.0, 0);
    // ] five times: the end of May 2021, all ten.
    keys(&mut app, &["]", "]", "]", "]", "]"]);
    assert_eq!(app.as_of.to_string(), "2021-05-31");
    frame(&mut app);
    assert_eq!(app.figures[DISTRICT].covered, 10);
    // The as-of date never passes today; "." comes back to it.
    keys(&mut app, &["}", "}", "}"]);
    assert_eq!(app.as_of, today());
    keys(&mut app, &["[", "."]);
    assert_eq!(app.as_of, today());
}

#[test]
fn find_by_pinyin_then_next_and_previous() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["/"]);
    type_text(&mut app, "xy");
    assert!(app.find.open);
    assert_eq!(app.find.results.len(), 1);
    keys(&mut app, &["Enter"]);
    assert!(!app.find.open);
    assert_eq!(
        selected(&app),
        "530112001000",
        "西苑街道, its district opened on the way"
    );
    // 街道 matches all ten streets; n and N step through them.
    keys(&mut app, &["/"]);
    type_text(&mut app, "jd");
    keys(&mut app, &["Enter"]);
    assert_eq!(app.find.matches.len(), 10);
    let first = selected(&app);
    keys(&mut app, &["n"]);
    assert_ne!(selected(&app), first);
    keys(&mut app, &["N"]);
    assert_eq!(selected(&app), first);
    // By code, and Esc leaves the tree as it was.
    keys(&mut app, &["/"]);
    type_text(&mut app, "530112008");
    keys(&mut app, &["Enter"]);
    assert_eq!(selected(&app), BIJI);
    keys(&mut app, &["/"]);
    type_text(&mut app, "nothing like it");
    keys(&mut app, &["Esc"]);
    assert_eq!(selected(&app), BIJI);
}

#[test]
fn recording_a_training_takes_defaults_and_changes_the_figures_at_once() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    frame(&mut app);
    assert_eq!(trainings_of_district(&app), 15);
    keys(&mut app, &["Right", "/"]);
    type_text(&mut app, "bj");
    keys(&mut app, &["Enter", "t"]);
    let form = app.form.as_ref().expect("a training form");
    assert_eq!(form.field("date").map(|f| f.text.as_str()), Some("2021-11-30"));
    assert_eq!(
        form.field("host")
            .and_then(|f| f.units.first())
            .map(|u| u.code.as_str()),
        Some(BIJI)
    );
    assert_eq!(app.details.tab, Tab::Trainings, "the list the record joins");
    // Kind: → to coaching; mode: type to pick "线上".
    keys(&mut app, &["Tab", "Tab", "Right", "Tab"]);
    type_text(&mut app, "线上");
    keys(&mut app, &["Enter"]);
    assert!(app.picker.is_none());
    type_text(&mut app, "一对一辅导：台账规范");
    keys(&mut app, &["Tab"]);
    type_text(&mut app, "1.5");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "saved: {:?}", app.status);
    assert!(app
        .status
        .as_ref()
        .is_some_and(|s| !s.error && s.text.contains("已保存")));
    assert_eq!(trainings_of_district(&app), 16);
    let stored = app.store.records_of::<Training>(BIJI, false, 10).expect("records");
    let t = &stored[0].1;
    assert_eq!(t.kind, shegong::domain::TrainingKind::Coaching);
    assert_eq!(t.mode, Some(shegong::domain::TrainingMode::Online));
    assert_eq!(t.hours, Some(15));
    assert!(t.id.is_some(), "the UI gives each record an id, so two alike stay two");
    // The next form offers the same kind and mode; a second identical session is stored too.
    keys(&mut app, &["t"]);
    let form = app.form.as_ref().expect("a second form");
    assert_eq!(form.field("kind").and_then(|f| f.choice), Some(1));
    keys(&mut app, &["Tab", "Tab", "Tab", "Tab"]);
    type_text(&mut app, "一对一辅导：台账规范");
    keys(&mut app, &["Tab"]);
    type_text(&mut app, "1.5");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none());
    assert_eq!(trainings_of_district(&app), 17);
    // The figures on screen follow.
    let text = frame(&mut app);
    assert!(text.contains("共 17 次") || app.details.tab == Tab::Trainings, "{text}");
}

#[test]
fn problems_show_beside_fields_and_nothing_is_saved() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["b"]);
    // Amount: not money.
    let amount_at = tab_to_field(&mut app, "amount");
    type_text(&mut app, "12 wan");
    let form = app.form.as_ref().expect("the form");
    let p = form.shows_problem(amount_at).expect("a problem beside the amount");
    assert!(p.en.contains("not an amount"), "{}", p.en);
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_some(), "not saved");
    assert!(app.status.as_ref().is_some_and(|s| s.error));
    // Fixed: 12万 is read back beside the field, then saved.
    ctrl(&mut app, 'u');
    type_text(&mut app, "12万");
    let form = app.form.as_ref().expect("the form");
    assert!(form.shows_problem(amount_at).is_none());
    let note = form.fields[amount_at].note.clone().expect("the amount read back");
    assert!(note.1.contains("120,000.00"), "{note:?}");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none());
    let m = app.store.subtree_measures(DISTRICT, today()).expect("figures");
    assert_eq!(m.allocated().0, 170_000_000 + 12_000_000);
}

#[test]
fn a_required_field_left_empty_is_said_only_after_leaving_it_or_saving() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["t"]);
    ctrl(&mut app, 'u');
    let form = app.form.as_ref().expect("a form");
    assert!(form.shows_problem(0).is_none(), "not while typing");
    keys(&mut app, &["Tab"]);
    let form = app.form.as_ref().expect("a form");
    assert_eq!(form.shows_problem(0).map(|p| p.zh.as_str()), Some("必填，不能为空"));
    keys(&mut app, &["BTab"]);
    type_text(&mut app, "2021-13");
    let form = app.form.as_ref().expect("a form");
    assert!(form.shows_problem(0).is_some_and(|p| p.zh.contains("2021-13")));
}

#[test]
fn esc_and_quit_ask_only_when_input_would_be_lost() {
    let (_dir, mut app) = xishan_app(Lang::En);
    // A form untouched closes at once.
    keys(&mut app, &["t", "Esc"]);
    assert!(app.form.is_none() && app.modal.is_none());
    // Touched: Esc asks; n keeps the form.
    keys(&mut app, &["t", "Tab", "Tab", "Tab", "Tab"]);
    type_text(&mut app, "q");
    assert_eq!(
        app.form
            .as_ref()
            .and_then(|f| f.field("topic"))
            .map(|f| f.text.as_str()),
        Some("q")
    );
    keys(&mut app, &["Esc"]);
    assert!(matches!(
        app.modal,
        Some(Modal::Confirm {
            then: Pending::DiscardForm,
            ..
        })
    ));
    keys(&mut app, &["n"]);
    assert!(app.form.is_some() && app.modal.is_none());
    // Ctrl-Q asks too; y quits.
    ctrl(&mut app, 'q');
    assert!(matches!(
        app.modal,
        Some(Modal::Confirm {
            then: Pending::Quit,
            ..
        })
    ));
    keys(&mut app, &["y"]);
    assert!(app.quit);
    // Without a form, q quits without asking.
    let (_dir2, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["q"]);
    assert!(app.quit && app.modal.is_none());
}

#[test]
fn deleting_asks_with_another_key_and_budget_is_reversed_not_deleted() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["Right", "/"]);
    type_text(&mut app, "碧鸡");
    keys(&mut app, &["Enter", "Tab"]);
    frame(&mut app);
    assert_eq!(app.details.tab, Tab::Evaluations);
    assert_eq!(app.details.len(), 1);
    keys(&mut app, &["f"]);
    assert_eq!(app.focus, Focus::Records);
    keys(&mut app, &["d"]);
    assert!(matches!(
        app.modal,
        Some(Modal::Confirm {
            then: Pending::DeleteEvaluation(_),
            ..
        })
    ));
    // The asking key does not confirm.
    keys(&mut app, &["d"]);
    assert!(app.modal.is_none());
    frame(&mut app);
    assert_eq!(app.details.len(), 1);
    keys(&mut app, &["d", "y"]);
    frame(&mut app);
    assert_eq!(app.details.len(), 0);
    let m = app.store.subtree_measures(DISTRICT, today()).expect("figures");
    assert_eq!(m.evaluations(), 9);

    // Budget: the district's entry. d explains; r opens a reversing entry.
    keys(&mut app, &["Esc", "Home", "Tab", "Tab"]);
    frame(&mut app);
    assert_eq!(app.details.tab, Tab::Budget);
    keys(&mut app, &["f", "d"]);
    assert!(app.modal.is_none());
    assert!(app.status.as_ref().is_some_and(|s| s.text.contains("冲销")));
    keys(&mut app, &["r"]);
    let form = app.form.as_ref().expect("a reversing form");
    assert_eq!(form.field("amount").map(|f| f.text.as_str()), Some("-1700000.00"));
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", app.status);
    let m = app.store.subtree_measures(DISTRICT, today()).expect("figures");
    assert_eq!(m.allocated().0, 0);
    frame(&mut app);
    assert_eq!(app.details.len(), 2, "the entry and its reversal");
}

#[test]
fn units_are_added_under_the_selection_and_edited() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["+"]);
    let form = app.form.as_ref().expect("a unit form");
    assert_eq!(form.field("code").map(|f| f.text.as_str()), Some("530112"));
    assert_eq!(
        form.field("parent")
            .and_then(|f| f.units.first())
            .map(|u| u.code.as_str()),
        Some(DISTRICT)
    );
    type_text(&mut app, "011000");
    keys(&mut app, &["Tab", "Tab", "Tab"]);
    type_text(&mut app, "测试街道");
    keys(&mut app, &["Enter"]);
    assert!(
        app.form.is_none(),
        "{:?} {:?}",
        app.status,
        app.form.as_ref().map(|f| f
            .fields
            .iter()
            .map(|x| (x.name, x.text.clone(), x.problem.clone()))
            .collect::<Vec<_>>())
    );
    assert_eq!(selected(&app), "530112011000");
    assert_eq!(app.tree.rows.len(), 12);
    assert_eq!(app.tree.selected().map(|r| r.unit.level), Some(Level::Street));
    // An evaluation of a unit without a station is refused beside the field.
    keys(&mut app, &["v"]);
    let form = app.form.as_ref().expect("an evaluation form");
    assert!(form
        .field("unit")
        .and_then(|f| f.problem.as_ref())
        .is_some_and(|p| p.zh.contains("没有社工站")));
    keys(&mut app, &["Esc"]);
    // Edit: the code is locked; the station opens.
    keys(&mut app, &["e"]);
    let form = app.form.as_ref().expect("an edit form");
    assert!(form.field("code").is_some_and(|f| f.locked));
    assert_eq!(form.focused().map(|f| f.name), Some("name"));
    keys(&mut app, &["Tab", "Right", "Right", "Right"]);
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_some(), "operating needs an opening date");
    let form = app.form.as_ref().expect("the form");
    let at = form
        .fields
        .iter()
        .position(|f| f.name == "opened_on")
        .expect("opened_on");
    assert!(form.shows_problem(at).is_some());
    assert_eq!(form.focus, at, "saving moves to the first problem");
    type_text(&mut app, "2021-11");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", app.status);
    let u = app.store.unit("530112011000").expect("read").expect("the unit");
    assert_eq!(u.station, shegong::domain::StationStatus::Operating);
}

#[test]
fn pasted_text_goes_to_the_focused_field_on_one_line() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["t", "Tab", "Tab", "Tab", "Tab"]);
    app.on_paste("社工站建设\n专题培训");
    let form = app.form.as_ref().expect("a form");
    assert_eq!(
        form.field("topic").map(|f| f.text.as_str()),
        Some("社工站建设 专题培训")
    );
    // The caret follows in cells: the real cursor sits after the pasted text.
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("[cursor at column"), "{text}");
}

#[test]
fn readonly_refuses_writes_with_a_message() {
    let (_dir, store) = xishan_store(true);
    let mut app = App::new(store, Lang::En, today()).expect("the UI starts");
    keys(&mut app, &["t"]);
    assert!(app.form.is_none());
    let status = app.status.clone().expect("a message");
    assert!(status.error && status.text.contains("Read-only"), "{status:?}");
    // Browsing still works.
    keys(&mut app, &["Right"]);
    assert_eq!(app.tree.rows.len(), 11);
}

#[test]
fn tabs_cycle_and_subtree_toggles() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["Right", "Down"]);
    keys(&mut app, &["Tab", "Tab"]);
    frame(&mut app);
    assert_eq!(app.details.tab, Tab::Trainings);
    assert_eq!(app.details.len(), 0, "Xishan's trainings are the district's own");
    keys(&mut app, &["Up", "s"]);
    frame(&mut app);
    assert!(app.details.subtree);
    assert_eq!(app.details.len(), 15);
    keys(&mut app, &["BTab", "BTab", "BTab"]);
    assert_eq!(app.details.tab, Tab::Funding);
}

#[test]
fn a_small_window_gets_a_message_not_a_broken_layout() {
    let (_dir, mut app) = xishan_app(Lang::En);
    let text = screen(&mut app, 60, 20);
    assert!(text.contains("too small"), "{text}");
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("too small"));
}

#[test]
fn first_run_is_said_in_the_status_line() {
    let (dir, mut app) = xishan_app(Lang::Zh);
    app.first_run(dir.path());
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("首次运行"), "{text}");
}

/// A note past the text cap (2,000 characters: a pasted document, say) is refused in the form
/// as in a file: the problem shows beside the note and nothing is saved.
#[test]
fn a_note_past_the_text_cap_is_refused_in_the_form() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["b"]);
    let amount_at = tab_to_field(&mut app, "amount");
    type_text(&mut app, "12万");
    let note_at = app
        .form
        .as_ref()
        .and_then(|f| f.fields.iter().position(|x| x.name == "note"))
        .expect("a note field");
    assert!(note_at > amount_at);
    for _ in amount_at..note_at {
        keys(&mut app, &["Tab"]);
    }
    app.on_paste(&"备".repeat(shegong::domain::records::MAX_TEXT_CHARS + 1));
    keys(&mut app, &["Enter"]);
    let form = app.form.as_ref().expect("not saved: the form stays");
    let p = form.shows_problem(note_at).expect("a problem beside the note");
    assert!(p.en.contains("at most 2000 characters, has 2001"), "{}", p.en);
    let m = app.store.subtree_measures(DISTRICT, today()).expect("figures");
    assert_eq!(m.allocated().0, 170_000_000);
}
