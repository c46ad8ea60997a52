//! Evaluation schemes as files (issue 15) through the real binary: `import schemes` with
//! Chinese or English headers, as CSV or as a workbook; evaluations with a scheme column and
//! one column per indicator (header = code or name); every bad cell refused whole; the wide
//! export read back exactly; a second import adding nothing.

mod common;

use common::shegong;
use std::path::Path;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = shegong(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SCHEME_ZH: &str = "方案,指标编码,指标名称,维度,满分\n\
示例方案,A1,场所面积,场所,10\n\
示例方案,A2,功能分区,场所,12.5\n\
示例方案,B1,专职社工,人员,20\n\
另一方案,A1,场所,场所,50\n";

fn store_with_scheme(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("store");
    ok(&dir, &["init"]);
    let file = tmp.join("scheme.csv");
    std::fs::write(&file, SCHEME_ZH).unwrap();
    let said = ok(&dir, &["import", "schemes", file.to_str().unwrap()]);
    assert!(said.contains("imported 2 evaluation schemes (4 indicators)"), "{said}");
    dir
}

#[test]
fn schemes_import_in_either_language_and_export_as_csv_and_xlsx() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = store_with_scheme(tmp.path());
    let file = tmp.path().join("scheme.csv");
    let again = ok(&dir, &["import", "schemes", file.to_str().unwrap()]);
    assert!(
        again.contains("imported 0 evaluation schemes (0 indicators); 2 were stored"),
        "{again}"
    );
    let csv = ok(&dir, &["export", "schemes"]);
    assert_eq!(
        csv.trim_start_matches('\u{feff}').replace("\r\n", "\n"),
        "scheme,indicator,name,group,max_points\n另一方案,A1,场所,场所,50\n\
         示例方案,A1,场所面积,场所,10\n示例方案,A2,功能分区,场所,12.5\n示例方案,B1,专职社工,人员,20\n"
    );
    // A workbook in, into another store: the same schemes out.
    let book = tmp.path().join("schemes.xlsx");
    ok(
        &dir,
        &[
            "--lang",
            "zh",
            "export",
            "schemes",
            "--format",
            "xlsx",
            "-o",
            book.to_str().unwrap(),
        ],
    );
    let other = tmp.path().join("other");
    ok(&other, &["init", "--empty"]);
    ok(&other, &["import", "schemes", book.to_str().unwrap()]);
    assert_eq!(ok(&other, &["export", "schemes"]), csv);
    // A changed scheme of a stored name is refused, naming the line.
    let changed = tmp.path().join("changed.csv");
    std::fs::write(
        &changed,
        "scheme,indicator,name,group,max_points\n示例方案,A1,场所面积,场所,9\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "schemes", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("changed.csv:2: scheme: the scheme “示例方案” is stored already"),
        "{err}"
    );
}

#[test]
fn a_bad_schemes_file_lists_every_bad_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init", "--empty"]);
    let file = tmp.path().join("bad.csv");
    std::fs::write(
        &file,
        "scheme,indicator,name,group,max_points\n\
         s,A 1,n,g,10\n\
         s,A2,,g,0\n\
         s,A3,n,g,1.25\n\
         s,A3,n,g,5\n\
         t,B1,n,g,60\n\
         t,B2,n,g,50\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "schemes", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [
        "bad.csv:2: indicator:",
        "bad.csv:3: name: is required",
        "bad.csv:3: max_points: must be more than 0",
        "bad.csv:4: max_points:",
        "bad.csv:5: indicator: the scheme “s” has the indicator “A3” twice",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(ok(&dir, &["export", "schemes"]).lines().count() == 1, "nothing stored");
    // Each scheme's total over 100 points, at its first line.
    std::fs::write(
        &file,
        "scheme,indicator,name,group,max_points\nt,B1,n,g,60\nt,B2,n,g,50\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "schemes", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:2: max_points: the indicators' maximum points add up to 110"),
        "{err}"
    );
}

#[test]
fn evaluations_with_points_are_refused_whole_with_each_bad_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = store_with_scheme(tmp.path());
    let before = ok(&dir, &["export", "evaluations"]);
    let file = tmp.path().join("e.csv");
    std::fs::write(
        &file,
        "unit,date,kind,scheme,A1,功能分区,B1,score\n\
         530112001000,2022-06-01,annual,示例方案,8,12.5,15,\n\
         530112002000,2022-06-01,annual,示例方案,10.5,12,15,\n\
         530112003000,2022-06-01,annual,示例方案,8,x,15,\n\
         530112004000,2022-06-01,annual,示例方案,8,2,15,30\n\
         530112005000,2022-06-01,annual,没有,8,2,15,\n\
         530112006000,2022-06-01,annual,另一方案,8,2,,\n\
         530112007000,2022-06-01,annual,,8,,,\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [
        "e.csv:3: A1: 10.5 is more than the indicator's 10 points",
        "e.csv:4: 功能分区: “x” is not a number",
        "e.csv:5: score: 30 does not agree with the sum of the indicators' points, 25",
        "e.csv:6: scheme: there is no evaluation scheme “没有”",
        "e.csv:7: 功能分区: “功能分区” is not an indicator of the scheme “另一方案”",
        "e.csv:8: scheme: has points but the scheme column is empty",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(err.contains("6 problems"), "{err}");
    assert_eq!(ok(&dir, &["export", "evaluations"]), before, "nothing stored");
    // A column that is no stored scheme's indicator is refused at the header.
    std::fs::write(
        &file,
        "unit,date,kind,scheme,Z9\n530112001000,2022-06-01,annual,示例方案,1\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("e.csv:1: Z9: is not an indicator"), "{err}");
    // An indicator given twice, by its code and by its name, is refused under its code.
    std::fs::write(
        &file,
        "unit,date,kind,scheme,A1,场所面积\n530112001000,2022-06-01,annual,示例方案,1,2\n",
    )
    .unwrap();
    let out = shegong(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("e.csv:2: A1: the indicator A1 is given points twice"),
        "{err}"
    );
    assert_eq!(ok(&dir, &["export", "evaluations"]), before, "nothing stored");
}

#[test]
fn the_wide_export_reads_back_exactly_and_adds_nothing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = store_with_scheme(tmp.path());
    let file = tmp.path().join("e.csv");
    std::fs::write(
        &file,
        "unit,date,kind,scheme,B1,A1,功能分区,score,note\n\
         530112001000,2022-06-01,annual,示例方案,15,8,12.5,,一\n\
         530112002000,2022-06-01,annual,示例方案,0,10,,10,二\n\
         530112003000,2022-06-01,annual,另一方案,,45,,,三\n\
         530112004000,2022-06-01,annual,,,,,80,四\n",
    )
    .unwrap();
    let said = ok(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    assert!(said.contains("4 added"), "{said}");
    let again = ok(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    assert!(again.contains("already stored"), "{again}");
    let csv = ok(&dir, &["export", "evaluations"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0].trim_start_matches('\u{feff}'),
        "id,unit,date,kind,evaluator,score,grade,note,scheme,A1,A2,B1"
    );
    assert!(
        csv.contains(",530112001000,2022-06-01,annual,,35.5,,一,示例方案,8,12.5,15"),
        "{csv}"
    );
    assert!(
        csv.contains(",530112002000,2022-06-01,annual,,10,,二,示例方案,10,,0"),
        "{csv}"
    );
    assert!(
        csv.contains(",530112003000,2022-06-01,annual,,45,,三,另一方案,45,,"),
        "{csv}"
    );
    assert!(csv.contains(",530112004000,2022-06-01,annual,,80,,四,,,,"), "{csv}");
    // The export, imported into a store with the same schemes, exports the same bytes; and
    // imported again into this one, adds nothing.
    let back = tmp.path().join("back.csv");
    std::fs::write(&back, &csv).unwrap();
    let other = tmp.path().join("other");
    ok(&other, &["init"]);
    let schemes = tmp.path().join("scheme.csv");
    ok(&other, &["import", "schemes", schemes.to_str().unwrap()]);
    ok(&other, &["import", "evaluations", back.to_str().unwrap()]);
    assert_eq!(ok(&other, &["export", "evaluations"]), csv);
    let again = ok(&dir, &["import", "evaluations", back.to_str().unwrap()]);
    assert!(again.contains("already stored"), "{again}");
    // The same as a workbook.
    let book = tmp.path().join("e.xlsx");
    ok(
        &dir,
        &[
            "--lang",
            "zh",
            "export",
            "evaluations",
            "--format",
            "xlsx",
            "-o",
            book.to_str().unwrap(),
        ],
    );
    let third = tmp.path().join("third");
    ok(&third, &["init"]);
    ok(&third, &["import", "schemes", schemes.to_str().unwrap()]);
    ok(&third, &["import", "evaluations", book.to_str().unwrap()]);
    assert_eq!(ok(&third, &["export", "evaluations"]), csv);
}

#[test]
fn the_example_scheme_loads_with_one_command_and_says_it_is_an_example() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    // The Xishan data carries no scheme: the letter does not give the standard's indicators.
    assert_eq!(ok(&dir, &["export", "schemes"]).lines().count(), 1);
    let said = ok(&dir, &["import", "schemes", "example"]);
    // Each count in its own number.
    assert!(
        said.contains("imported 1 evaluation scheme (20 indicators); 0 were stored already"),
        "{said}"
    );
    let csv = ok(&dir, &["export", "schemes"]);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r.starts_with("示例方案（非西山区标准）,")), "{csv}");
    let mut groups: Vec<&str> = rows.iter().map(|r| r.split(',').nth(3).unwrap()).collect();
    groups.dedup();
    assert_eq!(groups, ["场所", "人员", "制度", "服务", "档案"]);
    // The shipped file is the same scheme.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/example-scheme.csv");
    let again = ok(&dir, &["import", "schemes", file.to_str().unwrap()]);
    assert!(again.contains("1 was stored already"), "{again}");
}
