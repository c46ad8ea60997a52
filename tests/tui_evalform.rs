//! The evaluation form per indicator (issue 15), driven by keys on a Xishan store with the
//! example scheme imported: choosing the scheme lays out one field per indicator under its
//! group's heading, the score is their running sum, points out of 0..max are refused at their
//! field (the typing kept), and saving stores the points. Snapshots at 80×24 and 120×40, zh
//! and en (`INSTA_UPDATE=always cargo test --test tui_evalform`).

mod tui_support;

use crossterm::event::KeyCode;
use shegong::domain::date::day_of;
use shegong::i18n::Lang;
use shegong::interchange::schemes::{import_schemes_bytes, EXAMPLE_SCHEME};
use shegong::tui::form::FieldKind;
use shegong::tui::App;
use tui_support::*;

const BIJI: &str = "530112008000";

/// The points typed for the example scheme's 20 indicators, in the form's order.
const TYPED: [&str; 20] = [
    "5", "4.5", "3", "2.5", "5", "4", "1.5", "0", "3.5", "4", "5", "2", "4.5", "3", "3", "5", "1", "0.5", "4", "2",
];

fn app_with_scheme(lang: Lang) -> (tempfile::TempDir, App) {
    let (dir, store) = xishan_store(false);
    import_schemes_bytes(&store, EXAMPLE_SCHEME).expect("the example scheme imports");
    let app = App::new(store, lang, today()).expect("the UI starts");
    (dir, app)
}

/// 碧鸡街道 selected, its evaluation form open, the example scheme chosen; the focus on the
/// first indicator.
fn open_with_scheme(app: &mut App) {
    keys(app, &["/"]);
    type_text(app, "碧鸡");
    keys(app, &["Enter", "v"]);
    tab_to_field(app, "scheme");
    keys(app, &["Right", "Tab"]);
}

fn points_fields(app: &App) -> Vec<(String, String)> {
    let form = app.form.as_ref().expect("the form is open");
    form.fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Points { .. }))
        .map(|f| (f.key.clone(), f.text.trim().to_string()))
        .collect()
}

#[test]
fn without_a_scheme_chosen_the_form_is_as_before() {
    let (_dir, mut app) = app_with_scheme(Lang::En);
    keys(&mut app, &["/"]);
    type_text(&mut app, "碧鸡");
    keys(&mut app, &["Enter", "v"]);
    let form = app.form.as_ref().expect("the form is open");
    let names: Vec<&str> = form.fields.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["date", "unit", "kind", "evaluator", "scheme", "score", "grade", "note"]
    );
    // Choosing and then un-choosing the scheme leaves the form as it opened.
    tab_to_field(&mut app, "scheme");
    keys(&mut app, &["Right"]);
    assert_eq!(app.form.as_ref().map(|f| f.fields.len()), Some(8 + 20 + 5));
    keys(&mut app, &["Left"]);
    let form = app.form.as_ref().expect("the form is open");
    assert_eq!(form.fields.len(), 8);
    assert!(!form.changed());
    // F2 (a scheme's few names have no picker) steps to the next name, as →.
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.form.as_ref().map(|f| f.fields.len()), Some(8 + 20 + 5));
    assert!(app.picker.is_none());
}

#[test]
fn points_typed_per_indicator_are_stored_with_their_sum_as_the_score() {
    let (_dir, mut app) = app_with_scheme(Lang::Zh);
    open_with_scheme(&mut app);
    assert_eq!(points_fields(&app).len(), 20);
    for p in TYPED {
        type_text(&mut app, p);
        keys(&mut app, &["Tab"]);
        // The focused field is always on the screen at 80×24.
        let form = app.form.as_ref().expect("the form is open");
        if let Some(f) = form.focused() {
            let label = f.label_in(Lang::Zh).to_string();
            assert!(screen(&mut app, 80, 24).contains(&label), "{label} is not shown");
        }
    }
    let form = app.form.as_ref().expect("the form is open");
    let sum: u32 = TYPED
        .iter()
        .map(|p| (p.parse::<f64>().unwrap_or(0.0) * 10.0).round() as u32)
        .sum();
    let shown = form.field("score").map(|f| f.text.trim().to_string());
    assert_eq!(
        shown.as_deref(),
        Some(format!("{}.{}", sum / 10, sum % 10).trim_end_matches(".0"))
    );
    assert!(
        form.field("grade").and_then(|f| f.note.as_ref()).is_some(),
        "the grade derived"
    );
    let typed = points_fields(&app);
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "saved: {:?}", app.status);
    let stored = app
        .store
        .latest_evaluation(BIJI, day_of(today()))
        .expect("read")
        .expect("an evaluation");
    let points = stored.points.expect("points stored");
    assert_eq!(points.scheme, "示例方案（非西山区标准）");
    assert_eq!(points.given.len(), 20);
    for (code, text) in typed {
        let tenths = (text.parse::<f64>().unwrap_or(-1.0) * 10.0).round() as u16;
        assert_eq!(points.of(&code), Some(tenths), "{code}");
    }
    assert_eq!(points.sum(), sum);
    assert_eq!(stored.score.map(u32::from), Some(sum));
}

#[test]
fn points_over_the_maximum_are_refused_at_their_field() {
    let (_dir, mut app) = app_with_scheme(Lang::En);
    open_with_scheme(&mut app);
    type_text(&mut app, "5.5");
    keys(&mut app, &["Tab", "Enter"]);
    let form = app.form.as_ref().expect("the form stays open");
    let first = form
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::Points { .. }))
        .expect("an indicator field");
    assert_eq!(first.text.trim(), "5.5", "the typing is kept");
    let said = first.problem.as_ref().expect("a problem beside the field");
    assert!(said.message(Lang::En).contains("5.5"), "{}", said.message(Lang::En));
    assert!(said.message(Lang::Zh).contains("满分"), "{}", said.message(Lang::Zh));
    let before = app.store.latest_evaluation(BIJI, day_of(today())).expect("read");
    assert!(before.is_none_or(|e| e.points.is_none()), "nothing was saved");
}

/// A problem the record's own check finds about one indicator's points (`Problem::about`)
/// goes beside that indicator's field, naming it; one about the points as a whole beside the
/// Scheme field; neither on the first indicator.
#[test]
fn a_points_problem_lands_beside_the_indicator_it_is_about() {
    use shegong::domain::Problem;
    use shegong::words::K;
    let (_dir, mut app) = app_with_scheme(Lang::En);
    open_with_scheme(&mut app);
    let form = app.form.as_mut().expect("the form is open");
    form.put_problem(Problem::said("points", K::IndicatorGivenTwice, &[&"S2"]).about("S2"));
    form.put_problem(Problem::said("points", K::PointsNameNoScheme, &[]));
    let problem_of = |form: &shegong::tui::form::Form, key: &str| {
        form.fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Points { .. }) && f.key == key)
            .and_then(|f| f.problem.as_ref())
            .map(|p| p.message(Lang::En).to_string())
    };
    assert_eq!(
        problem_of(form, "S2").as_deref(),
        Some("the indicator S2 is given points twice")
    );
    assert_eq!(problem_of(form, "P1"), None, "not on the first indicator");
    let scheme = form.field("scheme").and_then(|f| f.problem.as_ref());
    assert_eq!(
        scheme.map(|p| p.message(Lang::En)),
        Some("gives points per indicator but names no scheme")
    );
    // About an indicator the form does not show: beside the scheme too (its first problem
    // kept), never on the first indicator.
    form.put_problem(Problem::said("points", K::IndicatorGivenTwice, &[&"Z9"]).about("Z9"));
    assert_eq!(problem_of(form, "P1"), None);
}

#[test]
fn snapshots() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (_dir, mut app) = app_with_scheme(lang);
        open_with_scheme(&mut app);
        for p in &TYPED[..6] {
            type_text(&mut app, p);
            keys(&mut app, &["Tab"]);
        }
        type_text(&mut app, "9");
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("evalform_{tag}_{w}x{h}"), screen(&mut app, w, h));
        }
    }
}

/// `c` on the evaluations tab corrects the selected evaluation (its points mistyped): a form
/// holding its values, each indicator's points included; unchanged it saves nothing; changed,
/// the stored evaluation is replaced by the corrected one in one write, its id kept.
#[test]
fn c_corrects_a_stored_evaluations_points() {
    use shegong::domain::Evaluation;
    use shegong::interchange::{import_bytes, Kind};
    let (_dir, store) = xishan_store(false);
    import_schemes_bytes(&store, EXAMPLE_SCHEME).expect("the example scheme imports");
    let codes = [
        "P1", "P2", "P3", "P4", "S1", "S2", "S3", "S4", "R1", "R2", "R3", "R4", "V1", "V2", "V3", "V4", "F1", "F2",
        "F3", "F4",
    ];
    let mut csv = format!("id,unit,date,kind,scheme,{}\n", codes.join(","));
    csv.push_str(&format!("XS-P-1,{BIJI},2021-11-20,annual,示例方案（非西山区标准）"));
    for k in 0..codes.len() {
        csv.push_str(if k == 3 { "," } else { ",4" });
    }
    csv.push('\n');
    import_bytes(&store, Kind::Evaluations, csv.as_bytes()).expect("the evaluation imports");
    let mut app = App::new(store, Lang::En, today()).expect("the UI starts");
    keys(&mut app, &["/"]);
    type_text(&mut app, "碧鸡");
    keys(&mut app, &["Enter", "Tab"]);
    screen(&mut app, 80, 24);
    keys(&mut app, &["f"]);
    screen(&mut app, 80, 24);
    keys(&mut app, &["c"]);
    let form = app.form.as_ref().expect("the correction form opens");
    assert!(
        form.title.1.starts_with("Correct the evaluation of 2021-11-20"),
        "{:?}",
        form.title
    );
    let shown = points_fields(&app);
    assert_eq!(shown.len(), 20);
    for (code, text) in &shown {
        assert_eq!(text, if code == "P4" { "" } else { "4" }, "{code}");
    }
    assert_eq!(
        form.focused().map(|f| f.key.as_str()),
        Some("P1"),
        "the first indicator focused"
    );
    // Unchanged: nothing saved, the form stays.
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_some());
    assert!(
        format!("{:?}", app.status).contains("Nothing was changed"),
        "{:?}",
        app.status
    );
    // P2 corrected to 1.5 and P4 given 2.
    keys(&mut app, &["Tab", "Backspace"]);
    type_text(&mut app, "1.5");
    keys(&mut app, &["Tab", "Tab"]);
    type_text(&mut app, "2");
    keys(&mut app, &["Enter"]);
    assert!(app.form.is_none(), "saved: {:?}", app.status);
    assert!(
        format!("{:?}", app.status).contains("Corrected the evaluation"),
        "{:?}",
        app.status
    );
    let listed = app.store.records_of::<Evaluation>(BIJI, false, 100).expect("read");
    let with_points: Vec<&Evaluation> = listed.iter().map(|(_, e)| e).filter(|e| e.points.is_some()).collect();
    assert_eq!(with_points.len(), 1, "the stored one replaced, not added to");
    let e = with_points[0];
    assert_eq!(e.id.as_deref(), Some("XS-P-1"), "its id kept");
    let points = e.points.as_ref().expect("points");
    assert_eq!(
        (points.of("P2"), points.of("P4"), points.of("P1")),
        (Some(15), Some(20), Some(40))
    );
    assert_eq!(e.score.map(u32::from), Some(points.sum()));
    assert_eq!(points.sum(), 18 * 40 + 15 + 20);
}
