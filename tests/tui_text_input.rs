//! One text input behind every prompt: the same keys and the same paste give the same text in
//! a form field, the find prompt and the as-of date prompt (issue 12: `App` split, text
//! editing reused from one widget).

mod tui_support;

use crossterm::event::KeyCode;
use shegong::i18n::Lang;
use shegong::tui::app::Modal;
use shegong::tui::App;
use tui_support::*;

/// The same edits, key by key, with keys every prompt has: typed text with a CJK character,
/// Backspace over it, a paste with a line break.
fn edit(app: &mut App) {
    type_text(app, "ab西");
    press(app, KeyCode::Backspace);
    app.on_paste("c\nd");
}

fn date_prompt_text(app: &App) -> String {
    match &app.modal {
        Some(Modal::DatePrompt { text, .. }) => text.to_string(),
        other => panic!("no date prompt: {other:?}"),
    }
}

#[test]
fn every_prompt_edits_the_same_way() {
    let (_dir, mut app) = xishan_app(Lang::Zh);

    keys(&mut app, &["t"]);
    tab_to_field(&mut app, "topic");
    edit(&mut app);
    let form = app.form.as_ref().expect("a form");
    let topic = form.field("topic").expect("a topic field");
    assert_eq!(topic.text.as_str(), "abc d");
    assert_eq!(topic.text.caret(), "abc d".len());
    keys(&mut app, &["Esc"]);
    keys(&mut app, &["y"]);
    assert!(app.form.is_none());

    keys(&mut app, &["/"]);
    edit(&mut app);
    assert_eq!(app.find.query.as_str(), "abc d");
    assert_eq!(app.find.query.caret(), "abc d".len());
    keys(&mut app, &["Esc"]);

    keys(&mut app, &["g"]);
    edit(&mut app);
    assert_eq!(date_prompt_text(&app), "abc d");
    // Ctrl-U empties it, as it empties a form field.
    ctrl(&mut app, 'u');
    assert_eq!(date_prompt_text(&app), "");
}

#[test]
fn a_caret_moved_into_cjk_text_edits_there() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    keys(&mut app, &["t"]);
    tab_to_field(&mut app, "topic");
    type_text(&mut app, "西苑街道");
    keys(&mut app, &["Left", "Left", "Backspace"]);
    type_text(&mut app, "山");
    press(&mut app, KeyCode::Delete);
    let topic = app.form.as_ref().and_then(|f| f.field("topic")).expect("a topic field");
    assert_eq!(topic.text.as_str(), "西山道");
    // Two CJK characters before the caret: four cells.
    assert_eq!(topic.text.caret_cells(), 4);
    keys(&mut app, &["Home"]);
    assert_eq!(
        app.form.as_ref().and_then(|f| f.field("topic")).map(|f| f.text.caret()),
        Some(0)
    );
}
