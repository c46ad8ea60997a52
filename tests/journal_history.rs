//! The change journal: every change names who made it, and `shegong history` shows it, also
//! for one unit; a refused change leaves no entry.

mod common;
use common::*;

#[test]
fn history_names_the_operator_and_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["--operator", "李淳", "init"]);
    let file = tmp.path().join("b.csv");
    std::fs::write(
        &file,
        "date,unit,kind,amount,category\n2021-12-01,530112008000,allocation,12万,operation\n",
    )
    .unwrap();
    ok(
        &dir,
        &["--operator", "张三", "import", "budget", file.to_str().unwrap()],
    );

    let all = ok(&dir, &["history", "--limit", "1"]);
    assert!(
        all.contains("张三") && all.contains("added budget entry") && all.contains("120,000.00"),
        "{all}"
    );

    let biji = ok(&dir, &["history", "--unit", "530112008000"]);
    // The unit itself, its evaluation from the letter, and the new allocation.
    assert_eq!(biji.lines().filter(|l| !l.starts_with(' ')).count(), 3, "{biji}");
    assert!(biji.contains("李淳"));

    // A refused import changes nothing, and so adds no entry.
    std::fs::write(&file, "date,unit,kind,amount\n2021-12-01,NOPE,allocation,12万\n").unwrap();
    assert_eq!(
        shegong(&dir, &["import", "budget", file.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(ok(&dir, &["history", "--limit", "1"]), all);
}

#[test]
fn undo_takes_back_the_newest_change_and_is_journaled() {
    use shegong::domain::*;
    use shegong::store::{Store, StoreError};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    // Undo is decided in the registry, over the store.
    let store = shegong::registry::Registry::from(Store::open(&dir, false).unwrap());
    let as_of = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let trainings = |s: &shegong::registry::Registry| s.subtree_measures("530112000000", as_of).unwrap().trainings();
    assert_eq!(trainings(&store), 15);

    let t = Training {
        id: None,
        date: PartialDate::parse("2021-12-01").unwrap(),
        host: "530112008000".into(),
        kind: TrainingKind::Coaching,
        mode: Some(TrainingMode::Online),
        topic: "个案督导".into(),
        hours: Some(20),
        attendees: Some(3),
        units: vec![],
        note: String::new(),
    };
    store.add_records(&[t]).unwrap();
    assert_eq!(trainings(&store), 16);
    // Rename a street, then undo twice: the name comes back, then the training goes.
    let mut biji = store.unit("530112008000").unwrap().unwrap();
    biji.name = "碧鸡街道（新）".into();
    store.apply_units(&[biji]).unwrap();
    assert_eq!(store.undo_last().unwrap().action, "update");
    assert_eq!(store.unit("530112008000").unwrap().unwrap().name, "碧鸡街道");
    assert_eq!(store.undo_last().unwrap().kind, "training");
    assert_eq!(trainings(&store), 15);
    assert!(store.check().unwrap().is_empty());
    // Next come the letter's records, imported one by one, then its units: every one can be
    // taken back, down to an empty store.
    let history = store.history(None, 2).unwrap();
    assert_eq!(history[0].action, "undo");
    assert!(history[0].undoes.is_some());
    let mut units_undone = 0;
    let last = loop {
        match store.undo_last() {
            Ok(entry) => units_undone += usize::from(entry.kind == "unit"),
            Err(e) => break e,
        }
    };
    assert!(matches!(last, StoreError::NothingToUndo), "{last:?}");
    assert_eq!(units_undone, 1, "the letter's 11 units, one import, go back together");
    assert!(store.roots().unwrap().is_empty());
    assert_eq!(store.counts().unwrap(), [0, 0, 0, 0]);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn undo_says_in_words_what_it_took_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let file = tmp.path().join("b.csv");
    std::fs::write(
        &file,
        "date,unit,kind,amount\n2021-12-01,530112008000,allocation,12万\n",
    )
    .unwrap();
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    let said = ok(&dir, &["undo"]);
    assert!(
        said.starts_with("Undone: #38 added budget entry: 2021-12-01 "),
        "{said}"
    );
    assert!(said.contains("120,000.00 · 碧鸡街道"), "{said}");
    let said = ok(&dir, &["--lang", "zh", "history", "--limit", "2"]);
    let lines: Vec<&str> = said.lines().filter(|l| l.starts_with('#')).collect();
    assert!(
        lines[0].starts_with("#39 ")
            && lines[0].contains("撤销 #38 · 删除资金记录：2021-12-01 拨付 120,000.00 · 碧鸡街道"),
        "{said}"
    );
    assert!(
        lines[1].starts_with("#38 ") && lines[1].ends_with("（已撤销）"),
        "{said}"
    );
}
