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

/// The file as Excel on Chinese Windows saves it (GBK, Chinese headers, CRLF), and as its
/// "Unicode text" (UTF-16, tabs), here with old Mac line ends (CR only).
fn gbk_and_utf16(text: &str) -> [(&'static str, Vec<u8>); 2] {
    let chinese = text
        .replacen("date,unit,kind,category,amount", "日期,站点,类型,科目,金额", 1)
        .replace('\n', "\r\n");
    let utf16 = [0xFF, 0xFE]
        .into_iter()
        .chain(
            text.replace(',', "\t")
                .replace('\n', "\r")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    [
        ("gbk.csv", encoding_rs::GBK.encode(&chinese).0.into_owned()),
        ("utf16.txt", utf16),
    ]
}

/// `shegong import` streams a file from disk, opening it again for each pass; the built-in
/// data and other callers import bytes in memory (`import_bytes`). Both store the same.
#[test]
fn a_file_streamed_from_disk_equals_its_bytes_imported_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let utf8 = tmp.path().join("utf8.csv");
    budget_file(&utf8, 3_000, None);
    let text = std::fs::read_to_string(&utf8).unwrap();
    let [gbk, utf16] = gbk_and_utf16(&text);
    for (name, bytes) in [("utf8.csv", text.into_bytes()), gbk, utf16] {
        let file = tmp.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let memory = tmp.path().join(format!("{name}-memory"));
        ok(&memory, &["init"]);
        {
            let store = shegong::registry::Registry::open(&memory, false).unwrap();
            let summary =
                shegong::interchange::import_bytes(&store, shegong::interchange::Kind::Budget, &bytes).unwrap();
            assert_eq!(summary.added, 3_300);
        }
        wait_until_closed(&memory);
        let disk = tmp.path().join(format!("{name}-disk"));
        ok(&disk, &["init"]);
        let out = streamed(&disk, &["import", "budget", file.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("3300 added"), "{name}");
        let as_of = ["--as-of", "2022-01-01", "--depth", "1"];
        assert_eq!(report_json(&memory, &as_of), report_json(&disk, &as_of), "{name}");
        assert_eq!(
            ok(&memory, &["export", "budget"]),
            ok(&disk, &["export", "budget"]),
            "{name}"
        );
        ok(&disk, &["check"]);
    }
}

#[test]
fn a_bad_row_of_a_streamed_gbk_or_utf16_file_is_named_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let utf8 = tmp.path().join("utf8.csv");
    budget_file(&utf8, 2_500, Some(2_400));
    let text = std::fs::read_to_string(&utf8).unwrap();
    let line = 2_400 + (2_400 - 2) / 10 + 1;
    for (name, bytes) in gbk_and_utf16(&text) {
        let file = tmp.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let dir = tmp.path().join(format!("{name}-store"));
        ok(&dir, &["init"]);
        let out = streamed(&dir, &["import", "budget", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        let column = if name == "gbk.csv" { "站点" } else { "unit" };
        assert!(err.contains(&format!("{name}:{line}: {column}:")), "{err}");
    }
}

/// What is not CSV is read whole, so it has a limit (lowered here); what cannot be opened is
/// said in words, naming the file.
#[test]
fn a_file_that_cannot_be_read_is_refused_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    ok(&dir, &["init"]);
    let before = report_json(&dir, &["--as-of", "2022-01-01"]);
    let missing = tmp.path().join("missing.csv");
    let out = shegong(&dir, &["import", "budget", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.csv: cannot open the file: there is no such file"),
        "{err}"
    );
    let out = shegong(
        &dir,
        &["--lang", "zh", "import", "budget", tmp.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("这是一个文件夹，不是文件"));
    // The JSON export of the built-in budget entry, with a limit of 100 bytes for what is read
    // whole; CSV has no such limit.
    let json = tmp.path().join("budget.json");
    ok(
        &dir,
        &["export", "budget", "--format", "json", "-o", json.to_str().unwrap()],
    );
    assert!(std::fs::metadata(&json).unwrap().len() > 100);
    let csv = tmp.path().join("budget.csv");
    ok(&dir, &["export", "budget", "-o", csv.to_str().unwrap()]);
    let limited = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_shegong"))
            .args([
                "--data-dir",
                dir.to_str().unwrap(),
                "import",
                "budget",
                file.to_str().unwrap(),
            ])
            .env("LANG", "en_US.UTF-8")
            .env("SHEGONG_WHOLE_FILE_LIMIT", "100")
            .output()
            .unwrap()
    };
    let out = limited(&csv);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("already stored"),
        "{out:?}"
    );
    let out = limited(&json);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("budget.json: this file has 1 MB, more than the 1 MB an Excel or JSON file may have"),
        "{err}"
    );
    assert_eq!(report_json(&dir, &["--as-of", "2022-01-01"]), before);
}
