//! Issue 11 item 10 on the screen: a unit whose name and note hold terminal escapes (OSC 52
//! writes the clipboard, OSC 0 the window title, CSI 2J clears the screen) is shown with them
//! escaped (`\x1b`), and no cell of the screen holds a control character for the terminal.

mod tui_support;

use shegong::i18n::Lang;
use shegong::tui::App;
use tui_support::*;

const EVIL: &str = "西苑\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J街道";

fn app_with_evil_name(lang: Lang) -> (tempfile::TempDir, App) {
    let (dir, store) = xishan_store(false);
    let mut unit = store.unit("530112001000").unwrap().expect("西苑街道");
    unit.name = EVIL.to_string();
    unit.note = format!("备注\x1b[31m红\x1b[0m {EVIL}");
    store.apply_units(&[unit]).expect("renamed");
    let app = App::new(store, lang, today()).expect("the UI starts");
    (dir, app)
}

#[test]
fn a_name_with_escapes_is_shown_escaped() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (_dir, mut app) = app_with_evil_name(lang);
        // The district opens with its streets shown; its first street (西苑) selected.
        keys(&mut app, &["Down"]);
        for (w, h) in [(80u16, 24u16), (120, 40)] {
            let terminal = render(&mut app, w, h);
            let buf = terminal.backend().buffer();
            for cell in buf.content.iter() {
                assert!(
                    !cell.symbol().contains(char::is_control),
                    "a control character reaches the terminal: {:?}",
                    cell.symbol()
                );
            }
            let text = screen(&mut app, w, h);
            assert!(text.contains("西苑\\x1b]52;c;"), "{text}");
            insta::assert_snapshot!(format!("escaped_name_{tag}_{w}x{h}"), mask_times(&text));
        }
    }
}
