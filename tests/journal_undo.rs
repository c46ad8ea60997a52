//! Undo takes back the newest change, whatever it was, back through a mixed journal (a bulk
//! import, a unit added and deleted, a record, a reversal); journal entries are numbered 1, 2,
//! 3, … with no gaps across restarts and after the upgrade from schema 2; an entry is
//! reversed at most once.

mod common;
use common::*;
use shegong::store::{Store, StoreError};
use std::path::Path;

/// The journal's numbers, newest first, as `history --format json` gives them.
fn numbers(dir: &Path) -> Vec<u64> {
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir, &["history", "--limit", "0", "--format", "json"])).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_u64().unwrap())
        .collect()
}

fn gapless(dir: &Path) {
    let n = numbers(dir);
    let want: Vec<u64> = (1..=n.len() as u64).rev().collect();
    assert_eq!(n, want, "numbered 1, 2, 3, … with no gaps");
}

fn budget_csv(rows: usize) -> String {
    let mut csv = String::from("date,unit,kind,amount,category,source\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "2021-12-{:02},530112008000,expenditure,{}.{:02},operation,welfare_lottery\n",
            1 + i % 28,
            100 + i,
            i % 100
        ));
    }
    csv
}

#[test]
fn undo_works_back_through_a_mixed_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let as_of = ["--as-of", "2022-06-30", "--depth", "3"];
    let report = report_json(&dir, &as_of);
    let budget = ok(&dir, &["export", "budget"]);
    let units = ok(&dir, &["export", "units"]);

    // A bulk import (more rows than are journaled one by one): one entry.
    let file = tmp.path().join("budget.csv");
    std::fs::write(&file, budget_csv(150)).unwrap();
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    // A community added by mistake, and one that stays for now.
    let file = tmp.path().join("units.csv");
    std::fs::write(
        &file,
        "code,parent,level,name\n530112008001,530112008000,community,碧鸡社区\n530112008,530112008000,community,打错的社区\n",
    )
    .unwrap();
    ok(&dir, &["import", "units", file.to_str().unwrap()]);
    // A record.
    let file = tmp.path().join("t.csv");
    std::fs::write(
        &file,
        "date,host,kind,topic\n2021-12-02,530112008001,coaching,台账规范\n",
    )
    .unwrap();
    ok(&dir, &["import", "trainings", file.to_str().unwrap()]);
    // A reversal of one imported entry; a second one is refused, naming the first; the
    // reversal itself cannot be reversed.
    {
        let store = Store::open(&dir, false).unwrap();
        let entries = store
            .records_of::<shegong::domain::BudgetEntry>("530112008000", false, 1000)
            .unwrap();
        let (key, entry) = entries
            .iter()
            .find(|(_, b)| b.amount == shegong::domain::Fen(10_000))
            .cloned()
            .unwrap();
        let mut reversal = entry.clone();
        reversal.amount = shegong::domain::Fen(-10_000);
        reversal.note = "冲销 2021-12-01 100.00".into();
        let by = store.reverse_budget(&key, &reversal).unwrap();
        let number = store.journal_mark().unwrap();
        let mut again = reversal.clone();
        again.voucher = "again".into();
        let refused = store.reverse_budget(&key, &again).unwrap_err();
        let said = refused.message(shegong::i18n::Lang::En);
        assert!(matches!(refused, StoreError::Refused { .. }), "{said}");
        assert!(said.contains(&format!("reversed already by #{number}")), "{said}");
        let said = refused.message(shegong::i18n::Lang::Zh);
        assert!(said.contains(&format!("已由 #{number} 冲销")), "{said}");
        let refused = store.reverse_budget(&by, &entry).unwrap_err();
        assert!(
            refused
                .message(shegong::i18n::Lang::En)
                .contains("cannot itself be reversed"),
            "{refused}"
        );
        assert_eq!(store.journal_mark().unwrap(), number, "a refusal journals nothing");
    }
    wait_until_closed(&dir);
    // The unit added by mistake is deleted; one with records is not.
    let said = ok(&dir, &["unit", "delete", "530112008"]);
    assert!(said.contains("Deleted the unit 打错的社区 (530112008)"), "{said}");
    let out = shegong(&dir, &["unit", "delete", "530112008001"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has evaluations, trainings or budget entries"));
    let out = shegong(&dir, &["--lang", "zh", "unit", "delete", "530112008000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("下还有下级单位"));
    ok(&dir, &["check"]);
    gapless(&dir);

    // Undo, newest first: the deletion, the reversal, the record, the two units (one import,
    // taken back together), the bulk import.
    let mut said = Vec::new();
    for _ in 0..5 {
        said.push(ok(&dir, &["undo"]));
        ok(&dir, &["check"]);
    }
    assert!(said[0].contains("deleted unit: 打错的社区 (530112008)"), "{}", said[0]);
    assert!(
        said[1].contains("added reversal: 2021-12-01 expenditure -100.00"),
        "{}",
        said[1]
    );
    assert!(said[2].contains("added training"), "{}", said[2]);
    assert!(
        said[3].contains("added unit: 打错的社区 (530112008) (all 2 rows of that import)"),
        "{}",
        said[3]
    );
    assert!(said[4].contains("imported budget entry: 150 added"), "{}", said[4]);
    assert_eq!(report_json(&dir, &as_of), report);
    assert_eq!(ok(&dir, &["export", "budget"]), budget);
    assert_eq!(ok(&dir, &["export", "units"]), units);
    gapless(&dir);
    // In the listing, each undo names the entry it took back, which is marked undone.
    let listing = ok(&dir, &["--lang", "zh", "history", "--limit", "3"]);
    let lines: Vec<&str> = listing.lines().filter(|l| l.starts_with('#')).collect();
    assert!(lines[0].contains("撤销 #38 · 资金记录：新增 150 条"), "{listing}");
    // The two units of one import: taken back together, each undo naming its row.
    assert!(
        lines[1].ends_with("撤销 #40 · 删除单位：打错的社区（530112008）"),
        "{listing}"
    );
    assert!(
        lines[2].ends_with("撤销 #39 · 删除单位：碧鸡社区（530112008001）"),
        "{listing}"
    );
}

#[test]
fn numbers_stay_gapless_across_restarts_and_are_renumbered_from_schema_2() {
    use shegong::store::codec::Stored;
    use shegong::store::JournalEntry;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let file = tmp.path().join("b.csv");
    std::fs::write(&file, budget_csv(1)).unwrap();
    // Each command is a process of its own: a reopened store.
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    ok(&dir, &["undo"]);
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    gapless(&dir);
    assert_eq!(numbers(&dir)[0], 40);

    // A store as schema 2 wrote it: numbered by sled's generate_id, which jumps by a million
    // after a reopen (the undo's reference with it).
    {
        let db = sled::open(dir.join("sled")).unwrap();
        let journal = db.open_tree("journal").unwrap();
        let old: Vec<(u64, JournalEntry)> = journal
            .iter()
            .map(|item| {
                let (k, v) = item.unwrap();
                (
                    u64::from_be_bytes(k.as_ref().try_into().unwrap()),
                    JournalEntry::decode(&v).unwrap(),
                )
            })
            .collect();
        let jumped = |id: u64| {
            if id > 20 {
                id - 1 + 1_000_000 * (id - 20)
            } else {
                id - 1
            }
        };
        journal.clear().unwrap();
        for (id, mut entry) in old {
            entry.undoes = entry.undoes.map(jumped);
            journal
                .insert(jumped(id).to_be_bytes(), entry.encode().unwrap())
                .unwrap();
        }
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &2u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    wait_until_closed(&dir);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["history", "--limit", "3", "--format", "json"])).unwrap();
    let n = |i: usize, f: &str| json[i][f].clone();
    let v = |x: u64| serde_json::Value::from(x);
    assert_eq!((n(0, "number"), n(1, "number"), n(2, "number")), (v(40), v(39), v(38)));
    assert_eq!(n(1, "undoes"), v(38), "the undo still names the entry it undid");
    assert_eq!(n(2, "undone"), serde_json::Value::Bool(true));
    gapless(&dir);
    // Importing the same file again adds nothing; one more row is the next number.
    std::fs::write(&file, budget_csv(2)).unwrap();
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    assert_eq!(numbers(&dir)[0], 41);
}

#[test]
fn a_whole_import_goes_back_in_one_undo_small_or_large_units_or_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init", "--empty"]);
    let units = |names: &str, extra: bool| {
        let mut csv = String::from("code,parent,level,name\nD,,district,区\n");
        for i in 0..120 {
            csv.push_str(&format!("S{i:03},D,street,{names}{i}\n"));
        }
        if extra {
            csv.push_str("S999,D,street,新街道\n");
        }
        csv
    };
    let file = tmp.path().join("units.csv");
    std::fs::write(&file, units("街道", false)).unwrap();
    ok(&dir, &["import", "units", file.to_str().unwrap()]);
    let before = ok(&dir, &["export", "units"]);
    // More than 100 units changed at once: one entry, which keeps what undo needs.
    std::fs::write(&file, units("改名街道", true)).unwrap();
    ok(&dir, &["import", "units", file.to_str().unwrap()]);
    assert_eq!(numbers(&dir).len(), 2);
    // Three trainings: three entries, one import.
    let t = tmp.path().join("t.csv");
    std::fs::write(
        &t,
        "date,host,kind,topic\n2021-12-01,S001,class,一\n2021-12-02,S002,class,二\n2021-12-03,S999,class,三\n",
    )
    .unwrap();
    ok(&dir, &["import", "trainings", t.to_str().unwrap()]);
    let said = ok(&dir, &["undo"]);
    assert!(said.contains("(all 3 rows of that import)"), "{said}");
    assert_eq!(ok(&dir, &["export", "trainings"]).lines().count(), 1, "only the header");
    ok(&dir, &["check"]);
    let said = ok(&dir, &["undo"]);
    assert!(said.contains("imported unit: 1 added, 120 updated"), "{said}");
    assert_eq!(ok(&dir, &["export", "units"]), before);
    ok(&dir, &["check"]);
    ok(&dir, &["undo"]);
    assert_eq!(ok(&dir, &["export", "units"]).lines().count(), 1, "only the header");
    ok(&dir, &["check"]);
    let out = shegong(&dir, &["undo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no change to undo"));
    gapless(&dir);
}
