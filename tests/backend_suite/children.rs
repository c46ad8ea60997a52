//! A unit's children with their totals (`Storage::children_measures`, what the report's
//! children and the funding chart read; `Storage::measures_with_children`, the report's node
//! with its children), on every backend: after each kind of write (records of
//! each kind, a delete, a reversal, a batch, a unit added, moved and deleted, undo, a streamed
//! import) they equal each child's own subtree totals, as of a past date, today, and a date
//! after every record; a record dated after the others (so that "today" lies before the
//! latest event) does not make today's figures count it. sled keeps the children's totals
//! with the parent; this is what says they never drift from the per-child figures.

use super::*;
use shegong::registry::batch::{Batch, Change, RecordRows};

/// The parents whose children are compared, and the dates they are compared at.
const PARENTS: [&str; 3] = [DISTRICT, STREET_A, STREET_B];

fn dates() -> Vec<NaiveDate> {
    vec![
        on("2021-12-31"),
        on("2022-06-01"),
        chrono::Local::now().date_naive(),
        on("2040-01-01"),
    ]
}

/// Every parent's children with their totals equal each child's subtree totals, in the order
/// of `children`; `check` finds nothing.
fn agree(r: &Registry, after: &str) {
    for parent in PARENTS.iter().copied().chain(std::iter::once(STREET_C)) {
        let Some(_) = r.unit(parent).expect("read") else {
            continue;
        };
        for day in dates() {
            let got = r.children_measures(parent, day).expect("children's totals");
            let want: Vec<(Unit, shegong::rollup::Measures)> = r
                .children(parent)
                .expect("children")
                .into_iter()
                .map(|c| {
                    let m = r.subtree_measures(&c.code, day).expect("totals");
                    (c, m)
                })
                .collect();
            assert_eq!(got, want, "children of {parent} as of {day}, after {after}");
            // The subtree's total read with its children's (the report's one pass on the
            // server) is the subtree's own, and the children's are the same.
            let subtree = r.subtree_measures(parent, day).expect("totals");
            let both = r
                .measures_with_children(parent, day)
                .expect("totals with the children's");
            assert_eq!(
                both,
                (subtree, want),
                "{parent} with its children as of {day}, after {after}"
            );
            // The children's newest evaluations read together (sled: kept with the parent)
            // are each child's own.
            let until = shegong::domain::date::day_of(day);
            let codes: Vec<String> = both.1.iter().map(|(c, _)| c.code.clone()).collect();
            let together = r
                .children_latest_evaluations(parent, &codes, until)
                .expect("newest evaluations");
            let each: Vec<Option<Evaluation>> = codes
                .iter()
                .map(|c| r.latest_evaluation(c, until).expect("newest evaluation"))
                .collect();
            assert_eq!(
                together, each,
                "newest evaluations of {parent}'s children as of {day}, after {after}"
            );
        }
    }
    assert_eq!(r.check().expect("checked"), [], "check after {after}");
}

const STREET_C: &str = "530112003000";
const COMMUNITY_C1: &str = "530112003001";

pub fn children_totals_follow_every_write(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    agree(r, "the units");
    // Records of each kind, at several levels.
    let added = r
        .add_records(&[
            budget("2021-01-15", STREET_A, BudgetKind::Allocation, 500_000),
            budget("2021-12-31", COMMUNITY_A1, BudgetKind::Expenditure, 120_000),
            budget("2022-02-28", STREET_B, BudgetKind::Allocation, 300_000),
            budget("2022", DISTRICT, BudgetKind::Allocation, 7),
        ])
        .expect("stored");
    r.add_records(&[evaluation("2022-06-30", STREET_A), evaluation("2022-03-15", STREET_B)])
        .expect("stored");
    let trained = r
        .add_records(&[
            training("2021-12-31", COMMUNITY_A1, 15),
            training("2022-05-31", STREET_B, 20),
        ])
        .expect("stored");
    agree(r, "records");
    // A delete, a reversal.
    r.delete_record::<Training>(&trained.keys[0]).expect("deleted");
    agree(r, "a delete");
    let mut reversal = budget("2022-03-01", STREET_B, BudgetKind::Allocation, -300_000);
    reversal.note = "冲销".into();
    r.reverse_budget(&added.keys[2], &reversal).expect("reversed");
    agree(r, "a reversal");
    // A batch: units and records of several kinds in one write.
    let mut street_c = Unit::new(STREET_C, Some(DISTRICT), Level::Street, "新街道");
    street_c.station = StationStatus::Operating;
    street_c.opened_on = Some(PartialDate::parse("2022-01").expect("a date"));
    let batch = Batch::new()
        .with(Change::PutUnits(vec![
            street_c.clone(),
            Unit::new(COMMUNITY_C1, Some(STREET_C), Level::Community, "新社区"),
        ]))
        .with(Change::AddRecords(RecordRows::Budget(vec![
            budget("2022-04-01", STREET_C, BudgetKind::Allocation, 40_000),
            budget("2022-04-02", COMMUNITY_C1, BudgetKind::Expenditure, 4_000),
        ])))
        .with(Change::AddRecords(RecordRows::Evaluations(vec![evaluation(
            "2022-05-01",
            STREET_C,
        )])));
    r.commit(&batch).expect("committed");
    agree(r, "a batch");
    // A unit moved to another parent, with its records.
    let mut moved = Unit::new(COMMUNITY_A1, Some(STREET_C), Level::Community, "西苑社区");
    moved.name = "西苑社区".into();
    r.apply_units(&[moved]).expect("moved");
    agree(r, "a move");
    // Undo: the move, the batch's last change.
    r.undo_last().expect("move undone");
    agree(r, "the move undone");
    r.undo_last().expect("undone");
    agree(r, "the batch's last change undone");
    // A unit deleted (nothing refers to it).
    let lonely = Unit::new("530112002009", Some(STREET_B), Level::Community, "孤社区");
    r.apply_units(std::slice::from_ref(&lonely)).expect("added");
    agree(r, "a unit added");
    r.delete_unit(&lonely.code).expect("deleted");
    agree(r, "a unit deleted");
    // A streamed import, then its undo.
    let rows: Vec<BudgetEntry> = (0..900)
        .map(|i| {
            let day = format!("2022-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let unit = [STREET_A, STREET_B, COMMUNITY_A1, DISTRICT][i % 4];
            budget(&day, unit, BudgetKind::Expenditure, 100 + i as i64)
        })
        .collect();
    let mut session = r.import_session::<BudgetEntry>().expect("a session");
    for (n, chunk) in rows.chunks(300).enumerate() {
        assert!(session.check(chunk, n * 300).expect("checked").is_empty());
    }
    for chunk in rows.chunks(300) {
        session.write(chunk).expect("written");
    }
    session.finish().expect("finished");
    agree(r, "an import");
    r.undo_last().expect("import undone");
    agree(r, "the import undone");
    // Evaluations (the children's newest, kept with the parent on sled): a streamed import
    // with two on one day, one deleted, the import undone.
    let mut evaluations: Vec<Evaluation> = (0..40)
        .map(|i| {
            let day = format!("2023-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            evaluation(&day, [STREET_A, STREET_B][i % 2])
        })
        .collect();
    let mut twin = evaluation("2023-12-28", STREET_B);
    twin.evaluator = "另一位".into();
    evaluations.push(twin);
    let mut session = r.import_session::<Evaluation>().expect("a session");
    let problems = session.check(&evaluations, 0).expect("checked");
    assert!(problems.is_empty(), "{problems:?}");
    session.write(&evaluations).expect("written");
    session.finish().expect("finished");
    agree(r, "an import of evaluations");
    let newest = r
        .records_in::<Evaluation>(STREET_B, i32::MIN..=i32::MAX, false, 1)
        .expect("read");
    r.delete_record::<Evaluation>(&newest[0].0).expect("deleted");
    agree(r, "a street's newest evaluation deleted");
    r.undo_last().expect("delete undone");
    r.undo_last().expect("import undone");
    agree(r, "the evaluations' import undone");
    // Last (sled then reads each child for any date before it): a record dated after today,
    // which today's figures do not count; deleted, they still agree.
    let future = r
        .add_records(&[budget("2039-06-01", STREET_A, BudgetKind::Allocation, 1_000)])
        .expect("stored");
    agree(r, "a record dated after today");
    r.delete_record::<BudgetEntry>(&future.keys[0]).expect("deleted");
    agree(r, "its delete");
}
