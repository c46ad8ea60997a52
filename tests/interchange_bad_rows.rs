//! Every kind of bad row, reported as `FILE:LINE: column: what is wrong` with the header as
//! line 1, in the user's language, all of them up to a limit and then counted; and a refused
//! file changes nothing in the store (`import_refused` compares a full snapshot before and after).

mod interchange_support;
use interchange_support::*;

fn env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    env.import_ok(
        "budget",
        "b0.csv",
        "id,date,unit,kind,amount\nB-1,2021-01-01,S1,allocation,100\n",
    );
    env
}

/// The problem lines of a message, with the temporary folder cut off the file name.
fn lines(message: &str, file: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|l| l.find(&format!("{file}:")).map(|i| l[i..].to_string()))
        .filter(|l| l[file.len() + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

#[test]
fn every_bad_cell_of_a_budget_file() {
    let env = env();
    let csv = "date,unit,kind,category,source,amount\n\
2021-13-01,S1,allocation,,,100\n\
2021-02-30,S1,allocation,,,100\n\
2021-01-01,S1,grant,,,100\n\
2021-01-01,S1,allocation,,,1.234\n\
2021-01-01,S1,allocation,,,一百元\n\
2021-01-01,S1,allocation,,,0\n\
2021-01-01,,allocation,,,100\n\
2021-01-01,S1,allocation,food,,100\n\
2021-01-01,S1,allocation,,bank,100\n\
,S1,allocation,,,\n\
2021-01-01,S1,allocation,,,100\n";
    let err = env.import_refused("budget", "b.csv", csv);
    let got = lines(&err, "b.csv");
    let expected = [
        "b.csv:2: date: “2021-13-01” is not a real date (years 1900–2999; the month and day must exist)",
        "b.csv:3: date: “2021-02-30” is not a real date (years 1900–2999; the month and day must exist)",
        "b.csv:4: kind: “grant” is not one of the accepted words: allocation/拨付, expenditure/支出",
        "b.csv:5: amount: the amount “1.234” has more than two decimals (amounts are exact to the fen)",
        "b.csv:6: amount: cannot read the amount “一百元” (yuan: write 1700000, 1,700,000.00, ¥300, 170万 or 1.5万元; a correction is negative)",
        "b.csv:7: amount: must not be zero",
        "b.csv:8: unit: is required",
        "b.csv:9: category: “food” is not one of the accepted words: construction/建设, operation/运营, service_purchase/购买服务, training/培训, equipment/设备, other/其他",
        "b.csv:10: source: “bank” is not one of the accepted words: fiscal/财政, welfare_lottery/福彩公益金, other/其他",
        "b.csv:11: date: is required",
        "b.csv:11: amount: is required",
    ];
    assert_eq!(got, expected, "{err}");
    assert!(err.contains("11 problems; nothing from this file was stored"), "{err}");
}

#[test]
fn the_same_problems_in_chinese_under_the_files_own_headers() {
    let env = env();
    let csv = "日期,站点,类型,金额\n去年11月,S1,拨付,100\n2021-01-01,S1,拨款,100\n2021-01-01,S1,拨付,1.234\n2021-01-01,,拨付,0\n";
    let before = env.snapshot();
    let path = env.file("资金.csv", csv);
    let out = env.run_lang("zh", &["import", "budget", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.snapshot(), before);
    let err = stderr(&out);
    assert!(
        err.contains("资金.csv：发现 5 处错误，此文件中的数据均未导入。请改正后重新导入整个文件："),
        "{err}"
    );
    let got = lines(&err, "资金.csv");
    let expected = [
        "资金.csv:2: 日期: 无法识别“去年11月”（可写 2021-11-08、2021/11/8、2021.11.8、2021年11月8日，只知年月或年份时写 2021-11 或 2021）",
        "资金.csv:3: 类型: “拨款”不是可用的值（可填：allocation/拨付, expenditure/支出）",
        "资金.csv:4: 金额: “1.234”超过两位小数（只能精确到分）",
        "资金.csv:5: 站点: 必填，不能为空",
        "资金.csv:5: 金额: 不能为 0",
    ];
    assert_eq!(got, expected, "{err}");
}

#[test]
fn problems_only_the_store_can_see_are_at_their_lines_too() {
    let env = env();
    // Unknown unit (line 3), an id stored with other content (line 4), an id twice in the file
    // (line 6); the good rows around them are not stored either.
    let csv = "id,date,unit,kind,amount\n\
,2021-01-01,S1,allocation,5\n\
,2021-01-01,NOPE,allocation,5\n\
B-1,2021-01-01,S1,allocation,999\n\
B-2,2021-01-01,S1,allocation,5\n\
B-2,2021-01-01,S1,allocation,6\n";
    let err = env.import_refused("budget", "b.csv", csv);
    let got = lines(&err, "b.csv");
    assert_eq!(
        got,
        [
            "b.csv:3: unit: no unit has the code NOPE",
            "b.csv:4: id: B-1 is already stored with different content; it is not overwritten",
            "b.csv:6: id: B-2 appears twice in this file",
        ],
        "{err}"
    );
}

#[test]
fn unknown_units_are_listed_with_the_other_problems_in_one_pass() {
    let env = env();
    let csv = "date,unit,kind,amount\n\
2021-01-01,S9,allocation,5\n\
2021-01-01,S1,allocation,x\n\
2021-01-01,S8,allocation,y\n";
    let err = env.import_refused("budget", "b.csv", csv);
    assert_eq!(
        lines(&err, "b.csv"),
        [
            "b.csv:2: unit: no unit has the code S9",
            "b.csv:3: amount: cannot read the amount “x” (yuan: write 1700000, 1,700,000.00, ¥300, 170万 or 1.5万元; a correction is negative)",
            "b.csv:4: amount: cannot read the amount “y” (yuan: write 1700000, 1,700,000.00, ¥300, 170万 or 1.5万元; a correction is negative)",
            "b.csv:4: unit: no unit has the code S8",
        ],
        "{err}"
    );
    let err = env.import_refused(
        "evaluations",
        "e.csv",
        "unit,date,kind,score\nC1,2021-11-08,midterm,101\n",
    );
    assert_eq!(
        lines(&err, "e.csv"),
        [
            "e.csv:2: score: “101” is not a number from 0 to 100 with at most one decimal",
            "e.csv:2: unit: unit C1 has no station (status none) to evaluate",
        ],
        "{err}"
    );
}

#[test]
fn a_large_file_for_units_not_yet_imported_is_refused_cheaply() {
    let env = Env::empty();
    let mut csv = String::from("date,unit,kind,amount\n");
    for i in 0..100_000 {
        csv.push_str(&format!("2021-01-01,U{},allocation,5\n", i % 5000));
    }
    let err = env.import_refused("budget", "b.csv", &csv);
    assert!(err.contains("b.csv: 100000 problems"), "{}", &err[..300]);
    assert_eq!(lines(&err, "b.csv").len(), 100);
    assert!(lines(&err, "b.csv")[0].starts_with("b.csv:2: unit: no unit has the code U0"));
}

#[test]
fn bad_evaluations() {
    let env = env();
    let csv = "unit,date,kind,score,grade\n\
C1,2021-11-08,midterm,,\n\
S1,2021-11-08,midterm,85,excellent\n\
S1,2021-11-08,midterm,101,\n\
S1,2021-11-08,midterm,85.55,\n\
S1,2021-11-08,review,,\n\
S1,2021-11-08,midterm,,A\n";
    let err = env.import_refused("evaluations", "e.csv", csv);
    let got = lines(&err, "e.csv");
    assert_eq!(
        got,
        [
            "e.csv:2: unit: unit C1 has no station (status none) to evaluate",
            "e.csv:3: grade: excellent does not agree with score 85 (that is good)",
            "e.csv:4: score: “101” is not a number from 0 to 100 with at most one decimal",
            "e.csv:5: score: “85.55” is not a number from 0 to 100 with at most one decimal",
            "e.csv:6: kind: “review” is not one of the accepted words: midterm/中期, annual/年度, final/终期, self/自评, spot/抽查",
            "e.csv:7: grade: “A” is not one of the accepted words: excellent/优秀, good/良好, pass/合格, fail/不合格",
        ],
        "{err}"
    );
    // A unit without a station cannot be evaluated: the store says so once the file parses.
    let err = env.import_refused(
        "evaluations",
        "e2.csv",
        "unit,date,kind\nS1,2021-11-08,midterm\nC1,2021-11-08,midterm\n",
    );
    assert_eq!(
        lines(&err, "e2.csv"),
        ["e2.csv:3: unit: unit C1 has no station (status none) to evaluate"],
        "{err}"
    );
}

#[test]
fn bad_trainings() {
    let env = env();
    let csv = "date,host,kind,mode,hours,attendees,units\n\
2021-11-09,D1,class,offline,0,10,\n\
2021-11-09,D1,class,by post,2,10,\n\
2021-11-09,D1,class,online,2,-3,\n\
2021-11-09,D1,lecture,online,2,3,\n\
2021-11-09,D1,class,online,2,3,S1;bad code\n";
    let err = env.import_refused("trainings", "t.csv", csv);
    assert_eq!(
        lines(&err, "t.csv"),
        [
            "t.csv:2: hours: must be more than 0",
            "t.csv:3: mode: “by post” is not one of the accepted words: online/线上, offline/线下, mixed/混合",
            "t.csv:4: attendees: “-3” is not a whole number of 0 or more",
            "t.csv:5: kind: “lecture” is not one of the accepted words: class/培训班, coaching/一对一辅导, supervision/督导, meeting/调度会",
            "t.csv:6: units: “bad code” is not a valid code: 1–32 of 0-9 A-Z a-z _ -",
        ],
        "{err}"
    );
    let err = env.import_refused(
        "trainings",
        "t2.csv",
        "date,host,kind,units\n2021-11-09,D1,class,S1;S9\n",
    );
    assert_eq!(
        lines(&err, "t2.csv"),
        ["t2.csv:2: units: no unit has the code S9"],
        "{err}"
    );
}

#[test]
fn bad_units() {
    let env = env();
    let csv = "code,parent,level,name,station,opened_on,closed_on,social_workers,certified_workers\n\
S3,D1,street,,none,,,,\n\
S4,D1,street,新街道,operating,,,,\n\
S5,D1,street,新街道,closed,2020,,,\n\
S6,D1,street,新街道,operating,2020,2021,,\n\
S7,D1,street,新街道,none,,,2,3\n\
S 8,D1,street,新街道,none,,,,\n\
S9,D1,county,新街道,none,,,,\n";
    let err = env.import_refused("units", "u2.csv", csv);
    assert_eq!(
        lines(&err, "u2.csv"),
        [
            "u2.csv:2: name: is required",
            "u2.csv:3: opened_on: is required when the station is operating",
            "u2.csv:4: closed_on: is required when the station is closed",
            "u2.csv:5: closed_on: only a closed station has a closing date",
            "u2.csv:6: certified_workers: 3 is more than social_workers 2",
            "u2.csv:7: code: “S 8” is not a valid code: 1–32 of 0-9 A-Z a-z _ -",
            "u2.csv:8: level: “county” is not one of the accepted words: province/省, city/市, district/区, street/街道, community/社区",
        ],
        "{err}"
    );
    // Hierarchy problems need the store: a missing parent, a level not deeper than its parent,
    // a code twice in the file.
    let csv = "code,parent,level,name\nS3,D9,street,甲\nS4,S1,street,乙\nS5,D1,street,丙\nS5,D1,street,丁\n";
    let err = env.import_refused("units", "u3.csv", csv);
    assert_eq!(
        lines(&err, "u3.csv"),
        [
            "u3.csv:2: parent: no unit has the code D9",
            "u3.csv:3: level: street must be deeper than its parent S1 (street)",
            "u3.csv:5: code: S5 appears twice in this file",
        ],
        "{err}"
    );
}

#[test]
fn unknown_missing_and_repeated_columns_are_named_at_the_header() {
    let env = env();
    let err = env.import_refused(
        "budget",
        "b.csv",
        "date,unit,kind,colour,金额,amount\n2021-01-01,S1,allocation,red,1,1\n",
    );
    let got = lines(&err, "b.csv");
    assert_eq!(got.len(), 2, "{err}");
    assert!(
        got[0].starts_with("b.csv:1: colour: unknown column (a budget file has the columns id/编号, date/日期,"),
        "{err}"
    );
    assert_eq!(
        got[1],
        "b.csv:1: amount: this column appears twice (the same as “金额”)"
    );
    let err = env.import_refused("budget", "b2.csv", "date,unit,amount\n2021-01-01,S1,1\n");
    assert_eq!(
        lines(&err, "b2.csv"),
        ["b2.csv:1: the required column “kind/类型” is missing"],
        "{err}"
    );
}

#[test]
fn cells_outside_every_column_are_refused() {
    let env = env();
    let err = env.import_refused(
        "budget",
        "b.csv",
        "date,unit,kind,amount,,note\n2021-01-01,S1,allocation,1,x,\n2021-01-01,S1,allocation,1,,n,extra\n",
    );
    assert_eq!(
        lines(&err, "b.csv"),
        [
            "b.csv:2: #5: column 5 has no header, but this row has “x” there (an extra comma or a shifted cell?)",
            "b.csv:3: #7: column 7 has no header, but this row has “extra” there (an extra comma or a shifted cell?)",
        ],
        "{err}"
    );
}

#[test]
fn lines_are_the_files_own_with_crlf_blank_lines_and_multi_line_cells() {
    let env = env();
    let csv = "date,unit,kind,amount,note\r\n\
2021-01-01,S1,allocation,1,\"第一行\r\n第二行\"\r\n\
\r\n\
2021-01-01,S1,allocation,x,\r\n\
,,,,\r\n\
2021-01-01,S1,allocation,y,\r\n";
    let err = env.import_refused("budget", "b.csv", csv);
    assert_eq!(
        lines(&err, "b.csv")
            .iter()
            .map(|l| l.split(": ").next().unwrap().to_string())
            .collect::<Vec<_>>(),
        ["b.csv:5", "b.csv:7"],
        "{err}"
    );
}

#[test]
fn a_long_list_is_capped_with_a_count() {
    let env = env();
    let mut csv = String::from("date,unit,kind,amount\n");
    for _ in 0..150 {
        csv.push_str("2021-01-01,S1,allocation,x\n");
    }
    let err = env.import_refused("budget", "b.csv", &csv);
    let got = lines(&err, "b.csv");
    assert_eq!(got.len(), 100);
    assert!(got[99].starts_with("b.csv:101: amount:"), "{}", got[99]);
    assert!(
        err.contains("b.csv: 150 problems; nothing from this file was stored"),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("... and 50 more problems not listed (fix the ones above and import again to see them)"),
        "{err}"
    );
    let zh = env.run_lang("zh", &["import", "budget", env.path("b.csv").to_str().unwrap()]);
    assert!(
        stderr(&zh)
            .trim_end()
            .ends_with("……另有 50 处错误未列出（先改正以上各处，再导入一次即可看到）"),
        "{}",
        stderr(&zh)
    );
}

#[test]
fn a_file_of_many_bad_rows_stays_bounded() {
    // 200,000 bad rows (400,000 problems): the message still lists 100, and the import ends.
    let env = env();
    let mut csv = String::with_capacity(8_000_000);
    csv.push_str("date,unit,kind,amount\n");
    for _ in 0..200_000 {
        csv.push_str("2021-13-01,S1,allocation,x\n");
    }
    let err = env.import_refused("budget", "big.csv", &csv);
    assert_eq!(lines(&err, "big.csv").len(), 100);
    assert!(err.contains("400000 problems"), "{}", &err[..200]);
    assert!(err.len() < 40_000, "{}", err.len());
}
