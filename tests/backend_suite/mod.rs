//! The backend suite: tests written once against the registry, run on every storage backend
//! (`tests/backend_sled.rs` runs them on sled; a PostgreSQL backend adds its own file that
//! calls `backend_suite!` with its maker). Each test gets a fresh, empty registry from the
//! maker, together with whatever keeps the backend alive (a temporary folder, a database).
//!
//! Covered: units and their children, records newest first with a limit (of a unit and of its
//! subtree), records by date range (ends included, across years, a partial date at its end),
//! totals as of a date at several levels, a write that fails part-way leaving nothing, a streamed import that is all or nothing and adds nothing the second time, the
//! journal appending and reading back, undo of each kind of change, an all-or-nothing batch
//! (`batch`: all of it, none of it after a refusal, undone, a correction's figures), a unit's
//! children with their totals equal to each child's after every kind of write (`children`), and the reference-model
//! property test (`reference/`: random operations give the same reports and journal as a plain
//! model, 256 cases).

#![allow(dead_code)]

/// The all-or-nothing batch (`Storage::commit`), run on every backend like the rest.
pub mod batch;
pub use batch::{
    a_batch_makes_all_its_changes, a_batch_refused_at_its_last_change_leaves_everything,
    a_correction_gives_the_right_figures_before_and_after, undo_takes_a_batch_back_change_by_change,
};

/// A unit's children with their totals after every kind of write, on every backend.
pub mod children;
pub use children::children_totals_follow_every_write;

/// Evaluation schemes and points per indicator (issue 15), on every backend.
pub mod schemes;
pub use schemes::{an_evaluations_correction_replaces_it_whole, schemes_and_points_are_stored_and_backed_up};

/// The reference-model property test (issue 12), run on every backend like the rest.
pub mod reference;
pub use reference::{
    a_year_counts_whole_only_from_its_last_day, reports_and_journal_equal_the_reference_model,
    the_models_calendar_knows_month_ends,
};

use chrono::NaiveDate;
use shegong::domain::*;
use shegong::registry::Registry;
use shegong::store::StoreError;

/// A fresh registry over an empty backend, and what keeps the backend alive.
pub struct Fixture {
    pub registry: Registry,
    /// Who the journal records when the backend decides it (a shared server records its own
    /// login, whatever `set_operator` says); `None`: the name given to `set_operator`.
    pub journal_login: Option<String>,
    pub _keep: Box<dyn std::any::Any>,
}

/// One test per suite function, named after it, so a failure names the test and the backend.
#[macro_export]
macro_rules! backend_suite {
    ($maker:expr) => {
        $crate::backend_suite!($maker, if Some(()));
    };
    // `$ready` is evaluated first and held while the test runs; `None` (after saying why) skips
    // it (a server that is not there).
    ($maker:expr, if $ready:expr) => {
        $crate::backend_suite!(@tests $maker, $ready;
            units_and_children,
            records_newest_first_with_a_limit,
            records_by_date_range,
            totals_as_of_a_date_at_several_levels,
            a_write_that_fails_part_way_leaves_nothing,
            a_streamed_import_is_all_or_nothing_and_adds_nothing_twice,
            the_journal_appends_and_reads_back,
            undo_takes_back_each_kind_of_change,
            reports_and_journal_equal_the_reference_model,
            the_models_calendar_knows_month_ends,
            a_year_counts_whole_only_from_its_last_day,
            a_batch_makes_all_its_changes,
            a_batch_refused_at_its_last_change_leaves_everything,
            undo_takes_a_batch_back_change_by_change,
            a_correction_gives_the_right_figures_before_and_after,
            children_totals_follow_every_write,
            schemes_and_points_are_stored_and_backed_up,
            an_evaluations_correction_replaces_it_whole,
        );
    };
    (@tests $maker:expr, $ready:expr; $($name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Some(_ready) = $ready {
                    backend_suite::$name(&$maker);
                }
            }
        )+
    };
}

pub const DISTRICT: &str = "530112000000";
pub const STREET_A: &str = "530112001000";
pub const STREET_B: &str = "530112002000";
pub const COMMUNITY_A1: &str = "530112001001";

fn date(text: &str) -> PartialDate {
    PartialDate::parse(text).expect("a date")
}

fn on(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a day")
}

/// A district, two streets with stations (one opened 2021-05, one 2022-03), a community.
pub fn hierarchy() -> Vec<Unit> {
    let district = Unit::new(DISTRICT, None, Level::District, "西山区");
    let mut a = Unit::new(STREET_A, Some(DISTRICT), Level::Street, "西苑街道");
    a.station = StationStatus::Operating;
    a.opened_on = Some(date("2021-05"));
    let mut b = Unit::new(STREET_B, Some(DISTRICT), Level::Street, "碧鸡街道");
    b.station = StationStatus::Operating;
    b.opened_on = Some(date("2022-03"));
    let community = Unit::new(COMMUNITY_A1, Some(STREET_A), Level::Community, "西苑社区");
    vec![district, a, b, community]
}

pub fn budget(day: &str, unit: &str, kind: BudgetKind, fen: i64) -> BudgetEntry {
    BudgetEntry {
        id: None,
        date: date(day),
        unit: unit.into(),
        kind,
        category: Some(Category::Operation),
        source: Some(Source::Fiscal),
        amount: Fen(fen),
        voucher: String::new(),
        note: String::new(),
    }
}

pub fn training(day: &str, host: &str, hours_tenths: u32) -> Training {
    Training {
        id: None,
        date: date(day),
        host: host.into(),
        kind: TrainingKind::Class,
        mode: Some(TrainingMode::Offline),
        topic: "个案工作".into(),
        hours: Some(hours_tenths),
        attendees: Some(12),
        units: Vec::new(),
        note: String::new(),
    }
}

pub fn evaluation(day: &str, unit: &str) -> Evaluation {
    Evaluation {
        id: None,
        unit: unit.into(),
        date: date(day),
        kind: EvalKind::Annual,
        evaluator: "区民政局".into(),
        score: Some(880),
        grade: Some(Grade::Good),
        note: String::new(),
        points: None,
    }
}

fn with_hierarchy(maker: &dyn Fn() -> Fixture) -> Fixture {
    let fixture = maker();
    let outcome = fixture
        .registry
        .apply_units(&hierarchy())
        .expect("the units are stored");
    assert_eq!(outcome.added, 4);
    fixture
}

pub fn units_and_children(maker: &dyn Fn() -> Fixture) {
    let fixture = maker();
    let r = &fixture.registry;
    assert!(r.is_empty().expect("read"));
    r.apply_units(&hierarchy()).expect("stored");
    assert!(!r.is_empty().expect("read"));
    let codes = |units: Vec<Unit>| units.into_iter().map(|u| u.code).collect::<Vec<_>>();
    assert_eq!(codes(r.roots().expect("roots")), [DISTRICT]);
    assert_eq!(codes(r.children(DISTRICT).expect("children")), [STREET_A, STREET_B]);
    assert!(r.has_children(STREET_A).expect("read"));
    assert!(!r.has_children(STREET_B).expect("read"));
    assert_eq!(
        codes(r.path_to(COMMUNITY_A1).expect("path")),
        [DISTRICT, STREET_A, COMMUNITY_A1]
    );
    assert_eq!(
        r.unit(STREET_B).expect("read").map(|u| u.name),
        Some("碧鸡街道".to_string())
    );
    assert_eq!(r.unit("530112999000").expect("read"), None);
    assert!(matches!(r.children("530112999000"), Err(StoreError::UnknownUnit(_))));
    assert_eq!(r.counts().expect("counts"), [4, 0, 0, 0]);
    // An update changes the unit in place; applying the same units again changes nothing.
    let mut renamed = hierarchy();
    renamed[2].name = "碧鸡街道办事处".into();
    let outcome = r.apply_units(&renamed).expect("updated");
    assert_eq!((outcome.added, outcome.updated, outcome.unchanged), (0, 1, 3));
    assert_eq!(
        r.unit(STREET_B).expect("read").map(|u| u.name),
        Some("碧鸡街道办事处".to_string())
    );
}

pub fn records_newest_first_with_a_limit(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let rows = [
        training("2021-06-01", STREET_A, 20),
        training("2023-01-31", STREET_A, 30),
        training("2022-12-31", COMMUNITY_A1, 40),
        training("2022-02-28", STREET_A, 50),
    ];
    assert_eq!(r.add_records(&rows).expect("stored").added, 4);
    let days = |list: Vec<(RecordId, Training)>| list.into_iter().map(|(_, t)| t.date.to_string()).collect::<Vec<_>>();
    assert_eq!(
        days(r.records_of::<Training>(STREET_A, false, 10).expect("read")),
        ["2023-01-31", "2022-02-28", "2021-06-01"]
    );
    assert_eq!(
        days(r.records_of::<Training>(STREET_A, true, 2).expect("read")),
        ["2023-01-31", "2022-12-31"]
    );
    assert!(r.records_of::<Training>(STREET_B, true, 10).expect("read").is_empty());
    // Ids are distinct, and each names its record: deleting by it takes that one out.
    let listed = r.records_of::<Training>(DISTRICT, true, 10).expect("read");
    let ids: std::collections::HashSet<_> = listed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids.len(), 4);
    let (id, oldest) = listed.last().expect("four").clone();
    assert_eq!(r.delete_record::<Training>(&id).expect("deleted"), oldest);
    assert_eq!(r.counts().expect("counts"), [4, 0, 3, 0]);
    assert!(r.delete_record::<Training>(&id).is_err(), "gone once deleted");
    assert_eq!(r.all_records::<Training>().expect("all").len(), 3);
}

pub fn records_by_date_range(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    r.add_records(&[
        training("2021-06-01", STREET_A, 20),
        training("2021-12-31", STREET_A, 30),
        training("2022-01-01", STREET_A, 40),
        training("2022", STREET_A, 50),
        training("2023-01-31", COMMUNITY_A1, 60),
    ])
    .expect("stored");
    let day = |text: &str| shegong::domain::date::day_of(on(text));
    let days = |list: Vec<(RecordId, Training)>| list.into_iter().map(|(_, t)| t.date.to_string()).collect::<Vec<_>>();
    let range = |code: &str, from: &str, to: &str, subtree: bool, limit: usize| {
        days(
            r.records_in::<Training>(code, day(from)..=day(to), subtree, limit)
                .expect("read"),
        )
    };
    // Both ends count; a year alone is dated at its end.
    assert_eq!(
        range(STREET_A, "2021-12-31", "2022-12-31", false, 10),
        ["2022", "2022-01-01", "2021-12-31"]
    );
    assert_eq!(
        range(STREET_A, "2021-12-31", "2022-12-30", false, 10),
        ["2022-01-01", "2021-12-31"]
    );
    assert_eq!(range(STREET_A, "2021-12-31", "2022-12-31", false, 1), ["2022"]);
    assert_eq!(range(STREET_A, "2021-01-01", "2021-12-30", false, 10), ["2021-06-01"]);
    assert_eq!(
        range(DISTRICT, "2022-12-31", "2023-12-31", true, 10),
        ["2023-01-31", "2022"]
    );
    assert!(range(DISTRICT, "2022-12-31", "2023-12-31", false, 10).is_empty());
    assert!(range(STREET_A, "2023-01-01", "2021-01-01", true, 10).is_empty());
    assert!(range(STREET_A, "2021-01-01", "2023-12-31", true, 0).is_empty());
    // The whole range is what records_of lists.
    assert_eq!(
        days(
            r.records_in::<Training>(DISTRICT, Day::MIN..=Day::MAX, true, 10)
                .expect("read")
        ),
        days(r.records_of::<Training>(DISTRICT, true, 10).expect("read"))
    );
    assert!(matches!(
        r.records_in::<Training>("530112999000", day("2021-01-01")..=day("2021-12-31"), false, 10),
        Err(StoreError::UnknownUnit(_))
    ));
    // The newest evaluation as of a day is read by range.
    r.add_records(&[evaluation("2021-03-01", STREET_A), evaluation("2022-05-01", STREET_A)])
        .expect("stored");
    let latest = |until: &str| {
        r.latest_evaluation(STREET_A, day(until))
            .expect("read")
            .map(|e| e.date.to_string())
    };
    assert_eq!(latest("2022-04-30").as_deref(), Some("2021-03-01"));
    assert_eq!(latest("2022-05-01").as_deref(), Some("2022-05-01"));
    assert_eq!(latest("2021-02-28"), None);
}

pub fn totals_as_of_a_date_at_several_levels(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    r.add_records(&[
        budget("2021-01-15", STREET_A, BudgetKind::Allocation, 500_000),
        budget("2021-12-31", STREET_A, BudgetKind::Expenditure, 120_000),
        budget("2022-02-28", STREET_B, BudgetKind::Allocation, 300_000),
        budget("2022", COMMUNITY_A1, BudgetKind::Allocation, 7),
    ])
    .expect("stored");
    r.add_records(&[evaluation("2022-06-30", STREET_A)]).expect("stored");
    r.add_records(&[training("2021-12-31", COMMUNITY_A1, 15)])
        .expect("stored");
    let m = |code: &str, day: &str| r.subtree_measures(code, on(day)).expect("totals");
    // Before anything: nothing.
    assert!(m(DISTRICT, "2020-12-31").allocated().0 == 0 && m(DISTRICT, "2020-12-31").evaluations() == 0);
    // 2021-12-31: street A's allocation and spending, the community's training.
    let end_2021 = m(DISTRICT, "2021-12-31");
    assert_eq!((end_2021.allocated().0, end_2021.spent().0), (500_000, 120_000));
    assert_eq!((end_2021.trainings(), end_2021.training_hours_tenths()), (1, 15));
    assert_eq!(end_2021.covered(Level::Street), 1, "street A opened 2021-05");
    assert_eq!(m(STREET_B, "2021-12-31").allocated().0, 0);
    // 2022-12-31: everything, the year-only entry counted at its year's end.
    let end_2022 = m(DISTRICT, "2022-12-31");
    assert_eq!(end_2022.allocated().0, 800_007);
    assert_eq!(end_2022.evaluations(), 1);
    assert_eq!(end_2022.covered(Level::Street), 2);
    assert_eq!(m(STREET_A, "2022-12-31").allocated().0, 500_007);
    assert_eq!(m(STREET_B, "2022-12-31").allocated().0, 300_000);
    assert_eq!(
        m(COMMUNITY_A1, "2022-12-30").allocated().0,
        0,
        "a year-only date counts at the year's end"
    );
    assert_eq!(m(COMMUNITY_A1, "2022-12-31").allocated().0, 7);
    assert_eq!(m(STREET_A, "2022-12-31").units(Level::Community), 1);
    assert!(
        r.check().expect("checked").is_empty(),
        "stored totals match the records"
    );
}

pub fn a_write_that_fails_part_way_leaves_nothing(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let mark = r.journal_mark().expect("mark");
    let before = r.subtree_measures(DISTRICT, on("2030-01-01")).expect("totals");
    // The last row names no unit: the whole write is refused, the first rows with it.
    let rows = [
        budget("2022-01-01", STREET_A, BudgetKind::Allocation, 100),
        budget("2022-01-02", STREET_B, BudgetKind::Allocation, 200),
        budget("2022-01-03", "530112999000", BudgetKind::Allocation, 300),
    ];
    match r.add_records(&rows) {
        Err(StoreError::Rejected(problems)) => assert_eq!(problems.iter().map(|p| p.row).collect::<Vec<_>>(), [2]),
        other => panic!("refused row by row, got {other:?}"),
    }
    // A unit under a missing parent, after a good one: neither is stored.
    let units = [
        Unit::new("530112003000", Some(DISTRICT), Level::Street, "新街道"),
        Unit::new("530112004001", Some("530112004000"), Level::Community, "孤社区"),
    ];
    assert!(matches!(r.apply_units(&units), Err(StoreError::Rejected(_))));
    // A unit whose parent is deeper than it.
    let shallower = [Unit::new("530112001002", Some(COMMUNITY_A1), Level::Street, "倒挂")];
    assert!(matches!(r.apply_units(&shallower), Err(StoreError::Rejected(_))));
    assert_eq!(r.counts().expect("counts"), [4, 0, 0, 0]);
    assert_eq!(r.unit("530112003000").expect("read"), None);
    assert_eq!(r.journal_mark().expect("mark"), mark, "nothing journaled");
    assert_eq!(r.subtree_measures(DISTRICT, on("2030-01-01")).expect("totals"), before);
}

pub fn a_streamed_import_is_all_or_nothing_and_adds_nothing_twice(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let rows: Vec<BudgetEntry> = (0..3000)
        .map(|i| {
            let day = format!("2022-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let unit = [STREET_A, STREET_B, COMMUNITY_A1][i % 3];
            budget(&day, unit, BudgetKind::Expenditure, 100 + i as i64)
        })
        .collect();
    let total: i64 = rows.iter().map(|b| b.amount.0).sum();
    let stream = |finish: bool| {
        let mut session = r.import_session::<BudgetEntry>().expect("a session");
        for (n, chunk) in rows.chunks(700).enumerate() {
            assert!(session.check(chunk, n * 700).expect("checked").is_empty());
        }
        for chunk in rows.chunks(700) {
            session.write(chunk).expect("written");
        }
        if finish {
            Some(session.finish().expect("finished"))
        } else {
            None
        }
    };
    // Dropped before it finished: nothing stays.
    assert_eq!(stream(false), None);
    assert_eq!(r.counts().expect("counts"), [4, 0, 0, 0]);
    assert_eq!(
        r.subtree_measures(DISTRICT, on("2022-12-31"))
            .expect("totals")
            .spent()
            .0,
        0
    );
    let outcome = stream(true).expect("an outcome");
    assert_eq!((outcome.added, outcome.already_present), (3000, 0));
    assert_eq!(r.counts().expect("counts"), [4, 0, 0, 3000]);
    assert_eq!(
        r.subtree_measures(DISTRICT, on("2022-12-31"))
            .expect("totals")
            .spent()
            .0,
        total
    );
    // The same rows again add nothing.
    let again = stream(true).expect("an outcome");
    assert_eq!((again.added, again.already_present), (0, 3000));
    assert_eq!(r.counts().expect("counts"), [4, 0, 0, 3000]);
    assert_eq!(
        r.subtree_measures(DISTRICT, on("2022-12-31"))
            .expect("totals")
            .spent()
            .0,
        total
    );
    // A bad row anywhere is reported with its number, before anything is written.
    let mut bad = rows.clone();
    bad[2500].unit = "530112999000".into();
    let mut session = r.import_session::<BudgetEntry>().expect("a session");
    let problems: Vec<usize> = bad
        .chunks(700)
        .enumerate()
        .flat_map(|(n, chunk)| session.check(chunk, n * 700).expect("checked"))
        .map(|p| p.row)
        .collect();
    assert_eq!(problems, [2500]);
    assert!(r.check().expect("checked").is_empty());
}

pub fn the_journal_appends_and_reads_back(maker: &dyn Fn() -> Fixture) {
    let mut fixture = maker();
    fixture.registry.set_operator("王芳");
    let r = &fixture.registry;
    assert_eq!(r.journal_mark().expect("mark"), 0);
    r.apply_units(&hierarchy()).expect("stored");
    let added = r.add_records(&[training("2022-05-01", STREET_A, 20)]).expect("stored");
    let id = added.keys.first().cloned().expect("an id");
    r.delete_record::<Training>(&id).expect("deleted");
    let all = r.history_with_ids(None, 0).expect("history");
    let numbers: Vec<u64> = all.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers.first().copied(), Some(r.journal_mark().expect("mark")));
    let want: Vec<u64> = (1..=numbers.len() as u64).rev().collect();
    assert_eq!(numbers, want, "numbered 1, 2, 3, … newest first");
    let (_, newest) = &all[0];
    assert_eq!((newest.action.as_str(), newest.kind.as_str()), ("delete", "training"));
    assert_eq!(newest.operator, fixture.journal_login.as_deref().unwrap_or("王芳"));
    assert_eq!(
        newest.key.as_deref(),
        Some(id.as_str()),
        "the journal keeps the record's id"
    );
    assert!(newest.before.is_some());
    let (_, add) = &all[1];
    assert_eq!((add.action.as_str(), add.kind.as_str()), ("add", "training"));
    assert_eq!(add.key.as_deref(), Some(id.as_str()));
    // One record's history, found by its id; one unit's history.
    let of_record = r
        .history_where(0, |e| e.key.as_deref() == Some(id.as_str()))
        .expect("history");
    assert_eq!(of_record.len(), 2);
    assert!(r.history(Some(STREET_A), 0).expect("history").len() >= 2);
    assert_eq!(r.history(None, 1).expect("history").len(), 1);
}

pub fn undo_takes_back_each_kind_of_change(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let totals = || r.subtree_measures(DISTRICT, on("2030-01-01")).expect("totals");
    let start = (r.counts().expect("counts"), totals());
    // An added record.
    r.add_records(&[evaluation("2022-07-01", STREET_B)]).expect("stored");
    assert_eq!(
        r.undo_target().expect("target").map(|(_, e)| e.kind),
        Some("evaluation".into())
    );
    r.undo_last().expect("undone");
    assert_eq!((r.counts().expect("counts"), totals()), start);
    // A deleted record comes back.
    let added = r.add_records(&[training("2022-07-02", STREET_A, 10)]).expect("stored");
    let with_training = (r.counts().expect("counts"), totals());
    r.delete_record::<Training>(&added.keys[0]).expect("deleted");
    r.undo_last().expect("undone");
    assert_eq!((r.counts().expect("counts"), totals()), with_training);
    r.undo_last().expect("the add undone too");
    assert_eq!((r.counts().expect("counts"), totals()), start);
    // A reversal (冲销), refused twice, undone.
    let entry = r
        .add_records(&[budget("2022-08-01", STREET_A, BudgetKind::Allocation, 9_900)])
        .expect("stored");
    let of = entry.keys[0].clone();
    let mut reversal = budget("2022-08-02", STREET_A, BudgetKind::Allocation, -9_900);
    reversal.note = "冲销".into();
    r.reverse_budget(&of, &reversal).expect("reversed");
    assert_eq!(r.reversals().expect("reversals").len(), 1);
    assert!(r.check_reversible(&of).is_err(), "reversed once only");
    r.undo_last().expect("reversal undone");
    assert!(r.reversals().expect("reversals").is_empty());
    r.undo_last().expect("entry undone");
    assert_eq!((r.counts().expect("counts"), totals()), start);
    // A unit added, updated, deleted.
    let new = Unit::new("530112002001", Some(STREET_B), Level::Community, "新社区");
    r.apply_units(std::slice::from_ref(&new)).expect("added");
    let mut renamed = new.clone();
    renamed.name = "改名社区".into();
    r.apply_units(&[renamed]).expect("updated");
    r.undo_last().expect("update undone");
    assert_eq!(r.unit(&new.code).expect("read"), Some(new.clone()));
    r.delete_unit(&new.code).expect("deleted");
    assert_eq!(r.unit(&new.code).expect("read"), None);
    r.undo_last().expect("delete undone");
    assert_eq!(r.unit(&new.code).expect("read"), Some(new.clone()));
    r.undo_last().expect("add undone");
    assert_eq!(r.unit(&new.code).expect("read"), None);
    assert_eq!((r.counts().expect("counts"), totals()), start);
    // A bulk import, taken back whole.
    let rows: Vec<Training> = (0..300)
        .map(|i| training(&format!("2023-03-{:02}", 1 + i % 28), STREET_A, 1 + i as u32))
        .collect();
    let mut session = r.import_session::<Training>().expect("a session");
    assert!(session.check(&rows, 0).expect("checked").is_empty());
    session.write(&rows).expect("written");
    session.finish().expect("finished");
    assert_eq!(r.counts().expect("counts")[2], 300);
    r.undo_last().expect("import undone");
    assert_eq!((r.counts().expect("counts"), totals()), start);
    // A few records added together, journaled row by row, go back together; each undo is
    // journaled, naming the row it undid.
    let mark = r.journal_mark().expect("mark");
    r.add_records(&[training("2023-04-01", STREET_A, 5), training("2023-04-02", STREET_A, 6)])
        .expect("stored");
    assert_eq!(r.journal_mark().expect("mark"), mark + 2);
    r.undo_last().expect("rows undone");
    assert_eq!((r.counts().expect("counts"), totals()), start);
    let undos = r.history(None, 2).expect("history");
    let mut undid: Vec<Option<u64>> = undos.iter().map(|e| e.undoes).collect();
    undid.sort();
    assert_eq!(undid, [Some(mark + 1), Some(mark + 2)]);
    assert!(undos.iter().all(|e| e.action == "undo"));
    assert!(r.check().expect("checked").is_empty());
}
