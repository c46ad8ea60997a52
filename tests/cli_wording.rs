//! Issue 10's small CLI wording: no empty bracket after a zero count in `report`; the journal's
//! operator from the OS when `$USER` is unset; "in use" (exit 3) says how a team can work at
//! once; an import error line names its column once.

mod skip;

mod interchange_support;
use interchange_support::*;

#[test]
fn a_zero_count_has_no_empty_bracket() {
    let env = Env::xishan();
    for lang in ["en", "zh"] {
        // Before any evaluation or training of the letter.
        let out = env.run_lang(lang, &["report", "--as-of", "2020-01-01"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("()") && !text.contains("（）"), "{text}");
        assert!(
            text.contains("Evaluations: 0  ") || text.contains("评估：0 次  "),
            "{text}"
        );
    }
    // With evaluations, the kinds are still listed.
    let text = env.ok(&["report", "--as-of", "2021-11-09"]);
    assert!(
        text.contains("Evaluations: 10 (midterm 10)") || text.contains("(midterm"),
        "{text}"
    );
}

#[test]
fn the_operator_is_the_login_name_when_user_is_unset() {
    let Some(login) = std::process::Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|n| !n.is_empty())
    else {
        skip::skip("`id -un` gives no login name for this user here");
        return;
    };
    let env = Env::none();
    // The binary with no user name in its environment.
    let without_user = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shegong"))
            .args(["--lang", "en", "--data-dir"])
            .arg(&env.dir)
            .args(args)
            .env_remove("USER")
            .env_remove("USERNAME")
            .env_remove("SHEGONG_DATA_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    without_user(&["init", "--empty"]);
    let csv = "code,parent,level,name,station\n5301,,district,某区,none\n";
    let path = env.file("u.csv", csv);
    without_user(&["import", "units", path.to_str().unwrap()]);
    let history = env.ok(&["history"]);
    let first = history.lines().next().unwrap_or_default();
    assert!(first.contains(&format!("  {login}  ")), "{history}");
    assert!(!history.contains("unknown"), "{history}");
}

#[test]
fn in_use_says_how_a_team_works_at_once() {
    let env = Env::xishan();
    let held = shegong::store::Store::open(&env.dir, false).unwrap();
    for (lang, words) in [("en", "shared PostgreSQL server"), ("zh", "共享的 PostgreSQL 服务器")] {
        let out = env.run_lang(lang, &["report"]);
        assert_eq!(out.status.code(), Some(3));
        let err = stderr(&out);
        assert!(err.contains(words), "{err}");
        assert_eq!(err.trim_end().lines().count(), 2, "one extra line: {err}");
    }
    drop(held);
}

#[test]
fn an_import_error_names_its_column_once() {
    let env = Env::xishan();
    let csv = "编号,站点,日期,类型,金额\n,530112001000,2021-13-45,拨付,1.234\n,530112001000,去年,拨付,100\n,530112001000,2021-01-01,拨付,0\n,530112001000,2021-01-01,拨付,十块\n";
    let path = env.file("资金.csv", csv);
    let out = env.run_lang("zh", &["import", "budget", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split_once("资金.csv:").map(|(_, rest)| rest))
        .collect();
    assert!(lines.len() >= 4, "{err}");
    for line in lines {
        // LINE: COLUMN: message
        let mut parts = line.splitn(3, ": ");
        let (_, column, message) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        assert!(!message.starts_with(column), "the column twice: {line}");
        assert!(!message.contains(&format!("{column}“")), "the column twice: {line}");
    }
}
