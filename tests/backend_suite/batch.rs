//! The all-or-nothing batch (`Storage::commit`), on every backend: a batch makes all of its
//! changes with the right totals and journal; one whose last change is refused leaves units,
//! records, every figure of the report and the journal exactly as before; undo takes a batch's
//! changes back one by one, newest first; a correction (a reversal and the corrected entry in
//! one batch) gives the right figures as of dates before, between and after.

use super::*;
use shegong::record::AnyRecord;
use shegong::registry::batch::{Batch, Change, Outcome, RecordRows};

/// Everything a batch could change, as a user sees it: units, every record, the report's
/// figures at several dates (every unit, every measure), the journal, the reversals in force.
#[derive(Debug, PartialEq)]
struct Seen {
    units: Vec<Unit>,
    counts: [usize; 4],
    evaluations: Vec<Evaluation>,
    trainings: Vec<Training>,
    budget: Vec<BudgetEntry>,
    reports: Vec<String>,
    journal: Vec<(u64, shegong::store::JournalEntry)>,
    reversals: Vec<(String, String, u64)>,
}

fn seen(r: &Registry) -> Seen {
    let mut units = r.all_units().expect("units");
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let reports = ["2021-12-31", "2022-03-01", "2022-05-31", "2022-06-01", "2030-01-01"]
        .iter()
        .map(|day| {
            let node = shegong::report::build(r, None, on(day), 9).expect("a report");
            shegong::report::to_json(&node).to_string()
        })
        .collect();
    let mut evaluations = r.all_records::<Evaluation>().expect("evaluations");
    let mut trainings = r.all_records::<Training>().expect("trainings");
    let mut budget = r.all_records::<BudgetEntry>().expect("budget");
    evaluations.sort_by_key(|e| format!("{e:?}"));
    trainings.sort_by_key(|e| format!("{e:?}"));
    budget.sort_by_key(|e| format!("{e:?}"));
    Seen {
        units,
        counts: r.counts().expect("counts"),
        evaluations,
        trainings,
        budget,
        reports,
        journal: r.storage().journal_entries().expect("journal"),
        reversals: r
            .reversals()
            .expect("reversals")
            .into_iter()
            .map(|x| (x.of, x.by, x.number))
            .collect(),
    }
}

fn allocated(r: &Registry, code: &str, day: &str) -> i64 {
    r.subtree_measures(code, on(day)).expect("totals").allocated().0
}

/// A store with a budget entry, a training and an evaluation; the budget entry's id.
fn with_records(r: &Registry) -> (RecordId, RecordId) {
    let entry = r
        .add_records(&[budget("2022-03-01", STREET_A, BudgetKind::Allocation, 10_000)])
        .expect("stored");
    let training = r.add_records(&[training("2022-04-01", STREET_B, 20)]).expect("stored");
    r.add_records(&[evaluation("2022-05-01", STREET_A)]).expect("stored");
    (entry.keys[0].clone(), training.keys[0].clone())
}

pub fn a_batch_makes_all_its_changes(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let (entry, training_id) = with_records(r);
    let mark = r.journal_mark().expect("mark");
    let spare = Unit::new("530112002009", Some(STREET_B), Level::Community, "备用社区");
    r.apply_units(std::slice::from_ref(&spare)).expect("a unit to delete");
    let mark_before = r.journal_mark().expect("mark");
    assert_eq!(mark_before, mark + 1);
    let new = Unit::new("530112002001", Some(STREET_B), Level::Community, "新社区");
    let mut reversal = budget("2022-06-01", STREET_A, BudgetKind::Allocation, -10_000);
    reversal.note = "冲销".into();
    let batch = Batch::new()
        .with(Change::PutUnits(vec![new.clone()]))
        .with(Change::AddRecords(RecordRows::Budget(vec![
            budget("2022-03-05", "530112002001", BudgetKind::Allocation, 700),
            budget("2022-03-06", STREET_B, BudgetKind::Expenditure, 300),
        ])))
        .with(Change::DeleteRecord {
            kind: RecordKind::Training,
            id: training_id.clone(),
        })
        .with(Change::ReverseBudget {
            of: entry.clone(),
            reversal: reversal.clone(),
        })
        .with(Change::DeleteUnit(spare.code.clone()))
        .with(Change::AddRecords(RecordRows::Evaluations(vec![evaluation(
            "2022-05-20",
            STREET_B,
        )])));
    let committed = r.commit(&batch).expect("committed");
    // Each change's outcome, in order; the new ids in order (two entries, then the reversal,
    // then the evaluation).
    assert_eq!(committed.outcomes.len(), 6);
    assert!(matches!(&committed.outcomes[0], Outcome::Units(u) if u.added == 1));
    assert!(matches!(
        &committed.outcomes[2],
        Outcome::Deleted(AnyRecord::Training(_))
    ));
    assert!(matches!(&committed.outcomes[4], Outcome::UnitDeleted(u) if u.code == spare.code));
    let ids = committed.ids();
    assert_eq!(ids.len(), 4);
    assert_eq!(committed.added(), (4, 0));
    assert_eq!(committed.units(), (1, 0, 1));
    assert_eq!(committed.deleted(), 1);
    // The store: the new unit, without the spare one; the records; the totals.
    assert_eq!(r.unit(&new.code).expect("read"), Some(new.clone()));
    assert_eq!(r.unit(&spare.code).expect("read"), None);
    assert_eq!(r.counts().expect("counts"), [5, 2, 0, 4]);
    assert_eq!(allocated(r, DISTRICT, "2022-05-31"), 10_700);
    assert_eq!(allocated(r, DISTRICT, "2022-06-01"), 700);
    assert_eq!(
        r.subtree_measures(STREET_B, on("2022-12-31"))
            .expect("totals")
            .spent()
            .0,
        300
    );
    assert_eq!(
        r.subtree_measures(DISTRICT, on("2022-12-31"))
            .expect("totals")
            .trainings(),
        0
    );
    assert_eq!(
        r.subtree_measures(DISTRICT, on("2022-12-31"))
            .expect("totals")
            .evaluations(),
        2
    );
    assert!(
        r.check().expect("checked").is_empty(),
        "stored totals match the records"
    );
    // The reversal is in force, as one made alone would be.
    let reversals = r.reversals().expect("reversals");
    assert_eq!(reversals.len(), 1);
    assert_eq!(
        (reversals[0].of.as_str(), reversals[0].by.as_str()),
        (entry.as_str(), ids[2].as_str())
    );
    // The journal: each change as its single write journals it, in the batch's order.
    let journal = r.history(None, 0).expect("history");
    let new_entries: Vec<(String, String)> = journal[..(r.journal_mark().expect("mark") - mark_before) as usize]
        .iter()
        .rev()
        .map(|e| (e.action.clone(), e.kind.clone()))
        .collect();
    let pair = |a: &str, k: &str| (a.to_string(), k.to_string());
    assert_eq!(
        new_entries,
        [
            pair("add", "unit"),
            pair("add", "budget"),
            pair("add", "budget"),
            pair("delete", "training"),
            pair("add", "budget"),
            pair("delete", "unit"),
            pair("add", "evaluation"),
        ]
    );
    // An empty batch does nothing.
    let mark = r.journal_mark().expect("mark");
    assert_eq!(r.commit(&Batch::new()).expect("nothing").outcomes.len(), 0);
    assert_eq!(r.journal_mark().expect("mark"), mark);
}

pub fn a_batch_refused_at_its_last_change_leaves_everything(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let (entry, training_id) = with_records(r);
    let before = seen(r);
    let mut reversal = budget("2022-06-01", STREET_A, BudgetKind::Allocation, -10_000);
    reversal.note = "冲销".into();
    let good = || {
        Batch::new()
            .with(Change::PutUnits(vec![Unit::new(
                "530112002001",
                Some(STREET_B),
                Level::Community,
                "新社区",
            )]))
            .with(Change::AddRecords(RecordRows::Budget(vec![budget(
                "2022-03-05",
                STREET_B,
                BudgetKind::Allocation,
                700,
            )])))
            .with(Change::DeleteRecord {
                kind: RecordKind::Training,
                id: training_id.clone(),
            })
            .with(Change::ReverseBudget {
                of: entry.clone(),
                reversal: reversal.clone(),
            })
    };
    // The same entry reversed twice in one batch: the second is refused, naming the first.
    let twice = good().with(Change::ReverseBudget {
        of: entry.clone(),
        reversal: reversal.clone(),
    });
    match r.commit(&twice) {
        Err(StoreError::Refused { zh, en }) => {
            assert!(en.contains("reversed already") && zh.contains("冲销"), "{en} / {zh}");
        }
        other => panic!("the second reversal refused, got {other:?}"),
    }
    assert_eq!(seen(r), before, "nothing of the batch stays");
    // A record of a unit that does not exist, last.
    let unknown = good().with(Change::AddRecords(RecordRows::Trainings(vec![training(
        "2022-07-01",
        "530112999000",
        10,
    )])));
    match r.commit(&unknown) {
        Err(StoreError::Rejected(problems)) => {
            let said = problems[0].problem.message(shegong::i18n::Lang::En);
            assert!(said.contains("530112999000"), "names the unit: {said}");
        }
        other => panic!("the unknown unit refused, got {other:?}"),
    }
    assert_eq!(seen(r), before, "nothing of the batch stays");
    // A unit with records deleted, last.
    let with_records = good().with(Change::DeleteUnit(STREET_A.into()));
    assert!(matches!(r.commit(&with_records), Err(StoreError::Refused { .. })));
    assert_eq!(seen(r), before, "nothing of the batch stays");
    // A record deleted that is not there (deleted earlier in the same batch), last.
    let gone = good().with(Change::DeleteRecord {
        kind: RecordKind::Training,
        id: training_id.clone(),
    });
    assert!(r.commit(&gone).is_err());
    assert_eq!(seen(r), before, "nothing of the batch stays");
    assert!(
        r.check().expect("checked").is_empty(),
        "stored totals match the records"
    );
    // The same batch without its refused change goes through afterwards.
    r.commit(&good()).expect("committed");
    assert_eq!(r.counts().expect("counts"), [5, 1, 0, 3]);
    assert!(r.check().expect("checked").is_empty());
}

pub fn undo_takes_a_batch_back_change_by_change(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let (entry, _) = with_records(r);
    let before = seen(r);
    let mut reversal = budget("2022-06-01", STREET_A, BudgetKind::Allocation, -10_000);
    reversal.note = "冲销".into();
    let corrected = budget("2022-03-01", STREET_A, BudgetKind::Allocation, 12_000);
    let (reversed_by, added) = r.correct_budget(&entry, &reversal, &corrected).expect("corrected");
    let after = seen(r);
    // Newest first: the corrected entry goes, the reversal stays.
    let undone = r.undo_last().expect("undone");
    assert_eq!(undone.key.as_deref(), Some(added.as_str()));
    assert_eq!(r.reversals().expect("reversals").len(), 1);
    assert_eq!(allocated(r, DISTRICT, "2022-06-01"), 0);
    // Then the reversal: everything as before, the journal grown by the two undos only.
    let undone = r.undo_last().expect("undone");
    assert_eq!(undone.key.as_deref(), Some(reversed_by.as_str()));
    let now = seen(r);
    assert_eq!(
        (&now.units, &now.budget, &now.reports),
        (&before.units, &before.budget, &before.reports)
    );
    assert!(now.reversals.is_empty());
    assert_eq!(now.journal.len(), after.journal.len() + 2);
    assert_eq!(now.journal[..before.journal.len()], before.journal[..]);
    assert!(r.check().expect("checked").is_empty());
}

pub fn a_correction_gives_the_right_figures_before_and_after(maker: &dyn Fn() -> Fixture) {
    let fixture = with_hierarchy(maker);
    let r = &fixture.registry;
    let (entry, _) = with_records(r);
    let mut reversal = budget("2022-06-01", STREET_A, BudgetKind::Allocation, -10_000);
    reversal.note = "冲销".into();
    let corrected = budget("2022-03-01", STREET_A, BudgetKind::Allocation, 12_000);
    r.correct_budget(&entry, &reversal, &corrected).expect("corrected");
    for code in [DISTRICT, STREET_A] {
        assert_eq!(allocated(r, code, "2022-02-28"), 0, "before the entry");
        // From the entry's day the mistyped and the corrected entry both count, until the
        // reversal's day takes the mistyped one out.
        assert_eq!(allocated(r, code, "2022-03-01"), 22_000);
        assert_eq!(allocated(r, code, "2022-05-31"), 22_000);
        assert_eq!(allocated(r, code, "2022-06-01"), 12_000);
        assert_eq!(allocated(r, code, "2030-01-01"), 12_000);
    }
    assert_eq!(allocated(r, STREET_B, "2030-01-01"), 0);
    assert_eq!(r.counts().expect("counts")[3], 3);
    // The mistyped entry is corrected once: a second correction, or one of the reversal, is
    // refused whole.
    let before = seen(r);
    let again = budget("2022-03-01", STREET_A, BudgetKind::Allocation, 13_000);
    assert!(matches!(
        r.correct_budget(&entry, &reversal, &again),
        Err(StoreError::Refused { .. })
    ));
    let by = RecordId::new(r.reversals().expect("reversals")[0].by.clone());
    assert!(matches!(
        r.correct_budget(&by, &reversal, &again),
        Err(StoreError::Refused { .. })
    ));
    // A corrected entry that is the very one stored already is refused, reversal and all.
    let fresh = r
        .add_records(&[budget("2022-07-01", STREET_B, BudgetKind::Allocation, 500)])
        .expect("stored");
    let before = (seen(r), before);
    let mut back = budget("2022-08-01", STREET_B, BudgetKind::Allocation, -500);
    back.note = "冲销".into();
    let same = budget("2022-07-01", STREET_B, BudgetKind::Allocation, 500);
    assert!(matches!(
        r.correct_budget(&fresh.keys[0], &back, &same),
        Err(StoreError::Refused { .. })
    ));
    assert_eq!(seen(r), before.0);
    assert!(r.check().expect("checked").is_empty());
}
