//! Snapshots of the main screens (TestBackend + insta), in Chinese and English, at 80×24 and
//! 120×40: the tree, each tab, a form with a problem, the help, the charts, find. Each is
//! reached by keys from a fresh Xishan store, as a user would. Review changes with
//! `INSTA_UPDATE=always cargo test --test tui_snapshots` and `git diff tests/snapshots`.

mod tui_support;

use shegong::i18n::Lang;
use shegong::tui::App;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::Zh, "zh"), (Lang::En, "en")];

/// Reaches a screen with `setup` in each language and snapshots it at each size. Times of
/// day (when a change was journaled) are masked: they are the real clock's.
fn snapshot_all(name: &str, setup: impl Fn(&mut App)) {
    for (lang, tag) in LANGS {
        let (_dir, mut app) = xishan_app(lang);
        setup(&mut app);
        for (w, h) in SIZES {
            let text = mask_times(&screen(&mut app, w, h));
            insta::assert_snapshot!(format!("{name}_{tag}_{w}x{h}"), text);
        }
    }
}

/// Selects 碧鸡街道 through find (the district is open from the start).
fn to_biji(app: &mut App) {
    keys(app, &["/"]);
    type_text(app, "bj");
    keys(app, &["Enter"]);
}

#[test]
fn tree_and_overview() {
    snapshot_all("tree", to_biji);
}

#[test]
fn district_overview() {
    snapshot_all("overview", |_| {});
}

#[test]
fn evaluations_tab() {
    snapshot_all("evaluations", |app| {
        to_biji(app);
        keys(app, &["Tab", "f"]);
    });
}

#[test]
fn trainings_tab() {
    snapshot_all("trainings", |app| keys(app, &["Tab", "Tab"]));
}

#[test]
fn budget_tab() {
    snapshot_all("budget", |app| keys(app, &["Tab", "Tab", "Tab", "f"]));
}

/// As of 2020-12-31 (a year back from the tests' today), 福海街道 selected: five street
/// stations counted then and five (福海 among them) not yet, in the tree and the overview.
#[test]
fn as_of_2020_year_end() {
    snapshot_all("as_of_2020", |app| {
        keys(app, &["{"]);
        for _ in 0..6 {
            keys(app, &["Down"]);
        }
    });
}

#[test]
fn coverage_chart() {
    snapshot_all("coverage", |app| keys(app, &["BTab", "BTab"]));
}

#[test]
fn funding_chart() {
    snapshot_all("funding", |app| keys(app, &["BTab"]));
}

#[test]
fn form_with_problems() {
    snapshot_all("form", |app| {
        keys(app, &["b"]);
        // Amount (the sixth field): not money; then save, which says what is required.
        keys(app, &["Tab", "Tab", "Tab", "Tab", "Tab"]);
        type_text(app, "12万5");
        keys(app, &["Tab"]);
        type_text(app, "西民函〔2021〕40号");
    });
}

#[test]
fn unit_picker() {
    snapshot_all("picker", |app| {
        keys(app, &["t", "Tab"]);
        type_text(app, "jd");
    });
}

#[test]
fn help_screen() {
    snapshot_all("help", |app| keys(app, &["?"]));
}

/// 碧鸡街道 gets an operating organisation through the edit form, by 张三.
fn edit_biji(app: &mut App) {
    app.store.set_operator("张三");
    to_biji(app);
    keys(app, &["e", "Tab", "Tab", "Tab", "Tab"]);
    type_text(app, "西山区社会工作服务中心");
    keys(app, &["Enter"]);
}

#[test]
fn undo_asks_saying_what() {
    snapshot_all("undo_confirm", |app| {
        edit_biji(app);
        keys(app, &["u"]);
    });
}

#[test]
fn history_view() {
    // The edit, undone: the list shows the undo, the edit (undone) and the letter's entries;
    // the edit is selected, its field before and after below.
    snapshot_all("history", |app| {
        edit_biji(app);
        keys(app, &["u", "y", "H", "Down"]);
    });
}

#[test]
fn find_prompt() {
    snapshot_all("find", |app| {
        keys(app, &["/"]);
        type_text(app, "jie");
    });
}

#[test]
fn too_small() {
    let (_dir, mut app) = xishan_app(Lang::Zh);
    insta::assert_snapshot!("too_small_zh_70x20", screen(&mut app, 70, 20));
}
