//! Snapshots of the main screens (TestBackend + insta), in Chinese and English, at 80×24 and
//! 120×40: the tree, each tab, a form with a problem, the help, the charts, find. Each is
//! reached by keys from a fresh Xishan store, as a user would. Review changes with
//! `INSTA_UPDATE=always cargo test --test tui_snapshots` and `git diff tests/snapshots`.

mod tui_support;

use shegong::i18n::Lang;
use shegong::tui::app::Modal;
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
    snapshot_all("coverage", |app| keys(app, &["BTab", "BTab", "BTab"]));
}

#[test]
fn funding_chart() {
    snapshot_all("funding", |app| keys(app, &["BTab", "BTab"]));
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

// ---- issue 10: 80×24 loses nothing silently ----

#[test]
fn overview_scrolled_to_its_end() {
    // J scrolls the details from the tree; the border marks what lies above.
    snapshot_all("overview_scrolled", |app| {
        for _ in 0..40 {
            keys(app, &["J"]);
        }
    });
}

#[test]
fn help_paged_down() {
    snapshot_all("help_paged", |app| {
        keys(app, &["?"]);
        // The first draw tells the help how tall a page is.
        screen(app, 80, 24);
        keys(app, &["PageDown"]);
    });
}

/// The help from its forms section on: the form's own keys, then the editing keys every
/// prompt shares (listed once), then the picker's, find's and the date prompt's own.
#[test]
fn help_editing_keys() {
    snapshot_all("help_editing", |app| {
        keys(app, &["?"]);
        // The help is 80 columns wide at both sizes (77 for its text): the same lines.
        let heading = shegong::tui::strings::tr(app.lang, shegong::tui::strings::S::HelpForm);
        let offset = shegong::tui::view::help_lines_in(app.lang, 77)
            .iter()
            .position(|l| l.to_string() == heading)
            .expect("the help has a forms section");
        app.modal = Some(Modal::Help { offset });
    });
}

#[test]
fn date_prompt() {
    snapshot_all("date_prompt", |app| {
        keys(app, &["g"]);
        type_text(app, "2021年5月30日");
    });
}

#[test]
fn date_prompt_refuses_a_future_date() {
    snapshot_all("date_prompt_future", |app| {
        keys(app, &["g"]);
        type_text(app, "2022-01-01");
        keys(app, &["Enter"]);
    });
}

#[test]
fn a_date_after_today_asks_again() {
    snapshot_all("mistake_confirm", |app| {
        to_biji(app);
        keys(app, &["t"]);
        // The date field is first and focused: replaced by a date after today.
        ctrl_u(app);
        type_text(app, "2022-01-05");
        keys(app, &["Enter"]);
    });
}

#[test]
fn a_negative_allocation_is_a_correction() {
    snapshot_all("negative_allocation", |app| {
        keys(app, &["b", "Tab", "Tab", "Tab", "Tab", "Tab"]);
        type_text(app, "-500");
    });
}

#[test]
fn reversing_form_shows_the_notes_start() {
    snapshot_all("reversing", |app| {
        keys(app, &["Tab", "Tab", "Tab", "f"]);
        screen(app, 80, 24);
        keys(app, &["r"]);
    });
}

#[test]
fn readonly_footer() {
    for (lang, tag) in LANGS {
        let (_dir, store) = xishan_store(true);
        let mut app = App::new(store, lang, today()).expect("the UI starts");
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("readonly_{tag}_{w}x{h}"), screen(&mut app, w, h));
        }
    }
}

fn ctrl_u(app: &mut App) {
    ctrl(app, 'u');
}

#[test]
fn a_date_problem_names_the_field_once() {
    snapshot_all("form_date_problem", |app| {
        keys(app, &["t"]);
        ctrl_u(app);
        type_text(app, "2021-02-30");
    });
}

// ---- the QA walk ----

/// The district's allocation reversed with no voucher on the reversal: at 80×24 (no voucher
/// column) both rows carry `↺` before the amount; at 120×40 the marks say it in words, with
/// no separator after them when no voucher follows. The footer offers `r`, not `d`.
#[test]
fn budget_with_a_reversal() {
    snapshot_all("budget_reversed", |app| {
        keys(app, &["Tab", "Tab", "Tab", "f"]);
        screen(app, 120, 40);
        keys(app, &["r"]);
        tab_to_field(app, "voucher");
        ctrl_u(app);
        keys(app, &["Enter"]);
        screen(app, 120, 40);
    });
}

/// Enter on the date prompt with nothing typed asks for a date, quoting nothing.
#[test]
fn date_prompt_empty() {
    snapshot_all("date_prompt_empty", |app| keys(app, &["g", "Enter"]));
}

/// The history of a reversing entry: its amount written `-1,700,000.00`, as every other
/// screen writes money (not `-1700000.00`, as the files do).
#[test]
fn history_of_a_budget_entry() {
    for (lang, tag) in LANGS {
        let (_dir, mut app) = xishan_app(lang);
        keys(&mut app, &["Tab", "Tab", "Tab", "f"]);
        screen(&mut app, 120, 40);
        keys(&mut app, &["r", "Enter"]);
        screen(&mut app, 120, 40);
        keys(&mut app, &["H"]);
        for (w, h) in SIZES {
            let text = mask_ui_ids(&mask_times(&screen(&mut app, w, h)));
            insta::assert_snapshot!(format!("history_budget_{tag}_{w}x{h}"), text);
        }
    }
}

/// A record made in the UI is named from the clock (`UI-B-20261129-051506573-1`): its date
/// and time are masked (`UI-B-xxxxxxxx-xxxxxxxxx-1`).
fn mask_ui_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("UI-B-") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let mut taken = 0;
        for c in rest.chars().take(19) {
            if !(c.is_ascii_digit() || c == '-') {
                break;
            }
            out.push(if c == '-' { '-' } else { 'x' });
            taken += c.len_utf8();
        }
        rest = &rest[taken..];
    }
    out.push_str(rest);
    out
}

/// Eight communities under 碧鸡街道, their stations opened a month apart in 2021: the
/// district's coverage tab lists more changes than fit under the chart at 80×24, each line
/// (street and community figures) too long for the pane. Cut lines end with `…`; `J`
/// scrolls the list, the border saying what lies above and below.
fn with_communities(lang: Lang) -> (tempfile::TempDir, App) {
    use shegong::domain::words::{Level, StationStatus};
    use shegong::domain::PartialDate;
    let (dir, store) = xishan_store(false);
    let street = store.unit("530112008000").expect("read").expect("碧鸡街道");
    let communities: Vec<_> = (1..=8)
        .map(|i| {
            let mut u = street.clone();
            u.code = format!("5301120080{:02}", i);
            u.parent = Some(street.code.clone());
            u.level = Level::Community;
            u.name = format!("碧鸡{i}社区");
            u.station = StationStatus::Operating;
            u.opened_on = Some(PartialDate::parse(&format!("2021-0{i}-15")).expect("a date"));
            u.closed_on = None;
            u.note = String::new();
            u
        })
        .collect();
    store.apply_units(&communities).expect("the communities are stored");
    let app = App::new(store, lang, today()).expect("the UI starts");
    (dir, app)
}

#[test]
fn coverage_with_communities_scrolls() {
    for (lang, tag) in LANGS {
        let (_dir, mut app) = with_communities(lang);
        keys(&mut app, &["BTab", "BTab", "BTab"]);
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("coverage_communities_{tag}_{w}x{h}"), screen(&mut app, w, h));
        }
        for _ in 0..20 {
            keys(&mut app, &["J"]);
        }
        for (w, h) in SIZES {
            let name = format!("coverage_communities_scrolled_{tag}_{w}x{h}");
            insta::assert_snapshot!(name, screen(&mut app, w, h));
        }
    }
}
