//! One text input behind every prompt: the same keys and the same paste give the same text in
//! a form field, the find prompt, the as-of date prompt and a picker's filter (issue 12: `App`
//! split, text editing reused from one widget; the same editing keys in every prompt).

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shegong::i18n::Lang;
use shegong::tui::app::Modal;
use shegong::tui::keymap::{self, Ctx};
use shegong::tui::text_input::TextInput;
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

/// The prompts a clerk types into, each opened from the tree the way a clerk opens it.
#[derive(Clone, Copy, Debug)]
enum Prompt {
    FormField,
    Find,
    Date,
    PickerFilter,
}

const PROMPTS: [Prompt; 4] = [Prompt::FormField, Prompt::Find, Prompt::Date, Prompt::PickerFilter];

fn open(app: &mut App, prompt: Prompt) {
    match prompt {
        Prompt::FormField => {
            keys(app, &["t"]);
            tab_to_field(app, "topic");
        }
        Prompt::Find => keys(app, &["/"]),
        Prompt::Date => keys(app, &["g"]),
        Prompt::PickerFilter => {
            keys(app, &["t"]);
            tab_to_field(app, "host");
            press(app, KeyCode::F(2));
            assert!(app.picker.is_some(), "F2 opens the unit picker");
        }
    }
}

fn context(prompt: Prompt) -> Ctx {
    match prompt {
        Prompt::FormField => Ctx::Form,
        Prompt::Find => Ctx::Find,
        Prompt::Date => Ctx::DatePrompt,
        Prompt::PickerFilter => Ctx::Picker,
    }
}

/// The text being edited in a prompt, with its caret.
fn input(app: &App, prompt: Prompt) -> TextInput {
    match prompt {
        Prompt::FormField => app
            .form
            .as_ref()
            .and_then(|f| f.field("topic"))
            .map(|f| f.text.clone())
            .expect("a topic field"),
        Prompt::Find => app.find.query.clone(),
        Prompt::Date => match &app.modal {
            Some(Modal::DatePrompt { text, .. }) => text.clone(),
            other => panic!("no date prompt: {other:?}"),
        },
        Prompt::PickerFilter => app.picker.as_ref().map(|p| p.filter.clone()).expect("a picker"),
    }
}

fn with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.on_key(KeyEvent::new(code, modifiers));
}

/// The same keys in every prompt, with the text and the caret (as what lies before it) after
/// each step: the one sequence a clerk's fingers know.
#[test]
fn every_prompt_has_the_same_editing_keys() {
    for prompt in PROMPTS {
        let (_dir, mut app) = xishan_app(Lang::Zh);
        open(&mut app, prompt);
        assert_eq!(app.context(), context(prompt), "{prompt:?}");
        let check = |app: &mut App, step: &str, text: &str, before: &str| {
            let t = input(app, prompt);
            assert_eq!((t.as_str(), &t[..t.caret()]), (text, before), "{prompt:?} after {step}");
            // Every edit stays in its prompt.
            assert_eq!(app.context(), context(prompt), "{prompt:?} after {step}");
        };
        type_text(&mut app, "西苑 街道");
        check(&mut app, "typing", "西苑 街道", "西苑 街道");
        keys(&mut app, &["Left", "Left"]);
        check(&mut app, "← ←", "西苑 街道", "西苑 ");
        type_text(&mut app, "东");
        check(&mut app, "inserting", "西苑 东街道", "西苑 东");
        keys(&mut app, &["Right"]);
        check(&mut app, "→", "西苑 东街道", "西苑 东街");
        keys(&mut app, &["Home"]);
        check(&mut app, "Home", "西苑 东街道", "");
        press(&mut app, KeyCode::Delete);
        check(&mut app, "Delete", "苑 东街道", "");
        keys(&mut app, &["End"]);
        check(&mut app, "End", "苑 东街道", "苑 东街道");
        with(&mut app, KeyCode::Left, KeyModifiers::CONTROL);
        check(&mut app, "Ctrl-←", "苑 东街道", "苑 ");
        type_text(&mut app, "南");
        check(&mut app, "inserting", "苑 南东街道", "苑 南");
        with(&mut app, KeyCode::Char('b'), KeyModifiers::ALT);
        check(&mut app, "Alt-B", "苑 南东街道", "苑 ");
        with(&mut app, KeyCode::Char('b'), KeyModifiers::ALT);
        check(&mut app, "Alt-B", "苑 南东街道", "");
        with(&mut app, KeyCode::Right, KeyModifiers::CONTROL);
        check(&mut app, "Ctrl-→", "苑 南东街道", "苑");
        with(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
        check(&mut app, "Alt-F", "苑 南东街道", "苑 南东街道");
        keys(&mut app, &["Backspace"]);
        check(&mut app, "Backspace", "苑 南东街", "苑 南东街");
        ctrl(&mut app, 'a');
        check(&mut app, "Ctrl-A", "苑 南东街", "");
        ctrl(&mut app, 'e');
        check(&mut app, "Ctrl-E", "苑 南东街", "苑 南东街");
        ctrl(&mut app, 'u');
        check(&mut app, "Ctrl-U", "", "");
    }
}

/// What the help lists for editing is what every prompt does: one section, and each of its
/// keys looked up in each prompt gives its action.
#[test]
fn the_help_lists_the_editing_keys_once() {
    let help: Vec<String> = shegong::tui::view::help_lines(Lang::En)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(
        help.iter().filter(|l| l.starts_with("Editing text")).count(),
        1,
        "{help:?}"
    );
    for text in [
        "Ctrl-←/Alt-b",
        "Ctrl-→/Alt-f",
        "Home/Ctrl-A",
        "End/Ctrl-E",
        "Del",
        "Ctrl-U",
    ] {
        assert!(
            help.iter().any(|l| l.trim_start().starts_with(text)),
            "help lacks {text}"
        );
    }
    for binding in keymap::bindings_of(Ctx::Edit) {
        for prompt in PROMPTS {
            for k in binding.keys {
                assert_eq!(
                    keymap::lookup(context(prompt), &KeyEvent::new(k.0, k.1)),
                    Some(binding.action),
                    "{k:?} in {prompt:?}"
                );
            }
        }
    }
}

fn date_error(app: &App) -> Option<String> {
    match &app.modal {
        Some(Modal::DatePrompt { error, .. }) => error.clone(),
        other => panic!("no date prompt: {other:?}"),
    }
}

/// The date prompt reads a date with the one parser of a date (`domain::fields::date`) and
/// says what is wrong in its words, the words the importer and the forms use; a month or a
/// year is its end, and after today is refused.
#[test]
fn the_date_prompt_reads_and_words_a_date_as_the_forms_do() {
    use shegong::domain::fields;
    for lang in [Lang::Zh, Lang::En] {
        let (_dir, mut app) = xishan_app(lang);
        for bad in ["去年", "2021-02-30", "１８９９"] {
            keys(&mut app, &["g"]);
            type_text(&mut app, bad);
            keys(&mut app, &["Enter"]);
            let expected = fields::date(bad).map(|_| ()).expect_err("not a date").message(lang);
            assert_eq!(date_error(&app), Some(expected), "{bad}");
            // An edit takes the error away; the text stays to be mended.
            keys(&mut app, &["Left"]);
            assert_eq!(date_error(&app), None);
            assert_eq!(date_prompt_text(&app), bad);
            keys(&mut app, &["Esc"]);
        }
        // 2021年11月: its end, which is today (2021-11-30).
        keys(&mut app, &["g"]);
        type_text(&mut app, "2021年11月");
        keys(&mut app, &["Enter"]);
        assert!(app.modal.is_none());
        assert_eq!(
            app.as_of,
            chrono::NaiveDate::from_ymd_opt(2021, 11, 30).expect("a date")
        );
        // ２０２０: full-width digits, the end of the year.
        keys(&mut app, &["g"]);
        type_text(&mut app, "２０２０");
        keys(&mut app, &["Enter"]);
        assert_eq!(
            app.as_of,
            chrono::NaiveDate::from_ymd_opt(2020, 12, 31).expect("a date")
        );
        // 2021 ends after today: refused, as is any date after today.
        keys(&mut app, &["g"]);
        type_text(&mut app, "2021");
        keys(&mut app, &["Enter"]);
        let error = date_error(&app).expect("refused");
        assert!(error.contains("2021-11-30"), "{error}");
        assert_eq!(
            app.as_of,
            chrono::NaiveDate::from_ymd_opt(2020, 12, 31).expect("a date")
        );
    }
}
