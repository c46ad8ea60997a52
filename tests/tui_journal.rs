//! Units and reversals through the journal, driven by keys on a Xishan store: a unit added by
//! mistake (the form warns when its code is unlike its siblings') is deleted with `d` and
//! both steps are undone with `u`; a budget entry is reversed once, never twice, and a
//! reversal not at all; the history view shows it all with the same numbers as
//! `shegong history`.

mod tui_support;

use shegong::i18n::Lang;
use shegong::tui::app::{Modal, Pending};
use shegong::tui::App;
use tui_support::*;

const BIJI: &str = "530112008000";
const TYPO: &str = "530112008";

fn status(app: &App) -> (String, bool) {
    app.status
        .as_ref()
        .map(|s| (s.text.clone(), s.error))
        .unwrap_or_default()
}

/// Opens the district and selects 碧鸡街道 through find.
fn to_biji(app: &mut App) {
    keys(app, &["Right", "/"]);
    type_text(app, "bj");
    keys(app, &["Enter"]);
}

/// `+` under 碧鸡街道, a name, and Enter twice: the parent's digits saved as a code.
fn add_typo(app: &mut App) {
    to_biji(app);
    keys(app, &["+"]);
    tab_to_field(app, "name");
    type_text(app, "打错的社区");
    keys(app, &["Enter", "Enter"]);
}

/// The district's budget tab, its entry reversed.
fn reverse_district_entry(app: &mut App) {
    keys(app, &["Home", "Tab", "Tab", "Tab", "f"]);
    // The records table is read when drawn, as on screen.
    render(app, 120, 40);
    keys(app, &["r", "Enter"]);
    render(app, 120, 40);
}

#[test]
fn a_unit_added_by_mistake_is_deleted_and_both_steps_undone() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    to_biji(&mut app);
    keys(&mut app, &["+"]);
    tab_to_field(&mut app, "name");
    type_text(&mut app, "打错的社区");
    // The code is the parent's digits: warned, naming what a sibling code looks like.
    keys(&mut app, &["Enter"]);
    let (text, error) = status(&app);
    assert!(
        error && text.contains(BIJI) && text.contains("上级单位") && text.contains("再按一次回车"),
        "{text}"
    );
    assert!(app.form.is_some(), "not saved yet");
    assert!(app.store.unit(TYPO).unwrap().is_none());
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", status(&app));
    assert!(app.store.unit(TYPO).unwrap().is_some());
    assert_eq!(app.selected_unit().map(|u| u.code.as_str()), Some(TYPO));
    // A station with no dates is the same on every date: its overview says it once.
    let text = screen(&mut app, 120, 40);
    let line = text.lines().find(|l| l.contains("站点状态")).unwrap_or_default();
    assert!(line.contains("站点状态 无") && !line.contains("截至"), "{line}");

    // `d` asks, `y` deletes.
    keys(&mut app, &["d"]);
    assert!(matches!(
        &app.modal,
        Some(Modal::Confirm { then: Pending::DeleteUnit(code), .. }) if code == TYPO
    ));
    keys(&mut app, &["y"]);
    assert!(app.store.unit(TYPO).unwrap().is_none());
    assert!(status(&app).0.contains("已删除单位 打错的社区"), "{:?}", status(&app));
    // The selection goes on at the parent, where the unit was.
    assert_eq!(app.selected_unit().map(|u| u.code.as_str()), Some(BIJI));
    // A unit with records is refused in words, before asking.
    to_biji(&mut app);
    keys(&mut app, &["d"]);
    assert!(app.modal.is_none());
    let (text, error) = status(&app);
    assert!(
        error && text.contains("下还有下级单位") || text.contains("还有评估"),
        "{text}"
    );

    // Undo brings it back, undo again takes the adding back.
    keys(&mut app, &["u", "y"]);
    assert!(app.store.unit(TYPO).unwrap().is_some(), "{:?}", status(&app));
    assert!(status(&app).0.contains("删除单位：打错的社区"), "{:?}", status(&app));
    keys(&mut app, &["u", "y"]);
    assert!(app.store.unit(TYPO).unwrap().is_none(), "{:?}", status(&app));
    assert!(app.store.check().unwrap().is_empty());
}

#[test]
fn a_code_unlike_its_siblings_is_warned_naming_one() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["+"]);
    type_text(&mut app, "9");
    tab_to_field(&mut app, "name");
    type_text(&mut app, "Typo street");
    keys(&mut app, &["Enter"]);
    let (text, error) = status(&app);
    assert!(error && text.contains("siblings' (such as 530112001000)"), "{text}");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", status(&app));
    assert!(app.store.unit("5301129").unwrap().is_some());
}

#[test]
fn a_code_like_its_siblings_is_saved_at_once() {
    let (_dir, mut app) = xishan_app(Lang::En);
    keys(&mut app, &["+"]);
    // A street under the district, coded as its sibling streets are.
    let code = app.form.as_ref().unwrap().fields[0].text.clone();
    assert_eq!(code, "530112");
    type_text(&mut app, "099000");
    tab_to_field(&mut app, "name");
    type_text(&mut app, "New street");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "{:?}", status(&app));
    assert!(app.store.unit("530112099000").unwrap().is_some());
}

#[test]
fn an_entry_is_reversed_once_and_a_reversal_not_at_all() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["Right"]);
    reverse_district_entry(&mut app);
    assert!(app.form.is_none(), "{:?}", status(&app));
    let number = app.store.journal_mark().unwrap();
    let screen_text = screen(&mut app, 120, 40);
    assert!(screen_text.contains(&format!("已由 #{number} 冲销")), "{screen_text}");
    assert!(screen_text.contains("冲销 · "), "{screen_text}");
    // The original again: refused, naming the first reversal; nothing stored.
    keys(&mut app, &["Down"]);
    render(&mut app, 120, 40);
    keys(&mut app, &["r"]);
    assert!(app.form.is_none());
    let (text, error) = status(&app);
    assert!(error && text.contains(&format!("已由 #{number} 冲销")), "{text}");
    // The reversal: refused, undo it instead.
    keys(&mut app, &["Up"]);
    render(&mut app, 120, 40);
    keys(&mut app, &["r"]);
    let (text, error) = status(&app);
    assert!(error && text.contains("冲销记录不能再冲销"), "{text}");
    assert_eq!(app.store.journal_mark().unwrap(), number);
    // Undone, the entry can be reversed again.
    keys(&mut app, &["u", "y"]);
    render(&mut app, 120, 40);
    keys(&mut app, &["r"]);
    assert!(app.form.is_some(), "{:?}", status(&app));
}

#[test]
fn history_view_of_a_mixed_journal() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (_dir, mut app) = xishan_app(lang);
        add_typo(&mut app);
        keys(&mut app, &["d", "y", "u", "y", "u", "y"]);
        reverse_district_entry(&mut app);
        // The district's history with the units below; the undone adding selected (the
        // reversal's details hold an id made from the clock).
        keys(&mut app, &["h", "Home", "H", "s", "Down"]);
        for (w, h) in [(80u16, 24u16), (120, 40)] {
            let text = mask_times(&screen(&mut app, w, h));
            insta::assert_snapshot!(format!("history_mixed_{tag}_{w}x{h}"), text);
        }
    }
}
