//! Export → import into an empty store gives the same store: identical report JSON, counts and
//! records, for CSV, XLSX (in either language) and JSON, on the Xishan data plus a file of
//! awkward values (formula-like text, quotes, commas, line breaks, partial dates, corrections,
//! identical rows, an amount beyond Excel's 15 digits).

mod interchange_support;
use interchange_support::*;

/// The Xishan store plus the awkward fixtures.
fn source() -> Env {
    let env = Env::xishan();
    for kind in KINDS {
        let out = env.import(kind, &fixture(&format!("tricky-{kind}.csv")));
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
    }
    env
}

fn round_trip(format: &str, lang: &str, ext: &str) {
    let src = source();
    let dst = Env::empty();
    for kind in KINDS {
        let file = src.path(&format!("{kind}.{ext}"));
        let out = src.run_lang(
            lang,
            &["export", kind, "--format", format, "-o", file.to_str().unwrap()],
        );
        assert!(out.status.success(), "export {kind}: {}", stderr(&out));
        let out = dst.import(kind, &file);
        assert!(out.status.success(), "import {kind} from {format}: {}", stderr(&out));
    }
    assert_eq!(dst.counts(), src.counts());
    assert_eq!(dst.report(), src.report());
    for (as_of, unit) in [
        ("2020-12-31", None),
        ("2021-11-09", Some("530112000000")),
        ("2022-06-30", Some("T1")),
    ] {
        assert_eq!(
            dst.report_at(as_of, unit),
            src.report_at(as_of, unit),
            "{as_of} {unit:?}"
        );
    }
    let (a, b) = (records(&dst), records(&src));
    for kind in KINDS {
        let only_dst: Vec<&String> = a[kind].iter().filter(|r| !b[kind].contains(r)).collect();
        let only_src: Vec<&String> = b[kind].iter().filter(|r| !a[kind].contains(r)).collect();
        assert!(
            a[kind] == b[kind],
            "{format}/{lang} {kind}: only after the round trip: {only_dst:?}; only before: {only_src:?}"
        );
    }
    dst.ok(&["check"]);
    // And importing the same files again adds nothing.
    for kind in KINDS {
        let out = dst.import(kind, &src.path(&format!("{kind}.{ext}")));
        assert!(stdout(&out).contains("already stored"), "{}", stdout(&out));
    }
}

#[test]
fn csv_round_trip() {
    round_trip("csv", "en", "csv");
}

#[test]
fn xlsx_round_trip_in_english() {
    round_trip("xlsx", "en", "xlsx");
}

#[test]
fn xlsx_round_trip_in_chinese() {
    round_trip("xlsx", "zh", "xlsx");
}

#[test]
fn json_round_trip() {
    round_trip("json", "en", "json");
}

#[test]
fn the_awkward_values_are_stored_as_written() {
    let env = source();
    let units = env.export_json("units");
    let get = |code: &str| units.iter().find(|u| field(u, "code") == code).unwrap().clone();
    let t1 = get("T1");
    assert_eq!(field(&t1, "name"), "=SUM(A1:A9)");
    assert_eq!(field(&t1, "operator"), "=运营机构");
    assert_eq!(field(&t1, "address"), "地址, 带逗号");
    assert_eq!(field(&t1, "contact"), "联系人 \"引号\"");
    assert_eq!(field(&t1, "phone"), "+86 871 6412 3456");
    assert_eq!(field(&t1, "note"), "多行\n备注");
    assert_eq!(field(&t1, "opened_on"), "2020-10");
    assert_eq!(field(&get("T2"), "name"), "@某街道");
    assert_eq!(field(&get("T2"), "note"), "'");
    assert_eq!(field(&get("-X1"), "note"), "'=保留单引号");
    assert_eq!(field(&get("T3"), "note"), "'abc");
    let budget = env.export_json("budget");
    assert!(budget.iter().any(|b| field(b, "amount") == "123456789012345.67"));
    assert!(budget.iter().any(|b| field(b, "amount") == "99999999999.99"));
    assert_eq!(budget.iter().filter(|b| field(b, "amount") == "1200.50").count(), 2);
}

#[test]
fn export_to_stdout_and_a_file_are_the_same() {
    let env = source();
    let file = env.path("b.csv");
    let stdout_bytes = env.run(&["export", "budget"]).stdout;
    env.ok(&["export", "budget", "-o", file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&file).unwrap(), stdout_bytes);
    assert!(stdout_bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "CSV starts with a BOM");
    let text = String::from_utf8(stdout_bytes).unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert!(text.starts_with("\u{feff}id,date,unit,kind,category,source,amount,voucher,note\r\n"));
    // Nothing but the file is left behind (the temporary file was renamed).
    let names: Vec<String> = std::fs::read_dir(env.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn an_empty_kind_round_trips() {
    let src = Env::empty();
    let dst = Env::empty();
    for (format, ext) in [("csv", "csv"), ("xlsx", "xlsx"), ("json", "json")] {
        let file = src.path(&format!("b.{ext}"));
        src.ok(&["export", "budget", "--format", format, "-o", file.to_str().unwrap()]);
        let out = dst.import("budget", &file);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
    }
}
