//! The change journal: every change names who made it, and `shegong history` shows it, also
//! for one unit; a refused change leaves no entry.

mod common;
use common::*;

#[test]
fn history_names_the_operator_and_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["--operator", "李淳", "init"]);
    let file = tmp.path().join("b.csv");
    std::fs::write(
        &file,
        "date,unit,kind,amount,category\n2021-12-01,530112008000,allocation,12万,operation\n",
    )
    .unwrap();
    ok(
        &dir,
        &["--operator", "张三", "import", "budget", file.to_str().unwrap()],
    );

    let all = ok(&dir, &["history", "--limit", "1"]);
    assert!(
        all.contains("张三") && all.contains("add budget") && all.contains("12000000"),
        "{all}"
    );

    let biji = ok(&dir, &["history", "--unit", "530112008000"]);
    // The unit itself, its evaluation from the letter, and the new allocation.
    assert_eq!(biji.lines().filter(|l| !l.starts_with(' ')).count(), 3, "{biji}");
    assert!(biji.contains("李淳"));

    // A refused import changes nothing, and so adds no entry.
    std::fs::write(&file, "date,unit,kind,amount\n2021-12-01,NOPE,allocation,12万\n").unwrap();
    assert_eq!(
        shegong(&dir, &["import", "budget", file.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(ok(&dir, &["history", "--limit", "1"]), all);
}
