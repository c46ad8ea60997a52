//! A store with several roots (two districts side by side): the report at no named unit sums
//! them under one "all" node, lists them as children only when asked for a level below, and
//! its figures are each root's own added together. (cargo-mutants found this path untested:
//! `depth == 0` → `!= 0` in `report::build` survived; docs/TESTING.md.)

use chrono::NaiveDate;
use shegong::domain::*;
use shegong::registry::Registry;

fn allocation(unit: &str, yuan: i64) -> BudgetEntry {
    BudgetEntry {
        id: None,
        date: PartialDate::parse("2022-03-31").expect("a date"),
        unit: unit.to_string(),
        kind: BudgetKind::Allocation,
        category: Some(Category::ALL[0]),
        source: None,
        amount: Fen(yuan * 100),
        voucher: String::new(),
        note: String::new(),
    }
}

fn two_districts() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Registry::create(&dir.path().join("s")).expect("a new store");
    store
        .apply_units(&[
            Unit::new("D1", None, Level::District, "甲区"),
            Unit::new("D2", None, Level::District, "乙区"),
            Unit::new("S1", Some("D1"), Level::Street, "甲街道"),
        ])
        .expect("units");
    store
        .add_records(&[allocation("S1", 300), allocation("D2", 40)])
        .expect("records");
    (dir, store)
}

fn allocated(report: &serde_json::Value) -> Option<i64> {
    report["funding"]["allocated_fen"].as_i64()
}

#[test]
fn several_roots_are_summed_and_listed_only_below_depth_0() {
    let (_dir, store) = two_districts();
    let as_of = NaiveDate::from_ymd_opt(2022, 12, 31).expect("a date");

    let flat = shegong::report::to_json(&shegong::report::build(&store, None, as_of, 0).expect("report"));
    let none = flat["children"].as_array().map_or(0, Vec::len);
    assert_eq!(none, 0, "depth 0 lists no children: {flat}");

    let deep = shegong::report::to_json(&shegong::report::build(&store, None, as_of, 1).expect("report"));
    let children = deep["children"].as_array().expect("children at depth 1");
    let codes: Vec<&str> = children.iter().filter_map(|c| c["code"].as_str()).collect();
    assert_eq!(codes, ["D1", "D2"]);
    // Each root carries its own subtree's money; the "all" node their sum, at either depth.
    assert_eq!(
        allocated(&children[0]),
        allocated(&shegong::report::to_json(
            &shegong::report::build(&store, Some("D1"), as_of, 0).expect("report")
        ))
    );
    assert_eq!(
        (allocated(&children[0]), allocated(&children[1])),
        (Some(30_000), Some(4_000))
    );
    assert_eq!(allocated(&flat), Some(34_000));
    assert_eq!(allocated(&deep), Some(34_000));
}
