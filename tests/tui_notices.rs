//! The lines above the footer (`tui::notice`), as snapshots in Chinese and English at 80×24
//! and 120×40: a long status message (a conflict's advice over the unit form, a refusal naming
//! the unit over the budget form, who changed what) wrapped by cells rather than cut, and the
//! banner while the shared server cannot be reached, over a typed form refused as not saved.
//! The store is a Xishan folder store; the server's errors are the ones the backend gives
//! (`StoreError::Conflict`, `NotAllowed`, `Unreachable`), handed to the app as a failed save
//! hands them. Review changes with `INSTA_UPDATE=always cargo test --test tui_notices`.

mod tui_support;

use shegong::i18n::Lang;
use shegong::store::StoreError;
use shegong::text;
use shegong::tui::strings::S;
use shegong::tui::App;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::Zh, "zh"), (Lang::En, "en")];
const SERVER: &str = "clerk_biji@registry.xishan-district.example.org:5432/shegong";

/// Reaches a screen with `setup` (after a first frame, as in a running UI) in each language
/// and snapshots it at each size; returns the screens.
fn snapshot_all(name: &str, setup: impl Fn(&mut App)) -> Vec<String> {
    let mut screens = Vec::new();
    for (lang, tag) in LANGS {
        let (_dir, mut app) = xishan_app(lang);
        keys(&mut app, &["/"]);
        type_text(&mut app, "bj");
        keys(&mut app, &["Enter"]);
        screen(&mut app, 80, 24);
        setup(&mut app);
        for (w, h) in SIZES {
            let text = mask_times(&screen(&mut app, w, h));
            insta::assert_snapshot!(format!("{name}_{tag}_{w}x{h}"), text);
            screens.push(text);
        }
    }
    screens
}

/// Every line of `screen` fits its width in cells.
fn fits(screen: &str, width: usize) {
    for line in screen.lines().filter(|l| !l.starts_with("[cursor")) {
        assert!(text::width(line) <= width, "{line}");
    }
}

#[test]
fn a_conflict_over_the_unit_form_is_said_in_full() {
    let screens = snapshot_all("conflict", |app| {
        keys(app, &["e"]);
        app.fail(&StoreError::Conflict {
            unit: "530112008000".into(),
            by: "clerk_biji".into(),
            at: "2026-11-29 10:32:05".into(),
        });
    });
    // The advice's end is on screen at 80 columns, in both languages.
    assert!(screens[0].contains("请核对后再保存。"), "{}", screens[0]);
    assert!(screens[2].contains("Check it, then save again."), "{}", screens[2]);
    fits(&screens[0], 80);
    fits(&screens[2], 80);
}

#[test]
fn a_refusal_naming_a_unit_is_said_in_full() {
    let screens = snapshot_all("refused", |app| {
        keys(app, &["b"]);
        app.fail(&StoreError::NotAllowed {
            login: "clerk_of_the_biji_street_station_west_hills".into(),
            unit: "530112008000".into(),
        });
    });
    assert!(screens[0].contains("未做任何改动。"), "{}", screens[0]);
    assert!(screens[2].contains("nothing was changed."), "{}", screens[2]);
}

#[test]
fn the_banner_while_the_server_is_away() {
    let screens = snapshot_all("server_away", |app| {
        app.fail(&StoreError::Unreachable {
            server: SERVER.into(),
            reason: "connection refused".into(),
        });
        // The time it was noticed is the clock's: a fixed one for the snapshot.
        if let Some(o) = app.outage.as_mut() {
            o.since = "09:41".into();
        }
        keys(app, &["b"]);
        tab_to_field(app, "amount");
        type_text(app, "4321");
        // What a save says while the server is away (`App::not_saved`).
        app.warn(S::NotSavedServerAway, &["connection refused"]);
    });
    assert!(screens[1].contains("已输入的内容不会丢失"), "{}", screens[1]);
    assert!(screens[3].contains("Nothing you typed is lost"), "{}", screens[3]);
    for s in &screens {
        assert!(s.contains("4321"), "the form is kept: {s}");
    }
    fits(&screens[0], 80);
}

#[test]
fn a_form_outside_the_logins_units_says_so_in_full() {
    // The title a clerk's form gets for another street's unit (`FormOutsideScope`), here with
    // a long unit name: wider than the form at 80 columns.
    let screens = snapshot_all("outside_scope", |app| {
        keys(app, &["b"]);
        if let Some(form) = app.form.as_mut() {
            let (zh, en) = shegong::words::both(shegong::words::N::FormOutsideScope, &[&"530112008001"]);
            form.title.0 = format!("录入资金 · 碧鸡街道碧鸡社区居民委员会第三网格服务点{zh}");
            form.title.1 = format!("Record a budget entry · 碧鸡街道碧鸡社区居民委员会第三网格服务点{en}");
        }
    });
    assert!(screens[0].contains("保存会被拒绝"), "{}", screens[0]);
    assert!(screens[2].contains("saving will be refused)"), "{}", screens[2]);
    fits(&screens[0], 80);
    fits(&screens[2], 80);
}
