//! The per-indicator tab (issue 15) on a Xishan store with the example scheme and a few
//! evaluations giving points by file: snapshots in Chinese and English at 80×24 and 120×40,
//! what it says when no scheme or no points exist, Enter on a lowest station opening it in the
//! tree, and its figures against `shegong::indicators` for the same store.

mod tui_support;

use shegong::domain::date::day_of;
use shegong::i18n::Lang;
use shegong::interchange::schemes::{import_schemes_bytes, EXAMPLE_SCHEME};
use shegong::interchange::{import_bytes, Kind};
use shegong::registry::Registry;
use shegong::tui::app::Focus;
use shegong::tui::details::Tab;
use shegong::tui::indicator_view::percent;
use shegong::tui::App;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::Zh, "zh"), (Lang::En, "en")];
const CODES: [&str; 20] = [
    "P1", "P2", "P3", "P4", "S1", "S2", "S3", "S4", "R1", "R2", "R3", "R4", "V1", "V2", "V3", "V4", "F1", "F2", "F3",
    "F4",
];

/// The example scheme and five streets' evaluations with points (one leaving two out, one
/// evaluated twice: only the later counts).
fn evaluated(store: &Registry) {
    import_schemes_bytes(store, EXAMPLE_SCHEME).expect("the example scheme imports");
    let scheme = "示例方案（非西山区标准）";
    let mut csv = format!("unit,date,kind,scheme,{}\n", CODES.join(","));
    for (s, date) in [
        (1, "2021-11-10"),
        (1, "2021-11-20"),
        (2, "2021-11-21"),
        (3, "2021-11-22"),
        (6, "2021-11-23"),
        (8, "2021-11-24"),
    ] {
        csv.push_str(&format!("5301120{s:02}000,{date},annual,{scheme}"));
        for k in 0..CODES.len() {
            csv.push(',');
            if s == 3 && k % 9 == 0 {
                continue;
            }
            let tenths = if date == "2021-11-10" { 50 } else { (s * 7 + k * 3) % 51 };
            csv.push_str(&format!("{}.{}", tenths / 10, tenths % 10));
        }
        csv.push('\n');
    }
    import_bytes(store, Kind::Evaluations, csv.as_bytes()).expect("the evaluations import");
}

fn app_with(lang: Lang, schemes: bool, points: bool) -> (tempfile::TempDir, App) {
    let (dir, store) = xishan_store(false);
    if points {
        evaluated(&store);
    } else if schemes {
        import_schemes_bytes(&store, EXAMPLE_SCHEME).expect("the example scheme imports");
    }
    let app = App::new(store, lang, today()).expect("the UI starts");
    (dir, app)
}

/// From the district's overview to the per-indicator tab.
fn to_indicators(app: &mut App) {
    while app.details.tab != Tab::Indicators {
        keys(app, &["Tab"]);
    }
}

fn snapshot_all(name: &str, schemes: bool, points: bool, setup: impl Fn(&mut App)) {
    for (lang, tag) in LANGS {
        let (_dir, mut app) = app_with(lang, schemes, points);
        to_indicators(&mut app);
        setup(&mut app);
        for (w, h) in SIZES {
            let text = mask_times(&screen(&mut app, w, h));
            insta::assert_snapshot!(format!("{name}_{tag}_{w}x{h}"), text);
        }
    }
}

#[test]
fn indicators_tab() {
    snapshot_all("indicators_tab", true, true, |_| {});
}

#[test]
fn indicators_tab_choosing_a_station() {
    snapshot_all("indicators_tab_chosen", true, true, |app| {
        keys(app, &["f", "Down", "Down", "Down", "Down"])
    });
}

#[test]
fn indicators_tab_without_a_scheme() {
    snapshot_all("indicators_no_scheme", false, false, |_| {});
}

#[test]
fn indicators_tab_without_points() {
    snapshot_all("indicators_no_points", true, false, |_| {});
}

#[test]
fn enter_on_a_lowest_station_opens_it_in_the_tree() {
    let (_dir, mut app) = app_with(Lang::Zh, true, true);
    to_indicators(&mut app);
    screen(&mut app, 80, 24);
    let rollups = shegong::indicators::of_subtree(&app.store, "530112000000", day_of(today())).expect("read");
    let lowest = shegong::tui::details::lowest_stations(&rollups);
    let chosen = lowest[4].code.clone();
    keys(&mut app, &["f", "Down", "Down", "Down", "Down"]);
    screen(&mut app, 80, 24);
    assert_eq!(app.details.chosen_station().as_deref(), Some(chosen.as_str()));
    keys(&mut app, &["Enter"]);
    assert_eq!(app.selected_unit().map(|u| u.code.as_str()), Some(chosen.as_str()));
    assert_eq!(app.focus, Focus::Tree);
    assert_eq!(app.details.tab, Tab::Overview);
    let text = screen(&mut app, 80, 24);
    let name = app.selected_unit().map(|u| u.name.clone()).unwrap_or_default();
    assert!(text.contains(&format!("已在单位树中打开 {name}")), "{text}");
}

/// Every indicator's share and every lowest station's, on the screen as `indicators.rs`
/// computes them for this store.
#[test]
fn the_tab_shows_the_rollups_figures() {
    let (_dir, mut app) = app_with(Lang::En, true, true);
    to_indicators(&mut app);
    let text = screen(&mut app, 240, 90);
    let rollups = shegong::indicators::of_subtree(&app.store, "530112000000", day_of(today())).expect("read");
    assert_eq!(rollups.len(), 1);
    let r = &rollups[0];
    assert_eq!(r.stations, 5);
    assert!(text.contains("latest evaluations of 5 stations"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    for i in &r.indicators {
        let share = percent(i.mean_share_bp().expect("given"));
        assert!(
            lines.iter().any(|l| l.contains(&i.name) && l.contains(&share)),
            "{} {share}\n{text}",
            i.name
        );
    }
    // The lowest stations, in order, with their shares.
    let mut at = 0;
    for s in shegong::tui::details::lowest_stations(&rollups) {
        let share = percent(s.share_bp());
        let found = lines[at..]
            .iter()
            .position(|l| l.contains(&s.name) && l.contains(&share))
            .unwrap_or_else(|| panic!("{} {share} after line {at}\n{text}", s.name));
        at += found + 1;
    }
}

/// `s` (records of the units below) changes nothing on this tab, which is of the whole subtree
/// anyway: it does not toggle there (the record tabs keep what they had) and says why.
#[test]
fn s_on_the_indicators_tab_toggles_nothing_and_says_why() {
    for (lang, words) in [
        (Lang::En, "the indicators tab always covers every unit below"),
        (Lang::Zh, "分项指标总是统计整个下级范围"),
    ] {
        let (_dir, mut app) = app_with(lang, true, true);
        to_indicators(&mut app);
        let before = screen(&mut app, 120, 40);
        keys(&mut app, &["s"]);
        assert!(!app.details.subtree, "not toggled");
        let after = screen(&mut app, 120, 40);
        assert!(after.contains(words), "{after}");
        // The tab itself is as it was (only the status line says something).
        let body = |t: &str| t.lines().take(37).collect::<Vec<_>>().join("\n");
        assert_eq!(body(&before), body(&after));
        // On a record tab, `s` still toggles.
        while app.details.tab != Tab::Evaluations {
            keys(&mut app, &["Tab"]);
        }
        keys(&mut app, &["s"]);
        assert!(app.details.subtree);
    }
}
