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
    // The district is open from the start: a released ← does not close it, a pressed one does.
    let release = KeyEvent {
        code: KeyCode::Left,
        ..release
    };
    app.on_key(release);
    assert_eq!(app.tree.rows.len(), 11);
    press(&mut app, KeyCode::Left);
    assert_eq!(app.tree.rows.len(), 1);
}

#[test]
fn tree_opens_lazily_closes_and_goes_up() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    // The first screen shows the root open, with its children.
    assert_eq!(app.tree.rows.len(), 11, "the root opens at start");
    assert!(app.tree.rows[0].open);
    keys(&mut app, &["Left"]);
    assert_eq!(app.tree.rows.len(), 1, "← closes it");
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

/// Enter takes only the matches listed (a frame's worth of reads at national size); n and N
/// read more when they step past them, in the same order.
#[test]
fn more_matches_are_read_when_n_or_capital_n_steps_past_those_listed() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    // The code's prefix matches all eleven units; ten are listed before a frame is drawn.
    keys(&mut app, &["/"]);
    type_text(&mut app, "530112");
    assert_eq!(app.find.results.len(), 10);
    assert!(app.find.more);
    keys(&mut app, &["Enter"]);
    assert_eq!(app.find.matches.len(), 10);
    let status = app.status.clone().expect("a message");
    assert!(status.text.contains("1/10+"), "{status:?}");
    let first = selected(&app);
    // N from the first wraps to the last: the rest is read first.
    keys(&mut app, &["N"]);
    assert_eq!(app.find.matches.len(), 11);
    assert!(!app.find.matches_more);
    assert_eq!(selected(&app), app.find.matches[10]);
    let status = app.status.clone().expect("a message");
    assert!(status.text.contains("11/11"), "{status:?}");
    keys(&mut app, &["n"]);
    assert_eq!(selected(&app), first);
    // Stepping forward past the tenth reads twice as many (all eleven here), and goes on to
    // the eleventh.
    keys(&mut app, &["/"]);
    type_text(&mut app, "530112");
    keys(&mut app, &["Enter"]);
    for _ in 0..10 {
        keys(&mut app, &["n"]);
    }
    assert_eq!(app.find.matches.len(), 11);
    assert_eq!(app.find.current, 10);
    assert_eq!(selected(&app), app.find.matches[10]);
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
    keys(&mut app, &["/"]);
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
    // The street's training list shows both sessions at once. (An `||` with the tab shown
    // once made this check always true.)
    assert_eq!(app.details.tab, Tab::Trainings);
    assert_eq!(text.matches("一对一辅导：台账规范").count(), 2, "{text}");
    assert!(text.contains("共 2 条"), "{text}");
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
    assert!(p.en.contains("cannot read the amount “12 wan”"), "{}", p.en);
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
    keys(&mut app, &["/"]);
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
    keys(&mut app, &["Down"]);
    keys(&mut app, &["Tab", "Tab"]);
    frame(&mut app);
    assert_eq!(app.details.tab, Tab::Trainings);
    assert_eq!(app.details.len(), 0, "Xishan's trainings are the district's own");
    keys(&mut app, &["Up", "s"]);
    frame(&mut app);
    assert!(app.details.subtree);
    assert_eq!(app.details.len(), 15);
    keys(&mut app, &["BTab", "BTab", "BTab", "BTab"]);
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

// ---- issue 10: the UI at 80×24 and what a clerk expects ----

/// The footer's last line (the screen's last line).
fn last_line(text: &str) -> String {
    text.lines()
        .rfind(|l| !l.starts_with("[cursor"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_overview_scrolls_from_the_tree_and_marks_what_lies_below() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("↓ 下面还有 J"), "{text}");
    assert!(!text.contains("培训     共"), "{text}");
    // J scrolls the details while the tree keeps the keyboard; far past the end stays at it.
    for _ in 0..40 {
        keys(&mut app, &["J"]);
    }
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("培训     共 15 次"), "{text}");
    assert!(text.contains("↑ 上面还有 K") && !text.contains("↓ 下面还有"), "{text}");
    assert_eq!(selected(&app), DISTRICT);
    keys(&mut app, &["K"]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("↓ 下面还有 J"), "{text}");
}

#[test]
fn the_help_pages_and_closes_only_on_its_keys() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["?"]);
    let first = screen(&mut app, 80, 24);
    // A stray key keeps the help where it is.
    keys(&mut app, &["x", "Right"]);
    assert!(matches!(app.modal, Some(Modal::Help { offset: 0 })));
    press(&mut app, KeyCode::PageDown);
    let paged = screen(&mut app, 80, 24);
    assert_ne!(first, paged);
    assert!(
        matches!(app.modal, Some(Modal::Help { offset }) if offset >= 15),
        "{:?}",
        app.modal.is_some()
    );
    keys(&mut app, &["End"]);
    let end = screen(&mut app, 80, 24);
    // The last line of the help is the last note, and nothing is marked below.
    assert!(end.contains("↑ more above") && !end.contains("↓ more below"), "{end}");
    keys(&mut app, &["Home"]);
    screen(&mut app, 80, 24);
    assert!(matches!(app.modal, Some(Modal::Help { offset: 0 })));
    for close in ["Esc", "q", "?"] {
        keys(&mut app, &[close]);
        assert!(app.modal.is_none() && !app.quit, "{close}");
        keys(&mut app, &["?"]);
    }
}

#[test]
fn the_footer_says_that_help_lists_the_keys_it_drops() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    let text = screen(&mut app, 80, 24);
    assert!(last_line(&text).ends_with("…? 其余按键"), "{text}");
    let (_dir, mut app) = xishan_app(Lang::En);
    let text = screen(&mut app, 80, 24);
    assert!(last_line(&text).ends_with("…? more keys"), "{text}");
    // Wide enough for every key: no mark.
    let text = screen(&mut app, 250, 40);
    assert!(!text.contains("more keys"), "{text}");
}

#[test]
fn the_readonly_footer_offers_no_writing_keys() {
    let (_dir, store) = xishan_store(true);
    let mut app = App::new(store, Lang::En, today()).expect("the UI starts");
    let text = screen(&mut app, 250, 40);
    let footer: String = text.lines().rev().take(2).collect::<Vec<_>>().join("\n");
    for hint in ["t add", "v add", "b add", "+ add", "e edit", "u undo"] {
        assert!(!footer.contains(hint), "{hint} in {footer}");
    }
    assert!(footer.contains("/ find"), "{footer}");
    keys(&mut app, &["Tab", "Tab", "Tab", "f"]);
    let text = screen(&mut app, 250, 40);
    let footer = last_line(&text);
    assert!(
        !footer.contains("r reverse") && !footer.contains("d delete"),
        "{footer}"
    );
}

/// The text a form's field shows on screen: the line of the form with its label.
fn form_line(text: &str, label: &str) -> String {
    text.lines().find(|l| l.contains(label)).unwrap_or_default().to_string()
}

#[test]
fn a_field_shows_its_start_once_left() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    // The reversing form's note ("冲销 …") is filled, the caret at its end.
    keys(&mut app, &["Tab", "Tab", "Tab", "f"]);
    screen(&mut app, 80, 24);
    keys(&mut app, &["r"]);
    assert!(app.form.is_some());
    let text = screen(&mut app, 80, 24);
    let note = form_line(&text, "备注");
    assert!(note.contains("│ 备注      冲销 2021-11-09"), "{text}");
    // A long name, typed and left: its start shows, the hidden end marked.
    keys(&mut app, &["Esc", "Left", "Esc", "e"]);
    assert!(app.form.is_some());
    press(&mut app, KeyCode::End);
    type_text(&mut app, "（社会工作服务站与党群服务中心合署办公，地址在碧鸡路）");
    let text = screen(&mut app, 80, 24);
    let name = form_line(&text, "名称*");
    assert!(name.contains("…"), "focused, the start is hidden and marked: {name}");
    keys(&mut app, &["Tab"]);
    let text = screen(&mut app, 80, 24);
    let name = form_line(&text, "名称*");
    assert!(name.contains("西山区（社会工作") && name.contains("…"), "{name}");
}

#[test]
fn g_shows_any_date_in_the_importers_forms() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["g"]);
    type_text(&mut app, "2021-05-30");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("截至日期： 2021-05-30"), "{text}");
    keys(&mut app, &["Enter"]);
    assert_eq!(app.as_of, chrono::NaiveDate::from_ymd_opt(2021, 5, 30).unwrap());
    assert!(app.modal.is_none());
    // 2021年11月: the end of the month; 2021/11/9 as the importer reads it.
    keys(&mut app, &["g"]);
    type_text(&mut app, "2021/11/9");
    keys(&mut app, &["Enter"]);
    assert_eq!(app.as_of, chrono::NaiveDate::from_ymd_opt(2021, 11, 9).unwrap());
    keys(&mut app, &["g"]);
    type_text(&mut app, "2020年12月");
    keys(&mut app, &["Enter"]);
    assert_eq!(app.as_of, chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
    // Unreadable, or after today: said, the prompt stays with the text.
    keys(&mut app, &["g"]);
    type_text(&mut app, "去年");
    keys(&mut app, &["Enter"]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("无法识别“去年”"), "{text}");
    ctrl(&mut app, 'u');
    type_text(&mut app, "2022-01-01");
    keys(&mut app, &["Enter"]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("晚于今天"), "{text}");
    assert_eq!(app.as_of, chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
    keys(&mut app, &["Esc"]);
    assert!(app.modal.is_none());
    assert_eq!(
        keymap::lookup(Ctx::Tree, &key(KeyCode::Char('g'))),
        Some(Action::GoToDate)
    );
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

fn question(app: &App) -> String {
    match &app.modal {
        Some(Modal::Confirm { question, .. }) => question.clone(),
        _ => String::new(),
    }
}

#[test]
fn likely_mistakes_are_said_and_asked_again() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["/"]);
    type_text(&mut app, "bj");
    keys(&mut app, &["Enter"]);
    let before = trainings_of_district(&app);
    // After today: asked; n keeps the form and saves nothing.
    keys(&mut app, &["t"]);
    set_field(&mut app, "date", "2022-01-05");
    // Said beside the date as it is typed.
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("⚠ 日期 2022-01-05 晚于今天"), "{text}");
    keys(&mut app, &["Enter"]);
    assert!(question(&app).contains("晚于今天"), "{}", question(&app));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("仍然保存吗"), "{text}");
    keys(&mut app, &["n"]);
    assert!(app.form.is_some());
    assert_eq!(trainings_of_district(&app), before);
    // Before the station opened (碧鸡街道: 2021-05-30).
    set_field(&mut app, "date", "2020-03-01");
    keys(&mut app, &["Enter"]);
    assert!(question(&app).contains("早于碧鸡街道建站"), "{}", question(&app));
    keys(&mut app, &["y"]);
    assert!(app.form.is_none());
    let all = app.store.records_of::<Training>(BIJI, false, 100).expect("records");
    assert!(all.iter().any(|(_, t)| t.date.to_string() == "2020-03-01"));
    // A plain date goes through without a question.
    keys(&mut app, &["t"]);
    keys(&mut app, &["Enter"]);
    assert!(app.modal.is_none() && app.form.is_none());
    // A negative allocation is named a correction, beside the amount and in the question.
    keys(&mut app, &["b"]);
    set_field(&mut app, "amount", "-500");
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("是更正（冲减）"), "{text}");
    keys(&mut app, &["Enter"]);
    assert!(question(&app).contains("更正"), "{}", question(&app));
    keys(&mut app, &["y"]);
    assert!(app.form.is_none());
    let said = app.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(said.contains("-500.00，是更正（冲减）"), "{said}");
}

#[test]
fn esc_closes_a_form_that_holds_what_it_opened_with() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    // Typed and taken back: untouched.
    keys(&mut app, &["t", "Tab", "Tab", "Tab", "Tab"]);
    type_text(&mut app, "ab");
    keys(&mut app, &["Backspace", "Backspace", "Esc"]);
    assert!(app.form.is_none() && app.modal.is_none(), "{:?}", app.status);
    // A choice picked again as it was.
    keys(&mut app, &["t", "Tab", "Tab", " ", "Enter", "Esc"]);
    assert!(app.form.is_none() && app.modal.is_none());
    // The reversing form as it opened (the budget tab of a fresh start).
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["Tab", "Tab", "Tab", "f"]);
    screen(&mut app, 80, 24);
    keys(&mut app, &["r"]);
    assert!(app.form.is_some());
    keys(&mut app, &["Esc"]);
    assert!(app.form.is_none() && app.modal.is_none());
}

#[test]
fn ctrl_u_clears_a_pickers_filter() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["t", "Tab"]);
    type_text(&mut app, "bj");
    let narrowed = app.picker.as_ref().map(|p| p.shown.len()).unwrap_or(0);
    ctrl(&mut app, 'u');
    let p = app.picker.as_ref().expect("the picker stays open");
    assert!(p.filter.is_empty());
    assert!(p.shown.len() > narrowed, "{} > {narrowed}", p.shown.len());
}

#[test]
fn form_problems_name_the_field_once_in_one_language() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["t"]);
    set_field(&mut app, "date", "2021-02-30");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("日期：“2021-02-30”不是真实存在的一天"), "{text}");
    assert!(!text.contains("日期: 日期") && !text.contains("日期：日期"), "{text}");
    keys(&mut app, &["Esc", "y", "e"]);
    set_field(&mut app, "closed_on", "2021-06-01");
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("撤站日期：只有已撤销的站点才有撤站日期"), "{text}");
    assert!(!text.contains("closed/"), "{text}");
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["t"]);
    set_field(&mut app, "date", "2021-02-30");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Date: “2021-02-30” is not a real date"), "{text}");
}

#[test]
fn the_history_list_marks_changes_below_it() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["/"]);
    type_text(&mut app, "bj");
    keys(&mut app, &["Enter"]);
    for n in 0..20 {
        keys(&mut app, &["e"]);
        set_field(&mut app, "operator", &format!("机构{n}"));
        keys(&mut app, &["Enter"]);
        assert!(app.form.is_none(), "{:?}", app.status);
    }
    keys(&mut app, &["H"]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("↓ 下面还有"), "{text}");
    keys(&mut app, &["End"]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("↑ 上面还有") && !text.contains("↓ 下面还有"), "{text}");
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

/// Digits and signs typed by a Chinese input method in full width read as their ASCII forms
/// in the forms, as in files: a date, an amount, hours and attendees.
#[test]
fn full_width_digits_and_signs_are_read_in_the_forms() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["/"]);
    type_text(&mut app, "bj");
    keys(&mut app, &["Enter"]);
    keys(&mut app, &["b"]);
    set_field(&mut app, "date", "２０２１－１１－０８");
    set_field(&mut app, "amount", "１，０００．５０");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none() && app.modal.is_none(), "saved at once");
    let entries = app
        .store
        .records_of::<shegong::domain::BudgetEntry>(BIJI, false, 100)
        .expect("records");
    assert!(
        entries
            .iter()
            .any(|(_, b)| b.amount.0 == 100_050 && b.date.to_string() == "2021-11-08"),
        "{entries:?}"
    );
    keys(&mut app, &["t"]);
    set_field(&mut app, "date", "２０２１－１１－０８");
    set_field(&mut app, "hours", "１．５");
    set_field(&mut app, "attendees", "３０");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none() && app.modal.is_none(), "saved at once");
    let trainings = app.store.records_of::<Training>(BIJI, false, 100).expect("records");
    assert!(
        trainings
            .iter()
            .any(|(_, t)| t.hours == Some(15) && t.attendees == Some(30) && t.date.to_string() == "2021-11-08"),
        "{trainings:?}"
    );
}
