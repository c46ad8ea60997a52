//! Streamed imports: rows checked first, then written in parts, give exactly what one
//! all-at-once import gives; an import abandoned between parts leaves nothing behind.

use chrono::NaiveDate;
use shegong::domain::*;
use shegong::store::{ImportSession, Store};

fn store_with_units(dir: &std::path::Path) -> Store {
    let store = Store::create(dir).unwrap();
    let mut units = vec![Unit::new("D", None, Level::District, "区")];
    for s in 0..4 {
        let mut u = Unit::new(&format!("S{s}"), Some("D"), Level::Street, &format!("街道{s}"));
        u.station = StationStatus::Operating;
        u.opened_on = PartialDate::parse("2021").ok();
        units.push(u);
    }
    store.apply_units(&units).unwrap();
    store
}

fn entries(n: usize) -> Vec<BudgetEntry> {
    let mut rows: Vec<BudgetEntry> = (0..n)
        .map(|i| BudgetEntry {
            id: None,
            date: PartialDate::parse(&format!("2022-{:02}-{:02}", 1 + i % 12, 1 + i % 28)).unwrap(),
            unit: format!("S{}", i % 4),
            kind: if i % 3 == 0 {
                BudgetKind::Expenditure
            } else {
                BudgetKind::Allocation
            },
            category: Some(Category::ALL[i % 6]),
            source: None,
            amount: Fen(1_000 + i as i64),
            voucher: String::new(),
            note: String::new(),
        })
        .collect();
    // Every fifth row repeats the one before: identical rows are two records.
    for i in (4..n).step_by(5) {
        rows[i] = rows[i - 1].clone();
    }
    rows
}

fn figures(store: &Store) -> (Fen, Fen, i64) {
    let m = store
        .subtree_measures("D", NaiveDate::from_ymd_opt(2023, 1, 1).unwrap())
        .unwrap();
    (m.allocated(), m.spent(), m.units(Level::Street))
}

#[test]
fn parts_add_up_to_one_import() {
    let rows = entries(5_000);
    let tmp = tempfile::tempdir().unwrap();
    let whole = store_with_units(&tmp.path().join("whole"));
    let outcome = whole.add_records(&rows).unwrap();
    assert_eq!(outcome.added, 5_000);

    let parts = store_with_units(&tmp.path().join("parts"));
    let mut session = parts.import_session::<BudgetEntry>().unwrap();
    for (n, chunk) in rows.chunks(700).enumerate() {
        assert!(session.check(chunk, n * 700).unwrap().is_empty());
    }
    for chunk in rows.chunks(700) {
        session.write(chunk).unwrap();
    }
    let outcome = session.finish().unwrap();
    assert_eq!(outcome.added, 5_000);
    assert_eq!(figures(&parts), figures(&whole));
    assert!(parts.check().unwrap().is_empty());
    assert_eq!(parts.counts().unwrap(), whole.counts().unwrap());

    // The same rows again, in other parts, add nothing.
    let mut again = parts.import_session::<BudgetEntry>().unwrap();
    for chunk in rows.chunks(1_300) {
        again.write(chunk).unwrap();
    }
    let outcome = again.finish().unwrap();
    assert_eq!((outcome.added, outcome.already_present), (0, 5_000));
}

#[test]
fn an_import_abandoned_between_parts_leaves_nothing() {
    let rows = entries(3_000);
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_units(&tmp.path().join("s"));
    store.add_records(&rows[..100]).unwrap();
    let before = figures(&store);
    let counts = store.counts().unwrap();
    {
        let mut session = store.import_session::<BudgetEntry>().unwrap();
        session.write(&rows[100..1_500]).unwrap();
        session.write(&rows[1_500..2_500]).unwrap();
        // dropped without finish
    }
    assert_eq!(figures(&store), before);
    assert_eq!(store.counts().unwrap(), counts);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn problems_are_numbered_across_parts() {
    let mut rows = entries(50);
    rows[37].unit = "NOWHERE".into();
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_units(&tmp.path().join("s"));
    let mut session = store.import_session::<BudgetEntry>().unwrap();
    let mut problems = Vec::new();
    for (n, chunk) in rows.chunks(20).enumerate() {
        problems.extend(session.check(chunk, n * 20).unwrap());
    }
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].row, 37);
    assert_eq!(problems[0].problem.field, "unit");
}

/// Issue 14 (import speed and memory): into a store with no budget page yet, pages are not
/// read and a part whose units no earlier part wrote is logged without being remembered. A
/// unit's rows that come back in a later part are still read and logged, and an import
/// dropped after such parts leaves nothing (the log is rolled back newest first).
#[test]
fn a_fresh_import_with_a_unit_in_two_parts_rolls_back_whole() {
    let rows = entries(3_000);
    let only = |unit: &str, range: std::ops::Range<usize>| -> Vec<BudgetEntry> {
        rows[range].iter().filter(|r| r.unit == unit).cloned().collect()
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_units(&tmp.path().join("s"));
    let before = figures(&store);
    let counts = store.counts().unwrap();
    // Three parts; the third has S0 again, whose pages the first part wrote.
    let three_parts = |session: &mut ImportSession<'_, BudgetEntry>| {
        session.write(&only("S0", 0..1_000)).unwrap();
        session.write(&only("S1", 0..1_000)).unwrap();
        let mut third = only("S0", 1_000..2_000);
        third.extend(only("S2", 0..2_000));
        session.write(&third).unwrap();
    };
    three_parts(&mut store.import_session::<BudgetEntry>().unwrap());
    assert_eq!(figures(&store), before);
    assert_eq!(store.counts().unwrap(), counts);
    assert!(store.check().unwrap().is_empty());

    // The same parts, finished, give what one import gives.
    let whole_rows: Vec<BudgetEntry> = [only("S0", 0..2_000), only("S1", 0..1_000), only("S2", 0..2_000)].concat();
    let whole = store_with_units(&tmp.path().join("whole"));
    whole.add_records(&whole_rows).unwrap();
    let mut session = store.import_session::<BudgetEntry>().unwrap();
    three_parts(&mut session);
    assert_eq!(session.finish().unwrap().added, whole_rows.len());
    assert_eq!(figures(&store), figures(&whole));
    assert_eq!(store.counts().unwrap(), whole.counts().unwrap());
    assert!(store.check().unwrap().is_empty());
}

/// Issue 14 (import memory): an import whose parts hold whole units counts identical rows
/// within a part, and gives what one import gives; a unit whose rows come back in a later
/// part is refused (never numbered twice), and nothing of the import stays.
#[test]
fn parts_of_whole_units_number_identical_rows_alike_and_refuse_a_split_unit() {
    let rows = entries(2_000);
    let only = |unit: &str| -> Vec<BudgetEntry> { rows.iter().filter(|r| r.unit == unit).cloned().collect() };
    let tmp = tempfile::tempdir().unwrap();
    let whole = store_with_units(&tmp.path().join("whole"));
    whole.add_records(&rows).unwrap();
    let parts = store_with_units(&tmp.path().join("parts"));
    let mut session = parts.import_session::<BudgetEntry>().unwrap();
    session.parts_hold_whole_units();
    session.write(&[only("S0"), only("S1")].concat()).unwrap();
    session.write(&only("S2")).unwrap();
    session.write(&only("S3")).unwrap();
    assert_eq!(session.finish().unwrap().added, 2_000);
    assert_eq!(figures(&parts), figures(&whole));
    assert_eq!(parts.counts().unwrap(), whole.counts().unwrap());
    // Again in whole units: nothing added.
    let mut again = parts.import_session::<BudgetEntry>().unwrap();
    again.parts_hold_whole_units();
    again.write(&only("S2")).unwrap();
    again.write(&[only("S0"), only("S1"), only("S3")].concat()).unwrap();
    assert_eq!(again.finish().unwrap().already_present, 2_000);

    let split = store_with_units(&tmp.path().join("split"));
    let (before, counts) = (figures(&split), split.counts().unwrap());
    let mut session = split.import_session::<BudgetEntry>().unwrap();
    session.parts_hold_whole_units();
    let s0 = only("S0");
    session.write(&s0[..100]).unwrap();
    assert!(session.write(&s0[100..]).is_err());
    drop(session);
    assert_eq!((figures(&split), split.counts().unwrap()), (before, counts));
    assert!(split.check().unwrap().is_empty());
}
