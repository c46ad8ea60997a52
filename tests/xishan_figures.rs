//! The letter's figures (SPEC.md, "The Xishan data"), reproduced by a fresh `shegong init`
//! through the command line.

mod common;
use common::*;

#[test]
fn the_letters_figures_come_out_of_a_fresh_init() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);

    // 2020-12-31: 5 of the 10 street stations operating.
    let r = report_json(&dir, &["--as-of", "2020-12-31"]);
    assert_eq!(r["code"], "530112000000");
    assert_eq!(r["coverage"]["street"]["units"], 10);
    assert_eq!(r["coverage"]["street"]["covered"], 5);
    assert_eq!(r["station"]["covered"], false);

    // 2021-05-30: the district hub and all 10 street stations operating.
    let r = report_json(&dir, &["--as-of", "2021-05-30"]);
    assert_eq!(r["coverage"]["street"]["covered"], 10);
    assert_eq!(r["station"]["covered"], true);
    // ... and not a day earlier for the last five.
    let r = report_json(&dir, &["--as-of", "2021-05-29"]);
    assert_eq!(r["coverage"]["street"]["covered"], 5);

    // 2021-11-08: a mid-term evaluation of every street station; none the day before.
    let r = report_json(&dir, &["--as-of", "2021-11-07"]);
    assert_eq!(r["evaluations"]["count"], 0);
    let r = report_json(&dir, &["--as-of", "2021-11-08", "--depth", "1"]);
    assert_eq!(r["evaluations"]["count"], 10);
    assert_eq!(r["evaluations"]["by_kind"]["midterm"], 10);
    let children = r["children"].as_array().unwrap();
    assert_eq!(children.len(), 10);
    for child in children {
        assert_eq!(child["level"], "street");
        assert_eq!(child["evaluations"]["by_kind"]["midterm"], 1, "{}", child["name"]);
        assert_eq!(child["evaluations"]["latest"]["kind"], "midterm");
        // The letter gives no scores: none are invented.
        assert!(child["evaluations"]["latest"]["score"].is_null());
    }

    // 2021-11-09: 1 class, 10 coaching sessions, 4 on-site meetings; 1,700,000 yuan put in.
    let r = report_json(&dir, &["--as-of", "2021-11-09"]);
    assert_eq!(r["trainings"]["count"], 15);
    assert_eq!(r["trainings"]["by_kind"]["class"], 1);
    assert_eq!(r["trainings"]["by_kind"]["coaching"], 10);
    assert_eq!(r["trainings"]["by_kind"]["meeting"], 4);
    assert_eq!(r["funding"]["allocated_fen"], 170_000_000);
    assert_eq!(r["funding"]["spent_fen"], 0);
    // The letter gives only the total: no category or source is invented.
    assert_eq!(r["funding"]["category_unspecified"]["allocated_fen"], 170_000_000);
    assert_eq!(r["funding"]["source_unspecified"]["allocated_fen"], 170_000_000);

    ok(&dir, &["check"]);
}

#[test]
fn the_table_is_aligned_in_terminal_cells() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let out = ok(&dir, &["--lang", "zh", "report", "--as-of", "2021-11-09"]);
    assert!(out.contains("1,700,000.00"), "{out}");
    // Every row of the children table has its code starting at the same cell.
    let rows: Vec<&str> = out.lines().filter(|l| l.contains("  5301120")).collect();
    assert_eq!(rows.len(), 10, "{out}");
    let columns: Vec<usize> = rows
        .iter()
        .map(|l| {
            let at = l.find("5301120").unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..at])
        })
        .collect();
    assert!(columns.iter().all(|c| *c == columns[0]), "{columns:?}\n{out}");
}

#[test]
fn commands_on_a_missing_store_name_init() {
    let tmp = tempfile::tempdir().unwrap();
    let out = shegong(&tmp.path().join("nothing"), &["report"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shegong init"));
}

#[test]
fn bad_usage_exits_two() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init", "--empty"]);
    assert_eq!(
        shegong(&dir, &["report", "--as-of", "yesterday"]).status.code(),
        Some(2)
    );
    assert_eq!(shegong(&dir, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(shegong(&dir, &["import", "people", "x.csv"]).status.code(), Some(2));
}
