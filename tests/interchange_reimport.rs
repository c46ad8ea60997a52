//! Importing again: the same file adds nothing and says so; identical rows in one file are two
//! records; an id stored with other content is refused and nothing changes; a unit with changed
//! fields is updated and reported as updated.

mod interchange_support;
use interchange_support::*;

const BUDGET: &str = "id,date,unit,kind,amount,note\n\
B-1,2021-01-01,S1,allocation,100,\n\
,2021-02-01,S1,allocation,50,二月\n\
,2021-02-01,S1,allocation,50,二月\n";

fn env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    env
}

#[test]
fn the_same_file_again_adds_nothing_and_says_so() {
    let env = env();
    let first = env.import_ok("budget", "b.csv", BUDGET);
    assert!(first.contains("3 rows: 3 added."), "{first}");
    let before = env.snapshot();
    let again = env.import_ok("budget", "b.csv", BUDGET);
    assert!(
        again.contains("all 3 rows are already stored; nothing was added or changed."),
        "{again}"
    );
    assert_eq!(env.snapshot(), before);
    let zh = env.run_lang("zh", &["import", "budget", env.path("b.csv").to_str().unwrap()]);
    assert!(
        stdout(&zh).contains("3 行均已在库中，未新增或更改任何记录。"),
        "{}",
        stdout(&zh)
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn identical_rows_in_one_file_are_two_records() {
    let env = env();
    env.import_ok("budget", "b.csv", BUDGET);
    assert_eq!(env.counts()[3], 3);
    assert_eq!(
        env.report_at("2021-12-31", Some("S1"))["funding"]["allocated_fen"].as_i64(),
        Some(20_000)
    );
}

#[test]
fn a_file_that_overlaps_adds_only_the_new_rows() {
    let env = env();
    env.import_ok("budget", "b.csv", BUDGET);
    let more = format!("{BUDGET},2021-03-01,S1,allocation,7,\n");
    let out = env.import_ok("budget", "b2.csv", more);
    assert!(out.contains("4 rows: 1 added, 3 already stored."), "{out}");
    assert_eq!(env.counts()[3], 4);
}

#[test]
fn a_stored_id_with_different_content_is_refused() {
    let env = env();
    env.import_ok("budget", "b.csv", BUDGET);
    let changed = "id,date,unit,kind,amount\nB-1,2021-01-01,S1,allocation,101\n,2021-04-01,S1,allocation,9\n";
    let err = env.import_refused("budget", "b2.csv", changed);
    assert!(
        err.contains("b2.csv:2: id: B-1 is already stored with different content; it is not overwritten"),
        "{err}"
    );
    let zh = env.run_lang("zh", &["import", "budget", env.path("b2.csv").to_str().unwrap()]);
    assert!(
        stderr(&zh).contains("b2.csv:2: id: 编号 B-1 已存有内容不同的记录；不会覆盖"),
        "{}",
        stderr(&zh)
    );
}

#[test]
fn the_same_id_and_content_counts_as_stored() {
    let env = env();
    env.import_ok(
        "evaluations",
        "e.csv",
        "id,unit,date,kind,score\nE-1,S1,2021-11-08,midterm,85\n",
    );
    let out = env.import_ok(
        "evaluations",
        "e2.csv",
        "编号,站点,日期,类型,得分\nE-1,S1,2021/11/8,中期,85.0\n",
    );
    assert!(out.contains("all 1 rows are already stored"), "{out}");
    assert_eq!(env.counts()[1], 1);
}

#[test]
fn a_changed_unit_is_updated_and_reported() {
    let env = env();
    let before = env.report_at("2021-12-31", Some("D1"));
    assert_eq!(before["coverage"]["street"]["covered"].as_i64(), Some(1), "{before}");
    let changed = UNITS_CSV
        .replace(
            "S2,D1,street,马街街道,building,,0,0",
            "S2,D1,street,马街街道,operating,2021-06-01,4,2",
        )
        .replace("前卫社区", "前卫社区（新）");
    let out = env.import_ok("units", "u2.csv", changed);
    assert!(out.contains("4 rows: 2 updated, 2 already stored unchanged."), "{out}");
    let units = env.export_json("units");
    let s2 = units.iter().find(|u| field(u, "code") == "S2").unwrap();
    assert_eq!(field(s2, "station"), "operating");
    assert_eq!(field(s2, "social_workers"), "4");
    assert!(units.iter().any(|u| field(u, "name") == "前卫社区（新）"));
    let after = env.report_at("2021-12-31", Some("D1"));
    assert_eq!(after["coverage"]["street"]["covered"].as_i64(), Some(2), "{after}");
    env.ok(&["check"]);
    let zh = env.run_lang("zh", &["import", "units", env.path("u2.csv").to_str().unwrap()]);
    assert!(stdout(&zh).contains("4 行均已在库中"), "{}", stdout(&zh));
}

#[test]
fn a_unit_file_with_one_bad_row_updates_nothing() {
    let env = env();
    let changed = UNITS_CSV.replace("前卫社区", "前卫社区（新）") + "C2,S9,community,无上级社区,,,,\n";
    let err = env.import_refused("units", "u2.csv", changed);
    assert!(err.contains("u2.csv:6: parent: no unit has the code S9"), "{err}");
}

#[test]
fn readonly_refuses_an_import_in_words() {
    let env = env();
    let path = env.file("b.csv", BUDGET);
    let before = env.snapshot();
    let out = env.run(&["--readonly", "import", "budget", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "--readonly refusals exit 4 (SPEC.md)");
    assert!(stderr(&out).contains("Read-only mode"), "{}", stderr(&out));
    assert_eq!(env.snapshot(), before);
}

/// Issue 11 item 2: a units file with fewer columns leaves the others as stored; on the Xishan
/// data, coverage stays 10/10 after `code,parent,level,name` is imported again.
#[test]
fn a_units_file_with_fewer_columns_keeps_the_other_fields() {
    let env = Env::xishan();
    let coverage = |env: &Env| env.report_at("2021-12-31", None)["coverage"]["street"].clone();
    let before = coverage(&env);
    assert_eq!(before["covered"].as_i64(), Some(10), "{before}");
    let out = env.import_ok(
        "units",
        "few.csv",
        "code,parent,level,name\n530112008000,530112000000,street,碧鸡街道\n",
    );
    assert!(out.contains("all 1 rows are already stored"), "{out}");
    assert_eq!(coverage(&env)["covered"].as_i64(), Some(10));
    let units = env.export_json("units");
    let bj = units.iter().find(|u| field(u, "code") == "530112008000").unwrap();
    assert_eq!(field(bj, "station"), "operating");
    assert_eq!(field(bj, "opened_on"), "2021-05-30");
    assert!(field(bj, "note").starts_with("来函"), "{bj:?}");
    // A renamed unit: only the name changes, and the summary says so.
    let out = env.import_ok(
        "units",
        "rename.csv",
        "code,parent,level,name\n530112008000,530112000000,street,碧鸡街道办\n",
    );
    assert!(out.contains("1 updated"), "{out}");
    assert!(out.contains("碧鸡街道办: name 碧鸡街道 → 碧鸡街道办"), "{out}");
    // An empty cell in a present column clears the field, and the summary names it.
    let path = env.file(
        "clear.csv",
        "编码,上级编码,层级,名称,站点状态\n530112008000,530112000000,街道,碧鸡街道,\n",
    );
    let zh = env.run_lang("zh", &["import", "units", path.to_str().unwrap()]);
    assert!(zh.status.success(), "{}", stderr(&zh));
    assert!(
        stdout(&zh).contains("碧鸡街道: 名称 碧鸡街道办 → 碧鸡街道；站点状态 运营 → 无"),
        "{}",
        stdout(&zh)
    );
    assert_eq!(coverage(&env)["covered"].as_i64(), Some(9));
    env.ok(&["check"]);
}
