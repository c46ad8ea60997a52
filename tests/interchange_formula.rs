//! Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first): guarded on export so
//! that Excel shows them as text, and the guard undone on import so that round trips are exact.

mod interchange_support;
use calamine::{Data, Reader};
use interchange_support::*;

const UNITS: &str = "code,parent,level,name,operator,phone,note\n\
-X1,,district,=SUM(A1:A9),@机构,+86 871 6412 3456,'=保留单引号\n\
X2,-X1,street,普通街道,-,,'abc\n";

fn env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS);
    env
}

#[test]
fn csv_export_guards_formula_cells_with_an_apostrophe() {
    let env = env();
    let csv = env.ok(&["export", "units"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[1],
        "'-X1,,district,'=SUM(A1:A9),none,,,'@机构,,,'+86 871 6412 3456,,,'=保留单引号"
    );
    // The file gives no staff counts: exported empty, not 0.
    assert_eq!(lines[2], "X2,'-X1,street,普通街道,none,,,'-,,,,,,''abc");
}

#[test]
fn import_undoes_the_guard_and_keeps_a_clerks_own_apostrophe() {
    let env = env();
    let units = env.export_json("units");
    let x1 = units.iter().find(|u| field(u, "code") == "-X1").unwrap();
    assert_eq!(field(x1, "name"), "=SUM(A1:A9)");
    assert_eq!(field(x1, "operator"), "@机构");
    assert_eq!(field(x1, "phone"), "+86 871 6412 3456");
    assert_eq!(field(x1, "note"), "=保留单引号", "a clerk's '=x is the guarded =x");
    let x2 = units.iter().find(|u| field(u, "code") == "X2").unwrap();
    assert_eq!(field(x2, "parent"), "-X1");
    assert_eq!(field(x2, "operator"), "-");
    assert_eq!(field(x2, "note"), "'abc", "an apostrophe before plain text is kept");
}

#[test]
fn csv_round_trip_of_guarded_cells_is_exact() {
    let src = env();
    let dst = Env::empty();
    let file = src.path("u.csv");
    src.ok(&["export", "units", "-o", file.to_str().unwrap()]);
    dst.import_ok("units", "u2.csv", std::fs::read(&file).unwrap());
    assert_eq!(dst.export_json("units"), src.export_json("units"));
    assert_eq!(dst.ok(&["export", "units"]), src.ok(&["export", "units"]));
}

#[test]
fn xlsx_export_stores_formula_cells_as_text_never_as_formulas() {
    let env = env();
    let file = env.path("u.xlsx");
    env.ok(&["export", "units", "--format", "xlsx", "-o", file.to_str().unwrap()]);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    let name = wb.sheet_names()[0].clone();
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula in the sheet"
    );
    let range = wb.worksheet_range(&name).unwrap();
    let row = range.rows().find(|r| r[0] == Data::String("-X1".into())).unwrap();
    assert_eq!(row[3], Data::String("=SUM(A1:A9)".into()));
    assert_eq!(row[10], Data::String("+86 871 6412 3456".into()));
    // A text that itself starts with an apostrophe gets one more, which the import removes.
    let x2 = range.rows().find(|r| r[0] == Data::String("X2".into())).unwrap();
    assert_eq!(x2[13], Data::String("''abc".into()));
    let dst = Env::empty();
    dst.import_ok("units", "u.xlsx", std::fs::read(&file).unwrap());
    assert_eq!(dst.export_json("units"), env.export_json("units"));
}

#[test]
fn json_holds_the_text_exactly() {
    let env = env();
    let json = env.ok(&["export", "units", "--format", "json"]);
    assert!(json.contains("\"name\":\"=SUM(A1:A9)\""), "{json}");
    assert!(json.contains("\"note\":\"'abc\""), "{json}");
    let dst = Env::empty();
    dst.import_ok("units", "u.json", &json);
    assert_eq!(dst.export_json("units"), env.export_json("units"));
}
