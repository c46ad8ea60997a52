//! The evaluations tab's points detail (issue 15): under the table, the selected evaluation's
//! points per indicator grouped by its scheme's groups, each group with its points of its
//! maximum, readable at 80×24 where the table's last column cuts them off. Snapshots in
//! Chinese and English at 80×24 and 120×40 (`INSTA_UPDATE=always cargo test --test
//! tui_points_detail`); every indicator's points on the screen at 80×24; no block for an
//! evaluation without points; the selected row kept in view above the block.

mod tui_support;

use shegong::i18n::Lang;
use shegong::interchange::schemes::{import_schemes_bytes, EXAMPLE_SCHEME};
use shegong::interchange::{import_bytes, Kind};
use shegong::registry::Registry;
use shegong::tui::details::Tab;
use shegong::tui::App;
use tui_support::*;

const SCHEME: &str = "示例方案（非西山区标准）";
const CODES: [&str; 20] = [
    "P1", "P2", "P3", "P4", "S1", "S2", "S3", "S4", "R1", "R2", "R3", "R4", "V1", "V2", "V3", "V4", "F1", "F2", "F3",
    "F4",
];

/// Station 碧鸡街道's points on `day` (`n` varies them): tenths, some left out.
fn row(day: &str, n: usize) -> String {
    let mut r = format!("530112008000,{day},annual,{SCHEME}");
    for k in 0..CODES.len() {
        r.push(',');
        if (k + n) % 9 == 4 {
            continue;
        }
        let t = (n * 7 + k * 13) % 51;
        r.push_str(&format!("{}.{}", t / 10, t % 10));
    }
    r.push('\n');
    r
}

fn header() -> String {
    format!("unit,date,kind,scheme,{}\n", CODES.join(","))
}

fn app_with(lang: Lang, days: &[&str]) -> (tempfile::TempDir, App) {
    let (dir, store) = xishan_store(false);
    import_schemes_bytes(&store, EXAMPLE_SCHEME).expect("the example scheme imports");
    evaluate(&store, days);
    let mut app = App::new(store, lang, today()).expect("the UI starts");
    keys(&mut app, &["/"]);
    type_text(&mut app, "碧鸡");
    keys(&mut app, &["Enter"]);
    while app.details.tab != Tab::Evaluations {
        keys(&mut app, &["Tab"]);
    }
    (dir, app)
}

fn evaluate(store: &Registry, days: &[&str]) {
    let mut csv = header();
    for (n, day) in days.iter().enumerate() {
        csv.push_str(&row(day, n));
    }
    import_bytes(store, Kind::Evaluations, csv.as_bytes()).expect("the evaluations import");
}

#[test]
fn snapshots() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (_dir, mut app) = app_with(lang, &["2021-11-24"]);
        keys(&mut app, &["f"]);
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("points_detail_{tag}_{w}x{h}"), screen(&mut app, w, h));
        }
    }
}

/// Every indicator's code with its points (`—` when left out), and each group's sum of its
/// maximum, at 80×24 in both languages.
#[test]
fn every_indicators_points_are_on_the_screen_at_80x24() {
    for lang in [Lang::Zh, Lang::En] {
        let (_dir, mut app) = app_with(lang, &["2021-11-24"]);
        let text = screen(&mut app, 80, 24);
        let groups = ["场所", "人员", "制度", "服务", "档案"];
        for (g, group) in groups.iter().enumerate() {
            let (mut got, mut max) = (0, 0);
            for (k, code) in CODES.iter().enumerate().skip(g * 4).take(4) {
                max += 50;
                let shown = if (k % 9) == 4 {
                    "—".to_string()
                } else {
                    let t = (k * 13) % 51;
                    got += t;
                    if t % 10 == 0 {
                        (t / 10).to_string()
                    } else {
                        format!("{}.{}", t / 10, t % 10)
                    }
                };
                assert!(text.contains(&format!("{code} {shown}")), "{code} {shown}\n{text}");
            }
            let sum = if got % 10 == 0 {
                format!("{}", got / 10)
            } else {
                format!("{}.{}", got / 10, got % 10)
            };
            let label = format!("{group} {sum}/{}", max / 10);
            assert!(text.contains(&label), "{label}\n{text}");
        }
    }
}

#[test]
fn an_evaluation_without_points_has_no_block() {
    let (_dir, mut app) = app_with(Lang::En, &["2021-11-24"]);
    keys(&mut app, &["f"]);
    assert!(screen(&mut app, 80, 24).contains("points of"));
    // The Xishan midterm evaluation, below: no points.
    keys(&mut app, &["Down"]);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("points of"), "{text}");
    assert!(!text.contains("P1 "), "{text}");
}

/// Many evaluations: moving down keeps the selected row among those shown above the block,
/// and the block names that evaluation.
#[test]
fn the_selected_row_stays_in_view_above_the_block() {
    let days: Vec<String> = (1..=28).map(|d| format!("2021-10-{d:02}")).collect();
    let days: Vec<&str> = days.iter().map(String::as_str).collect();
    let (_dir, mut app) = app_with(Lang::En, &days);
    // Newest first: Xishan's midterm evaluation (2021-11-08), then these.
    keys(&mut app, &["f"]);
    // The tab is read when drawn: ↓ then moves within its records.
    screen(&mut app, 80, 24);
    keys(&mut app, &["Down"]);
    for n in 0..28 {
        let text = screen(&mut app, 80, 24);
        let day = format!("2021-10-{:02}", 28 - n);
        let rows = text.lines().filter(|l| l.contains(&day)).count();
        // Once in the table, once in the block's head.
        assert_eq!(rows, 2, "row {n}, {day}\n{text}");
        keys(&mut app, &["Down"]);
    }
    // At 120×40 the whole block shows, with no line saying it is cut.
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("F4 "), "{text}");
    assert!(!text.contains("z zooms"), "{text}");
}
