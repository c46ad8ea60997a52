//! Large files are streamed: checked chunk by chunk, then written in passes by share of units.
//! The thresholds are lowered here (environment) so that a small file takes that path; the
//! result must be exactly that of the ordinary import, and a bad file must be refused whole
//! with its problems at the right lines.

mod common;
use common::*;
use std::process::Command;

fn streamed(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shegong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env("SHEGONG_STREAM_ABOVE_BYTES", "100")
        .env("SHEGONG_PASS_ROWS", "700")
        .output()
        .unwrap()
}

fn budget_file(path: &std::path::Path, rows: usize, bad_line: Option<usize>) {
    let mut text = String::from("date,unit,kind,category,amount\n");
    let streets = [
        "530112001000",
        "530112004000",
        "530112008000",
        "530112010000",
        "530112000000",
    ];
    for i in 0..rows {
        let line = i + 2;
        let unit = if Some(line) == bad_line {
            "NOWHERE"
        } else {
            streets[i % streets.len()]
        };
        let kind = if i % 3 == 0 { "expenditure" } else { "allocation" };
        let row = format!(
            "2021-{:02}-{:02},{unit},{kind},operation,{}.{:02}\n",
            1 + i % 12,
            1 + i % 28,
            100 + i,
            i % 100
        );
        text.push_str(&row);
        // Every tenth row twice: identical rows are two records.
        if i % 10 == 0 {
            text.push_str(&row);
        }
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_streamed_import_equals_an_ordinary_one() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("budget.csv");
    budget_file(&file, 3_000, None);
    let plain = tmp.path().join("plain");
    ok(&plain, &["init"]);
    ok(&plain, &["import", "budget", file.to_str().unwrap()]);
    let stream = tmp.path().join("stream");
    ok(&stream, &["init"]);
    let out = streamed(&stream, &["import", "budget", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3300 added"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let a = report_json(&plain, &["--as-of", "2022-01-01", "--depth", "1"]);
    let b = report_json(&stream, &["--as-of", "2022-01-01", "--depth", "1"]);
    assert_eq!(a, b);
    ok(&stream, &["check"]);
    // Again: nothing added.
    let out = streamed(&stream, &["import", "budget", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("already stored"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(report_json(&stream, &["--as-of", "2022-01-01", "--depth", "1"]), a);
}

#[test]
fn a_bad_streamed_file_is_refused_whole_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("budget.csv");
    budget_file(&file, 2_500, Some(2_400));
    let dir = tmp.path().join("s");
    ok(&dir, &["init"]);
    let before = report_json(&dir, &["--as-of", "2022-01-01"]);
    let out = streamed(&dir, &["import", "budget", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // Line 2,400 of the rows above, shifted by the repeated rows written before it.
    let line = 2_400 + (2_400 - 2) / 10 + 1;
    assert!(err.contains(&format!("budget.csv:{line}: unit:")), "{err}");
    assert_eq!(report_json(&dir, &["--as-of", "2022-01-01"]), before);
}
