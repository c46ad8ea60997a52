//! The QA walk's screen findings, checked beyond the snapshots: the English help has no
//! Chinese and cuts nothing; English amounts have no 万.

mod tui_support;

use shegong::i18n::Lang;
use tui_support::*;

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

#[test]
fn the_english_help_is_english_and_wraps() {
    for width in [40usize, 77, 200] {
        for (lang, _) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let lines = shegong::tui::view::help_lines_in(lang, width);
            for l in &lines {
                let text = l.to_string();
                assert!(
                    unicode_width::UnicodeWidthStr::width(text.as_str()) <= width.max(36),
                    "{text}"
                );
                if lang == Lang::En {
                    assert!(!has_cjk(&text), "Chinese in the English help: {text}");
                }
            }
            // The date line is whole: its closing bracket is there.
            let all: String = lines
                .iter()
                .map(|l| l.to_string().trim().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            assert!(all.contains("2021)") || all.contains("2021）"), "{all}");
        }
    }
}

#[test]
fn the_help_at_80_columns_has_single_corners() {
    for lang in [Lang::Zh, Lang::En] {
        let (_dir, mut app) = xishan_app(lang);
        keys(&mut app, &["?"]);
        let text = screen(&mut app, 80, 24);
        for doubled in ["┌┌", "┐┐", "└└", "┘┘"] {
            assert!(!text.contains(doubled), "{text}");
        }
    }
}

#[test]
fn english_amounts_have_no_wan() {
    let (_dir, mut app) = xishan_app(Lang::En);
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen(&mut app, w, h);
        assert!(!text.contains('万'), "{text}");
        assert!(text.contains("1.70M"), "{text}");
    }
    keys(&mut app, &["BTab", "BTab"]);
    let text = screen(&mut app, 120, 40);
    assert!(!text.contains('万') && text.contains("1.70M"), "{text}");
}

#[test]
fn the_records_footer_offers_only_keys_the_tab_takes() {
    // (keys to the tab, offers d, offers r)
    let tabs: [(&[&str], bool, bool); 3] = [
        (&["Tab", "Tab", "Tab", "f"], false, true), // budget: reversed, not deleted
        (&["Tab", "Tab", "f"], true, false),        // trainings: deleted, not reversed
        (&["BTab", "BTab", "BTab", "f"], false, false), // coverage: no records
    ];
    for (to_tab, d, r) in tabs {
        let (_dir, mut app) = xishan_app(Lang::En);
        keys(&mut app, to_tab);
        let text = screen(&mut app, 120, 40);
        assert_eq!(text.contains("d delete record"), d, "{text}");
        assert_eq!(text.contains("r reverse entry"), r, "{text}");
    }
}
